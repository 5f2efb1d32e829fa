#include "support/live_fixtures.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <thread>

#include "support/test_env.h"

extern char** environ;

namespace rkyolo::test {

int free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool wait_for_port(int port, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void ChildProcess::start(const std::vector<std::string>& argv_in, const std::string& log_path) {
  stop(9);
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int rc = posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + argv_in[0]);
  }
}

void ChildProcess::stop(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  for (int i = 0; i < 500; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

MosquittoBroker::MosquittoBroker(std::string dir, int port, std::string extra_config)
    : dir_(std::move(dir)), port_(port), extra_config_(std::move(extra_config)) {}

void MosquittoBroker::start() {
  const std::string conf = dir_ + "/mosquitto.conf";
  {
    std::ofstream out(conf);
    out << "listener " << port_ << " 127.0.0.1\n"
        << "persistence false\n"
        << "log_dest stderr\n"
        << (extra_config_.empty() ? "allow_anonymous true\n" : extra_config_ + "\n");
  }
  process_.start({"mosquitto", "-c", conf}, dir_ + "/mosquitto.log");
  if (!wait_for_port(port_, std::chrono::seconds(10)))
    throw std::runtime_error("mosquitto did not listen on port " + std::to_string(port_) + " (see " + dir_ +
                             "/mosquitto.log)");
}

bool XvfbDisplay::start() {
  for (const char* tool : {"Xvfb", "import", "xdotool"})
    if (run_command({"sh", "-c", std::string("command -v ") + tool}, 10).exit_code != 0) return false;
  // -displayfd: Xvfb takes the first free display and writes its number on
  // stdout (the log), so that parallel tests never share a server.
  const std::string log = dir_ + "/xvfb.log";
  process_.start({"Xvfb", "-displayfd", "1", "-screen", "0",
                  std::to_string(width_) + "x" + std::to_string(height_) + "x24", "-nolisten", "tcp"},
                 log);
  const auto end = std::chrono::steady_clock::now() + kNetworkWait;
  while (std::chrono::steady_clock::now() < end) {
    std::ifstream in(log);
    for (std::string line; name_.empty() && std::getline(in, line);)
      if (!line.empty() && line.find_first_not_of("0123456789") == std::string::npos) name_ = ":" + line;
    if (!name_.empty() && run_command({"xdotool", "getdisplaygeometry"}, 10, {"DISPLAY=" + name_}).exit_code == 0) {
      ::setenv("DISPLAY", name_.c_str(), 1);
      ::setenv("QT_QPA_PLATFORM", "xcb", 1);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("Xvfb did not start (see " + log + ")");
}

Detection make_detection(int class_id, std::string_view label, float score, Box box) {
  Detection d;
  d.class_id = class_id;
  d.label = label;
  d.score = score;
  d.box = box;
  return d;
}

pipeline::FrameResult SyntheticFrame::view() const {
  pipeline::FrameResult r;
  r.stream = &stream;
  r.frame = &video;
  r.result = &result;
  r.error = error;
  if (video.format == FrameFormat::kBgr8) {
    r.image = make_image_view(pixels.data(), video.width, video.height);
  } else {
    r.image.data = pixels.data();
    r.image.width = video.width;
    r.image.height = video.height;
    r.image.stride_bytes = static_cast<std::size_t>(video.width);
    r.image.format = PixelFormat::kNv12;
    r.image.chroma[0] = pixels.data() + static_cast<std::size_t>(video.width) * video.height;
    r.image.chroma_stride[0] = static_cast<std::size_t>(video.width);
  }
  return r;
}

SyntheticFrame make_frame(int stream, std::int64_t frame, int width, int height, std::vector<Detection> detections,
                          PixelFormat format) {
  SyntheticFrame f;
  f.stream.stream = stream;
  f.stream.source = "synthetic://" + std::to_string(stream);
  f.video.width = width;
  f.video.height = height;
  f.video.index = frame;
  f.video.pts_ms = frame * 40;
  f.video.capture_time = std::chrono::system_clock::now();
  if (format == PixelFormat::kBgr8) {
    f.video.format = FrameFormat::kBgr8;
    f.pixels.assign(static_cast<std::size_t>(width) * height * 3, 96);  // mid grey
  } else {
    f.video.format = FrameFormat::kNv12;
    f.pixels.assign(static_cast<std::size_t>(width) * height * 3 / 2, 128);
    std::fill(f.pixels.begin(), f.pixels.begin() + static_cast<std::ptrdiff_t>(width) * height, 96);
  }
  f.result.image_width = width;
  f.result.image_height = height;
  f.result.detections = std::move(detections);
  f.result.tag.stream = stream;
  f.result.tag.frame = frame;
  f.result.tag.pts_ms = f.video.pts_ms;
  f.result.tag.capture_time = f.video.capture_time;
  return f;
}

}  // namespace rkyolo::test
