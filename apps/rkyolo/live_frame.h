// rkyolo CLI: what the live views (web, window) keep of a frame: a packed
// copy of its pixels and its detections, made on the pipeline's sink thread
// (a copy, nothing more), and turned into an annotated BGR picture later on
// the view's own thread.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "rkyolo/detection.h"
#include "rkyolo/image.h"

namespace rkyolo::cli {

struct OwnedDetection {
  int class_id = 0;
  std::string label;  // owned: the view may outlive the model's label table
  float score = 0;
  Box box;
};

struct FrameCopy {
  PixelFormat format = PixelFormat::kBgr8;
  int width = 0, height = 0;
  std::vector<std::uint8_t> bytes;  // packed: BGR/RGB rows, or Y then UV (NV12), or Y, U, V (I420); grow-only
  std::vector<OwnedDetection> detections;
  std::int64_t frame = -1;
  bool empty() const { return width <= 0 || height <= 0; }
};

// Copies `image` (any ImageView format, any strides) and `detections` into
// `out`, reusing its buffers. An empty image leaves an empty copy.
void copy_frame(const ImageView& image, const std::vector<Detection>& detections, std::int64_t frame, FrameCopy* out);

// Converts to BGR, downscales to at most `max_width` pixels wide (0: full
// size; aspect kept) and draws the detections scaled to match.
void render_frame(const FrameCopy& copy, int max_width, cv::Mat* bgr);
// The same at exactly `size` (up or down; the aspect is the caller's), the
// detections scaled to match, so that boxes are drawn at the final size.
void render_frame_sized(const FrameCopy& copy, cv::Size size, cv::Mat* bgr);

}  // namespace rkyolo::cli
