#include "core/decode.h"

#include <algorithm>
#include <cmath>

#include "core/decode_internal.h"

namespace rkyolo::core {

Status TensorAccess::make(const TensorInfo& info, TensorAccess* out) {
  TensorAccess a;
  a.dtype = info.dtype;
  a.quant = info.quant;
  const std::string name = info.name.empty() ? std::string("<unnamed>") : "'" + info.name + "'";
  if (info.dtype != DType::kFloat32 && info.dtype != DType::kInt8 && info.dtype != DType::kUint8)
    return unsupported_model(MessageId::kDecodeOutputDtype, {{"name", name}, {"dtype", dtype_name(info.dtype)}});
  if (info.dtype != DType::kFloat32 && !(info.quant.scale > 0 && std::isfinite(info.quant.scale)))
    return unsupported_model(MessageId::kDecodeOutputNoScale, {{"name", name}, {"dtype", dtype_name(info.dtype)}});
  for (auto d : info.dims)
    if (d <= 0)
      return unsupported_model(MessageId::kDecodeOutputDynamic, {{"name", name}, {"shape", shape_string(info.dims)}});
  std::size_t needed = 0;
  if (info.dims.size() == 4) {
    a.channels = static_cast<int>(info.dims[1]);
    a.height = static_cast<int>(info.dims[2]);
    a.width = static_cast<int>(info.dims[3]);
    a.pitch = info.row_pitch();
    if (a.pitch < a.width) return unsupported_model(MessageId::kDecodeOutputPitch, {{"name", name}});
    a.channel_offset.resize(a.channels);
    const std::size_t plane = static_cast<std::size_t>(a.height) * a.pitch;
    switch (info.layout) {
      case TensorLayout::kNHWC:
        a.cell_step = a.channels;
        for (int c = 0; c < a.channels; ++c) a.channel_offset[c] = c;
        needed = plane * a.channels;
        break;
      case TensorLayout::kNC1HWC2: {
        if (info.c2 <= 0) return unsupported_model(MessageId::kDecodeOutputNoC2, {{"name", name}});
        a.cell_step = info.c2;
        for (int c = 0; c < a.channels; ++c)
          a.channel_offset[c] = static_cast<std::size_t>(c / info.c2) * plane * info.c2 + c % info.c2;
        const std::size_t c1 = (a.channels + info.c2 - 1) / info.c2;
        needed = c1 * plane * info.c2;
        break;
      }
      default:  // NCHW (and plain 4-D)
        a.cell_step = 1;
        for (int c = 0; c < a.channels; ++c) a.channel_offset[c] = c * plane;
        needed = plane * a.channels;
        break;
    }
  } else if (info.dims.size() == 3 || info.dims.size() == 2) {
    a.rows = info.dims[info.dims.size() - 2];
    a.cols = info.dims[info.dims.size() - 1];
    needed = static_cast<std::size_t>(a.rows * a.cols);
    if (info.dims.size() == 3 && info.dims[0] != 1)
      return unsupported_model(MessageId::kDecodeOutputBatch, {{"name", name}, {"batch", info.dims[0]}});
  } else {
    return unsupported_model(MessageId::kDecodeOutputRank,
                             {{"name", name}, {"rank", info.dims.size()}, {"shape", shape_string(info.dims)}});
  }
  if (info.size_bytes != 0 && info.size_bytes < needed * dtype_size(info.dtype))
    return unsupported_model(MessageId::kDecodeOutputBuffer,
                             {{"name", name}, {"size", info.size_bytes}, {"needed", needed * dtype_size(info.dtype)}});
  *out = std::move(a);
  return Status();
}

float read_dequantized(const TensorInfo& info, const void* data, std::size_t index) {
  switch (info.dtype) {
    case DType::kFloat32: return static_cast<const float*>(data)[index];
    case DType::kInt8:
      return dequantize(static_cast<const std::int8_t*>(data)[index], info.quant.scale, info.quant.zero_point);
    case DType::kUint8:
      return dequantize(static_cast<const std::uint8_t*>(data)[index], info.quant.scale, info.quant.zero_point);
    default: return 0.0f;
  }
}

bool TensorAccess::in_runs(int n, int run, std::size_t run_stride) const {
  if (channels < n || static_cast<int>(cell_step) < run) return false;
  for (int c = 0; c < n; ++c) {
    const std::size_t start = channel_offset[c - c % run];
    if (run_stride != 0 && start != channel_offset[0] + static_cast<std::size_t>(c / run) * run_stride) return false;
    if (channel_offset[c] != start + static_cast<std::size_t>(c % run)) return false;
  }
  return true;
}

Status Decoder::configure(const YoloLayout& layout, const std::vector<TensorInfo>& outputs) {
  configured_ = false;
  layout_ = layout;
  state_.assign(outputs.size(), OutputState{});
  for (std::size_t i = 0; i < outputs.size(); ++i)
    RKYOLO_RETURN_IF_ERROR(TensorAccess::make(outputs[i], &state_[i].access));
  if (layout.num_classes <= 0) return unsupported_model(MessageId::kDecodeNoClasses);

  std::size_t cells_max = 0;
  max_candidates_ = 0;
  auto int8_planes = [](const TensorAccess& a) {
    return a.dtype == DType::kInt8 && a.cell_step == 1 &&
           a.in_runs(a.channels, 1, static_cast<std::size_t>(a.height) * a.pitch);
  };
  auto check_index = [&](int idx) -> Status {
    if (idx < 0 || idx >= static_cast<int>(outputs.size())) return internal_error(MessageId::kDecodeMissingOutput);
    return Status();
  };
  switch (layout.family) {
    case YoloFamily::kYolov5Split:
    case YoloFamily::kYolov8SplitDfl:
      for (const HeadBinding& h : layout.heads) {
        RKYOLO_RETURN_IF_ERROR(check_index(h.box_output));
        const TensorAccess& box = state_[h.box_output].access;
        if (box.height != h.grid_h || box.width != h.grid_w) return internal_error(MessageId::kDecodeHeadGrid);
        const std::size_t cells = static_cast<std::size_t>(h.grid_h) * h.grid_w;
        cells_max = std::max(cells_max, cells);
        if (layout.family == YoloFamily::kYolov5Split) {
          if (box.channels != layout.num_anchors * (layout.num_classes + 5))
            return internal_error(MessageId::kDecodeV5Channels);
          if (static_cast<int>(h.anchors.size()) != layout.num_anchors)
            return invalid_argument(
                MessageId::kDecodeAnchorCount,
                {{"stride", h.stride}, {"anchors", h.anchors.size()}, {"head_anchors", layout.num_anchors}});
          max_candidates_ += cells * layout.num_anchors;
        } else {
          RKYOLO_RETURN_IF_ERROR(check_index(h.class_output));
          if (box.channels != 4 * layout.reg_max) return internal_error(MessageId::kDecodeDflChannels);
          const TensorAccess& cls = state_[h.class_output].access;
          if (cls.channels != layout.num_classes || cls.height != h.grid_h || cls.width != h.grid_w)
            return internal_error(MessageId::kDecodeClassTensor);
          if (h.sum_output >= 0) {
            RKYOLO_RETURN_IF_ERROR(check_index(h.sum_output));
            const TensorAccess& sum = state_[h.sum_output].access;
            if (sum.channels != 1 || sum.height != h.grid_h || sum.width != h.grid_w)
              return internal_error(MessageId::kDecodeScoreSumTensor);
            state_[h.sum_output].planes = int8_planes(sum);
          }
          state_[h.box_output].sides16 = box.dtype == DType::kInt8 && layout.reg_max == 16 && box.in_runs(64, 16, 0);
          state_[h.class_output].blocks16 =
              cls.dtype == DType::kInt8 && cls.cell_step == 16 &&
              cls.in_runs(cls.channels, 16, 16 * static_cast<std::size_t>(cls.height) * cls.pitch);
          state_[h.class_output].planes = int8_planes(cls);
          state_[h.box_output].planes = int8_planes(box);
          // exp(-d * scale) for the quantized softmax of the DFL bins.
          if (box.dtype != DType::kFloat32) {
            auto& table = state_[h.box_output].exp_table;
            table.resize(256);
            for (int d = 0; d < 256; ++d) table[d] = std::exp(-static_cast<float>(d) * box.quant.scale);
          }
          max_candidates_ += cells;
        }
      }
      break;
    case YoloFamily::kYolov5Combined:
    case YoloFamily::kYolov8Combined:
    case YoloFamily::kEndToEnd: {
      RKYOLO_RETURN_IF_ERROR(check_index(layout.combined_output));
      const TensorAccess& a = state_[layout.combined_output].access;
      if (a.rows <= 0 || a.cols <= 0) return internal_error(MessageId::kDecodeCombinedNotFlat);
      std::int64_t n = a.rows;
      if (layout.family == YoloFamily::kYolov8Combined && !layout.transposed) n = a.cols;
      max_candidates_ = static_cast<std::size_t>(n);
      cells_max = static_cast<std::size_t>(n);
      break;
    }
    default: return unsupported_model(MessageId::kDecodeUnknownLayout);
  }
  cell_max_.assign(cells_max, 0.0f);
  class_allowed_.assign(layout.num_classes, 1);
  configured_ = true;
  return set_options(options_);
}

Status Decoder::set_options(const DecodeOptions& options) {
  if (!(options.conf_threshold >= 0.0f && options.conf_threshold <= 1.0f))
    return invalid_argument(MessageId::kDecodeConfRange);
  for (int c : options.classes)
    if (c < 0 || c >= layout_.num_classes)
      return invalid_argument(MessageId::kDecodeClassRange, {{"class", c}, {"classes", layout_.num_classes}});
  options_ = options;
  if (!configured_) return Status();
  all_classes_ = options.classes.empty();
  std::fill(class_allowed_.begin(), class_allowed_.end(), all_classes_ ? 1 : 0);
  for (int c : options.classes) class_allowed_[c] = 1;
  allowed_list_.clear();
  for (int c = 0; c < layout_.num_classes; ++c)
    if (class_allowed_[c]) allowed_list_.push_back(c);
  rebuild_gates();
  return Status();
}

void Decoder::rebuild_gates() {
  const float conf = options_.conf_threshold;
  for (auto& s : state_) {
    if (s.access.dtype != DType::kFloat32)
      s.score_gate_q = quantized_threshold(conf, s.access.quant.scale, s.access.quant.zero_point);
  }
  if (layout_.family == YoloFamily::kYolov8SplitDfl) {
    for (const HeadBinding& h : layout_.heads) {
      if (h.sum_output < 0) continue;
      const TensorAccess& cls = state_[h.class_output].access;
      OutputState& sum = state_[h.sum_output];
      // score_sum >= max class score; allow one quantization step of each
      // tensor so the skip can never drop a cell the full test would keep.
      const float cls_step = cls.dtype == DType::kFloat32 ? 0.0f : cls.quant.scale;
      const float sum_step = sum.access.dtype == DType::kFloat32 ? 0.0f : sum.access.quant.scale;
      const float t = conf - cls_step - sum_step - 1e-6f;
      sum.sum_gate_f = t;
      if (sum.access.dtype != DType::kFloat32)
        sum.sum_gate_q = quantized_threshold(t, sum.access.quant.scale, sum.access.quant.zero_point);
    }
  }
}

Status Decoder::decode(const std::vector<TensorView>& outputs, std::vector<Candidate>* out) {
  out->clear();
  if (!configured_) return internal_error(MessageId::kDecodeNotConfigured);
  if (outputs.size() != state_.size())
    return internal_error(MessageId::kDecodeOutputCount, {{"expected", state_.size()}, {"actual", outputs.size()}});
  for (const TensorView& v : outputs)
    if (v.data == nullptr) return backend_error(MessageId::kDecodeNoData);
  switch (layout_.family) {
    case YoloFamily::kYolov5Split: return decode_v5_split(outputs, out);
    case YoloFamily::kYolov5Combined: return decode_v5_combined(outputs, out);
    case YoloFamily::kYolov8SplitDfl: return decode_v8_split(outputs, out);
    case YoloFamily::kYolov8Combined: return decode_v8_combined(outputs, out);
    case YoloFamily::kEndToEnd: return decode_e2e(outputs, out);
    default: return unsupported_model(MessageId::kDecodeUnknownLayout);
  }
}

}  // namespace rkyolo::core
