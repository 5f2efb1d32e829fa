// rkyolo: video frame sources (files, V4L2 cameras, network streams).
//
// A VideoSource is a FrameSource (rkyolo/frame.h), the interface the
// pipeline reads. Built as the rkyolo_video target (RKYOLO_WITH_FFMPEG): only that target
// links FFmpeg, and no FFmpeg type appears here. A VideoSource decodes on a
// thread of its own into a fixed pool of frames; read() hands out the next
// frame in the decoder's own format (no conversion), blocking until a
// deadline. Once warm, no frame allocates in rkyolo.
//
// Live sources (cameras, network streams without a known duration) treat
// an end of file, an error or a timeout as a disconnect: they reconnect with
// exponential backoff and jitter until stopped. Files end at their end.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "rkyolo/frame.h"
#include "rkyolo/status.h"
#include "rkyolo/stream_source.h"

namespace rkyolo {

// Reconnection of live sources: the n-th consecutive attempt (n = 0, 1, ...)
// waits min(initial_delay * multiplier^n, max_delay), scaled by a uniform
// random factor in [1 - jitter, 1 + jitter] so that many cameras behind one
// switch do not reconnect in lockstep. The wait ends at once on stop().
struct ReconnectPolicy {
  std::chrono::milliseconds initial_delay{500};
  std::chrono::milliseconds max_delay{10000};
  double multiplier = 2.0;
  double jitter = 0.25;
  int max_attempts = 0;  // consecutive failed attempts before giving up; 0: never give up
};

// The wait before attempt `attempt` (0-based) for a uniform random `unit`
// in [0, 1): the policy above, as a pure function.
std::chrono::milliseconds reconnect_delay(const ReconnectPolicy& policy, int attempt, double unit);

struct VideoSourceOptions {
  // Hardware decoders tried in order, by FFmpeg name; the first one that
  // decodes the stream's codec and opens is used, else FFmpeg's software
  // decoder. The defaults are those of Rockchip's FFmpeg fork.
  std::vector<std::string> hardware_decoders = {"h264_rkmpp",  "hevc_rkmpp", "vp9_rkmpp", "av1_rkmpp",
                                                "mpeg4_rkmpp", "h263_rkmpp", "vp8_rkmpp"};
  bool require_hardware_decoder = false;  // fail at open instead of falling back to software
  int decoder_threads = 0;                // software decoder threads; 0: FFmpeg's choice

  int vid_stride = 1;   // deliver every vid_stride-th decoded frame (indices 0, N, 2N, ...)
  int pool_frames = 4;  // frames decoded ahead or held by the caller; the decoder waits when all are in use
  std::chrono::milliseconds open_timeout{5000};  // network and camera: connecting and probing
  std::chrono::milliseconds read_timeout{3000};  // network and camera: longest wait for the next packet
  ReconnectPolicy reconnect;

  enum class Live { kAuto, kYes, kNo };
  // kAuto: cameras, and network streams without a known duration.
  Live live = Live::kAuto;
};

class VideoSource final : public FrameSource {
 public:
  // Opens `location` (a file path, /dev/videoN or a URL) of the given kind,
  // finds its video stream and opens a decoder; the decoding thread starts
  // here. Errors are one sentence naming the source and the cause.
  static Status open(const SourceSpec& spec, const VideoSourceOptions& options, std::unique_ptr<VideoSource>* out);

  ~VideoSource() override;  // close()
  VideoSource(const VideoSource&) = delete;
  VideoSource& operator=(const VideoSource&) = delete;

  const FrameSourceInfo& info() const override;
  FrameSourceStats stats() const override;

  // Releases what `frame` held, then waits until the next event or
  // `deadline`. Thread-compatible: one reader per source.
  ReadResult read(FrameLease& frame, Clock::time_point deadline) override;

  // Ends blocking opens, reads and reconnection waits at once; read() then
  // returns the frames already queued, then kEnd. Thread-safe.
  void stop() override;
  // stop(), then waits for the decoding thread and frees the demuxer and the
  // decoder (the network connection or device). Leased frames stay valid;
  // info() and stats() stay readable. Not concurrently with read().
  void close();

  class Impl;

 private:
  explicit VideoSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rkyolo
