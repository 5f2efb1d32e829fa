// rkyolo: the YUV -> RGB conversion of the fused letterbox, defined once in
// fixed point and used by the scalar reference, the portable path and the
// SIMD kernels (which compute the same integers).
//
// Sampling order: the letterbox resizes the Y plane and the chroma plane(s)
// bilinearly (chroma as a half-size image, centre-sited like JPEG/MPEG-1,
// which is also where OpenCV's nearest-neighbour upsampling puts it), keeps
// 6 fraction bits of each resized sample, and converts once per output
// pixel. Converting first (cvtColor, then resize) would convert every source
// pixel the vertical pass reads (2 rows of 1920 per output row at 1080p ->
// 640) instead of 640 output pixels, 3x the work, and needs a full-width
// RGB row buffer. The conversion is affine, so the two orders agree exactly
// except (a) where the convert-first path clamps a saturated colour before
// blending, (b) chroma edges, where OpenCV replicates each chroma sample
// over 2x2 pixels before resizing and we interpolate it, and (c) one final
// rounding instead of two. Measured against cv::cvtColor(NV12 -> BGR) +
// cv::resize + copyMakeBorder on photos at 1080p -> 640 (tests/
// test_letterbox_opencv.cc): mean 0.27 / 0.13 grey levels, max 27 / 10 at
// sharp colour edges (bus.jpg / zidane.jpg); where the chroma is flat the
// conversions agree within 1. (cvtColor also clamps Y below 16 to black;
// the ITU-R formula, followed here, lets it go below before the final clamp.)
#pragma once

#include <algorithm>
#include <cstdint>

#include "rkyolo/image.h"

namespace rkyolo::core {

// Coefficients in 13-bit fixed point (the largest, BT.709 limited-range
// 2.112 * 2^13 = 17305, still fits an int16 for the SIMD multiplies).
constexpr int kYuvCoefBits = 13;
// Resized Y, U, V keep 6 fraction bits: the bilinear sum has 18 (7-bit
// vertical x 11-bit horizontal weights), rounded once to 6.
constexpr int kYuvFracBits = 6;
constexpr int kYuvSampleShift = 18 - kYuvFracBits;
constexpr int kYuvSampleBias = 1 << (kYuvSampleShift - 1);
constexpr int kYuvShift = kYuvCoefBits + kYuvFracBits;
constexpr int kYuvBias = 1 << (kYuvShift - 1);
constexpr int kChromaZero = 128 << kYuvFracBits;

// R = cy (Y - y_zero) + crv V', G = cy (Y - y_zero) - cgu U' - cgv V',
// B = cy (Y - y_zero) + cbu U' with U' = U - 128, V' = V - 128.
struct YuvCoeffs {
  int y_zero;  // 16 << 6 (limited range) or 0 (full range)
  int cy, crv, cgu, cgv, cbu;
};

constexpr int yuv_fixed(double v) {
  return static_cast<int>(v * (1 << kYuvCoefBits) + 0.5);
}

// From the matrix's luma weights Kr, Kb (ITU-R BT.601 / BT.709): limited
// range stretches Y by 255/219 and chroma by 255/224.
constexpr YuvCoeffs make_yuv_coeffs(double kr, double kb, bool full_range) {
  const double kg = 1.0 - kr - kb;
  const double ys = full_range ? 1.0 : 255.0 / 219.0, cs = full_range ? 1.0 : 255.0 / 224.0;
  return YuvCoeffs{full_range ? 0 : 16 << kYuvFracBits,    yuv_fixed(ys),
                   yuv_fixed(cs * 2 * (1 - kr)),           yuv_fixed(cs * 2 * (1 - kb) * kb / kg),
                   yuv_fixed(cs * 2 * (1 - kr) * kr / kg), yuv_fixed(cs * 2 * (1 - kb))};
}

constexpr double kBt601Kr = 0.299, kBt601Kb = 0.114;
constexpr double kBt709Kr = 0.2126, kBt709Kb = 0.0722;

inline YuvCoeffs yuv_coeffs(YuvMatrix matrix, bool full_range) {
  return matrix == YuvMatrix::kBt709 ? make_yuv_coeffs(kBt709Kr, kBt709Kb, full_range)
                                     : make_yuv_coeffs(kBt601Kr, kBt601Kb, full_range);
}

struct Rgb8 {
  std::uint8_t r, g, b;
};

// y, u, v carry kYuvFracBits fraction bits (0 .. 255 << 6).
inline Rgb8 yuv_to_rgb(int y, int u, int v, const YuvCoeffs& k) {
  const int luma = (y - k.y_zero) * k.cy;
  const int cu = u - kChromaZero, cv = v - kChromaZero;
  auto out = [](int sum) { return static_cast<std::uint8_t>(std::clamp((sum + kYuvBias) >> kYuvShift, 0, 255)); };
  return Rgb8{out(luma + k.crv * cv), out(luma - k.cgu * cu - k.cgv * cv), out(luma + k.cbu * cu)};
}

}  // namespace rkyolo::core
