// The COCO bbox protocol in two steps, as COCOeval splits it: match the
// predictions of one image and class (evaluateImg), then turn the matches of
// any set of images into interpolated precision (accumulate).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "rkyolo/evaluation.h"

namespace rkyolo::eval {

enum AreaRange : int { kAreaAll = 0, kAreaSmall, kAreaMedium, kAreaLarge };
constexpr int kNumAreaRanges = 4;
// [lo, hi] in pixels^2; a box is outside when area < lo or area > hi.
constexpr double kAreaBounds[kNumAreaRanges][2] = {
    {0.0, 1e10}, {0.0, 32.0 * 32.0}, {32.0 * 32.0, 96.0 * 96.0}, {96.0 * 96.0, 1e10}};

// Bit t of a mask stands for IoU threshold t.
using ThresholdMask = std::uint16_t;
static_assert(kNumIouThresholds <= 16, "one bit per IoU threshold");

// The matched predictions of one (image, class) pair.
struct PairMatches {
  int image = 0;
  int class_id = 0;
  std::vector<double> scores;  // kept predictions, best first (at most max_dets)
  // Per area range: labels that count (not ignored), and for each kept
  // prediction the thresholds at which it is a true positive / is ignored.
  std::array<int, kNumAreaRanges> num_labels{};
  std::array<std::vector<ThresholdMask>, kNumAreaRanges> matched;
  std::array<std::vector<ThresholdMask>, kNumAreaRanges> ignored;
};

// COCOeval.evaluateImg for every area range at once. `labels` and
// `predictions` are one image's boxes of one class, in input order.
void match_pair(const std::vector<const LabelBox*>& labels, const std::vector<const PredictedBox*>& predictions,
                int max_dets, PairMatches* out);

// Interpolated precision, [threshold][recall point].
using PrecisionTable = std::array<PrCurve, kNumIouThresholds>;
// Recall at the end of the ranked list, per threshold.
using RecallRow = std::array<double, kNumIouThresholds>;

// COCOeval.accumulate over `pairs` (in image-id order) for one class, area
// range and maxDet (the best `max_dets` of each pair). Returns false when no
// label counts (precision and recall undefined, -1).
bool accumulate(const std::vector<const PairMatches*>& pairs, int area, int max_dets, PrecisionTable* precision,
                RecallRow* recall);

double mean_of(const PrCurve& curve);
double mean_of(const PrecisionTable& table);
double mean_of(const RecallRow& row);

}  // namespace rkyolo::eval
