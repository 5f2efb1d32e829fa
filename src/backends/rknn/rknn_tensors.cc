#include "backends/rknn/rknn_tensors.h"

#include <sstream>

namespace rkyolo::rknn {

const char* type_name(int t) {
  switch (t) {
    case RKNN_TENSOR_FLOAT32: return "FP32";
    case RKNN_TENSOR_FLOAT16: return "FP16";
    case RKNN_TENSOR_INT8: return "INT8";
    case RKNN_TENSOR_UINT8: return "UINT8";
    case RKNN_TENSOR_INT16: return "INT16";
    case RKNN_TENSOR_INT32: return "INT32";
    default: return "OTHER";
  }
}

const char* fmt_name(int f) {
  switch (f) {
    case RKNN_TENSOR_NCHW: return "NCHW";
    case RKNN_TENSOR_NHWC: return "NHWC";
    case RKNN_TENSOR_NC1HWC2: return "NC1HWC2";
    default: return "UNDEFINED";
  }
}

const char* qnt_name(int q) {
  switch (q) {
    case RKNN_TENSOR_QNT_NONE: return "NONE";
    case RKNN_TENSOR_QNT_DFP: return "DFP";
    case RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC: return "AFFINE";
    default: return "?";
  }
}

std::string dims_string(const rknn_tensor_attr& a) {
  std::string d = "[";
  for (uint32_t i = 0; i < a.n_dims && i < RKNN_MAX_DIMS; ++i) d += (i ? ", " : "") + std::to_string(a.dims[i]);
  return d + "]";
}

std::string attr_string(const rknn_tensor_attr& a) {
  std::ostringstream os;
  os << a.name << " dims " << dims_string(a) << ' ' << fmt_name(a.fmt) << ' ' << type_name(a.type) << ' '
     << qnt_name(a.qnt_type) << " zp " << a.zp << " scale " << a.scale << " w_stride " << a.w_stride << " size "
     << a.size << " size_with_stride " << a.size_with_stride;
  return os.str();
}

TensorInfo tensor_info(const rknn_tensor_attr& logical, const rknn_tensor_attr& stored) {
  TensorInfo t;
  t.name = logical.name;
  const bool quantized = stored.qnt_type == RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC;
  t.quant.quantized = quantized;
  t.quant.scale = stored.scale;
  t.quant.zero_point = stored.zp;
  switch (stored.type) {
    case RKNN_TENSOR_INT8: t.dtype = DType::kInt8; break;
    case RKNN_TENSOR_UINT8: t.dtype = DType::kUint8; break;
    case RKNN_TENSOR_FLOAT32: t.dtype = DType::kFloat32; break;
    case RKNN_TENSOR_FLOAT16: t.dtype = DType::kFloat16; break;
    default: t.dtype = DType::kUnknown; break;
  }
  // Logical dims: N, C, H, W for 4-D tensors whatever the storage.
  if (logical.n_dims == 4 && logical.fmt == RKNN_TENSOR_NHWC)
    t.dims = {logical.dims[0], logical.dims[3], logical.dims[1], logical.dims[2]};
  else
    for (uint32_t i = 0; i < logical.n_dims && i < RKNN_MAX_DIMS; ++i) t.dims.push_back(logical.dims[i]);
  if (t.dims.size() == 4) {
    switch (stored.fmt) {
      case RKNN_TENSOR_NC1HWC2:
        t.layout = TensorLayout::kNC1HWC2;
        t.c2 = stored.n_dims == 5 ? static_cast<int>(stored.dims[4]) : 0;
        break;
      case RKNN_TENSOR_NHWC: t.layout = TensorLayout::kNHWC; break;
      default: t.layout = TensorLayout::kNCHW; break;
    }
    t.w_stride = static_cast<int>(stored.w_stride);
  } else {
    t.layout = TensorLayout::kFlat;
  }
  t.size_bytes = stored.size_with_stride != 0 ? stored.size_with_stride : stored.size;
  return t;
}

bool native_output_ok(const rknn_tensor_attr& logical, const rknn_tensor_attr& native, Message* why) {
  bool ok;
  if (logical.n_dims == 4) {
    const bool nhwc = logical.fmt == RKNN_TENSOR_NHWC;
    const uint32_t c = nhwc ? logical.dims[3] : logical.dims[1];
    const uint32_t h = nhwc ? logical.dims[1] : logical.dims[2];
    const uint32_t w = nhwc ? logical.dims[2] : logical.dims[3];
    switch (native.fmt) {
      case RKNN_TENSOR_NC1HWC2:
        ok = native.n_dims == 5 && native.dims[2] == h && native.dims[3] == w && native.dims[4] > 0 &&
             native.dims[1] * native.dims[4] >= c && (native.dims[1] - 1) * native.dims[4] < c;
        break;
      case RKNN_TENSOR_NHWC:
        ok = native.n_dims == 4 && native.dims[1] == h && native.dims[2] == w && native.dims[3] == c;
        break;
      default: ok = native.n_dims == 4 && native.dims[1] == c && native.dims[2] == h && native.dims[3] == w; break;
    }
  } else {
    const uint32_t bytes = native.size_with_stride != 0 ? native.size_with_stride : native.size;
    ok = native.fmt != RKNN_TENSOR_NC1HWC2 && native.n_elems == logical.n_elems && bytes == logical.n_elems;
  }
  if (ok) return true;
  *why = Message(MessageId::kRknnNativeOutputMismatch, {{"name", logical.name},
                                                        {"format", fmt_name(native.fmt)},
                                                        {"native_shape", dims_string(native)},
                                                        {"shape", dims_string(logical)}});
  return false;
}

}  // namespace rkyolo::rknn
