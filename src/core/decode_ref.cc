// Naive reference decoder: dequantizes every output into a float copy in
// logical order, then decodes every cell and every class with plain loops.
// Written independently of the optimized Decoder (own addressing, own
// softmax, no score gates, score_sum ignored) so the two check each other.
#include <algorithm>
#include <cmath>

#include "core/decode.h"

namespace rkyolo::core {

namespace {

// Logical (c, h, w) -> memory index, from the TensorInfo alone.
std::size_t ref_index(const TensorInfo& t, std::int64_t c, std::int64_t h, std::int64_t w) {
  const std::int64_t C = t.dims[1], H = t.dims[2];
  const std::int64_t pitch = t.w_stride > 0 ? t.w_stride : t.dims[3];
  switch (t.layout) {
    case TensorLayout::kNHWC: return static_cast<std::size_t>((h * pitch + w) * C + c);
    case TensorLayout::kNC1HWC2: {
      const std::int64_t c2 = t.c2;
      return static_cast<std::size_t>(((c / c2) * H * pitch + h * pitch + w) * c2 + c % c2);
    }
    default: return static_cast<std::size_t>((c * H + h) * pitch + w);
  }
}

// Float copy in logical order: 4-D as [C][H][W], others row-major.
std::vector<float> dequantize_all(const TensorView& v) {
  const TensorInfo& t = *v.info;
  std::vector<float> out;
  if (t.dims.size() == 4) {
    const std::int64_t C = t.dims[1], H = t.dims[2], W = t.dims[3];
    out.reserve(static_cast<std::size_t>(C * H * W));
    for (std::int64_t c = 0; c < C; ++c)
      for (std::int64_t h = 0; h < H; ++h)
        for (std::int64_t w = 0; w < W; ++w) out.push_back(read_dequantized(t, v.data, ref_index(t, c, h, w)));
  } else {
    const std::int64_t n = t.element_count();
    out.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) out.push_back(read_dequantized(t, v.data, static_cast<std::size_t>(i)));
  }
  return out;
}

bool allowed(const DecodeOptions& o, int c) {
  return o.classes.empty() || std::find(o.classes.begin(), o.classes.end(), c) != o.classes.end();
}

float softmax_expectation(const float* logits, int n) {
  float m = logits[0];
  for (int i = 1; i < n; ++i) m = std::max(m, logits[i]);
  double den = 0, num = 0;
  for (int i = 0; i < n; ++i) {
    const double e = std::exp(static_cast<double>(logits[i]) - m);
    den += e;
    num += e * i;
  }
  return static_cast<float>(num / den);
}

}  // namespace

Status decode_ref(const YoloLayout& layout, const std::vector<TensorView>& outputs, const DecodeOptions& o,
                  std::vector<Candidate>* out) {
  out->clear();
  const int nc = layout.num_classes;
  const float conf = o.conf_threshold;
  switch (layout.family) {
    case YoloFamily::kYolov8SplitDfl: {
      const int R = layout.reg_max;
      for (const HeadBinding& h : layout.heads) {
        const std::vector<float> box = dequantize_all(outputs[h.box_output]);
        const std::vector<float> cls = dequantize_all(outputs[h.class_output]);
        const int H = h.grid_h, W = h.grid_w;
        for (int y = 0; y < H; ++y)
          for (int x = 0; x < W; ++x) {
            int best_c = -1;
            float best = 0;
            for (int c = 0; c < nc; ++c) {
              if (!allowed(o, c)) continue;
              const float s = cls[(static_cast<std::size_t>(c) * H + y) * W + x];
              if (best_c < 0 || s > best) best = s, best_c = c;
            }
            if (best_c < 0 || !(best >= conf)) continue;
            float d[4];
            for (int side = 0; side < 4; ++side) {
              float logits[64];
              for (int j = 0; j < R; ++j) logits[j] = box[(static_cast<std::size_t>(side * R + j) * H + y) * W + x];
              d[side] = softmax_expectation(logits, R);
            }
            const float s = static_cast<float>(h.stride);
            push_xyxy(out, (x + 0.5f - d[0]) * s, (y + 0.5f - d[1]) * s, (x + 0.5f + d[2]) * s, (y + 0.5f + d[3]) * s,
                      best, best_c);
          }
      }
      return Status();
    }
    case YoloFamily::kYolov5Split: {
      const int na = layout.num_anchors;
      for (const HeadBinding& h : layout.heads) {
        const std::vector<float> t = dequantize_all(outputs[h.box_output]);
        const int H = h.grid_h, W = h.grid_w;
        auto at = [&](int ch, int y, int x) { return t[(static_cast<std::size_t>(ch) * H + y) * W + x]; };
        for (int k = 0; k < na; ++k)
          for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) {
              const int base = k * (nc + 5);
              const float obj = at(base + 4, y, x);
              int best_c = -1;
              float best = 0;
              for (int c = 0; c < nc; ++c) {
                if (!allowed(o, c)) continue;
                const float s = obj * at(base + 5 + c, y, x);
                if (best_c < 0 || s > best) best = s, best_c = c;
              }
              if (best_c < 0 || !(best >= conf)) continue;
              const float cx = (2 * at(base, y, x) - 0.5f + x) * h.stride;
              const float cy = (2 * at(base + 1, y, x) - 0.5f + y) * h.stride;
              const float bw = std::pow(2 * at(base + 2, y, x), 2.0f) * h.anchors[k][0];
              const float bh = std::pow(2 * at(base + 3, y, x), 2.0f) * h.anchors[k][1];
              push_cxcywh(out, cx, cy, bw, bh, best, best_c);
            }
      }
      return Status();
    }
    case YoloFamily::kYolov5Combined: {
      const TensorView& v = outputs[layout.combined_output];
      const std::vector<float> t = dequantize_all(v);
      const std::int64_t rows = v.info->dims[1], cols = v.info->dims[2];
      for (std::int64_t r = 0; r < rows; ++r) {
        const float* row = &t[static_cast<std::size_t>(r * cols)];
        int best_c = -1;
        float best = 0;
        for (int c = 0; c < nc; ++c) {
          if (!allowed(o, c)) continue;
          const float s = row[4] * row[5 + c];
          if (best_c < 0 || s > best) best = s, best_c = c;
        }
        if (best_c < 0 || !(best >= conf)) continue;
        push_cxcywh(out, row[0], row[1], row[2], row[3], best, best_c);
      }
      return Status();
    }
    case YoloFamily::kYolov8Combined: {
      const TensorView& v = outputs[layout.combined_output];
      const std::vector<float> t = dequantize_all(v);
      const std::int64_t d1 = v.info->dims[1], d2 = v.info->dims[2];
      const std::int64_t anchors = layout.transposed ? d1 : d2;
      auto at = [&](std::int64_t ch, std::int64_t a) {
        return layout.transposed ? t[static_cast<std::size_t>(a * d2 + ch)] : t[static_cast<std::size_t>(ch * d2 + a)];
      };
      for (std::int64_t a = 0; a < anchors; ++a) {
        int best_c = -1;
        float best = 0;
        for (int c = 0; c < nc; ++c) {
          if (!allowed(o, c)) continue;
          const float s = at(4 + c, a);
          if (best_c < 0 || s > best) best = s, best_c = c;
        }
        if (best_c < 0 || !(best >= conf)) continue;
        const float cx = at(0, a), cy = at(1, a), bw = at(2, a), bh = at(3, a);
        push_cxcywh(out, cx, cy, bw, bh, best, best_c);
      }
      return Status();
    }
    case YoloFamily::kEndToEnd: {
      const TensorView& v = outputs[layout.combined_output];
      const std::vector<float> t = dequantize_all(v);
      const std::int64_t rows = v.info->dims[1];
      for (std::int64_t r = 0; r < rows; ++r) {
        const float* row = &t[static_cast<std::size_t>(r * 6)];
        if (!(row[5] > -0.5f && row[5] < static_cast<float>(nc))) continue;  // NaN too, before lround
        const int c = static_cast<int>(std::lround(row[5]));
        if (!(row[4] >= conf) || row[4] <= 0 || c >= nc || !allowed(o, c)) continue;
        push_xyxy(out, row[0], row[1], row[2], row[3], row[4], c);
      }
      return Status();
    }
    default: return unsupported_model(MessageId::kDecodeUnknownLayout);
  }
}

}  // namespace rkyolo::core
