// rkyolo: YOLO output decoding (before NMS).
//
// Decoder is the optimized path: configured once per model, then per frame it
// tests scores in the tensor's own domain (int8 compared against a quantized
// threshold), decodes only survivors and allocates nothing.
// decode_ref is the naive reference: it dequantizes every tensor to float
// first, then decodes every cell. Tests and benchmarks compare the two.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rkyolo/detection.h"
#include "rkyolo/layout.h"
#include "rkyolo/status.h"
#include "rkyolo/tensor.h"

namespace rkyolo::core {

// A decoded box in model-input pixels, before NMS.
struct Candidate {
  Box box;
  float score = 0;
  int class_id = 0;
};

// Appends `c` unless its score or box is NaN or infinite (a damaged model or
// runtime): NaN fails every comparison, so it would slip past thresholds and
// NMS and reach the JSON as null. Every decoder emits through this.
inline void push_finite(std::vector<Candidate>* out, const Candidate& c) {
  if (std::isfinite(c.score) && std::isfinite(c.box.x1) && std::isfinite(c.box.y1) && std::isfinite(c.box.x2) &&
      std::isfinite(c.box.y2))
    out->push_back(c);
}

// The two box encodings YOLO heads produce, emitted through push_finite.
inline void push_xyxy(std::vector<Candidate>* out, float x1, float y1, float x2, float y2, float score, int class_id) {
  push_finite(out, Candidate{Box{x1, y1, x2, y2}, score, class_id});
}
inline void push_cxcywh(std::vector<Candidate>* out, float cx, float cy, float w, float h, float score, int class_id) {
  push_xyxy(out, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, score, class_id);
}

// Element addressing for one output tensor, whatever its memory layout.
// 4-D tensors: element (c, cell) with cell = h * pitch + w sits at
// channel_offset[c] + cell * cell_step. Flat tensors: (row, col) at
// row * cols + col.
struct TensorAccess {
  int channels = 0, height = 0, width = 0, pitch = 0;
  std::size_t cell_step = 1;
  std::vector<std::size_t> channel_offset;
  std::int64_t rows = 0, cols = 0;  // flat (3-D) tensors
  DType dtype = DType::kFloat32;
  QuantParams quant;

  static Status make(const TensorInfo& info, TensorAccess* out);
  // True when channels [0, n) sit in runs of `run` contiguous elements, run k
  // at channel_offset[0] + k * run_stride (run_stride 0: anywhere).
  bool in_runs(int n, int run, std::size_t run_stride) const;
  std::size_t at(int c, int h, int w) const {
    return channel_offset[c] + static_cast<std::size_t>(h * pitch + w) * cell_step;
  }
};

struct DecodeOptions {
  float conf_threshold = 0.25f;
  std::vector<int> classes;  // empty = all
};

class Decoder {
 public:
  Status configure(const YoloLayout& layout, const std::vector<TensorInfo>& outputs);
  // Sets the score threshold and class filter; recomputes quantized gates.
  Status set_options(const DecodeOptions& options);
  // Decodes into `out` (cleared first; capacity is reserved by configure).
  Status decode(const std::vector<TensorView>& outputs, std::vector<Candidate>* out);
  // Upper bound on candidates one frame can produce.
  std::size_t max_candidates() const { return max_candidates_; }
  // Lets the hand-written vector kernels run where this build and CPU have
  // them (the default; AVX2 on x86-64, NEON on aarch64); false runs their
  // plain-loop versions, which give the same bits (for tests).
  void set_simd_enabled(bool enabled) { simd_enabled_ = enabled; }

 private:
  Status decode_v5_split(const std::vector<TensorView>& outputs, std::vector<Candidate>* out);
  Status decode_v5_combined(const std::vector<TensorView>& outputs, std::vector<Candidate>* out);
  Status decode_v8_split(const std::vector<TensorView>& outputs, std::vector<Candidate>* out);
  Status decode_v8_combined(const std::vector<TensorView>& outputs, std::vector<Candidate>* out);
  Status decode_e2e(const std::vector<TensorView>& outputs, std::vector<Candidate>* out);
  void rebuild_gates();

 public:
  // Precomputed per-output state.
  struct OutputState {
    TensorAccess access;
    int score_gate_q = 0;          // quantized score threshold (int tensors)
    int sum_gate_q = 0;            // quantized score_sum threshold
    float sum_gate_f = 0;          // float score_sum threshold
    std::vector<float> exp_table;  // DFL: exp(-d * scale) for d = 0..255
    // int8 arrangements the YOLOv8 split-head kernels read directly (configure):
    bool sides16 = false;   // box: each 16-bin DFL side one contiguous run (NC1HWC2 C2 = 16, NHWC)
    bool blocks16 = false;  // classes: in C2 = 16 blocks, one block-plane apart (NC1HWC2 C2 = 16)
    bool planes = false;    // box, classes or score_sum: one whole plane each channel (NCHW)
  };

 private:
  YoloLayout layout_;
  std::vector<OutputState> state_;
  DecodeOptions options_;
  std::vector<std::uint8_t> class_allowed_;  // 1 per class
  std::vector<int> allowed_list_;            // allowed class ids, ascending
  bool all_classes_ = true;
  std::size_t max_candidates_ = 0;
  // Per-cell best class score in the tensor's own element type (float storage
  // reinterpreted for int8/uint8 tensors).
  std::vector<float> cell_max_;
  bool configured_ = false;
  bool simd_enabled_ = true;
};

// Naive reference decoder (dequantize everything, decode every cell).
Status decode_ref(const YoloLayout& layout, const std::vector<TensorView>& outputs, const DecodeOptions& options,
                  std::vector<Candidate>* out);

// Reads any supported element as float (dequantized).
float read_dequantized(const TensorInfo& info, const void* data, std::size_t index);

}  // namespace rkyolo::core
