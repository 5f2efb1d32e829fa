// Fused letterbox + colour conversion + normalization/quantization, 1920x1080
// to 640x640, from BGR (image decoders) and NV12 (video decoders), against
// OpenCV's composed equivalent in the same run. OpenCV runs single-threaded
// (cv::setNumThreads(1)) like the fused kernel.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "core/letterbox.h"

namespace {

using rkyolo::DType;
using rkyolo::TensorLayout;
using rkyolo::core::Letterboxer;
using rkyolo::core::LetterboxTarget;

constexpr int kSrcW = 1920, kSrcH = 1080, kDst = 640;
constexpr int kStride = 656;  // NHWC int8 row pitch with padding (w_stride)

// 1920x1080 by default, or another size for the benchmarks of other sources.
cv::Mat camera_frame(int w = kSrcW, int h = kSrcH) {
  static std::map<std::pair<int, int>, cv::Mat> frames;
  cv::Mat& m = frames[{w, h}];
  if (!m.empty()) return m;
  m.create(h, w, CV_8UC3);
  std::mt19937 rng(42);
  // Smooth structure plus noise, like a real frame (not constant memory).
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      cv::Vec3b& p = m.at<cv::Vec3b>(y, x);
      p[0] = static_cast<uchar>((x / 7 + y / 3 + rng() % 16) & 255);
      p[1] = static_cast<uchar>((x / 3 + rng() % 16) & 255);
      p[2] = static_cast<uchar>((y / 2 + rng() % 16) & 255);
    }
  return m;
}

rkyolo::ImageView view_of(const cv::Mat& m) {
  return rkyolo::ImageView{m.data, m.cols, m.rows, m.step[0], rkyolo::PixelFormat::kBgr8};
}

LetterboxTarget nchw_f32() {
  LetterboxTarget t;
  t.width = t.height = kDst;
  t.layout = TensorLayout::kNCHW;
  t.dtype = DType::kFloat32;
  return t;
}

LetterboxTarget nhwc_i8() {
  LetterboxTarget t;
  t.width = t.height = kDst;
  t.layout = TensorLayout::kNHWC;
  t.dtype = DType::kInt8;
  t.row_stride_pixels = kStride;
  t.quant.quantized = true;
  t.quant.scale = 1.0f / 255.0f;
  t.quant.zero_point = -128;
  return t;
}

void BM_Letterbox_Fused_NCHW_F32(benchmark::State& state) {
  cv::setNumThreads(1);
  const cv::Mat src = camera_frame();
  Letterboxer lb;
  if (!lb.configure(nchw_f32()).ok()) state.SkipWithError("configure failed");
  std::vector<std::uint8_t> dst(lb.target().required_bytes());
  for (auto _ : state) {
    lb.run(view_of(src), dst.data()).ignore();
    benchmark::DoNotOptimize(dst.data());
  }
}
BENCHMARK(BM_Letterbox_Fused_NCHW_F32)->Unit(benchmark::kMicrosecond);

void BM_Letterbox_OpenCV_NCHW_F32(benchmark::State& state) {
  cv::setNumThreads(1);
  const cv::Mat src = camera_frame();
  cv::Mat resized, padded, blob;
  for (auto _ : state) {
    cv::resize(src, resized, cv::Size(640, 360), 0, 0, cv::INTER_LINEAR);
    cv::copyMakeBorder(resized, padded, 140, 140, 0, 0, cv::BORDER_CONSTANT, cv::Scalar(114, 114, 114));
    // blobFromImage = BGR->RGB swap + convertTo(float, 1/255) + HWC->CHW.
    cv::dnn::blobFromImage(padded, blob, 1.0 / 255.0, cv::Size(), cv::Scalar(), true, false, CV_32F);
    benchmark::DoNotOptimize(blob.data);
  }
}
BENCHMARK(BM_Letterbox_OpenCV_NCHW_F32)->Unit(benchmark::kMicrosecond);

void BM_Letterbox_Reference_NCHW_F32(benchmark::State& state) {
  const cv::Mat src = camera_frame();
  std::vector<std::uint8_t> dst(nchw_f32().required_bytes());
  for (auto _ : state) {
    rkyolo::core::letterbox_ref(view_of(src), nchw_f32(), dst.data());
    benchmark::DoNotOptimize(dst.data());
  }
}
BENCHMARK(BM_Letterbox_Reference_NCHW_F32)->Unit(benchmark::kMicrosecond);

void BM_Letterbox_Fused_NHWC_I8_Stride(benchmark::State& state) {
  const cv::Mat src = camera_frame();
  Letterboxer lb;
  if (!lb.configure(nhwc_i8()).ok()) state.SkipWithError("configure failed");
  std::vector<std::uint8_t> dst(lb.target().required_bytes());
  for (auto _ : state) {
    lb.run(view_of(src), dst.data()).ignore();
    benchmark::DoNotOptimize(dst.data());
  }
}
BENCHMARK(BM_Letterbox_Fused_NHWC_I8_Stride)->Unit(benchmark::kMicrosecond);

// The floor set by memory traffic: read every source row the letterbox
// reads (two per content row, whole width, as the vertical pass does) and
// write the whole strided destination, with no arithmetic beyond a vector
// OR reduction. No kernel can beat this on this machine; OpenCV's time over
// it is the most any letterbox can gain over OpenCV here.
void BM_Letterbox_MemoryFloor_NHWC_I8_Stride(benchmark::State& state) {
  const cv::Mat src = camera_frame();
  const rkyolo::core::LetterboxGeometry g = rkyolo::core::letterbox_geometry(kSrcW, kSrcH, kDst, kDst);
  std::vector<std::uint8_t> dst(nhwc_i8().required_bytes());
  const std::size_t row_bytes = static_cast<std::size_t>(kSrcW) * 3;
  for (auto _ : state) {
    std::uint64_t acc = 0;
    for (int y = 0; y < g.new_h; ++y) {
      const double sy = (y + 0.5) / g.gain - 0.5;
      const int r0 = std::clamp(static_cast<int>(sy), 0, kSrcH - 1), r1 = std::min(r0 + 1, kSrcH - 1);
      for (int r : {r0, r1}) {
        const auto* p = reinterpret_cast<const std::uint64_t*>(src.ptr(r));
        for (std::size_t i = 0; i < row_bytes / 8; ++i) acc |= p[i];
      }
    }
    std::memset(dst.data(), static_cast<int>(acc & 0x7F), dst.size());
    benchmark::DoNotOptimize(dst.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(2 * g.new_h * row_bytes + dst.size()));
}
BENCHMARK(BM_Letterbox_MemoryFloor_NHWC_I8_Stride)->Unit(benchmark::kMicrosecond);

// The same fused kernels without the explicit SIMD (the portable loops, as
// compiled for this machine's baseline ISA).
void BM_Letterbox_Portable_NHWC_I8_Stride(benchmark::State& state) {
  const cv::Mat src = camera_frame();
  Letterboxer lb;
  if (!lb.configure(nhwc_i8()).ok()) state.SkipWithError("configure failed");
  lb.set_simd_enabled(false);
  std::vector<std::uint8_t> dst(lb.target().required_bytes());
  for (auto _ : state) {
    lb.run(view_of(src), dst.data()).ignore();
    benchmark::DoNotOptimize(dst.data());
  }
}
BENCHMARK(BM_Letterbox_Portable_NHWC_I8_Stride)->Unit(benchmark::kMicrosecond);

void BM_Letterbox_OpenCV_NHWC_I8_Stride(benchmark::State& state) {
  cv::setNumThreads(1);
  const cv::Mat src = camera_frame();
  std::vector<std::uint8_t> dst(nhwc_i8().required_bytes());
  // The destination is the strided (w_stride) NPU buffer.
  cv::Mat out(kDst, kDst, CV_8SC3, dst.data(), static_cast<std::size_t>(kStride) * 3);
  cv::Mat resized, padded, rgb;
  for (auto _ : state) {
    cv::resize(src, resized, cv::Size(640, 360), 0, 0, cv::INTER_LINEAR);
    cv::copyMakeBorder(resized, padded, 140, 140, 0, 0, cv::BORDER_CONSTANT, cv::Scalar(114, 114, 114));
    cv::cvtColor(padded, rgb, cv::COLOR_BGR2RGB);
    rgb.convertTo(out, CV_8S, 1.0, -128.0);  // q = pixel - 128 (scale 1/255, zp -128)
    benchmark::DoNotOptimize(dst.data());
  }
}
BENCHMARK(BM_Letterbox_OpenCV_NHWC_I8_Stride)->Unit(benchmark::kMicrosecond);

// Other source sizes (range(0) x range(1)): the fused letterbox and
// OpenCV's composition with the same geometry.
void BM_Letterbox_Sizes_Fused(benchmark::State& state, LetterboxTarget (*target)()) {
  const cv::Mat src = camera_frame(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  Letterboxer lb;
  if (!lb.configure(target()).ok()) state.SkipWithError("configure failed");
  std::vector<std::uint8_t> dst(lb.target().required_bytes());
  for (auto _ : state) {
    lb.run(view_of(src), dst.data()).ignore();
    benchmark::DoNotOptimize(dst.data());
  }
}
BENCHMARK_CAPTURE(BM_Letterbox_Sizes_Fused, NHWC_I8_Stride, nhwc_i8)
    ->Args({1280, 720})
    ->Args({1366, 768})
    ->Args({810, 1080})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Letterbox_Sizes_Fused, NCHW_F32, nchw_f32)
    ->Args({1280, 720})
    ->Args({1366, 768})
    ->Args({810, 1080})
    ->Unit(benchmark::kMicrosecond);

void BM_Letterbox_Sizes_OpenCV_NHWC_I8_Stride(benchmark::State& state) {
  cv::setNumThreads(1);
  const cv::Mat src = camera_frame(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const rkyolo::core::LetterboxGeometry g = rkyolo::core::letterbox_geometry(src.cols, src.rows, kDst, kDst);
  std::vector<std::uint8_t> dst(nhwc_i8().required_bytes());
  cv::Mat out(kDst, kDst, CV_8SC3, dst.data(), static_cast<std::size_t>(kStride) * 3);
  cv::Mat resized, padded, rgb;
  for (auto _ : state) {
    cv::resize(src, resized, cv::Size(g.new_w, g.new_h), 0, 0, cv::INTER_LINEAR);
    cv::copyMakeBorder(resized, padded, g.pad_top, g.pad_bottom, g.pad_left, g.pad_right, cv::BORDER_CONSTANT,
                       cv::Scalar(114, 114, 114));
    cv::cvtColor(padded, rgb, cv::COLOR_BGR2RGB);
    rgb.convertTo(out, CV_8S, 1.0, -128.0);
    benchmark::DoNotOptimize(dst.data());
  }
}
BENCHMARK(BM_Letterbox_Sizes_OpenCV_NHWC_I8_Stride)
    ->Args({1280, 720})
    ->Args({1366, 768})
    ->Args({810, 1080})
    ->Unit(benchmark::kMicrosecond);

void BM_Letterbox_Sizes_OpenCV_NCHW_F32(benchmark::State& state) {
  cv::setNumThreads(1);
  const cv::Mat src = camera_frame(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const rkyolo::core::LetterboxGeometry g = rkyolo::core::letterbox_geometry(src.cols, src.rows, kDst, kDst);
  cv::Mat resized, padded, blob;
  for (auto _ : state) {
    cv::resize(src, resized, cv::Size(g.new_w, g.new_h), 0, 0, cv::INTER_LINEAR);
    cv::copyMakeBorder(resized, padded, g.pad_top, g.pad_bottom, g.pad_left, g.pad_right, cv::BORDER_CONSTANT,
                       cv::Scalar(114, 114, 114));
    cv::dnn::blobFromImage(padded, blob, 1.0 / 255.0, cv::Size(), cv::Scalar(), true, false, CV_32F);
    benchmark::DoNotOptimize(blob.data);
  }
}
BENCHMARK(BM_Letterbox_Sizes_OpenCV_NCHW_F32)
    ->Args({1280, 720})
    ->Args({1366, 768})
    ->Args({810, 1080})
    ->Unit(benchmark::kMicrosecond);

// NV12, as a hardware video decoder hands it over: the Y plane, then U,V
// interleaved at half size (one cv::Mat of 1.5 x height rows).
cv::Mat nv12_frame() {
  static cv::Mat frame = [] {
    cv::Mat m(kSrcH * 3 / 2, kSrcW, CV_8UC1);
    std::mt19937 rng(42);
    for (int y = 0; y < kSrcH; ++y)
      for (int x = 0; x < kSrcW; ++x) m.at<uchar>(y, x) = static_cast<uchar>(16 + (x / 7 + y / 3 + rng() % 16) % 220);
    for (int y = kSrcH; y < m.rows; ++y)
      for (int x = 0; x < kSrcW; ++x) m.at<uchar>(y, x) = static_cast<uchar>(96 + (x / 9 + y + rng() % 16) % 64);
    return m;
  }();
  return frame;
}

rkyolo::ImageView nv12_view(const cv::Mat& m) {
  rkyolo::ImageView v{m.data, m.cols, m.rows * 2 / 3, m.step[0], rkyolo::PixelFormat::kNv12};
  v.chroma[0] = m.ptr(v.height);
  v.chroma_stride[0] = m.step[0];
  return v;
}

void run_fused_nv12(benchmark::State& state, const LetterboxTarget& t, bool simd) {
  const cv::Mat src = nv12_frame();
  Letterboxer lb;
  if (!lb.configure(t).ok()) state.SkipWithError("configure failed");
  lb.set_simd_enabled(simd);
  std::vector<std::uint8_t> dst(lb.target().required_bytes());
  for (auto _ : state) {
    lb.run(nv12_view(src), dst.data()).ignore();
    benchmark::DoNotOptimize(dst.data());
  }
}

void BM_Nv12_Fused_NHWC_I8_Stride(benchmark::State& state) {
  run_fused_nv12(state, nhwc_i8(), true);
}
BENCHMARK(BM_Nv12_Fused_NHWC_I8_Stride)->Unit(benchmark::kMicrosecond);

void BM_Nv12_Portable_NHWC_I8_Stride(benchmark::State& state) {
  run_fused_nv12(state, nhwc_i8(), false);
}
BENCHMARK(BM_Nv12_Portable_NHWC_I8_Stride)->Unit(benchmark::kMicrosecond);

void BM_Nv12_Reference_NHWC_I8_Stride(benchmark::State& state) {
  const cv::Mat src = nv12_frame();
  std::vector<std::uint8_t> dst(nhwc_i8().required_bytes());
  for (auto _ : state) {
    rkyolo::core::letterbox_ref(nv12_view(src), nhwc_i8(), dst.data());
    benchmark::DoNotOptimize(dst.data());
  }
}
BENCHMARK(BM_Nv12_Reference_NHWC_I8_Stride)->Unit(benchmark::kMicrosecond);

// OpenCV's composition: cvtColor(NV12 -> RGB) on the whole frame, then
// resize, copyMakeBorder and convertTo into the strided NPU buffer.
void BM_Nv12_OpenCV_NHWC_I8_Stride(benchmark::State& state) {
  cv::setNumThreads(1);
  const cv::Mat src = nv12_frame();
  std::vector<std::uint8_t> dst(nhwc_i8().required_bytes());
  cv::Mat out(kDst, kDst, CV_8SC3, dst.data(), static_cast<std::size_t>(kStride) * 3);
  cv::Mat rgb, resized, padded;
  for (auto _ : state) {
    cv::cvtColor(src, rgb, cv::COLOR_YUV2RGB_NV12);
    cv::resize(rgb, resized, cv::Size(640, 360), 0, 0, cv::INTER_LINEAR);
    cv::copyMakeBorder(resized, padded, 140, 140, 0, 0, cv::BORDER_CONSTANT, cv::Scalar(114, 114, 114));
    padded.convertTo(out, CV_8S, 1.0, -128.0);
    benchmark::DoNotOptimize(dst.data());
  }
}
BENCHMARK(BM_Nv12_OpenCV_NHWC_I8_Stride)->Unit(benchmark::kMicrosecond);

void BM_Nv12_Fused_NCHW_F32(benchmark::State& state) {
  run_fused_nv12(state, nchw_f32(), true);
}
BENCHMARK(BM_Nv12_Fused_NCHW_F32)->Unit(benchmark::kMicrosecond);

void BM_Nv12_OpenCV_NCHW_F32(benchmark::State& state) {
  cv::setNumThreads(1);
  const cv::Mat src = nv12_frame();
  cv::Mat bgr, resized, padded, blob;
  for (auto _ : state) {
    cv::cvtColor(src, bgr, cv::COLOR_YUV2BGR_NV12);
    cv::resize(bgr, resized, cv::Size(640, 360), 0, 0, cv::INTER_LINEAR);
    cv::copyMakeBorder(resized, padded, 140, 140, 0, 0, cv::BORDER_CONSTANT, cv::Scalar(114, 114, 114));
    cv::dnn::blobFromImage(padded, blob, 1.0 / 255.0, cv::Size(), cv::Scalar(), true, false, CV_32F);
    benchmark::DoNotOptimize(blob.data);
  }
}
BENCHMARK(BM_Nv12_OpenCV_NCHW_F32)->Unit(benchmark::kMicrosecond);

}  // namespace
