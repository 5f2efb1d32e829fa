// rkyolo: the model metadata rkyolo understands (class names, strides,
// input size, task, end-to-end, anchors), read from ONNX metadata_props or an
// .rknn custom string through the literal parser (py_literal.h).
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

}  // namespace rkyolo::core
