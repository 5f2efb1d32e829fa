// rkyolo CLI: tracking options (`rkyolo track`) and the JSON of track events.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rkyolo/cli_args.h"
#include "rkyolo/stream_tracking.h"

namespace rkyolo::cli {

// --tracker, its parameters, --zones and --events.
std::vector<OptionSpec> track_option_specs();
// ByteTrack's parameters from the options (defaults: TrackerOptions); the
// frame rate is each stream's, set per stream. --zones: one file for every
// stream, or one per stream in --source order (`streams` of them): `zones`
// gets one config per stream (empty ones without --zones).
Status track_options_from(const Args& args, std::size_t streams, StreamTrackingOptions* out,
                          std::vector<ZoneConfig>* zones);

// One event as a JSON line:
// {"type": "new", "stream": 0, "source": "cam.mp4", "track_id": 3, "class_id": 1, "label": "square",
//  "score": 0.91, "best_score": 0.95, "first_frame": 12, "last_frame": 40, "frame": 40,
//  "first_pts_ms": 480, "last_pts_ms": 1600, "box": [x1, y1, x2, y2],
//  "zones": ["door"], "entered_zones": ["door"], "changes": ["entered_zone"], "entered": ["door"], "left": []}
// ("changes", "entered" and "left" on update events only; times are null
// when the stream has none).
nlohmann::ordered_json track_event_json(const TrackEvent& event, int stream, const std::string& source,
                                        std::string_view label, const ZoneConfig& zones);

// A stream's tracking for --stats: {"tracks": 7, "lines": [{"name": "door", "in": 3, "out": 1}],
// "zones": [{"name": "porch", "count": 1}]} (zone counts: tracks inside at the last frame).
nlohmann::ordered_json tracking_stats_json(const StreamTracking& tracking);

}  // namespace rkyolo::cli
