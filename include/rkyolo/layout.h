// rkyolo: the YOLO output layouts rkyolo decodes, and what was detected.
#pragma once

#include <array>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "rkyolo/status.h"
#include "rkyolo/tensor.h"

namespace rkyolo {

enum class YoloFamily : int {
  kUnknown = 0,
  kYolov5Combined,  // (1, N, nc+5): cx, cy, w, h, obj, classes (decoded, sigmoid)
  kYolov5Split,     // 3 x (1, na*(nc+5), H, W): tx, ty, tw, th, obj, classes (sigmoid, not decoded)
  kYolov8Combined,  // (1, 4+nc, A) channel-first (or (1, A, 4+nc)): cx, cy, w, h, classes
  kYolov8SplitDfl,  // per stride: (1, 4*reg_max, H, W) DFL logits, (1, nc, H, W) scores, [(1, 1, H, W) score_sum]
  kEndToEnd,        // (1, K, 6): x1, y1, x2, y2, score, class; no NMS
};

const char* family_name(YoloFamily family);

// One detection head (one stride) of a split layout: which outputs it uses.
struct HeadBinding {
  int stride = 0;
  int grid_h = 0, grid_w = 0;
  int box_output = -1;                        // v8: DFL box tensor; v5: the combined head tensor
  int class_output = -1;                      // v8 only
  int sum_output = -1;                        // v8 only, -1 when absent
  std::vector<std::array<float, 2>> anchors;  // v5 only, pixels
};

// Everything post-processing needs to know about a model's outputs.
struct YoloLayout {
  YoloFamily family = YoloFamily::kUnknown;
  int num_classes = 0;
  int input_width = 0, input_height = 0;
  int reg_max = 16;                // v8 split DFL bins per side
  int num_anchors = 0;             // v5: anchors per cell
  bool transposed = false;         // v8 combined given as (1, A, 4+nc)
  std::vector<HeadBinding> heads;  // split layouts, sorted by stride
  int combined_output = 0;         // combined and end-to-end layouts
  bool nms_free = false;           // split heads of a one-to-one (YOLOv10) model: top-k by score, no NMS
  std::vector<std::string> names;  // class names from metadata (may be empty)
  std::string source;              // how it was recognised ("metadata + shapes", ...)
};

// Options for layout detection.
struct LayoutHints {
  // YOLOv5 anchors per stride (pixels) overriding the COCO defaults.
  std::vector<std::vector<std::array<float, 2>>> anchors;
  // Expected class count (e.g. from a labels file), 0 = unknown.
  int num_classes = 0;
};

// Recognises the layout from output shapes plus metadata (ONNX
// metadata_props such as Ultralytics' `names`, `stride`, `imgsz`). On failure
// the error names every output shape.
Status detect_layout(const std::vector<TensorInfo>& outputs, int input_width, int input_height,
                     const std::map<std::string, std::string>& metadata, const LayoutHints& hints, YoloLayout* layout);

std::ostream& operator<<(std::ostream& os, const YoloLayout& layout);

// Default COCO anchors of YOLOv5, pixels, for strides 8, 16, 32.
const std::vector<std::vector<std::array<float, 2>>>& default_yolov5_anchors();

}  // namespace rkyolo
