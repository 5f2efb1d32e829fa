// --show: the live window under Xvfb, driven through the Sink interface with
// synthetic results; a screenshot of the screen shows the drawn box, and q
// in the window asks the run to stop. The grid layout: three streams of
// different sizes tiled in one window, each box found where the documented
// geometry (live_show.h) puts it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <opencv2/imgcodecs.hpp>
#include <thread>

#include "rkyolo/annotate.h"
#include "rkyolo/live_show.h"
#include "support/live_fixtures.h"
#include "support/test_env.h"

namespace rkyolo {
namespace {

using namespace std::chrono_literals;

constexpr int kColourTolerance = 40;  // the window shows the frame uncompressed
constexpr int kGrey = 96;             // the synthetic frames' flat grey
constexpr auto kUiWait = 20s;

bool near_colour(const cv::Vec3b& p, const cv::Scalar& want, int tolerance) {
  for (int c = 0; c < 3; ++c)
    if (std::abs(p[c] - static_cast<int>(want[c])) > tolerance) return false;
  return true;
}

// Pixels of `img` inside `rect` that are within `tolerance` of `want`.
int count_colour(const cv::Mat& img, cv::Rect rect, const cv::Scalar& want, int tolerance) {
  rect &= cv::Rect(0, 0, img.cols, img.rows);
  int n = 0;
  for (int y = rect.y; y < rect.y + rect.height; ++y)
    for (int x = rect.x; x < rect.x + rect.width; ++x) n += near_colour(img.at<cv::Vec3b>(y, x), want, tolerance);
  return n;
}

// Feeds `frames` (bumping their frame numbers) until the sink has shown
// `more` further pictures; false after kUiWait.
bool feed_until_shown(cli::ShowSink* sink, std::vector<test::SyntheticFrame*> frames, int more) {
  const std::int64_t target = sink->frames_shown() + more;
  const auto end = std::chrono::steady_clock::now() + kUiWait;
  while (sink->frames_shown() < target && std::chrono::steady_clock::now() < end) {
    for (test::SyntheticFrame* f : frames) {
      ++f->result.tag.frame;
      sink->on_frame(f->view());
    }
    std::this_thread::sleep_for(40ms);
  }
  return sink->frames_shown() >= target;
}

// One X server for the whole process (highgui's Qt connects to it once and
// cannot follow a server that goes away); null when the tools are missing.
const test::XvfbDisplay* display() {
  static test::XvfbDisplay xvfb(test::temp_dir("xvfb"), 1280, 800);
  static const bool started = xvfb.start();
  return started ? &xvfb : nullptr;
}

// Starts `sink` (q counted in `quits`) on the shared display; returns why
// the test is skipped, or nothing. A sink that fails to start is a failure.
std::string start_sink(cli::ShowOptions o, std::atomic<int>* quits, std::unique_ptr<cli::ShowSink>* sink) {
  if (!display()) return "Xvfb, import or xdotool is not installed";
  o.on_quit = [quits] { ++*quits; };
  const Status created = cli::ShowSink::create(o, sink);
  if (created.code() == StatusCode::kUnimplemented) return created.message() + " (ctest runs each test alone)";
  EXPECT_TRUE(created.ok()) << created;
  return {};
}

// A screenshot of the window named exactly `name` (its picture only).
cv::Mat window_shot(const std::string& display, const std::string& name, const std::string& path) {
  const auto id = test::run_command({"xdotool", "search", "--sync", "--name", "^" + name + "$"}, 30);
  if (id.exit_code != 0 || id.out.empty()) return {};
  const std::string window = id.out.substr(0, id.out.find('\n'));
  const auto shot = test::run_command({"import", "-display", display, "-window", window, path}, 30);
  if (shot.exit_code != 0) return {};
  return cv::imread(path, cv::IMREAD_COLOR);
}

// q in the window named `name` asks the run to stop, once.
void expect_q_quits(cli::ShowSink* sink, const std::string& name, const std::atomic<int>& quits) {
  const auto key =
      test::run_command({"xdotool", "search", "--sync", "--name", name, "windowfocus", "--sync", "key", "q"}, 30);
  EXPECT_EQ(key.exit_code, 0) << key.err;
  for (int i = 0; i < 200 && quits == 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(quits, 1);
  EXPECT_TRUE(sink->quit_requested());
}

TEST(LiveShow, WindowShowsBoxesAndQuitsOnQ) {
  const std::string dir = test::temp_dir("live_show");
  std::atomic<int> quits{0};
  std::unique_ptr<cli::ShowSink> sink;
  const std::string skip = start_sink({}, &quits, &sink);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_TRUE(sink);
  const test::XvfbDisplay* xvfb = display();

  test::SyntheticFrame f =
      test::make_frame(0, 0, 320, 240, {test::make_detection(0, "object", 0.9f, {80, 60, 240, 180})});
  sink->on_stream(f.stream, pipeline::StreamStatus::kOnline, Status());
  ASSERT_TRUE(feed_until_shown(sink.get(), {&f}, 5));
  std::this_thread::sleep_for(300ms);  // let the window manager-less server map and paint it

  const auto shot = test::run_command({"import", "-display", xvfb->name(), "-window", "root", dir + "/screen.png"}, 30);
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  const cv::Mat screen = cv::imread(dir + "/screen.png", cv::IMREAD_COLOR);
  ASSERT_FALSE(screen.empty());
  const cv::Rect all(0, 0, screen.cols, screen.rows);
  // The 160x120 box outline alone is over 500 pixels; the frame is 320x240 of grey.
  EXPECT_GE(count_colour(screen, all, cli::class_color(0), kColourTolerance), 500) << dir << "/screen.png";
  EXPECT_GE(count_colour(screen, all, cv::Scalar::all(kGrey), 2), 320 * 240 / 2) << dir << "/screen.png";

  expect_q_quits(sink.get(), "rkyolo 0", quits);
  EXPECT_TRUE(sink->close().ok());
}

TEST(LiveShow, GridGeometryFollowsTheDocumentedRule) {
  struct Case {
    int n, frame_w, frame_h, bound_w, bound_h;
    int cols, rows, tile_w, tile_h;
  };
  const Case cases[] = {
      {0, 640, 360, 1920, 1080, 0, 0, 0, 0},      {1, 1920, 1080, 1920, 1080, 1, 1, 1920, 1080},  // fits exactly
      {2, 320, 240, 1920, 1080, 2, 1, 320, 240},                                                  // never enlarged
      {3, 640, 400, 960, 1080, 2, 2, 480, 300},                                                   // s = 960 / 1280
      {4, 1280, 720, 1920, 1080, 2, 2, 960, 540},                                                 // s = 0.75
      {5, 1280, 720, 1920, 1080, 3, 2, 640, 360},                                                 // s = 1920 / 3840
      {10, 640, 480, 1920, 1080, 4, 3, 480, 360},                                                 // s = 0.75 both ways
      {3, 1000, 1000, 1000, 300, 2, 2, 150, 150},  // height bound: s = 300 / 2000
  };
  for (const Case& c : cases) {
    const cli::GridGeometry g = cli::grid_geometry(c.n, c.frame_w, c.frame_h, c.bound_w, c.bound_h);
    EXPECT_EQ(g.cols, c.cols) << c.n;
    EXPECT_EQ(g.rows, c.rows) << c.n;
    EXPECT_EQ(g.tile_width, c.tile_w) << c.n;
    EXPECT_EQ(g.tile_height, c.tile_h) << c.n;
  }
}

// Three streams, 320x240 (BGR), 640x360 (NV12) and 400x400, with the grid
// bounded to 960x1080. By the rule in live_show.h, worked out by hand: the
// largest frame is 640x400, cols 2, rows 2, s = min(1, 960/1280, 1080/800) =
// 0.75, tiles 480x300, the window 960x600.
//   stream 0 in cell (0, 0):   k = min(480/320, 300/240) = 1.25, 400x300 at (40, 0)
//   stream 1 in cell (480, 0): k = min(480/640, 300/360) = 0.75, 480x270 at (480, 15)
//   stream 2 in cell (0, 300): k = min(480/400, 300/400) = 0.75, 300x300 at (90, 300)
// Each frame has one box of its own class; where it lands in the window:
//   stream 0, class 0:  (160,120)-(288,216) * 1.25 + (40, 0)   = (240,150)-(400,270)
//   stream 1, class 5:  (320,180)-(576,324) * 0.75 + (480, 15) = (720,150)-(912,258)
//   stream 2, class 11: (200,200)-(360,360) * 0.75 + (90, 300) = (240,450)-(360,570)
TEST(LiveShow, GridTilesEveryStreamWhereTheGeometrySaysAndGreysOneOffline) {
  const std::string dir = test::temp_dir("live_show_grid");
  cli::ShowOptions o;
  o.layout = cli::ShowLayout::kGrid;
  o.grid_width = 960;
  o.grid_height = 1080;
  std::atomic<int> quits{0};
  std::unique_ptr<cli::ShowSink> sink;
  const std::string skip = start_sink(o, &quits, &sink);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_TRUE(sink);
  const test::XvfbDisplay* xvfb = display();

  test::SyntheticFrame f0 =
      test::make_frame(0, 0, 320, 240, {test::make_detection(0, "object", 0.9f, {160, 120, 288, 216})});
  test::SyntheticFrame f1 = test::make_frame(
      1, 0, 640, 360, {test::make_detection(5, "object", 0.9f, {320, 180, 576, 324})}, PixelFormat::kNv12);
  test::SyntheticFrame f2 =
      test::make_frame(2, 0, 400, 400, {test::make_detection(11, "object", 0.9f, {200, 200, 360, 360})});
  for (const test::SyntheticFrame* f : {&f0, &f1, &f2})
    sink->on_stream(f->stream, pipeline::StreamStatus::kOnline, Status());
  ASSERT_TRUE(feed_until_shown(sink.get(), {&f0, &f1, &f2}, 5));
  std::this_thread::sleep_for(300ms);  // mapped and painted

  const cv::Mat shot = window_shot(xvfb->name(), "rkyolo", dir + "/grid.png");
  ASSERT_FALSE(shot.empty()) << "no screenshot of the window 'rkyolo' (" << dir << ")";
  ASSERT_EQ(shot.cols, 960) << dir << "/grid.png";
  ASSERT_EQ(shot.rows, 600) << dir << "/grid.png";

  struct Expect {
    int class_id;
    cv::Rect box, cell;
  };
  const Expect expect[] = {
      {0, cv::Rect(cv::Point(240, 150), cv::Point(400, 270)), cv::Rect(0, 0, 480, 300)},
      {5, cv::Rect(cv::Point(720, 150), cv::Point(912, 258)), cv::Rect(480, 0, 480, 300)},
      {11, cv::Rect(cv::Point(240, 450), cv::Point(360, 570)), cv::Rect(0, 300, 480, 300)},
  };
  const cv::Rect whole(0, 0, shot.cols, shot.rows);
  const cv::Scalar white = cv::Scalar::all(255);
  constexpr int kWhiteTolerance = 30;
  constexpr int kMinTextPixels = 40;
  for (const Expect& e : expect) {
    const cv::Scalar colour = cli::class_color(e.class_id);
    // The outline and its label (a filled patch just above the top-left corner).
    const cv::Rect around(e.box.x - 4, e.box.y - 16, e.box.width + 8, e.box.height + 20);
    const int inside = count_colour(shot, around, colour, kColourTolerance);
    const int everywhere = count_colour(shot, whole, colour, kColourTolerance);
    EXPECT_GE(inside, e.box.width + e.box.height) << "class " << e.class_id << ", " << dir << "/grid.png";
    EXPECT_LE(everywhere - inside, inside / 20) << "class " << e.class_id << " outside its box, " << dir;
    // "N: source" and the FPS line, white, in the cell's top-left corner.
    const cv::Rect text(e.cell.x + 4, e.cell.y + 4, 220, 44);
    EXPECT_GE(count_colour(shot, text, white, kWhiteTolerance), kMinTextPixels) << "cell " << e.cell << ", " << dir;
  }
  // Letterboxing: black beside stream 0 (x < 40) and above stream 1 (y < 15); grey inside.
  EXPECT_TRUE(near_colour(shot.at<cv::Vec3b>(150, 20), cv::Scalar::all(0), 8)) << shot.at<cv::Vec3b>(150, 20);
  EXPECT_TRUE(near_colour(shot.at<cv::Vec3b>(150, 60), cv::Scalar::all(kGrey), 4)) << shot.at<cv::Vec3b>(150, 60);
  EXPECT_TRUE(near_colour(shot.at<cv::Vec3b>(292, 700), cv::Scalar::all(0), 8)) << shot.at<cv::Vec3b>(292, 700);
  EXPECT_TRUE(near_colour(shot.at<cv::Vec3b>(270, 700), cv::Scalar::all(kGrey), 6)) << shot.at<cv::Vec3b>(270, 700);
  // The fourth cell is empty.
  EXPECT_EQ(count_colour(shot, cv::Rect(480, 300, 480, 300), cv::Scalar::all(0), 0), 480 * 300);

  // Stream 2 reconnects: its last frame stays, grey and darkened, its box
  // colour gone, the status across the middle of its cell.
  sink->on_stream(f2.stream, pipeline::StreamStatus::kReconnecting, Status());
  ASSERT_TRUE(feed_until_shown(sink.get(), {&f0, &f1}, 3));
  std::this_thread::sleep_for(300ms);
  const cv::Mat later = window_shot(xvfb->name(), "rkyolo", dir + "/grid_offline.png");
  ASSERT_FALSE(later.empty());
  const cv::Rect cell2 = expect[2].cell;
  EXPECT_EQ(count_colour(later, cell2, cli::class_color(11), kColourTolerance), 0) << dir << "/grid_offline.png";
  EXPECT_TRUE(near_colour(later.at<cv::Vec3b>(420, 110), cv::Scalar::all(kGrey / 2), 4))
      << later.at<cv::Vec3b>(420, 110);
  const cv::Rect middle(cell2.x, cell2.y + cell2.height / 2 - 20, cell2.width, 40);
  EXPECT_GE(count_colour(later, middle, white, kWhiteTolerance), kMinTextPixels) << dir << "/grid_offline.png";
  EXPECT_GE(count_colour(later, expect[0].box, cli::class_color(0), kColourTolerance), 100) << "stream 0 still shown";

  expect_q_quits(sink.get(), "^rkyolo$", quits);
  EXPECT_TRUE(sink->close().ok());
}

TEST(LiveShow, NoDisplayIsOneSentence) {
  const char* saved = std::getenv("DISPLAY");
  const std::string keep = saved ? saved : "";
  ::unsetenv("DISPLAY");
  ::unsetenv("WAYLAND_DISPLAY");
  std::unique_ptr<cli::ShowSink> sink;
  const Status s = cli::ShowSink::create({}, &sink);
  if (!keep.empty()) ::setenv("DISPLAY", keep.c_str(), 1);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--serve"), std::string::npos) << s;
}

}  // namespace
}  // namespace rkyolo
