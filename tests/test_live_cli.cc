// The live outputs end to end through `rkyolo detect` on a video: a real
// mosquitto broker and a subscriber on loopback, the web view fetched while
// the run goes on, and the refusal on still images.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "support/live_fixtures.h"
#include "support/test_env.h"
#include "support/watchdog.h"

namespace rkyolo {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

std::string sample_video() {
  return test::source_dir() + "/samples/shapes.mp4";
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

TEST(LiveCli, DetectOnVideoPublishesEveryFrameAndServesTheViewWhileRunning) {
  test::Watchdog watchdog(std::chrono::minutes(8));
  const std::string dir = test::temp_dir("live_cli");
  test::MosquittoBroker broker(dir, test::free_tcp_port());
  broker.start();
  // The subscriber prints "topic payload" per message.
  test::ChildProcess sub;
  const std::string sub_log = dir + "/sub.log";
  sub.start(
      {"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(broker.port()), "-t", "rkyolo/test/#", "-v", "-q", "1"},
      sub_log);
  std::this_thread::sleep_for(1500ms);  // subscribed before the run starts

  const int web_port = test::free_tcp_port();
  const std::string jsonl = dir + "/frames.jsonl";
  std::atomic<bool> done{false};
  test::CommandResult run;
  std::thread cli([&] {
    run = test::run_cli(RKYOLO_CLI,
                        {"detect",
                         "--model",
                         test::demo_model(),
                         "--backend",
                         "cpu",
                         "--source",
                         sample_video(),
                         "--source",
                         sample_video(),
                         "--no-save",
                         "--json",
                         jsonl,
                         "--mqtt",
                         "127.0.0.1:" + std::to_string(broker.port()),
                         "--mqtt-prefix",
                         "rkyolo/test",
                         "--mqtt-qos",
                         "1",
                         "--serve",
                         "127.0.0.1:" + std::to_string(web_port)},
                        {"LANG=C"}, 400);
    done = true;
  });

  // The view while the run goes on: the API (once both streams are known),
  // the page and the health check.
  ASSERT_TRUE(test::wait_for_port(web_port, 120s)) << "the web view never listened";
  httplib::Client web("127.0.0.1", web_port);
  web.set_read_timeout(10, 0);
  auto both_streams_known = [&] {
    const auto r = web.Get("/api/streams");
    if (!r || r->status != 200) return false;
    const Json j = Json::parse(r->body, nullptr, false);
    return j.is_object() && j.contains("streams") && j["streams"].size() == 2;
  };
  for (int i = 0; i < 600 && !done && !both_streams_known(); ++i) std::this_thread::sleep_for(100ms);
  const auto api = web.Get("/api/streams");
  const auto page = web.Get("/");
  const auto health = web.Get("/healthz");
  const bool served_while_running = !done;
  cli.join();
  ASSERT_TRUE(page && health && api) << "a request to the web view failed";
  EXPECT_TRUE(served_while_running) << "the run ended before the view could be read";
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<img"), std::string::npos) << page->body;
  EXPECT_EQ(health->status, 200);
  const Json streams = Json::parse(api->body);
  ASSERT_TRUE(streams.contains("streams")) << api->body;
  ASSERT_EQ(streams["streams"].size(), 2u) << api->body;
  for (const Json& s : streams["streams"]) EXPECT_TRUE(s.contains("mjpeg")) << s;

  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::this_thread::sleep_for(1500ms);  // the last messages reach the subscriber
  sub.stop(15);

  // Every processed frame of both streams published once, with the JSON-lines object.
  const std::vector<std::string> frames = read_lines(jsonl);
  ASSERT_FALSE(frames.empty());
  std::map<int, int> lines_per_stream;
  for (const std::string& line : frames) ++lines_per_stream[Json::parse(line)["stream"].get<int>()];
  std::map<int, std::vector<std::int64_t>> published;
  bool online = false, status_online = false, stats = false;
  for (const std::string& line : read_lines(sub_log)) {
    const std::size_t space = line.find(' ');
    const std::string topic = line.substr(0, space), payload = space == std::string::npos ? "" : line.substr(space + 1);
    if (topic == "rkyolo/test/available" && payload == "online") online = true;
    if (topic == "rkyolo/test/0/status" && payload == "online") status_online = true;
    if (topic == "rkyolo/test/stats") stats = true;
    for (int stream : {0, 1})
      if (topic == "rkyolo/test/" + std::to_string(stream) + "/detections") {
        const Json j = Json::parse(payload);
        EXPECT_EQ(j["stream"].get<int>(), stream);
        EXPECT_TRUE(j.contains("detections") && j.contains("frame") && j.contains("ts")) << payload;
        published[stream].push_back(j["frame"].get<std::int64_t>());
      }
  }
  EXPECT_TRUE(online && status_online && stats) << test::read_text(sub_log).substr(0, 2000);
  for (int stream : {0, 1}) {
    EXPECT_EQ(static_cast<int>(published[stream].size()), lines_per_stream[stream]) << "stream " << stream;
    for (std::size_t i = 1; i < published[stream].size(); ++i)
      EXPECT_LT(published[stream][i - 1], published[stream][i]) << "stream " << stream << " out of order";
  }
}

// `rkyolo track` with --mqtt: every event of the --events file on
// <prefix>/events, in order, and the detections messages carry the same
// track ids as the JSON lines.
TEST(LiveCli, TrackPublishesEveryEventAndTheTrackIds) {
  test::Watchdog watchdog(std::chrono::minutes(8));
  const std::string dir = test::temp_dir("live_cli_track");
  test::MosquittoBroker broker(dir, test::free_tcp_port());
  broker.start();
  test::ChildProcess sub;
  const std::string sub_log = dir + "/sub.log";
  sub.start(
      {"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(broker.port()), "-t", "rkyolo/t/#", "-v", "-q", "1"},
      sub_log);
  std::this_thread::sleep_for(1500ms);
  const auto run =
      test::run_cli(RKYOLO_CLI,
                    {"track", "--model", test::demo_model(), "--backend", "cpu", "--source", sample_video(),
                     "--no-save", "--json", dir + "/frames.jsonl", "--events", dir + "/events.jsonl", "--mqtt",
                     "127.0.0.1:" + std::to_string(broker.port()), "--mqtt-prefix", "rkyolo/t", "--mqtt-qos", "1"},
                    {"LANG=C"}, 400);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::this_thread::sleep_for(1500ms);
  sub.stop(15);

  std::vector<Json> events_published, frames_published;
  for (const std::string& line : read_lines(sub_log)) {
    const std::size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    const std::string topic = line.substr(0, space);
    if (topic == "rkyolo/t/events") events_published.push_back(Json::parse(line.substr(space + 1)));
    if (topic == "rkyolo/t/0/detections") frames_published.push_back(Json::parse(line.substr(space + 1)));
  }
  std::vector<Json> events_written, frames_written;
  for (const std::string& line : read_lines(dir + "/events.jsonl")) events_written.push_back(Json::parse(line));
  for (const std::string& line : read_lines(dir + "/frames.jsonl")) frames_written.push_back(Json::parse(line));
  ASSERT_FALSE(events_written.empty()) << "no tracks on the sample video";
  EXPECT_EQ(events_published, events_written);
  ASSERT_EQ(frames_published.size(), frames_written.size());
  int with_ids = 0;
  for (std::size_t i = 0; i < frames_written.size(); ++i) {
    ASSERT_EQ(frames_published[i]["frame"], frames_written[i]["frame"]);
    const Json& a = frames_published[i]["detections"];
    const Json& b = frames_written[i]["detections"];
    ASSERT_EQ(a.size(), b.size()) << "frame " << i;
    for (std::size_t k = 0; k < a.size(); ++k) {
      ASSERT_TRUE(a[k].contains("track_id")) << a[k];
      EXPECT_EQ(a[k]["track_id"], b[k]["track_id"]);
      ++with_ids;
    }
  }
  EXPECT_GT(with_ids, 0);
}

// --show --show-layout grid under Xvfb: one window "rkyolo" holding both
// 320x240 streams side by side (cols 2, rows 1, tiles unscaled: 640x240),
// and q in it stops the run as Ctrl-C does: exit 0 with the summary, and
// the JSON lines of every processed frame written whole.
TEST(LiveCli, ShowGridIsOneWindowAndQStopsTheRun) {
  test::Watchdog watchdog(std::chrono::minutes(6));
  const std::string dir = test::temp_dir("live_cli_show");
  test::XvfbDisplay xvfb(dir, 1280, 800);
  if (!xvfb.start()) GTEST_SKIP() << "Xvfb, import or xdotool is not installed";
  // Two minutes of video: the run is still going when q comes.
  const std::string video = dir + "/long.mp4";
  constexpr int kFrames = 3000;
  const auto made = test::run_command(
      {"ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-frames:v",
       std::to_string(kFrames), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", video},
      240);
  ASSERT_EQ(made.exit_code, 0) << made.err;

  const std::string jsonl = dir + "/frames.jsonl";
  std::atomic<bool> done{false};
  test::CommandResult run;
  std::thread cli([&] {
    run = test::run_cli(RKYOLO_CLI,
                        {"detect", "--model", test::demo_model(), "--backend", "cpu", "--source", video, "--source",
                         video, "--no-save", "--json", jsonl, "--show", "--show-layout", "grid"},
                        {"LANG=C"}, 240);
    done = true;
  });
  const auto found = test::run_command({"xdotool", "search", "--sync", "--name", "^rkyolo$"}, 120);
  const std::string window = found.out.substr(0, found.out.find('\n'));
  // The window takes the grid's size with the first picture.
  std::string geometry;
  for (int i = 0; i < 300 && found.exit_code == 0 && geometry.find("640x240") == std::string::npos; ++i) {
    geometry = test::run_command({"xdotool", "getwindowgeometry", window}, 30).out;
    std::this_thread::sleep_for(100ms);
  }
  const bool running = !done;
  const auto key = test::run_command({"xdotool", "windowfocus", "--sync", window, "key", "q"}, 30);
  const auto tree = test::run_command({"xwininfo", "-root", "-tree"}, 30);
  cli.join();
  ASSERT_EQ(found.exit_code, 0) << "no window 'rkyolo' on " << xvfb.name() << ": " << tree.out << run.err;
  EXPECT_NE(geometry.find("Geometry: 640x240"), std::string::npos) << geometry;
  ASSERT_TRUE(running) << "the run ended before q";
  EXPECT_EQ(key.exit_code, 0) << key.err;

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("frames processed from 2 streams"), std::string::npos) << run.err;
  const std::vector<std::string> lines = read_lines(jsonl);
  EXPECT_GT(lines.size(), 0u);
  EXPECT_LT(lines.size(), 2u * kFrames) << "q did not stop the run";
  for (const std::string& line : lines) EXPECT_FALSE(Json::parse(line, nullptr, false).is_discarded()) << line;
}

TEST(LiveCli, BadShowLayoutIsOneSentenceAndExitCode2) {
  test::Watchdog watchdog(std::chrono::minutes(2));
  const auto r = test::run_cli(RKYOLO_CLI, {"detect", "--model", test::demo_model(), "--backend", "cpu", "--source",
                                            sample_video(), "--no-save", "--show", "--show-layout", "tiles"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--show-layout 'tiles': use windows"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(LiveCli, LiveOutputsOnStillImagesAreOneSentence) {
  test::Watchdog watchdog(std::chrono::minutes(2));
  const auto r = test::run_cli(RKYOLO_CLI, {"detect", "--model", test::demo_model(), "--backend", "cpu", "--source",
                                            test::source_dir() + "/samples/scene1.jpg", "--serve", "8080"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--serve needs video sources"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
}  // namespace rkyolo
