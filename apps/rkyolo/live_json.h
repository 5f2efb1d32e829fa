// rkyolo CLI: the JSON the live outputs publish (MQTT, the web view's API);
// the stats are pipeline::stats_json's.
// One processed frame is the same object the JSON-lines sink writes, so a
// consumer reads a file, a broker topic and /api/streams with one parser.
#pragma once

#include <string>
#include <string_view>

#include "rkyolo/pipeline.h"

namespace rkyolo::cli {

// {"stream","source","frame","pts_ms","ts","detections":[{"class_id","label","score","box":[x1,y1,x2,y2]}]}
// plus "error" when the frame failed. pts_ms is null without a timestamp;
// ts is the capture time in Unix seconds (millisecond precision).
std::string frame_json(const pipeline::FrameResult& result);

// The word a live output shows for a stream: "starting", "online",
// "reconnecting", or "offline" (ended or failed).
std::string_view stream_status_word(pipeline::StreamStatus status);

}  // namespace rkyolo::cli
