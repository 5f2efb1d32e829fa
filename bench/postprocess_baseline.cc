#include "postprocess_baseline.h"

#include <algorithm>
#include <cmath>

#include "core/quantize.h"

namespace rkyolo::bench {

namespace {

float iou_of(const BaselineDetection& a, const BaselineDetection& b) {
  const float w = std::max(0.0f, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
  const float h = std::max(0.0f, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
  const float inter = w * h;
  const float uni = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return uni <= 0 ? 0.0f : inter / uni;
}

// The zoo's compute_dfl: softmax of each side's bins with expf, then the
// expected bin index.
void compute_dfl(const float* logits, int reg_max, float box[4]) {
  for (int side = 0; side < 4; ++side) {
    const float* v = logits + side * reg_max;
    float exp_t[64];
    float sum = 0;
    for (int i = 0; i < reg_max; ++i) {
      exp_t[i] = std::exp(v[i]);
      sum += exp_t[i];
    }
    float acc = 0;
    for (int i = 0; i < reg_max; ++i) acc += exp_t[i] / sum * static_cast<float>(i);
    box[side] = acc;
  }
}

}  // namespace

void FilterFirstPostprocess::run(const YoloLayout& layout, const std::vector<TensorView>& outputs, float conf,
                                 float iou, int max_det, std::vector<BaselineDetection>* out) {
  cand_.clear();
  const int nc = layout.num_classes, reg_max = layout.reg_max;
  logits_.resize(static_cast<std::size_t>(4) * reg_max);
  for (const HeadBinding& head : layout.heads) {
    const TensorView& bv = outputs[head.box_output];
    const TensorView& cv = outputs[head.class_output];
    const auto* box = static_cast<const std::int8_t*>(bv.data);
    const auto* cls = static_cast<const std::int8_t*>(cv.data);
    const float box_scale = bv.info->quant.scale, cls_scale = cv.info->quant.scale;
    const int box_zp = bv.info->quant.zero_point, cls_zp = cv.info->quant.zero_point;
    const int cls_thr = core::quantized_threshold(conf, cls_scale, cls_zp);
    const std::int8_t* sum = nullptr;
    int sum_thr = 0;
    if (head.sum_output >= 0) {
      const TensorView& sv = outputs[head.sum_output];
      sum = static_cast<const std::int8_t*>(sv.data);
      sum_thr = core::quantized_threshold(conf, sv.info->quant.scale, sv.info->quant.zero_point);
    }
    const int gh = head.grid_h, gw = head.grid_w, grid_len = gh * gw;
    for (int i = 0; i < gh; ++i) {
      for (int j = 0; j < gw; ++j) {
        int offset = i * gw + j;
        if (sum != nullptr && sum[offset] < sum_thr) continue;
        int max_class = -1;
        int max_score = -129;
        for (int c = 0; c < nc; ++c, offset += grid_len)
          if (cls[offset] >= cls_thr && cls[offset] > max_score) max_score = cls[offset], max_class = c;
        if (max_class < 0) continue;
        offset = i * gw + j;
        for (int k = 0; k < 4 * reg_max; ++k, offset += grid_len)
          logits_[k] = core::dequantize(box[offset], box_scale, box_zp);
        float d[4];
        compute_dfl(logits_.data(), reg_max, d);
        const float s = static_cast<float>(head.stride);
        BaselineDetection det;
        det.x1 = (static_cast<float>(j) + 0.5f - d[0]) * s;
        det.y1 = (static_cast<float>(i) + 0.5f - d[1]) * s;
        det.x2 = (static_cast<float>(j) + 0.5f + d[2]) * s;
        det.y2 = (static_cast<float>(i) + 0.5f + d[3]) * s;
        det.score = core::dequantize(max_score, cls_scale, cls_zp);
        det.class_id = max_class;
        cand_.push_back(det);
      }
    }
  }
  // Sort by score, then greedy NMS per class over the sorted list.
  const int n = static_cast<int>(cand_.size());
  order_.resize(n);
  for (int i = 0; i < n; ++i) order_[i] = i;
  std::sort(order_.begin(), order_.end(), [&](int a, int b) { return cand_[a].score > cand_[b].score; });
  seen_.assign(static_cast<std::size_t>(nc), 0);
  for (int i = 0; i < n; ++i) {
    const int c = cand_[order_[i]].class_id;
    if (seen_[c]) continue;
    seen_[c] = 1;
    for (int a = 0; a < n; ++a) {
      if (order_[a] < 0 || cand_[order_[a]].class_id != c) continue;
      for (int b = a + 1; b < n; ++b) {
        if (order_[b] < 0 || cand_[order_[b]].class_id != c) continue;
        if (iou_of(cand_[order_[a]], cand_[order_[b]]) > iou) order_[b] = -1;
      }
    }
  }
  out->clear();
  for (int i = 0; i < n && static_cast<int>(out->size()) < max_det; ++i)
    if (order_[i] >= 0) out->push_back(cand_[order_[i]]);
}

}  // namespace rkyolo::bench
