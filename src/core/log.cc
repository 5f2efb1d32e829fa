#include "rkyolo/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "core/log_capture.h"

namespace rkyolo {

namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kWarning)};
std::mutex g_mutex;
LogCallback g_callback = nullptr;
void* g_user = nullptr;
LogMessageCallback g_message_callback = nullptr;
void* g_message_user = nullptr;
thread_local std::vector<Message>* t_warnings = nullptr;  // a ScopedWarningCapture's list

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off";
  }
  return "?";
}

}  // namespace

void set_log_callback(LogCallback callback, void* user_data) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_callback = callback;
  g_user = user_data;
}

void set_log_message_callback(LogMessageCallback callback, void* user_data) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_message_callback = callback;
  g_message_user = user_data;
}

void set_log_level(LogLevel level) {
  g_level.store(static_cast<int>(level));
}
LogLevel log_level() {
  return static_cast<LogLevel>(g_level.load());
}
bool log_enabled(LogLevel level) {
  return level != LogLevel::kOff && static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

namespace {
// The text sinks (and a message callback for plain-text lines): not captured.
void log_text(LogLevel level, std::string_view message) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_message_callback != nullptr) {
    g_message_callback(level, Message::text(std::string(message)), g_message_user);
    return;
  }
  if (g_callback != nullptr) {
    g_callback(level, message, g_user);
    return;
  }
  std::string line = "[rkyolo] ";
  line += level_name(level);
  line += ": ";
  line += message;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}
}  // namespace

void log_message(LogLevel level, std::string_view message) {
  if (!log_enabled(level)) return;
  if (level == LogLevel::kWarning && t_warnings != nullptr) t_warnings->push_back(Message::text(std::string(message)));
  log_text(level, message);
}

void log_message(LogLevel level, const Message& message) {
  if (!log_enabled(level)) return;
  if (level == LogLevel::kWarning && t_warnings != nullptr) t_warnings->push_back(message);
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_message_callback != nullptr) {
      g_message_callback(level, message, g_message_user);
      return;
    }
  }
  log_text(level, message.render());
}

namespace core {
ScopedWarningCapture::ScopedWarningCapture(std::vector<Message>* out) : previous_(t_warnings) {
  t_warnings = out;
}
ScopedWarningCapture::~ScopedWarningCapture() {
  t_warnings = previous_;
}
}  // namespace core

}  // namespace rkyolo
