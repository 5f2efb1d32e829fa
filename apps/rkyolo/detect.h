// rkyolo detect: the options of a run and its two paths, still images
// (cmd_detect.cc) and video through the pipeline (detect_video.cc).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "rkyolo/cli_args.h"
#include "rkyolo/detector_options.h"
#include "rkyolo/pipeline.h"
#include "rkyolo/stream_source.h"

namespace rkyolo::cli {

class MqttSink;

struct DetectConfig {
  DetectorOptions detector;
  std::string out_dir = "runs/detect";
  std::string json_path;   // "" = none
  std::string stats_path;  // video: --stats
  std::string codec;       // video: --codec ("" = the default encoder)
  bool save = true;        // --no-save turns off
  bool save_live = false;  // --save: live sources too
  bool save_txt = false;
  bool save_conf = false;
  bool stream_buffer = false;
  bool verbose = false;
  int vid_stride = 1;
  // The command's arguments, for the live outputs (--mqtt, --serve, --show),
  // which only the video path starts; null in library use.
  const Args* args = nullptr;
};

// detect's options, shared with `track` (which adds its own).
std::vector<OptionSpec> detect_option_specs();
Status detect_config_from(const Args& args, DetectConfig* c);
// Splits the --source values into still-image sources and video sources
// (.streams lists expanded in place); mixing the two is refused.
Status split_sources(const std::vector<std::string>& values, std::vector<std::string>* images,
                     std::vector<SourceSpec>* videos);

// What another command adds to a video run (`rkyolo track`): stages before
// the sinks, drawing on the annotated frames after the boxes, a field per
// stream in --stats, lines after the summary. All called on the sink thread
// or after the run.
struct VideoRunHooks {
  std::vector<pipeline::FrameStage*> stages;
  std::function<void(const pipeline::FrameResult& result, cv::Mat& bgr)> draw;
  std::function<void(int stream, nlohmann::ordered_json* stream_stats)> stream_stats;
  std::function<void()> summary;
  // Called once before the run with the MQTT output when --mqtt is on.
  std::function<void(MqttSink* mqtt)> mqtt;
};

// The still-image path: files, folders and globs -> annotated images, txt
// labels, one JSON array.
int run_images(const DetectConfig& config, const std::vector<std::string>& sources);
// The video path: files, cameras, network streams through the pipeline ->
// annotated videos, JSON lines, statistics. Exit code 0, 1 when a stream or
// an output failed (the others complete), 2 when nothing could start,
// 128 + signal after Ctrl-C (SIGINT: 130) or SIGTERM (143).
int run_video(const DetectConfig& config, const std::vector<SourceSpec>& sources, const VideoRunHooks& hooks = {});

}  // namespace rkyolo::cli
