// rkyolo: explicit SIMD kernels of the horizontal letterbox pass (x86-64
// AVX2, chosen at run time). Bit-exact with the scalar reference: the same
// fixed-point products and the same single rounding.
#pragma once

#include <cstdint>

namespace rkyolo::core::simd {

// True when this CPU can run the kernels below (checked once).
bool have_avx2();

// Per output pixel: the int16 offset of its first source pixel in the
// vertically blended row (3 * sx), and its weights laid out for the kernel.
// `weights` holds, per group of 8 pixels, 4 x 32 bytes: for k = 0..3 the
// int16 vectors [a0 a1 a0 a1 a0 a1 0 0] of pixel k and of pixel k + 4.
struct HorizontalPlan {
  const std::int32_t* index = nullptr;  // n entries
  const std::int16_t* weights = nullptr;  // (n / 8) * 64 entries
  int n = 0;                              // pixels handled (a multiple of 8)
  int swap = 0;                           // source BGR to tensor RGB (or back)
};

// out[3x + c] = (a0 * v[i + sc] + a1 * v[i + 3 + sc] + 2^17) >> 18 for the
// plan's pixels; writes 3 * n bytes and may touch 4 more (scratch).
// xor_mask 0x80 turns the bytes into int8 q = p - 128 bit patterns.
void hblend_interleaved_avx2(const std::int16_t* v, const HorizontalPlan& plan, std::uint8_t* out, std::uint8_t xor_mask);

// Planar float: plane c, pixel x = (p - mean[c]) / std[c].
void hblend_planar_f32_avx2(const std::int16_t* v, const HorizontalPlan& plan, float* plane0, float* plane1, float* plane2,
                            const float mean[3], const float stdv[3]);

// Vertical blend with 7-bit weights (b0 + b1 = 128): out = b0 * s0 + b1 * s1.
void vblend_avx2(const std::uint8_t* s0, const std::uint8_t* s1, int b0, int b1, std::int16_t* out, int n);

}  // namespace rkyolo::core::simd
