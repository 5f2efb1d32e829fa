// rkyolo detect: the options of a run and its two paths, still images
// (cmd_detect.cc) and video through the pipeline (detect_video.cc).
#pragma once

#include <string>
#include <vector>

#include "rkyolo/detector_options.h"
#include "rkyolo/stream_source.h"

namespace rkyolo::cli {

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
};

// The still-image path: files, folders and globs -> annotated images, txt
// labels, one JSON array.
int run_images(const DetectConfig& config, const std::vector<std::string>& sources);
// The video path: files, cameras, network streams through the pipeline ->
// annotated videos, JSON lines, statistics. Exit code 0, 1 when a stream or
// an output failed (the others complete), 2 when nothing could start,
// 128 + signal after Ctrl-C (SIGINT: 130) or SIGTERM (143).
int run_video(const DetectConfig& config, const std::vector<SourceSpec>& sources);

}  // namespace rkyolo::cli
