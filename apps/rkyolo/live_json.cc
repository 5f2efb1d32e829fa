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

Json latency_json(const pipeline::Latency& l) {
  return Json{{"p50", round_to(l.p50_ms, 2)}, {"p99", round_to(l.p99_ms, 2)}, {"max", round_to(l.max_ms, 2)}};
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

std::string stats_json(const pipeline::PipelineStats& stats) {
  Json j;
  j["ts"] = unix_seconds(std::chrono::system_clock::now());
  j["wall_s"] = round_to(stats.wall_s, 3);
  j["cpu_s"] = round_to(stats.cpu_s, 3);
  Json streams = Json::array();
  for (const pipeline::StreamStats& s : stats.streams) {
    streams.push_back(Json{{"stream", s.stream},
                           {"status", std::string(stream_status_word(s.status))},
                           {"decoded", s.decoded},
                           {"processed", s.processed},
                           {"dropped", s.dropped},
                           {"skipped", s.skipped},
                           {"failed", s.failed},
                           {"reconnects", s.reconnects},
                           {"fps_in", round_to(s.fps_in, 2)},
                           {"fps_out", round_to(s.fps_out, 2)},
                           {"age_ms", latency_json(s.age)},
                           {"inference_ms", latency_json(s.inference)}});
  }
  j["streams"] = std::move(streams);
  Json workers = Json::array();
  for (const pipeline::WorkerStats& w : stats.workers) {
    workers.push_back(Json{{"placement", w.placement},
                           {"frames", w.frames},
                           {"busy", round_to(w.busy_fraction, 3)},
                           {"inference_ms", latency_json(w.inference)}});
  }
  j["workers"] = std::move(workers);
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
