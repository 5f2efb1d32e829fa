#include <gtest/gtest.h>

#include <cstring>

#include "core/quantize.h"

namespace rkyolo::core {
namespace {

TEST(Quantize, AffineRoundTrip) {
  // mean 0 / std 255 models: scale 1/255, zp -128, q = pixel - 128.
  const float scale = 1.0f / 255.0f;
  for (int p = 0; p < 256; ++p) EXPECT_EQ(quantize_i8(p / 255.0f, scale, -128), p - 128) << p;
  EXPECT_EQ(quantize_i8(10.0f, 0.01f, 0), 127);    // saturates high
  EXPECT_EQ(quantize_i8(-10.0f, 0.01f, 0), -128);  // saturates low
  EXPECT_EQ(quantize_i8(0.015f, 0.01f, 0), 2);     // half away from zero
  EXPECT_FLOAT_EQ(dequantize(-118, scale, -128), 10 * scale);
}

TEST(Quantize, Int8BitPatternsNotSaturated) {
  EXPECT_EQ(int8_bits(static_cast<std::int8_t>(-10)), 246);
  EXPECT_EQ(int8_bits(static_cast<std::int8_t>(-128)), 0x80);
  EXPECT_EQ(int8_bits(static_cast<std::int8_t>(127)), 0x7F);
}

TEST(Quantize, ThresholdIsTheSmallestPassingCode) {
  const float scales[] = {0.003921f, 0.0125f, 0.1f, 1.7f};
  const int zps[] = {-128, -60, 0, 17};
  const float thresholds[] = {0.0f, 0.001f, 0.25f, 0.5f, 0.9999f};
  for (float s : scales)
    for (int zp : zps)
      for (float t : thresholds) {
        const int q = quantized_threshold(t, s, zp);
        EXPECT_GE(dequantize(q, s, zp), t);
        EXPECT_LT(dequantize(q - 1, s, zp), t);
      }
  EXPECT_EQ(quantized_threshold(-1e9f, 0.01f, 0), -1024);  // everything passes
  EXPECT_EQ(quantized_threshold(1e9f, 0.01f, 0), 1024);    // nothing passes
}

}  // namespace
}  // namespace rkyolo::core
