// Decoded frames: names, printing, and their view as an ImageView.
#include "rkyolo/frame.h"

namespace rkyolo {

std::string_view frame_format_name(FrameFormat format) {
  switch (format) {
    case FrameFormat::kNv12: return "NV12";
    case FrameFormat::kYuv420p: return "YUV420P";
    case FrameFormat::kBgr8: return "BGR8";
    case FrameFormat::kRgb8: return "RGB8";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& os, FrameFormat format) {
  return os << frame_format_name(format);
}

std::string_view source_state_name(SourceState state) {
  switch (state) {
    case SourceState::kOnline: return "online";
    case SourceState::kReconnecting: return "reconnecting";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& os, const VideoFrame& frame) {
  os << "VideoFrame{#" << frame.index << ' ' << frame.width << 'x' << frame.height << ' ' << frame.format;
  if (frame.pts_ms != VideoFrame::kNoPts) os << " pts " << frame.pts_ms << " ms";
  return os << '}';
}

ImageView image_view_of(const VideoFrame& frame) {
  ImageView view;
  if (frame.planes[0] == nullptr) return view;
  view.data = frame.planes[0];
  view.width = frame.width;
  view.height = frame.height;
  view.stride_bytes = frame.strides[0];
  view.matrix = frame.matrix;
  view.full_range = frame.full_range;
  switch (frame.format) {
    case FrameFormat::kNv12:
      view.format = PixelFormat::kNv12;
      view.chroma[0] = frame.planes[1];
      view.chroma_stride[0] = frame.strides[1];
      break;
    case FrameFormat::kYuv420p:
      view.format = PixelFormat::kYuv420p;
      for (int p = 0; p < 2; ++p) {
        view.chroma[p] = frame.planes[p + 1];
        view.chroma_stride[p] = frame.strides[p + 1];
      }
      break;
    case FrameFormat::kBgr8: view.format = PixelFormat::kBgr8; break;
    case FrameFormat::kRgb8: view.format = PixelFormat::kRgb8; break;
  }
  return view;
}

std::ostream& operator<<(std::ostream& os, const FrameSourceInfo& info) {
  os << '\'' << info.location << "' (" << info.kind << (info.live ? ", live" : "") << "): " << info.width << 'x'
     << info.height;
  if (info.fps > 0) os << " at " << info.fps << " fps";
  os << ", " << info.codec << " decoded by " << info.decoder << (info.hardware_decoder ? " (hardware)" : " (software)")
     << " into " << info.pixel_format << ": " << info.decoder_reason;
  return os;
}

std::ostream& operator<<(std::ostream& os, const FrameSourceStats& s) {
  return os << "decoded " << s.decoded << ", delivered " << s.delivered << ", skipped " << s.skipped << ", dropped "
            << s.dropped << ", errors " << s.errors << ", timeouts " << s.timeouts << ", reconnects " << s.reconnects;
}

}  // namespace rkyolo
