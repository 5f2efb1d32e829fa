// Live network sources against a real server on 127.0.0.1: an ffmpeg HTTP
// server streaming MPEG-TS (360p H.264) in real time. The server is killed
// and restarted on the same port, or frozen with SIGSTOP; the source
// reconnects. Every wait has a deadline (the watchdog), ports are picked at
// run time.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "rkyolo/video.h"
#include "support/test_env.h"
#include "video_fixtures.h"

namespace rkyolo {
namespace {

using namespace std::chrono_literals;
using Clock = VideoSource::Clock;
constexpr int kWidth = 640, kHeight = 360, kClipFrames = 50;
constexpr auto kWatchdog = 40s;  // the longest any step of these tests may take

std::string live_clip(const std::string& dir) {
  const std::string raw = test::write_raw_clip(dir, kWidth, kHeight, kClipFrames);
  return test::encode_clip(raw, kWidth, kHeight,
                           {"-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-bf", "0", "-f", "mpegts"},
                           dir + "/live.ts");
}

VideoSourceOptions live_options() {
  VideoSourceOptions options;
  options.decoder_threads = 1;
  options.open_timeout = 2000ms;
  options.read_timeout = 1000ms;
  options.reconnect.initial_delay = 100ms;
  options.reconnect.max_delay = 800ms;
  return options;
}

// Opens the stream once the server listens (connection refused until then).
std::unique_ptr<VideoSource> open_when_listening(const std::string& url, const VideoSourceOptions& options) {
  const auto deadline = Clock::now() + kWatchdog;
  Status last;
  while (Clock::now() < deadline) {
    std::unique_ptr<VideoSource> source;
    last = VideoSource::open(classify_source(url), options, &source);
    if (last.ok()) return source;
    std::this_thread::sleep_for(100ms);
  }
  ADD_FAILURE() << "the live stream never opened: " << last;
  return nullptr;
}

// Reads until `count` more frames arrived (true) or the watchdog fires;
// the state changes read meanwhile go to `states`.
bool read_frames(VideoSource& source, int count, std::int64_t* last_index, std::vector<SourceState>* states = nullptr) {
  const auto deadline = Clock::now() + kWatchdog;
  FrameLease frame;
  while (count > 0 && Clock::now() < deadline) {
    const ReadResult r = source.read(frame, std::min(deadline, Clock::now() + 1s));
    if (r.event == ReadEvent::kEnd) {
      ADD_FAILURE() << "a live source ended: " << r.status;
      return false;
    }
    if (r.event == ReadEvent::kStateChanged && states != nullptr) {
      states->push_back(r.state);
      EXPECT_EQ(r.status.ok(), r.state == SourceState::kOnline) << r.status;
    }
    if (r.event != ReadEvent::kFrame) continue;
    EXPECT_EQ(frame->width, kWidth);
    EXPECT_EQ(frame->height, kHeight);
    EXPECT_GT(frame->index, *last_index) << "frame indices go on across reconnections";
    *last_index = frame->index;
    --count;
  }
  return count == 0;
}

TEST(VideoNetwork, ServerKilledAndRestartedOnTheSamePort) {
  const std::string clip = live_clip(test::temp_dir("live"));
  const int port = test::free_loopback_port();
  test::LiveServer server = test::LiveServer::ffmpeg_http(clip, port);
  server.start();
  auto source = open_when_listening(server.url(), live_options());
  ASSERT_TRUE(source);
  EXPECT_TRUE(source->info().live);
  EXPECT_EQ(source->info().kind, SourceKind::kNetwork);
  std::int64_t last_index = -1;
  std::vector<SourceState> states;
  ASSERT_TRUE(read_frames(*source, 20, &last_index, &states));
  EXPECT_TRUE(states.empty());

  server.kill_now();
  server.start();
  ASSERT_TRUE(read_frames(*source, 40, &last_index, &states));  // more than were queued before the kill
  const FrameSourceStats stats = source->stats();
  EXPECT_GE(stats.reconnects, 1) << stats;
  // Said in their place: lost after the frames before the kill, back before
  // the first frame after it (the read loop saw frames after the last state).
  ASSERT_GE(states.size(), 2u);
  ASSERT_EQ(states.size() % 2, 0u) << "every loss is followed by a return";
  for (std::size_t i = 0; i < states.size(); ++i)
    EXPECT_EQ(states[i], i % 2 == 0 ? SourceState::kReconnecting : SourceState::kOnline) << i;
}

TEST(VideoNetwork, FrozenServerTimesOutAndTheSourceReconnects) {
  const std::string clip = live_clip(test::temp_dir("live"));
  const int port = test::free_loopback_port();
  test::LiveServer server = test::LiveServer::ffmpeg_http(clip, port);
  server.start();
  auto source = open_when_listening(server.url(), live_options());
  ASSERT_TRUE(source);
  std::int64_t last_index = -1;
  ASSERT_TRUE(read_frames(*source, 10, &last_index));

  server.freeze();
  const auto deadline = Clock::now() + kWatchdog;
  while (source->stats().timeouts == 0 && Clock::now() < deadline) std::this_thread::sleep_for(50ms);
  ASSERT_GE(source->stats().timeouts, 1) << "the read timeout never fired";

  server.kill_now();  // a frozen server serves no one: a new one takes its port
  server.start();
  ASSERT_TRUE(read_frames(*source, 20, &last_index));
  EXPECT_GE(source->stats().reconnects, 1) << source->stats();
}

TEST(VideoNetwork, StopInterruptsTheBackoffWait) {
  const std::string clip = live_clip(test::temp_dir("live"));
  const int port = test::free_loopback_port();
  test::LiveServer server = test::LiveServer::ffmpeg_http(clip, port);
  server.start();
  VideoSourceOptions options = live_options();
  options.reconnect.initial_delay = 60s;  // a wait that only stop() can end in time
  options.reconnect.max_delay = 60s;
  auto source = open_when_listening(server.url(), options);
  ASSERT_TRUE(source);
  std::int64_t last_index = -1;
  ASSERT_TRUE(read_frames(*source, 5, &last_index));
  server.kill_now();

  FrameLease frame;
  const auto deadline = Clock::now() + kWatchdog;
  while (Clock::now() < deadline && source->read(frame, Clock::now() + 100ms).event != ReadEvent::kTimeout) {
  }
  std::this_thread::sleep_for(300ms);  // the source is now waiting to reconnect
  const auto stop_at = Clock::now();
  source->stop();
  ReadResult r;
  while ((r = source->read(frame, Clock::now() + 5s)).event == ReadEvent::kFrame) {
  }
  EXPECT_EQ(r.event, ReadEvent::kEnd);
  source.reset();  // joins the decoding thread
  EXPECT_LT(Clock::now() - stop_at, 2s);
}

TEST(VideoNetwork, RefusedConnectionIsOneSentence) {
  const int port = test::free_loopback_port();
  std::unique_ptr<VideoSource> source;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/none.ts";
  const Status status = VideoSource::open(classify_source(url), live_options(), &source);
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_EQ(status.message(), "cannot open the stream '" + url + "': Connection refused.");
}

TEST(VideoNetwork, RtspServerKilledAndRestartedOnTheSamePort) {
  if (!test::gstreamer_rtsp_available())
    GTEST_SKIP() << "GStreamer's RTSP server is not installed (Debian: python3-gi gir1.2-gst-rtsp-server-1.0 "
                    "gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly)";
  const int port = test::free_loopback_port();
  test::LiveServer server = test::LiveServer::gstreamer_rtsp(port);
  server.start();
  auto source = open_when_listening(server.url(), live_options());
  ASSERT_TRUE(source);
  EXPECT_TRUE(source->info().live);
  EXPECT_EQ(source->info().codec, "h264");
  std::int64_t last_index = -1;
  ASSERT_TRUE(read_frames(*source, 20, &last_index));

  server.kill_now();
  server.start();
  ASSERT_TRUE(read_frames(*source, 40, &last_index));
  EXPECT_GE(source->stats().reconnects, 1) << source->stats();
}

}  // namespace
}  // namespace rkyolo
