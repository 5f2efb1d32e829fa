// YOLOv5 (and v7) decoding: split heads (3 anchors x (tx, ty, tw, th, obj,
// classes) per cell, sigmoid applied, not decoded) and the combined
// (1, N, nc+5) tensor (decoded boxes, sigmoid applied).
#include <algorithm>

#include "core/decode.h"
#include "core/decode_internal.h"

namespace rkyolo::core {

using detail::Elem;
using detail::Gate;

namespace {

// Objectness gate: score = obj * cls >= conf needs obj >= conf / max(cls).
Gate objectness_gate(const TensorAccess& a, float conf) {
  const float cls_max = std::max(1.0f, detail::max_representable(a, 1.0f));
  return detail::make_gate(a, conf / cls_max);
}

}  // namespace

Status Decoder::decode_v5_split(const std::vector<TensorView>& outputs, std::vector<Candidate>* out) {
  const int nc = layout_.num_classes;
  const int na = layout_.num_anchors;
  const float conf = options_.conf_threshold;
  for (const HeadBinding& head : layout_.heads) {
    const TensorAccess& a = state_[head.box_output].access;
    const Gate obj_gate = objectness_gate(a, conf);
    const float stride = static_cast<float>(head.stride);
    auto run = [&]<typename T>() -> Status {
      const T* data = static_cast<const T*>(outputs[head.box_output].data);
      for (int k = 0; k < na; ++k) {
        const int ch0 = k * (nc + 5);
        const T* obj_plane = data + a.channel_offset[ch0 + 4];
        const float anchor_w = head.anchors[k][0], anchor_h = head.anchors[k][1];
        for (int y = 0; y < head.grid_h; ++y) {
          for (int x = 0; x < head.grid_w; ++x) {
            const std::size_t cell = static_cast<std::size_t>(y * a.pitch + x) * a.cell_step;
            const T obj_q = obj_plane[cell];
            if (!obj_gate.pass(obj_q)) continue;
            int best_c = -1;
            T best = Elem<T>::lowest();
            for (int c : allowed_list_) {
              const T v = data[a.channel_offset[ch0 + 5 + c] + cell];
              if (best_c < 0 || v > best) best = v, best_c = c;
            }
            if (best_c < 0) continue;
            const float score = Elem<T>::deq(obj_q, a.quant) * Elem<T>::deq(best, a.quant);
            if (!(score >= conf)) continue;  // NaN fails too
            const float tx = Elem<T>::deq(data[a.channel_offset[ch0 + 0] + cell], a.quant);
            const float ty = Elem<T>::deq(data[a.channel_offset[ch0 + 1] + cell], a.quant);
            const float tw = Elem<T>::deq(data[a.channel_offset[ch0 + 2] + cell], a.quant);
            const float th = Elem<T>::deq(data[a.channel_offset[ch0 + 3] + cell], a.quant);
            const float cx = (2.0f * tx - 0.5f + static_cast<float>(x)) * stride;
            const float cy = (2.0f * ty - 0.5f + static_cast<float>(y)) * stride;
            const float bw = (2.0f * tw) * (2.0f * tw) * anchor_w;
            const float bh = (2.0f * th) * (2.0f * th) * anchor_h;
            push_cxcywh(out, cx, cy, bw, bh, score, best_c);
          }
        }
      }
      return Status();
    };
    RKYOLO_RETURN_IF_ERROR(detail::dispatch_dtype(a.dtype, run));
  }
  return Status();
}

Status Decoder::decode_v5_combined(const std::vector<TensorView>& outputs, std::vector<Candidate>* out) {
  const TensorAccess& a = state_[layout_.combined_output].access;
  const float conf = options_.conf_threshold;
  const Gate obj_gate = objectness_gate(a, conf);
  auto run = [&]<typename T>() -> Status {
    const T* data = static_cast<const T*>(outputs[layout_.combined_output].data);
    for (std::int64_t r = 0; r < a.rows; ++r) {
      const T* row = data + r * a.cols;
      if (!obj_gate.pass(row[4])) continue;
      int best_c = -1;
      T best = Elem<T>::lowest();
      for (int c : allowed_list_)
        if (best_c < 0 || row[5 + c] > best) best = row[5 + c], best_c = c;
      if (best_c < 0) continue;
      const float score = Elem<T>::deq(row[4], a.quant) * Elem<T>::deq(best, a.quant);
      if (!(score >= conf)) continue;  // NaN fails too
      const float cx = Elem<T>::deq(row[0], a.quant), cy = Elem<T>::deq(row[1], a.quant);
      const float bw = Elem<T>::deq(row[2], a.quant), bh = Elem<T>::deq(row[3], a.quant);
      push_cxcywh(out, cx, cy, bw, bh, score, best_c);
    }
    return Status();
  };
  return detail::dispatch_dtype(a.dtype, run);
}

}  // namespace rkyolo::core
