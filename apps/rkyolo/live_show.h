// rkyolo CLI: --show, a pipeline sink that shows every stream in a window of
// its own (OpenCV highgui): boxes, labels, FPS and dropped frames.
//
// on_frame only copies the frame (at most max_fps a second per stream); one
// UI thread owns every window, draws and handles keys. q or Esc calls
// on_quit once (the CLI stops the pipeline there, as on Ctrl-C, and the
// queued frames drain).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "rkyolo/pipeline.h"
#include "rkyolo/status.h"

namespace rkyolo::cli {

struct ShowOptions {
  int max_width = 1280;           // wider frames are downscaled for the window
  double max_fps = 30;            // per stream
  std::function<void()> on_quit;  // q or Esc; called on the UI thread
};

class ShowSink final : public pipeline::Sink {
 public:
  // Fails with one sentence when there is no display to open windows on.
  static Status create(const ShowOptions& options, std::unique_ptr<ShowSink>* out);
  ~ShowSink() override;

  void on_stream(const pipeline::StreamInfo& stream, pipeline::StreamStatus status, const Status& why) override;
  void on_frame(const pipeline::FrameResult& result) override;
  void on_stats(const pipeline::PipelineStats& stats) override;
  Status close() override;  // closes the windows

  std::int64_t frames_shown() const;
  bool quit_requested() const;

  struct Impl;

 private:
  explicit ShowSink(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rkyolo::cli
