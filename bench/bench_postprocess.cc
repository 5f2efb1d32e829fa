// Post-processing of a YOLOv8n-shaped int8 split-head output (80 classes,
// strides 8/16/32 at 640, box + classes + score_sum per stride, as the NPU
// returns it) for a typical scene of 12 objects: rkyolo's decoder (scores
// tested in the quantized domain, survivors decoded) + NMS, against the two
// baselines in the same run: Rockchip model-zoo's filter-first algorithm
// (postprocess_baseline.h, NCHW as rknn_outputs_get returns it), which a
// user would otherwise write, and a naive decoder that dequantizes every
// tensor first (decode_ref) + rkyolo's NMS.
#include <benchmark/benchmark.h>

#include <random>

#include "core/decode.h"
#include "core/nms.h"
#include "postprocess_baseline.h"
#include "postprocess_scene.h"
#include "support/yolo_synth.h"

namespace {

using namespace rkyolo;

void run_fast(benchmark::State& state, bool native, bool with_sum) {
  bench::PostprocessScene s = bench::make_postprocess_scene(native, with_sum);
  core::Decoder dec;
  if (!dec.configure(s.layout, s.infos).ok() || !dec.set_options(core::DecodeOptions{0.25f, {}}).ok()) {
    state.SkipWithError("configure failed");
    return;
  }
  std::vector<core::Candidate> cand;
  cand.reserve(dec.max_candidates());
  core::Nms nms;
  nms.reserve(dec.max_candidates());
  std::vector<int> keep;
  keep.reserve(300);
  for (auto _ : state) {
    dec.decode(s.views, &cand).ignore();
    nms.run(cand, core::NmsOptions{0.45f, false, 300, 30000}, &keep);
    benchmark::DoNotOptimize(keep.data());
  }
  state.counters["detections"] = static_cast<double>(keep.size());
}

void BM_Post_Yolov8nInt8_NCHW_ScoreSum(benchmark::State& st) {
  run_fast(st, false, true);
}
void BM_Post_Yolov8nInt8_NC1HWC2_ScoreSum(benchmark::State& st) {
  run_fast(st, true, true);
}
void BM_Post_Yolov8nInt8_NC1HWC2_NoScoreSum(benchmark::State& st) {
  run_fast(st, true, false);
}
BENCHMARK(BM_Post_Yolov8nInt8_NCHW_ScoreSum)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Post_Yolov8nInt8_NC1HWC2_ScoreSum)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Post_Yolov8nInt8_NC1HWC2_NoScoreSum)->Unit(benchmark::kMicrosecond);

void BM_Post_Yolov8nInt8_FilterFirst_NCHW(benchmark::State& state) {
  bench::PostprocessScene s = bench::make_postprocess_scene(false, true);
  bench::FilterFirstPostprocess pp;
  std::vector<bench::BaselineDetection> out;
  out.reserve(300);
  for (auto _ : state) {
    pp.run(s.layout, s.views, 0.25f, 0.45f, 300, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["detections"] = static_cast<double>(out.size());
}
BENCHMARK(BM_Post_Yolov8nInt8_FilterFirst_NCHW)->Unit(benchmark::kMicrosecond);

void BM_Post_Yolov8nInt8_NaiveDequantizeAll(benchmark::State& state) {
  bench::PostprocessScene s = bench::make_postprocess_scene(true, true);
  core::Nms nms;
  std::vector<core::Candidate> cand;
  std::vector<int> keep;
  for (auto _ : state) {
    core::decode_ref(s.layout, s.views, core::DecodeOptions{0.25f, {}}, &cand).ignore();
    nms.run(cand, core::NmsOptions{0.45f, false, 300, 30000}, &keep);
    benchmark::DoNotOptimize(keep.data());
  }
  state.counters["detections"] = static_cast<double>(keep.size());
}
BENCHMARK(BM_Post_Yolov8nInt8_NaiveDequantizeAll)->Unit(benchmark::kMicrosecond);

}  // namespace
