// Test support for the video sources: synthetic clips made with the ffmpeg
// command-line tool (Debian package ffmpeg), whose frames carry their own
// index, and live HTTP, RTMP and RTSP servers on loopback.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "rkyolo/video.h"

namespace rkyolo::test {

// Frame i of a synthetic clip: luma blocks along the top row spell i in
// binary (bright = 1), a moving gradient elsewhere, moving chroma.
constexpr int kIndexBits = 10;
constexpr int kIndexBlock = 16;  // pixels per bit block, a multiple of the chroma subsampling

// Writes `frames` raw YUV420P frames (the generator's own reference).
std::string write_raw_clip(const std::string& dir, int width, int height, int frames);
// Encodes the raw clip with ffmpeg: `codec_args` such as {"-c:v", "libx264"}. Returns the output path.
std::string encode_clip(const std::string& raw, int width, int height, const std::vector<std::string>& codec_args,
                        const std::string& out);
// Decodes `video` with the ffmpeg command-line tool into raw frames of `pix_fmt`.
std::vector<std::uint8_t> reference_decode(const std::string& video, const std::string& pix_fmt);
// The index a synthetic frame spells (luma threshold at 128), -1 when unreadable.
int spelled_index(const VideoFrame& frame);

std::vector<std::uint8_t> read_bytes(const std::string& path);

// A port on 127.0.0.1 that was free a moment ago.
int free_loopback_port();

// A live stream server on 127.0.0.1, a child process killed on destruction.
class LiveServer {
 public:
  // `ffmpeg -re -stream_loop -1 -i clip -c copy -f mpegts -listen 1 http://127.0.0.1:port/live.ts`:
  // MPEG-TS over HTTP in real time, for one client.
  static LiveServer ffmpeg_http(const std::string& clip, int port);
  // The same as FLV over RTMP: rtmp://127.0.0.1:port/live/stream, for one client.
  static LiveServer ffmpeg_rtmp(const std::string& clip, int port);
  // tests/support/rtsp_server.py (GStreamer's RTSP server): rtsp://127.0.0.1:port/cam, 360p H.264.
  static LiveServer gstreamer_rtsp(int port);

  LiveServer(LiveServer&& other) noexcept
      : argv_(std::move(other.argv_)), url_(std::move(other.url_)), pid_(other.pid_) {
    other.pid_ = -1;
  }
  ~LiveServer() { kill_now(); }
  void start();
  void kill_now();  // SIGKILL and reap
  void freeze();    // SIGSTOP
  const std::string& url() const { return url_; }

 private:
  LiveServer(std::vector<std::string> argv, std::string url) : argv_(std::move(argv)), url_(std::move(url)) {}
  std::vector<std::string> argv_;
  std::string url_;
  pid_t pid_ = -1;
};

// Whether tests/support/rtsp_server.py can run here (its Debian packages are installed).
bool gstreamer_rtsp_available();

}  // namespace rkyolo::test
