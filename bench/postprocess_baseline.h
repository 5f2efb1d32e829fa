// The post-processing a user would otherwise write: Rockchip's model-zoo
// YOLOv8 int8 algorithm ("filter first"), written here from its description
// as the baseline of the benchmarks (not used by the library).
#pragma once

#include <cstdint>
#include <vector>

#include "rkyolo/layout.h"
#include "rkyolo/tensor.h"

namespace rkyolo::bench {

struct BaselineDetection {
  float x1, y1, x2, y2, score;
  int class_id;
};

// Per stride: NCHW int8 tensors as rknn_outputs_get returns them with
// want_float = 0 (box: 4 x reg_max channels, classes, score_sum).
// For every cell: skip it when score_sum is below the int8 threshold; else
// the best class over the class planes (int8 compare); when it passes,
// dequantize the 4 x reg_max DFL logits, softmax with expf, expected
// distances, box. Then sort every candidate by score and run greedy NMS
// class by class over the sorted list, as the zoo's post_process does.
// Buffers are kept between frames (kinder to the baseline than the zoo's
// per-frame vectors).
class FilterFirstPostprocess {
 public:
  void run(const YoloLayout& layout, const std::vector<TensorView>& outputs, float conf, float iou, int max_det,
           std::vector<BaselineDetection>* out);

 private:
  std::vector<BaselineDetection> cand_;
  std::vector<int> order_;
  std::vector<float> logits_;
  std::vector<unsigned char> seen_;
};

}  // namespace rkyolo::bench
