// rkyolo: a non-owning view of an 8-bit image: interleaved BGR/RGB (what
// image decoders give) or planar YUV 4:2:0 (what video decoders give).
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>

namespace rkyolo {

enum class PixelFormat : int {
  kBgr8 = 0,     // 3 interleaved channels, blue first (OpenCV's default)
  kRgb8 = 1,     // 3 interleaved channels, red first
  kNv12 = 2,     // Y plane, then one plane of interleaved U,V at half width and height (hardware decoders)
  kYuv420p = 3,  // Y, U, V planes; U and V at half width and height (software H.264/HEVC decoders)
};

// Channels of the colour image the view stands for (3 for every format).
inline int channels_of(PixelFormat) {
  return 3;
}
inline bool is_yuv420(PixelFormat format) {
  return format == PixelFormat::kNv12 || format == PixelFormat::kYuv420p;
}

// How a YUV view's values map to RGB: BT.601 (SD, most cameras) or BT.709
// (HD video), limited range (Y 16..235) or full range (0..255, JPEG).
enum class YuvMatrix : int { kBt601 = 0, kBt709 = 1 };

// Pixels are not owned: the caller keeps them alive while the view is used.
// Rows start every `stride_bytes` bytes (>= width * 3 interleaved, >= width
// for the Y plane), so crops and padded camera or decoder buffers work
// without a copy. YUV 4:2:0 views need even width and height.
struct ImageView {
  const std::uint8_t* data = nullptr;  // interleaved pixels, or the Y plane
  int width = 0;
  int height = 0;
  std::size_t stride_bytes = 0;
  PixelFormat format = PixelFormat::kBgr8;
  // YUV 4:2:0 only: kNv12 uses chroma[0] (interleaved UV); kYuv420p uses
  // chroma[0] = U and chroma[1] = V.
  const std::uint8_t* chroma[2] = {nullptr, nullptr};
  std::size_t chroma_stride[2] = {0, 0};
  YuvMatrix matrix = YuvMatrix::kBt601;
  bool full_range = false;

  bool empty() const { return data == nullptr || width <= 0 || height <= 0; }
  const std::uint8_t* row(int y) const { return data + static_cast<std::size_t>(y) * stride_bytes; }
};

// Creates a view of a tightly packed interleaved image (stride = width * 3).
inline ImageView make_image_view(const std::uint8_t* data, int width, int height,
                                 PixelFormat format = PixelFormat::kBgr8) {
  return ImageView{data, width, height, static_cast<std::size_t>(width) * 3, format};
}

std::ostream& operator<<(std::ostream& os, PixelFormat format);
std::ostream& operator<<(std::ostream& os, const ImageView& image);

}  // namespace rkyolo
