// rkyolo CLI: the outputs of a video run, as pipeline sinks: annotated video
// per stream, JSON lines, and the run summary (standard error, --stats).
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "rkyolo/detection_json.h"
#include "rkyolo/pipeline.h"
#include "video/video_writer.h"

namespace rkyolo::cli {

// One annotated video per stream: frames converted to BGR once (drawing is
// OpenCV's, shared with the images), boxes drawn, encoded. A writer opens
// on its stream's first frame (size from the frame, rate from the source);
// frames that failed to decode have no pixels and are left out. A stream
// whose file cannot be written is named once and its saving stops; close()
// finalizes every file (trailer written) and returns the first error.
class AnnotatedVideoSink : public pipeline::Sink {
 public:
  // `paths[i]`: the file of stream i ("" = not saved).
  AnnotatedVideoSink(std::vector<std::string> paths, std::string codec);
  void on_frame(const pipeline::FrameResult& result) override;
  Status close() override;
  // Files finished by close().
  const std::vector<std::string>& written() const { return written_; }
  // Drawn on each frame after the boxes (`rkyolo track`: trails, zones).
  void set_draw(std::function<void(const pipeline::FrameResult&, cv::Mat&)> draw) { draw_ = std::move(draw); }

 private:
  struct Stream {
    std::string path;
    std::unique_ptr<VideoWriter> writer;
    FrameConverter converter;
    cv::Mat bgr, sized;  // reused: no allocation per frame once warm
    bool failed = false;
  };
  Status write(Stream& stream, const pipeline::FrameResult& result);

  std::vector<std::unique_ptr<Stream>> streams_;
  std::string codec_;
  std::function<void(const pipeline::FrameResult&, cv::Mat&)> draw_;
  Status first_error_;
  std::vector<std::string> written_;
};

// A file of JSON lines, or standard output ("-", /dev/stdout or the file
// standard output is redirected to). Each line is flushed as written, so a
// reader can follow the file while the run goes on.
class LineWriter {
 public:
  ~LineWriter();
  Status open(const std::string& path);
  Status write_line(const std::string& line);
  Status close();

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  Status error_;
};

// One JSON object per processed frame, in order per stream:
// {"stream", "source", "frame", "pts_ms", "ts", "age_ms", "detections"},
// plus "error" for a frame that failed. Also one object per stream that could
// not be opened or gave up: {"stream", "source", "status": "failed", "error"}.
class JsonLinesSink : public pipeline::Sink {
 public:
  explicit JsonLinesSink(LineWriter* out) : out_(out) {}
  void on_stream(const pipeline::StreamInfo& stream, pipeline::StreamStatus status, const Status& why) override;
  void on_frame(const pipeline::FrameResult& result) override;
  Status close() override;

 private:
  void write(const Json& line);
  LineWriter* out_;
  Status first_error_;
};

// Remembers each stream's source and last status (for the summary), says
// status changes on standard error (open, lost and reconnecting, back,
// failed), and with -v prints each stats window's figures.
class SummarySink : public pipeline::Sink {
 public:
  explicit SummarySink(bool verbose) : verbose_(verbose) {}
  void on_stream(const pipeline::StreamInfo& stream, pipeline::StreamStatus status, const Status& why) override;
  void on_frame(const pipeline::FrameResult& result) override;
  void on_stats(const pipeline::PipelineStats& stats) override;

  // The end-of-run summary, one line per stream, on standard error.
  void print(const pipeline::PipelineStats& stats) const;
  // --stats: the pipeline's statistics JSON, each stream with its size,
  // rate, liveness and decoder.
  Json stats_json(const pipeline::PipelineStats& stats) const;
  // Streams that could not be opened or gave up, or whose every frame failed.
  int failed_streams(const pipeline::PipelineStats& stats) const;
  std::int64_t failed_frames() const { return failed_frames_; }

 private:
  struct Stream {
    pipeline::StreamInfo info;
    pipeline::StreamStatus status = pipeline::StreamStatus::kStarting;
    std::string why;
    std::int64_t frame_errors = 0;  // the first kFrameErrorsSaid are said, the rest counted
  };
  Stream& stream(const pipeline::StreamInfo& info);
  std::string name_of(int stream) const;
  void print_stream(const pipeline::StreamStats& stats, const char* prefix) const;

  bool verbose_;
  std::vector<Stream> streams_;
  std::int64_t failed_frames_ = 0;
};

}  // namespace rkyolo::cli
