// rkyolo: detection accuracy on a labelled dataset, scored the way
// pycocotools' COCOeval scores bounding boxes, plus the Ultralytics-style
// precision/recall, counting accuracy, a confusion matrix and outliers.
//
// The standard library only (target rkyolo::eval): it takes boxes, not
// images or files, so every front end (the CLI's val and eval, tests, other
// programs) gets the same numbers.
//
// The COCO protocol, as COCOeval implements it for bbox (checked against
// pycocotools' own code, tests/reference/coco_eval_ref.py):
//  * images are taken in sorted image-id order (CocoImageId), which decides
//    how predictions of equal score rank across images;
//  * per image and class, predictions sorted by score (stable: ties keep their
//    input order) and the best `max_dets` (100) kept;
//  * at each IoU threshold 0.50:0.05:0.95, predictions in score order take the
//    unmatched label with the highest IoU >= threshold, preferring labels
//    inside the area range to ignored ones; a crowd label may take any number
//    of predictions, its IoU is intersection / prediction area, and it is
//    always ignored;
//  * area ranges all / small (< 32^2) / medium (32^2..96^2) / large (> 96^2)
//    on the label's area (LabelBox::area: a polygon's, else w*h) and the
//    prediction's w*h in pixels (a bound belongs to both sides); labels
//    outside the range are ignored, and so are predictions matched to an
//    ignored label and predictions outside the range that matched nothing;
//  * per class and range, the kept predictions of all images sorted by score
//    (stable, in image-id order); precision at the 101 recall points 0, 0.01,
//    ..., 1 from the monotone envelope, 0 beyond the highest recall; recall at
//    the end of the list, keeping the best 1, 10 or max_dets per image;
//  * the AP or AR of a class without labels (in that area range) is undefined,
//    reported as -1 and left out of the mean.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "rkyolo/status.h"

namespace rkyolo {

// A box in pixels as COCO writes it: top-left corner and size.
struct CocoBox {
  double x = 0, y = 0, w = 0, h = 0;
  double area() const { return w * h; }
};

// COCO's box IoU of a prediction and a label (pycocotools maskApi bbIou, in
// double): intersection over union, or over the prediction's area when the
// label is a crowd; 0 when the boxes do not overlap.
double coco_iou(const CocoBox& prediction, const CocoBox& label, bool crowd = false);

struct LabelBox {
  int class_id = 0;
  CocoBox box;
  bool crowd = false;  // COCO iscrowd: a region of many objects, never counted, never missed
  // COCO's annotation area, which picks the area range: a polygon's area;
  // absent: the box's w*h.
  std::optional<double> area;
  double range_area() const { return area ? *area : box.area(); }
};

struct PredictedBox {
  int class_id = 0;
  double score = 0;
  CocoBox box;
};

// A COCO image_id: a number or a name. COCOeval visits images in sorted id
// order. pycocotools cannot sort a mix of numbers and names (Python refuses to
// compare them); rkyolo puts every number before every name. Numbers compare
// by value, names by code point (byte order of UTF-8), as Python's sorted().
struct CocoImageId {
  bool is_number = false;
  std::int64_t number = 0;
  std::string text;
};
bool operator<(const CocoImageId& a, const CocoImageId& b);
bool operator==(const CocoImageId& a, const CocoImageId& b);

// One image: its labels, what a model predicted for it (any order; among
// equal scores the first given ranks first) and its id. Images with equal ids
// (the default) keep their order in the input (COCO would merge them into one
// image: give distinct ids to match it).
struct EvalImage {
  std::vector<LabelBox> labels;
  std::vector<PredictedBox> predictions;
  CocoImageId id;
};

struct EvalOptions {
  int num_classes = 0;          // class ids are 0 .. num_classes-1
  int max_dets = 100;           // COCO maxDets: best predictions kept per image and class
  double count_conf = 0.25;     // score from which a prediction counts as an object (counting, confusion matrix)
  double confusion_iou = 0.45;  // a prediction and a label pair up in the confusion matrix above this IoU
  int outliers = 0;             // how many images to list as the worst of each kind
};

constexpr int kNumIouThresholds = 10;       // 0.50, 0.55, ..., 0.95
constexpr int kNumRecallPoints = 101;       // 0, 0.01, ..., 1
constexpr int kNumConfidencePoints = 1000;  // Ultralytics' P/R/F1-vs-confidence grid
using PrCurve = std::array<double, kNumRecallPoints>;

// The IoU thresholds and recall points exactly as numpy.linspace makes them
// in COCOeval (0.75 is 0.7499999999999999...).
const std::array<double, kNumIouThresholds>& coco_iou_thresholds();
const std::array<double, kNumRecallPoints>& coco_recall_points();

// Sentinel of COCO for "no labels, AP undefined".
constexpr double kUndefinedAp = -1.0;

struct ClassEval {
  int images = 0;       // images with at least one label of this class
  int instances = 0;    // labels of this class (crowds included)
  int predictions = 0;  // predictions of this class (after max_dets)
  // COCO APs (maxDets 100); kUndefinedAp when the class has no labels in the range.
  double ap50 = kUndefinedAp, ap75 = kUndefinedAp, ap50_95 = kUndefinedAp;
  double ap_small = kUndefinedAp, ap_medium = kUndefinedAp, ap_large = kUndefinedAp;
  // Ultralytics-style precision, recall and F1 at the dataset's best-mean-F1
  // confidence (matches at IoU 0.5; crowds, and predictions matched to them,
  // left out as COCO leaves them); 0 for classes without labels.
  double precision = 0, recall = 0, f1 = 0;
  // Interpolated precision at the 101 recall points, IoU 0.5, area all
  // (its mean is ap50); all -1 when the class has no labels.
  PrCurve pr_curve{};
};

struct ImageEval {
  int labels = 0;
  int predictions = 0;         // all predictions given for the image
  int counted = 0;             // predictions with score >= count_conf
  double ap50 = kUndefinedAp;  // COCO AP@0.5 of this image alone, mean over its labelled classes
  int count_error() const { return counted - labels; }
};

struct CountingEval {
  double count_conf = 0.25;
  long long labels = 0;  // over all images
  long long counted = 0;
  double mae = 0;         // mean |counted - labels| per image
  double mean_error = 0;  // mean (counted - labels): > 0 over-counts
  // 1 - SS_res / SS_tot over images. When every image has the same number of
  // labels (SS_tot = 0) R^2 is 1 if every count is exact and 0 otherwise
  // (scikit-learn's convention); absent when there are no images.
  std::optional<double> r2;
};

struct EvalReport {
  int num_images = 0;
  int num_labels = 0;
  int num_predictions = 0;
  // COCO summary (maxDets 100), kUndefinedAp when no class has labels (in the range).
  double map50_95 = kUndefinedAp, map50 = kUndefinedAp, map75 = kUndefinedAp;
  double map_small = kUndefinedAp, map_medium = kUndefinedAp, map_large = kUndefinedAp;
  // COCO average recall over the IoU thresholds and classes: keeping the best
  // 1, 10 and max_dets (100) predictions per image and class, and per area
  // range at max_dets. kUndefinedAp like the APs.
  double mar1 = kUndefinedAp, mar10 = kUndefinedAp, mar100 = kUndefinedAp;
  double mar_small = kUndefinedAp, mar_medium = kUndefinedAp, mar_large = kUndefinedAp;
  // Ultralytics-style: means over the classes with labels, at `f1_conf`, the
  // confidence on a 1000-point grid where the smoothed mean F1 peaks.
  double precision = 0, recall = 0, f1 = 0, f1_conf = 0;
  PrCurve mean_pr_curve{};  // mean of the defined class curves (-1 when none)
  std::vector<ClassEval> classes;
  std::vector<ImageEval> images;
  CountingEval counting;
  // Indices into `images`, at most `outliers` each: the largest |count
  // error| first (exact counts are not listed), and the lowest AP@0.5 first
  // (perfect images, and images without labels, which have no AP, are not).
  std::vector<int> worst_count_images;
  std::vector<int> worst_ap_images;
  // (num_classes + 1)^2 counts, row = true class, column = predicted class;
  // index num_classes is the background (row: a prediction with no label,
  // column: a label nothing found). Predictions with score >= count_conf,
  // paired with labels by IoU > confusion_iou, best IoU first, whatever the class.
  std::vector<std::vector<long long>> confusion;
};

// Scores `images` against their labels. Fails (kInvalidArgument) on a class
// id outside [0, num_classes), a non-finite value or a negative box size or
// area.
Status evaluate_detections(const std::vector<EvalImage>& images, const EvalOptions& options, EvalReport* report);

std::ostream& operator<<(std::ostream& os, const CocoBox& box);
std::ostream& operator<<(std::ostream& os, const CocoImageId& id);
// One-line summary: "mAP50-95 0.512 mAP50 0.734 ... (N images, M labels)".
std::ostream& operator<<(std::ostream& os, const EvalReport& report);

}  // namespace rkyolo
