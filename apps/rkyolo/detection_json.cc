#include "rkyolo/detection_json.h"

#include <chrono>
#include <string>

#include "rkyolo/i18n.h"
#include "rkyolo/output_util.h"

namespace rkyolo::cli {

Json detection_json(const Detection& d) {
  Json j;
  j["class_id"] = d.class_id;
  j["label"] = std::string(d.label);
  j["score"] = round_to(d.score, 5);
  j["box"] = {round_to(d.box.x1, 2), round_to(d.box.y1, 2), round_to(d.box.x2, 2), round_to(d.box.y2, 2)};
  if (d.track_id >= 0) j["track_id"] = d.track_id;
  return j;
}

Json detections_json(const std::vector<Detection>& detections) {
  Json list = Json::array();
  for (const Detection& d : detections) list.push_back(detection_json(d));
  return list;
}

Json frame_object(const pipeline::FrameResult& r) {
  const FrameTag tag = r.result != nullptr ? r.result->tag : FrameTag{};
  Json line;
  line["stream"] = r.stream != nullptr ? r.stream->stream : tag.stream;
  line["source"] = r.stream != nullptr ? r.stream->source : std::string();
  line["frame"] = r.frame != nullptr ? r.frame->index : tag.frame;
  const std::int64_t pts = r.frame != nullptr ? r.frame->pts_ms : tag.pts_ms;
  line["pts_ms"] = pts == VideoFrame::kNoPts ? Json(nullptr) : Json(pts);
  const auto capture = r.frame != nullptr ? r.frame->capture_time : tag.capture_time;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(capture.time_since_epoch()).count();
  line["ts"] = round_to(static_cast<double>(ms) / 1000.0, 3);
  line["age_ms"] = round_to(r.age_ms, 2);
  line["detections"] = r.result != nullptr && r.error.ok() ? detections_json(r.result->detections) : Json::array();
  if (!r.error.ok()) line["error"] = localized(r.error);
  return line;
}

}  // namespace rkyolo::cli
