// rkyolo: video frame sources (files, V4L2 cameras, network streams).
//
// Built as the rkyolo_video target (RKYOLO_WITH_FFMPEG): only that target
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

#include "rkyolo/status.h"
#include "rkyolo/stream_source.h"

namespace rkyolo {

// Pixel layout of a decoded frame, as the decoder produced it.
enum class FrameFormat : int {
  kNv12 = 0,  // plane 0: Y, plane 1: interleaved UV at half resolution (hardware decoders)
  kYuv420p,   // planes Y, U, V; U and V at half resolution (software H.264/HEVC decoders)
  kBgr8,      // one packed plane (rare RGB codecs, carried as decoded)
  kRgb8,      // one packed plane
};

std::string_view frame_format_name(FrameFormat format);
std::ostream& operator<<(std::ostream& os, FrameFormat format);

// One decoded frame. Pixels are not owned: they stay valid while the
// FrameLease holding the frame lives.
struct VideoFrame {
  static constexpr std::int64_t kNoPts = INT64_MIN;

  FrameFormat format = FrameFormat::kYuv420p;
  int width = 0;
  int height = 0;
  int plane_count = 0;
  const std::uint8_t* planes[3] = {nullptr, nullptr, nullptr};
  std::size_t strides[3] = {0, 0, 0};  // bytes between rows of each plane
  bool full_range = false;             // YUV with 0..255 luma (JPEG range) instead of 16..235

  std::int64_t index = 0;        // position in the decoded stream, 0-based; vid_stride skips keep the numbering
  std::int64_t pts_ms = kNoPts;  // presentation time in milliseconds
  std::chrono::system_clock::time_point capture_time;  // wall clock when the decoder returned it

  // Board builds: a DMA-buf file descriptor for the frame's memory, -1 here.
  // With Rockchip's FFmpeg (h264_rkmpp, hevc_rkmpp) asked for
  // AV_PIX_FMT_DRM_PRIME, AVFrame::data[0] is an AVDRMFrameDescriptor whose
  // objects[0].fd, layers[0].planes[i].offset and .pitch fill dma_buf_fd,
  // dma_buf_offsets and strides (planes stay null: no CPU mapping). The
  // NPU backend can then wrap it with rknn_create_mem_from_fd(ctx, fd,
  // virt_addr, size, offset) and the RGA letterbox read it directly, with no
  // copy through the CPU. Until then the decoder is asked for NV12/YUV420P in
  // CPU memory (see get_format in src/video/video_source.cc).
  int dma_buf_fd = -1;
  std::size_t dma_buf_offsets[3] = {0, 0, 0};
};

std::ostream& operator<<(std::ostream& os, const VideoFrame& frame);

namespace detail {
class FramePool;
}

// Owns one pooled frame; returns it to its source's pool when reset or
// destroyed. Move-only. May outlive the source.
class FrameLease {
 public:
  FrameLease() = default;
  ~FrameLease() { reset(); }
  FrameLease(FrameLease&& other) noexcept;
  FrameLease& operator=(FrameLease&& other) noexcept;
  FrameLease(const FrameLease&) = delete;
  FrameLease& operator=(const FrameLease&) = delete;

  explicit operator bool() const { return frame_ != nullptr; }
  const VideoFrame& operator*() const { return *frame_; }
  const VideoFrame* operator->() const { return frame_; }
  void reset();

 private:
  friend class detail::FramePool;
  std::shared_ptr<detail::FramePool> pool_;
  const VideoFrame* frame_ = nullptr;
  int slot_ = -1;
};

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

struct VideoStreamInfo {
  std::string location;  // what was opened
  SourceKind kind = SourceKind::kOther;
  bool live = false;
  int width = 0;
  int height = 0;
  double fps = 0;                 // average frame rate, 0 when the container does not say
  std::int64_t duration_ms = -1;  // -1 when unknown (live streams)
  std::string codec;              // e.g. "h264"
  std::string decoder;            // e.g. "h264_rkmpp" or "h264"
  bool hardware_decoder = false;
  std::string decoder_reason;  // why this decoder, e.g. "h264_rkmpp is not in this FFmpeg build"
  std::string pixel_format;    // FFmpeg's name of the decoder's output format, e.g. "yuv420p"
};

std::ostream& operator<<(std::ostream& os, const VideoStreamInfo& info);

struct VideoSourceStats {
  std::int64_t decoded = 0;     // frames out of the decoder
  std::int64_t delivered = 0;   // frames returned by read()
  std::int64_t skipped = 0;     // left out by vid_stride
  std::int64_t dropped = 0;     // live: oldest queued frame dropped because the reader fell behind
  std::int64_t errors = 0;      // corrupt packets or frames reported
  std::int64_t timeouts = 0;    // opens or reads that ran past their timeout
  std::int64_t reconnects = 0;  // successful reconnections of a live source
};

std::ostream& operator<<(std::ostream& os, const VideoSourceStats& stats);

enum class ReadEvent : int {
  kFrame,       // the lease holds the next frame
  kFrameError,  // a packet or frame could not be decoded (status says which); reading goes on
  kTimeout,     // no frame before the deadline; the source goes on (a live one may be reconnecting)
  kEnd,         // no more frames: the file ended or stop() was called (status ok), or the source failed
};

struct ReadResult {
  ReadEvent event = ReadEvent::kEnd;
  Status status;
};

class VideoSource {
 public:
  using Clock = std::chrono::steady_clock;

  // Opens `location` (a file path, /dev/videoN or a URL) of the given kind,
  // finds its video stream and opens a decoder; the decoding thread starts
  // here. Errors are one sentence naming the source and the cause.
  static Status open(const SourceSpec& spec, const VideoSourceOptions& options, std::unique_ptr<VideoSource>* out);

  ~VideoSource();  // close()
  VideoSource(const VideoSource&) = delete;
  VideoSource& operator=(const VideoSource&) = delete;

  const VideoStreamInfo& info() const;
  VideoSourceStats stats() const;

  // Releases what `frame` held, then waits until the next event or
  // `deadline`. Thread-compatible: one reader per source.
  ReadResult read(FrameLease& frame, Clock::time_point deadline);

  // Ends blocking opens, reads and reconnection waits at once; read() then
  // returns the frames already queued, then kEnd. Thread-safe.
  void stop();
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
