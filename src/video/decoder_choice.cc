#include "video/decoder_choice.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/pixdesc.h>
}

namespace rkyolo::detail {
namespace {

// The formats a VideoFrame carries as decoded; anything else is refused per frame.
bool takes_format(AVPixelFormat format) {
  return format == AV_PIX_FMT_NV12 || format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVJ420P ||
         format == AV_PIX_FMT_BGR24 || format == AV_PIX_FMT_RGB24;
}

// Prefers a format rkyolo takes as it is. On boards this keeps h264_rkmpp in
// CPU-visible NV12 rather than AV_PIX_FMT_DRM_PRIME until the DMA-buf path
// (VideoFrame::dma_buf_fd) is wired to rknn_create_mem_from_fd.
AVPixelFormat pick_format(AVCodecContext*, const AVPixelFormat* offered) {
  for (const AVPixelFormat* f = offered; *f != AV_PIX_FMT_NONE; ++f)
    if (takes_format(*f)) return *f;
  return offered[0];
}

std::string error_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof(text));
  return text;
}

Status open_context(const AVCodec* codec, const AVStream& stream, int threads, AVCodecContext** out,
                    std::string* why_not) {
  AVCodecContext* context = avcodec_alloc_context3(codec);
  if (context == nullptr) {
    *why_not = "out of memory";
    return Status(StatusCode::kOutOfMemory, "");
  }
  int rc = avcodec_parameters_to_context(context, stream.codecpar);
  if (rc >= 0) {
    context->pkt_timebase = stream.time_base;
    context->thread_count = threads;
    context->get_format = pick_format;
    rc = avcodec_open2(context, codec, nullptr);
  }
  if (rc < 0) {
    avcodec_free_context(&context);
    *why_not = error_text(rc);
    return Status(StatusCode::kBackendError, "");
  }
  *out = context;
  return Status::ok_status();
}

}  // namespace

Status open_decoder(const AVStream& stream, const DecoderRequest& request, DecoderChoice* out) {
  const AVCodecID id = stream.codecpar->codec_id;
  const std::string codec_name = avcodec_get_name(id);
  std::string missing, other_codec, failed;
  const auto append = [](std::string& list, std::string_view item, std::string_view separator = ", ") {
    if (!list.empty()) list += separator;
    list += item;
  };
  for (const std::string& name : *request.candidates) {
    const AVCodec* codec = avcodec_find_decoder_by_name(name.c_str());
    if (codec == nullptr) {
      append(missing, name);
      continue;
    }
    if (codec->id != id) {
      append(other_codec, name);
      continue;
    }
    std::string why_not;
    if (open_context(codec, stream, request.threads, &out->context, &why_not).ok()) {
      out->name = codec->name;
      out->hardware = (codec->capabilities & AV_CODEC_CAP_HARDWARE) != 0;
      out->reason = "the first decoder of the list that decodes " + codec_name + " and opens";
      if (!failed.empty()) out->reason += " (" + failed + ")";
      return Status::ok_status();
    }
    append(failed, name + " failed to open: " + why_not, "; ");
  }

  std::string reason;
  if (!missing.empty()) append(reason, "not in this FFmpeg build: " + missing, "; ");
  if (!other_codec.empty()) append(reason, "for other codecs than " + codec_name + ": " + other_codec, "; ");
  if (!failed.empty()) append(reason, failed, "; ");
  if (reason.empty()) reason = "the list of hardware decoders is empty";
  if (request.require_candidate)
    return backend_unavailable("'" + std::string(request.location) + "': no hardware decoder for " + codec_name +
                               " could be used (" + reason + ") and a hardware decoder is required.");

  const AVCodec* software = avcodec_find_decoder(id);
  if (software == nullptr)
    return Status(StatusCode::kUnimplemented, "'" + std::string(request.location) + "' is coded in " + codec_name +
                                                  ", for which this FFmpeg build has no decoder.");
  std::string why_not;
  if (!open_context(software, stream, request.threads, &out->context, &why_not).ok())
    return invalid_image("'" + std::string(request.location) + "': the " + software->name +
                         " decoder cannot decode this stream: " + why_not + ".");
  out->name = software->name;
  out->hardware = (software->capabilities & AV_CODEC_CAP_HARDWARE) != 0;
  out->reason = "software fallback: " + reason;
  return Status::ok_status();
}

}  // namespace rkyolo::detail
