// Runs one kernel N times on the benchmarks' inputs, for instruction
// counting: bench/count_instructions.sh runs it under callgrind (x86-64) or
// qemu-aarch64 with an instruction-counting plugin, for two values of N, and
// reports the difference per call (set-up and first-frame caches cancel).
// Standard library only (OpenCV's composition is added when built with it),
// so it cross-compiles for aarch64.
//   count_kernels list
//   count_kernels KERNEL N
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/decode.h"
#include "core/letterbox.h"
#include "core/nms.h"
#include "postprocess_baseline.h"
#include "postprocess_scene.h"
#include "support/yolo_synth.h"

#if defined(RKYOLO_COUNT_OPENCV)
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#endif

namespace {

using namespace rkyolo;

constexpr int kSrcW = 1920, kSrcH = 1080, kDst = 640, kStride = 656;

// The benchmarks' camera frame, 1920x1080 or another size: smooth structure
// plus noise.
const std::vector<std::uint8_t>& camera_frame(int w = kSrcW, int h = kSrcH) {
  static std::map<std::pair<int, int>, std::vector<std::uint8_t>> frames;
  std::vector<std::uint8_t>& m = frames[{w, h}];
  if (!m.empty()) return m;
  m.resize(static_cast<std::size_t>(w) * h * 3);
  std::mt19937 rng(42);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = &m[(static_cast<std::size_t>(y) * w + x) * 3];
      p[0] = static_cast<std::uint8_t>((x / 7 + y / 3 + rng() % 16) & 255);
      p[1] = static_cast<std::uint8_t>((x / 3 + rng() % 16) & 255);
      p[2] = static_cast<std::uint8_t>((y / 2 + rng() % 16) & 255);
    }
  return m;
}

ImageView frame_view(int w = kSrcW, int h = kSrcH) {
  return ImageView{camera_frame(w, h).data(), w, h, static_cast<std::size_t>(w) * 3, PixelFormat::kBgr8};
}

core::LetterboxTarget nchw_f32() {
  core::LetterboxTarget t;
  t.width = t.height = kDst;
  t.layout = TensorLayout::kNCHW;
  t.dtype = DType::kFloat32;
  return t;
}

core::LetterboxTarget nhwc_i8() {
  core::LetterboxTarget t;
  t.width = t.height = kDst;
  t.layout = TensorLayout::kNHWC;
  t.dtype = DType::kInt8;
  t.row_stride_pixels = kStride;
  t.quant.quantized = true;
  t.quant.scale = 1.0f / 255.0f;
  t.quant.zero_point = -128;
  return t;
}

// The same kind of frame as NV12 (what a hardware decoder hands over): Y,
// then interleaved U,V at half size, BT.601 limited range.
struct Nv12Frame {
  std::vector<std::uint8_t> y, uv;
};

const Nv12Frame& nv12_frame() {
  static const Nv12Frame frame = [] {
    Nv12Frame f;
    f.y.resize(static_cast<std::size_t>(kSrcW) * kSrcH);
    f.uv.resize(static_cast<std::size_t>(kSrcW) * kSrcH / 2);
    std::mt19937 rng(42);
    for (int y = 0; y < kSrcH; ++y)
      for (int x = 0; x < kSrcW; ++x)
        f.y[static_cast<std::size_t>(y) * kSrcW + x] =
            static_cast<std::uint8_t>(16 + (x / 7 + y / 3 + rng() % 16) % 220);
    for (std::size_t i = 0; i < f.uv.size(); ++i) f.uv[i] = static_cast<std::uint8_t>(96 + (i / 9 + rng() % 16) % 64);
    return f;
  }();
  return frame;
}

ImageView nv12_view() {
  ImageView v{nv12_frame().y.data(), kSrcW, kSrcH, static_cast<std::size_t>(kSrcW), PixelFormat::kNv12};
  v.chroma[0] = nv12_frame().uv.data();
  v.chroma_stride[0] = static_cast<std::size_t>(kSrcW);
  return v;
}

volatile std::size_t g_sink;

std::function<void()> letterbox_kernel(const core::LetterboxTarget& t, bool simd, const ImageView& src) {
  auto lb = std::make_shared<core::Letterboxer>();
  if (!lb->configure(t).ok()) std::abort();
  lb->set_simd_enabled(simd);
  auto dst = std::make_shared<std::vector<std::uint8_t>>(t.required_bytes());
  return [lb, dst, src] {
    if (!lb->run(src, dst->data()).ok()) std::abort();
    g_sink = (*dst)[dst->size() / 2];
  };
}

std::function<void()> letterbox_reference(const core::LetterboxTarget& t, const ImageView& src) {
  auto dst = std::make_shared<std::vector<std::uint8_t>>(t.required_bytes());
  return [t, dst, src] {
    core::letterbox_ref(src, t, dst->data());
    g_sink = (*dst)[dst->size() / 2];
  };
}

std::function<void()> rkyolo_post(bool native) {
  auto s = std::make_shared<bench::PostprocessScene>(bench::make_postprocess_scene(native, true));
  auto dec = std::make_shared<core::Decoder>();
  if (!dec->configure(s->layout, s->infos).ok() || !dec->set_options(core::DecodeOptions{0.25f, {}}).ok()) std::abort();
  auto cand = std::make_shared<std::vector<core::Candidate>>();
  cand->reserve(dec->max_candidates());
  auto nms = std::make_shared<core::Nms>();
  nms->reserve(dec->max_candidates());
  auto keep = std::make_shared<std::vector<int>>();
  keep->reserve(300);
  return [=] {
    if (!dec->decode(s->views, cand.get()).ok()) std::abort();
    nms->run(*cand, core::NmsOptions{0.45f, false, 300, 30000}, keep.get());
    g_sink = keep->size();
  };
}

std::function<void()> filter_first_post() {
  auto s = std::make_shared<bench::PostprocessScene>(bench::make_postprocess_scene(false, true));
  auto pp = std::make_shared<bench::FilterFirstPostprocess>();
  auto out = std::make_shared<std::vector<bench::BaselineDetection>>();
  return [=] {
    pp->run(s->layout, s->views, 0.25f, 0.45f, 300, out.get());
    g_sink = out->size();
  };
}

std::function<void()> naive_post() {
  auto s = std::make_shared<bench::PostprocessScene>(bench::make_postprocess_scene(true, true));
  auto nms = std::make_shared<core::Nms>();
  auto cand = std::make_shared<std::vector<core::Candidate>>();
  auto keep = std::make_shared<std::vector<int>>();
  return [=] {
    if (!core::decode_ref(s->layout, s->views, core::DecodeOptions{0.25f, {}}, cand.get()).ok()) std::abort();
    nms->run(*cand, core::NmsOptions{0.45f, false, 300, 30000}, keep.get());
    g_sink = keep->size();
  };
}

#if defined(RKYOLO_COUNT_OPENCV)
std::function<void()> opencv_nchw_f32(int w = kSrcW, int h = kSrcH) {
  cv::setNumThreads(1);
  auto src = std::make_shared<cv::Mat>(h, w, CV_8UC3, const_cast<std::uint8_t*>(camera_frame(w, h).data()));
  auto m = std::make_shared<std::vector<cv::Mat>>(3);
  const core::LetterboxGeometry g = core::letterbox_geometry(w, h, kDst, kDst);
  return [=] {
    cv::Mat& resized = (*m)[0];
    cv::Mat& padded = (*m)[1];
    cv::Mat& blob = (*m)[2];
    cv::resize(*src, resized, cv::Size(g.new_w, g.new_h), 0, 0, cv::INTER_LINEAR);
    cv::copyMakeBorder(resized, padded, g.pad_top, g.pad_bottom, g.pad_left, g.pad_right, cv::BORDER_CONSTANT,
                       cv::Scalar(114, 114, 114));
    cv::dnn::blobFromImage(padded, blob, 1.0 / 255.0, cv::Size(), cv::Scalar(), true, false, CV_32F);
    g_sink = blob.total();
  };
}

std::function<void()> opencv_nhwc_i8(int w = kSrcW, int h = kSrcH) {
  cv::setNumThreads(1);
  auto src = std::make_shared<cv::Mat>(h, w, CV_8UC3, const_cast<std::uint8_t*>(camera_frame(w, h).data()));
  auto dst = std::make_shared<std::vector<std::uint8_t>>(nhwc_i8().required_bytes());
  auto m = std::make_shared<std::vector<cv::Mat>>(3);
  const core::LetterboxGeometry g = core::letterbox_geometry(w, h, kDst, kDst);
  return [=] {
    cv::Mat out(kDst, kDst, CV_8SC3, dst->data(), static_cast<std::size_t>(kStride) * 3);
    cv::resize(*src, (*m)[0], cv::Size(g.new_w, g.new_h), 0, 0, cv::INTER_LINEAR);
    cv::copyMakeBorder((*m)[0], (*m)[1], g.pad_top, g.pad_bottom, g.pad_left, g.pad_right, cv::BORDER_CONSTANT,
                       cv::Scalar(114, 114, 114));
    cv::cvtColor((*m)[1], (*m)[2], cv::COLOR_BGR2RGB);
    (*m)[2].convertTo(out, CV_8S, 1.0, -128.0);
    g_sink = (*dst)[1000];
  };
}
// OpenCV's composition for a decoded NV12 frame: convert, then resize, pad
// and quantize.
std::function<void()> opencv_nv12_nhwc_i8() {
  cv::setNumThreads(1);
  const Nv12Frame& f = nv12_frame();
  auto nv12 = std::make_shared<cv::Mat>(kSrcH * 3 / 2, kSrcW, CV_8UC1);
  std::copy(f.y.begin(), f.y.end(), nv12->data);
  std::copy(f.uv.begin(), f.uv.end(), nv12->data + f.y.size());
  auto dst = std::make_shared<std::vector<std::uint8_t>>(nhwc_i8().required_bytes());
  auto m = std::make_shared<std::vector<cv::Mat>>(3);
  return [=] {
    cv::Mat out(kDst, kDst, CV_8SC3, dst->data(), static_cast<std::size_t>(kStride) * 3);
    cv::cvtColor(*nv12, (*m)[0], cv::COLOR_YUV2RGB_NV12);
    cv::resize((*m)[0], (*m)[1], cv::Size(640, 360), 0, 0, cv::INTER_LINEAR);
    cv::copyMakeBorder((*m)[1], (*m)[2], 140, 140, 0, 0, cv::BORDER_CONSTANT, cv::Scalar(114, 114, 114));
    (*m)[2].convertTo(out, CV_8S, 1.0, -128.0);
    g_sink = (*dst)[1000];
  };
}
#endif

struct Kernel {
  const char* name;
  std::function<std::function<void()>()> make;
};

const std::vector<Kernel>& kernels() {
  static const std::vector<Kernel> list = {
    {"letterbox_nhwc_i8", [] { return letterbox_kernel(nhwc_i8(), true, frame_view()); }},
    {"letterbox_nhwc_i8_portable", [] { return letterbox_kernel(nhwc_i8(), false, frame_view()); }},
    {"letterbox_nchw_f32", [] { return letterbox_kernel(nchw_f32(), true, frame_view()); }},
    {"letterbox_nchw_f32_portable", [] { return letterbox_kernel(nchw_f32(), false, frame_view()); }},
    {"letterbox_nv12_nhwc_i8", [] { return letterbox_kernel(nhwc_i8(), true, nv12_view()); }},
    {"letterbox_nv12_nhwc_i8_portable", [] { return letterbox_kernel(nhwc_i8(), false, nv12_view()); }},
    {"letterbox_nv12_nhwc_i8_reference", [] { return letterbox_reference(nhwc_i8(), nv12_view()); }},
    {"letterbox_nv12_nchw_f32", [] { return letterbox_kernel(nchw_f32(), true, nv12_view()); }},
    {"letterbox_nv12_nchw_f32_portable", [] { return letterbox_kernel(nchw_f32(), false, nv12_view()); }},
    // Other source sizes: a 720p camera (2:1, every tap blended), a laptop screen (1366x768) and a
    // portrait photo (810x1080, bus.jpg).
    {"letterbox_nhwc_i8_1280x720", [] { return letterbox_kernel(nhwc_i8(), true, frame_view(1280, 720)); }},
    {"letterbox_nhwc_i8_1366x768", [] { return letterbox_kernel(nhwc_i8(), true, frame_view(1366, 768)); }},
    {"letterbox_nhwc_i8_portable_1280x720", [] { return letterbox_kernel(nhwc_i8(), false, frame_view(1280, 720)); }},
    {"letterbox_nhwc_i8_portable_1366x768", [] { return letterbox_kernel(nhwc_i8(), false, frame_view(1366, 768)); }},
    {"letterbox_nchw_f32_1280x720", [] { return letterbox_kernel(nchw_f32(), true, frame_view(1280, 720)); }},
    {"letterbox_nchw_f32_1366x768", [] { return letterbox_kernel(nchw_f32(), true, frame_view(1366, 768)); }},
    {"letterbox_nchw_f32_portable_1280x720", [] { return letterbox_kernel(nchw_f32(), false, frame_view(1280, 720)); }},
    {"letterbox_nchw_f32_portable_1366x768", [] { return letterbox_kernel(nchw_f32(), false, frame_view(1366, 768)); }},
    {"letterbox_nhwc_i8_810x1080", [] { return letterbox_kernel(nhwc_i8(), true, frame_view(810, 1080)); }},
    {"letterbox_nhwc_i8_portable_810x1080", [] { return letterbox_kernel(nhwc_i8(), false, frame_view(810, 1080)); }},
    {"letterbox_nchw_f32_810x1080", [] { return letterbox_kernel(nchw_f32(), true, frame_view(810, 1080)); }},
    {"letterbox_nchw_f32_portable_810x1080", [] { return letterbox_kernel(nchw_f32(), false, frame_view(810, 1080)); }},
    {"post_rkyolo_nc1hwc2", [] { return rkyolo_post(true); }},
    {"post_rkyolo_nchw", [] { return rkyolo_post(false); }},
    {"post_filter_first_nchw", [] { return filter_first_post(); }},
    {"post_naive", [] { return naive_post(); }},
#if defined(RKYOLO_COUNT_OPENCV)
    {"opencv_nhwc_i8", [] { return opencv_nhwc_i8(); }},
    {"opencv_nchw_f32", [] { return opencv_nchw_f32(); }},
    {"opencv_nv12_nhwc_i8", [] { return opencv_nv12_nhwc_i8(); }},
    {"opencv_nhwc_i8_1280x720", [] { return opencv_nhwc_i8(1280, 720); }},
    {"opencv_nhwc_i8_1366x768", [] { return opencv_nhwc_i8(1366, 768); }},
    {"opencv_nchw_f32_1280x720", [] { return opencv_nchw_f32(1280, 720); }},
    {"opencv_nchw_f32_1366x768", [] { return opencv_nchw_f32(1366, 768); }},
    {"opencv_nhwc_i8_810x1080", [] { return opencv_nhwc_i8(810, 1080); }},
    {"opencv_nchw_f32_810x1080", [] { return opencv_nchw_f32(810, 1080); }},
#endif
  };
  return list;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "list") == 0) {
    for (const Kernel& k : kernels()) std::printf("%s\n", k.name);
    return 0;
  }
  if (argc != 3) {
    std::fprintf(stderr, "usage: count_kernels list | count_kernels KERNEL N\n");
    return 2;
  }
  for (const Kernel& k : kernels()) {
    if (std::strcmp(argv[1], k.name) != 0) continue;
    const std::function<void()> run = k.make();
    const int n = std::atoi(argv[2]);
    for (int i = 0; i < n; ++i) run();
    std::printf("%s x%d done (%zu)\n", k.name, n, static_cast<std::size_t>(g_sink));
    return 0;
  }
  std::fprintf(stderr, "count_kernels: unknown kernel '%s'\n", argv[1]);
  return 2;
}
