// VideoSource: FFmpeg demuxing and decoding on a thread of its own, with
// timeouts, an interrupt callback and reconnection for live sources.
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "pipeline/frame_pool.h"
#include "rkyolo/log.h"
#include "rkyolo/video.h"
#include "video/decoder_choice.h"
#include "video/ffmpeg_util.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavdevice/avdevice.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/pixdesc.h>
}

namespace rkyolo {
namespace {

using Clock = std::chrono::steady_clock;
using detail::av_error_text;
using detail::route_ffmpeg_log;

void register_devices_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    avdevice_register_all();
    route_ffmpeg_log();
  });
}

bool frame_format_of(int av_format, FrameFormat* format, bool* full_range) {
  *full_range = false;
  switch (av_format) {
    case AV_PIX_FMT_NV12: *format = FrameFormat::kNv12; return true;
    case AV_PIX_FMT_YUV420P: *format = FrameFormat::kYuv420p; return true;
    case AV_PIX_FMT_YUVJ420P:
      *format = FrameFormat::kYuv420p;
      *full_range = true;
      return true;
    case AV_PIX_FMT_BGR24: *format = FrameFormat::kBgr8; return true;
    case AV_PIX_FMT_RGB24: *format = FrameFormat::kRgb8; return true;
    default: return false;
  }
}

int plane_count_of(FrameFormat format) {
  switch (format) {
    case FrameFormat::kNv12: return 2;
    case FrameFormat::kYuv420p: return 3;
    default: return 1;
  }
}

// Checks a camera path before FFmpeg does, for a sentence that names the cause.
Status check_camera(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return not_found(MessageId::kVideoCameraMissing, {{"path", path}});
  if (!S_ISCHR(st.st_mode)) return invalid_argument(MessageId::kVideoCameraNotDevice, {{"path", path}});
  return Status::ok_status();
}

bool is_rtsp(std::string_view url) {
  constexpr std::string_view kScheme = "rtsp";  // rtsp:// and rtsps://
  if (url.size() < kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i)
    if ((url[i] | 0x20) != kScheme[i]) return false;
  return true;
}

Status check_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return not_found(MessageId::kVideoFileMissing, {{"path", path}});
  if (S_ISDIR(st.st_mode)) return invalid_argument(MessageId::kVideoFileIsFolder, {{"path", path}});
  return Status::ok_status();
}

// The frame pool with one AVFrame per slot: a delivered frame is a
// reference to the decoder's buffer, unreferenced when the slot is freed.
class AvFramePool final : public detail::FramePool {
 public:
  // Returns nullptr when FFmpeg cannot allocate the frames.
  static std::shared_ptr<AvFramePool> create(int frames) {
    std::shared_ptr<AvFramePool> pool(new AvFramePool(frames));
    for (AVFrame*& av : pool->av_)
      if ((av = av_frame_alloc()) == nullptr) return nullptr;
    return pool;
  }
  ~AvFramePool() override {
    for (AVFrame*& av : av_) av_frame_free(&av);
  }
  AVFrame* av_frame(int slot) { return av_[static_cast<std::size_t>(slot)]; }

 private:
  explicit AvFramePool(int frames) : FramePool(frames), av_(static_cast<std::size_t>(frames), nullptr) {}
  void unref(int slot) override { av_frame_unref(av_[static_cast<std::size_t>(slot)]); }
  std::vector<AVFrame*> av_;
};

YuvMatrix matrix_of(const AVFrame& frame) {
  switch (frame.colorspace) {
    case AVCOL_SPC_BT709: return YuvMatrix::kBt709;
    case AVCOL_SPC_UNSPECIFIED:
      return frame.height >= 720 ? YuvMatrix::kBt709 : YuvMatrix::kBt601;  // FFmpeg's guess too
    default: return YuvMatrix::kBt601;
  }
}

}  // namespace

std::chrono::milliseconds reconnect_delay(const ReconnectPolicy& policy, int attempt, double unit) {
  const double grown = static_cast<double>(policy.initial_delay.count()) * std::pow(policy.multiplier, attempt);
  const double capped = std::min(grown, static_cast<double>(policy.max_delay.count()));
  const double factor = 1.0 + policy.jitter * (2.0 * unit - 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(0.0, capped * factor)));
}

class VideoSource::Impl {
 public:
  Impl(SourceSpec spec, VideoSourceOptions options, std::shared_ptr<AvFramePool> pool)
      : spec_(std::move(spec)), options_(std::move(options)), pool_(std::move(pool)), rng_(std::random_device{}()) {}
  ~Impl() {
    close();
    av_packet_free(&packet_);
    av_frame_free(&decoded_);
  }

  Status start(FrameSourceInfo* info);
  void stop() {
    interrupted_ = true;
    pool_->stop();
  }
  void close() {
    stop();
    if (thread_.joinable()) thread_.join();
    close_input();
  }
  const FrameSourceInfo& info() const { return info_; }
  AvFramePool& pool() { return *pool_; }
  const AvFramePool& pool() const { return *pool_; }

 private:
  static int interrupt(void* opaque);
  bool network_or_camera() const { return spec_.kind == SourceKind::kNetwork || spec_.kind == SourceKind::kCamera; }
  void arm_deadline(std::chrono::milliseconds timeout) {
    timed_out_ = false;
    deadline_ns_ = network_or_camera() ? (Clock::now() + timeout).time_since_epoch().count() : 0;
  }
  Status open_input(FrameSourceInfo* info);
  Status open_format();
  void close_input();
  void run();
  Status decode_until_disconnect();  // ok: end of input (or stopped)
  void drain_decoder();
  void receive_frames();
  void deliver(AVFrame* frame);
  // Reconnects a live source; false when stopped (`end` stays ok) or when
  // it gives up (`end` says why).
  bool reconnect(const Status& cause, Status* end);
  std::chrono::milliseconds backoff(int attempt);
  std::int64_t last_frame() const { return next_index_ - 1; }  // the {frame} of "after frame {frame}"

  SourceSpec spec_;
  VideoSourceOptions options_;
  std::shared_ptr<AvFramePool> pool_;
  FrameSourceInfo info_;
  AVFormatContext* format_ = nullptr;
  AVCodecContext* decoder_ = nullptr;
  int stream_index_ = -1;
  AVRational time_base_{1, 1000};
  AVPacket* packet_ = nullptr;
  AVFrame* decoded_ = nullptr;
  std::int64_t next_index_ = 0;
  bool reconnecting_ = false;  // reported kReconnecting; kOnline not yet (decoding thread only)
  std::atomic<bool> interrupted_{false};
  std::atomic<bool> timed_out_{false};
  std::atomic<std::int64_t> deadline_ns_{0};
  std::minstd_rand rng_;
  std::thread thread_;
};

int VideoSource::Impl::interrupt(void* opaque) {
  auto* self = static_cast<Impl*>(opaque);
  if (self->interrupted_) return 1;
  const std::int64_t deadline = self->deadline_ns_;
  if (deadline != 0 && Clock::now().time_since_epoch().count() > deadline) {
    self->timed_out_ = true;
    return 1;
  }
  return 0;
}

Status VideoSource::Impl::start(FrameSourceInfo* info) {
  packet_ = av_packet_alloc();
  decoded_ = av_frame_alloc();
  if (packet_ == nullptr || decoded_ == nullptr)
    return Status(StatusCode::kOutOfMemory, Message(MessageId::kVideoNoPacketMemory, {{"location", spec_.location}}));
  RKYOLO_RETURN_IF_ERROR(open_input(info));
  info_ = *info;
  if (log_enabled(LogLevel::kInfo)) {
    std::ostringstream description;
    description << info_;
    log_message(LogLevel::kInfo, Message(MessageId::kVideoSourceOpened, {{"info", description.str()}}));
  }
  thread_ = std::thread([this] { run(); });
  return Status::ok_status();
}

Status VideoSource::Impl::open_format() {
  const AVInputFormat* input_format = nullptr;
  if (spec_.kind == SourceKind::kCamera) {
    RKYOLO_RETURN_IF_ERROR(check_camera(spec_.location));
    input_format = av_find_input_format("video4linux2");
    if (input_format == nullptr)
      return Status(StatusCode::kUnimplemented, Message(MessageId::kVideoNoV4l2, {{"path", spec_.location}}));
  } else if (spec_.kind != SourceKind::kNetwork) {
    RKYOLO_RETURN_IF_ERROR(check_file(spec_.location));
  }
  format_ = avformat_alloc_context();
  if (format_ == nullptr) return Status(StatusCode::kOutOfMemory, Message(MessageId::kVideoNoDemuxerMemory));
  format_->interrupt_callback = {&Impl::interrupt, this};
  AVDictionary* dict = nullptr;
  if (spec_.kind == SourceKind::kNetwork) {
    const std::string micros = std::to_string(options_.read_timeout.count() * 1000);
    av_dict_set(&dict, "rw_timeout", micros.c_str(), 0);  // every protocol's reads and writes
    // RTSP is a demuxer, not a protocol: its socket timeout has its own name.
    // (Not for the others: for RTMP, "timeout" would mean listening.)
    if (is_rtsp(spec_.location)) av_dict_set(&dict, "timeout", micros.c_str(), 0);
  }
  arm_deadline(options_.open_timeout);
  int rc = avformat_open_input(&format_, spec_.location.c_str(), input_format, &dict);  // frees format_ on failure
  av_dict_free(&dict);
  if (rc < 0) {
    if (timed_out_) {
      pool_->counters().timeouts.fetch_add(1, std::memory_order_relaxed);
      return io_error(MessageId::kVideoOpenTimedOut,
                      {{"location", spec_.location}, {"ms", static_cast<std::int64_t>(options_.open_timeout.count())}});
    }
    if (spec_.kind == SourceKind::kNetwork)
      return io_error(MessageId::kVideoStreamCannotOpen, {{"location", spec_.location}, {"error", av_error_text(rc)}});
    return invalid_image(MessageId::kVideoNotReadable, {{"location", spec_.location}, {"error", av_error_text(rc)}});
  }
  rc = avformat_find_stream_info(format_, nullptr);
  if (rc < 0) {
    if (timed_out_) {
      pool_->counters().timeouts.fetch_add(1, std::memory_order_relaxed);
      return invalid_image(MessageId::kVideoStreamInfoTimedOut, {{"location", spec_.location}});
    }
    return invalid_image(MessageId::kVideoStreamInfoFailed,
                         {{"location", spec_.location}, {"error", av_error_text(rc)}});
  }
  return Status::ok_status();
}

Status VideoSource::Impl::open_input(FrameSourceInfo* info) {
  close_input();
  RKYOLO_RETURN_IF_ERROR(open_format());
  stream_index_ = av_find_best_stream(format_, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream_index_ < 0) return invalid_image(MessageId::kVideoNoVideoStream, {{"location", spec_.location}});
  const AVStream& stream = *format_->streams[stream_index_];
  time_base_ = stream.time_base;

  detail::DecoderChoice choice;
  const detail::DecoderRequest request{&options_.hardware_decoders, options_.require_hardware_decoder,
                                       options_.decoder_threads, spec_.location};
  RKYOLO_RETURN_IF_ERROR(detail::open_decoder(stream, request, &choice));
  decoder_ = choice.context;

  info->location = spec_.location;
  info->kind = spec_.kind;
  const bool unbounded = format_->duration == AV_NOPTS_VALUE || format_->duration <= 0;
  info->live = options_.live == VideoSourceOptions::Live::kAuto
                   ? spec_.kind == SourceKind::kCamera || (spec_.kind == SourceKind::kNetwork && unbounded)
                   : options_.live == VideoSourceOptions::Live::kYes;
  info->width = stream.codecpar->width;
  info->height = stream.codecpar->height;
  const AVRational rate = stream.avg_frame_rate.num > 0 ? stream.avg_frame_rate : stream.r_frame_rate;
  info->fps = rate.den > 0 ? av_q2d(rate) : 0;
  info->duration_ms = unbounded ? -1 : format_->duration / (AV_TIME_BASE / 1000);
  info->codec = avcodec_get_name(stream.codecpar->codec_id);
  info->decoder = choice.name;
  info->hardware_decoder = choice.hardware;
  info->decoder_reason = choice.reason.render();
  const char* pixel_format = av_get_pix_fmt_name(decoder_->pix_fmt);
  info->pixel_format = pixel_format != nullptr ? pixel_format : "unknown";
  return Status::ok_status();
}

void VideoSource::Impl::close_input() {
  avcodec_free_context(&decoder_);
  avformat_close_input(&format_);
}

void VideoSource::Impl::run() {
  Status end;
  for (;;) {
    Status cause = decode_until_disconnect();
    if (pool_->stopped()) break;
    if (!info_.live) {
      end = std::move(cause);
      break;
    }
    if (cause.ok()) cause = io_error(MessageId::kVideoEnded, {{"location", spec_.location}});
    // Reported after the frames before the loss (once, however many attempts
    // it takes); kOnline again comes with the first frame after it (deliver()).
    if (!reconnecting_) pool_->push_state(SourceState::kReconnecting, cause);
    reconnecting_ = true;
    if (!reconnect(cause, &end)) break;
  }
  pool_->push_end(std::move(end));
}

Status VideoSource::Impl::decode_until_disconnect() {
  for (;;) {
    arm_deadline(options_.read_timeout);
    int rc = av_read_frame(format_, packet_);
    if (rc == AVERROR(EAGAIN)) continue;
    if (rc < 0) {
      drain_decoder();
      if (pool_->stopped() || rc == AVERROR_EOF) return Status::ok_status();
      // The demuxer may return a read interrupted by the deadline one call
      // later, after the deadline was re-armed: AVERROR_EXIT comes only from
      // the interrupt callback, and this one did not stop.
      if (timed_out_ || rc == AVERROR_EXIT) {
        pool_->counters().timeouts.fetch_add(1, std::memory_order_relaxed);
        return io_error(MessageId::kVideoReadTimedOut,
                        {{"location", spec_.location},
                         {"ms", static_cast<std::int64_t>(options_.read_timeout.count())},
                         {"frame", last_frame()}});
      }
      return io_error(MessageId::kVideoReadFailed,
                      {{"location", spec_.location}, {"frame", last_frame()}, {"error", av_error_text(rc)}});
    }
    if (packet_->stream_index == stream_index_) {
      rc = avcodec_send_packet(decoder_, packet_);
      if (rc < 0 && rc != AVERROR(EAGAIN))
        pool_->push_error(
            invalid_image(MessageId::kVideoCorruptPacket,
                          {{"location", spec_.location}, {"frame", last_frame()}, {"error", av_error_text(rc)}}),
            info_.live);
    }
    av_packet_unref(packet_);
    receive_frames();
    if (pool_->stopped()) return Status::ok_status();
  }
}

void VideoSource::Impl::drain_decoder() {
  if (avcodec_send_packet(decoder_, nullptr) >= 0) receive_frames();
}

void VideoSource::Impl::receive_frames() {
  for (;;) {
    const int rc = avcodec_receive_frame(decoder_, decoded_);
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
    if (rc < 0) {
      pool_->push_error(
          invalid_image(MessageId::kVideoDecodeFailed,
                        {{"location", spec_.location}, {"frame", last_frame()}, {"error", av_error_text(rc)}}),
          info_.live);
      return;
    }
    deliver(decoded_);
    av_frame_unref(decoded_);
    if (pool_->stopped()) return;
  }
}

void VideoSource::Impl::deliver(AVFrame* decoded) {
  if (reconnecting_) {  // frames flow again
    reconnecting_ = false;
    pool_->push_state(SourceState::kOnline, Status());
  }
  detail::SourceCounters& counters = pool_->counters();
  const std::int64_t index = next_index_++;
  counters.decoded.fetch_add(1, std::memory_order_relaxed);
  if (index % options_.vid_stride != 0) {
    counters.skipped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if ((decoded->flags & AV_FRAME_FLAG_CORRUPT) != 0 || decoded->decode_error_flags != 0) {
    pool_->push_error(invalid_image(MessageId::kVideoCorruptFrame, {{"index", index}, {"location", spec_.location}}),
                      info_.live);
    return;
  }
  FrameFormat format;
  bool full_range;
  if (!frame_format_of(decoded->format, &format, &full_range)) {
    const char* name = av_get_pix_fmt_name(static_cast<AVPixelFormat>(decoded->format));
    pool_->push_error(
        invalid_image(MessageId::kVideoPixelFormat,
                      {{"index", index}, {"location", spec_.location}, {"format", name != nullptr ? name : "unknown"}}),
        info_.live);
    return;
  }
  const int slot = pool_->acquire(info_.live);
  if (slot < 0) return;  // stopped
  AVFrame* held = pool_->av_frame(slot);
  av_frame_move_ref(held, decoded);
  VideoFrame& frame = pool_->frame(slot);
  frame.format = format;
  frame.full_range = full_range || held->color_range == AVCOL_RANGE_JPEG;
  frame.matrix = matrix_of(*held);
  frame.width = held->width;
  frame.height = held->height;
  frame.plane_count = plane_count_of(format);
  for (int p = 0; p < 3; ++p) {
    frame.planes[p] = p < frame.plane_count ? held->data[p] : nullptr;
    frame.strides[p] = p < frame.plane_count ? static_cast<std::size_t>(held->linesize[p]) : 0;
  }
  frame.index = index;
  const std::int64_t pts = held->best_effort_timestamp;
  frame.pts_ms = pts == AV_NOPTS_VALUE ? VideoFrame::kNoPts : av_rescale_q(pts, time_base_, AVRational{1, 1000});
  frame.capture_time = std::chrono::system_clock::now();
  pool_->push_frame(slot);
}

std::chrono::milliseconds VideoSource::Impl::backoff(int attempt) {
  return reconnect_delay(options_.reconnect, attempt, std::uniform_real_distribution<double>(0.0, 1.0)(rng_));
}

bool VideoSource::Impl::reconnect(const Status& cause, Status* end) {
  // Info, not a warning: the loss reaches every sink as a kReconnecting state
  // (the CLI says it once, with the stream's name).
  if (log_enabled(LogLevel::kInfo))
    log_message(LogLevel::kInfo, Message(MessageId::kVideoReconnecting, {{"cause", cause.detail()}}));
  close_input();
  Status last = cause;
  for (int attempt = 0; options_.reconnect.max_attempts == 0 || attempt < options_.reconnect.max_attempts; ++attempt) {
    if (!pool_->sleep_unless_stopped(backoff(attempt))) return false;
    FrameSourceInfo reopened;
    last = open_input(&reopened);
    if (last.ok()) {
      pool_->counters().reconnects.fetch_add(1, std::memory_order_relaxed);
      if (log_enabled(LogLevel::kInfo))
        log_message(LogLevel::kInfo,
                    Message(MessageId::kVideoReconnected, {{"location", spec_.location}, {"attempts", attempt + 1}}));
      return true;
    }
    if (pool_->stopped()) return false;
    if (log_enabled(LogLevel::kWarning))
      log_message(LogLevel::kWarning,
                  Message(MessageId::kVideoReconnectAttempt, {{"attempt", attempt + 1}, {"cause", last.detail()}}));
  }
  *end =
      io_error(MessageId::kVideoLost,
               {{"location", spec_.location}, {"attempts", options_.reconnect.max_attempts}, {"cause", last.detail()}});
  return false;
}

VideoSource::VideoSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VideoSource::~VideoSource() = default;

Status VideoSource::open(const SourceSpec& spec, const VideoSourceOptions& options, std::unique_ptr<VideoSource>* out) {
  if (spec.kind == SourceKind::kStreamList)
    return invalid_argument(MessageId::kVideoIsStreamList, {{"location", spec.location}});
  if (spec.kind == SourceKind::kOther)
    return invalid_argument(MessageId::kVideoNotSource, {{"location", spec.location}});
  if (options.vid_stride < 1) return invalid_argument(MessageId::kVideoVidStride, {{"value", options.vid_stride}});
  if (options.pool_frames < 1) return invalid_argument(MessageId::kVideoPoolFrames, {{"value", options.pool_frames}});
  register_devices_once();
  std::shared_ptr<AvFramePool> pool = AvFramePool::create(options.pool_frames);
  if (!pool) return Status(StatusCode::kOutOfMemory, Message(MessageId::kVideoNoPoolMemory));
  auto impl = std::make_unique<Impl>(spec, options, std::move(pool));
  FrameSourceInfo info;
  RKYOLO_RETURN_IF_ERROR(impl->start(&info));
  out->reset(new VideoSource(std::move(impl)));
  return Status::ok_status();
}

const FrameSourceInfo& VideoSource::info() const {
  return impl_->info();
}

FrameSourceStats VideoSource::stats() const {
  return impl_->pool().stats();
}

ReadResult VideoSource::read(FrameLease& frame, Clock::time_point deadline) {
  frame.reset();
  return impl_->pool().pop(frame, deadline);
}

void VideoSource::close() {
  impl_->close();
}

void VideoSource::stop() {
  impl_->stop();
}

}  // namespace rkyolo
