// rkyolo CLI: drawing detections (a colour per class, label and score).
#pragma once

#include <array>
#include <cstdint>
#include <opencv2/core.hpp>
#include <vector>

#include "rkyolo/detection.h"
#include "rkyolo/track_events.h"

namespace rkyolo::cli {

cv::Scalar class_color(int class_id);  // BGR
// Box, then "label score", or "#id label score" for a tracked detection.
void draw_detections(cv::Mat& bgr, const std::vector<Detection>& detections);

// Zones (outlined polygons, named) and counting lines (an arrow from `from`
// to `to`, with "name in N out M" when counts are given, one per line).
void draw_zones(cv::Mat& bgr, const ZoneConfig& zones, const std::vector<LineCount>& counts);

// Short trails of one stream's tracked objects: the centres of their last
// kLength boxes. Fixed-size slots, reused: no allocation per frame once warm.
class TrackTrails {
 public:
  static constexpr int kLength = 24;
  // Appends this frame's tracked detections (track_id >= 0); a trail not
  // seen for kLength frames is dropped.
  void add(const std::vector<Detection>& detections);
  void draw(cv::Mat& bgr) const;

 private:
  struct Trail {
    int track_id = -1;  // -1: free slot
    int class_id = 0;
    std::int64_t last_frame = 0;
    int count = 0, head = 0;  // ring of points; head = next write
    std::array<cv::Point, kLength> points;
  };
  std::vector<Trail> trails_;
  std::int64_t frame_ = 0;
};

}  // namespace rkyolo::cli
