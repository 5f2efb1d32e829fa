// YOLOv8 / YOLO11 decoding: split DFL heads (Rockchip layout, with or without
// score_sum) and the combined channel-first (1, 4+nc, A) tensor.
#include <algorithm>
#include <cmath>

#include "core/decode.h"
#include "core/decode_internal.h"
#include "core/simd.h"

namespace rkyolo::core {

using detail::Elem;
using detail::Gate;

namespace {

// Running per-cell maximum over the allowed class channels. Channel-major, so
// NCHW planes are read contiguously (vectorized).
#define RKYOLO_PLANE_MAX(T)                                                                 \
  RKYOLO_MULTIVERSION void plane_max(const T* RKYOLO_RESTRICT plane, T* RKYOLO_RESTRICT best, int n) { \
    for (int i = 0; i < n; ++i) best[i] = plane[i] > best[i] ? plane[i] : best[i];                  \
  }
RKYOLO_PLANE_MAX(float)
RKYOLO_PLANE_MAX(std::int8_t)
RKYOLO_PLANE_MAX(std::uint8_t)
#undef RKYOLO_PLANE_MAX

// NC1HWC2 with every class allowed: per cell, the channels of a block are
// C2 contiguous elements; reduce them first, then merge into the cell maximum.
template <typename T, int kC2>
void block_max(const T* RKYOLO_RESTRICT block, int valid, T* RKYOLO_RESTRICT best, int cells) {
  if (valid == kC2) {
    for (int i = 0; i < cells; ++i) {
      const T* p = block + static_cast<std::size_t>(i) * kC2;
      T m = p[0];
      for (int j = 1; j < kC2; ++j) m = p[j] > m ? p[j] : m;
      best[i] = m > best[i] ? m : best[i];
    }
    return;
  }
  for (int i = 0; i < cells; ++i) {
    const T* p = block + static_cast<std::size_t>(i) * kC2;
    T m = best[i];
    for (int j = 0; j < valid; ++j) m = p[j] > m ? p[j] : m;
    best[i] = m;
  }
}

template <typename T>
void channel_max(const T* base, const TensorAccess& a, const std::vector<int>& allowed, T* best) {
  const int h = a.height, w = a.width;
  std::fill_n(best, static_cast<std::size_t>(h) * w, Elem<T>::lowest());
  const bool all = static_cast<int>(allowed.size()) == a.channels;
  if (all && a.pitch == w && (a.cell_step == 16 || a.cell_step == 8) && a.channels > 1 &&
      a.channel_offset[1] == 1) {  // NC1HWC2
    const int c2 = static_cast<int>(a.cell_step);
    for (int c0 = 0; c0 < a.channels; c0 += c2) {
      const T* block = base + a.channel_offset[c0];
      const int valid = std::min(c2, a.channels - c0);
      if (c2 == 16)
        block_max<T, 16>(block, valid, best, h * w);
      else
        block_max<T, 8>(block, valid, best, h * w);
    }
    return;
  }
  const bool dense = a.cell_step == 1 && a.pitch == w;
  for (int c : allowed) {
    const T* p = base + a.channel_offset[c];
    if (dense) {
      plane_max(p, best, h * w);
      continue;
    }
    for (int y = 0; y < h; ++y) {
      const T* row = p + static_cast<std::size_t>(y) * a.pitch * a.cell_step;
      T* out = best + static_cast<std::size_t>(y) * w;
      for (int x = 0; x < w; ++x) {
        const T v = row[static_cast<std::size_t>(x) * a.cell_step];
        out[x] = v > out[x] ? v : out[x];
      }
    }
  }
}

// First allowed class holding the maximum score of one cell.
template <typename T>
int arg_best(const T* base, const TensorAccess& a, std::size_t cell_off, const std::vector<int>& allowed, T* best_v) {
  int best_c = -1;
  T best = Elem<T>::lowest();
  for (int c : allowed) {
    const T v = base[a.channel_offset[c] + cell_off];
    if (best_c < 0 || v > best) best = v, best_c = c;
  }
  *best_v = best;
  return best_c;
}

// Expected distance of one box side: softmax over reg_max bins, sum(i * p_i).
template <typename T>
float dfl_side(const T* base, const TensorAccess& a, int first_channel, int reg_max, std::size_t cell_off,
               const float* exp_table) {
  T v[64];
  T vmax = Elem<T>::lowest();
  for (int j = 0; j < reg_max; ++j) {
    v[j] = base[a.channel_offset[first_channel + j] + cell_off];
    vmax = v[j] > vmax ? v[j] : vmax;
  }
  float num = 0, den = 0;
  if constexpr (Elem<T>::kQuantized) {
    for (int j = 0; j < reg_max; ++j) {
      const float e = exp_table[static_cast<int>(vmax) - static_cast<int>(v[j])];
      den += e;
      num += e * static_cast<float>(j);
    }
  } else {
    for (int j = 0; j < reg_max; ++j) {
      const float e = std::exp(v[j] - vmax);
      den += e;
      num += e * static_cast<float>(j);
    }
  }
  return num / den;
}

}  // namespace

Status Decoder::decode_v8_split(const std::vector<TensorView>& outputs, std::vector<Candidate>* out) {
  const int reg_max = layout_.reg_max;
  if (reg_max > 64) return unsupported_model("reg_max above 64 is not supported");
  const float conf = options_.conf_threshold;
  for (const HeadBinding& head : layout_.heads) {
    const OutputState& box_s = state_[head.box_output];
    const OutputState& cls_s = state_[head.class_output];
    const OutputState* sum_s = head.sum_output >= 0 ? &state_[head.sum_output] : nullptr;
    const TensorAccess& ba = box_s.access;
    const TensorAccess& ca = cls_s.access;
    const int h = head.grid_h, w = head.grid_w;
    const float stride = static_cast<float>(head.stride);
    Gate cls_gate;
    cls_gate.f = conf;
    cls_gate.q = cls_s.score_gate_q;

    auto run = [&]<typename TC>() -> Status {
      const TC* cls = static_cast<const TC*>(outputs[head.class_output].data);
      auto emit = [&](int y, int x, int c, float score) -> Status {
        auto decode_box = [&]<typename TB>() -> Status {
          const TB* box = static_cast<const TB*>(outputs[head.box_output].data);
          const std::size_t boff = static_cast<std::size_t>(y * ba.pitch + x) * ba.cell_step;
          const float* table = box_s.exp_table.empty() ? nullptr : box_s.exp_table.data();
          const float l = dfl_side(box, ba, 0, reg_max, boff, table);
          const float t = dfl_side(box, ba, reg_max, reg_max, boff, table);
          const float r = dfl_side(box, ba, 2 * reg_max, reg_max, boff, table);
          const float b = dfl_side(box, ba, 3 * reg_max, reg_max, boff, table);
          const float cx = static_cast<float>(x) + 0.5f, cy = static_cast<float>(y) + 0.5f;
          Candidate cand;
          cand.box = Box{(cx - l) * stride, (cy - t) * stride, (cx + r) * stride, (cy + b) * stride};
          cand.score = score;
          cand.class_id = c;
          push_finite(out, cand);
          return Status();
        };
        return detail::dispatch_dtype(ba.dtype, decode_box);
      };

      if (sum_s != nullptr) {
        // score_sum >= every class score: skip whole cells cheaply.
        auto with_sum = [&]<typename TS>() -> Status {
          const TS* sum = static_cast<const TS*>(outputs[head.sum_output].data);
          const TensorAccess& sa = sum_s->access;
          Gate sum_gate;
          sum_gate.f = sum_s->sum_gate_f;
          sum_gate.q = sum_s->sum_gate_q;
          for (int y = 0; y < h; ++y) {
            const TS* srow = sum + sa.channel_offset[0] + static_cast<std::size_t>(y) * sa.pitch * sa.cell_step;
            for (int x = 0; x < w; ++x) {
              if (!sum_gate.pass(srow[static_cast<std::size_t>(x) * sa.cell_step])) continue;
              TC best;
              const std::size_t coff = static_cast<std::size_t>(y * ca.pitch + x) * ca.cell_step;
              const int c = arg_best(cls, ca, coff, allowed_list_, &best);
              if (c < 0 || !cls_gate.pass(best)) continue;
              RKYOLO_RETURN_IF_ERROR(emit(y, x, c, Elem<TC>::deq(best, ca.quant)));
            }
          }
          return Status();
        };
        return detail::dispatch_dtype(sum_s->access.dtype, with_sum);
      }
      // No score_sum: per-cell maximum over classes, channel-major.
      TC* best = reinterpret_cast<TC*>(cell_max_.data());
      channel_max(cls, ca, allowed_list_, best);
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
          if (!cls_gate.pass(best[y * w + x])) continue;
          TC v;
          const std::size_t coff = static_cast<std::size_t>(y * ca.pitch + x) * ca.cell_step;
          const int c = arg_best(cls, ca, coff, allowed_list_, &v);
          RKYOLO_RETURN_IF_ERROR(emit(y, x, c, Elem<TC>::deq(v, ca.quant)));
        }
      }
      return Status();
    };
    RKYOLO_RETURN_IF_ERROR(detail::dispatch_dtype(ca.dtype, run));
  }
  return Status();
}

Status Decoder::decode_v8_combined(const std::vector<TensorView>& outputs, std::vector<Candidate>* out) {
  const OutputState& s = state_[layout_.combined_output];
  const TensorAccess& a = s.access;
  const int nc = layout_.num_classes;
  Gate gate;
  gate.f = options_.conf_threshold;
  gate.q = s.score_gate_q;
  auto run = [&]<typename T>() -> Status {
    const T* data = static_cast<const T*>(outputs[layout_.combined_output].data);
    auto push = [&](float cx, float cy, float bw, float bh, int c, float score) {
      Candidate cand;
      cand.box = Box{cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2};
      cand.score = score;
      cand.class_id = c;
      push_finite(out, cand);
    };
    if (layout_.transposed) {  // (1, A, 4+nc): one row per anchor
      for (std::int64_t r = 0; r < a.rows; ++r) {
        const T* row = data + r * a.cols;
        int best_c = -1;
        T best = Elem<T>::lowest();
        for (int c : allowed_list_)
          if (best_c < 0 || row[4 + c] > best) best = row[4 + c], best_c = c;
        if (best_c < 0 || !gate.pass(best)) continue;
        push(Elem<T>::deq(row[0], a.quant), Elem<T>::deq(row[1], a.quant), Elem<T>::deq(row[2], a.quant),
             Elem<T>::deq(row[3], a.quant), best_c, Elem<T>::deq(best, a.quant));
      }
      return Status();
    }
    // (1, 4+nc, A): channel-major maximum, then survivors.
    const int n = static_cast<int>(a.cols);
    T* best = reinterpret_cast<T*>(cell_max_.data());
    std::fill_n(best, n, Elem<T>::lowest());
    for (int c : allowed_list_) plane_max(data + static_cast<std::size_t>(4 + c) * n, best, n);
    for (int i = 0; i < n; ++i) {
      if (!gate.pass(best[i])) continue;
      int best_c = -1;
      for (int c : allowed_list_)
        if (data[static_cast<std::size_t>(4 + c) * n + i] == best[i]) {
          best_c = c;
          break;
        }
      (void)nc;
      push(Elem<T>::deq(data[i], a.quant), Elem<T>::deq(data[n + i], a.quant),
           Elem<T>::deq(data[2 * static_cast<std::size_t>(n) + i], a.quant),
           Elem<T>::deq(data[3 * static_cast<std::size_t>(n) + i], a.quant), best_c, Elem<T>::deq(best[i], a.quant));
    }
    return Status();
  };
  return detail::dispatch_dtype(a.dtype, run);
}

}  // namespace rkyolo::core
