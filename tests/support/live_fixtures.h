// Test support for the live outputs (MQTT, web view, window): child
// processes (a mosquitto broker, Xvfb), free loopback ports, and synthetic
// pipeline results that drive a Sink without a pipeline.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rkyolo/pipeline.h"

// Fails the test (and returns) unless `expr`, a Status, is ok; prints it.
#define ASSERT_OK(expr)         \
  do {                          \
    const Status s_ = (expr);   \
    ASSERT_TRUE(s_.ok()) << s_; \
  } while (0)

namespace rkyolo::test {

// Bound on every wait for the network or a display server: generous for a
// loaded machine.
constexpr std::chrono::seconds kNetworkWait{15};

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_tcp_port();
// True once something accepts TCP connections on 127.0.0.1:port, false
// after `timeout`.
bool wait_for_port(int port, std::chrono::milliseconds timeout);

// A child process (no shell), stdout and stderr to `log_path`; killed and
// reaped on destruction.
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { stop(9); }
  void start(const std::vector<std::string>& argv, const std::string& log_path);
  void stop(int signal);  // sends `signal` and reaps (SIGKILL after 5 s)
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

// mosquitto listening on 127.0.0.1:port, no persistence, with `extra_config`
// lines (e.g. a password_file).
class MosquittoBroker {
 public:
  MosquittoBroker(std::string dir, int port, std::string extra_config = "");
  void start();  // waits until it accepts connections (throws after 10 s)
  void kill_now() { process_.stop(9); }
  int port() const { return port_; }

 private:
  std::string dir_;
  int port_;
  std::string extra_config_;
  ChildProcess process_;
};

// Xvfb on a free display of its own, exported as DISPLAY (and
// QT_QPA_PLATFORM=xcb) for this process and its children. start() returns
// false when Xvfb, import or xdotool is missing (skip the test) and throws
// when the server does not answer within kNetworkWait.
class XvfbDisplay {
 public:
  XvfbDisplay(std::string dir, int width, int height) : dir_(std::move(dir)), width_(width), height_(height) {}
  bool start();
  void stop() { process_.stop(15); }
  const std::string& name() const { return name_; }

 private:
  std::string dir_, name_;
  int width_, height_;
  ChildProcess process_;
};

// One detection; `label` must outlive it (a string literal): Detection does
// not own its label's text.
Detection make_detection(int class_id, std::string_view label, float score, Box box);

// One synthetic processed frame: a BGR (or NV12) image of a flat colour
// with the given detections, tagged as `stream` / `frame`.
struct SyntheticFrame {
  pipeline::StreamInfo stream;
  VideoFrame video;
  std::vector<std::uint8_t> pixels;
  DetectionResult result;
  Status error;

  pipeline::FrameResult view() const;
};
SyntheticFrame make_frame(int stream, std::int64_t frame, int width, int height, std::vector<Detection> detections,
                          PixelFormat format = PixelFormat::kBgr8);

}  // namespace rkyolo::test
