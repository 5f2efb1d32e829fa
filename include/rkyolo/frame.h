// STAND-IN (branch wip-live only): pipeline.h includes rkyolo/frame.h, which
// the pipeline branch (wip-pipe) provides. This declares only what
// pipeline.h names so that the sinks compile before that branch lands; the
// merge takes wip-pipe's file instead of this one.
#pragma once

#include <string>

#include "rkyolo/video.h"

namespace rkyolo {

struct FrameSourceInfo {
  int width = 0, height = 0;
  double fps = 0;
  bool live = false;
  std::string decoder;
};

class FrameSource;

// Also stand-ins: main's backend.h does not have the typed contract yet
// (wip-model does); pipeline.h includes this file before model.h.
struct Placement;
struct RuntimeInfo;

}  // namespace rkyolo
