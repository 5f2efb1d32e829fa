// rkyolo_video: writing annotated video (H.264 in MP4 or Matroska) and the
// colour conversions around it, through FFmpeg's libavcodec, libavformat and
// libswscale. No FFmpeg type appears here.
//
// The CLI draws boxes with OpenCV on BGR pixels, so a saved frame goes
// decoder YUV -> BGR (FrameConverter, once per saved frame) -> drawing ->
// encoder YUV (inside VideoWriter). At 640x360 each conversion is well under
// a millisecond, small next to the H.264 encoder.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rkyolo/image.h"
#include "rkyolo/status.h"

namespace rkyolo {

// Converts any ImageView (NV12, YUV420P, with its matrix and range, or
// BGR/RGB) to packed BGR of the same size. The swscale context is cached
// per size and format: once warm, nothing is allocated per frame.
class FrameConverter {
 public:
  FrameConverter();
  ~FrameConverter();
  FrameConverter(const FrameConverter&) = delete;
  FrameConverter& operator=(const FrameConverter&) = delete;

  // `bgr` holds image.height rows of bgr_stride >= width * 3 bytes.
  Status to_bgr(const ImageView& image, std::uint8_t* bgr, std::size_t bgr_stride);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

struct VideoWriterOptions {
  // Of the frames given. With 4:2:0 encoders an odd last row or column is
  // left out (H.264 4:2:0 needs even sizes).
  int width = 0;
  int height = 0;
  double fps = 0;  // the stream's rate; 0 when unknown (25 is assumed)
  // FFmpeg encoder name ("libx264", "h264_rkmpp", "mpeg4", ...); empty:
  // the first of kDefaultVideoEncoders this FFmpeg build has.
  std::string codec;
  int crf = 23;  // libx264 quality (lower is better)
};

// Tried in order when no codec is named: Rockchip's hardware H.264 encoder
// (boards with Rockchip's FFmpeg), then x264.
inline const std::vector<std::string> kDefaultVideoEncoders = {"h264_rkmpp", "libx264"};

// OK when this FFmpeg build has a video encoder of that name; else a
// sentence naming the H.264 encoders it has.
Status find_video_encoder(const std::string& name);

// One output video file. The container follows the extension (.mp4, .mkv,
// .mov, ...). Frames are written to "<path>.part" and renamed to `path` by
// close(), once the trailer is written, so `path` is always a complete,
// playable file. The destructor closes.
class VideoWriter {
 public:
  static Status open(const std::string& path, const VideoWriterOptions& options, std::unique_ptr<VideoWriter>* out);
  ~VideoWriter();
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  // Encodes one packed BGR frame of the size given at open. `pts_ms` is the
  // frame's time in its stream (VideoFrame::kNoPts when unknown): times keep
  // the source's pacing (so vid_stride or dropped frames keep the clip's
  // duration); a time that goes backwards (a live source that reconnected)
  // continues one frame after the last.
  Status write_bgr(const ImageView& bgr, std::int64_t pts_ms);
  // Flushes the encoder, writes the trailer and renames the file into
  // place. Idempotent; after an error the partial file is removed.
  Status close();

  const std::string& path() const;
  int width() const;  // of the frames write_bgr takes
  int height() const;
  const std::string& encoder() const;  // the encoder used, e.g. "libx264"
  std::int64_t frames() const;         // frames written

  struct Impl;

 private:
  explicit VideoWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rkyolo
