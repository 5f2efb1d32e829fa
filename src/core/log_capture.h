// rkyolo: collects the warnings logged on this thread while it lives, so a
// Model can keep every load-time warning (its own and its backend's) and
// hand them to callers, who then need not capture the log.
#pragma once

#include <vector>

#include "rkyolo/message.h"

namespace rkyolo::core {

class ScopedWarningCapture {
 public:
  explicit ScopedWarningCapture(std::vector<Message>* out);
  ~ScopedWarningCapture();
  ScopedWarningCapture(const ScopedWarningCapture&) = delete;
  ScopedWarningCapture& operator=(const ScopedWarningCapture&) = delete;

 private:
  std::vector<Message>* previous_;
};

}  // namespace rkyolo::core
