// The post-processing benchmarks' scene: YOLOv8n-shaped int8 split heads
// (80 classes, strides 8/16/32 at 640) holding 12 objects, the same for the
// timed benchmarks (bench_postprocess.cc) and the instruction counts
// (count_kernels.cc), so the two sets of figures describe one workload.
#pragma once

#include <vector>

#include "rkyolo/layout.h"
#include "rkyolo/tensor.h"
#include "support/yolo_synth.h"

namespace rkyolo::bench {

struct PostprocessScene {
  YoloLayout layout;
  std::vector<test::EncodedTensor> tensors;
  std::vector<TensorInfo> infos;
  std::vector<TensorView> views;  // point into tensors and infos (moves keep them valid)
};

// `native`: NC1HWC2 (C2 16) as zero-copy outputs arrive, else NCHW;
// `with_sum`: the score_sum output of Rockchip's split heads.
PostprocessScene make_postprocess_scene(bool native, bool with_sum);

}  // namespace rkyolo::bench
