// Letterbox: geometry against the Ultralytics recipe worked by hand, and the
// optimized kernel against the scalar reference, bit for bit, at sizes that
// hit vector tails. (Real photos against a Python/OpenCV reference are in
// test_real_model.cc, which has OpenCV for decoding.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "core/letterbox.h"
#include "core/letterbox_simd.h"
#include "test_letterbox_support.h"

namespace rkyolo::core {
namespace {

TEST(LetterboxGeometry, FullHdToSquare) {
  const LetterboxGeometry g = letterbox_geometry(1920, 1080, 640, 640);
  EXPECT_DOUBLE_EQ(g.gain, 1.0 / 3.0);
  EXPECT_EQ(g.new_w, 640);
  EXPECT_EQ(g.new_h, 360);
  EXPECT_EQ(g.pad_top, 140);
  EXPECT_EQ(g.pad_bottom, 140);
  EXPECT_EQ(g.pad_left, 0);
  EXPECT_EQ(g.pad_right, 0);
}

TEST(LetterboxGeometry, PortraitPhoto) {  // bus.jpg
  const LetterboxGeometry g = letterbox_geometry(810, 1080, 640, 640);
  EXPECT_EQ(g.new_w, 480);
  EXPECT_EQ(g.new_h, 640);
  EXPECT_EQ(g.pad_left, 80);
  EXPECT_EQ(g.pad_right, 80);
  EXPECT_EQ(g.pad_top, 0);
}

TEST(LetterboxGeometry, OddPaddingGoesToBottom) {
  // r = 0.64, new h = round(213.12) = 213, dh = 213.5: top round(213.4) = 213, bottom round(213.6) = 214.
  const LetterboxGeometry g = letterbox_geometry(1000, 333, 640, 640);
  EXPECT_EQ(g.new_w, 640);
  EXPECT_EQ(g.new_h, 213);
  EXPECT_EQ(g.pad_top, 213);
  EXPECT_EQ(g.pad_bottom, 214);
}

TEST(LetterboxGeometry, PythonRoundsHalfToEven) {
  // r = 0.5, 721 * 0.5 = 360.5: Python's round() gives 360, not 361.
  const LetterboxGeometry g = letterbox_geometry(1280, 721, 640, 640);
  EXPECT_EQ(g.new_h, 360);
  EXPECT_EQ(g.pad_top, 140);
  EXPECT_EQ(g.pad_bottom, 140);
  // 723 * 0.5 = 361.5 -> 362 (even).
  EXPECT_EQ(letterbox_geometry(1280, 723, 640, 640).new_h, 362);
}

TEST(LetterboxGeometry, UpscaleAndTiny) {
  LetterboxGeometry g = letterbox_geometry(320, 240, 640, 640);
  EXPECT_EQ(g.new_w, 640);
  EXPECT_EQ(g.new_h, 480);
  EXPECT_EQ(g.pad_top, 80);
  g = letterbox_geometry(1, 1, 640, 640);
  EXPECT_EQ(g.new_w, 640);
  EXPECT_EQ(g.new_h, 640);
  g = letterbox_geometry(4000, 3, 640, 640);
  EXPECT_EQ(g.new_w, 640);
  EXPECT_EQ(g.new_h, 1);  // never 0
}

TEST(LetterboxGeometry, MapsBackToSource) {
  const LetterboxGeometry g = letterbox_geometry(1920, 1080, 640, 640);
  EXPECT_FLOAT_EQ(g.to_source_x(320), 960);
  EXPECT_FLOAT_EQ(g.to_source_y(140), 0);
  EXPECT_FLOAT_EQ(g.to_source_y(500), 1080);
}

struct Image {
  std::vector<std::uint8_t> pixels;
  ImageView view;
};

Image random_image(std::mt19937& rng, int w, int h, int extra_stride, PixelFormat fmt) {
  Image im;
  const std::size_t stride = static_cast<std::size_t>(w) * 3 + extra_stride;
  im.pixels.resize(stride * h);
  // Smooth gradients plus noise so interpolation weights matter.
  for (int y = 0; y < h; ++y)
    for (std::size_t x = 0; x < stride; ++x)
      im.pixels[y * stride + x] = static_cast<std::uint8_t>((x * 7 + y * 3 + rng() % 64) & 255);
  im.view = ImageView{im.pixels.data(), w, h, stride, fmt};
  return im;
}

TEST(Letterbox, OptimizedMatchesReferenceAtVectorTails) {
  std::mt19937 rng(7);
  const int widths[] = {1, 15, 16, 17, 639, 640, 641};
  const int heights[] = {1, 17, 480};
  struct Combo {
    TensorLayout layout;
    DType dtype;
    int stride;
    bool lut;
  };
  const Combo combos[] = {
      {TensorLayout::kNCHW, DType::kFloat32, 0, false}, {TensorLayout::kNCHW, DType::kFloat32, 0, true},
      {TensorLayout::kNCHW, DType::kUint8, 0, false},   {TensorLayout::kNCHW, DType::kInt8, 0, true},
      {TensorLayout::kNHWC, DType::kUint8, 80, false},  {TensorLayout::kNHWC, DType::kInt8, 80, false},
      {TensorLayout::kNHWC, DType::kInt8, 72, true},    {TensorLayout::kNHWC, DType::kFloat32, 0, true},
  };
  for (int w : widths)
    for (int h : heights)
      for (PixelFormat fmt : {PixelFormat::kBgr8, PixelFormat::kRgb8}) {
        const Image im = random_image(rng, w, h, (w % 3) * 5, fmt);
        for (const Combo& c : combos) {
          const LetterboxTarget t = make_target(72, 64, c.layout, c.dtype, c.stride, c.lut);
          expect_same_as_reference(im.view, t,
                                   std::to_string(w) + "x" + std::to_string(h) + " " + layout_name(c.layout) + " " +
                                       dtype_name(c.dtype) + (c.lut ? " lut" : ""));
        }
      }
}

// The BGR/RGB horizontal kernel works on groups of 4 (NEON) or 8 (AVX2)
// output pixels with a portable tail (and the pixels whose 8-byte loads would
// leave the row), the vertical one on 16 or 32 output elements (3 per
// pixel), the pick rows on blocks of 16 bytes (the last one overlapping), the
// average rows on blocks of 8 pixels (the last one overlapping), the YUV
// ones on groups of 4 or 8 pixels: output widths around every multiple, BGR
// and RGB sources, downscaled (any ratio; exactly 1/2, every tap of weight
// (2^10, 2^10): average rows; exactly 1/3 and 1/5, every tap of weight
// (2^11, 0): pick rows; one axis exact only) and upscaled, 1:1, each element
// checked.
TEST(Letterbox, SimdMatchesReferenceAtOutputWidthTails) {
  std::mt19937 rng(23);
  const int widths[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,  13,  15, 16,
                        17, 18, 21, 22, 31, 32, 33, 34, 63, 64, 65, 639, 640, 641};
  struct Mode {
    int sw_mul, sw_add, sh;  // source sw_mul * w + sw_add (or w / 2 when sw_mul is 0) by sh, into w x 6
  };
  const Mode modes[] = {
      {3, 1, 9},   // any ratio
      {3, 0, 18},  // 3:1 both ways: pick rows
      {2, 0, 12},  // 2:1 both ways: average rows
      {2, 0, 13},  // horizontal 2:1, vertical any
      {2, 1, 12},  // vertical 2:1, horizontal any
      {0, 0, 3},   // upscale
      {1, 0, 6},   // 1:1
      {5, 0, 30},  // 5:1 both ways
      {3, 0, 13},  // horizontal 3:1, vertical any
      {3, 1, 18},  // vertical 3:1 (at most widths), horizontal any
  };
  for (int w : widths)
    for (const Mode& m : modes)
      for (PixelFormat fmt : {PixelFormat::kBgr8, PixelFormat::kRgb8}) {
        // The width limits the content, so new_w == w.
        const int sw = m.sw_mul == 0 ? std::max(1, w / 2) : m.sw_mul * w + m.sw_add;
        const int th = 6, sh = m.sh;
        const Image im = random_image(rng, sw, sh, 4, fmt);
        const std::string size = std::to_string(sw) + "x" + std::to_string(sh) + " -> " + std::to_string(w) +
                                 (fmt == PixelFormat::kBgr8 ? " BGR" : " RGB");
        expect_same_as_reference(im.view, make_target(w, th, TensorLayout::kNCHW, DType::kFloat32, 0, false),
                                 size + " NCHW f32");
        expect_same_as_reference(im.view, make_target(w, th, TensorLayout::kNCHW, DType::kFloat32, 0, true),
                                 size + " NCHW f32 lut");
        expect_same_as_reference(im.view, make_target(w, th, TensorLayout::kNHWC, DType::kInt8, w + 3, false),
                                 size + " NHWC i8 strided");
        expect_same_as_reference(im.view, make_target(w, th, TensorLayout::kNHWC, DType::kUint8, 0, false),
                                 size + " NHWC u8");
      }
}

// The horizontal kernel on its own against the plain formula, 11-bit weight
// pairs as OpenCV rounds them (0..2048 each), source indices anywhere in the
// row, one or two rows at once, both channel orders and both output
// layouts, at pixel counts around its group sizes.
TEST(Letterbox, HorizontalKernelMatchesFormula) {
  if (!simd::available()) GTEST_SKIP() << "no SIMD kernels in this build or on this CPU";
  std::mt19937 rng(5);
  for (int n : {8, 16, 24, 32, 40, 64, 72, 640}) {
    const int src_w = 3 * n + 5;
    std::vector<std::uint8_t> rows[2];
    for (auto& row : rows) {
      row.resize(static_cast<std::size_t>(src_w) * 3);
      for (auto& b : row) b = static_cast<std::uint8_t>(rng());
    }
    std::vector<std::int32_t> index(n);
    std::vector<std::int16_t> weights(static_cast<std::size_t>(n) * simd::kHorizontalWeights);
    std::vector<int> a0(n), a1(n);
    for (int x = 0; x < n; ++x) {
      index[x] = static_cast<std::int32_t>(rng() % (src_w - 2)) * 3;  // 8 bytes from here stay in the row
      // Each tap rounded on its own: the pair sums to 2047..2049.
      a0[x] = static_cast<int>(rng() % 2049);
      a1[x] = std::clamp(2048 - a0[x] + static_cast<int>(rng() % 3) - 1, 0, 2048);
      simd::pack_weights(weights.data(), x, a0[x], a1[x]);
    }
    for (int count : {1, 2})
      for (int swap : {0, 1})
        for (int planar : {0, 1}) {
          simd::HorizontalPlan plan;
          plan.index = index.data();
          plan.weights = weights.data();
          plan.n = n;
          plan.swap = swap;
          plan.planar = planar;
          plan.plane = n + 3;
          std::vector<std::int16_t> out[2];
          for (auto& o : out) o.assign(static_cast<std::size_t>(3) * (n + 3) + 8, -1);
          const std::uint8_t* in[2] = {rows[0].data(), rows[1].data()};
          std::int16_t* outs[2] = {out[0].data(), out[1].data()};
          simd::hpass(in, count, plan, outs);
          for (int j = 0; j < count; ++j)
            for (int x = 0; x < n; ++x)
              for (int c = 0; c < 3; ++c) {
                const int sc = swap ? 2 - c : c;
                const std::uint8_t* r = rows[j].data() + index[x];
                const int expect = (r[sc] * a0[x] + r[3 + sc] * a1[x]) >> 4;
                const std::size_t at = planar ? static_cast<std::size_t>(c) * plan.plane + x : 3 * x + c;
                ASSERT_EQ(out[j][at], expect) << "n " << n << " rows " << count << " swap " << swap << " planar "
                                              << planar << " row " << j << " pixel " << x << " channel " << c;
              }
        }
  }
}

// The pick kernel on its own: output byte 3x + c is source byte
// 3 pixel[x] + (swap ? 2 - c : c), for the source strides of the exact
// downscales (1:1, 3:1) and irregular maps, at pixel counts around the
// 16-byte blocks; rows too short or too spread out are refused.
TEST(Letterbox, PickKernelMatchesFormula) {
  std::mt19937 rng(3);
  std::vector<simd::PickBlock> blocks;
  for (int step : {1, 3, 5})
    for (int n : {6, 7, 10, 11, 16, 17, 21, 22, 63, 640, 641}) {
      // Source pixel x: step x + step / 2 (OpenCV's centre), or a random
      // non-decreasing map for step 5 (gaps of 0..2 pixels).
      std::vector<std::int32_t> pixel(n);
      for (int x = 0; x < n; ++x)
        pixel[x] = step == 5 ? (x == 0 ? 0 : pixel[x - 1] + static_cast<int>(rng() % 3)) : step * x + step / 2;
      const int src_w = pixel[n - 1] + 1 + static_cast<int>(rng() % 3);
      std::vector<std::uint8_t> row(static_cast<std::size_t>(src_w) * 3);
      for (auto& b : row) b = static_cast<std::uint8_t>(rng());
      for (int swap : {0, 1}) {
        blocks.assign(simd::pick_block_count(n), simd::PickBlock{});
        simd::PickPlan plan;
        plan.blocks = blocks.data();
        plan.n = n;
        plan.loads = simd::build_pick_blocks(pixel.data(), n, src_w, swap, blocks.data());
        const std::string what =
            "step " + std::to_string(step) + " n " + std::to_string(n) + " swap " + std::to_string(swap);
        if (3 * n < 16) {
          EXPECT_EQ(plan.loads, 0) << what;
          continue;
        }
        // 16 bytes span 16 source bytes at 1:1, 18 with the channels swapped
        // (a block can start or end inside a pixel), at most 48 at 3:1.
        if (step == 1 && 3 * src_w >= 32) EXPECT_EQ(plan.loads, swap ? 2 : 1) << what;
        if (step == 3) EXPECT_EQ(plan.loads, 3) << what;
        if (plan.loads == 0 || !simd::available()) continue;
        std::vector<std::uint8_t> out(static_cast<std::size_t>(n) * 3 + 8, 0xA5);
        simd::pick(row.data(), plan, out.data(), 0x80);
        for (int x = 0; x < n; ++x)
          for (int c = 0; c < 3; ++c)
            ASSERT_EQ(out[3 * x + c], row[3 * pixel[x] + (swap ? 2 - c : c)] ^ 0x80) << what << " pixel " << x;
        for (std::size_t i = static_cast<std::size_t>(n) * 3; i < out.size(); ++i)
          ASSERT_EQ(out[i], 0xA5) << what << ": written past the row";
      }
    }
}

// The average kernel on its own against OpenCV's two passes with every
// weight 2^10 (taps 2x, 2x + 1 of both rows), which is the rounded 2x2 mean:
// source rows of exactly 6n bytes, pixel counts around its 8-pixel blocks,
// both channel orders, both xor masks, nothing written past the row.
TEST(Letterbox, AverageKernelMatchesFormula) {
  if (!simd::available()) GTEST_SKIP() << "no SIMD kernels in this build or on this CPU";
  std::mt19937 rng(13);
  for (int n : {8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 23, 24, 25, 64, 639, 640, 641}) {
    std::vector<std::uint8_t> rows[2];
    for (auto& row : rows) {
      row.resize(static_cast<std::size_t>(n) * 6);
      for (auto& b : row) b = static_cast<std::uint8_t>(rng());
    }
    if (n == 8) std::fill(rows[0].begin(), rows[0].end(), 255), std::fill(rows[1].begin(), rows[1].end(), 255);
    for (int swap : {0, 1})
      for (std::uint8_t xor_mask : {std::uint8_t{0x00}, std::uint8_t{0x80}}) {
        const std::string what =
            "n " + std::to_string(n) + " swap " + std::to_string(swap) + " xor " + std::to_string(xor_mask);
        std::vector<std::uint8_t> out(static_cast<std::size_t>(n) * 3 + 8, 0xA5);
        simd::average(rows[0].data(), rows[1].data(), n, swap, out.data(), xor_mask);
        for (int x = 0; x < n; ++x)
          for (int c = 0; c < 3; ++c) {
            const int i = 6 * x + (swap ? 2 - c : c);
            auto h = [&](const std::vector<std::uint8_t>& r) { return (r[i] * 1024 + r[i + 3] * 1024) >> 4; };
            const int v = (((h(rows[0]) * 1024) >> 16) + ((h(rows[1]) * 1024) >> 16) + 2) >> 2;
            ASSERT_EQ(v, (rows[0][i] + rows[0][i + 3] + rows[1][i] + rows[1][i + 3] + 2) >> 2) << what;
            ASSERT_EQ(out[3 * x + c], v ^ xor_mask) << what << " pixel " << x << " channel " << c;
          }
        for (std::size_t i = static_cast<std::size_t>(n) * 3; i < out.size(); ++i)
          ASSERT_EQ(out[i], 0xA5) << what << ": written past the row";
      }
  }
}

// The fused blend kernel (NEON) on its own: OpenCV's two passes of two
// rows, 11-bit weight pairs as OpenCV rounds them, taps 1 or 2 pixels apart
// (downscales up to about 2:1 here, and the edge's repeated pixel), both
// channel orders; one row alone when a vertical weight is 0. Elsewhere the
// builder refuses.
TEST(Letterbox, BlendKernelMatchesFormula) {
  std::mt19937 rng(9);
  std::vector<simd::BlendBlock> blocks;
  for (int n : {6, 7, 11, 16, 22, 64, 641}) {
    std::vector<std::int32_t> pixel0(n), pixel1(n);
    std::vector<std::int16_t> weights(static_cast<std::size_t>(n) * 2);
    for (int x = 0; x < n; ++x) {
      pixel0[x] = x == 0 ? 0 : pixel0[x - 1] + 1 + static_cast<int>(rng() % 2);
      const int a0 = static_cast<int>(rng() % 2049);
      weights[2 * x] = static_cast<std::int16_t>(a0);
      weights[2 * x + 1] = static_cast<std::int16_t>(std::clamp(2048 - a0 + static_cast<int>(rng() % 3) - 1, 0, 2048));
    }
    const int src_w = pixel0[n - 1] + 2;
    for (int x = 0; x < n; ++x) pixel1[x] = x == n - 1 ? pixel0[x] : pixel0[x] + 1;
    std::vector<std::uint8_t> rows[2];
    for (auto& row : rows) {
      row.resize(static_cast<std::size_t>(src_w) * 3);
      for (auto& b : row) b = static_cast<std::uint8_t>(rng());
    }
    for (int swap : {0, 1}) {
      blocks.assign(simd::pick_block_count(n), simd::BlendBlock{});
      const int loads =
          simd::build_blend_blocks(pixel0.data(), pixel1.data(), weights.data(), n, src_w, swap, blocks.data());
      const std::string what = "n " + std::to_string(n) + " swap " + std::to_string(swap);
      if (!simd::blend_available() || 3 * n < 16 || 3 * src_w < 64) {
        EXPECT_EQ(loads, 0) << what;
        continue;
      }
      ASSERT_EQ(loads, simd::kMaxPickLoads) << what;
      simd::BlendPlan plan;
      plan.blocks = blocks.data();
      plan.n = n;
      for (const auto& [b0, b1] :
           {std::pair{1024, 1024}, std::pair{2047, 1}, std::pair{0, 2048}, std::pair{700, 1349}}) {
        std::vector<std::uint8_t> out(static_cast<std::size_t>(n) * 3 + 8, 0xA5);
        simd::blend(rows[0].data(), rows[1].data(), b0, b1, plan, out.data(), 0x80);
        for (int x = 0; x < n; ++x)
          for (int c = 0; c < 3; ++c) {
            const int sc = swap ? 2 - c : c;
            auto h = [&](const std::vector<std::uint8_t>& r) {
              return (r[3 * pixel0[x] + sc] * weights[2 * x] + r[3 * pixel1[x] + sc] * weights[2 * x + 1]) >> 4;
            };
            const int v = (((h(rows[0]) * b0) >> 16) + ((h(rows[1]) * b1) >> 16) + 2) >> 2;
            ASSERT_EQ(out[3 * x + c], std::clamp(v, 0, 255) ^ 0x80) << what << " b0 " << b0 << " pixel " << x;
          }
        for (std::size_t i = static_cast<std::size_t>(n) * 3; i < out.size(); ++i)
          ASSERT_EQ(out[i], 0xA5) << what << ": written past the row";
      }
    }
  }
  // Taps 5 pixels apart: 16 output bytes span more than 64 source bytes.
  std::vector<std::int32_t> far0(64), far1(64);
  std::vector<std::int16_t> w(128, 1024);
  for (int x = 0; x < 64; ++x) far0[x] = 5 * x, far1[x] = 5 * x + 1;
  blocks.assign(simd::pick_block_count(64), simd::BlendBlock{});
  EXPECT_EQ(simd::build_blend_blocks(far0.data(), far1.data(), w.data(), 64, 5 * 64, 0, blocks.data()), 0);
}

TEST(Letterbox, OptimizedMatchesReferenceAtModelSizes) {
  std::mt19937 rng(11);
  const int sizes[][2] = {{1920, 1080}, {1280, 720},  {810, 1080},  {640, 480},   {320, 240},
                          {641, 639},   {1920, 1000}, {1000, 1920}, {3200, 1800}, {1366, 768}};
  for (const auto& s : sizes) {
    const Image im = random_image(rng, s[0], s[1], 0, PixelFormat::kBgr8);
    expect_same_as_reference(im.view, make_target(640, 640, TensorLayout::kNCHW, DType::kFloat32, 0, false),
                             "NCHW f32 from " + std::to_string(s[0]));
    expect_same_as_reference(im.view, make_target(640, 640, TensorLayout::kNHWC, DType::kInt8, 656, false),
                             "NHWC i8 stride 656 from " + std::to_string(s[0]));
    expect_same_as_reference(im.view, make_target(640, 640, TensorLayout::kNHWC, DType::kUint8, 640, false),
                             "NHWC u8 from " + std::to_string(s[0]));
  }
}

// The "[simd]" runs above must really run the kernels where they exist:
// NEON is baseline on aarch64, AVX2 is checked at run time on x86-64.
TEST(Letterbox, SimdKernelsActiveWhereAvailable) {
#if defined(__aarch64__)
  EXPECT_TRUE(simd::available());
  EXPECT_STREQ(simd::isa_name(), "neon");
#endif
  for (const LetterboxTarget& t : {make_target(64, 64, TensorLayout::kNCHW, DType::kFloat32, 0, false),
                                   make_target(64, 64, TensorLayout::kNHWC, DType::kInt8, 80, false),
                                   make_target(64, 64, TensorLayout::kNHWC, DType::kUint8, 0, false)}) {
    Letterboxer lb;
    ASSERT_TRUE(lb.configure(t).ok());
    EXPECT_EQ(lb.simd_active(), simd::available()) << layout_name(t.layout) << " " << dtype_name(t.dtype);
  }
}

TEST(Letterbox, Int8WritesTwosComplementBitPatterns) {
  // A black pixel quantizes to -128 (bits 0x80), pad 114 to -14 (bits 0xF2).
  std::vector<std::uint8_t> black(16 * 16 * 3, 0);
  const ImageView src{black.data(), 16, 8, 48, PixelFormat::kBgr8};
  const LetterboxTarget t = make_target(16, 16, TensorLayout::kNHWC, DType::kInt8, 16, false);
  std::vector<std::uint8_t> out(t.required_bytes(), 0);
  Letterboxer lb;
  ASSERT_TRUE(lb.configure(t).ok());
  ASSERT_TRUE(lb.run(src, out.data()).ok());
  EXPECT_EQ(out[0], 0xF2);                                     // top padding row: 114 - 128 = -14
  EXPECT_EQ(out[static_cast<std::size_t>(8) * 16 * 3], 0x80);  // first content row: 0 - 128
}

TEST(Letterbox, PaddingValuesAndChannelOrder) {
  // A pure red 4x2 BGR image into a 4x4 RGB float tensor.
  std::vector<std::uint8_t> red;
  for (int i = 0; i < 8; ++i) red.insert(red.end(), {0, 0, 255});
  const ImageView src{red.data(), 4, 2, 12, PixelFormat::kBgr8};
  const LetterboxTarget t = make_target(4, 4, TensorLayout::kNCHW, DType::kFloat32, 0, false);
  std::vector<std::uint8_t> bytes(t.required_bytes());
  Letterboxer lb;
  ASSERT_TRUE(lb.configure(t).ok());
  ASSERT_TRUE(lb.run(src, bytes.data()).ok());
  const float* f = reinterpret_cast<const float*>(bytes.data());
  EXPECT_FLOAT_EQ(f[0], 114.0f / 255.0f);        // R plane, pad row 0
  EXPECT_FLOAT_EQ(f[4], 1.0f);                   // R plane, row 1 (content)
  EXPECT_FLOAT_EQ(f[16 + 4], 0.0f);              // G plane, content
  EXPECT_FLOAT_EQ(f[32 + 12], 114.0f / 255.0f);  // B plane, pad row 3
}

TEST(Letterbox, RejectsBadInputs) {
  Letterboxer lb;
  std::vector<std::uint8_t> buf(1024);
  const std::uint8_t px[3] = {1, 2, 3};
  EXPECT_FALSE(lb.run(ImageView{px, 1, 1, 3, PixelFormat::kBgr8}, buf.data()).ok());  // not configured
  LetterboxTarget t = make_target(8, 8, TensorLayout::kNHWC, DType::kUint8, 4, false);
  EXPECT_EQ(lb.configure(t).code(), StatusCode::kInvalidArgument);  // stride < width
  t = make_target(8, 8, TensorLayout::kNCHW, DType::kFloat32, 0, false);
  ASSERT_TRUE(lb.configure(t).ok());
  EXPECT_EQ(lb.run(ImageView{}, buf.data()).code(), StatusCode::kInvalidImage);
  EXPECT_EQ(lb.run(ImageView{px, 2, 1, 3, PixelFormat::kBgr8}, buf.data()).code(), StatusCode::kInvalidArgument);
  t.dtype = DType::kInt8;
  t.quant.scale = 0;
  EXPECT_FALSE(lb.configure(t).ok());
}

}  // namespace
}  // namespace rkyolo::core
