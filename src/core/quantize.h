// rkyolo: affine int8 quantization, the one definition every component uses
// (letterbox, decode, NPU emulator), so all paths agree bit for bit.
#pragma once

#include <cmath>
#include <cstdint>

#include "rkyolo/tensor.h"

namespace rkyolo::core {

// q = clamp(round(real / scale) + zero_point, -128, 127); round half away from zero.
inline std::int8_t quantize_i8(float real, float scale, std::int32_t zero_point) {
  const float q = std::round(real / scale) + static_cast<float>(zero_point);
  if (!(q > -128.0f)) return -128;  // also maps NaN to -128
  if (q >= 127.0f) return 127;
  return static_cast<std::int8_t>(q);
}

inline float dequantize(std::int32_t q, float scale, std::int32_t zero_point) {
  return static_cast<float>(q - zero_point) * scale;
}

// Smallest q whose dequantized value is >= threshold (may be outside int8:
// callers compare against an int). Used to test scores in the quantized domain.
inline int quantized_threshold(float threshold, float scale, std::int32_t zero_point) {
  // ceil(thresh / scale + zp), corrected for float rounding at the edge.
  // Callers guarantee scale > 0 (checked when the model is loaded).
  const double raw = std::ceil(static_cast<double>(threshold) / scale + zero_point);
  if (!(raw > -1024.0)) return -1024;  // below every int8: everything passes
  if (raw > 1024.0) return 1024;       // above every int8: nothing passes
  int q = static_cast<int>(raw);
  for (int i = 0; i < 4 && dequantize(q - 1, scale, zero_point) >= threshold; ++i) --q;
  for (int i = 0; i < 4 && dequantize(q, scale, zero_point) < threshold; ++i) ++q;
  return q;
}

// Bit pattern of an int8 stored in a byte buffer: two's complement, never a
// saturating conversion ((uint8_t)-10 == 246).
inline std::uint8_t int8_bits(std::int8_t v) {
  return static_cast<std::uint8_t>(v);
}

}  // namespace rkyolo::core
