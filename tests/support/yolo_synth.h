// Test support: encodes known boxes into YOLO head tensors of every layout
// (the inverse of decoding), in float, int8 NCHW, int8 NC1HWC2 with padded
// channels and rows with w_stride padding. Written from the format
// description, independently of src/core/decode*.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "rkyolo/layout.h"
#include "rkyolo/tensor.h"

namespace rkyolo::test {

struct TruthBox {
  float x1, y1, x2, y2;  // model-input pixels
  int class_id;
  float score;
};

// One tensor in logical NCHW (or row-major for flat tensors) float form.
struct FloatTensor {
  std::string name;
  std::vector<std::int64_t> dims;
  std::vector<float> data;
};

// A tensor ready to hand to a decoder: bytes plus description.
struct EncodedTensor {
  TensorInfo info;
  std::vector<std::uint8_t> bytes;
};

struct SynthModel {
  YoloLayout layout;  // what detect_layout should find
  std::vector<FloatTensor> outputs;
};

// Builders. Background cells get low scores (< 0.1) drawn from `rng`.
// `exact_dfl` moves each box so its DFL distances sit on half-bin positions
// (int8 logits then represent them exactly); `boxes` is updated in place.
SynthModel make_yolov8_split(std::vector<TruthBox>& boxes, int nc, int input, bool with_sum, std::mt19937& rng,
                             bool exact_dfl);
SynthModel make_yolov5_split(const std::vector<TruthBox>& boxes, int nc, int input, std::mt19937& rng);
SynthModel make_yolov5_combined(const std::vector<TruthBox>& boxes, int nc, int input, std::mt19937& rng);
SynthModel make_yolov8_combined(const std::vector<TruthBox>& boxes, int nc, int input, std::mt19937& rng,
                                bool transposed);
SynthModel make_end_to_end(const std::vector<TruthBox>& boxes, int rows);

// Encodings of a float tensor.
EncodedTensor encode_float(const FloatTensor& t);
// int8 affine with scale/zero-point chosen from the tensor's min/max.
EncodedTensor encode_int8(const FloatTensor& t);
// int8 in Rockchip's native NC1HWC2 layout; padding channels (and padding
// columns when w_stride > W) are filled with non-zero garbage.
EncodedTensor encode_int8_nc1hwc2(const FloatTensor& t, int c2, int w_stride = 0);
// float or int8 NCHW with rows padded to w_stride (garbage in the padding).
EncodedTensor encode_int8_strided(const FloatTensor& t, int w_stride);

// Random non-overlapping boxes that every layout can represent.
std::vector<TruthBox> random_boxes(std::mt19937& rng, int count, int nc, int input, float min_size = 12,
                                   float max_size = 300);

}  // namespace rkyolo::test
