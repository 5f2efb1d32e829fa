#include "rkyolo/annotate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>

namespace rkyolo::cli {

cv::Scalar class_color(int class_id) {
  // 20 well-separated colours (RGB), cycled.
  static const unsigned char kPalette[20][3] = {
      {255, 56, 56},  {255, 157, 151}, {255, 112, 31}, {255, 178, 29}, {207, 210, 49},  {72, 249, 10}, {146, 204, 23},
      {61, 219, 134}, {26, 147, 52},   {0, 212, 187},  {44, 153, 168}, {0, 194, 255},   {52, 69, 147}, {100, 115, 255},
      {0, 24, 236},   {132, 56, 255},  {82, 0, 133},   {203, 56, 255}, {255, 149, 200}, {255, 55, 199}};
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
    char text[160], id[16] = "";
    if (d.track_id >= 0) std::snprintf(id, sizeof id, "#%d ", d.track_id);
    std::snprintf(text, sizeof text, "%s%.*s %.2f", id, static_cast<int>(std::min<std::size_t>(d.label.size(), 100)),
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

namespace {

cv::Point pixel(Point p) {
  return {static_cast<int>(std::lround(p.x)), static_cast<int>(std::lround(p.y))};
}

}  // namespace

void draw_zones(cv::Mat& img, const ZoneConfig& zones, const std::vector<LineCount>& counts) {
  const double scale = std::max(0.4, std::min(img.cols, img.rows) / 1000.0);
  const int thickness = std::max(1, static_cast<int>(std::lround(2 * scale)));
  const cv::Scalar zone_color(255, 200, 0), line_color(0, 255, 255);
  std::vector<cv::Point> polygon;
  for (const Zone& z : zones.zones) {
    polygon.clear();
    for (Point p : z.polygon) polygon.push_back(pixel(p));
    cv::polylines(img, polygon, true, zone_color, thickness, cv::LINE_AA);
    cv::putText(img, z.name, polygon[0] + cv::Point(3, -4), cv::FONT_HERSHEY_SIMPLEX, 0.5 * scale, zone_color,
                std::max(1, thickness - 1), cv::LINE_AA);
  }
  for (std::size_t i = 0; i < zones.lines.size(); ++i) {
    const CountLine& l = zones.lines[i];
    cv::arrowedLine(img, pixel(l.from), pixel(l.to), line_color, thickness, cv::LINE_AA, 0, 0.03);
    std::string text = l.name;
    if (i < counts.size()) text += " in " + std::to_string(counts[i].in) + " out " + std::to_string(counts[i].out);
    cv::putText(img, text, pixel(l.from) + cv::Point(3, -4), cv::FONT_HERSHEY_SIMPLEX, 0.5 * scale, line_color,
                std::max(1, thickness - 1), cv::LINE_AA);
  }
}

void TrackTrails::add(const std::vector<Detection>& dets) {
  ++frame_;
  for (Trail& t : trails_)
    if (t.track_id >= 0 && frame_ - t.last_frame > kLength) t.track_id = -1;
  for (const Detection& d : dets) {
    if (d.track_id < 0) continue;
    Trail* slot = nullptr;
    for (Trail& t : trails_) {
      if (t.track_id == d.track_id) {
        slot = &t;
        break;
      }
      if (t.track_id < 0 && !slot) slot = &t;
    }
    if (!slot || slot->track_id != d.track_id) {
      if (!slot) slot = &trails_.emplace_back();
      *slot = Trail{};
      slot->track_id = d.track_id;
    }
    slot->class_id = d.class_id;
    slot->last_frame = frame_;
    slot->points[slot->head] = pixel({(d.box.x1 + d.box.x2) / 2, (d.box.y1 + d.box.y2) / 2});
    slot->head = (slot->head + 1) % kLength;
    slot->count = std::min(slot->count + 1, kLength);
  }
}

void TrackTrails::draw(cv::Mat& img) const {
  const double scale = std::max(0.4, std::min(img.cols, img.rows) / 1000.0);
  const int thickness = std::max(1, static_cast<int>(std::lround(2 * scale)));
  for (const Trail& t : trails_) {
    if (t.track_id < 0 || t.last_frame != frame_) continue;  // only objects seen now
    const int oldest = (t.head - t.count + kLength) % kLength;
    for (int k = 1; k < t.count; ++k)
      cv::line(img, t.points[(oldest + k - 1) % kLength], t.points[(oldest + k) % kLength], class_color(t.class_id),
               thickness, cv::LINE_AA);
  }
}

}  // namespace rkyolo::cli
