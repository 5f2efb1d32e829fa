// Test support: captures the library's log lines (warnings and above) for
// the life of the object.
#pragma once

#include <algorithm>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "rkyolo/log.h"

namespace rkyolo::test {

struct LogCapture {
  LogCapture() {
    set_log_level(LogLevel::kWarning);
    set_log_callback(
        [](LogLevel, std::string_view m, void* self) {
          auto* c = static_cast<LogCapture*>(self);
          std::lock_guard<std::mutex> lock(c->mu);
          c->lines.emplace_back(m);
        },
        this);
  }
  ~LogCapture() { set_log_callback(nullptr, nullptr); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Every line, each followed by a newline.
  std::string all() {
    std::lock_guard<std::mutex> lock(mu);
    std::string s;
    for (auto& l : lines) s += l + "\n";
    return s;
  }
  // Lines containing `text`.
  int count(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu);
    return static_cast<int>(std::count_if(lines.begin(), lines.end(),
                                          [&](const std::string& l) { return l.find(text) != std::string::npos; }));
  }

  std::mutex mu;
  std::vector<std::string> lines;
};

}  // namespace rkyolo::test
