#include "rkyolo/live_json.h"

#include <nlohmann/json.hpp>

#include "rkyolo/detection_json.h"

namespace rkyolo::cli {

namespace {

std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string frame_json(const pipeline::FrameResult& r) {
  return dump(frame_object(r));
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
