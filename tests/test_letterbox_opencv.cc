// The YUV letterbox against OpenCV, an independent implementation: real
// photos turned into BT.601 limited-range YUV 4:2:0 by cv::cvtColor, then
// (a) at their own size, compared with cv::cvtColor(COLOR_YUV2BGR_NV12 /
// _I420), and (b) letterboxed 1920x1080 -> 640x640, compared with OpenCV's
// composition cvtColor + resize + copyMakeBorder (convert first, then
// resize: the other sampling order, see src/core/letterbox_yuv.h). BGR/RGB
// sources must equal cv::resize + copyMakeBorder exactly (the end).
#include <gtest/gtest.h>

#include <cmath>
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

// BGR/RGB sources: the scalar reference and the optimized letterbox (SIMD
// and portable) are OpenCV's own arithmetic: cv::resize INTER_LINEAR +
// copyMakeBorder with the same geometry, to 0 grey levels, for BGR and RGB
// sources into NHWC uint8, NHWC int8 (q = p - 128) and NCHW float32 (p / 255)
// tensors. Random images of odd sizes (down- and up-scaling, exact 1/2
// (1280x720 among them), 1/3 and 1/5, 1:1, one axis kept, one axis exact)
// and real photos.
constexpr int kMaxGreyLevelsVsResize = 0;

// The letterboxed image OpenCV's way, BGR.
cv::Mat opencv_letterbox(const cv::Mat& bgr, int dst_w, int dst_h) {
  const core::LetterboxGeometry g = core::letterbox_geometry(bgr.cols, bgr.rows, dst_w, dst_h);
  cv::Mat resized, boxed;
  if (g.new_w == bgr.cols && g.new_h == bgr.rows)
    resized = bgr;
  else
    cv::resize(bgr, resized, cv::Size(g.new_w, g.new_h), 0, 0, cv::INTER_LINEAR);
  cv::copyMakeBorder(resized, boxed, g.pad_top, g.pad_bottom, g.pad_left, g.pad_right, cv::BORDER_CONSTANT,
                     cv::Scalar(114, 114, 114));
  return boxed;
}

// Largest difference, in grey levels, between `tensor` and OpenCV's
// letterboxed BGR image `boxed` written the target's way (RGB tensor).
int max_grey_levels(const std::vector<std::uint8_t>& tensor, const core::LetterboxTarget& t, const cv::Mat& boxed) {
  int worst = 0;
  for (int y = 0; y < t.height; ++y)
    for (int x = 0; x < t.width; ++x)
      for (int c = 0; c < 3; ++c) {
        const int expect = boxed.at<cv::Vec3b>(y, x)[2 - c];
        int got = 0;
        if (t.layout == TensorLayout::kNHWC) {
          const std::size_t i = (static_cast<std::size_t>(y) * t.pitch() + x) * 3 + c;
          got = t.dtype == DType::kInt8 ? static_cast<std::int8_t>(tensor[i]) + 128 : tensor[i];
        } else {
          float f;
          std::memcpy(&f, &tensor[((static_cast<std::size_t>(c) * t.height + y) * t.width + x) * 4], 4);
          got = static_cast<int>(std::lround(f * 255.0f));
          if (f != static_cast<float>(expect) / 255.0f) got = expect + 256;  // not the exact float: flag it
        }
        worst = std::max(worst, std::abs(got - expect));
      }
  return worst;
}

void expect_equals_resize(const cv::Mat& bgr, int dst_w, int dst_h, const std::string& what) {
  const cv::Mat boxed = opencv_letterbox(bgr, dst_w, dst_h);
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  for (TensorLayout layout : {TensorLayout::kNHWC, TensorLayout::kNCHW})
    for (DType dtype : {DType::kUint8, DType::kInt8, DType::kFloat32}) {
      if ((layout == TensorLayout::kNCHW) != (dtype == DType::kFloat32)) continue;
      core::LetterboxTarget t;
      t.width = dst_w;
      t.height = dst_h;
      t.layout = layout;
      t.dtype = dtype;
      t.color = PixelFormat::kRgb8;
      t.row_stride_pixels = layout == TensorLayout::kNHWC ? dst_w + 7 : 0;
      t.quant.quantized = dtype == DType::kInt8;
      t.quant.scale = 1.0f / 255.0f;
      t.quant.zero_point = -128;
      for (const cv::Mat* m : std::initializer_list<const cv::Mat*>{&bgr, &rgb}) {
        const PixelFormat fmt = m == &bgr ? PixelFormat::kBgr8 : PixelFormat::kRgb8;
        const ImageView v{m->data, m->cols, m->rows, m->step[0], fmt};
        const std::string name = what + " " + (fmt == PixelFormat::kBgr8 ? "BGR" : "RGB") + " -> " +
                                 (layout == TensorLayout::kNHWC ? "NHWC " : "NCHW ") + dtype_name(dtype);
        for (bool simd : {true, false}) {
          std::vector<std::uint8_t> ours(t.required_bytes());
          core::Letterboxer lb;
          ASSERT_TRUE(lb.configure(t).ok());
          lb.set_simd_enabled(simd);
          ASSERT_TRUE(lb.run(v, ours.data()).ok());
          EXPECT_LE(max_grey_levels(ours, t, boxed), kMaxGreyLevelsVsResize) << name << (simd ? " [simd]" : "");
        }
        if (layout == TensorLayout::kNHWC && dtype == DType::kUint8) {  // the reference, once per source
          std::vector<std::uint8_t> ref(t.required_bytes());
          core::letterbox_ref(v, t, ref.data());
          EXPECT_LE(max_grey_levels(ref, t, boxed), kMaxGreyLevelsVsResize) << name << " [reference]";
        }
      }
    }
}

TEST(LetterboxOpenCV, BgrAndRgbEqualResizeExactly) {
  cv::RNG rng(10);
  struct Case {
    int src_w, src_h, dst_w, dst_h;
  };
  const Case cases[] = {{1920, 1080, 640, 640},
                        {1280, 720, 640, 640},
                        {810, 1080, 640, 640},
                        {640, 480, 640, 640},
                        {333, 257, 640, 640},
                        {17, 9, 64, 64},
                        {101, 77, 96, 128},
                        {1001, 999, 320, 320},
                        {64, 48, 1280, 1280},
                        {640, 640, 320, 320},
                        {641, 359, 512, 384},
                        {3, 5, 32, 32},
                        {37, 29, 19, 19},
                        {963, 541, 321, 321},
                        {2, 2, 7, 7},
                        {1366, 768, 416, 416},
                        // Every tap of weight (2^11, 0) (pick rows): 1:1, 3:1 and 5:1 at widths around the
                        // 16-byte blocks, then one axis exact only.
                        {641, 359, 641, 641},
                        {33, 17, 33, 33},
                        {51, 27, 17, 17},
                        {99, 51, 33, 33},
                        {1923, 963, 641, 641},
                        {645, 325, 129, 129},
                        {1920, 1000, 640, 640},
                        {1000, 1920, 640, 640},
                        // Every tap of weight (2^10, 2^10) (average rows): 2:1 at widths around the 8-pixel
                        // blocks, odd sizes near 2:1 (not exact: 1282 / 640), then one axis exact only.
                        {18, 10, 9, 9},
                        {34, 20, 17, 17},
                        {46, 24, 23, 23},
                        {1282, 642, 641, 641},
                        {1282, 722, 640, 640},
                        {1280, 719, 640, 640},
                        {1281, 720, 640, 640}};
  for (const Case& k : cases) {
    cv::Mat img(k.src_h, k.src_w, CV_8UC3);
    rng.fill(img, cv::RNG::UNIFORM, 0, 256);
    cv::GaussianBlur(img, img, cv::Size(3, 3), 0);  // some smooth areas too, not only noise
    expect_equals_resize(img, k.dst_w, k.dst_h,
                         std::to_string(k.src_w) + "x" + std::to_string(k.src_h) + " -> " + std::to_string(k.dst_w) +
                             "x" + std::to_string(k.dst_h));
  }
}

TEST(LetterboxOpenCV, RealPhotosEqualResizeExactly) {
  RKYOLO_REQUIRE_SHARED();
  for (const char* name : {"bus.jpg", "zidane.jpg"}) {
    const cv::Mat img = cv::imread(test::shared_dir() + "/images/" + name, cv::IMREAD_COLOR);
    ASSERT_FALSE(img.empty()) << name;
    for (int size : {640, 320, 1280}) expect_equals_resize(img, size, size, name + (" -> " + std::to_string(size)));
  }
}

}  // namespace
}  // namespace rkyolo
