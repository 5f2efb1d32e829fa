#include "rkyolo/tracking.h"

#include "rkyolo/image_io.h"
#include "rkyolo/options.h"
#include "rkyolo/output_util.h"

namespace rkyolo::cli {

using Json = nlohmann::ordered_json;

namespace {

// A zones file is a few polygons: anything this large is not one.
constexpr std::size_t kMaxZonesFileBytes = std::size_t{1} << 20;

Json zone_names(std::uint64_t mask, const ZoneConfig& zones) {
  Json names = Json::array();
  for (std::size_t z = 0; z < zones.zones.size(); ++z)
    if (mask >> z & 1) names.push_back(zones.zones[z].name);
  return names;
}

Json pts_json(std::int64_t pts_ms) {
  return pts_ms == FrameTag::kNoPts ? Json(nullptr) : Json(pts_ms);
}

Status load_zones(const std::string& path, ZoneConfig* out) {
  std::string text;
  Status s = read_input_file(path, kMaxZonesFileBytes, &text);
  if (s.ok()) s = parse_zones_json(text, out);
  return s.with_context("zones file '" + path + "'");
}

}  // namespace

std::vector<OptionSpec> track_option_specs() {
  std::vector<OptionSpec> specs;
  for (const char* opt : {"--tracker", "--track-high-thresh", "--track-low-thresh", "--new-track-thresh", "--match-iou",
                          "--track-buffer", "--zones", "--events"})
    specs.push_back({opt, true, ""});
  return specs;
}

Status track_options_from(const Args& args, std::size_t streams, StreamTrackingOptions* out,
                          std::vector<ZoneConfig>* zones) {
  const std::string tracker = args.get("--tracker", "bytetrack");
  if (tracker != "bytetrack") return invalid_argument(trf(Msg::kBadValue, tracker, "--tracker", "expected bytetrack"));
  TrackerOptions& t = out->tracker;
  struct FloatOption {
    const char* name;
    float* value;
  };
  for (const FloatOption& o :
       {FloatOption{"--track-high-thresh", &t.high_threshold}, FloatOption{"--track-low-thresh", &t.low_threshold},
        FloatOption{"--new-track-thresh", &t.new_track_threshold}, FloatOption{"--match-iou", &t.match_iou_threshold}})
    if (args.has(o.name)) RKYOLO_RETURN_IF_ERROR(parse_float(o.name, args.get(o.name), 0.0f, 1.0f, o.value));
  if (args.has("--track-buffer"))
    RKYOLO_RETURN_IF_ERROR(parse_int("--track-buffer", args.get("--track-buffer"), 1, 100000, &t.track_buffer));
  RKYOLO_RETURN_IF_ERROR(validate(t));
  const std::vector<std::string>& files = args.all("--zones");
  if (files.size() > 1 && files.size() != streams)
    return invalid_argument(
        trf(Msg::kBadValue, files.back(), "--zones",
            "give one zones file for every stream, or one per --source (" + std::to_string(streams) + ")"));
  zones->assign(streams, ZoneConfig{});
  for (std::size_t i = 0; i < files.size(); ++i) RKYOLO_RETURN_IF_ERROR(load_zones(files[i], &(*zones)[i]));
  if (files.size() == 1)
    for (std::size_t i = 1; i < streams; ++i) (*zones)[i] = (*zones)[0];
  return Status::ok_status();
}

Json track_event_json(const TrackEvent& e, int stream, const std::string& source, std::string_view label,
                      const ZoneConfig& zones) {
  Json j;
  j["type"] = std::string(event_type_name(e.type));
  j["stream"] = stream;
  j["source"] = source;
  j["track_id"] = e.track_id;
  j["class_id"] = e.class_id;
  j["label"] = std::string(label);
  j["score"] = round_to(e.score, 5);
  j["best_score"] = round_to(e.best_score, 5);
  j["first_frame"] = e.first_frame;
  j["last_frame"] = e.last_frame;
  j["frame"] = e.frame;
  j["first_pts_ms"] = pts_json(e.first_pts_ms);
  j["last_pts_ms"] = pts_json(e.last_pts_ms);
  j["box"] = {round_to(e.box.x1, 2), round_to(e.box.y1, 2), round_to(e.box.x2, 2), round_to(e.box.y2, 2)};
  j["zones"] = zone_names(e.zones, zones);
  j["entered_zones"] = zone_names(e.ever_entered, zones);
  if (e.type == EventType::kUpdate) {
    Json changes = Json::array();
    if (e.changes & kChangeClass) changes.push_back("class");
    if (e.changes & kChangeScore) changes.push_back("score");
    if (e.changes & kChangeEnteredZone) changes.push_back("entered_zone");
    if (e.changes & kChangeLeftZone) changes.push_back("left_zone");
    j["changes"] = changes;
    j["entered"] = zone_names(e.entered, zones);
    j["left"] = zone_names(e.left, zones);
  }
  return j;
}

Json tracking_stats_json(const StreamTracking& t) {
  Json j;
  j["tracks"] = t.tracks_confirmed();
  Json lines = Json::array(), zones = Json::array();
  for (std::size_t l = 0; l < t.zones().lines.size() && l < t.line_counts().size(); ++l)
    lines.push_back(
        {{"name", t.zones().lines[l].name}, {"in", t.line_counts()[l].in}, {"out", t.line_counts()[l].out}});
  for (std::size_t z = 0; z < t.zones().zones.size() && z < t.zone_counts().size(); ++z)
    zones.push_back({{"name", t.zones().zones[z].name},
                     {"count", t.zone_counts()[z].now},
                     {"peak", t.zone_counts()[z].peak},
                     {"entries", t.zone_counts()[z].entries}});
  j["lines"] = lines;
  j["zones"] = zones;
  return j;
}

}  // namespace rkyolo::cli
