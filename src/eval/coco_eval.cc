// COCOeval's evaluateImg and accumulate for bounding boxes, step for step
// (pycocotools/cocoeval.py, a copy in tests/reference/pycocotools/), in
// double precision so the numbers agree with Python to rounding.
#include "eval/coco_eval.h"

#include <algorithm>
#include <cfloat>
#include <numeric>

namespace rkyolo {

double coco_iou(const CocoBox& d, const CocoBox& g, bool crowd) {
  const double iw = std::min(d.x + d.w, g.x + g.w) - std::max(d.x, g.x);
  if (iw <= 0) return 0;
  const double ih = std::min(d.y + d.h, g.y + g.h) - std::max(d.y, g.y);
  if (ih <= 0) return 0;
  const double inter = iw * ih;
  return inter / (crowd ? d.w * d.h : d.w * d.h + g.w * g.h - inter);
}

bool operator<(const CocoImageId& a, const CocoImageId& b) {
  if (a.is_number != b.is_number) return a.is_number;
  return a.is_number ? a.number < b.number : a.text < b.text;  // char_traits<char> compares as unsigned
}

bool operator==(const CocoImageId& a, const CocoImageId& b) {
  return a.is_number == b.is_number && (a.is_number ? a.number == b.number : a.text == b.text);
}

const std::array<double, kNumIouThresholds>& coco_iou_thresholds() {
  // np.linspace(.5, 0.95, 10): i * ((0.95 - 0.5) / 9) + 0.5, the last one exact.
  static const std::array<double, kNumIouThresholds> kThresholds = [] {
    std::array<double, kNumIouThresholds> t{};
    const double step = (0.95 - 0.5) / (kNumIouThresholds - 1);
    for (int i = 0; i < kNumIouThresholds; ++i) t[i] = i * step + 0.5;
    t[kNumIouThresholds - 1] = 0.95;
    return t;
  }();
  return kThresholds;
}

const std::array<double, kNumRecallPoints>& coco_recall_points() {
  // np.linspace(0, 1, 101): i * 0.01, the last one exact.
  static const std::array<double, kNumRecallPoints> kPoints = [] {
    std::array<double, kNumRecallPoints> r{};
    const double step = 1.0 / (kNumRecallPoints - 1);
    for (int i = 0; i < kNumRecallPoints; ++i) r[i] = i * step;
    r[kNumRecallPoints - 1] = 1.0;
    return r;
  }();
  return kPoints;
}

namespace eval {

void match_pair(const std::vector<const LabelBox*>& labels, const std::vector<const PredictedBox*>& predictions,
                int max_dets, PairMatches* out) {
  // Predictions best first (stable, like numpy's mergesort), the top max_dets.
  std::vector<const PredictedBox*> dets = predictions;
  std::stable_sort(dets.begin(), dets.end(),
                   [](const PredictedBox* a, const PredictedBox* b) { return a->score > b->score; });
  if (static_cast<int>(dets.size()) > max_dets) dets.resize(static_cast<std::size_t>(std::max(0, max_dets)));
  const std::size_t num_dets = dets.size(), num_labels = labels.size();
  out->scores.resize(num_dets);
  for (std::size_t d = 0; d < num_dets; ++d) out->scores[d] = dets[d]->score;

  std::vector<double> ious(num_dets * num_labels);
  for (std::size_t d = 0; d < num_dets; ++d)
    for (std::size_t g = 0; g < num_labels; ++g)
      ious[d * num_labels + g] = coco_iou(dets[d]->box, labels[g]->box, labels[g]->crowd);

  const auto& thresholds = coco_iou_thresholds();
  std::vector<int> order(num_labels);
  std::vector<char> label_ignored(num_labels);
  std::vector<char> taken(num_labels);
  for (int a = 0; a < kNumAreaRanges; ++a) {
    const double lo = kAreaBounds[a][0], hi = kAreaBounds[a][1];
    auto outside = [&](double area) { return area < lo || area > hi; };
    int counted = 0;
    for (std::size_t g = 0; g < num_labels; ++g) {
      label_ignored[g] = labels[g]->crowd || outside(labels[g]->range_area()) ? 1 : 0;
      counted += label_ignored[g] ? 0 : 1;
    }
    out->num_labels[a] = counted;
    // Labels that count first, each group in input order.
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return label_ignored[x] < label_ignored[y]; });

    std::vector<ThresholdMask>& matched = out->matched[a];
    std::vector<ThresholdMask>& ignored = out->ignored[a];
    matched.assign(num_dets, 0);
    ignored.assign(num_dets, 0);
    for (int t = 0; t < kNumIouThresholds; ++t) {
      const ThresholdMask bit = static_cast<ThresholdMask>(1u << t);
      std::fill(taken.begin(), taken.end(), 0);
      for (std::size_t d = 0; d < num_dets; ++d) {
        double best = std::min(thresholds[t], 1 - 1e-10);
        int m = -1;
        for (int g : order) {
          if (taken[g] && !labels[g]->crowd) continue;  // a crowd takes any number of predictions
          // Once a counted label is matched, ignored labels cannot replace it.
          if (m > -1 && !label_ignored[m] && label_ignored[g]) break;
          const double iou = ious[d * num_labels + g];
          if (iou < best) continue;
          best = iou;
          m = g;
        }
        if (m == -1) {
          if (outside(dets[d]->box.area())) ignored[d] |= bit;
          continue;
        }
        taken[m] = 1;
        matched[d] |= bit;
        if (label_ignored[m]) ignored[d] |= bit;
      }
    }
  }
}

bool accumulate(const std::vector<const PairMatches*>& pairs, int area, int max_dets, PrecisionTable* precision,
                RecallRow* recall_at_end) {
  struct Ref {
    double score;
    ThresholdMask matched, ignored;
  };
  std::vector<Ref> dets;
  long long num_labels = 0;
  for (const PairMatches* p : pairs) {
    num_labels += p->num_labels[area];
    const std::size_t kept = std::min(p->scores.size(), static_cast<std::size_t>(std::max(0, max_dets)));
    for (std::size_t d = 0; d < kept; ++d) dets.push_back({p->scores[d], p->matched[area][d], p->ignored[area][d]});
  }
  if (num_labels == 0) return false;
  std::stable_sort(dets.begin(), dets.end(), [](const Ref& a, const Ref& b) { return a.score > b.score; });

  const auto& recall_points = coco_recall_points();
  std::vector<double> recall, prec;
  recall.reserve(dets.size());
  prec.reserve(dets.size());
  for (int t = 0; t < kNumIouThresholds; ++t) {
    const ThresholdMask bit = static_cast<ThresholdMask>(1u << t);
    recall.clear();
    prec.clear();
    double tp = 0, fp = 0;
    for (const Ref& r : dets) {
      if (r.ignored & bit) {
        // An ignored prediction repeats the previous cumulative counts.
      } else if (r.matched & bit) {
        tp += 1;
      } else {
        fp += 1;
      }
      recall.push_back(tp / static_cast<double>(num_labels));
      prec.push_back(tp / (fp + tp + DBL_EPSILON));  // np.spacing(1)
    }
    (*recall_at_end)[t] = recall.empty() ? 0.0 : recall.back();
    for (std::size_t i = prec.size(); i-- > 1;) prec[i - 1] = std::max(prec[i - 1], prec[i]);
    PrCurve& q = (*precision)[t];
    for (int r = 0; r < kNumRecallPoints; ++r) {
      const auto it = std::lower_bound(recall.begin(), recall.end(), recall_points[r]);  // searchsorted 'left'
      q[r] = it == recall.end() ? 0.0 : prec[static_cast<std::size_t>(it - recall.begin())];
    }
  }
  return true;
}

double mean_of(const PrCurve& curve) {
  double sum = 0;
  for (double v : curve) sum += v;
  return sum / kNumRecallPoints;
}

double mean_of(const RecallRow& row) {
  double sum = 0;
  for (double v : row) sum += v;
  return sum / kNumIouThresholds;
}

double mean_of(const PrecisionTable& table) {
  double sum = 0;
  for (const PrCurve& c : table)
    for (double v : c) sum += v;
  return sum / (kNumIouThresholds * kNumRecallPoints);
}

}  // namespace eval
}  // namespace rkyolo
