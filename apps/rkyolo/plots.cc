#include "rkyolo/plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "rkyolo/i18n.h"
#include "rkyolo/output_util.h"

namespace rkyolo::cli {

namespace {

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
const cv::Scalar kInk(40, 40, 40);
const cv::Scalar kGrid(225, 225, 225);
const cv::Scalar kWhite(255, 255, 255);
constexpr int kMaxLegendClasses = 24;

// Tableau 20 (RGB), well separated on white.
cv::Scalar palette(int i) {
  static const unsigned char kRgb[20][3] = {{31, 119, 180},  {255, 127, 14},  {44, 160, 44},   {214, 39, 40},
                                            {148, 103, 189}, {140, 86, 75},   {227, 119, 194}, {127, 127, 127},
                                            {188, 189, 34},  {23, 190, 207},  {174, 199, 232}, {255, 187, 120},
                                            {152, 223, 138}, {255, 152, 150}, {197, 176, 213}, {196, 156, 148},
                                            {247, 182, 210}, {199, 199, 199}, {219, 219, 141}, {158, 218, 229}};
  const unsigned char* c = kRgb[i % 20];
  return cv::Scalar(c[2], c[1], c[0]);
}

cv::Size text_size(const std::string& s, double scale, int thickness) {
  int base = 0;
  return cv::getTextSize(s, kFont, scale, thickness, &base);
}

// Draws `s` with its anchor at `at`: align -1 left, 0 centre, 1 right of x;
// vertically centred on y.
void put_text(cv::Mat& img, const std::string& s, cv::Point at, double scale, const cv::Scalar& color,
              int thickness = 1, int align = -1) {
  const cv::Size ts = text_size(s, scale, thickness);
  const int x = align < 0 ? at.x : align == 0 ? at.x - ts.width / 2 : at.x - ts.width;
  cv::putText(img, s, cv::Point(x, at.y + ts.height / 2), kFont, scale, color, thickness, cv::LINE_AA);
}

// Text turned 90 degrees counter-clockwise, centred on `centre`.
void put_vertical_text(cv::Mat& img, const std::string& s, cv::Point centre, double scale, const cv::Scalar& color,
                       int thickness = 1) {
  int base = 0;
  const cv::Size ts = cv::getTextSize(s, kFont, scale, thickness, &base);
  cv::Mat strip(ts.height + base + 4, ts.width + 4, CV_8UC3, kWhite);
  cv::putText(strip, s, cv::Point(2, ts.height + 2), kFont, scale, color, thickness, cv::LINE_AA);
  cv::Mat turned;
  cv::rotate(strip, turned, cv::ROTATE_90_COUNTERCLOCKWISE);
  const cv::Rect roi(centre.x - turned.cols / 2, centre.y - turned.rows / 2, turned.cols, turned.rows);
  const cv::Rect inside = roi & cv::Rect(0, 0, img.cols, img.rows);
  if (inside.area() == 0) return;
  cv::Mat src = turned(cv::Rect(inside.x - roi.x, inside.y - roi.y, inside.width, inside.height));
  // Keep what is under the white background of the strip.
  cv::Mat dst = img(inside);
  cv::Mat mask;
  cv::inRange(src, kWhite, kWhite, mask);
  cv::bitwise_not(mask, mask);
  src.copyTo(dst, mask);
}

// White to dark blue (matplotlib's "Blues"), t in [0, 1].
cv::Scalar blues(double t) {
  static const double kStops[5][3] = {{247, 251, 255}, {198, 219, 239}, {107, 174, 214}, {33, 113, 181}, {8, 48, 107}};
  t = std::clamp(t, 0.0, 1.0) * 4;
  const int i = std::min(3, static_cast<int>(t));
  const double f = t - i;
  double rgb[3];
  for (int k = 0; k < 3; ++k) rgb[k] = kStops[i][k] + (kStops[i + 1][k] - kStops[i][k]) * f;
  return cv::Scalar(rgb[2], rgb[1], rgb[0]);
}

}  // namespace

Status save_pr_curves(const std::string& path, const EvalReport& r, const std::vector<std::string>& names) {
  std::vector<int> labelled;
  for (int c = 0; c < static_cast<int>(r.classes.size()); ++c)
    if (r.classes[c].instances > 0) labelled.push_back(c);
  const bool legend_per_class = static_cast<int>(labelled.size()) <= kMaxLegendClasses;

  const int width = 1400, height = 1000;
  const int left = 110, top = 90, plot = 800;  // a square plot area
  cv::Mat img(height, width, CV_8UC3, kWhite);
  auto px = [&](double recall, double precision) {
    return cv::Point(left + static_cast<int>(std::lround(recall * plot)),
                     top + static_cast<int>(std::lround((1.0 - precision) * plot)));
  };

  put_text(img, "Precision-Recall, IoU 0.50", cv::Point(left + plot / 2, 40), 1.0, kInk, 2, 0);
  for (int i = 0; i <= 10; ++i) {
    const double v = i / 10.0;
    cv::line(img, px(v, 0), px(v, 1), kGrid, 1, cv::LINE_AA);
    cv::line(img, px(0, v), px(1, v), kGrid, 1, cv::LINE_AA);
    if (i % 2 == 0) {
      put_text(img, fixed(v, 1), px(v, 0) + cv::Point(0, 22), 0.6, kInk, 1, 0);
      put_text(img, fixed(v, 1), px(0, v) - cv::Point(12, 0), 0.6, kInk, 1, 1);
    }
  }
  cv::rectangle(img, px(0, 1), px(1, 0), kInk, 1, cv::LINE_AA);
  put_text(img, "Recall", cv::Point(left + plot / 2, top + plot + 60), 0.8, kInk, 2, 0);
  put_vertical_text(img, "Precision", cv::Point(left - 75, top + plot / 2), 0.8, kInk, 2);

  auto draw_curve = [&](const PrCurve& curve, const cv::Scalar& color, int thickness) {
    std::vector<cv::Point> pts;
    const auto& recall = coco_recall_points();
    for (int i = 0; i < kNumRecallPoints; ++i) {
      // Precision 0 past the highest recall: end the curve there with a drop.
      pts.push_back(px(recall[i], std::max(0.0, curve[i])));
    }
    cv::polylines(img, pts, false, color, thickness, cv::LINE_AA);
  };
  for (int k = 0; k < static_cast<int>(labelled.size()); ++k) {
    const cv::Scalar color = legend_per_class ? palette(k) : cv::Scalar(190, 190, 190);
    draw_curve(r.classes[labelled[k]].pr_curve, color, 2);
  }
  const cv::Scalar mean_color(140, 40, 10);  // dark blue (BGR)
  if (!labelled.empty()) draw_curve(r.mean_pr_curve, mean_color, 6);

  // Legend, right of the plot.
  const int lx = left + plot + 40;
  int ly = top + 10;
  const int row = std::min(32, std::max(22, 760 / std::max(1, static_cast<int>(labelled.size()) + 2)));
  const double legend_scale = row >= 28 ? 0.62 : 0.52;
  put_text(img, "AP50", cv::Point(lx + 420, ly), legend_scale, kInk, 1, 1);
  ly += row;
  if (!labelled.empty()) {
    cv::line(img, cv::Point(lx, ly), cv::Point(lx + 40, ly), mean_color, 6, cv::LINE_AA);
    put_text(img, "all classes", cv::Point(lx + 52, ly), legend_scale, kInk, 2);
    put_text(img, fixed(r.map50, 3), cv::Point(lx + 420, ly), legend_scale, kInk, 2, 1);
    ly += row + 6;
  }
  if (legend_per_class) {
    for (int k = 0; k < static_cast<int>(labelled.size()); ++k) {
      const int c = labelled[k];
      cv::line(img, cv::Point(lx, ly), cv::Point(lx + 40, ly), palette(k), 3, cv::LINE_AA);
      std::string name = names[static_cast<std::size_t>(c)];
      if (name.size() > 24) name = name.substr(0, 23) + "~";
      put_text(img, name, cv::Point(lx + 52, ly), legend_scale, kInk, 1);
      put_text(img, fixed(r.classes[c].ap50, 3), cv::Point(lx + 420, ly), legend_scale, kInk, 1, 1);
      ly += row;
    }
  } else {
    cv::line(img, cv::Point(lx, ly), cv::Point(lx + 40, ly), cv::Scalar(190, 190, 190), 2, cv::LINE_AA);
    put_text(img, std::to_string(labelled.size()) + " classes", cv::Point(lx + 52, ly), legend_scale, kInk, 1);
  }
  if (labelled.empty()) put_text(img, "no labelled class", px(0.5, 0.5), 1.0, kInk, 2, 0);
  return write_image(path, img, {cv::IMWRITE_PNG_COMPRESSION, 6});
}

Status save_confusion_matrix(const std::string& path, const EvalReport& r, const std::vector<std::string>& names,
                             bool normalized) {
  const int n = static_cast<int>(r.confusion.size());
  if (n == 0) return invalid_argument("no confusion matrix to draw");
  std::vector<std::string> labels(names.begin(), names.end());
  labels.resize(static_cast<std::size_t>(n - 1));
  labels.push_back("background");
  for (auto& l : labels)
    if (l.size() > 20) l = l.substr(0, 19) + "~";

  const int cell = std::clamp(880 / n, 14, 96);
  const bool show_numbers = cell >= 30;
  const double label_scale = std::clamp(cell / 60.0, 0.38, 0.7);
  const double number_scale = std::clamp(cell / 120.0, 0.38, 0.62);
  int label_width = 0;
  for (const auto& l : labels) label_width = std::max(label_width, text_size(l, label_scale, 1).width);
  const int left = 70 + label_width + 14, top = 100;
  const int grid = cell * n;
  const int width = std::max(left + grid + 60, 900), height = top + grid + label_width + 110;
  cv::Mat img(height, width, CV_8UC3, kWhite);

  const std::string title = normalized ? "Confusion matrix, share of each true class" : "Confusion matrix, counts";
  put_text(img, title, cv::Point(width / 2, 34), 0.9, kInk, 2, 0);
  const std::string sub = std::string("score >= ")
                              .append(fixed(r.counting.count_conf, 2))
                              .append(", IoU > 0.45; rows: true class, columns: predicted");
  put_text(img, sub, cv::Point(width / 2, 68), 0.55, kInk, 1, 0);

  for (int t = 0; t < n; ++t) {
    long long total = 0;
    for (long long v : r.confusion[static_cast<std::size_t>(t)]) total += v;
    for (int p = 0; p < n; ++p) {
      const long long v = r.confusion[static_cast<std::size_t>(t)][static_cast<std::size_t>(p)];
      const double share = total > 0 ? static_cast<double>(v) / total : 0.0;
      const cv::Rect box(left + p * cell, top + t * cell, cell, cell);
      cv::rectangle(img, box, blues(share), cv::FILLED);
      // Like Ultralytics, shares that would read 0.00 stay blank.
      if (show_numbers && v > 0 && (!normalized || share >= 0.005)) {
        const std::string s = normalized ? fixed(share, 2) : std::to_string(v);
        const cv::Scalar color = share > 0.5 ? kWhite : kInk;
        put_text(img, s, cv::Point(box.x + cell / 2, box.y + cell / 2), number_scale, color, 1, 0);
      }
    }
  }
  for (int i = 0; i <= n; ++i) {
    cv::line(img, cv::Point(left, top + i * cell), cv::Point(left + grid, top + i * cell), kGrid, 1);
    cv::line(img, cv::Point(left + i * cell, top), cv::Point(left + i * cell, top + grid), kGrid, 1);
  }
  cv::rectangle(img, cv::Rect(left, top, grid, grid), kInk, 1);
  for (int i = 0; i < n; ++i) {
    put_text(img, labels[static_cast<std::size_t>(i)], cv::Point(left - 10, top + i * cell + cell / 2), label_scale,
             kInk, 1, 1);
    // Column labels read bottom to top under the grid.
    const cv::Size ts = text_size(labels[static_cast<std::size_t>(i)], label_scale, 1);
    put_vertical_text(img, labels[static_cast<std::size_t>(i)],
                      cv::Point(left + i * cell + cell / 2, top + grid + 12 + ts.width / 2), label_scale, kInk, 1);
  }
  put_text(img, "Predicted", cv::Point(left + grid / 2, top + grid + label_width + 50), 0.8, kInk, 2, 0);
  put_vertical_text(img, "True", cv::Point(28, top + grid / 2), 0.8, kInk, 2);
  return write_image(path, img, {cv::IMWRITE_PNG_COMPRESSION, 6});
}

}  // namespace rkyolo::cli
