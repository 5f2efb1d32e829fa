// Zero-copy set-up (the letterbox writes into NPU memory, outputs decoded
// in place) and the standard copy path it degrades to.
#include <sstream>

#include "backends/rknn/rknn_context.h"
#include "backends/rknn/rknn_tensors.h"
#include "rkyolo/log.h"

namespace rkyolo::rknn {

namespace {

// Whether the CPU may quantize pixels for this int8 input with the configured
// mean/std: a model converted with mean M and std S and calibrated on images
// maps pixel 0 near -128 and 255 near 127. Other mean/std (the defaults 0 /
// 255 for a model converted with ImageNet's, say) would feed wrong values
// silently, so they are refused with the figures.
std::string number_text(float value) {
  std::ostringstream o;
  o << value;
  return o.str();
}

bool int8_input_fits(const rknn_tensor_attr& a, const RknnOptions& st, Message* why) {
  constexpr float kSlack = 16.f;  // int8 levels: calibration need not span exactly 0..255
  if (a.type != RKNN_TENSOR_INT8 || a.qnt_type != RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC) {
    *why = Message(MessageId::kRknnInt8InputType, {{"type", type_name(a.type)}});
    return false;
  }
  if (!(a.scale > 0)) {
    *why = Message(MessageId::kRknnInt8NoScale);
    return false;
  }
  for (int c = 0; c < 3; ++c) {
    const float lo = (0.f - st.mean[c]) / st.std[c] / a.scale + static_cast<float>(a.zp);
    const float hi = (255.f - st.mean[c]) / st.std[c] / a.scale + static_cast<float>(a.zp);
    if (lo > -128.f + kSlack || lo < -128.f - 4 * kSlack || hi < 127.f - kSlack || hi > 127.f + 4 * kSlack) {
      *why = Message(MessageId::kRknnInt8Mismatch, {{"scale", number_text(a.scale)},
                                                    {"zero_point", a.zp},
                                                    {"mean", number_text(st.mean[c])},
                                                    {"std", number_text(st.std[c])},
                                                    {"channel", c},
                                                    {"low", number_text(lo)},
                                                    {"high", number_text(hi)}});
      return false;
    }
  }
  return true;
}

}  // namespace

bool RknnBackend::setup_zero_copy(Message* why) {
  const SharedModel& s = *shared_;
  const Functions& fn = s.runtime->fn();
  if (!s.runtime->has_zero_copy()) {
    *why = Message(MessageId::kRknnNoZeroCopyApi);
    return false;
  }
  if (!s.have_native) {
    *why = Message(MessageId::kRknnNoNativeAttrs);
    return false;
  }
  const rknn_tensor_attr& nat = s.in_native;
  const int c = static_cast<int>(nat.dims[3]);
  const int w = static_cast<int>(nat.dims[2]);
  const bool int8_model = nat.type == RKNN_TENSOR_INT8 && nat.qnt_type == RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC;
  // (a) the NPU normalizes uint8 itself: int8 model, 1/3/4 channels, aligned width (w_stride == width);
  // (b) otherwise the CPU writes int8 bit patterns with w_stride rows.
  const bool npu_can_convert =
      int8_model && (c == 1 || c == 3 || c == 4) && (nat.w_stride == 0 || static_cast<int>(nat.w_stride) == w);
  if (s.options.input == RknnInput::kUint8)
    strategy_ = InputStrategy::kUint8;
  else if (s.options.input == RknnInput::kInt8)
    strategy_ = InputStrategy::kInt8;
  else
    strategy_ = npu_can_convert ? InputStrategy::kUint8 : InputStrategy::kInt8;
  if (strategy_ == InputStrategy::kInt8 && !int8_input_fits(nat, s.options, why)) return false;
  for (std::size_t i = 0; i < s.out_native.size(); ++i)
    if (!native_output_ok(s.out_attrs[i], s.out_native[i], why)) return false;
  const int row = nat.w_stride != 0 ? static_cast<int>(nat.w_stride) : w;
  const uint32_t in_bytes = nat.size_with_stride != 0
                                ? nat.size_with_stride
                                : static_cast<uint32_t>(nat.dims[1]) * static_cast<uint32_t>(row * c);
  rknn_tensor_mem* m = fn.create_mem(ctx_->get(), in_bytes);
  if (m == nullptr) {
    *why = Message(MessageId::kRknnInputMemNull, {{"bytes", in_bytes}});
    return false;
  }
  in_mem_ = MemOwner(s.runtime, ctx_->get(), m);
  rknn_tensor_attr attr = nat;
  attr.type = strategy_ == InputStrategy::kUint8 ? RKNN_TENSOR_UINT8 : RKNN_TENSOR_INT8;
  attr.fmt = RKNN_TENSOR_NHWC;
  attr.pass_through = strategy_ == InputStrategy::kUint8 ? 0 : 1;
  int rc = fn.set_io_mem(ctx_->get(), m, &attr);
  if (rc != RKNN_SUCC) {
    *why = describe_error("rknn_set_io_mem (input)", rc);
    return false;
  }
  info_.outputs.clear();
  for (std::size_t i = 0; i < s.out_native.size(); ++i) {
    rknn_tensor_attr oa = s.out_native[i];
    if (oa.type != RKNN_TENSOR_INT8 || oa.qnt_type != RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC) {
      *why = Message(MessageId::kRknnOutputNotInt8, {{"name", oa.name}, {"type", type_name(oa.type)}});
      return false;
    }
    const uint32_t bytes = oa.size_with_stride != 0 ? oa.size_with_stride : oa.size;
    rknn_tensor_mem* om = fn.create_mem(ctx_->get(), bytes);
    if (om == nullptr) {
      *why = Message(MessageId::kRknnOutputMemNull, {{"bytes", bytes}, {"name", oa.name}});
      return false;
    }
    out_mems_.emplace_back(s.runtime, ctx_->get(), om);
    if ((rc = fn.set_io_mem(ctx_->get(), om, &oa)) != RKNN_SUCC) {
      *why = describe_error("rknn_set_io_mem (output)", rc);
      return false;
    }
    info_.outputs.push_back(tensor_info(s.out_attrs[i], oa));
    info_.outputs.back().size_bytes = bytes;
  }
  manual_sync_ = s.options.cache == RknnCache::kManual && fn.mem_sync != nullptr;
  InputCaps& in = caps_.input;
  in.width = w;
  in.height = static_cast<int>(nat.dims[1]);
  in.channels = c;
  in.layout = TensorLayout::kNHWC;
  in.dtype = strategy_ == InputStrategy::kUint8 ? DType::kUint8 : DType::kInt8;
  in.color = PixelFormat::kRgb8;
  in.quant = QuantParams{true, nat.scale, nat.zp};
  for (int k = 0; k < 3; ++k) in.mean[k] = s.options.mean[k], in.std[k] = s.options.std[k];
  in.row_stride_pixels = row;
  in.size_bytes = in_bytes;
  in.zero_copy = true;
  caps_.zero_copy_outputs = true;
  return true;
}

void RknnBackend::release_zero_copy() {
  out_mems_.clear();  // MemOwner destroys each
  in_mem_.reset();
  info_.outputs.clear();
  caps_.zero_copy_outputs = false;
}

void RknnBackend::setup_standard() {
  const SharedModel& s = *shared_;
  mode_ = IoMode::kStandard;
  manual_sync_ = false;
  const rknn_tensor_attr& a = s.in_attr;
  const bool nhwc = a.fmt == RKNN_TENSOR_NHWC;
  const int h = static_cast<int>(nhwc ? a.dims[1] : a.dims[2]);
  const int w = static_cast<int>(nhwc ? a.dims[2] : a.dims[3]);
  const int c = static_cast<int>(nhwc ? a.dims[3] : a.dims[1]);
  // UINT8 with pass_through = 0: the runtime normalizes and quantizes. INT8
  // (asked for with rknn_input=int8) is pass_through = 1, the native layout:
  // rows every w_stride pixels.
  strategy_ = InputStrategy::kUint8;
  int row = w;
  if (s.options.input == RknnInput::kInt8) {
    Message why;
    const rknn_tensor_attr& nat = s.have_native ? s.in_native : s.in_attr;
    if (int8_input_fits(nat, s.options, &why)) {
      strategy_ = InputStrategy::kInt8;
      row = s.have_native && nat.w_stride != 0 ? static_cast<int>(nat.w_stride) : w;
    } else if (!shared_->decision->decided) {
      log_message(LogLevel::kWarning, Message(MessageId::kRknnInt8InputImpossible, {{"reason", std::move(why)}}));
    }
  }
  host_input_.assign(static_cast<std::size_t>(h) * row * c, 0);
  InputCaps& in = caps_.input;
  in.width = w;
  in.height = h;
  in.channels = c;
  in.layout = TensorLayout::kNHWC;
  in.dtype = strategy_ == InputStrategy::kUint8 ? DType::kUint8 : DType::kInt8;
  in.color = PixelFormat::kRgb8;
  in.quant = strategy_ == InputStrategy::kInt8 && s.have_native ? QuantParams{true, s.in_native.scale, s.in_native.zp}
                                                                : QuantParams{true, a.scale, a.zp};
  for (int k = 0; k < 3; ++k) in.mean[k] = s.options.mean[k], in.std[k] = s.options.std[k];
  in.row_stride_pixels = row;
  in.size_bytes = host_input_.size();
  in.zero_copy = false;
  fetched_ = std::make_unique<OutputsOwner>(s.runtime, ctx_->get(), s.out_attrs.size());
  host_outputs_.assign(s.out_attrs.size(), {});
  info_.outputs.clear();
  for (std::size_t i = 0; i < s.out_attrs.size(); ++i) {
    rknn_tensor_attr oa = s.out_attrs[i];
    const bool quantized = oa.type == RKNN_TENSOR_INT8 && oa.qnt_type == RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC;
    rknn_output& o = fetched_->data()[i];
    o = rknn_output{};
    o.want_float = quantized ? 0 : 1;  // int8 stays int8: decoded in the quantized domain
    o.is_prealloc = 1;
    o.index = static_cast<uint32_t>(i);
    host_outputs_[i].assign(static_cast<std::size_t>(oa.n_elems) * (quantized ? 1 : 4), 0);
    o.buf = host_outputs_[i].data();
    o.size = static_cast<uint32_t>(host_outputs_[i].size());
    if (!quantized) {
      oa.type = RKNN_TENSOR_FLOAT32;
      oa.qnt_type = RKNN_TENSOR_QNT_NONE;
    }
    oa.size_with_stride = o.size;
    oa.w_stride = 0;
    info_.outputs.push_back(tensor_info(s.out_attrs[i], oa));
  }
  caps_.zero_copy_outputs = false;
}

}  // namespace rkyolo::rknn
