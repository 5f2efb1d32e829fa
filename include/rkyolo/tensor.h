// rkyolo: tensor descriptions shared by backends and post-processing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace rkyolo {

enum class DType : int { kFloat32 = 0, kFloat16, kInt8, kUint8, kInt16, kInt32, kInt64, kUnknown };

// Memory layout of a 4-D tensor whose logical shape is always N, C, H, W.
//  kNCHW    planar channels;
//  kNHWC    interleaved channels, rows every `w_stride` pixels;
//  kNC1HWC2 Rockchip's native layout: channels in blocks of C2, element
//           (c, h, w) at ((c / C2) * H * w_stride + h * w_stride + w) * C2 + c % C2.
//  kFlat    any other rank (e.g. (1, N, 85) or (1, 300, 6)), row-major.
enum class TensorLayout : int { kNCHW = 0, kNHWC, kNC1HWC2, kFlat };

// Affine quantization: real = (q - zero_point) * scale.
struct QuantParams {
  bool quantized = false;
  float scale = 1.0f;
  std::int32_t zero_point = 0;
};

std::size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);
const char* layout_name(TensorLayout layout);

struct TensorInfo {
  std::string name;
  // Logical dims. For 4-D tensors always N, C, H, W whatever the memory layout.
  std::vector<std::int64_t> dims;
  DType dtype = DType::kFloat32;
  TensorLayout layout = TensorLayout::kFlat;
  QuantParams quant;
  int c2 = 0;                  // channel block for kNC1HWC2
  int w_stride = 0;            // pixels stored per row (0 = width)
  std::size_t size_bytes = 0;  // bytes of the buffer, padding included

  std::int64_t element_count() const;
  // Convenience accessors for 4-D tensors (0 when not 4-D).
  std::int64_t channels() const { return dims.size() == 4 ? dims[1] : 0; }
  std::int64_t height() const { return dims.size() == 4 ? dims[2] : 0; }
  std::int64_t width() const { return dims.size() == 4 ? dims[3] : 0; }
  int row_pitch() const { return w_stride > 0 ? w_stride : static_cast<int>(width()); }
};

// A tensor's bytes plus its description. Non-owning.
struct TensorView {
  const void* data = nullptr;
  const TensorInfo* info = nullptr;
};

std::string shape_string(const std::vector<std::int64_t>& dims);
std::ostream& operator<<(std::ostream& os, const TensorInfo& info);

}  // namespace rkyolo
