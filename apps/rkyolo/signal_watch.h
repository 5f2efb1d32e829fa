// rkyolo CLI: Ctrl-C (SIGINT) and SIGTERM for runs that must finish their
// output files. The signals are blocked in the thread that creates the
// watch and in every thread started after it (create it before any other
// thread), and one thread of its own waits for them: the first one calls the
// handler (Pipeline::stop: sources stop, queued frames drain, files are
// finalized); a second one, or the first before a handler is set, ends the
// process at once with exit code 128 + the signal.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

namespace rkyolo::cli {

class SignalWatch {
 public:
  SignalWatch();
  ~SignalWatch();  // stops watching and unblocks the signals in this thread
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

  // Called once, on the watch's thread, for the first signal. Thread-safe.
  void set_handler(std::function<void()> handler);
  // The first signal received, 0 if none.
  int signal() const { return signal_.load(); }

 private:
  void watch();

  std::mutex mu_;
  std::function<void()> handler_;
  std::atomic<int> signal_{0};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace rkyolo::cli
