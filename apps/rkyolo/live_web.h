// rkyolo CLI: --serve, a pipeline sink that serves a live view over HTTP
// (cpp-httplib, its own target rkyolo_web).
//
//   /                   a page with an <img> per stream (works without JavaScript)
//                       and each stream's status, FPS, dropped frames and
//                       latest detections (a script refreshes them from /api/streams)
//   /stream/N.mjpg      stream N as MJPEG (multipart/x-mixed-replace)
//   /stream/N.jpg       stream N's latest annotated frame
//   /api/streams        JSON: every stream's status, counters, URLs and latest detections
//   /healthz            "ok"
//
// Cost to the pipeline: on_frame copies a frame's pixels and detections at
// most max_fps times a second per stream (a memcpy, under a lock the encoder
// holds only to swap buffers). Converting, downscaling, drawing and JPEG
// encoding happen on the sink's own encoder thread, and only for the streams
// someone watches. Each viewer is served by its own server thread from the latest
// JPEG: a slow viewer skips frames (and is dropped after write_timeout),
// never slowing the encoder, the other viewers or the pipeline.
//
// No authentication: bind to 127.0.0.1 (the default) and tunnel, unless the
// network is trusted.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "rkyolo/pipeline.h"
#include "rkyolo/status.h"

namespace rkyolo::cli {

struct WebOptions {
  std::string host = "127.0.0.1";
  int port = 8080;      // 0: any free port (see WebSink::port())
  int max_width = 640;  // frames are downscaled to this width before encoding
  double max_fps = 5;   // per stream, frames copied and encoded
  int jpeg_quality = 75;
  int max_viewers = 16;                   // concurrent MJPEG viewers; more get 503
  std::chrono::seconds write_timeout{5};  // a viewer that stops reading for this long is dropped
};

struct WebCounters {
  std::int64_t copied = 0;   // frames on_frame copied
  std::int64_t encoded = 0;  // JPEGs encoded
  std::int64_t sent = 0;     // JPEGs written to viewers
  int viewers = 0;           // MJPEG viewers now
};

class WebSink final : public pipeline::Sink {
 public:
  // Binds (an address in use is an error naming it) and starts serving.
  static Status create(const WebOptions& options, std::unique_ptr<WebSink>* out);
  ~WebSink() override;

  void on_stream(const pipeline::StreamInfo& stream, pipeline::StreamStatus status, const Status& why) override;
  void on_frame(const pipeline::FrameResult& result) override;
  void on_stats(const pipeline::PipelineStats& stats) override;
  Status close() override;  // stops serving

  int port() const;  // the bound port
  WebCounters counters() const;

  struct Impl;

 private:
  explicit WebSink(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rkyolo::cli
