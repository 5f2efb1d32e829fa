// The YUV letterbox against OpenCV, an independent implementation: real
// photos turned into BT.601 limited-range YUV 4:2:0 by cv::cvtColor, then
// (a) at their own size, compared with cv::cvtColor(COLOR_YUV2BGR_NV12 /
// _I420), and (b) letterboxed 1920x1080 -> 640x640, compared with OpenCV's
// composition cvtColor + resize + copyMakeBorder (convert first, then
// resize: the other sampling order, see src/core/letterbox_yuv.h).
#include <gtest/gtest.h>

#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/letterbox.h"
#include "support/test_env.h"

namespace rkyolo {
namespace {

// Where the chroma is flat, only the coefficients (OpenCV's 20-bit vs our
// 13-bit fixed point) and rounding differ.
constexpr int kMaxConversionErrorVsOpenCv = 1;
// On photos at the same size, OpenCV replicates each chroma sample over 2x2
// pixels where we interpolate it: sharp colour edges differ by tens of
// levels (measured 36 on bus.jpg), the mean stays below one (0.86).
constexpr int kMaxErrorSameSize = 40;
constexpr double kMaxMeanErrorSameSize = 1.0;
// Letterboxed 1080p -> 640, the sampling orders differ too (see
// letterbox_yuv.h); measured max 27, mean 0.27 on bus.jpg.
constexpr int kMaxErrorVsOpenCv = 32;
constexpr double kMaxMeanErrorVsOpenCv = 0.5;

struct Yuv {
  cv::Mat i420;                  // (h * 3 / 2) x w, Y then U then V
  std::vector<std::uint8_t> uv;  // NV12's interleaved plane
};

Yuv to_yuv(const cv::Mat& bgr) {
  Yuv y;
  cv::cvtColor(bgr, y.i420, cv::COLOR_BGR2YUV_I420);
  const int w = bgr.cols, h = bgr.rows;
  const std::uint8_t* u = y.i420.data + static_cast<std::size_t>(w) * h;
  const std::uint8_t* v = u + static_cast<std::size_t>(w / 2) * (h / 2);
  y.uv.resize(static_cast<std::size_t>(w) * h / 2);
  for (std::size_t i = 0; i < y.uv.size() / 2; ++i) y.uv[2 * i] = u[i], y.uv[2 * i + 1] = v[i];
  return y;
}

ImageView view_of(const Yuv& y, int w, int h, PixelFormat format) {
  ImageView v{y.i420.data, w, h, static_cast<std::size_t>(w), format};
  if (format == PixelFormat::kNv12) {
    v.chroma[0] = y.uv.data();
    v.chroma_stride[0] = static_cast<std::size_t>(w);
  } else {
    v.chroma[0] = y.i420.data + static_cast<std::size_t>(w) * h;
    v.chroma[1] = v.chroma[0] + static_cast<std::size_t>(w / 2) * (h / 2);
    v.chroma_stride[0] = v.chroma_stride[1] = static_cast<std::size_t>(w / 2);
  }
  return v;
}

// Max and mean absolute difference of two equally sized byte images.
struct Diff {
  int max = 0;
  double mean = 0;
};
Diff diff(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) {
  Diff d;
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const int e = std::abs(int(a[i]) - int(b[i]));
    d.max = std::max(d.max, e);
    sum += e;
  }
  d.mean = sum / static_cast<double>(n);
  return d;
}

cv::Mat photo(const char* name, int w, int h) {
  const cv::Mat img = cv::imread(test::shared_dir() + "/images/" + name, cv::IMREAD_COLOR);
  cv::Mat out;
  if (!img.empty()) cv::resize(img, out, cv::Size(w, h), 0, 0, cv::INTER_AREA);
  return out;
}

// Random luma, chroma constant over blocks of 4x4 samples, in
// BT.601 limited range (what cvtColor's YUV2BGR_NV12/I420 implement):
// pixels at least 2 away from a block edge must agree within rounding.
TEST(LetterboxYuvOpenCV, ConversionMatchesCvtColorWhereChromaIsFlat) {
  const int w = 256, h = 128;
  cv::Mat i420(h * 3 / 2, w, CV_8UC1);
  cv::RNG rng(17);
  // Y from 16 up: cvtColor clamps Y - 16 at 0 (footroom), where the ITU-R
  // formula, and rkyolo, go below black before the final clamp.
  rng.fill(i420.rowRange(0, h), cv::RNG::UNIFORM, 16, 256);
  std::uint8_t* u = i420.ptr(h);
  std::uint8_t* v = u + (w / 2) * (h / 2);
  for (int by = 0; by < h / 8; ++by)
    for (int bx = 0; bx < w / 8; ++bx) {
      const auto cu = static_cast<std::uint8_t>(rng.uniform(0, 256)),
                 cv_ = static_cast<std::uint8_t>(rng.uniform(0, 256));
      for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x) {
          u[(by * 4 + y) * (w / 2) + bx * 4 + x] = cu;
          v[(by * 4 + y) * (w / 2) + bx * 4 + x] = cv_;
        }
    }
  Yuv yuv;
  yuv.i420 = i420;
  yuv.uv.resize(static_cast<std::size_t>(w) * h / 2);
  for (std::size_t i = 0; i < yuv.uv.size() / 2; ++i) yuv.uv[2 * i] = u[i], yuv.uv[2 * i + 1] = v[i];
  cv::Mat expected;
  cv::cvtColor(i420, expected, cv::COLOR_YUV2BGR_I420);
  core::LetterboxTarget t;
  t.width = w;
  t.height = h;
  t.layout = TensorLayout::kNHWC;
  t.dtype = DType::kUint8;
  t.color = PixelFormat::kBgr8;
  for (PixelFormat format : {PixelFormat::kNv12, PixelFormat::kYuv420p}) {
    std::vector<std::uint8_t> ours(t.required_bytes());
    core::letterbox_ref(view_of(yuv, w, h, format), t, ours.data());
    int worst = 0;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        if (y % 8 < 2 || y % 8 > 5 || x % 8 < 2 || x % 8 > 5) continue;  // near a chroma block edge
        for (int c = 0; c < 3; ++c) {
          const std::size_t i = (static_cast<std::size_t>(y) * w + x) * 3 + c;
          worst = std::max(worst, std::abs(int(ours[i]) - int(expected.data[i])));
        }
      }
    EXPECT_LE(worst, kMaxConversionErrorVsOpenCv) << format;
  }
}

TEST(LetterboxYuvOpenCV, SameSizeMatchesCvtColor) {
  RKYOLO_REQUIRE_SHARED();
  for (const char* name : {"bus.jpg", "zidane.jpg"}) {
    const cv::Mat bgr = photo(name, 640, 480);
    ASSERT_FALSE(bgr.empty()) << name;
    const Yuv yuv = to_yuv(bgr);
    core::LetterboxTarget t;
    t.width = 640;
    t.height = 480;
    t.layout = TensorLayout::kNHWC;
    t.dtype = DType::kUint8;
    t.color = PixelFormat::kBgr8;
    for (PixelFormat format : {PixelFormat::kNv12, PixelFormat::kYuv420p}) {
      cv::Mat expected;
      if (format == PixelFormat::kNv12) {
        cv::Mat nv12(480 * 3 / 2, 640, CV_8UC1);
        std::memcpy(nv12.data, yuv.i420.data, 640 * 480);
        std::memcpy(nv12.data + 640 * 480, yuv.uv.data(), yuv.uv.size());
        cv::cvtColor(nv12, expected, cv::COLOR_YUV2BGR_NV12);
      } else {
        cv::cvtColor(yuv.i420, expected, cv::COLOR_YUV2BGR_I420);
      }
      std::vector<std::uint8_t> ours(t.required_bytes());
      core::letterbox_ref(view_of(yuv, 640, 480, format), t, ours.data());
      const Diff d = diff(ours.data(), expected.data, ours.size());
      EXPECT_LE(d.max, kMaxErrorSameSize) << name << ' ' << format;
      EXPECT_LE(d.mean, kMaxMeanErrorSameSize) << name << ' ' << format;
      std::printf("%s %s same size: max %d mean %.3f\n", name, format == PixelFormat::kNv12 ? "NV12" : "I420", d.max,
                  d.mean);
    }
  }
}

TEST(LetterboxYuvOpenCV, LetterboxMatchesOpenCvComposition) {
  RKYOLO_REQUIRE_SHARED();
  for (const char* name : {"bus.jpg", "zidane.jpg"}) {
    const cv::Mat bgr = photo(name, 1920, 1080);
    ASSERT_FALSE(bgr.empty()) << name;
    const Yuv yuv = to_yuv(bgr);
    cv::Mat nv12(1080 * 3 / 2, 1920, CV_8UC1), converted, resized, expected;
    std::memcpy(nv12.data, yuv.i420.data, 1920 * 1080);
    std::memcpy(nv12.data + 1920 * 1080, yuv.uv.data(), yuv.uv.size());
    cv::cvtColor(nv12, converted, cv::COLOR_YUV2BGR_NV12);
    cv::resize(converted, resized, cv::Size(640, 360), 0, 0, cv::INTER_LINEAR);
    cv::copyMakeBorder(resized, expected, 140, 140, 0, 0, cv::BORDER_CONSTANT, cv::Scalar(114, 114, 114));
    core::LetterboxTarget t;
    t.width = t.height = 640;
    t.layout = TensorLayout::kNHWC;
    t.dtype = DType::kUint8;
    t.color = PixelFormat::kBgr8;
    std::vector<std::uint8_t> ours(t.required_bytes());
    core::Letterboxer lb;
    ASSERT_TRUE(lb.configure(t).ok());
    ASSERT_TRUE(lb.run(view_of(yuv, 1920, 1080, PixelFormat::kNv12), ours.data()).ok());
    const Diff d = diff(ours.data(), expected.data, ours.size());
    EXPECT_LE(d.max, kMaxErrorVsOpenCv) << name;
    EXPECT_LE(d.mean, kMaxMeanErrorVsOpenCv) << name;
    std::printf("%s NV12 1080p -> 640 vs cvtColor + resize + copyMakeBorder: max %d mean %.3f\n", name, d.max, d.mean);
  }
}

}  // namespace
}  // namespace rkyolo
