// rkyolo CLI: the JSON the live outputs publish (MQTT, the web view's API);
// the stats are pipeline::stats_json's.
// One processed frame is the same object the JSON-lines sink writes, so a
// consumer reads a file, a broker topic and /api/streams with one parser.
#pragma once

#include <string>
#include <string_view>

#include "rkyolo/pipeline.h"

namespace rkyolo::cli {

// detection_json.h's frame_object as compact text (invalid UTF-8 replaced).
std::string frame_json(const pipeline::FrameResult& result);

// The word a live output shows for a stream: "starting", "online",
// "reconnecting", or "offline" (ended or failed).
std::string_view stream_status_word(pipeline::StreamStatus status);

}  // namespace rkyolo::cli
