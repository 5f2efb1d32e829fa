#include "video/decoder_choice.h"

#include <optional>

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

// Opens `codec` for `stream`; on failure `why_not` gets the {error} argument
// (FFmpeg's own text, or "out of memory").
bool open_context(const AVCodec* codec, const AVStream& stream, int threads, AVCodecContext** out,
                  std::optional<MessageArg>* why_not) {
  AVCodecContext* context = avcodec_alloc_context3(codec);
  if (context == nullptr) {
    why_not->emplace("error", Message(MessageId::kVideoStepOutOfMemory));
    return false;
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
    why_not->emplace("error", error_text(rc));
    return false;
  }
  *out = context;
  return true;
}

// Appends `item` to a "; "-separated list of reasons.
void append_reason(std::optional<Message>& list, Message item) {
  if (list) {
    list = Message(MessageId::kJoinSemicolon, {{"first", std::move(*list)}, {"rest", std::move(item)}});
  } else {
    list = std::move(item);
  }
}

}  // namespace

Status open_decoder(const AVStream& stream, const DecoderRequest& request, DecoderChoice* out) {
  const AVCodecID id = stream.codecpar->codec_id;
  const std::string codec_name = avcodec_get_name(id);
  const std::string location(request.location);
  std::string missing, other_codec;
  std::optional<Message> failed;
  const auto append = [](std::string& list, std::string_view item) {
    if (!list.empty()) list += ", ";
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
    std::optional<MessageArg> why_not;
    if (open_context(codec, stream, request.threads, &out->context, &why_not)) {
      out->name = codec->name;
      out->hardware = (codec->capabilities & AV_CODEC_CAP_HARDWARE) != 0;
      out->reason = failed ? Message(MessageId::kVideoDecoderFirstInListAfter,
                                     {{"codec", codec_name}, {"failed", std::move(*failed)}})
                           : Message(MessageId::kVideoDecoderFirstInList, {{"codec", codec_name}});
      return Status::ok_status();
    }
    append_reason(failed, Message(MessageId::kVideoDecoderOpenFailed, {{"name", name}, std::move(*why_not)}));
  }

  std::optional<Message> reason;
  if (!missing.empty()) append_reason(reason, Message(MessageId::kVideoDecodersNotInBuild, {{"names", missing}}));
  if (!other_codec.empty())
    append_reason(reason,
                  Message(MessageId::kVideoDecodersOtherCodecs, {{"codec", codec_name}, {"names", other_codec}}));
  if (failed) append_reason(reason, std::move(*failed));
  if (!reason) reason = Message(MessageId::kVideoHardwareListEmpty);
  if (request.require_candidate)
    return backend_unavailable(MessageId::kVideoNoHardwareDecoder,
                               {{"location", location}, {"codec", codec_name}, {"reason", *reason}});

  const AVCodec* software = avcodec_find_decoder(id);
  if (software == nullptr)
    return Status(StatusCode::kUnimplemented,
                  Message(MessageId::kVideoNoDecoder, {{"location", location}, {"codec", codec_name}}));
  std::optional<MessageArg> why_not;
  if (!open_context(software, stream, request.threads, &out->context, &why_not))
    return invalid_image(MessageId::kVideoDecoderCannotDecode,
                         {{"location", location}, {"decoder", software->name}, std::move(*why_not)});
  out->name = software->name;
  out->hardware = (software->capabilities & AV_CODEC_CAP_HARDWARE) != 0;
  out->reason = Message(MessageId::kVideoDecoderSoftwareFallback, {{"reason", std::move(*reason)}});
  return Status::ok_status();
}

}  // namespace rkyolo::detail
