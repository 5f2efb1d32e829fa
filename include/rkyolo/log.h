// rkyolo: logging facade. Costs one comparison when a level is disabled.
#pragma once

#include <sstream>
#include <string_view>

#include "rkyolo/message.h"

namespace rkyolo {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

using LogCallback = void (*)(LogLevel level, std::string_view message, void* user_data);

// Installs a sink for library messages (nullptr restores the default, which
// writes "[rkyolo] level: message" to stderr).
void set_log_callback(LogCallback callback, void* user_data);
void set_log_level(LogLevel level);
LogLevel log_level();
bool log_enabled(LogLevel level);
void log_message(LogLevel level, std::string_view message);
// A line with an identity (see message.h); the text sinks get its English.
void log_message(LogLevel level, const Message& message);

// Installs a sink that receives every line as a Message (plain-text lines as
// MessageId::kText), so an application can translate library warnings by
// id; while set it replaces the text callback. nullptr removes it.
using LogMessageCallback = void (*)(LogLevel level, const Message& message, void* user_data);
void set_log_message_callback(LogMessageCallback callback, void* user_data);

}  // namespace rkyolo

// Formats only when the level is enabled: RKYOLO_LOG(kWarning) << "x=" << x;
#define RKYOLO_LOG(level)                                  \
  if (!::rkyolo::log_enabled(::rkyolo::LogLevel::level)) { \
  } else                                                   \
    ::rkyolo::detail::LogLine(::rkyolo::LogLevel::level).stream()

namespace rkyolo::detail {
class LogLine {
 public:
  explicit LogLine(LogLevel level) : level_(level) {}
  ~LogLine() { log_message(level_, stream_.str()); }
  std::ostringstream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};
}  // namespace rkyolo::detail
