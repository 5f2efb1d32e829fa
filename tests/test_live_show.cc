// --show: the live window under Xvfb, driven through the Sink interface with
// synthetic results; a screenshot of the screen shows the drawn box, and q
// in the window asks the run to stop.
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

constexpr int kColourTolerance = 40;  // the window shows the frame unscaled and uncompressed
constexpr auto kUiWait = 20s;

bool have(const char* tool) {
  return test::run_command({"sh", "-c", std::string("command -v ") + tool}, 10).exit_code == 0;
}

TEST(LiveShow, WindowShowsBoxesAndQuitsOnQ) {
  for (const char* tool : {"Xvfb", "import", "xdotool"})
    if (!have(tool)) GTEST_SKIP() << tool << " is not installed";
  const std::string dir = test::temp_dir("live_show");
  const std::string display = ":" + std::to_string(90 + ::getpid() % 100);
  test::ChildProcess xvfb;
  xvfb.start({"Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"}, dir + "/xvfb.log");
  ::setenv("DISPLAY", display.c_str(), 1);
  ::setenv("QT_QPA_PLATFORM", "xcb", 1);
  bool up = false;
  for (int i = 0; i < 200 && !up; ++i) {
    up = test::run_command({"xdotool", "getdisplaygeometry"}, 10).exit_code == 0;
    if (!up) std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(up) << "Xvfb did not start (" << dir << "/xvfb.log)";

  std::atomic<int> quits{0};
  cli::ShowOptions o;
  o.on_quit = [&] { ++quits; };
  std::unique_ptr<cli::ShowSink> sink;
  const Status created = cli::ShowSink::create(o, &sink);
  ASSERT_TRUE(created.ok()) << created;

  Detection d;
  d.class_id = 0, d.label = "person", d.score = 0.9f, d.box = {80, 60, 240, 180};
  test::SyntheticFrame f = test::make_frame(0, 0, 320, 240, {d});
  sink->on_stream(f.stream, pipeline::StreamStatus::kOnline, Status());
  const auto end = std::chrono::steady_clock::now() + kUiWait;
  while (sink->frames_shown() < 5 && std::chrono::steady_clock::now() < end) {
    ++f.result.tag.frame;
    sink->on_frame(f.view());
    std::this_thread::sleep_for(40ms);
  }
  ASSERT_GE(sink->frames_shown(), 5);
  std::this_thread::sleep_for(300ms);  // let the window manager-less server map and paint it

  const auto shot = test::run_command({"import", "-display", display, "-window", "root", dir + "/screen.png"}, 30);
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  const cv::Mat screen = cv::imread(dir + "/screen.png", cv::IMREAD_COLOR);
  ASSERT_FALSE(screen.empty());
  const cv::Scalar want = cli::class_color(0);
  int box_pixels = 0, grey_pixels = 0;
  for (int y = 0; y < screen.rows; ++y)
    for (int x = 0; x < screen.cols; ++x) {
      const cv::Vec3b p = screen.at<cv::Vec3b>(y, x);
      bool box = true, grey = true;
      for (int c = 0; c < 3; ++c) {
        box = box && std::abs(p[c] - static_cast<int>(want[c])) <= kColourTolerance;
        grey = grey && std::abs(p[c] - 96) <= 2;
      }
      box_pixels += box;
      grey_pixels += grey;
    }
  // The 160x120 box outline alone is over 500 pixels; the frame is 320x240 of grey.
  EXPECT_GE(box_pixels, 500) << dir << "/screen.png";
  EXPECT_GE(grey_pixels, 320 * 240 / 2) << dir << "/screen.png";

  // q in the window asks the run to stop, once.
  const auto key =
      test::run_command({"xdotool", "search", "--sync", "--name", "rkyolo 0", "windowfocus", "--sync", "key", "q"}, 30);
  EXPECT_EQ(key.exit_code, 0) << key.err;
  for (int i = 0; i < 200 && quits == 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(quits, 1);
  EXPECT_TRUE(sink->quit_requested());
  EXPECT_TRUE(sink->close().ok());
  xvfb.stop(15);
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
