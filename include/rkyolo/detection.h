// rkyolo: detection results as plain value types.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string_view>
#include <vector>

namespace rkyolo {

// Axis-aligned box in source-image pixels, (x1, y1) top-left, (x2, y2) bottom-right.
struct Box {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  float width() const { return x2 - x1; }
  float height() const { return y2 - y1; }
  float area() const { return (x2 > x1 && y2 > y1) ? (x2 - x1) * (y2 - y1) : 0.0f; }
};

// Intersection over union; 0 when the union is empty.
float iou(const Box& a, const Box& b);

struct Detection {
  int class_id = 0;
  // Points into the Model's label table: valid while the Model lives.
  std::string_view label;
  float score = 0;
  Box box;
  // Stable id of the tracked object (`rkyolo track`); -1 = untracked.
  int track_id = -1;
};

// Where a result's frame came from. Session::detect leaves it as the
// caller set it; the pipeline fills it for every frame.
struct FrameTag {
  static constexpr std::int64_t kNoPts = INT64_MIN;
  int stream = -1;                                       // index of the source in the run
  std::int64_t frame = -1;                               // index in the decoded stream (vid_stride keeps the numbering)
  std::int64_t pts_ms = kNoPts;                          // presentation time in the stream
  std::chrono::system_clock::time_point capture_time{};  // wall clock when decoded
};

// Wall-clock milliseconds spent in each stage of one detect() call (the
// pipeline adds its own: decode, queue waits, sinks).
struct StageTiming {
  double preprocess_ms = 0;
  double inference_ms = 0;
  double postprocess_ms = 0;
  double total_ms() const { return preprocess_ms + inference_ms + postprocess_ms; }
};

struct DetectionResult {
  int image_width = 0;
  int image_height = 0;
  std::vector<Detection> detections;  // sorted by score, highest first
  StageTiming timing;
  FrameTag tag;
};

std::ostream& operator<<(std::ostream& os, const Box& box);
std::ostream& operator<<(std::ostream& os, const Detection& det);

}  // namespace rkyolo
