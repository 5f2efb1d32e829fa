#include "rkyolo/live_frame.h"

#include <algorithm>
#include <cstring>
#include <opencv2/imgproc.hpp>

#include "rkyolo/annotate.h"

namespace rkyolo::cli {

namespace {

void copy_rows(const std::uint8_t* src, std::size_t stride, std::size_t row_bytes, int rows, std::uint8_t* dst) {
  for (int y = 0; y < rows; ++y) std::memcpy(dst + row_bytes * y, src + stride * y, row_bytes);
}

}  // namespace

void copy_frame(const ImageView& image, const std::vector<Detection>& detections, std::int64_t frame, FrameCopy* out) {
  out->frame = frame;
  out->detections.resize(detections.size());
  for (std::size_t i = 0; i < detections.size(); ++i) {
    const Detection& d = detections[i];
    OwnedDetection& o = out->detections[i];
    o.class_id = d.class_id;
    o.label.assign(d.label.data(), d.label.size());
    o.score = d.score;
    o.box = d.box;
  }
  if (image.empty()) {
    out->width = out->height = 0;
    return;
  }
  out->format = image.format;
  out->width = image.width;
  out->height = image.height;
  const std::size_t w = static_cast<std::size_t>(image.width);
  const std::size_t h = static_cast<std::size_t>(image.height);
  if (!is_yuv420(image.format)) {
    out->bytes.resize(w * h * 3);
    copy_rows(image.data, image.stride_bytes, w * 3, image.height, out->bytes.data());
    return;
  }
  out->bytes.resize(w * h * 3 / 2);
  std::uint8_t* dst = out->bytes.data();
  copy_rows(image.data, image.stride_bytes, w, image.height, dst);
  dst += w * h;
  if (image.format == PixelFormat::kNv12) {
    copy_rows(image.chroma[0], image.chroma_stride[0], w, image.height / 2, dst);
  } else {
    copy_rows(image.chroma[0], image.chroma_stride[0], w / 2, image.height / 2, dst);
    copy_rows(image.chroma[1], image.chroma_stride[1], w / 2, image.height / 2, dst + w * h / 4);
  }
}

void render_frame(const FrameCopy& copy, int max_width, cv::Mat* bgr) {
  if (copy.empty()) {
    bgr->release();
    return;
  }
  cv::Size size(copy.width, copy.height);
  if (max_width > 0 && copy.width > max_width) {
    const double scale = static_cast<double>(max_width) / copy.width;
    size = cv::Size(max_width, std::max(1, static_cast<int>(copy.height * scale + 0.5)));
  }
  render_frame_sized(copy, size, bgr);
}

void render_frame_sized(const FrameCopy& copy, cv::Size size, cv::Mat* bgr) {
  if (copy.empty() || size.width <= 0 || size.height <= 0) {
    bgr->release();
    return;
  }
  cv::Mat full;
  auto* data = const_cast<std::uint8_t*>(copy.bytes.data());  // OpenCV's headers take non-const pointers
  switch (copy.format) {
    case PixelFormat::kBgr8: full = cv::Mat(copy.height, copy.width, CV_8UC3, data); break;
    case PixelFormat::kRgb8:
      cv::cvtColor(cv::Mat(copy.height, copy.width, CV_8UC3, data), full, cv::COLOR_RGB2BGR);
      break;
    case PixelFormat::kNv12:
      cv::cvtColor(cv::Mat(copy.height * 3 / 2, copy.width, CV_8UC1, data), full, cv::COLOR_YUV2BGR_NV12);
      break;
    case PixelFormat::kYuv420p:
      cv::cvtColor(cv::Mat(copy.height * 3 / 2, copy.width, CV_8UC1, data), full, cv::COLOR_YUV2BGR_I420);
      break;
  }
  if (size == full.size()) {
    full.copyTo(*bgr);
  } else {
    const bool shrink = size.width < full.cols;
    cv::resize(full, *bgr, size, 0, 0, shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
  }
  const float sx = static_cast<float>(size.width) / static_cast<float>(copy.width);
  const float sy = static_cast<float>(size.height) / static_cast<float>(copy.height);
  std::vector<Detection> scaled(copy.detections.size());
  for (std::size_t i = 0; i < scaled.size(); ++i) {
    const OwnedDetection& o = copy.detections[i];
    scaled[i].class_id = o.class_id;
    scaled[i].label = o.label;
    scaled[i].score = o.score;
    scaled[i].box = Box{o.box.x1 * sx, o.box.y1 * sy, o.box.x2 * sx, o.box.y2 * sy};
  }
  draw_detections(*bgr, scaled);
}

}  // namespace rkyolo::cli
