// rkyolo CLI: drawing detections (a colour per class, label and score).
#pragma once

#include <opencv2/core.hpp>

#include "rkyolo/detection.h"

namespace rkyolo::cli {

cv::Scalar class_color(int class_id);  // BGR
void draw_detections(cv::Mat& bgr, const std::vector<Detection>& detections);

}  // namespace rkyolo::cli
