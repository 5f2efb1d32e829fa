// Shared by the letterbox tests: targets of every kind and the byte-for-byte
// comparison of the optimized paths (SIMD and portable) with the reference.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/letterbox.h"

namespace rkyolo::core {

inline LetterboxTarget make_target(int w, int h, TensorLayout layout, DType dtype, int stride, bool affine_lut) {
  LetterboxTarget t;
  t.width = w;
  t.height = h;
  t.layout = layout;
  t.dtype = dtype;
  t.row_stride_pixels = stride;
  t.quant.quantized = dtype == DType::kInt8;
  if (affine_lut) {  // per-channel normalization: the generic table path
    const float mean[3] = {123.7f, 116.3f, 103.5f}, stdv[3] = {58.4f, 57.1f, 57.4f};
    for (int c = 0; c < 3; ++c) t.mean[c] = mean[c], t.std[c] = stdv[c];
    t.quant.scale = 0.0187f;
    t.quant.zero_point = 3;
  } else {  // mean 0, std 255, scale 1/255, zp -128: q = p - 128
    t.quant.scale = 1.0f / 255.0f;
    t.quant.zero_point = -128;
  }
  return t;
}

inline constexpr std::uint8_t kSentinel = 0xCD;

// Runs both paths into sentinel-filled buffers; they must match byte for byte.
// Both optimized paths are checked: explicit SIMD (when the CPU has it) and
// the portable loops.
inline void expect_same_as_reference(const ImageView& src, const LetterboxTarget& t, const std::string& what_in) {
  for (bool simd : {true, false}) {
    const std::string what = what_in + (simd ? " [simd]" : " [portable]");
    std::vector<std::uint8_t> ref(t.required_bytes(), kSentinel), opt(t.required_bytes(), kSentinel);
    letterbox_ref(src, t, ref.data());
    Letterboxer lb;
    ASSERT_TRUE(lb.configure(t).ok());
    lb.set_simd_enabled(simd);
    ASSERT_TRUE(lb.run(src, opt.data()).ok()) << what;
    ASSERT_EQ(ref.size(), opt.size());
    for (std::size_t i = 0; i < ref.size(); ++i)
      if (ref[i] != opt[i])
        FAIL() << what << ": first difference at byte " << i << ": ref " << int(ref[i]) << " opt " << int(opt[i]);
    // NHWC row padding beyond the width is never written (NPU buffers).
    if (t.layout == TensorLayout::kNHWC && t.pitch() > t.width) {
      const std::size_t elem = dtype_size(t.dtype);
      for (int y = 0; y < t.height; ++y)
        for (std::size_t b = static_cast<std::size_t>(t.width) * 3 * elem;
             b < static_cast<std::size_t>(t.pitch()) * 3 * elem; ++b)
          ASSERT_EQ(opt[y * t.pitch() * 3 * elem + b], kSentinel) << what << ": padding written in row " << y;
    }
    // A second run on the same size reuses the cached transform.
    std::vector<std::uint8_t> again(t.required_bytes(), kSentinel);
    ASSERT_TRUE(lb.run(src, again.data()).ok());
    EXPECT_EQ(again, opt) << what << ": second run differs";
  }
}

}  // namespace rkyolo::core
