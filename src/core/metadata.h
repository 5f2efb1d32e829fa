// rkyolo: model metadata. Ultralytics writes ONNX metadata_props as Python
// reprs ({0: 'person', 1: 'bicycle'}, [8, 16, 32], True); others use JSON.
// A small literal parser understands both.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rkyolo/status.h"

namespace rkyolo::core {

struct PyEntry;

struct PyValue {
  enum class Kind { kNone, kBool, kInt, kFloat, kString, kList, kDict };
  Kind kind = Kind::kNone;
  bool b = false;
  std::int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<PyValue> items;                       // list / tuple
  // Dict entries, in order. Not std::pair<PyValue, PyValue>: pair needs a
  // complete type where the class is still incomplete (clang + libstdc++).
  std::vector<PyEntry> entries;

  bool is_number() const { return kind == Kind::kInt || kind == Kind::kFloat; }
  double number() const { return kind == Kind::kInt ? static_cast<double>(i) : f; }
};

struct PyEntry {
  PyValue key;
  PyValue value;
};

// Parses a Python literal or JSON value. Errors name the offset.
Status parse_py_literal(std::string_view text, PyValue* out);

// Per-channel values as users type them (mean/std): "a" (all three channels)
// or "a,b,c", finite floats only. False, and `out` unspecified, otherwise.
bool parse_channel_triplet(std::string_view text, float out[3]);

struct ModelMetadata {
  std::vector<std::string> names;  // class names by id
  std::vector<int> strides;
  int imgsz_w = 0, imgsz_h = 0;
  std::string task;
  std::optional<bool> end2end;
  int num_classes = 0;  // explicit "nc" if present
  // YOLOv5 anchors per stride (pixels), when the metadata carries them.
  std::vector<std::vector<std::pair<float, float>>> anchors;
};

// Reads the keys rkyolo understands; unknown keys are ignored, malformed
// known keys are an error naming the key.
Status parse_model_metadata(const std::map<std::string, std::string>& props, ModelMetadata* out);

// Names from a labels file: one name per line, blank lines and trailing
// spaces ignored.
Status read_labels_file(const std::string& path, std::vector<std::string>* names);

}  // namespace rkyolo::core
