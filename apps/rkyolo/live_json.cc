#include "rkyolo/live_json.h"

#include <nlohmann/json.hpp>

#include "rkyolo/output_util.h"

namespace rkyolo::cli {

using Json = nlohmann::ordered_json;

namespace {

double unix_seconds(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return static_cast<double>(ms) / 1000.0;
}

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace

std::string frame_json(const pipeline::FrameResult& r) {
  Json j;
  const FrameTag tag = r.result ? r.result->tag : FrameTag{};
  j["stream"] = r.stream ? r.stream->stream : tag.stream;
  j["source"] = r.stream ? r.stream->source : std::string();
  j["frame"] = tag.frame;
  j["pts_ms"] = tag.pts_ms == FrameTag::kNoPts ? Json(nullptr) : Json(tag.pts_ms);
  j["ts"] = unix_seconds(tag.capture_time);
  Json dets = Json::array();
  if (r.result) {
    for (const Detection& d : r.result->detections) {
      dets.push_back(Json{{"class_id", d.class_id},
                          {"label", std::string(d.label)},
                          {"score", round_to(d.score, 5)},
                          {"box", {round_to(d.box.x1, 2), round_to(d.box.y1, 2), round_to(d.box.x2, 2),
                                   round_to(d.box.y2, 2)}}});
    }
  }
  j["detections"] = std::move(dets);
  if (!r.error.ok()) j["error"] = r.error.message();
  return dump(j);
}

std::string_view stream_status_word(pipeline::StreamStatus status) {
  switch (status) {
    case pipeline::StreamStatus::kStarting: return "starting";
    case pipeline::StreamStatus::kOnline: return "online";
    case pipeline::StreamStatus::kReconnecting: return "reconnecting";
    case pipeline::StreamStatus::kEnded:
    case pipeline::StreamStatus::kFailed: return "offline";
  }
  return "offline";
}

}  // namespace rkyolo::cli
