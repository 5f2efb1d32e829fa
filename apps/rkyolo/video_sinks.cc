#include "rkyolo/video_sinks.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <opencv2/imgproc.hpp>

#include "rkyolo/annotate.h"
#include "rkyolo/i18n.h"
#include "rkyolo/options.h"
#include "rkyolo/output_util.h"

namespace rkyolo::cli {

using pipeline::FrameResult;
using pipeline::PipelineStats;
using pipeline::StreamInfo;
using pipeline::StreamStats;
using pipeline::StreamStatus;

namespace {

// Frame errors said per stream; the others are counted in the summary.
constexpr std::int64_t kFrameErrorsSaid = 5;

// "stream 1 'rtsp://...'": how every line names a stream.
std::string stream_name(const StreamInfo& info) {
  return trf(Msg::kVideoStreamName, std::to_string(info.stream), info.source);
}

std::string decoder_text(const FrameSourceInfo& info) {
  if (info.decoder.empty()) return "-";
  return info.decoder + " (" + tr(info.hardware_decoder ? Msg::kVideoHardware : Msg::kVideoSoftware) + ")";
}

}  // namespace

// ------------------------------------------------------ annotated video ----

AnnotatedVideoSink::AnnotatedVideoSink(std::vector<std::string> paths, std::string codec) : codec_(std::move(codec)) {
  for (std::string& path : paths) {
    streams_.push_back(std::make_unique<Stream>());
    streams_.back()->path = std::move(path);
  }
}

void AnnotatedVideoSink::on_frame(const FrameResult& result) {
  const int index = result.stream->stream;
  if (index < 0 || index >= static_cast<int>(streams_.size())) return;
  Stream& stream = *streams_[static_cast<std::size_t>(index)];
  if (stream.path.empty() || stream.failed || result.frame == nullptr || result.image.empty()) return;
  const Status s = write(stream, result);
  if (s.ok()) return;
  stream.failed = true;  // named once; this stream's saving stops, the run goes on
  print_error(localized(s));
  if (first_error_.ok()) first_error_ = s;
}

Status AnnotatedVideoSink::write(Stream& stream, const FrameResult& result) {
  const ImageView& image = result.image;
  if (stream.writer == nullptr) {
    VideoWriterOptions options;
    options.width = image.width;
    options.height = image.height;
    options.fps = result.stream->source_info.fps;
    options.codec = codec_;
    RKYOLO_RETURN_IF_ERROR(VideoWriter::open(stream.path, options, &stream.writer));
  }
  stream.bgr.create(image.height, image.width, CV_8UC3);
  RKYOLO_RETURN_IF_ERROR(stream.converter.to_bgr(image, stream.bgr.data, stream.bgr.step[0]));
  if (result.result != nullptr) draw_detections(stream.bgr, result.result->detections);
  if (draw_) draw_(result, stream.bgr);
  const cv::Mat* out = &stream.bgr;
  // A live source that came back at another size: scaled to the file's size.
  const int width = stream.writer->width(), height = stream.writer->height();
  if (image.width != width || image.height != height) {
    cv::resize(stream.bgr, stream.sized, cv::Size(width, height), 0, 0, cv::INTER_AREA);
    out = &stream.sized;
  }
  const ImageView view{out->data, out->cols, out->rows, out->step[0], PixelFormat::kBgr8};
  return stream.writer->write_bgr(view, result.frame->pts_ms);
}

Status AnnotatedVideoSink::close() {
  for (auto& stream : streams_) {
    if (stream->writer == nullptr) continue;
    const Status s = stream->writer->close();
    if (s.ok() && !stream->failed) {
      written_.push_back(stream->path);
    } else if (!s.ok()) {
      print_error(localized(s));
      if (first_error_.ok()) first_error_ = s;
    }
    stream->writer.reset();
  }
  return first_error_;
}

// ---------------------------------------------------------- JSON lines ----

LineWriter::~LineWriter() {
  (void)close();
}

Status LineWriter::open(const std::string& path) {
  path_ = path;
  struct stat st {
  }, out{};
  const bool is_stdout =
      path == kStandardOutput || (::stat(path.c_str(), &st) == 0 && ::fstat(STDOUT_FILENO, &out) == 0 &&
                                  st.st_dev == out.st_dev && st.st_ino == out.st_ino);
  if (is_stdout) {
    file_ = stdout;
    owned_ = false;
    return Status();
  }
  errno = 0;
  file_ = std::fopen(path.c_str(), "w");
  if (file_ == nullptr) return io_error(trf(Msg::kWriteFailed, path, std::strerror(errno != 0 ? errno : EIO)));
  owned_ = true;
  return Status();
}

Status LineWriter::write_line(const std::string& line) {
  if (file_ == nullptr || !error_.ok()) return error_;
  errno = 0;
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fputc('\n', file_) == EOF ||
      std::fflush(file_) != 0)
    error_ = io_error(trf(Msg::kWriteFailed, path_, std::strerror(errno != 0 ? errno : EIO)));
  return error_;
}

Status LineWriter::close() {
  if (file_ == nullptr) return error_;
  if (owned_) {
    errno = 0;
    if (std::fclose(file_) != 0 && error_.ok())
      error_ = io_error(trf(Msg::kWriteFailed, path_, std::strerror(errno != 0 ? errno : EIO)));
  } else if (std::fflush(file_) != 0 && error_.ok()) {
    error_ = io_error(trf(Msg::kWriteFailed, path_, std::strerror(errno != 0 ? errno : EIO)));
  }
  file_ = nullptr;
  return error_;
}

void JsonLinesSink::write(const Json& line) {
  // Sources need not be UTF-8: invalid bytes become U+FFFD, never an abort.
  const Status s = out_->write_line(line.dump(-1, ' ', false, Json::error_handler_t::replace));
  if (!s.ok() && first_error_.ok()) {
    print_error(localized(s));  // once: later lines fail the same way
    first_error_ = s;
  }
}

void JsonLinesSink::on_stream(const StreamInfo& stream, StreamStatus status, const Status& why) {
  if (status != StreamStatus::kFailed) return;
  Json line;
  line["stream"] = stream.stream;
  line["source"] = stream.source;
  line["status"] = std::string(pipeline::stream_status_name(status));
  line["error"] = localized(why);
  write(line);
}

void JsonLinesSink::on_frame(const FrameResult& r) {
  write(frame_object(r));
}

Status JsonLinesSink::close() {
  const Status s = out_->close();
  if (!s.ok() && first_error_.ok()) {
    print_error(localized(s));
    first_error_ = s;
  }
  return first_error_;
}

// ------------------------------------------------------------- summary ----

SummarySink::Stream& SummarySink::stream(const StreamInfo& info) {
  const auto index = static_cast<std::size_t>(info.stream);
  if (streams_.size() <= index) streams_.resize(index + 1);
  streams_[index].info = info;
  return streams_[index];
}

void SummarySink::on_stream(const StreamInfo& info, StreamStatus status, const Status& why) {
  Stream& s = stream(info);
  const StreamStatus before = s.status;
  s.status = status;
  s.why = why.ok() ? std::string() : localized(why);
  if (status == StreamStatus::kFailed) {
    print_error(trf(Msg::kVideoStreamFailed, stream_name(info), localized(why)));
  } else if (status == StreamStatus::kReconnecting) {
    print_warning(trf(Msg::kVideoStreamReconnecting, stream_name(info), why.ok() ? "-" : localized(why)));
  } else if (status == StreamStatus::kOnline && before == StreamStatus::kReconnecting) {
    std::fprintf(stderr, "%s\n", trf(Msg::kVideoStreamBack, stream_name(info)).c_str());
  } else if (status == StreamStatus::kOnline) {
    std::fprintf(
        stderr, "%s\n",
        trf(Msg::kVideoStreamOnline, stream_name(info), std::to_string(info.source_info.width),
            std::to_string(info.source_info.height), fixed(info.source_info.fps, 2), decoder_text(info.source_info))
            .c_str());
  }
}

void SummarySink::on_frame(const FrameResult& result) {
  if (result.error.ok()) return;
  ++failed_frames_;
  Stream& s = stream(*result.stream);
  if (++s.frame_errors > kFrameErrorsSaid) {
    if (s.frame_errors == kFrameErrorsSaid + 1)
      print_warning(trf(Msg::kVideoMoreFrameErrors, stream_name(*result.stream)));
    return;
  }
  const std::int64_t frame = result.frame != nullptr    ? result.frame->index
                             : result.result != nullptr ? result.result->tag.frame
                                                        : -1;
  print_warning(
      trf(Msg::kVideoFrameFailed, stream_name(*result.stream), std::to_string(frame), localized(result.error)));
}

void SummarySink::on_stats(const PipelineStats& stats) {
  if (!verbose_) return;
  for (const StreamStats& s : stats.streams) {
    // The window that just ended: what the stream does now, not since the start.
    const pipeline::StreamWindow& w = s.window;
    std::fprintf(
        stderr, "  %s\n",
        trf(Msg::kVideoStreamWindowLine, name_of(s.stream), std::string(pipeline::stream_status_name(s.status)),
            fixed(w.duration_s, 1), fixed(w.fps_in, 1), fixed(w.fps_out, 1), std::to_string(w.decoded),
            std::to_string(w.processed), std::to_string(w.dropped), std::to_string(w.failed), fixed(w.age.p50_ms, 1),
            fixed(w.age.p99_ms, 1))
            .c_str());
  }
}

std::string SummarySink::name_of(int stream) const {
  const auto index = static_cast<std::size_t>(stream);
  return index < streams_.size() ? stream_name(streams_[index].info) : std::to_string(stream);
}

void SummarySink::print_stream(const StreamStats& s, const char* prefix) const {
  const auto index = static_cast<std::size_t>(s.stream);
  const StreamInfo* info = index < streams_.size() ? &streams_[index].info : nullptr;
  const std::string name = info != nullptr ? stream_name(*info) : std::to_string(s.stream);
  std::fprintf(stderr, "%s%s\n", prefix,
               trf(Msg::kVideoStreamLine, name, std::string(pipeline::stream_status_name(s.status)),
                   std::to_string(s.decoded), std::to_string(s.processed), std::to_string(s.dropped),
                   std::to_string(s.failed), std::to_string(s.reconnects), fixed(s.fps_out, 1), fixed(s.age.p50_ms, 1),
                   fixed(s.age.p99_ms, 1), info != nullptr ? decoder_text(info->source_info) : "-")
                   .c_str());
}

void SummarySink::print(const PipelineStats& stats) const {
  for (const StreamStats& s : stats.streams) print_stream(s, "");
  std::fprintf(
      stderr, "%s\n",
      trf(Msg::kVideoRunLine, fixed(stats.wall_s, 1), fixed(stats.cpu_s, 1), std::to_string(stats.workers.size()))
          .c_str());
}

Json SummarySink::stats_json(const PipelineStats& stats) const {
  // The pipeline's own JSON, with what each source said at open.
  Json out = Json::parse(pipeline::stats_json(stats));
  for (Json& j : out["streams"]) {
    const auto index = j["stream"].get<std::size_t>();
    if (index >= streams_.size()) continue;
    const FrameSourceInfo& src = streams_[index].info.source_info;
    j["width"] = src.width;
    j["height"] = src.height;
    j["fps"] = round_to(src.fps, 3);
    j["live"] = src.live;
    j["decoder"] = src.decoder;
    j["hardware_decoder"] = src.hardware_decoder;
    if (!streams_[index].why.empty()) j["error"] = streams_[index].why;
  }
  return out;
}

int SummarySink::failed_streams(const PipelineStats& stats) const {
  int n = 0;
  for (const StreamStats& s : stats.streams)
    n += s.status == StreamStatus::kFailed || (s.processed > 0 && s.failed == s.processed) ? 1 : 0;
  return n;
}

}  // namespace rkyolo::cli
