// rkyolo CLI: --show, a pipeline sink that shows the streams with OpenCV
// highgui: boxes, labels, FPS and dropped frames, either in a window per
// stream or tiled in one window "rkyolo" (ShowLayout::kGrid).
//
// on_frame only copies the frame into the stream's reused buffer (at most
// max_fps a second per stream); one UI thread owns every window, converts,
// scales, draws, composes the grid and handles keys. q or Esc calls on_quit
// once (the CLI stops the pipeline there, as on Ctrl-C, and the queued
// frames drain).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "rkyolo/pipeline.h"
#include "rkyolo/status.h"

namespace rkyolo::cli {

enum class ShowLayout { kWindows, kGrid };

struct ShowOptions {
  ShowLayout layout = ShowLayout::kWindows;
  int max_width = 1280;                       // windows: wider frames are downscaled for their window
  int grid_width = 1920, grid_height = 1080;  // grid: the window is at most this large
  double max_fps = 30;                        // per stream
  std::function<void()> on_quit;              // q or Esc; called on the UI thread
};

// The grid's geometry, for n streams whose frames are at most
// frame_width x frame_height (the largest width and the largest height
// among them, 640x360 before any frame), in a window of at most
// bound_width x bound_height:
//   cols = ceil(sqrt(n)), rows = ceil(n / cols);
//   s = min(1, bound_width / (cols * frame_width), bound_height / (rows * frame_height));
//   tile = floor(frame_width * s) x floor(frame_height * s); window = cols * tile x rows * tile.
// Streams take the cells in stream-index order, row by row: cell i is at
// ((i % cols) * tile_width, (i / cols) * tile_height). Each frame is
// letterboxed into its cell: k = min(tile_width / w, tile_height / h), drawn
// at round(w * k) x round(h * k), centred (offsets rounded down), black around.
// A cell's top-left corner carries "N: source" and "F FPS  dropped D  status";
// a stream that is reconnecting or offline shows its last frame grey and
// darkened with its status in large letters across the middle.
struct GridGeometry {
  int cols = 0, rows = 0;
  int tile_width = 0, tile_height = 0;
};
GridGeometry grid_geometry(int n, int frame_width, int frame_height, int bound_width, int bound_height);

class ShowSink final : public pipeline::Sink {
 public:
  // Fails with one sentence when there is no display to open windows on, and
  // on a second call in one process (highgui's Qt serves one UI thread).
  static Status create(const ShowOptions& options, std::unique_ptr<ShowSink>* out);
  ~ShowSink() override;

  void on_stream(const pipeline::StreamInfo& stream, pipeline::StreamStatus status, const Status& why) override;
  void on_frame(const pipeline::FrameResult& result) override;
  void on_stats(const pipeline::PipelineStats& stats) override;
  Status close() override;  // closes the windows

  std::int64_t frames_shown() const;  // pictures handed to a window: a frame (windows) or the whole grid
  bool quit_requested() const;

  struct Impl;

 private:
  explicit ShowSink(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rkyolo::cli
