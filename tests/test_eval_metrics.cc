// The evaluation metrics: hand-computed COCO cases (one perfect box, IoU
// between thresholds, duplicates, a crowd of misses, class confusion, empty
// images and predictions, a class without labels, area ranges, maxDets, crowd
// labels, polygon areas, ties across images in image-id order, average
// recall), counting accuracy, outliers and the confusion matrix; then
// agreement with pycocotools' own COCOeval (tests/reference/coco_eval_ref.py
// runs a copy of it) on random labels and predictions: adversarial ties over
// numeric and named image ids, crowds and polygon areas, all twelve stats.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <utility>

#include "rkyolo/evaluation.h"
#include "support/test_env.h"

namespace rkyolo {
namespace {

// Hand-computed values are exact up to summation order.
constexpr double kExact = 1e-12;
// Agreement with pycocotools: both compute in double and differ only in
// summation order (numpy sums pairwise), a few ulps; a protocol slip moves a
// stat by at least 1 / (101 * 10 * classes * labels), far above this
// (keeping 99 instead of 100 predictions moved mAP by 4e-5, ranking ties in
// path order instead of id order by up to 8e-3).
constexpr double kMaxStatError = 1e-12;

LabelBox label(int cls, double x, double y, double w, double h) {
  return {cls, {x, y, w, h}};
}
LabelBox crowd(int cls, double x, double y, double w, double h) {
  LabelBox l{cls, {x, y, w, h}};
  l.crowd = true;
  return l;
}
CocoImageId number_id(std::int64_t n) {
  return {true, n, std::to_string(n)};
}
CocoImageId name_id(const std::string& name) {
  return {false, 0, name};
}
PredictedBox pred(int cls, double score, double x, double y, double w, double h) {
  return {cls, score, {x, y, w, h}};
}

EvalReport run(const std::vector<EvalImage>& images, int num_classes, int outliers = 0) {
  EvalOptions o;
  o.num_classes = num_classes;
  o.outliers = outliers;
  EvalReport r;
  const Status s = evaluate_detections(images, o, &r);
  EXPECT_TRUE(s.ok()) << s;
  return r;
}

TEST(EvalCoco, ThresholdsAreNumpyLinspace) {
  const auto& t = coco_iou_thresholds();
  EXPECT_EQ(t[0], 0.5);
  EXPECT_EQ(t[9], 0.95);
  EXPECT_NEAR(t[5], 0.75, 1e-15);
  const auto& r = coco_recall_points();
  EXPECT_EQ(r[0], 0.0);
  EXPECT_EQ(r[100], 1.0);
  EXPECT_EQ(r[25], 0.25);
}

TEST(EvalCoco, IouOfCocoBoxes) {
  EXPECT_NEAR(coco_iou({0, 0, 10, 10}, {0, 0, 10, 10}), 1.0, kExact);
  EXPECT_NEAR(coco_iou({0, 0, 10, 10}, {5, 0, 10, 10}), 50.0 / 150.0, kExact);
  EXPECT_EQ(coco_iou({0, 0, 10, 10}, {10, 0, 10, 10}), 0.0);  // touching
  EXPECT_EQ(coco_iou({0, 0, 0, 0}, {0, 0, 0, 0}), 0.0);       // empty boxes, no NaN
  // A crowd: intersection over the prediction's area.
  EXPECT_NEAR(coco_iou({5, 0, 10, 10}, {0, 0, 100, 100}, true), 1.0, kExact);
  EXPECT_NEAR(coco_iou({-5, 0, 10, 10}, {0, 0, 100, 100}, true), 0.5, kExact);
  EXPECT_NEAR(coco_iou({-5, 0, 10, 10}, {0, 0, 100, 100}, false), 50.0 / (100.0 + 10000.0 - 50.0), kExact);
}

TEST(EvalCoco, CrowdLabelsTakeAnyPredictionsAndNeverCount) {
  // A label found at .9; two predictions inside a crowd region rank above and
  // between it: matched to the crowd, ignored, not false positives.
  const EvalImage im{{label(0, 0, 0, 50, 50), crowd(0, 200, 200, 300, 300)},
                     {pred(0, 0.95, 210, 210, 40, 40), pred(0, 0.9, 0, 0, 50, 50), pred(0, 0.8, 300, 300, 60, 60)}};
  EvalReport r = run({im}, 1);
  EXPECT_NEAR(r.map50_95, 1.0, kExact);
  EXPECT_NEAR(r.mar100, 1.0, kExact);  // the crowd is not a label to find
  EXPECT_EQ(r.classes[0].instances, 2);
  EXPECT_NEAR(r.precision, 1.0, 1e-9);  // the Ultralytics-style P/R leave the crowd out too
  EXPECT_NEAR(r.recall, 1.0, 1e-9);
  // A crowd alone defines nothing.
  r = run({{{crowd(0, 0, 0, 100, 100)}, {pred(0, 0.9, 10, 10, 20, 20)}}}, 1);
  EXPECT_EQ(r.map50_95, kUndefinedAp);
  EXPECT_EQ(r.mar100, kUndefinedAp);
}

TEST(EvalCoco, TiesAcrossImagesRankInImageIdOrder) {
  // Image 10 has a true positive, image 9 a false positive, both at .9.
  // COCOeval visits 9 first: FP then TP -> precision 1/2 at recall 1/2 (the
  // other label is missed); with 10 first, precision 1 up to recall 1/2.
  EvalImage ten{{label(0, 0, 0, 50, 50)}, {pred(0, 0.9, 0, 0, 50, 50)}, number_id(10)};
  EvalImage nine{{label(0, 0, 0, 50, 50)}, {pred(0, 0.9, 200, 200, 50, 50)}, number_id(9)};
  const double fp_first = 51 * 0.5 / 101, tp_first = 51.0 / 101;
  EXPECT_NEAR(run({ten, nine}, 1).map50, fp_first, kExact);
  EXPECT_NEAR(run({nine, ten}, 1).map50, fp_first, kExact);
  // Named ids sort by code point ("B" < "a"), and every number before every name.
  ten.id = name_id("a"), nine.id = name_id("B");
  EXPECT_NEAR(run({ten, nine}, 1).map50, fp_first, kExact);
  ten.id = number_id(1000), nine.id = name_id("0");
  EXPECT_NEAR(run({nine, ten}, 1).map50, tp_first, kExact);
  // Equal ids (the default) keep the input order.
  ten.id = nine.id = CocoImageId{};
  EXPECT_NEAR(run({ten, nine}, 1).map50, tp_first, kExact);
  EXPECT_NEAR(run({nine, ten}, 1).map50, fp_first, kExact);
  // Within an image, equal scores keep the order given.
  const EvalImage both{{label(0, 0, 0, 50, 50), label(0, 300, 0, 50, 50)},
                       {pred(0, 0.9, 200, 200, 50, 50), pred(0, 0.9, 0, 0, 50, 50)}};
  EXPECT_NEAR(run({both}, 1).map50, fp_first, kExact);
}

TEST(EvalCoco, ImageIdsOrderNumbersByValueThenNamesByCodePoint) {
  const std::vector<CocoImageId> sorted = {number_id(-3), number_id(2),     number_id(10),    name_id(""),
                                           name_id("10"), name_id("Zebra"), name_id("apple"), name_id("Ã©tÃ©")};
  for (std::size_t i = 0; i < sorted.size(); ++i)
    for (std::size_t j = 0; j < sorted.size(); ++j) {
      EXPECT_EQ(sorted[i] < sorted[j], i < j) << sorted[i] << " vs " << sorted[j];
      EXPECT_EQ(sorted[i] == sorted[j], i == j) << sorted[i] << " vs " << sorted[j];
    }
}

TEST(EvalCoco, TheLabelAreaPicksTheAreaRange) {
  // A 40 x 40 box (medium) whose polygon covers 800 px^2 (small), found by its box.
  LabelBox triangle = label(0, 0, 0, 40, 40);
  triangle.area = 800.0;
  const EvalReport r = run({{{triangle}, {pred(0, 0.9, 0, 0, 40, 40)}}}, 1);
  EXPECT_NEAR(r.map_small, 1.0, kExact);
  EXPECT_NEAR(r.mar_small, 1.0, kExact);
  EXPECT_EQ(r.map_medium, kUndefinedAp);  // the prediction matched an ignored label there
  EXPECT_EQ(r.mar_medium, kUndefinedAp);
  EXPECT_NEAR(r.map50_95, 1.0, kExact);
  EvalOptions o;
  o.num_classes = 1;
  EvalReport bad;
  for (double area : {-1.0, std::nan(""), HUGE_VAL}) {
    triangle.area = area;
    EXPECT_EQ(evaluate_detections({{{triangle}, {}}}, o, &bad).code(), StatusCode::kInvalidArgument) << area;
  }
}

TEST(EvalCoco, AverageRecallKeepsTheBest1And10And100PerImage) {
  // Twelve labels; twelve exact predictions, scores falling, one per label,
  // the last two at IoU 0.72 (true positives at 5 of 10 thresholds).
  EvalImage im;
  for (int i = 0; i < 12; ++i) {
    im.labels.push_back(label(0, i * 100.0, 0, 100, 100));
    im.predictions.push_back(pred(0, 1.0 - i * 0.05, i * 100.0, 0, 100, i < 10 ? 100 : 72));
  }
  const EvalReport r = run({im, im}, 1);  // two images: maxDets count per image
  EXPECT_NEAR(r.mar1, 1.0 / 12, kExact);
  EXPECT_NEAR(r.mar10, 10.0 / 12, kExact);
  EXPECT_NEAR(r.mar100, (10.0 + 2 * 0.5) / 12, kExact);
  EXPECT_NEAR(r.mar_large, r.mar100, kExact);  // every label is 100 x 100 (large)
  EXPECT_EQ(r.mar_small, kUndefinedAp);
  EXPECT_EQ(r.mar_medium, kUndefinedAp);
}

TEST(EvalCoco, OnePerfectBox) {
  const EvalReport r = run({{{label(0, 10, 10, 100, 100)}, {pred(0, 0.9, 10, 10, 100, 100)}}}, 1);
  EXPECT_NEAR(r.map50_95, 1.0, kExact);
  EXPECT_NEAR(r.map50, 1.0, kExact);
  EXPECT_NEAR(r.map75, 1.0, kExact);
  EXPECT_NEAR(r.map_large, 1.0, kExact);
  EXPECT_EQ(r.map_small, kUndefinedAp);
  EXPECT_EQ(r.map_medium, kUndefinedAp);
  EXPECT_NEAR(r.precision, 1.0, kExact);
  EXPECT_NEAR(r.recall, 1.0, 1e-9);
  EXPECT_EQ(r.classes[0].images, 1);
  EXPECT_EQ(r.classes[0].instances, 1);
  for (double p : r.classes[0].pr_curve) EXPECT_NEAR(p, 1.0, kExact);
  EXPECT_NEAR(r.images[0].ap50, 1.0, kExact);
}

TEST(EvalCoco, BoxWithIouBetweenThresholds) {
  // IoU 0.72: a true positive at 0.50 .. 0.70 (5 of 10 thresholds).
  const EvalReport r = run({{{label(0, 0, 0, 100, 100)}, {pred(0, 0.8, 0, 0, 100, 72)}}}, 1);
  EXPECT_NEAR(r.map50, 1.0, kExact);
  EXPECT_NEAR(r.map75, 0.0, kExact);
  EXPECT_NEAR(r.map50_95, 0.5, kExact);
}

TEST(EvalCoco, DuplicateDetections) {
  // Two perfect boxes: the second is a false positive after a recall of 1.
  EvalReport r = run({{{label(0, 0, 0, 100, 100)}, {pred(0, 0.9, 0, 0, 100, 100), pred(0, 0.8, 0, 0, 100, 100)}}}, 1);
  EXPECT_NEAR(r.map50_95, 1.0, kExact);
  // A loose box (IoU 0.62) ranked above a perfect one takes the label while
  // the threshold allows it (0.50, 0.55, 0.60: AP 1); above, the perfect box
  // matches second (precision 1/2 at recall 1: AP 0.5): (3 + 7 * 0.5) / 10.
  r = run({{{label(0, 0, 0, 100, 100)}, {pred(0, 0.9, 0, 0, 100, 62), pred(0, 0.8, 0, 0, 100, 100)}}}, 1);
  EXPECT_NEAR(r.map50, 1.0, kExact);
  EXPECT_NEAR(r.map75, 0.5, kExact);
  EXPECT_NEAR(r.map50_95, 0.65, kExact);
}

TEST(EvalCoco, CrowdOfMisses) {
  // Four labels; predictions TP .9, FP .8, TP .7, FP .6. Recall .25, .25, .5,
  // .5, precision 1, .5, 2/3, .5 -> envelope 1, 2/3, 2/3, .5. Recall points
  // 0..0.25 (26) read 1, 0.26..0.50 (25) read 2/3, the rest 0.
  EvalImage im;
  for (int i = 0; i < 4; ++i) im.labels.push_back(label(0, i * 200.0, 0, 100, 100));
  im.predictions = {pred(0, 0.9, 0, 0, 100, 100), pred(0, 0.8, 0, 500, 100, 100), pred(0, 0.7, 200, 0, 100, 100),
                    pred(0, 0.6, 0, 700, 100, 100)};
  EvalReport r = run({im}, 1);
  EXPECT_NEAR(r.map50, (26.0 + 25.0 * 2.0 / 3.0) / 101.0, kExact);
  EXPECT_NEAR(r.map50_95, r.map50, kExact);  // exact boxes: the same at every threshold
  // Ten labels and nothing found: AP 0, not undefined.
  EvalImage missed;
  for (int i = 0; i < 10; ++i) missed.labels.push_back(label(0, i * 50.0, 0, 40, 40));
  missed.predictions = {pred(0, 0.5, 0, 300, 40, 40)};
  r = run({missed}, 1);
  EXPECT_NEAR(r.map50_95, 0.0, kExact);
  EXPECT_NEAR(r.images[0].ap50, 0.0, kExact);
}

TEST(EvalCoco, ClassConfusion) {
  const EvalReport r = run({{{label(0, 0, 0, 50, 50)}, {pred(1, 0.9, 0, 0, 50, 50)}}}, 2);
  EXPECT_NEAR(r.classes[0].ap50_95, 0.0, kExact);
  EXPECT_EQ(r.classes[1].ap50_95, kUndefinedAp);  // no labels of class 1
  EXPECT_NEAR(r.map50_95, 0.0, kExact);
  EXPECT_EQ(r.confusion[0][1], 1);  // true 0 predicted as 1
  EXPECT_EQ(r.confusion[0][0], 0);
  EXPECT_EQ(r.confusion[2][2], 0);
}

TEST(EvalCoco, EmptyImagesChangeNothingButCounting) {
  const EvalImage one{{label(0, 0, 0, 50, 50)}, {pred(0, 0.9, 0, 0, 50, 50), pred(0, 0.3, 300, 300, 50, 50)}};
  const EvalReport a = run({one}, 1);
  const EvalReport b = run({EvalImage{}, one, EvalImage{}}, 1);
  EXPECT_NEAR(a.map50_95, b.map50_95, kExact);
  EXPECT_NEAR(a.map50, b.map50, kExact);
  EXPECT_EQ(b.num_images, 3);
  EXPECT_EQ(b.images[0].ap50, kUndefinedAp);
  // An image with predictions and no labels adds false positives.
  const EvalReport c = run({one, {{}, {pred(0, 0.95, 0, 0, 50, 50)}}}, 1);
  EXPECT_LT(c.map50, a.map50);
}

TEST(EvalCoco, EmptyPredictions) {
  const EvalReport r = run({{{label(0, 0, 0, 50, 50), label(1, 100, 100, 50, 50)}, {}}, {}}, 2);
  EXPECT_NEAR(r.map50_95, 0.0, kExact);
  EXPECT_NEAR(r.map50, 0.0, kExact);
  EXPECT_EQ(r.precision, 0.0);
  EXPECT_EQ(r.recall, 0.0);
  EXPECT_EQ(r.counting.counted, 0);
  EXPECT_EQ(r.counting.labels, 2);
  EXPECT_EQ(r.confusion[0][2], 1);  // label 0 found nothing: background column
  EXPECT_EQ(r.confusion[1][2], 1);
  // Nothing at all: every AP undefined, no crash.
  const EvalReport none = run({}, 3);
  EXPECT_EQ(none.map50_95, kUndefinedAp);
  EXPECT_FALSE(none.counting.r2.has_value());
}

TEST(EvalCoco, ClassWithoutLabelsIsLeftOutOfTheMean) {
  const EvalReport r =
      run({{{label(0, 0, 0, 50, 50)}, {pred(0, 0.9, 0, 0, 50, 50), pred(2, 0.9, 200, 200, 50, 50)}}}, 3);
  EXPECT_NEAR(r.map50_95, 1.0, kExact);
  EXPECT_EQ(r.classes[1].ap50, kUndefinedAp);
  EXPECT_EQ(r.classes[2].ap50, kUndefinedAp);
  EXPECT_EQ(r.classes[2].predictions, 1);
  EXPECT_EQ(r.classes[2].pr_curve[0], kUndefinedAp);
}

TEST(EvalCoco, AreaRangesIgnoreWhatIsOutside) {
  // A small label found, and a large unmatched false positive ranked first.
  const EvalReport r =
      run({{{label(0, 0, 0, 20, 20)}, {pred(0, 0.9, 100, 100, 200, 200), pred(0, 0.8, 0, 0, 20, 20)}}}, 1);
  EXPECT_NEAR(r.map50_95, 0.5, kExact);   // all: FP then TP -> precision 1/2 at recall 1
  EXPECT_NEAR(r.map_small, 1.0, kExact);  // the large FP is outside "small": ignored
  EXPECT_EQ(r.map_medium, kUndefinedAp);
  EXPECT_EQ(r.map_large, kUndefinedAp);  // no large label: the FP alone defines nothing
  // 32 x 32 is on the bound: both small and medium.
  const EvalReport b = run({{{label(0, 0, 0, 32, 32)}, {pred(0, 0.9, 0, 0, 32, 32)}}}, 1);
  EXPECT_NEAR(b.map_small, 1.0, kExact);
  EXPECT_NEAR(b.map_medium, 1.0, kExact);
  EXPECT_EQ(b.map_large, kUndefinedAp);
  // A medium label matched by a small prediction counts in "medium" (matched
  // predictions are never ignored for their own area).
  // Area 1000 < 32^2, IoU 0.625: a true positive at 0.50, 0.55 and 0.60.
  const EvalReport c = run({{{label(0, 0, 0, 40, 40)}, {pred(0, 0.9, 0, 0, 40, 25)}}}, 1);
  EXPECT_NEAR(c.map50_95, 0.3, kExact);
  EXPECT_NEAR(c.map_medium, 0.3, kExact);
  EXPECT_EQ(c.map_small, kUndefinedAp);
}

TEST(EvalCoco, OnlyTheBestMaxDetsPredictionsPerImageAndClassCount) {
  auto image_with_false_positives = [](int n) {
    EvalImage im{{label(0, 0, 0, 30, 30)}, {}};
    for (int i = 0; i < n; ++i) im.predictions.push_back(pred(0, 0.9, 1000.0 + 40 * i, 0, 30, 30));
    im.predictions.push_back(pred(0, 0.1, 0, 0, 30, 30));  // the only true positive, ranked last
    return im;
  };
  EXPECT_NEAR(run({image_with_false_positives(100)}, 1).map50, 0.0, kExact);  // the 101st is dropped
  const EvalReport kept = run({image_with_false_positives(99)}, 1);
  EXPECT_NEAR(kept.map50, 1.0 / 100.0, kExact);  // precision 1/100 at recall 1
  EXPECT_EQ(kept.classes[0].predictions, 100);
}

TEST(EvalCoco, BadInputIsAnErrorNotACrash) {
  EvalOptions o;
  o.num_classes = 2;
  EvalReport r;
  EXPECT_EQ(evaluate_detections({{{label(2, 0, 0, 1, 1)}, {}}}, o, &r).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(evaluate_detections({{{}, {pred(-1, 0.5, 0, 0, 1, 1)}}}, o, &r).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(evaluate_detections({{{label(0, 0, 0, -1, 1)}, {}}}, o, &r).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(evaluate_detections({{{}, {pred(0, NAN, 0, 0, 1, 1)}}}, o, &r).code(), StatusCode::kInvalidArgument);
  o.num_classes = 0;
  EXPECT_EQ(evaluate_detections({}, o, &r).code(), StatusCode::kInvalidArgument);
}

TEST(EvalCounting, R2AndMeanAbsoluteError) {
  // Labels 1, 2, 3; counted (score >= 0.25) 1, 3, 3: errors 0, 1, 0.
  // SS_tot = 2, SS_res = 1 -> R^2 = 0.5; MAE 1/3.
  std::vector<EvalImage> images(3);
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k <= i; ++k) images[i].labels.push_back(label(0, k * 100.0, 0, 50, 50));
  images[0].predictions = {pred(0, 0.9, 0, 0, 50, 50), pred(0, 0.2, 300, 0, 50, 50)};  // 0.2 not counted
  images[1].predictions = {pred(0, 0.9, 0, 0, 50, 50), pred(0, 0.8, 100, 0, 50, 50), pred(0, 0.25, 500, 0, 50, 50)};
  images[2].predictions = {pred(0, 0.9, 0, 0, 50, 50), pred(0, 0.8, 100, 0, 50, 50), pred(0, 0.7, 200, 0, 50, 50)};
  const EvalReport r = run(images, 1, 5);
  ASSERT_TRUE(r.counting.r2.has_value());
  EXPECT_NEAR(*r.counting.r2, 0.5, kExact);
  EXPECT_NEAR(r.counting.mae, 1.0 / 3.0, kExact);
  EXPECT_NEAR(r.counting.mean_error, 1.0 / 3.0, kExact);
  EXPECT_EQ(r.counting.labels, 6);
  EXPECT_EQ(r.counting.counted, 7);
  EXPECT_EQ(r.worst_count_images, std::vector<int>{1});  // only images with an error are listed
  // Same number of labels everywhere (SS_tot = 0): 1 when exact, else 0.
  EXPECT_NEAR(*run({images[2], images[2]}, 1).counting.r2, 1.0, kExact);
  EXPECT_NEAR(*run({images[1], images[1]}, 1).counting.r2, 0.0, kExact);
}

TEST(EvalOutliers, WorstCountAndLowestApFirst) {
  std::vector<EvalImage> images(4);
  images[0] = {{label(0, 0, 0, 50, 50)}, {pred(0, 0.9, 0, 0, 50, 50)}};                                // perfect
  images[1] = {{label(0, 0, 0, 50, 50), label(0, 100, 0, 50, 50), label(0, 200, 0, 50, 50)}, {}};      // -3
  images[2] = {{label(0, 0, 0, 50, 50)}, {pred(0, 0.9, 300, 0, 50, 50), pred(0, 0.8, 0, 0, 50, 50)}};  // +1, AP .5
  images[3] = {{}, {pred(0, 0.9, 0, 0, 50, 50), pred(0, 0.9, 100, 0, 50, 50)}};                        // +2, no AP
  const EvalReport r = run(images, 1, 2);
  EXPECT_EQ(r.worst_count_images, (std::vector<int>{1, 3}));
  EXPECT_EQ(r.worst_ap_images, (std::vector<int>{1, 2}));
  EXPECT_NEAR(r.images[2].ap50, 0.5, kExact);
  EXPECT_EQ(r.images[3].ap50, kUndefinedAp);
}

TEST(EvalConfusion, PairsByIouWhateverTheClass) {
  // Label 0 found as 0, label 1 found as 0 (confusion), label 1 missed,
  // a class-1 prediction on nothing, one prediction under count_conf.
  const EvalImage im{{label(0, 0, 0, 50, 50), label(1, 100, 0, 50, 50), label(1, 200, 0, 50, 50)},
                     {pred(0, 0.9, 0, 0, 50, 50), pred(0, 0.8, 102, 0, 50, 50), pred(1, 0.7, 400, 0, 50, 50),
                      pred(1, 0.1, 200, 0, 50, 50)}};
  const EvalReport r = run({im}, 2);
  const std::vector<std::vector<long long>> expected = {{1, 0, 0}, {1, 0, 1}, {0, 1, 0}};
  EXPECT_EQ(r.confusion, expected);
  // Two predictions on one label: the better IoU pairs, the other is background.
  const EvalReport d = run({{{label(0, 0, 0, 50, 50)}, {pred(0, 0.9, 5, 0, 50, 50), pred(0, 0.5, 0, 0, 50, 50)}}}, 1);
  EXPECT_EQ(d.confusion, (std::vector<std::vector<long long>>{{1, 0}, {1, 0}}));
}

TEST(EvalPrecisionRecall, BestF1PointOfTheUltralyticsCurves) {
  // 2 labels, predictions TP 0.9, FP 0.6, TP 0.3: at conf <= 0.3 P 2/3 R 1
  // (F1 0.8); at 0.3 .. 0.9 P falls towards 1/2 and R is 1/2. The smoothed
  // mean F1 peaks in the low-confidence plateau.
  const EvalImage im{{label(0, 0, 0, 50, 50), label(0, 100, 0, 50, 50)},
                     {pred(0, 0.9, 0, 0, 50, 50), pred(0, 0.6, 300, 0, 50, 50), pred(0, 0.3, 100, 0, 50, 50)}};
  const EvalReport r = run({im}, 1);
  EXPECT_LE(r.f1_conf, 0.3);
  EXPECT_NEAR(r.precision, 2.0 / 3.0, 1e-9);
  EXPECT_NEAR(r.recall, 1.0, 1e-9);
  EXPECT_NEAR(r.f1, 0.8, 1e-9);
}

// ---------------------------------------------------------------------------
// Agreement with pycocotools' COCOeval on random data.

struct RandomCase {
  int num_classes = 0;
  std::vector<EvalImage> images;
};

// Labels of all sizes (a few exactly on the 32/96 bounds), predictions that
// are jittered, duplicated, missing, of the wrong class or pure inventions,
// scores with ties, empty images, a class that only appears in predictions
// and one crowded image with more than maxDets predictions of a class.
RandomCase make_random_case(unsigned seed, bool crowds_and_polygons) {
  std::mt19937 rng(seed);
  auto uni = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto chance = [&](double p) { return uni(0, 1) < p; };
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto score = [&] {
    const double s = uni(0.001, 1.0);
    return chance(0.3) ? std::round(s * 20) / 20 + 0.001 : s;  // ties
  };
  RandomCase rc;
  rc.num_classes = 7;  // class 6 never has labels
  const int num_images = 90 + pick(0, 40);
  for (int i = 0; i < num_images; ++i) {
    EvalImage im;
    const double width = uni(300, 1400), height = uni(300, 1400);
    const int n_labels = chance(0.1) ? 0 : pick(1, 12);
    for (int k = 0; k < n_labels; ++k) {
      double w = std::exp(uni(std::log(4.0), std::log(500.0)));
      double h = w * std::exp(uni(-0.7, 0.7));
      if (chance(0.05)) w = h = chance(0.5) ? 32.0 : 96.0;
      const double x = uni(0, std::max(1.0, width - w)), y = uni(0, std::max(1.0, height - h));
      im.labels.push_back(label(pick(0, 5), x, y, w, h));
      if (crowds_and_polygons && chance(0.25)) im.labels.back().area = w * h * uni(0.3, 1.0);  // a polygon
      if (crowds_and_polygons && chance(0.05)) im.labels.back().crowd = true;
      if (chance(0.2)) {  // a same-class neighbour of another size: contested matches across area ranges
        const double f = std::exp(uni(-0.4, 0.4));
        im.labels.push_back(label(im.labels.back().class_id, x + w * (1 - f) / 2 + uni(-0.1, 0.1) * w,
                                  y + h * (1 - f) / 2, w * f, h * f));
      }
    }
    for (const LabelBox& l : im.labels) {
      if (chance(0.15)) continue;  // missed
      const int copies = chance(0.15) ? 2 : 1;
      for (int c = 0; c < copies; ++c) {
        const double j = chance(0.5) ? 0.05 : 0.3;  // tight or loose
        PredictedBox p =
            pred(chance(0.1) ? pick(0, 6) : l.class_id, score(), l.box.x + uni(-j, j) * l.box.w,
                 l.box.y + uni(-j, j) * l.box.h, l.box.w * std::exp(uni(-j, j)), l.box.h * std::exp(uni(-j, j)));
        im.predictions.push_back(p);
      }
    }
    const int n_false = pick(0, 5);
    for (int k = 0; k < n_false; ++k) {
      const double w = std::exp(uni(std::log(4.0), std::log(400.0))), h = w * std::exp(uni(-0.5, 0.5));
      im.predictions.push_back(pred(pick(0, 6), score() * 0.7, uni(0, width - w), uni(0, height - h), w, h));
    }
    if (i == 3) {  // a crowd: more labels and predictions of one class than maxDets
      for (int k = 0; k < 120; ++k) {
        const double x = 30.0 * (k % 12), y = 30.0 * (k / 12);
        im.labels.push_back(label(1, x, y, 20, 20));
        im.predictions.push_back(pred(1, uni(0.001, 1.0), x + uni(-3, 3), y + uni(-3, 3), 20, 20));
      }
      for (int k = 0; k < 20; ++k) im.predictions.push_back(pred(1, uni(0.001, 1.0), 500 + 25.0 * k, 500, 20, 20));
    }
    if (crowds_and_polygons && i == 5) {  // a crowd region holding several predictions of its class
      im.labels.push_back(crowd(2, 600, 0, 300, 300));
      for (int k = 0; k < 6; ++k) im.predictions.push_back(pred(2, score(), 610.0 + 40 * k, 10, 30, 30 + 20 * k));
    }
    im.id = number_id(i);
    rc.images.push_back(std::move(im));
  }
  return rc;
}

// The case: stems 1..60 listed in path order ("1", "10", "11", ...,
// "2", "20", ...), few distinct scores so that predictions of equal score in
// different images decide the ranking, a crowd now and then. With `named`
// the stems are names ("img_k" for distinct random k, listed shuffled).
RandomCase make_tie_case(unsigned seed, bool named) {
  std::mt19937 rng(seed);
  auto uni = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto chance = [&](double p) { return uni(0, 1) < p; };
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto score = [&] { return 0.25 * pick(1, 3); };
  RandomCase rc;
  rc.num_classes = 3;
  std::vector<int> numbers(named ? 1000 : 60);  // distinct: COCO would merge images of one id
  std::iota(numbers.begin(), numbers.end(), named ? 0 : 1);
  if (named) std::shuffle(numbers.begin(), numbers.end(), rng);
  std::vector<std::string> stems;
  for (int i = 0; i < 60; ++i)
    stems.push_back(named ? "img_" + std::to_string(numbers[i]) : std::to_string(numbers[i]));
  if (!named) std::sort(stems.begin(), stems.end());  // path order
  for (const std::string& stem : stems) {
    EvalImage im;
    im.id = named ? name_id(stem) : number_id(std::stoll(stem));
    const int n_labels = pick(0, 3);
    for (int k = 0; k < n_labels; ++k) {
      const double w = std::exp(uni(std::log(10.0), std::log(200.0))), h = w * uni(0.6, 1.6);
      const double x = 250.0 * k, y = uni(0, 100);
      im.labels.push_back(label(pick(0, 2), x, y, w, h));
      if (chance(0.2)) im.labels.back().area = w * h * uni(0.4, 1.0);
      if (chance(0.08)) im.labels.back().crowd = true;
      const LabelBox& l = im.labels.back();
      if (chance(0.7)) {  // found, tightly or loosely
        const double j = chance(0.5) ? 0.02 : 0.15;
        im.predictions.push_back(pred(l.class_id, score(), l.box.x + uni(-j, j) * w, l.box.y + uni(-j, j) * h,
                                      w * (1 + uni(-j, j)), h * (1 + uni(-j, j))));
      }
      if (chance(0.3))  // a miss nearby of the same class
        im.predictions.push_back(pred(l.class_id, score(), l.box.x + w * 1.5, l.box.y, w, h));
    }
    if (chance(0.2)) im.predictions.push_back(pred(pick(0, 2), score(), 900, 900, uni(10, 150), uni(10, 150)));
    rc.images.push_back(std::move(im));
  }
  return rc;
}

std::map<std::string, std::vector<double>> run_reference(const RandomCase& rc, const std::string& dir) {
  const std::string in = dir + "/input.txt";
  {
    std::ofstream f(in);
    char buf[256];
    f << "nc " << rc.num_classes << "\n";
    for (std::size_t i = 0; i < rc.images.size(); ++i) {
      const CocoImageId& id = rc.images[i].id;
      f << "image " << i << (id.is_number ? " n " + std::to_string(id.number) : " s " + id.text) << "\n";
    }
    for (std::size_t i = 0; i < rc.images.size(); ++i) {
      for (const LabelBox& l : rc.images[i].labels) {
        std::snprintf(buf, sizeof buf, "gt %zu %d %.17g %.17g %.17g %.17g %d %.17g\n", i, l.class_id, l.box.x, l.box.y,
                      l.box.w, l.box.h, l.crowd ? 1 : 0, l.range_area());
        f << buf;
      }
      for (const PredictedBox& p : rc.images[i].predictions) {
        std::snprintf(buf, sizeof buf, "dt %zu %d %.17g %.17g %.17g %.17g %.17g\n", i, p.class_id, p.score, p.box.x,
                      p.box.y, p.box.w, p.box.h);
        f << buf;
      }
    }
  }
  const test::CommandResult r =
      test::run_command({test::python3(), test::source_dir() + "/tests/reference/coco_eval_ref.py", in}, 120);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::vector<double>> out;
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream ls(line);
    std::string key;
    ls >> key;
    if (key == "class") {
      int c;
      ls >> c;
      key += std::to_string(c);
    }
    double v;
    while (ls >> v) out[key].push_back(v);
  }
  return out;
}

// All twelve COCOeval stats and every class's APs agree with pycocotools.
void expect_agreement(const RandomCase& rc, const EvalReport& r, const std::string& dir) {
  const auto ref = run_reference(rc, dir);
  ASSERT_EQ(ref.count("mar_large"), 1u) << "the reference printed nothing usable";
  const std::pair<const char*, double> stats[] = {
      {"map50_95", r.map50_95},   {"map50", r.map50},           {"map75", r.map75},
      {"map_small", r.map_small}, {"map_medium", r.map_medium}, {"map_large", r.map_large},
      {"mar1", r.mar1},           {"mar10", r.mar10},           {"mar100", r.mar100},
      {"mar_small", r.mar_small}, {"mar_medium", r.mar_medium}, {"mar_large", r.mar_large}};
  for (const auto& [name, value] : stats) EXPECT_NEAR(value, ref.at(name)[0], kMaxStatError) << name;
  for (int c = 0; c < rc.num_classes; ++c) {
    const std::vector<double>& v = ref.at("class" + std::to_string(c));
    ASSERT_EQ(v.size(), 6u);
    const ClassEval& ce = r.classes[c];
    EXPECT_NEAR(ce.ap50, v[0], kMaxStatError) << "class " << c;
    EXPECT_NEAR(ce.ap75, v[1], kMaxStatError) << "class " << c;
    EXPECT_NEAR(ce.ap50_95, v[2], kMaxStatError) << "class " << c;
    EXPECT_NEAR(ce.ap_small, v[3], kMaxStatError) << "class " << c;
    EXPECT_NEAR(ce.ap_medium, v[4], kMaxStatError) << "class " << c;
    EXPECT_NEAR(ce.ap_large, v[5], kMaxStatError) << "class " << c;
  }
}

TEST(EvalReference, AgreesWithPycocotoolsOnRandomData) {
  if (test::python3().empty()) GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  const std::string dir = test::temp_dir("eval_reference");
  for (unsigned seed : {1u, 2u, 3u, 4u, 5u, 6u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const RandomCase rc = make_random_case(seed, seed > 3);
    const EvalReport r = run(rc.images, rc.num_classes);
    expect_agreement(rc, r, dir);
    // The data must exercise what it claims to.
    EXPECT_EQ(r.classes[6].ap50, kUndefinedAp);
    EXPECT_GT(r.map50, 0.3);
    EXPECT_LT(r.map50_95, 0.95);
    EXPECT_NE(r.map_small, kUndefinedAp);
    EXPECT_NE(r.map_large, kUndefinedAp);
    EXPECT_LT(r.mar1, r.mar10);
  }
}

TEST(EvalReference, AgreesWithPycocotoolsOnTiesAcrossNumberedAndNamedImages) {
  if (test::python3().empty()) GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  const std::string dir = test::temp_dir("eval_reference_ties");
  double largest_path_order_error = 0;
  for (bool named : {false, true})
    for (unsigned seed : {11u, 12u, 13u, 14u}) {
      SCOPED_TRACE(std::string(named ? "named" : "numbered") + " seed " + std::to_string(seed));
      RandomCase rc = make_tie_case(seed, named);
      const EvalReport r = run(rc.images, rc.num_classes);
      expect_agreement(rc, r, dir);
      // Ranked in the order given instead (what rkyolo did before): the ties are adversarial.
      for (EvalImage& im : rc.images) im.id = CocoImageId{};
      const EvalReport in_given_order = run(rc.images, rc.num_classes);
      largest_path_order_error = std::max(largest_path_order_error, std::fabs(in_given_order.map50_95 - r.map50_95));
    }
  EXPECT_GT(largest_path_order_error, 1e-3);
}

}  // namespace
}  // namespace rkyolo
