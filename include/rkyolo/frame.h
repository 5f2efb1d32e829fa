// rkyolo: decoded video frames and the interface every frame source
// implements (core: no FFmpeg here).
//
// A FrameSource hands out frames in the decoder's own format (NV12,
// YUV420P, packed RGB/BGR) from a fixed pool: read() fills a FrameLease,
// which returns the frame to its pool when reset or destroyed. Once warm, no
// frame allocates. rkyolo_video's VideoSource (files, cameras, network
// streams through FFmpeg) is one; tests and other producers write their own.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "rkyolo/image.h"
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
  std::size_t strides[3] = {0, 0, 0};    // bytes between rows of each plane
  bool full_range = false;               // YUV with 0..255 luma (JPEG range) instead of 16..235
  YuvMatrix matrix = YuvMatrix::kBt601;  // YUV to RGB coefficients (BT.709 for most HD video)

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

// The frame as an ImageView for the letterbox (no copy): NV12 and YUV420P
// become planar YUV views with the frame's matrix and range, packed frames
// interleaved views. Empty when the frame has no CPU pixels (a DMA-buf frame).
ImageView image_view_of(const VideoFrame& frame);

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
  const VideoFrame* get() const { return frame_; }
  void reset();

 private:
  friend class detail::FramePool;
  std::shared_ptr<detail::FramePool> pool_;
  const VideoFrame* frame_ = nullptr;
  int slot_ = -1;
};

// What a source delivers, known once it is open.
struct FrameSourceInfo {
  std::string location;  // what was opened
  SourceKind kind = SourceKind::kOther;
  bool live = false;  // a camera or a network stream: frames come at their own pace and may be dropped
  int width = 0;
  int height = 0;
  double fps = 0;                 // average frame rate, 0 when the container does not say
  std::int64_t duration_ms = -1;  // -1 when unknown (live streams)
  std::string codec;              // e.g. "h264"
  std::string decoder;            // e.g. "h264_rkmpp" or "h264"
  bool hardware_decoder = false;
  std::string decoder_reason;  // why this decoder, e.g. "h264_rkmpp is not in this FFmpeg build"
  std::string pixel_format;    // the decoder's output format, e.g. "yuv420p"
};

std::ostream& operator<<(std::ostream& os, const FrameSourceInfo& info);

struct FrameSourceStats {
  std::int64_t decoded = 0;     // frames out of the decoder
  std::int64_t delivered = 0;   // frames returned by read()
  std::int64_t skipped = 0;     // left out by vid_stride
  std::int64_t dropped = 0;     // live: oldest queued frame dropped because the reader fell behind
  std::int64_t errors = 0;      // corrupt packets or frames reported
  std::int64_t timeouts = 0;    // opens or reads that ran past their timeout
  std::int64_t reconnects = 0;  // successful reconnections of a live source
};

std::ostream& operator<<(std::ostream& os, const FrameSourceStats& stats);

enum class ReadEvent : int {
  kFrame,         // the lease holds the next frame
  kFrameError,    // a packet or frame could not be decoded (status says which); reading goes on
  kTimeout,       // no frame before the deadline; the source goes on (a live one may be reconnecting)
  kEnd,           // no more frames: the file ended or stop() was called (status ok), or the source failed
  kStateChanged,  // a live source lost its connection or is back (`state`; status: the cause); no frame
};

// Whether a live source's frames flow. A source reports each change as a
// read() event in its place among the frames: kReconnecting after the last
// frame before the loss, kOnline again just before the first frame after it.
// Files never change state.
enum class SourceState : int {
  kOnline,        // frames flow
  kReconnecting,  // the connection was lost: backing off and reopening
};

std::string_view source_state_name(SourceState state);  // "online", "reconnecting"

struct ReadResult {
  ReadEvent event = ReadEvent::kEnd;
  Status status;
  SourceState state = SourceState::kOnline;  // kStateChanged: the new state
};

class FrameSource {
 public:
  using Clock = std::chrono::steady_clock;

  virtual ~FrameSource() = default;

  virtual const FrameSourceInfo& info() const = 0;
  // Thread-safe.
  virtual FrameSourceStats stats() const = 0;
  // Releases what `frame` held, then waits until the next event or
  // `deadline`. Thread-compatible: one reader per source.
  virtual ReadResult read(FrameLease& frame, Clock::time_point deadline) = 0;
  // Ends blocking waits at once; read() then returns the frames already
  // queued, then kEnd. Thread-safe.
  virtual void stop() = 0;
};

}  // namespace rkyolo
