// The detection confusion matrix of Ultralytics (ConfusionMatrix.process_batch),
// transposed so rows are the true class.
#include "eval/confusion.h"

#include <algorithm>

namespace rkyolo::eval {

void add_to_confusion(const EvalImage& image, int num_classes, double conf, double iou_threshold,
                      std::vector<std::vector<long long>>* matrix) {
  const int background = num_classes;
  std::vector<const PredictedBox*> dets;
  for (const PredictedBox& p : image.predictions)
    if (p.score >= conf) dets.push_back(&p);

  struct Pair {
    int label, det;
    double iou;
  };
  std::vector<Pair> pairs;
  for (int g = 0; g < static_cast<int>(image.labels.size()); ++g)
    for (int d = 0; d < static_cast<int>(dets.size()); ++d) {
      const double v = coco_iou(image.labels[g].box, dets[d]->box);
      if (v > iou_threshold) pairs.push_back({g, d, v});
    }
  // Best IoU first; each prediction keeps its best label, then each label its
  // best remaining prediction.
  auto by_iou = [](const Pair& a, const Pair& b) { return a.iou > b.iou; };
  std::stable_sort(pairs.begin(), pairs.end(), by_iou);
  std::vector<char> det_used(dets.size(), 0), label_used(image.labels.size(), 0);
  std::vector<Pair> unique_det;
  for (const Pair& p : pairs)
    if (!det_used[p.det]) {
      det_used[p.det] = 1;
      unique_det.push_back(p);
    }
  std::vector<int> det_of_label(image.labels.size(), -1);
  std::vector<char> det_matched(dets.size(), 0);
  for (const Pair& p : unique_det)
    if (!label_used[p.label]) {
      label_used[p.label] = 1;
      det_of_label[p.label] = p.det;
      det_matched[p.det] = 1;
    }
  for (int g = 0; g < static_cast<int>(image.labels.size()); ++g) {
    const int truth = image.labels[g].class_id;
    const int d = det_of_label[g];
    ++(*matrix)[truth][d >= 0 ? dets[d]->class_id : background];
  }
  for (int d = 0; d < static_cast<int>(dets.size()); ++d)
    if (!det_matched[d]) ++(*matrix)[background][dets[d]->class_id];
}

}  // namespace rkyolo::eval
