#include "video/ffmpeg_util.h"

#include <cstdarg>
#include <mutex>

#include "rkyolo/log.h"

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
}

namespace rkyolo::detail {
namespace {

void forward_ffmpeg_log(void* context, int level, const char* format, va_list args) {
  if (level > AV_LOG_WARNING || !log_enabled(LogLevel::kDebug)) return;
  char line[512];
  int print_prefix = 1;
  av_log_format_line2(context, level, format, args, line, sizeof(line), &print_prefix);
  std::string_view text(line);
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  log_message(LogLevel::kDebug, text);
}

}  // namespace

std::string av_error_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof(text));
  return text;
}

void route_ffmpeg_log() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(forward_ffmpeg_log); });
}

}  // namespace rkyolo::detail
