// rkyolo CLI: evaluation charts as PNG images (OpenCV drawing, no plotting
// library): precision-recall curves and confusion matrices.
#pragma once

#include <string>
#include <vector>

#include "rkyolo/evaluation.h"
#include "rkyolo/status.h"

namespace rkyolo::cli {

// One chart: a curve per labelled class at IoU 0.5 (a colour each, legend
// with AP50 when there are at most 24 classes), the mean curve bold.
Status save_pr_curves(const std::string& path, const EvalReport& report, const std::vector<std::string>& names);

// Confusion matrices are drawn for at most this many classes (a cell is at
// least 14 pixels: about 3000 x 3000 pixels); beyond, the image would take
// gigabytes.
constexpr int kMaxConfusionPlotClasses = 200;

// Classes + background; rows are the true class, columns the predicted one.
// `normalized`: each row divided by its total (the share of each true class
// predicted as each class); otherwise counts. Colours always follow the row
// share so both images read alike.
Status save_confusion_matrix(const std::string& path, const EvalReport& report, const std::vector<std::string>& names,
                             bool normalized);

}  // namespace rkyolo::cli
