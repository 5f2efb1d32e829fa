// rkyolo_video: small FFmpeg helpers shared by the writer and the converter.
#pragma once

#include <string>
#include <string_view>

namespace rkyolo::detail {

// av_strerror's text for an FFmpeg error code.
std::string av_error_text(int code);
// FFmpeg's own log (x264's banner and statistics, swscale's notes) goes to
// rkyolo's log at debug level instead of standard error. Idempotent.
void route_ffmpeg_log();

}  // namespace rkyolo::detail
