#include "video_fixtures.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "support/test_env.h"

extern char** environ;

namespace rkyolo::test {
namespace {
std::uint8_t luma(int x, int y, int i, bool bit_block, bool bit) {
  if (bit_block) return bit ? 235 : 16;
  return static_cast<std::uint8_t>(40 + ((x + 2 * y + 5 * i) % 160));
}
}  // namespace

std::string write_raw_clip(const std::string& dir, int width, int height, int frames) {
  const std::string path = dir + "/clip.yuv";
  std::ofstream out(path, std::ios::binary);
  std::vector<char> y(static_cast<std::size_t>(width) * height), uv(static_cast<std::size_t>(width / 2) * (height / 2));
  for (int i = 0; i < frames; ++i) {
    for (int r = 0; r < height; ++r)
      for (int c = 0; c < width; ++c) {
        const int bit = c / kIndexBlock;
        const bool block = r < kIndexBlock && bit < kIndexBits;
        y[static_cast<std::size_t>(r) * width + c] = static_cast<char>(luma(c, r, i, block, block && ((i >> bit) & 1)));
      }
    out.write(y.data(), static_cast<std::streamsize>(y.size()));
    for (int plane = 0; plane < 2; ++plane) {
      for (int r = 0; r < height / 2; ++r)
        for (int c = 0; c < width / 2; ++c)
          uv[static_cast<std::size_t>(r) * (width / 2) + c] = static_cast<char>(96 + ((c + r * plane + 3 * i) % 64));
      out.write(uv.data(), static_cast<std::streamsize>(uv.size()));
    }
  }
  return path;
}

std::string encode_clip(const std::string& raw, int width, int height, const std::vector<std::string>& codec_args,
                        const std::string& out) {
  std::vector<std::string> argv = {"ffmpeg",
                                   "-nostdin",
                                   "-v",
                                   "error",
                                   "-y",
                                   "-f",
                                   "rawvideo",
                                   "-pix_fmt",
                                   "yuv420p",
                                   "-s",
                                   std::to_string(width) + "x" + std::to_string(height),
                                   "-r",
                                   "25",
                                   "-i",
                                   raw};
  argv.insert(argv.end(), codec_args.begin(), codec_args.end());
  argv.push_back(out);
  const CommandResult r = run_command(argv, 120);
  if (r.exit_code != 0) throw std::runtime_error("ffmpeg failed to encode " + out + ": " + r.err);
  return out;
}

std::vector<std::uint8_t> reference_decode(const std::string& video, const std::string& pix_fmt) {
  const std::string out = video + "." + pix_fmt + ".raw";
  const CommandResult r = run_command(
      {"ffmpeg", "-nostdin", "-v", "error", "-y", "-i", video, "-f", "rawvideo", "-pix_fmt", pix_fmt, out}, 120);
  if (r.exit_code != 0) throw std::runtime_error("ffmpeg failed to decode " + video + ": " + r.err);
  return read_bytes(out);
}

int spelled_index(const VideoFrame& frame) {
  if (frame.format != FrameFormat::kYuv420p && frame.format != FrameFormat::kNv12) return -1;
  int index = 0;
  for (int bit = 0; bit < kIndexBits; ++bit) {
    const std::uint8_t v = frame.planes[0][kIndexBlock / 2 * frame.strides[0] + bit * kIndexBlock + kIndexBlock / 2];
    if (v >= 128) index |= 1 << bit;
  }
  return index;
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("no free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

LiveServer LiveServer::ffmpeg_http(const std::string& clip, int port) {
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/live.ts";
  return LiveServer({"ffmpeg", "-nostdin", "-v", "quiet", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f",
                     "mpegts", "-listen", "1", url},
                    url);
}

LiveServer LiveServer::ffmpeg_rtmp(const std::string& clip, int port) {
  const std::string url = "rtmp://127.0.0.1:" + std::to_string(port) + "/live/stream";
  return LiveServer({"ffmpeg", "-nostdin", "-v", "quiet", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f",
                     "flv", "-listen", "1", url},
                    url);
}

LiveServer LiveServer::gstreamer_rtsp(int port) {
  return LiveServer({"/usr/bin/python3", source_dir() + "/tests/support/rtsp_server.py", std::to_string(port)},
                    "rtsp://127.0.0.1:" + std::to_string(port) + "/cam");
}

bool gstreamer_rtsp_available() {
  static const bool available =
      run_command({"/usr/bin/python3", "-c",
                   "import gi; gi.require_version('GstRtspServer', '1.0'); gi.require_version('Gst', '1.0'); "
                   "from gi.repository import Gst, GstRtspServer; Gst.init(None); "
                   "assert Gst.ElementFactory.find('x264enc')"},
                  60)
          .exit_code == 0;
  return available;
}

void LiveServer::start() {
  std::vector<std::string> args = argv_;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const int rc = posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv_[0]);
}

void LiveServer::kill_now() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void LiveServer::freeze() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

}  // namespace rkyolo::test
