#include "video/video_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "video/ffmpeg_util.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

namespace rkyolo {

using detail::av_error_text;

// ------------------------------------------------------------ converter ----

struct FrameConverter::Impl {
  SwsContext* sws = nullptr;
  // What the cached context's colour details were set for.
  int matrix = -1;
  int full_range = -1;
  ~Impl() { sws_freeContext(sws); }
};

FrameConverter::FrameConverter() : impl_(std::make_unique<Impl>()) {}
FrameConverter::~FrameConverter() = default;

Status FrameConverter::to_bgr(const ImageView& image, std::uint8_t* bgr, std::size_t bgr_stride) {
  if (image.empty()) return invalid_image(MessageId::kVideoEmptyImage);
  const std::uint8_t* src[4] = {image.data, nullptr, nullptr, nullptr};
  int src_stride[4] = {static_cast<int>(image.stride_bytes), 0, 0, 0};
  AVPixelFormat format = AV_PIX_FMT_BGR24;
  switch (image.format) {
    case PixelFormat::kBgr8:
      for (int y = 0; y < image.height; ++y)
        std::memcpy(bgr + y * bgr_stride, image.row(y), static_cast<std::size_t>(image.width) * 3);
      return Status();
    case PixelFormat::kRgb8: format = AV_PIX_FMT_RGB24; break;
    case PixelFormat::kNv12:
      format = AV_PIX_FMT_NV12;
      src[1] = image.chroma[0];
      src_stride[1] = static_cast<int>(image.chroma_stride[0]);
      break;
    case PixelFormat::kYuv420p:
      format = AV_PIX_FMT_YUV420P;
      for (int p = 0; p < 2; ++p) {
        src[1 + p] = image.chroma[p];
        src_stride[1 + p] = static_cast<int>(image.chroma_stride[p]);
      }
      break;
  }
  Impl& m = *impl_;
  SwsContext* sws = sws_getCachedContext(m.sws, image.width, image.height, format, image.width, image.height,
                                         AV_PIX_FMT_BGR24, SWS_BILINEAR, nullptr, nullptr, nullptr);
  if (sws == nullptr) return internal_error(MessageId::kVideoSwsToBgr);
  if (sws != m.sws) m.matrix = m.full_range = -1;  // a new context: colour details afresh
  m.sws = sws;
  const int matrix = image.matrix == YuvMatrix::kBt709 ? SWS_CS_ITU709 : SWS_CS_ITU601;
  const int full_range = image.full_range ? 1 : 0;
  if (is_yuv420(image.format) && (matrix != m.matrix || full_range != m.full_range)) {
    sws_setColorspaceDetails(sws, sws_getCoefficients(matrix), full_range, sws_getCoefficients(SWS_CS_DEFAULT), 1, 0,
                             1 << 16, 1 << 16);
    m.matrix = matrix;
    m.full_range = full_range;
  }
  std::uint8_t* dst[4] = {bgr, nullptr, nullptr, nullptr};
  const int dst_stride[4] = {static_cast<int>(bgr_stride), 0, 0, 0};
  sws_scale(sws, src, src_stride, 0, image.height, dst, dst_stride);
  return Status();
}

// --------------------------------------------------------------- writer ----

namespace {

const AVCodec* find_encoder(const std::string& name) {
  const AVCodec* codec = avcodec_find_encoder_by_name(name.c_str());
  return codec != nullptr && codec->type == AVMEDIA_TYPE_VIDEO ? codec : nullptr;
}

// The H.264 encoders this build has, for the sentence about a missing one:
// the {encoders} argument ("none" when there are none).
MessageArg h264_encoders_arg() {
  std::string names;
  void* it = nullptr;
  while (const AVCodec* c = av_codec_iterate(&it)) {
    if (c->id != AV_CODEC_ID_H264 || !av_codec_is_encoder(c)) continue;
    if (!names.empty()) names += ", ";
    names += c->name;
  }
  if (names.empty()) return {"encoders", Message(MessageId::kVideoNoEncoders)};
  return {"encoders", names};
}

Status missing_encoder(const std::string& name) {
  return not_found(MessageId::kVideoEncoderMissing, {{"name", name}, h264_encoders_arg()});
}

Status choose_encoder(const std::string& requested, const AVCodec** out) {
  if (!requested.empty()) {
    *out = find_encoder(requested);
    return *out == nullptr ? missing_encoder(requested) : Status();
  }
  for (const std::string& name : kDefaultVideoEncoders)
    if ((*out = find_encoder(name)) != nullptr) return Status();
  return not_found(MessageId::kVideoNoDefaultEncoder, {h264_encoders_arg()});
}

// 4:2:0 first (what players expect), then what the encoder lists first.
AVPixelFormat encoder_pixel_format(const AVCodec& codec) {
  if (codec.pix_fmts == nullptr) return AV_PIX_FMT_YUV420P;
  for (AVPixelFormat wanted : {AV_PIX_FMT_YUV420P, AV_PIX_FMT_NV12})
    for (const AVPixelFormat* f = codec.pix_fmts; *f != AV_PIX_FMT_NONE; ++f)
      if (*f == wanted) return wanted;
  return codec.pix_fmts[0];
}

constexpr double kAssumedFps = 25;

}  // namespace

struct VideoWriter::Impl {
  std::string path, part_path, encoder;
  int width = 0, height = 0;  // of the frames given
  AVFormatContext* format = nullptr;
  AVCodecContext* codec = nullptr;
  AVStream* stream = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* packet = nullptr;
  SwsContext* sws = nullptr;
  bool header_written = false, closed = false;
  std::int64_t frames = 0;
  std::int64_t frame_ms = 40;  // one frame at the stream's rate
  std::int64_t last_ms = -1;   // time of the last frame written
  std::int64_t offset_ms = 0;  // added to source times (re-anchored when they go backwards)
  bool have_origin = false;

  ~Impl() { release(); }

  void release() {
    sws_freeContext(sws);
    sws = nullptr;
    av_packet_free(&packet);
    av_frame_free(&frame);
    avcodec_free_context(&codec);
    if (format != nullptr) {
      if (format->pb != nullptr) avio_closep(&format->pb);
      avformat_free_context(format);
      format = nullptr;
    }
  }

  Status fail(MessageId step, int rc) {
    return io_error(MessageId::kVideoWriteFailed,
                    {{"path", path}, {"step", Message(step)}, {"error", av_error_text(rc)}});
  }

  // Sends `f` (null: flush) and writes every packet the encoder returns.
  Status encode(const AVFrame* f) {
    int rc = avcodec_send_frame(codec, f);
    if (rc < 0) return fail(MessageId::kVideoStepEncoderRefused, rc);
    for (;;) {
      rc = avcodec_receive_packet(codec, packet);
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return Status();
      if (rc < 0) return fail(MessageId::kVideoStepEncoderFailed, rc);
      av_packet_rescale_ts(packet, codec->time_base, stream->time_base);
      packet->stream_index = stream->index;
      rc = av_interleaved_write_frame(format, packet);
      if (rc < 0) return fail(MessageId::kVideoStepWritePacket, rc);
    }
  }

  std::int64_t next_time(std::int64_t pts_ms) {
    if (pts_ms == INT64_MIN) return last_ms < 0 ? 0 : last_ms + frame_ms;
    if (!have_origin) {
      offset_ms = -pts_ms;  // the clip starts at 0
      have_origin = true;
    }
    std::int64_t t = pts_ms + offset_ms;
    if (t <= last_ms) {  // backwards (a reconnect) or repeated: continue one frame on
      t = last_ms + frame_ms;
      offset_ms = t - pts_ms;
    }
    return t;
  }
};

VideoWriter::VideoWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VideoWriter::~VideoWriter() {
  (void)close();
}

Status find_video_encoder(const std::string& name) {
  return find_encoder(name) != nullptr ? Status() : missing_encoder(name);
}

Status VideoWriter::open(const std::string& path, const VideoWriterOptions& options,
                         std::unique_ptr<VideoWriter>* out) {
  detail::route_ffmpeg_log();
  if (options.width <= 1 || options.height <= 1)
    return invalid_argument(MessageId::kVideoFrameTooSmall,
                            {{"path", path}, {"width", options.width}, {"height", options.height}});
  const AVOutputFormat* container = av_guess_format(nullptr, path.c_str(), nullptr);
  if (container == nullptr) return invalid_argument(MessageId::kVideoUnknownContainer, {{"path", path}});
  const AVCodec* codec = nullptr;
  RKYOLO_RETURN_IF_ERROR(choose_encoder(options.codec, &codec));
  if (avformat_query_codec(container, codec->id, FF_COMPLIANCE_NORMAL) != 1)
    return invalid_argument(MessageId::kVideoContainerCannotHold,
                            {{"path", path}, {"container", container->name}, {"codec", codec->name}});

  auto m = std::make_unique<Impl>();
  m->path = path;
  m->part_path = path + ".part";
  m->encoder = codec->name;
  m->width = options.width;
  m->height = options.height;
  const double fps = options.fps > 0 && std::isfinite(options.fps) ? options.fps : kAssumedFps;
  m->frame_ms = std::max<std::int64_t>(1, std::llround(1000.0 / fps));

  int rc = avformat_alloc_output_context2(&m->format, container, nullptr, m->part_path.c_str());
  if (rc < 0) return m->fail(MessageId::kVideoStepContainer, rc);
  m->codec = avcodec_alloc_context3(codec);
  m->frame = av_frame_alloc();
  m->packet = av_packet_alloc();
  if (m->codec == nullptr || m->frame == nullptr || m->packet == nullptr)
    return m->fail(MessageId::kVideoStepOutOfMemory, AVERROR(ENOMEM));

  AVCodecContext& c = *m->codec;
  const AVPixelFormat pix = encoder_pixel_format(*codec);
  const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(pix);
  // Subsampled chroma needs even sizes: the last odd row or column is left out.
  c.width = desc != nullptr && desc->log2_chroma_w > 0 ? options.width & ~1 : options.width;
  c.height = desc != nullptr && desc->log2_chroma_h > 0 ? options.height & ~1 : options.height;
  c.pix_fmt = pix;
  c.time_base = AVRational{1, 1000};
  c.framerate = av_d2q(fps, 100000);
  c.gop_size = std::max(1, static_cast<int>(std::lround(2 * fps)));
  c.color_range = AVCOL_RANGE_MPEG;
  c.colorspace = AVCOL_SPC_SMPTE170M;  // swscale's default BT.601 matrix
  c.color_primaries = AVCOL_PRI_SMPTE170M;
  c.color_trc = AVCOL_TRC_SMPTE170M;
  if (m->encoder != "libx264")  // x264 uses its constant quality; others get a bit rate
    c.bit_rate = std::max<std::int64_t>(500000, std::llround(0.15 * c.width * c.height * fps));
  if (m->format->oformat->flags & AVFMT_GLOBALHEADER) c.flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  AVDictionary* codec_options = nullptr;
  if (m->encoder == "libx264") {
    av_dict_set(&codec_options, "preset", "veryfast", 0);
    av_dict_set_int(&codec_options, "crf", options.crf, 0);
  }
  rc = avcodec_open2(&c, codec, &codec_options);
  av_dict_free(&codec_options);
  if (rc < 0)
    return io_error(MessageId::kVideoEncoderCannotOpen,
                    {{"encoder", m->encoder}, {"path", path}, {"error", av_error_text(rc)}});

  m->stream = avformat_new_stream(m->format, nullptr);
  if (m->stream == nullptr) return m->fail(MessageId::kVideoStepAddStream, AVERROR(ENOMEM));
  m->stream->time_base = c.time_base;
  m->stream->avg_frame_rate = c.framerate;
  rc = avcodec_parameters_from_context(m->stream->codecpar, &c);
  if (rc < 0) return m->fail(MessageId::kVideoStepDescribeStream, rc);

  m->frame->format = c.pix_fmt;
  m->frame->width = c.width;
  m->frame->height = c.height;
  rc = av_frame_get_buffer(m->frame, 0);
  if (rc < 0) return m->fail(MessageId::kVideoStepAllocateFrame, rc);
  m->sws = sws_getContext(c.width, c.height, AV_PIX_FMT_BGR24, c.width, c.height, c.pix_fmt, SWS_BILINEAR, nullptr,
                          nullptr, nullptr);
  if (m->sws == nullptr) return m->fail(MessageId::kVideoStepSwsFromBgr, AVERROR(EINVAL));

  rc = avio_open(&m->format->pb, m->part_path.c_str(), AVIO_FLAG_WRITE);
  if (rc < 0) return io_error(MessageId::kVideoCannotCreate, {{"path", m->part_path}, {"error", av_error_text(rc)}});
  rc = avformat_write_header(m->format, nullptr);
  if (rc < 0) {
    std::remove(m->part_path.c_str());
    return m->fail(MessageId::kVideoStepHeader, rc);
  }
  m->header_written = true;
  out->reset(new VideoWriter(std::move(m)));
  return Status();
}

Status VideoWriter::write_bgr(const ImageView& bgr, std::int64_t pts_ms) {
  Impl& m = *impl_;
  if (m.closed) return internal_error(MessageId::kVideoWriterClosed, {{"path", m.path}});
  if (bgr.format != PixelFormat::kBgr8 || bgr.width != m.width || bgr.height != m.height)
    return invalid_argument(MessageId::kVideoFrameMismatch,
                            {{"path", m.path}, {"width", m.width}, {"height", m.height}});
  int rc = av_frame_make_writable(m.frame);
  if (rc < 0) return m.fail(MessageId::kVideoStepReuseFrame, rc);
  const std::uint8_t* src[4] = {bgr.data, nullptr, nullptr, nullptr};
  const int src_stride[4] = {static_cast<int>(bgr.stride_bytes), 0, 0, 0};
  sws_scale(m.sws, src, src_stride, 0, m.frame->height, m.frame->data, m.frame->linesize);
  m.frame->pts = m.next_time(pts_ms);
  m.last_ms = m.frame->pts;
  RKYOLO_RETURN_IF_ERROR(m.encode(m.frame));
  ++m.frames;
  return Status();
}

Status VideoWriter::close() {
  Impl& m = *impl_;
  if (m.closed) return Status();
  m.closed = true;
  Status s = m.encode(nullptr);
  int rc = 0;
  if (s.ok()) {
    rc = av_write_trailer(m.format);
    if (rc < 0) s = m.fail(MessageId::kVideoStepTrailer, rc);
  }
  if (m.format->pb != nullptr) {
    rc = avio_closep(&m.format->pb);
    if (s.ok() && rc < 0) s = m.fail(MessageId::kVideoStepCloseFile, rc);
  }
  m.release();
  if (s.ok() && std::rename(m.part_path.c_str(), m.path.c_str()) != 0)
    s = io_error(MessageId::kVideoCannotMove, {{"from", m.part_path}, {"to", m.path}, {"error", std::strerror(errno)}});
  if (!s.ok()) std::remove(m.part_path.c_str());
  return s;
}

const std::string& VideoWriter::path() const {
  return impl_->path;
}
int VideoWriter::width() const {
  return impl_->width;
}
int VideoWriter::height() const {
  return impl_->height;
}
const std::string& VideoWriter::encoder() const {
  return impl_->encoder;
}
std::int64_t VideoWriter::frames() const {
  return impl_->frames;
}

}  // namespace rkyolo
