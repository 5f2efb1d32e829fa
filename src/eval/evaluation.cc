// evaluate_detections: the COCO summary and per-class APs (coco_eval.cc),
// Ultralytics-style precision/recall at the best F1, counting accuracy,
// per-image AP, outliers and the confusion matrix.
#include "rkyolo/evaluation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>

#include "eval/coco_eval.h"
#include "eval/confusion.h"

namespace rkyolo {

namespace {

using eval::PairMatches;
using eval::PrecisionTable;

bool finite_box(const CocoBox& b) {
  return std::isfinite(b.x) && std::isfinite(b.y) && std::isfinite(b.w) && std::isfinite(b.h) && b.w >= 0 && b.h >= 0;
}

Status validate_inputs(const std::vector<EvalImage>& images, const EvalOptions& o) {
  if (o.num_classes <= 0) return invalid_argument(MessageId::kEvalNoClasses);
  if (o.max_dets < 1) return invalid_argument(MessageId::kEvalMaxDets);
  if (!std::isfinite(o.count_conf) || !std::isfinite(o.confusion_iou))
    return invalid_argument(MessageId::kEvalNotFinite);
  if (o.outliers < 0) return invalid_argument(MessageId::kEvalOutliersNegative);
  for (std::size_t i = 0; i < images.size(); ++i) {
    for (const LabelBox& l : images[i].labels) {
      if (l.class_id < 0 || l.class_id >= o.num_classes)
        return invalid_argument(MessageId::kEvalLabelClass,
                                {{"image", i}, {"class", l.class_id}, {"last", o.num_classes - 1}});
      if (!finite_box(l.box) || (l.area && !(std::isfinite(*l.area) && *l.area >= 0)))
        return invalid_argument(MessageId::kEvalLabelBox, {{"image", i}});
    }
    for (const PredictedBox& p : images[i].predictions) {
      if (p.class_id < 0 || p.class_id >= o.num_classes)
        return invalid_argument(MessageId::kEvalPredictionClass,
                                {{"image", i}, {"class", p.class_id}, {"last", o.num_classes - 1}});
      if (!finite_box(p.box) || !std::isfinite(p.score))
        return invalid_argument(MessageId::kEvalPredictionBox, {{"image", i}});
    }
  }
  return Status();
}

// np.interp(-x, -conf, values, left=left) with `conf` sorted best first.
double interp_by_conf(double x, const std::vector<double>& conf, const std::vector<double>& values, double left) {
  const std::size_t n = conf.size();
  if (x > conf[0]) return left;
  if (x <= conf[n - 1]) return values[n - 1];
  // Last j with conf[j] >= x (numpy: last xp[j] <= x on the negated axis).
  std::size_t lo = 0, hi = n;  // invariant: conf[lo] >= x, answer in [lo, hi)
  while (hi - lo > 1) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (conf[mid] >= x)
      lo = mid;
    else
      hi = mid;
  }
  const std::size_t j = lo;
  if (conf[j] == x) return values[j];
  const double slope = (values[j + 1] - values[j]) / (-conf[j + 1] + conf[j]);
  return values[j] + slope * (-x + conf[j]);
}

// Ultralytics' smooth(): a box filter over 2 * round(n * f) / 2 + 1 points,
// the ends padded with the end values.
std::vector<double> smooth(const std::vector<double>& y, double fraction) {
  const int n = static_cast<int>(y.size());
  const int nf = static_cast<int>(std::lround(n * fraction * 2)) / 2 + 1;
  const int pad = nf / 2;
  std::vector<double> padded;
  padded.reserve(static_cast<std::size_t>(n + 2 * pad));
  padded.insert(padded.end(), static_cast<std::size_t>(pad), y.front());
  padded.insert(padded.end(), y.begin(), y.end());
  padded.insert(padded.end(), static_cast<std::size_t>(pad), y.back());
  std::vector<double> out(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    double s = 0;
    for (int k = 0; k < nf; ++k) s += padded[static_cast<std::size_t>(i + k)];
    out[static_cast<std::size_t>(i)] = s / nf;
  }
  return out;
}

// Ultralytics ap_per_class: P and R curves over a 1000-point confidence grid,
// the argmax of the smoothed mean F1, and each class's P/R/F1 there.
void precision_recall_at_best_f1(const std::vector<std::vector<const PairMatches*>>& pairs_of_class,
                                 EvalReport* report) {
  constexpr int kGrid = kNumConfidencePoints;
  constexpr double kEps = 1e-16;
  const int num_classes = static_cast<int>(report->classes.size());
  std::vector<std::vector<double>> p_curve(num_classes), r_curve(num_classes);
  std::vector<double> f1_mean(kGrid, 0.0);
  std::vector<int> labelled;
  for (int c = 0; c < num_classes; ++c) {
    int n_labels = 0;  // crowds left out, as COCO leaves them
    for (const PairMatches* p : pairs_of_class[c]) n_labels += p->num_labels[eval::kAreaAll];
    if (n_labels == 0) continue;
    labelled.push_back(c);
    p_curve[c].assign(kGrid, 0.0);
    r_curve[c].assign(kGrid, 0.0);
    struct Hit {
      double score;
      bool tp;
    };
    std::vector<Hit> hits;
    for (const PairMatches* p : pairs_of_class[c])
      for (std::size_t d = 0; d < p->scores.size(); ++d)  // at IoU 0.5; ignored: matched to a crowd
        if (!(p->ignored[eval::kAreaAll][d] & 1u))
          hits.push_back({p->scores[d], (p->matched[eval::kAreaAll][d] & 1u) != 0});
    if (hits.empty()) continue;
    std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.score > b.score; });
    std::vector<double> conf(hits.size()), recall(hits.size()), precision(hits.size());
    double tp = 0, fp = 0;
    for (std::size_t i = 0; i < hits.size(); ++i) {
      (hits[i].tp ? tp : fp) += 1;
      conf[i] = hits[i].score;
      recall[i] = tp / (n_labels + kEps);
      precision[i] = tp / (tp + fp);
    }
    for (int k = 0; k < kGrid; ++k) {
      const double x = k == kGrid - 1 ? 1.0 : k * (1.0 / (kGrid - 1));
      r_curve[c][k] = interp_by_conf(x, conf, recall, 0.0);
      p_curve[c][k] = interp_by_conf(x, conf, precision, 1.0);
    }
  }
  if (labelled.empty()) return;
  for (int c : labelled)
    for (int k = 0; k < kGrid; ++k) {
      const double p = p_curve[c][k], r = r_curve[c][k];
      f1_mean[k] += 2 * p * r / (p + r + kEps) / static_cast<double>(labelled.size());
    }
  const std::vector<double> smoothed = smooth(f1_mean, 0.1);
  const int best = static_cast<int>(std::max_element(smoothed.begin(), smoothed.end()) - smoothed.begin());
  report->f1_conf = best == kGrid - 1 ? 1.0 : best * (1.0 / (kGrid - 1));
  double sum_p = 0, sum_r = 0, sum_f1 = 0;
  for (int c : labelled) {
    ClassEval& ce = report->classes[c];
    ce.precision = p_curve[c][best];
    ce.recall = r_curve[c][best];
    ce.f1 = 2 * ce.precision * ce.recall / (ce.precision + ce.recall + kEps);
    sum_p += ce.precision;
    sum_r += ce.recall;
    sum_f1 += ce.f1;
  }
  const double n = static_cast<double>(labelled.size());
  report->precision = sum_p / n;
  report->recall = sum_r / n;
  report->f1 = sum_f1 / n;
}

void counting_accuracy(const EvalOptions& o, EvalReport* report) {
  CountingEval& c = report->counting;
  c.count_conf = o.count_conf;
  const std::vector<ImageEval>& images = report->images;
  if (images.empty()) return;
  double abs_sum = 0, signed_sum = 0, label_sum = 0, ss_res = 0;
  for (const ImageEval& im : images) {
    c.labels += im.labels;
    c.counted += im.counted;
    const double e = im.count_error();
    abs_sum += std::fabs(e);
    signed_sum += e;
    label_sum += im.labels;
    ss_res += e * e;
  }
  const double n = static_cast<double>(images.size());
  const double mean_labels = label_sum / n;
  double ss_tot = 0;
  for (const ImageEval& im : images) ss_tot += (im.labels - mean_labels) * (im.labels - mean_labels);
  c.mae = abs_sum / n;
  c.mean_error = signed_sum / n;
  if (ss_tot > 0)
    c.r2 = 1.0 - ss_res / ss_tot;
  else
    c.r2 = ss_res == 0 ? 1.0 : 0.0;
}

constexpr double kPerfectApSlack = 1e-9;

void find_outliers(int n, EvalReport* report) {
  const std::vector<ImageEval>& images = report->images;
  std::vector<int> by_count, by_ap;
  for (int i = 0; i < static_cast<int>(images.size()); ++i) {
    if (images[i].count_error() != 0) by_count.push_back(i);
    // Perfect images read 1 - 2e-16 (COCO divides by tp + fp + eps): not outliers.
    if (images[i].ap50 != kUndefinedAp && images[i].ap50 < 1.0 - kPerfectApSlack) by_ap.push_back(i);
  }
  std::stable_sort(by_count.begin(), by_count.end(),
                   [&](int a, int b) { return std::abs(images[a].count_error()) > std::abs(images[b].count_error()); });
  std::stable_sort(by_ap.begin(), by_ap.end(), [&](int a, int b) { return images[a].ap50 < images[b].ap50; });
  if (static_cast<int>(by_count.size()) > n) by_count.resize(static_cast<std::size_t>(n));
  if (static_cast<int>(by_ap.size()) > n) by_ap.resize(static_cast<std::size_t>(n));
  report->worst_count_images = std::move(by_count);
  report->worst_ap_images = std::move(by_ap);
}

// Mean of the defined values, or kUndefinedAp.
double mean_defined(const std::vector<double>& values) {
  double sum = 0;
  int n = 0;
  for (double v : values)
    if (v != kUndefinedAp) {
      sum += v;
      ++n;
    }
  return n == 0 ? kUndefinedAp : sum / n;
}

// COCOeval.accumulate and summarize: per class the APs (maxDets max_dets) and
// ARs (maxDets 1, 10, max_dets; per area range at max_dets), then their means
// over the classes where they are defined.
void summarize_coco(const std::vector<std::vector<const PairMatches*>>& pairs_of_class, int max_dets,
                    EvalReport* report) {
  struct Column {
    std::vector<double> values;
    double* mean;
  };
  Column ap50{{}, &report->map50}, ap75{{}, &report->map75}, ap{{}, &report->map50_95},
      ap_small{{}, &report->map_small}, ap_medium{{}, &report->map_medium}, ap_large{{}, &report->map_large},
      ar1{{}, &report->mar1}, ar10{{}, &report->mar10}, ar100{{}, &report->mar100}, ar_small{{}, &report->mar_small},
      ar_medium{{}, &report->mar_medium}, ar_large{{}, &report->mar_large};
  PrecisionTable table;
  eval::RecallRow recall;
  for (std::size_t c = 0; c < pairs_of_class.size(); ++c) {
    const std::vector<const PairMatches*>& pairs = pairs_of_class[c];
    ClassEval& ce = report->classes[c];
    ce.pr_curve.fill(kUndefinedAp);
    double ar = kUndefinedAp;
    if (eval::accumulate(pairs, eval::kAreaAll, max_dets, &table, &recall)) {
      ce.ap50 = eval::mean_of(table[0]);
      ce.ap75 = eval::mean_of(table[5]);
      ce.ap50_95 = eval::mean_of(table);
      ce.pr_curve = table[0];
      ar = eval::mean_of(recall);
    }
    ar100.values.push_back(ar);
    for (const auto& [dets, column] : {std::pair{1, &ar1}, std::pair{10, &ar10}}) {
      const bool defined = eval::accumulate(pairs, eval::kAreaAll, std::min(dets, max_dets), &table, &recall);
      column->values.push_back(defined ? eval::mean_of(recall) : kUndefinedAp);
    }
    const struct {
      int area;
      double* class_ap;
      Column* ap;
      Column* ar;
    } ranges[] = {{eval::kAreaSmall, &ce.ap_small, &ap_small, &ar_small},
                  {eval::kAreaMedium, &ce.ap_medium, &ap_medium, &ar_medium},
                  {eval::kAreaLarge, &ce.ap_large, &ap_large, &ar_large}};
    for (const auto& r : ranges) {
      const bool defined = eval::accumulate(pairs, r.area, max_dets, &table, &recall);
      if (defined) *r.class_ap = eval::mean_of(table);
      r.ap->values.push_back(*r.class_ap);
      r.ar->values.push_back(defined ? eval::mean_of(recall) : kUndefinedAp);
    }
    ap50.values.push_back(ce.ap50);
    ap75.values.push_back(ce.ap75);
    ap.values.push_back(ce.ap50_95);
  }
  for (Column* column :
       {&ap50, &ap75, &ap, &ap_small, &ap_medium, &ap_large, &ar1, &ar10, &ar100, &ar_small, &ar_medium, &ar_large})
    *column->mean = mean_defined(column->values);
}

}  // namespace

Status evaluate_detections(const std::vector<EvalImage>& images, const EvalOptions& o, EvalReport* report) {
  *report = EvalReport{};
  RKYOLO_RETURN_IF_ERROR(validate_inputs(images, o));
  const int nc = o.num_classes;
  report->num_images = static_cast<int>(images.size());
  report->classes.assign(static_cast<std::size_t>(nc), ClassEval{});
  report->images.assign(images.size(), ImageEval{});
  report->confusion.assign(static_cast<std::size_t>(nc + 1),
                           std::vector<long long>(static_cast<std::size_t>(nc + 1), 0));

  // Match every (image, class) pair that has labels or predictions, the
  // images in COCO's sorted image-id order.
  std::vector<std::size_t> by_id(images.size());
  std::iota(by_id.begin(), by_id.end(), std::size_t{0});
  std::stable_sort(by_id.begin(), by_id.end(),
                   [&](std::size_t a, std::size_t b) { return images[a].id < images[b].id; });
  std::vector<PairMatches> pairs;
  std::vector<std::vector<std::size_t>> pairs_of_image(images.size());
  std::vector<std::vector<const LabelBox*>> labels_of(static_cast<std::size_t>(nc));
  std::vector<std::vector<const PredictedBox*>> preds_of(static_cast<std::size_t>(nc));
  for (const std::size_t i : by_id) {
    const EvalImage& im = images[i];
    for (auto& v : labels_of) v.clear();
    for (auto& v : preds_of) v.clear();
    for (const LabelBox& l : im.labels) labels_of[l.class_id].push_back(&l);
    for (const PredictedBox& p : im.predictions) preds_of[p.class_id].push_back(&p);
    ImageEval& ie = report->images[i];
    ie.labels = static_cast<int>(im.labels.size());
    ie.predictions = static_cast<int>(im.predictions.size());
    for (const PredictedBox& p : im.predictions) ie.counted += p.score >= o.count_conf ? 1 : 0;
    for (int c = 0; c < nc; ++c) {
      if (labels_of[c].empty() && preds_of[c].empty()) continue;
      if (!labels_of[c].empty()) {
        ++report->classes[c].images;
        report->classes[c].instances += static_cast<int>(labels_of[c].size());
      }
      PairMatches pm;
      pm.image = static_cast<int>(i);
      pm.class_id = c;
      eval::match_pair(labels_of[c], preds_of[c], o.max_dets, &pm);
      report->classes[c].predictions += static_cast<int>(pm.scores.size());
      pairs_of_image[i].push_back(pairs.size());
      pairs.push_back(std::move(pm));
    }
    report->num_labels += ie.labels;
    report->num_predictions += ie.predictions;
    eval::add_to_confusion(im, nc, o.count_conf, o.confusion_iou, &report->confusion);
  }
  std::vector<std::vector<const PairMatches*>> pairs_of_class(static_cast<std::size_t>(nc));
  for (const PairMatches& p : pairs) pairs_of_class[p.class_id].push_back(&p);  // image-id order

  summarize_coco(pairs_of_class, o.max_dets, report);
  report->mean_pr_curve.fill(kUndefinedAp);
  for (int r = 0; r < kNumRecallPoints; ++r) {
    std::vector<double> at_r;
    for (const ClassEval& ce : report->classes) at_r.push_back(ce.pr_curve[r]);
    report->mean_pr_curve[r] = mean_defined(at_r);
  }

  // Per image: AP@0.5 of the image alone, mean over its labelled classes.
  PrecisionTable table;
  eval::RecallRow recall;
  for (std::size_t i = 0; i < images.size(); ++i) {
    std::vector<double> per_class;
    for (std::size_t k : pairs_of_image[i])
      if (eval::accumulate({&pairs[k]}, eval::kAreaAll, o.max_dets, &table, &recall))
        per_class.push_back(eval::mean_of(table[0]));
    report->images[i].ap50 = mean_defined(per_class);
  }

  precision_recall_at_best_f1(pairs_of_class, report);
  counting_accuracy(o, report);
  find_outliers(o.outliers, report);
  return Status();
}

std::ostream& operator<<(std::ostream& os, const CocoBox& b) {
  return os << "[x " << b.x << ", y " << b.y << ", w " << b.w << ", h " << b.h << "]";
}

std::ostream& operator<<(std::ostream& os, const CocoImageId& id) {
  if (id.is_number) return os << id.number;
  return os << '\'' << id.text << '\'';
}

std::ostream& operator<<(std::ostream& os, const EvalReport& r) {
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "mAP50-95 %.4f mAP50 %.4f mAP75 %.4f small %.4f medium %.4f large %.4f "
                "mAR1 %.4f mAR10 %.4f mAR100 %.4f small %.4f medium %.4f large %.4f P %.4f R %.4f "
                "(%d images, %d labels, %d predictions)",
                r.map50_95, r.map50, r.map75, r.map_small, r.map_medium, r.map_large, r.mar1, r.mar10, r.mar100,
                r.mar_small, r.mar_medium, r.mar_large, r.precision, r.recall, r.num_images, r.num_labels,
                r.num_predictions);
  return os << buf;
}

}  // namespace rkyolo
