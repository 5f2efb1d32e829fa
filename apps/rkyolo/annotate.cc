#include "rkyolo/annotate.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace rkyolo::cli {

cv::Scalar class_color(int class_id) {
  // 20 well-separated colours (RGB), cycled.
  static const unsigned char kPalette[20][3] = {
      {255, 56, 56},  {255, 157, 151}, {255, 112, 31}, {255, 178, 29}, {207, 210, 49},
      {72, 249, 10},  {146, 204, 23},  {61, 219, 134}, {26, 147, 52},  {0, 212, 187},
      {44, 153, 168}, {0, 194, 255},   {52, 69, 147},  {100, 115, 255}, {0, 24, 236},
      {132, 56, 255}, {82, 0, 133},    {203, 56, 255}, {255, 149, 200}, {255, 55, 199}};
  const unsigned char* c = kPalette[((class_id % 20) + 20) % 20];
  return cv::Scalar(c[2], c[1], c[0]);
}

void draw_detections(cv::Mat& img, const std::vector<Detection>& dets) {
  const double scale = std::max(0.4, std::min(img.cols, img.rows) / 1000.0);
  const int thickness = std::max(1, static_cast<int>(std::lround(2 * scale)));
  const double font = 0.5 * scale;
  const int font_thick = std::max(1, thickness - 1);
  for (const Detection& d : dets) {
    const cv::Scalar color = class_color(d.class_id);
    const cv::Point p1(static_cast<int>(std::lround(d.box.x1)), static_cast<int>(std::lround(d.box.y1)));
    const cv::Point p2(static_cast<int>(std::lround(d.box.x2)), static_cast<int>(std::lround(d.box.y2)));
    cv::rectangle(img, p1, p2, color, thickness, cv::LINE_AA);
    char text[160];
    std::snprintf(text, sizeof text, "%.*s %.2f", static_cast<int>(std::min<std::size_t>(d.label.size(), 100)),
                  d.label.data(), d.score);
    int base = 0;
    const cv::Size ts = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, font, font_thick, &base);
    // Label above the box, or inside it when the box touches the top edge.
    const bool above = p1.y - ts.height - base - 3 >= 0;
    const cv::Point tl(p1.x, above ? p1.y - ts.height - base - 3 : p1.y);
    const cv::Point br(p1.x + ts.width + 2, above ? p1.y : p1.y + ts.height + base + 3);
    cv::rectangle(img, tl, br, color, cv::FILLED, cv::LINE_AA);
    const double luma = 0.299 * color[2] + 0.587 * color[1] + 0.114 * color[0];
    const cv::Scalar ink = luma > 150 ? cv::Scalar(0, 0, 0) : cv::Scalar(255, 255, 255);
    cv::putText(img, text, cv::Point(tl.x + 1, br.y - base - 1), cv::FONT_HERSHEY_SIMPLEX, font, ink, font_thick,
                cv::LINE_AA);
  }
}

}  // namespace rkyolo::cli
