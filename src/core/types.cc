// Small value-type helpers of the public headers (tensor, image, detection).
#include <algorithm>
#include <sstream>

#include "rkyolo/detection.h"
#include "rkyolo/image.h"
#include "rkyolo/tensor.h"

namespace rkyolo {

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return 4;
    case DType::kFloat16: return 2;
    case DType::kInt8: return 1;
    case DType::kUint8: return 1;
    case DType::kInt16: return 2;
    case DType::kInt32: return 4;
    case DType::kInt64: return 8;
    case DType::kUnknown: return 0;
  }
  return 0;
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return "float32";
    case DType::kFloat16: return "float16";
    case DType::kInt8: return "int8";
    case DType::kUint8: return "uint8";
    case DType::kInt16: return "int16";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kUnknown: return "unknown";
  }
  return "unknown";
}

const char* layout_name(TensorLayout layout) {
  switch (layout) {
    case TensorLayout::kNCHW: return "NCHW";
    case TensorLayout::kNHWC: return "NHWC";
    case TensorLayout::kNC1HWC2: return "NC1HWC2";
    case TensorLayout::kFlat: return "flat";
  }
  return "?";
}

std::int64_t TensorInfo::element_count() const {
  if (dims.empty()) return 0;
  std::int64_t n = 1;
  for (auto d : dims) n *= std::max<std::int64_t>(d, 0);
  return n;
}

std::string shape_string(const std::vector<std::int64_t>& dims) {
  std::ostringstream os;
  os << '(';
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) os << ", ";
    if (dims[i] < 0)
      os << '?';
    else
      os << dims[i];
  }
  if (dims.size() == 1) os << ',';
  os << ')';
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const TensorInfo& info) {
  os << (info.name.empty() ? "<unnamed>" : info.name) << ' ' << shape_string(info.dims) << ' ' << dtype_name(info.dtype)
     << ' ' << layout_name(info.layout);
  if (info.layout == TensorLayout::kNC1HWC2) os << "(C2=" << info.c2 << ')';
  if (info.quant.quantized) os << " scale=" << info.quant.scale << " zp=" << info.quant.zero_point;
  if (info.w_stride > 0 && info.w_stride != info.width()) os << " w_stride=" << info.w_stride;
  return os;
}

std::ostream& operator<<(std::ostream& os, PixelFormat format) {
  switch (format) {
    case PixelFormat::kBgr8: return os << "BGR";
    case PixelFormat::kRgb8: return os << "RGB";
    case PixelFormat::kNv12: return os << "NV12";
    case PixelFormat::kYuv420p: return os << "YUV420P";
  }
  return os << "PixelFormat(" << static_cast<int>(format) << ')';
}

std::ostream& operator<<(std::ostream& os, const ImageView& image) {
  os << "ImageView{" << image.width << 'x' << image.height << ' ' << image.format << " stride=" << image.stride_bytes;
  if (is_yuv420(image.format)) {
    os << " chroma_stride=" << image.chroma_stride[0];
    if (image.format == PixelFormat::kYuv420p) os << ',' << image.chroma_stride[1];
    os << (image.matrix == YuvMatrix::kBt709 ? " BT.709" : " BT.601") << (image.full_range ? " full" : " limited");
  }
  return os << '}';
}

float iou(const Box& a, const Box& b) {
  const float ix1 = std::max(a.x1, b.x1), iy1 = std::max(a.y1, b.y1);
  const float ix2 = std::min(a.x2, b.x2), iy2 = std::min(a.y2, b.y2);
  const float inter = (ix2 > ix1 && iy2 > iy1) ? (ix2 - ix1) * (iy2 - iy1) : 0.0f;
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0f;
}

std::ostream& operator<<(std::ostream& os, const Box& box) {
  return os << '[' << box.x1 << ", " << box.y1 << ", " << box.x2 << ", " << box.y2 << ']';
}

std::ostream& operator<<(std::ostream& os, const Detection& det) {
  os << "Detection{class=" << det.class_id;
  if (!det.label.empty()) os << " '" << det.label << '\'';
  os << " score=" << det.score << " box=" << det.box;
  if (det.track_id >= 0) os << " track=" << det.track_id;
  return os << '}';
}

}  // namespace rkyolo
