// rkyolo: helpers shared by the per-family decoders (not a public header).
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

#include "core/decode.h"
#include "core/quantize.h"

namespace rkyolo::core::detail {

// Element-type traits: float tensors compare floats, quantized tensors
// compare their raw integers against a threshold quantized once per model.
template <typename T>
struct Elem {
  static constexpr bool kQuantized = !std::is_same_v<T, float>;
  static float deq(T v, const QuantParams& q) {
    if constexpr (kQuantized)
      return dequantize(static_cast<std::int32_t>(v), q.scale, q.zero_point);
    else
      return v;
  }
  static T lowest() { return std::numeric_limits<T>::lowest(); }
};

// Raw gate: a float threshold for float tensors, an integer one otherwise.
struct Gate {
  float f = 0;
  int q = 0;
  template <typename T>
  bool pass(T v) const {
    if constexpr (Elem<T>::kQuantized)
      return static_cast<int>(v) >= q;
    else
      return v >= f;
  }
};

// Gate for "dequantized value >= threshold".
inline Gate make_gate(const TensorAccess& a, float threshold) {
  Gate g;
  g.f = threshold;
  if (a.dtype != DType::kFloat32) g.q = quantized_threshold(threshold, a.quant.scale, a.quant.zero_point);
  return g;
}

// Largest value a tensor can represent once dequantized (int tensors), or
// `fallback` for float tensors.
inline float max_representable(const TensorAccess& a, float fallback) {
  if (a.dtype == DType::kInt8) return dequantize(127, a.quant.scale, a.quant.zero_point);
  if (a.dtype == DType::kUint8) return dequantize(255, a.quant.scale, a.quant.zero_point);
  return fallback;
}

// Calls fn.template operator()<T>() with T matching the tensor's element type.
template <typename Fn>
Status dispatch_dtype(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kFloat32: return fn.template operator()<float>();
    case DType::kInt8: return fn.template operator()<std::int8_t>();
    case DType::kUint8: return fn.template operator()<std::uint8_t>();
    default: return internal_error(MessageId::kDecodeElementType);
  }
}

}  // namespace rkyolo::core::detail
