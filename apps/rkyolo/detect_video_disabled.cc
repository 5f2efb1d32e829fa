// rkyolo detect on video in a build without rkyolo_video
// (RKYOLO_WITH_FFMPEG=OFF): one sentence naming the source, exit code 2.
#include "rkyolo/commands.h"
#include "rkyolo/detect.h"
#include "rkyolo/i18n.h"
#include "rkyolo/options.h"

namespace rkyolo::cli {

int run_video(const DetectConfig&, const std::vector<SourceSpec>& sources, const VideoRunHooks&) {
  print_error(trf(Msg::kVideoUnavailable, sources.front().location));
  return kExitUsage;
}

// track follows objects in video only.
int cmd_track(int, char**, int) {
  print_error(trf(Msg::kVideoUnavailable, "track"));
  return kExitUsage;
}

}  // namespace rkyolo::cli
