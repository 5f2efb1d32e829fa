// Letterbox from planar YUV 4:2:0 (NV12, I420): the optimized paths (SIMD
// and portable) against the scalar reference byte for byte at sizes that hit
// every vector tail, odd crops and strides, both matrices and ranges; the
// reference's conversion against the ITU-R matrices evaluated in double
// precision; the views it rejects; and the per-size transform cache (several
// sizes alternating, no allocation once each is warm). OpenCV's cvtColor is
// compared in test_letterbox_opencv.cc, which has OpenCV.
#define RKYOLO_COUNTING_ALLOCATOR_COUNTER_ONLY
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>

#include "core/letterbox.h"
#include "core/letterbox_simd.h"
#include "support/counting_allocator.h"
#include "test_letterbox_support.h"

namespace rkyolo::core {
namespace {

// A YUV 4:2:0 frame in its own buffers, with padded strides and the view
// starting at an odd byte offset (a crop), so nothing relies on alignment.
struct YuvImage {
  std::vector<std::uint8_t> y, c0, c1;
  ImageView view;
};

YuvImage yuv_image(std::mt19937& rng, int w, int h, PixelFormat format, YuvMatrix matrix, bool full_range,
                   int extra_stride = 3) {
  YuvImage im;
  const int cw = w / 2, ch = h / 2;
  const std::size_t ys = static_cast<std::size_t>(w) + extra_stride;
  const bool nv12 = format == PixelFormat::kNv12;
  const std::size_t cs = static_cast<std::size_t>(nv12 ? w : cw) + extra_stride;
  im.y.resize(ys * h + 1);
  im.c0.resize(cs * ch + 1);
  im.c1.resize(nv12 ? 0 : cs * ch + 1);
  // Gradients plus noise; chroma spans 0..255 so saturated colours (the
  // clamps) occur.
  for (int r = 0; r < h; ++r)
    for (std::size_t x = 0; x < ys; ++x)
      im.y[1 + r * ys + x] = static_cast<std::uint8_t>((x * 5 + r * 3 + rng() % 48) & 255);
  for (int r = 0; r < ch; ++r)
    for (std::size_t x = 0; x < cs; ++x) {
      im.c0[1 + r * cs + x] = static_cast<std::uint8_t>((x * 9 + r * 2 + rng() % 64) & 255);
      if (!nv12) im.c1[1 + r * cs + x] = static_cast<std::uint8_t>((x * 3 + r * 7 + rng() % 64) & 255);
    }
  im.view = ImageView{im.y.data() + 1, w, h, ys, format};
  im.view.chroma[0] = im.c0.data() + 1;
  im.view.chroma_stride[0] = cs;
  if (!nv12) {
    im.view.chroma[1] = im.c1.data() + 1;
    im.view.chroma_stride[1] = cs;
  }
  im.view.matrix = matrix;
  im.view.full_range = full_range;
  return im;
}

// The same pixels as an NV12 image, re-laid out as I420.
YuvImage to_i420(const YuvImage& nv12) {
  const ImageView& v = nv12.view;
  const int cw = v.width / 2, ch = v.height / 2;
  YuvImage im;
  im.y.assign(v.data, v.data + v.stride_bytes * v.height);
  im.c0.resize(static_cast<std::size_t>(cw) * ch);
  im.c1.resize(static_cast<std::size_t>(cw) * ch);
  for (int r = 0; r < ch; ++r)
    for (int x = 0; x < cw; ++x) {
      im.c0[r * cw + x] = v.chroma[0][r * v.chroma_stride[0] + 2 * x];
      im.c1[r * cw + x] = v.chroma[0][r * v.chroma_stride[0] + 2 * x + 1];
    }
  im.view = v;
  im.view.format = PixelFormat::kYuv420p;
  im.view.data = im.y.data();
  im.view.chroma[0] = im.c0.data();
  im.view.chroma[1] = im.c1.data();
  im.view.chroma_stride[0] = im.view.chroma_stride[1] = static_cast<std::size_t>(cw);
  return im;
}

struct Combo {
  TensorLayout layout;
  DType dtype;
  int stride;
  bool lut;
  PixelFormat color;
};

const Combo kCombos[] = {
    {TensorLayout::kNCHW, DType::kFloat32, 0, false, PixelFormat::kRgb8},
    {TensorLayout::kNCHW, DType::kFloat32, 0, true, PixelFormat::kBgr8},
    {TensorLayout::kNCHW, DType::kUint8, 0, false, PixelFormat::kRgb8},
    {TensorLayout::kNCHW, DType::kInt8, 0, true, PixelFormat::kRgb8},
    {TensorLayout::kNHWC, DType::kUint8, 80, false, PixelFormat::kRgb8},
    {TensorLayout::kNHWC, DType::kUint8, 0, false, PixelFormat::kBgr8},
    {TensorLayout::kNHWC, DType::kInt8, 80, false, PixelFormat::kRgb8},
    {TensorLayout::kNHWC, DType::kInt8, 72, true, PixelFormat::kBgr8},
    {TensorLayout::kNHWC, DType::kFloat32, 0, true, PixelFormat::kRgb8},
};

// Strided combos pad each row by (stride - 64) pixels.
LetterboxTarget combo_target(const Combo& c, int w, int h) {
  LetterboxTarget t = make_target(w, h, c.layout, c.dtype, c.stride > 0 ? w + c.stride - 64 : 0, c.lut);
  t.color = c.color;
  return t;
}

std::string describe(const ImageView& v, const LetterboxTarget& t) {
  std::ostringstream os;
  os << v << " -> " << t.width << 'x' << t.height << ' ' << layout_name(t.layout) << ' ' << dtype_name(t.dtype) << ' '
     << t.color;
  return os.str();
}

TEST(LetterboxYuv, OptimizedMatchesReferenceAtVectorTails) {
  std::mt19937 rng(5);
  const int widths[] = {2, 14, 16, 18, 30, 32, 34, 638, 640, 642};
  const int heights[] = {2, 18, 480};
  int variant = 0;
  for (int w : widths)
    for (int h : heights) {
      const YuvMatrix matrix = variant % 2 ? YuvMatrix::kBt709 : YuvMatrix::kBt601;
      const bool full = variant / 2 % 2 == 1;
      ++variant;
      const YuvImage nv12 = yuv_image(rng, w, h, PixelFormat::kNv12, matrix, full, (w % 3) * 5 + 1);
      const YuvImage i420 = to_i420(nv12);
      for (const Combo& c : kCombos) {
        const LetterboxTarget t = combo_target(c, 72, 64);
        expect_same_as_reference(nv12.view, t, describe(nv12.view, t));
        expect_same_as_reference(i420.view, t, describe(i420.view, t));
        // The plane layout does not change the pixels.
        std::vector<std::uint8_t> a(t.required_bytes()), b(t.required_bytes());
        letterbox_ref(nv12.view, t, a.data());
        letterbox_ref(i420.view, t, b.data());
        ASSERT_EQ(a, b) << describe(nv12.view, t) << ": NV12 and I420 of the same frame differ";
      }
    }
}

// Output widths around every multiple of the kernels' 4 (NEON) and 8 (AVX2)
// pixels, downscaled and upscaled, each element checked.
TEST(LetterboxYuv, SimdMatchesReferenceAtOutputWidthTails) {
  std::mt19937 rng(29);
  const int widths[] = {1,  2,  3,  4,  5,  7,  8,  9,  10, 11, 12,  13,  15,
                        16, 17, 18, 31, 32, 33, 34, 63, 64, 65, 639, 640, 641};
  for (int w : widths)
    for (int up : {0, 1}) {
      const int sw = up ? std::max(2, w / 2 / 2 * 2) : 3 * w + 1 + (3 * w + 1) % 2, sh = up ? 2 : 10;
      const PixelFormat format = up ? PixelFormat::kYuv420p : PixelFormat::kNv12;
      const YuvImage im = yuv_image(rng, sw, sh, format, up ? YuvMatrix::kBt709 : YuvMatrix::kBt601, up == 1);
      for (const Combo& c : kCombos) {
        const LetterboxTarget t = combo_target(c, w, 6);
        expect_same_as_reference(im.view, t, describe(im.view, t));
      }
    }
}

TEST(LetterboxYuv, OptimizedMatchesReferenceAtModelSizes) {
  std::mt19937 rng(13);
  const int sizes[][2] = {{1920, 1080}, {1280, 720}, {810, 1080}, {640, 480}, {642, 640}};
  int variant = 0;
  for (const auto& s : sizes) {
    const PixelFormat format = variant % 2 ? PixelFormat::kYuv420p : PixelFormat::kNv12;
    const YuvImage im =
        yuv_image(rng, s[0], s[1], format, variant % 3 ? YuvMatrix::kBt601 : YuvMatrix::kBt709, variant == 3, 16);
    ++variant;
    for (const LetterboxTarget& t : {make_target(640, 640, TensorLayout::kNCHW, DType::kFloat32, 0, false),
                                     make_target(640, 640, TensorLayout::kNHWC, DType::kInt8, 656, false),
                                     make_target(640, 640, TensorLayout::kNHWC, DType::kUint8, 640, false)})
      expect_same_as_reference(im.view, t, describe(im.view, t));
  }
}

// The NEON kernels' gather-free taps (simd::build_yuv_blocks) switch by
// block between table lookups, table lookups with one luma tap and with
// multiply-free 3/4 + 1/4 chroma (exact 3:1 and 1:1 ratios; at 1:1 the edge
// blocks, whose chroma weight collapses onto one tap, are not) and per-pixel
// loads (downscales beyond about 4): source widths across every switch, exact and inexact ratios,
// output widths that are and are not multiples of 8, each element checked on
// every machine (the NEON paths run under qemu-aarch64 in
// scripts/cross-check.sh).
TEST(LetterboxYuv, SimdMatchesReferenceAcrossRatios) {
  std::mt19937 rng(41);
  // Output 64 (or 61) wide: ratios 1/4 .. 6, around 4 in steps of one source
  // pixel pair (the table/gather boundary).
  const int source_widths[] = {16,  32,  62,  64,  66,  96,  122, 128, 130, 190, 192, 194, 244,
                               250, 252, 254, 256, 258, 260, 262, 264, 266, 268, 276, 320, 384};
  int variant = 0;
  for (int sw : source_widths)
    for (int out_w : {64, 61}) {
      const PixelFormat format = variant % 2 ? PixelFormat::kYuv420p : PixelFormat::kNv12;
      const YuvImage im = yuv_image(rng, sw, 4, format, variant % 3 ? YuvMatrix::kBt601 : YuvMatrix::kBt709,
                                    variant % 4 == 1, variant % 5);
      ++variant;
      for (const Combo& c : kCombos) {
        if (c.lut) continue;  // the SIMD kinds: NHWC uint8 / int8 (p - 128), NCHW float
        const LetterboxTarget t = combo_target(c, out_w, out_w);
        expect_same_as_reference(im.view, t, describe(im.view, t));
      }
    }
}

// The block plan itself, checked on any machine: the mode of each block and
// that every table lookup lands on the pixel's taps.
TEST(LetterboxYuv, YuvBlocksPickTheirTapsAndFallBackWhenTheSpanIsTooWide) {
  struct Case {
    const char* name;
    double luma_step, chroma_step;  // source samples per output pixel
    bool nearest;                   // luma weights (2^11, 0)
    bool quarter;                   // chroma weights (3/4, 1/4), (1/4, 3/4) alternating
    std::int32_t mode;              // of every block
  };
  const Case cases[] = {
      {"3:1 luma, 3:2 chroma (1080p -> 640)", 3, 1.5, true, true, simd::kYuvTableNearestQuarter},
      {"3:1 luma, other chroma weights", 3, 1.5, true, false, simd::kYuvTableNearest},
      {"1:1", 1, 0.5, true, true, simd::kYuvTableNearestQuarter},
      {"2:1 bilinear luma, quarter chroma", 2, 1, false, true, simd::kYuvTable},
      {"2:1 bilinear", 2, 1, false, false, simd::kYuvTable},
      {"4:1, the widest table span", 4, 2, false, false, simd::kYuvTable},
      {"4:1 luma, 4.5:2 chroma: chroma span too wide", 4, 2.25, false, false, simd::kYuvGather},
      {"5:1, luma span too wide", 5, 1, true, true, simd::kYuvGather},
  };
  constexpr int kPixels = 64;
  for (const Case& c : cases) {
    std::vector<std::int32_t> yi(kPixels), ci(kPixels);
    std::vector<std::int16_t> yw(2 * kPixels), cw(2 * kPixels);
    for (int x = 0; x < kPixels; ++x) {
      yi[x] = static_cast<int>(x * c.luma_step) + 1;
      ci[x] = 2 * static_cast<int>(x * c.chroma_step);
      yw[2 * x] = static_cast<std::int16_t>(c.nearest ? 2048 : 2048 - (x * 37 + 1) % 2048);
      yw[2 * x + 1] = static_cast<std::int16_t>(2048 - yw[2 * x]);
      cw[2 * x + 1] = static_cast<std::int16_t>(c.quarter ? (x % 2 ? 1536 : 512) : x % 8 == 3 ? 0 : (x * 101) % 2048);
      cw[2 * x] = static_cast<std::int16_t>(2048 - cw[2 * x + 1]);
    }
    simd::YuvPlan plan;
    plan.y_index = yi.data();
    plan.c_index = ci.data();
    plan.y_weights = yw.data();
    plan.c_weights = cw.data();
    plan.n = kPixels;
    std::vector<simd::YuvBlock> blocks(kPixels / 8);
    std::vector<simd::YuvRun> runs(kPixels / 8);
    ASSERT_EQ(simd::build_yuv_blocks(plan, blocks.data(), runs.data()), 1) << c.name << ": one run";
    EXPECT_EQ(runs[0].begin, 0);
    EXPECT_EQ(runs[0].end, kPixels / 8);
    ASSERT_EQ(runs[0].mode, c.mode) << c.name;
    // Rows whose int16 element e is e + 1000, as the kernels' tbl reads them.
    auto lookup = [](const std::uint8_t* table, int base, int j) {
      if (table[2 * j] == 0xFF) return 0;
      EXPECT_LT(table[2 * j], 64);
      EXPECT_EQ(table[2 * j + 1], table[2 * j] + 1);
      return base + table[2 * j] / 2 + 1000;
    };
    for (int b = 0; b < kPixels / 8; ++b) {
      const simd::YuvBlock& blk = blocks[b];
      for (int j = 0; j < 8; ++j) {
        const int x = 8 * b + j;
        for (int t = 0; t < 2; ++t) {
          EXPECT_EQ(blk.y_w[t][j], yw[2 * x + t]);
          EXPECT_EQ(blk.c_w[t][j], cw[2 * x + t]);
        }
        if (c.mode == simd::kYuvGather) continue;
        EXPECT_EQ(lookup(blk.y_table[0], blk.y_base, j), yi[x] + 1000) << c.name << " pixel " << x;
        if (c.mode == simd::kYuvTable)
          EXPECT_EQ(lookup(blk.y_table[1], blk.y_base, j), yw[2 * x + 1] ? yi[x] + 1001 : 0) << c.name;
        // Quarter blocks list the heavier chroma tap first.
        const int first = c.mode == simd::kYuvTableNearestQuarter && cw[2 * x + 1] == 1536 ? 2 : 0;
        for (int ch = 0; ch < 2; ++ch) {
          EXPECT_EQ(lookup(blk.c_table[2 * ch], blk.c_base, j), ci[x] + first + ch + 1000) << c.name << " pixel " << x;
          EXPECT_EQ(lookup(blk.c_table[2 * ch + 1], blk.c_base, j), cw[2 * x + 1] ? ci[x] + 2 - first + ch + 1000 : 0)
              << c.name << " pixel " << x;
        }
      }
    }
  }
  // One block too wide among table blocks: three runs.
  std::vector<std::int32_t> yi(24), ci(24, 0);
  std::vector<std::int16_t> yw(48), cw(48);
  for (int x = 0; x < 24; ++x) {
    yi[x] = x < 8 || x >= 16 ? x : 8 + (x - 8) * 6;
    yw[2 * x] = cw[2 * x] = 1024;
    yw[2 * x + 1] = cw[2 * x + 1] = 1024;
  }
  simd::YuvPlan plan;
  plan.y_index = yi.data();
  plan.c_index = ci.data();
  plan.y_weights = yw.data();
  plan.c_weights = cw.data();
  plan.n = 24;
  simd::YuvBlock blocks[3];
  simd::YuvRun runs[3];
  ASSERT_EQ(simd::build_yuv_blocks(plan, blocks, runs), 3);
  EXPECT_EQ(runs[0].mode, simd::kYuvTable);
  EXPECT_EQ(runs[1].mode, simd::kYuvGather);
  EXPECT_EQ(runs[2].mode, simd::kYuvTable);
  EXPECT_EQ(runs[1].begin, 1);
  EXPECT_EQ(runs[1].end, 2);
  // 21 pixels: the last block covers pixels 13..20 (shift 3), in a run of
  // its own; fewer than 8 pixels: no blocks.
  plan.n = 21;
  ASSERT_EQ(simd::build_yuv_blocks(plan, blocks, runs), 3);
  EXPECT_EQ(runs[1].shift, 0);
  EXPECT_EQ(runs[2].begin, 2);
  EXPECT_EQ(runs[2].shift, 3);
  EXPECT_EQ(runs[2].mode, simd::kYuvGather);
  EXPECT_EQ(blocks[2].y_w[0][7], yw[2 * 20]);
  plan.n = 7;
  EXPECT_EQ(simd::build_yuv_blocks(plan, blocks, runs), 0);
}

// The reference's fixed-point conversion against the ITU-R matrices as
// published (BT.601: 1.402, 0.344136, 0.714136, 1.772; BT.709: 1.5748,
// 0.187324, 0.468124, 1.8556), in double precision, rounded once. Each
// 2x2 image has one chroma sample, so the resize is exact and only the
// conversion is measured.
constexpr int kMaxConversionError = 1;  // grey levels: 13-bit coefficients, one rounding

TEST(LetterboxYuv, ReferenceConversionMatchesItuMatrices) {
  struct Matrix {
    YuvMatrix id;
    double rv, gu, gv, bu;
  };
  const Matrix matrices[] = {{YuvMatrix::kBt601, 1.402, 0.344136, 0.714136, 1.772},
                             {YuvMatrix::kBt709, 1.5748, 0.187324, 0.468124, 1.8556}};
  const int levels[] = {0, 1, 16, 17, 50, 127, 128, 129, 200, 234, 235, 240, 254, 255};
  LetterboxTarget t = make_target(2, 2, TensorLayout::kNHWC, DType::kUint8, 0, false);
  t.color = PixelFormat::kRgb8;
  int worst = 0;
  for (const Matrix& m : matrices)
    for (bool full : {false, true})
      for (int yv : levels)
        for (int u : levels)
          for (int v : levels) {
            std::uint8_t y4[4] = {static_cast<std::uint8_t>(yv), static_cast<std::uint8_t>(yv),
                                  static_cast<std::uint8_t>(yv), static_cast<std::uint8_t>(yv)};
            std::uint8_t uv[2] = {static_cast<std::uint8_t>(u), static_cast<std::uint8_t>(v)};
            ImageView src{y4, 2, 2, 2, PixelFormat::kNv12};
            src.chroma[0] = uv;
            src.chroma_stride[0] = 2;
            src.matrix = m.id;
            src.full_range = full;
            std::uint8_t out[12];
            letterbox_ref(src, t, out);
            const double ys = full ? 1.0 : 255.0 / 219.0, cs = full ? 1.0 : 255.0 / 224.0;
            const double l = ys * (yv - (full ? 0 : 16)), cu = cs * (u - 128), cv = cs * (v - 128);
            const double want[3] = {l + m.rv * cv, l - m.gu * cu - m.gv * cv, l + m.bu * cu};
            for (int c = 0; c < 3; ++c) {
              const int expect = static_cast<int>(std::lround(std::clamp(want[c], 0.0, 255.0)));
              for (int px = 0; px < 4; ++px) {
                const int err = std::abs(out[px * 3 + c] - expect);
                worst = std::max(worst, err);
                ASSERT_LE(err, kMaxConversionError)
                    << src << " Y " << yv << " U " << u << " V " << v << " channel " << c << ": got "
                    << int(out[px * 3 + c]) << ", ITU-R gives " << want[c];
              }
            }
          }
  // Limited-range white and black are exact.
  RecordProperty("worst_error", worst);
}

TEST(LetterboxYuv, RejectsBadViewsWithOneSentence) {
  Letterboxer lb;
  ASSERT_TRUE(lb.configure(make_target(16, 16, TensorLayout::kNHWC, DType::kUint8, 0, false)).ok());
  std::vector<std::uint8_t> buf(lb.target().required_bytes());
  std::vector<std::uint8_t> plane(64 * 64, 128);
  auto nv12 = [&](int w, int h) {
    ImageView v{plane.data(), w, h, static_cast<std::size_t>(w), PixelFormat::kNv12};
    v.chroma[0] = plane.data();
    v.chroma_stride[0] = static_cast<std::size_t>(w);
    return v;
  };
  auto expect_rejected = [&](const ImageView& v, const std::string& words) {
    const Status s = lb.run(v, buf.data());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << v;
    EXPECT_NE(s.message().find(words), std::string::npos) << "'" << s.message() << "' should say '" << words << "'";
  };
  ImageView v = nv12(16, 16);
  EXPECT_TRUE(lb.run(v, buf.data()).ok());
  expect_rejected(nv12(15, 16), "odd width or height");
  expect_rejected(nv12(16, 9), "odd width or height");
  v = nv12(16, 16);
  v.chroma[0] = nullptr;
  expect_rejected(v, "no UV plane");
  v = nv12(16, 16);
  v.stride_bytes = 15;
  expect_rejected(v, "Y plane row stride 15");
  v = nv12(16, 16);
  v.chroma_stride[0] = 14;
  expect_rejected(v, "UV plane row stride 14");
  v = nv12(16, 16);
  v.format = PixelFormat::kYuv420p;
  v.chroma_stride[0] = 8;
  expect_rejected(v, "no V plane");
  v.chroma[1] = plane.data();
  v.chroma_stride[1] = 7;
  expect_rejected(v, "V plane row stride 7 is smaller than half the width");
  v.chroma_stride[1] = 8;
  EXPECT_TRUE(lb.run(v, buf.data()).ok());
  v.matrix = static_cast<YuvMatrix>(7);
  expect_rejected(v, "unknown YUV matrix");
  v = nv12(16, 16);
  v.format = static_cast<PixelFormat>(9);
  expect_rejected(v, "unknown pixel format 9");
}

TEST(LetterboxYuv, FormatsPrintByName) {
  std::ostringstream os;
  os << PixelFormat::kNv12 << ' ' << PixelFormat::kYuv420p << ' ' << PixelFormat::kBgr8 << ' ' << PixelFormat::kRgb8;
  EXPECT_EQ(os.str(), "NV12 YUV420P BGR RGB");
  std::uint8_t px[4] = {};
  ImageView v{px, 2, 2, 2, PixelFormat::kYuv420p};
  v.chroma_stride[0] = v.chroma_stride[1] = 1;
  v.matrix = YuvMatrix::kBt709;
  v.full_range = true;
  os.str("");
  os << v;
  EXPECT_EQ(os.str(), "ImageView{2x2 YUV420P stride=2 chroma_stride=1,1 BT.709 full}");
}

// Several streams of different sizes and formats through one Letterboxer:
// each size's transform is cached (up to kMaxCachedSizes), so alternating
// between them allocates nothing once each is warm, and every frame still
// matches a fresh Letterboxer's output.
TEST(LetterboxCache, AlternatingSizesAllocateNothingOnceWarm) {
  std::mt19937 rng(3);
  struct Stream {
    YuvImage yuv;
    std::vector<std::uint8_t> bgr;
    ImageView view;
  };
  std::vector<Stream> streams(4);
  streams[0].yuv = yuv_image(rng, 1280, 720, PixelFormat::kNv12, YuvMatrix::kBt709, false);
  streams[1].yuv = yuv_image(rng, 640, 480, PixelFormat::kYuv420p, YuvMatrix::kBt601, false);
  streams[2].bgr.resize(810 * 1080 * 3, 77);
  streams[3].bgr.resize(320 * 240 * 3, 200);
  streams[0].view = streams[0].yuv.view;
  streams[1].view = streams[1].yuv.view;
  streams[2].view = make_image_view(streams[2].bgr.data(), 810, 1080, PixelFormat::kBgr8);
  streams[3].view = make_image_view(streams[3].bgr.data(), 320, 240, PixelFormat::kRgb8);
  for (const LetterboxTarget& t : {make_target(640, 640, TensorLayout::kNHWC, DType::kInt8, 656, false),
                                   make_target(320, 256, TensorLayout::kNCHW, DType::kFloat32, 0, true)}) {
    std::vector<std::vector<std::uint8_t>> expected;
    for (const Stream& s : streams) {
      Letterboxer fresh;
      ASSERT_TRUE(fresh.configure(t).ok());
      expected.emplace_back(t.required_bytes());
      ASSERT_TRUE(fresh.run(s.view, expected.back().data()).ok());
    }
    Letterboxer lb;
    ASSERT_TRUE(lb.configure(t).ok());
    std::vector<std::uint8_t> out(t.required_bytes());
    for (const Stream& s : streams) ASSERT_TRUE(lb.run(s.view, out.data()).ok());  // warm-up
    test::AllocationCounter counter;
    for (int round = 0; round < 3; ++round)
      for (std::size_t i = 0; i < streams.size(); ++i) {
        ASSERT_TRUE(lb.run(streams[i].view, out.data()).ok());
        ASSERT_TRUE(out == expected[i]) << "stream " << i << " round " << round;
        EXPECT_EQ(lb.geometry().src_w, streams[i].view.width);
      }
    EXPECT_EQ(counter.count(), 0) << "allocations while alternating between warm sizes";
  }
}

// More sizes than the cache holds: the least recently used is rebuilt in
// place and the output stays right.
TEST(LetterboxCache, EvictsLeastRecentlyUsedAndStaysCorrect) {
  const LetterboxTarget t = make_target(64, 64, TensorLayout::kNHWC, DType::kUint8, 0, false);
  Letterboxer lb;
  ASSERT_TRUE(lb.configure(t).ok());
  std::vector<std::uint8_t> pixels(200 * 200 * 3);
  std::mt19937 rng(1);
  for (auto& p : pixels) p = static_cast<std::uint8_t>(rng());
  std::vector<std::uint8_t> out(t.required_bytes()), ref(t.required_bytes());
  for (int round = 0; round < 2; ++round)
    for (int k = 0; k < Letterboxer::kMaxCachedSizes + 3; ++k) {
      const ImageView v = make_image_view(pixels.data(), 100 + 7 * k, 60 + 11 * k);
      ASSERT_TRUE(lb.run(v, out.data()).ok());
      letterbox_ref(v, t, ref.data());
      ASSERT_EQ(out, ref) << v << " round " << round;
      EXPECT_EQ(lb.geometry().src_h, v.height);
    }
}

}  // namespace
}  // namespace rkyolo::core
