// --serve: the web live view on loopback, driven through the Sink interface
// with synthetic results: HTTP clients (several at once, one that stops
// reading) and headless Chromium.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <thread>

#include "rkyolo/annotate.h"
#include "rkyolo/live_web.h"
#include "support/live_fixtures.h"
#include "support/test_env.h"

namespace rkyolo {
namespace {

using cli::WebOptions;
using cli::WebSink;
using Json = nlohmann::json;
using namespace std::chrono_literals;

// JPEG and downscaling change colours a little; the drawn box must still read as its class colour.
constexpr int kColourTolerance = 60;
constexpr int kGrey = 96;  // the synthetic frames' flat grey

std::vector<Detection> one_box() {
  return {test::make_detection(0, "person", 0.9f, {80, 60, 240, 180})};
}

bool is_class0_colour(const cv::Vec3b& bgr) {
  const cv::Scalar want = cli::class_color(0);
  for (int c = 0; c < 3; ++c)
    if (std::abs(bgr[c] - static_cast<int>(want[c])) > kColourTolerance) return false;
  return true;
}

bool is_grey(const cv::Vec3b& bgr) {
  for (int c = 0; c < 3; ++c)
    if (std::abs(bgr[c] - kGrey) > 12) return false;
  return true;
}

// The box (80, 60)-(240, 180) scaled by `scale` is drawn: its label, filled
// with the class colour above the top-left corner, shows as a patch of that
// colour (thin box lines lose their colour to JPEG's chroma subsampling).
bool box_drawn(const cv::Mat& img, double scale) {
  const cv::Rect around(static_cast<int>(80 * scale) - 2, static_cast<int>(60 * scale) - 20, 60, 24);
  const cv::Rect inside = around & cv::Rect(0, 0, img.cols, img.rows);
  int hits = 0;
  for (int y = inside.y; y < inside.y + inside.height; ++y)
    for (int x = inside.x; x < inside.x + inside.width; ++x) hits += is_class0_colour(img.at<cv::Vec3b>(y, x));
  constexpr int kMinLabelPixels = 40;
  return hits >= kMinLabelPixels;
}

struct Feeder {
  // Pushes frames of stream 0 (BGR) and 1 (NV12) until stopped.
  explicit Feeder(WebSink* sink) {
    thread = std::thread([this, sink] {
      test::SyntheticFrame f0 = test::make_frame(0, 0, 320, 240, one_box());
      test::SyntheticFrame f1 = test::make_frame(1, 0, 320, 240, one_box(), PixelFormat::kNv12);
      sink->on_stream(f0.stream, pipeline::StreamStatus::kOnline, Status());
      sink->on_stream(f1.stream, pipeline::StreamStatus::kOnline, Status());
      for (std::int64_t i = 0; !stop; ++i) {
        f0.result.tag.frame = f1.result.tag.frame = i;
        sink->on_frame(f0.view());
        sink->on_frame(f1.view());
        ++frames;
        std::this_thread::sleep_for(5ms);
      }
    });
    while (frames == 0) std::this_thread::sleep_for(1ms);  // the streams exist: viewers get no 404
  }
  ~Feeder() {
    stop = true;
    thread.join();
  }
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> frames{0};
  std::thread thread;
};

std::unique_ptr<WebSink> start_sink(WebOptions o = {}) {
  o.port = 0;
  o.max_fps = 20;
  std::unique_ptr<WebSink> sink;
  const Status s = WebSink::create(o, &sink);
  EXPECT_TRUE(s.ok()) << s;
  return sink;
}

// Reads multipart JPEG parts from `path` until `count` arrived; returns the last one decoded.
cv::Mat read_mjpeg(int port, const std::string& path, int count, int* got) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_read_timeout(10, 0);
  std::string buf;
  cv::Mat last;
  *got = 0;
  cli.Get(path.c_str(), [&](const char* data, std::size_t n) {
    buf.append(data, n);
    for (;;) {
      const auto head_end = buf.find("\r\n\r\n");
      if (head_end == std::string::npos) return true;
      const auto len_at = buf.find("Content-Length: ");
      if (len_at == std::string::npos || len_at > head_end) return false;
      const std::size_t len = std::stoul(buf.substr(len_at + 16));
      if (buf.size() < head_end + 4 + len + 2) return true;
      const std::vector<uchar> jpeg(buf.begin() + static_cast<std::ptrdiff_t>(head_end + 4),
                                    buf.begin() + static_cast<std::ptrdiff_t>(head_end + 4 + len));
      last = cv::imdecode(jpeg, cv::IMREAD_COLOR);
      buf.erase(0, head_end + 4 + len + 2);
      if (++*got >= count) return false;  // enough: hang up
    }
  });
  return last;
}

TEST(LiveWeb, PageApiHealthAndAnnotatedJpeg) {
  auto sink = start_sink();
  ASSERT_TRUE(sink);
  Feeder feed(sink.get());
  httplib::Client cli("127.0.0.1", sink->port());
  auto health = cli.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");
  while (feed.frames < 3) std::this_thread::sleep_for(5ms);

  auto api = cli.Get("/api/streams");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->get_header_value("Content-Type"), "application/json");
  const Json j = Json::parse(api->body);
  ASSERT_EQ(j["streams"].size(), 2u);
  for (int s = 0; s < 2; ++s) {
    const Json& st = j["streams"][s];
    EXPECT_EQ(st["stream"], s);
    EXPECT_EQ(st["source"], "synthetic://" + std::to_string(s));
    EXPECT_EQ(st["status"], "online");
    EXPECT_EQ(st["mjpeg"], "/stream/" + std::to_string(s) + ".mjpg");
    EXPECT_GE(st["processed"].get<int>(), 3);
    EXPECT_EQ(st["width"], 320);
    EXPECT_EQ(st["latest"]["detections"][0]["label"], "person");
  }

  auto page = cli.Get("/");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("<img src=\"/stream/0.mjpg\""), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("<img src=\"/stream/1.mjpg\""), std::string::npos);

  for (int s = 0; s < 2; ++s) {  // BGR and NV12 frames
    auto jpg = cli.Get(("/stream/" + std::to_string(s) + ".jpg").c_str());
    ASSERT_TRUE(jpg);
    ASSERT_EQ(jpg->status, 200);
    const cv::Mat img = cv::imdecode(std::vector<uchar>(jpg->body.begin(), jpg->body.end()), cv::IMREAD_COLOR);
    ASSERT_EQ(img.cols, 320);
    EXPECT_TRUE(box_drawn(img, 1.0)) << "stream " << s;
    EXPECT_TRUE(is_grey(img.at<cv::Vec3b>(120, 160))) << "stream " << s << " centre " << img.at<cv::Vec3b>(120, 160);
  }
  auto missing = cli.Get("/stream/7.mjpg");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  ASSERT_OK(sink->close());
}

TEST(LiveWeb, DownscalesBeforeEncoding) {
  WebOptions o;
  o.max_width = 160;
  auto sink = start_sink(o);
  Feeder feed(sink.get());
  int got = 0;
  const cv::Mat img = read_mjpeg(sink->port(), "/stream/0.mjpg", 2, &got);
  ASSERT_EQ(got, 2);
  ASSERT_EQ(img.cols, 160);
  ASSERT_EQ(img.rows, 120);
  EXPECT_TRUE(box_drawn(img, 0.5));
  ASSERT_OK(sink->close());
}

TEST(LiveWeb, OnlyTheWatchedStreamIsEncoded) {
  auto sink = start_sink();
  Feeder feed(sink.get());  // streams 0 and 1, 20 copies a second each
  constexpr int kFrames = 10;
  int got = 0;
  read_mjpeg(sink->port(), "/stream/0.mjpg", kFrames, &got);
  ASSERT_EQ(got, kFrames);
  // Stream 1 has no viewer: encoding both would give about 2 x kFrames.
  constexpr int kEncodedAheadOfTheViewer = 3;
  EXPECT_LE(sink->counters().encoded, kFrames + kEncodedAheadOfTheViewer);
  ASSERT_OK(sink->close());
}

TEST(LiveWeb, ManyViewersAndOneThatStopsReading) {
  auto sink = start_sink();
  Feeder feed(sink.get());
  // A viewer that asks for the stream and never reads: its socket buffer
  // fills, its server thread waits on it; nobody else does.
  const int stuck = ::socket(AF_INET, SOCK_STREAM, 0);
  const int small = 4096;
  ::setsockopt(stuck, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(sink->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(stuck, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string req = "GET /stream/0.mjpg HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::send(stuck, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));

  constexpr int kViewers = 6, kFramesEach = 10;
  std::vector<int> got(kViewers, 0);
  std::vector<std::thread> viewers;
  for (int v = 0; v < kViewers; ++v)
    viewers.emplace_back(
        [&, v] { read_mjpeg(sink->port(), "/stream/" + std::to_string(v % 2) + ".mjpg", kFramesEach, &got[v]); });
  const std::int64_t fed_before = feed.frames;
  for (auto& t : viewers) t.join();
  for (int v = 0; v < kViewers; ++v) EXPECT_EQ(got[v], kFramesEach) << "viewer " << v;
  // The feeder kept going the whole time (20 frames a second reach the viewers; it makes 200).
  EXPECT_GT(feed.frames - fed_before, 2 * kFramesEach);
  const cli::WebCounters c = sink->counters();
  EXPECT_GE(c.sent, kViewers * kFramesEach);
  EXPECT_GE(c.viewers, 1) << "the stuck viewer is still connected";
  ::close(stuck);
  ASSERT_OK(sink->close());
}

TEST(LiveWeb, TooManyViewersGet503AndABusyPortIsOneSentence) {
  WebOptions o;
  o.max_viewers = 1;
  auto sink = start_sink(o);
  Feeder feed(sink.get());
  std::atomic<int> first_got{-1};
  std::thread first([&] {
    int got = 0;
    read_mjpeg(sink->port(), "/stream/0.mjpg", 20, &got);
    first_got = got;
  });
  while (sink->counters().viewers < 1 && first_got < 0) std::this_thread::sleep_for(5ms);
  if (first_got >= 0) {
    first.join();
    FAIL() << "the first viewer ended early, after " << first_got << " frames";
  }
  httplib::Client cli("127.0.0.1", sink->port());
  auto second = cli.Get("/stream/1.mjpg");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 503);
  first.join();

  WebOptions same;
  same.port = sink->port();
  std::unique_ptr<WebSink> other;
  const Status busy = WebSink::create(same, &other);
  EXPECT_FALSE(busy.ok());
  EXPECT_NE(busy.message().find("--serve 127.0.0.1:" + std::to_string(sink->port())), std::string::npos) << busy;
  ASSERT_OK(sink->close());
}

// Headless Chromium from Debian: the page as a browser renders it.
TEST(LiveWeb, ChromiumShowsTheAnnotatedFrameAndTheStats) {
  if (::access("/usr/bin/chromium", X_OK) != 0) GTEST_SKIP() << "chromium is not installed";
  auto sink = start_sink();
  Feeder feed(sink.get());
  while (feed.frames < 3) std::this_thread::sleep_for(5ms);
  const std::string dir = test::temp_dir("live_web_chromium");
  const std::string url = "http://127.0.0.1:" + std::to_string(sink->port()) + "/";
  const std::vector<std::string> common = {"chromium",
                                           "--headless=new",
                                           "--no-sandbox",
                                           "--disable-gpu",
                                           "--user-data-dir=" + dir + "/profile",
                                           "--window-size=800,1000",
                                           "--virtual-time-budget=3000"};
  std::vector<std::string> shot = common;
  shot.push_back("--screenshot=" + dir + "/page.png");
  shot.push_back(url);
  const auto r = test::run_command(shot, 90);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const cv::Mat png = cv::imread(dir + "/page.png", cv::IMREAD_COLOR);
  ASSERT_FALSE(png.empty()) << r.err;
  // Find the first stream's frame (the top-left of a flat grey area; text
  // anti-aliasing can be grey too, not in blocks), then the box in it.
  int left = -1, top = -1;
  for (int y = 0; y < png.rows && top < 0; ++y)
    for (int x = 0; x + 320 <= png.cols; ++x)
      if (y + 5 < png.rows && is_grey(png.at<cv::Vec3b>(y, x)) && is_grey(png.at<cv::Vec3b>(y + 5, x + 5)) &&
          is_grey(png.at<cv::Vec3b>(y, x + 300)) && is_grey(png.at<cv::Vec3b>(y + 5, x + 300))) {
        left = x, top = y;
        break;
      }
  ASSERT_GE(top, 0) << "no frame on the screenshot " << dir << "/page.png";
  const cv::Mat frame = png(cv::Rect(left, top, 320, 240)).clone();
  EXPECT_TRUE(box_drawn(frame, 1.0)) << "no box on the screenshot " << dir << "/page.png";

  std::vector<std::string> dom = common;
  dom.push_back("--dump-dom");
  dom.push_back(url);
  const auto d = test::run_command(dom, 90);
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("<td class=\"status\">online</td>"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("<td class=\"detections\">person 0.90</td>"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("<img src=\"/stream/1.mjpg\""), std::string::npos);
  ASSERT_OK(sink->close());
}

}  // namespace
}  // namespace rkyolo
