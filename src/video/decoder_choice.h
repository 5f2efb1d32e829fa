// Which decoder a stream gets: the first hardware decoder of the configured
// list that decodes the stream's codec and opens, else FFmpeg's software
// decoder, with the reason in words (so a silent software fallback on a
// board is visible in the stream info and the log).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rkyolo/status.h"

struct AVCodecContext;
struct AVStream;

namespace rkyolo::detail {

struct DecoderChoice {
  AVCodecContext* context = nullptr;  // opened; the caller frees it with avcodec_free_context
  std::string name;
  bool hardware = false;  // the decoder says it is hardware (AV_CODEC_CAP_HARDWARE)
  Message reason;         // why this decoder (see FrameSourceInfo::decoder_reason)
};

struct DecoderRequest {
  const std::vector<std::string>* candidates = nullptr;  // tried in order
  bool require_candidate = false;                        // no software fallback
  int threads = 0;
  std::string_view location;  // for sentences
};

Status open_decoder(const AVStream& stream, const DecoderRequest& request, DecoderChoice* out);

}  // namespace rkyolo::detail
