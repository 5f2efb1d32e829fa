// rkyolo: a non-owning view of an 8-bit interleaved image.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>

namespace rkyolo {

enum class PixelFormat : int {
  kBgr8 = 0,  // 3 channels, blue first (OpenCV's default)
  kRgb8 = 1,  // 3 channels, red first
};

inline int channels_of(PixelFormat) { return 3; }

// Pixels are not owned: the caller keeps them alive while the view is used.
// Rows start every `stride_bytes` bytes (>= width * 3), so crops and padded
// camera buffers work without a copy.
struct ImageView {
  const std::uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  std::size_t stride_bytes = 0;
  PixelFormat format = PixelFormat::kBgr8;

  bool empty() const { return data == nullptr || width <= 0 || height <= 0; }
  const std::uint8_t* row(int y) const { return data + static_cast<std::size_t>(y) * stride_bytes; }
};

// Creates a view of a tightly packed image (stride = width * 3).
inline ImageView make_image_view(const std::uint8_t* data, int width, int height,
                                 PixelFormat format = PixelFormat::kBgr8) {
  return ImageView{data, width, height, static_cast<std::size_t>(width) * 3, format};
}

std::ostream& operator<<(std::ostream& os, PixelFormat format);
std::ostream& operator<<(std::ostream& os, const ImageView& image);

}  // namespace rkyolo
