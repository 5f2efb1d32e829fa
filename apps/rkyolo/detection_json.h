// rkyolo CLI: the JSON of a detection, shared by the image array of
// `detect --json` and the JSON lines of video runs (one format for both).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "rkyolo/detection.h"
#include "rkyolo/pipeline.h"

namespace rkyolo::cli {

using Json = nlohmann::ordered_json;

// {"class_id": 0, "label": "circle", "score": 0.98312, "box": [x1, y1, x2, y2]}
// (score to 5 decimals, box to 2).
Json detection_json(const Detection& detection);
Json detections_json(const std::vector<Detection>& detections);

// One processed video frame, the object of the JSON lines, of MQTT's
// <prefix>/<stream>/detections and of the web view's API:
// {"stream","source","frame","pts_ms","ts","age_ms","detections":[...]} plus
// "error" when the frame failed; pts_ms is null without a timestamp, ts the
// capture time in Unix seconds (3 decimals).
Json frame_object(const pipeline::FrameResult& result);

}  // namespace rkyolo::cli
