// rkyolo: a small parser for Python literals and JSON values. Ultralytics
// writes ONNX metadata_props as Python reprs ({0: 'person', 1: 'bicycle'},
// [8, 16, 32], True); other tools write JSON; .rknn custom strings carry either.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
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
  std::vector<PyValue> items;  // list / tuple
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

}  // namespace rkyolo::core
