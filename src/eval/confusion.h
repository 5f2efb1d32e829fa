// Confusion matrix of detections against labels, class-agnostic pairing.
#pragma once

#include <vector>

#include "rkyolo/evaluation.h"

namespace rkyolo::eval {

// Adds one image to `matrix` ((num_classes + 1)^2, row = true class, column =
// predicted class, index num_classes = background). Predictions with score >=
// `conf` pair with labels by IoU > `iou_threshold`, best IoU first, each
// prediction and each label at most once; whatever the classes are.
void add_to_confusion(const EvalImage& image, int num_classes, double conf, double iou_threshold,
                      std::vector<std::vector<long long>>* matrix);

}  // namespace rkyolo::eval
