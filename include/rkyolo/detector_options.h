// rkyolo: what to load and how to post-process, shared by every Session of
// a Model.
#pragma once

#include <string>
#include <vector>

#include "rkyolo/backend.h"
#include "rkyolo/layout.h"
#include "rkyolo/status.h"

namespace rkyolo {

struct DetectorOptions {
  std::string model_path;
  std::string backend = "auto";    // "auto", "cpu", "rknn"
  BackendOptions backend_options;  // model_path is filled in from above

  float conf_threshold = 0.25f;
  float iou_threshold = 0.45f;
  int max_det = 300;
  int max_nms = 30000;  // candidates kept before NMS
  bool agnostic_nms = false;
  std::vector<int> classes;         // keep only these class ids (empty = all)
  std::vector<std::string> labels;  // overrides metadata names when not empty
  LayoutHints layout_hints;
};

// Checks option values; the message names the bad option.
Status validate(const DetectorOptions& options);

}  // namespace rkyolo
