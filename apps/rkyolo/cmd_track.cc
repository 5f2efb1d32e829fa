// rkyolo track: `detect` on video sources with ByteTrack per stream. Every
// detection in the JSON lines and the annotated video carries its track id
// (the video draws a short trail, the zones and the lines); events (new /
// update / end) go to --events as JSON lines; zones and counting lines
// (--zones) give the in/out counts of the summary and the statistics. The
// video path is detect's (detect_video.cc): this file adds the tracking
// stage, the events output and the drawing through its hooks.

#include <cstdio>
#include <vector>

#include "rkyolo/annotate.h"
#include "rkyolo/commands.h"
#include "rkyolo/detect.h"
#include "rkyolo/i18n.h"
#include "rkyolo/live_mqtt.h"
#include "rkyolo/options.h"
#include "rkyolo/output_util.h"
#include "rkyolo/tracking.h"
#include "rkyolo/tracking_stage.h"
#include "rkyolo/video_sinks.h"

namespace rkyolo::cli {

namespace {

struct TrackConfig {
  StreamTrackingOptions tracking;
  std::vector<ZoneConfig> zones;  // one per stream
  std::string events_path;        // "" = none, "-" = standard output
};

Status track_config_from(const Args& args, const DetectConfig& detect, const std::vector<SourceSpec>& videos,
                         const std::vector<std::string>& images, TrackConfig* t) {
  if (!images.empty()) return invalid_argument(trf(Msg::kTrackNeedsVideo, images.front()));
  RKYOLO_RETURN_IF_ERROR(track_options_from(args, videos.size(), &t->tracking, &t->zones));
  t->events_path = args.get("--events");
  if (args.has("--events")) {
    RKYOLO_RETURN_IF_ERROR(check_output_file(t->events_path).with_context("--events"));
    for (const std::string& other : {detect.json_path, detect.stats_path})
      if (t->events_path != "-" && !other.empty() && same_file(t->events_path, other))
        return invalid_argument(trf(Msg::kBadValue, t->events_path, "--events", "another option writes that file"));
  }
  return Status();
}

// The run: the stage in the pipeline, events to their file, drawing and
// counts through run_video's hooks.
class TrackRun {
 public:
  TrackRun(const TrackConfig& config, std::size_t streams)
      : config_(config),
        stage_(config.tracking, config.zones,
               [this](const pipeline::StreamInfo& s, const StreamTracking& t) { write_events(s, t); }),
        trails_(streams) {}

  int run(const DetectConfig& detect, const std::vector<SourceSpec>& videos) {
    if (!config_.events_path.empty()) {
      const Status s = events_.open(config_.events_path);
      if (!s.ok()) {
        print_error(localized(s));
        return kExitUsage;
      }
    }
    VideoRunHooks hooks;
    hooks.stages.push_back(&stage_);
    hooks.draw = [this](const pipeline::FrameResult& r, cv::Mat& bgr) { draw(r, bgr); };
    hooks.stream_stats = [this](int stream, Json* j) {
      if (const StreamTracking* t = stage_.stream(stream)) (*j)["tracking"] = tracking_stats_json(*t);
    };
    hooks.summary = [this, &videos] { print_summary(videos); };
    hooks.mqtt = [this](MqttSink* mqtt) { mqtt_ = mqtt; };
    int code = run_video(detect, videos, hooks);
    const Status closed = events_.close();
    if (!closed.ok() || !events_error_.ok()) {
      print_error(localized(!events_error_.ok() ? events_error_ : closed));
      if (code == kExitOk) code = kExitInputFailed;
    }
    return code;
  }

 private:
  // To --events and to MQTT <prefix>/events when --mqtt is on.
  void write_events(const pipeline::StreamInfo& stream, const StreamTracking& t) {
    for (const TrackEvent& e : t.events()) {
      std::string line =
          track_event_json(e, stream.stream, stream.source, stage_.label_of(e.class_id), t.zones()).dump();
      if (mqtt_ != nullptr) mqtt_->publish_event(line);
      if (config_.events_path.empty() || !events_error_.ok()) continue;
      const Status s = events_.write_line(line);
      if (!s.ok()) {
        events_error_ = s;  // named once at the end; the run goes on
        return;
      }
    }
  }

  void draw(const pipeline::FrameResult& r, cv::Mat& bgr) {
    const int i = r.stream->stream;
    if (i < 0 || static_cast<std::size_t>(i) >= trails_.size()) return;
    if (const StreamTracking* t = stage_.stream(i)) draw_zones(bgr, t->zones(), t->line_counts());
    if (r.result != nullptr) trails_[static_cast<std::size_t>(i)].add(r.result->detections);
    trails_[static_cast<std::size_t>(i)].draw(bgr);
  }

  void print_summary(const std::vector<SourceSpec>& videos) const {
    for (std::size_t i = 0; i < videos.size(); ++i) {
      const StreamTracking* t = stage_.stream(static_cast<int>(i));
      if (t == nullptr) continue;
      std::string line =
          trf(Msg::kTrackStreamSummary, trf(Msg::kVideoStreamName, std::to_string(i), videos[i].location),
              std::to_string(t->tracks_confirmed()));
      for (std::size_t l = 0; l < t->zones().lines.size(); ++l)
        line += "; " + trf(Msg::kTrackLineCount, t->zones().lines[l].name, std::to_string(t->line_counts()[l].in),
                           std::to_string(t->line_counts()[l].out));
      for (std::size_t z = 0; z < t->zones().zones.size(); ++z)
        line += "; " + trf(Msg::kTrackZoneCount, t->zones().zones[z].name, std::to_string(t->zone_counts()[z].now),
                           std::to_string(t->zone_counts()[z].peak), std::to_string(t->zone_counts()[z].entries));
      std::fprintf(stderr, "%s\n", line.c_str());
    }
  }

  const TrackConfig& config_;
  TrackingStage stage_;
  std::vector<TrackTrails> trails_;
  LineWriter events_;
  Status events_error_;
  MqttSink* mqtt_ = nullptr;  // owned by the run's live outputs
};

}  // namespace

int cmd_track(int argc, char** argv, int first) {
  std::vector<OptionSpec> specs = detect_option_specs();
  for (const OptionSpec& o : track_option_specs()) specs.push_back(o);
  Args args;
  int exit_code;
  if (!start_command("track", argc, argv, first, specs, Msg::kUsageTrack, &args, &exit_code)) return exit_code;
  DetectConfig detect;
  TrackConfig track;
  std::vector<std::string> images;
  std::vector<SourceSpec> videos;
  Status s = detect_config_from(args, &detect);
  if (s.ok()) s = split_sources(args.all("--source"), &images, &videos);
  if (s.ok()) s = track_config_from(args, detect, videos, images, &track);
  if (!s.ok()) {
    print_error(localized(s));
    return kExitUsage;
  }
  // ByteTrack's second association needs the boxes down to its low threshold.
  if (!args.has("--conf")) detect.detector.conf_threshold = track.tracking.tracker.low_threshold;
  if (!args.has("--output")) detect.out_dir = "runs/track";
  return TrackRun(track, videos.size()).run(detect, videos);
}

}  // namespace rkyolo::cli
