// Video frame sources on files: order, counts, sizes, planes against the
// ffmpeg tool's own decode, vid_stride, truncated and corrupt files, bad
// inputs, decoder choice, and no allocation per frame once warm.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "rkyolo/video.h"
#include "support/counting_allocator.h"
#include "support/test_env.h"
#include "video_fixtures.h"

namespace rkyolo {
namespace {

using namespace std::chrono_literals;
constexpr int kWidth = 320, kHeight = 240, kFrames = 48;
constexpr auto kReadTimeout = 20s;  // a generous watchdog for one frame on a loaded machine
// The tool and the library share libavcodec: a reference decode matches exactly.
constexpr int kMaxPlaneDifference = 0;

std::string h264_clip(const std::string& dir, const std::string& name, std::vector<std::string> extra = {}) {
  const std::string raw = test::write_raw_clip(dir, kWidth, kHeight, kFrames);
  std::vector<std::string> args = {"-c:v", "libx264", "-preset", "ultrafast", "-g", "12", "-bf", "0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return test::encode_clip(raw, kWidth, kHeight, args, dir + "/" + name);
}

VideoSourceOptions test_options() {
  VideoSourceOptions options;
  options.decoder_threads = 1;  // deterministic and light on a shared machine
  return options;
}

std::unique_ptr<VideoSource> open_or_fail(const std::string& path, const VideoSourceOptions& options) {
  std::unique_ptr<VideoSource> source;
  const Status status = VideoSource::open(classify_source(path), options, &source);
  EXPECT_TRUE(status.ok()) << status;
  return source;
}

struct Reading {
  std::vector<std::int64_t> indices;
  std::vector<int> spelled;
  std::vector<std::string> errors;
  Status end;
  bool timed_out = false;
};

Reading read_all(VideoSource& source) {
  Reading reading;
  FrameLease frame;
  for (;;) {
    ReadResult r = source.read(frame, VideoSource::Clock::now() + kReadTimeout);
    if (r.event == ReadEvent::kFrame) {
      reading.indices.push_back(frame->index);
      reading.spelled.push_back(test::spelled_index(*frame));
    } else if (r.event == ReadEvent::kFrameError) {
      reading.errors.push_back(r.status.message());
    } else {
      reading.timed_out = r.event == ReadEvent::kTimeout;
      reading.end = std::move(r.status);
      return reading;
    }
  }
}

Status open_status(const SourceSpec& spec, const VideoSourceOptions& options = test_options()) {
  std::unique_ptr<VideoSource> source;
  return VideoSource::open(spec, options, &source);
}

TEST(VideoFile, EveryFrameOnceInOrderWithSizeAndTimes) {
  const std::string clip = h264_clip(test::temp_dir("clip"), "clip.mp4");
  auto source = open_or_fail(clip, test_options());
  ASSERT_TRUE(source);
  const FrameSourceInfo& info = source->info();
  EXPECT_EQ(info.width, kWidth);
  EXPECT_EQ(info.height, kHeight);
  EXPECT_NEAR(info.fps, 25.0, 0.01);
  EXPECT_EQ(info.codec, "h264");
  EXPECT_EQ(info.decoder, "h264");
  EXPECT_FALSE(info.hardware_decoder);
  EXPECT_FALSE(info.live);
  EXPECT_NE(info.decoder_reason.find("software fallback: not in this FFmpeg build: h264_rkmpp"), std::string::npos)
      << info.decoder_reason;

  FrameLease frame;
  std::int64_t expected = 0;
  auto last_capture = std::chrono::system_clock::time_point{};
  for (;;) {
    ReadResult r = source->read(frame, VideoSource::Clock::now() + kReadTimeout);
    if (r.event != ReadEvent::kFrame) {
      EXPECT_EQ(r.event, ReadEvent::kEnd);
      EXPECT_TRUE(r.status.ok()) << r.status;
      break;
    }
    EXPECT_EQ(frame->index, expected);
    EXPECT_EQ(test::spelled_index(*frame), expected);
    EXPECT_EQ(frame->width, kWidth);
    EXPECT_EQ(frame->height, kHeight);
    EXPECT_EQ(frame->format, FrameFormat::kYuv420p);
    EXPECT_EQ(frame->plane_count, 3);
    EXPECT_EQ(frame->pts_ms, expected * 40);  // 25 fps
    EXPECT_GE(frame->capture_time, last_capture);
    EXPECT_EQ(frame->dma_buf_fd, -1);
    last_capture = frame->capture_time;
    ++expected;
  }
  EXPECT_EQ(expected, kFrames);
  const FrameSourceStats stats = source->stats();
  EXPECT_EQ(stats.decoded, kFrames) << stats;
  EXPECT_EQ(stats.delivered, kFrames) << stats;
  EXPECT_EQ(stats.errors, 0) << stats;
}

// Compares one frame's planes with a tightly packed reference frame.
void expect_planes_equal(const VideoFrame& frame, const std::uint8_t* reference) {
  const int rows[3] = {frame.height, frame.height / 2, frame.height / 2};
  const int bytes[3] = {frame.width, frame.format == FrameFormat::kNv12 ? frame.width : frame.width / 2,
                        frame.width / 2};
  for (int p = 0; p < frame.plane_count; ++p) {
    int worst = 0;
    for (int y = 0; y < rows[p]; ++y) {
      const std::uint8_t* row = frame.planes[p] + static_cast<std::size_t>(y) * frame.strides[p];
      for (int x = 0; x < bytes[p]; ++x) worst = std::max(worst, std::abs(int(row[x]) - int(reference[x])));
      reference += bytes[p];
    }
    EXPECT_LE(worst, kMaxPlaneDifference) << "plane " << p << " of " << frame;
  }
}

void expect_matches_reference(const std::string& clip, const std::string& pix_fmt, FrameFormat format) {
  const std::vector<std::uint8_t> reference = test::reference_decode(clip, pix_fmt);
  const std::size_t frame_bytes = static_cast<std::size_t>(kWidth) * kHeight * 3 / 2;
  ASSERT_EQ(reference.size(), frame_bytes * kFrames);
  auto source = open_or_fail(clip, test_options());
  ASSERT_TRUE(source);
  FrameLease frame;
  int n = 0;
  while (source->read(frame, VideoSource::Clock::now() + kReadTimeout).event == ReadEvent::kFrame) {
    ASSERT_EQ(frame->format, format);
    ASSERT_LT(n, kFrames);
    expect_planes_equal(*frame, reference.data() + frame_bytes * static_cast<std::size_t>(n));
    ++n;
  }
  EXPECT_EQ(n, kFrames);
}

TEST(VideoFile, Yuv420pPlanesMatchTheReferenceDecode) {
  expect_matches_reference(h264_clip(test::temp_dir("clip"), "clip.mkv"), "yuv420p", FrameFormat::kYuv420p);
}

TEST(VideoFile, Nv12PlanesCarriedAsDecoded) {
  const std::string dir = test::temp_dir("clip");
  const std::string raw = test::write_raw_clip(dir, kWidth, kHeight, kFrames);
  const std::string clip =
      test::encode_clip(raw, kWidth, kHeight, {"-c:v", "rawvideo", "-pix_fmt", "nv12"}, dir + "/nv12.avi");
  expect_matches_reference(clip, "nv12", FrameFormat::kNv12);
}

TEST(VideoFile, VidStrideKeepsDecodedIndices) {
  const std::string clip = h264_clip(test::temp_dir("clip"), "clip.mp4");
  VideoSourceOptions options = test_options();
  options.vid_stride = 5;
  auto source = open_or_fail(clip, options);
  ASSERT_TRUE(source);
  const Reading reading = read_all(*source);
  ASSERT_EQ(reading.indices.size(), 10u);  // 0, 5, ..., 45
  for (std::size_t i = 0; i < reading.indices.size(); ++i) {
    EXPECT_EQ(reading.indices[i], static_cast<std::int64_t>(i) * 5);
    EXPECT_EQ(reading.spelled[i], reading.indices[i]);
  }
  EXPECT_EQ(source->stats().skipped, kFrames - 10);
}

TEST(VideoFile, TruncatedFileDeliversWhatItHoldsThenEnds) {
  const std::string dir = test::temp_dir("clip");
  const std::string clip = h264_clip(dir, "clip.ts");
  std::vector<std::uint8_t> bytes = test::read_bytes(clip);
  bytes.resize(bytes.size() / 2);
  const std::string cut = dir + "/cut.ts";
  test::write_bytes(cut, std::string(bytes.begin(), bytes.end()));
  auto source = open_or_fail(cut, test_options());
  ASSERT_TRUE(source);
  const Reading reading = read_all(*source);
  EXPECT_FALSE(reading.timed_out);
  ASSERT_GT(reading.indices.size(), 10u);
  EXPECT_LT(reading.indices.size(), static_cast<std::size_t>(kFrames));
  for (std::size_t i = 0; i < reading.indices.size(); ++i) EXPECT_EQ(reading.spelled[i], reading.indices[i]);
}

TEST(VideoFile, CorruptPacketIsReportedAndTheRestDecoded) {
  const std::string dir = test::temp_dir("clip");
  // Intra-only, so that damage stays in the frame it hits.
  const std::string clip = h264_clip(dir, "clip.ts", {"-g", "1"});
  std::vector<std::uint8_t> bytes = test::read_bytes(clip);
  constexpr std::size_t kTsPacket = 188;
  // Garbage over the payload of a few transport packets in the middle
  // (headers kept, so the demuxer stays in step).
  const std::size_t middle = bytes.size() / 2 / kTsPacket * kTsPacket;
  for (std::size_t p = middle; p < middle + 3 * kTsPacket; p += kTsPacket)
    for (std::size_t i = 4; i < kTsPacket; ++i) bytes[p + i] = static_cast<std::uint8_t>(i * 37 + 11);
  const std::string corrupt = dir + "/corrupt.ts";
  test::write_bytes(corrupt, std::string(bytes.begin(), bytes.end()));

  auto source = open_or_fail(corrupt, test_options());
  ASSERT_TRUE(source);
  const Reading reading = read_all(*source);
  EXPECT_TRUE(reading.end.ok()) << reading.end;
  ASSERT_FALSE(reading.errors.empty()) << "the damage went unreported";
  EXPECT_NE(reading.errors[0].find("corrupt.ts"), std::string::npos) << reading.errors[0];
  EXPECT_GE(reading.indices.size(), static_cast<std::size_t>(kFrames - 3));
  EXPECT_EQ(reading.indices.back(), reading.spelled.back());
  EXPECT_EQ(reading.spelled.back(), kFrames - 1);
  for (std::size_t i = 1; i < reading.indices.size(); ++i) EXPECT_GT(reading.indices[i], reading.indices[i - 1]);
}

TEST(VideoFile, MissingFileIsOneSentence) {
  const Status status = open_status(classify_source("/nonexistent/clip.mp4"));
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "the video file '/nonexistent/clip.mp4' does not exist.");
  // An identity with the path as an argument, so the CLI translates it by id.
  EXPECT_EQ(status.detail().id(), MessageId::kVideoFileMissing);
  ASSERT_NE(status.detail().arg("path"), nullptr);
  EXPECT_EQ(status.detail().arg("path")->text(), "/nonexistent/clip.mp4");
}

TEST(VideoFile, NonVideoFileIsOneSentence) {
  const std::string path = test::temp_dir("notes") + "/notes.mp4";
  test::write_bytes(path, "these are notes, not a video\n");
  const Status status = open_status(classify_source(path));
  EXPECT_EQ(status.code(), StatusCode::kInvalidImage);
  EXPECT_EQ(status.message(),
            "'" + path + "' is not a video FFmpeg can read: Invalid data found when processing input.");
}

TEST(VideoFile, BadOptionsAndKindsAreRefused) {
  VideoSourceOptions options = test_options();
  options.vid_stride = 0;
  EXPECT_EQ(open_status(classify_source("a.mp4"), options).message(), "vid_stride must be at least 1, not 0.");
  EXPECT_EQ(open_status(classify_source("photo.jpg")).message(),
            "'photo.jpg' is not a video file, camera or network stream.");
}

TEST(VideoCamera, MissingDeviceAndNonDeviceAreOneSentence) {
  Status status = open_status(classify_source("37"));
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(),
            "camera '/dev/video37' does not exist: no V4L2 device has that name (is the camera connected and its "
            "driver loaded?).");
  const std::string path = test::temp_dir("cam") + "/video0";
  test::write_bytes(path, "x");
  status = open_status(SourceSpec{SourceKind::kCamera, path});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "'" + path + "' is not a V4L2 camera: it is not a character device.");
}

TEST(VideoDecoder, ListIsTriedInOrderAndTheChoiceExplained) {
  const std::string clip = h264_clip(test::temp_dir("clip"), "clip.mp4");
  VideoSourceOptions options = test_options();
  options.hardware_decoders = {"no_such_rkmpp", "hevc", "h264"};
  auto source = open_or_fail(clip, options);
  ASSERT_TRUE(source);
  EXPECT_EQ(source->info().decoder, "h264");
  EXPECT_EQ(source->info().decoder_reason, "the first decoder of the list that decodes h264 and opens");

  options.hardware_decoders = {"no_such_rkmpp", "hevc"};
  source = open_or_fail(clip, options);
  ASSERT_TRUE(source);
  EXPECT_EQ(source->info().decoder_reason,
            "software fallback: not in this FFmpeg build: no_such_rkmpp; for other codecs than h264: hevc");

  options.require_hardware_decoder = true;
  const Status status = open_status(classify_source(clip), options);
  EXPECT_EQ(status.code(), StatusCode::kBackendUnavailable);
  EXPECT_NE(status.message().find("no hardware decoder for h264 could be used"), std::string::npos) << status;
}

TEST(VideoFile, StopEndsReadingAtOnce) {
  const std::string clip = h264_clip(test::temp_dir("clip"), "clip.mp4");
  VideoSourceOptions options = test_options();
  options.pool_frames = 2;
  auto source = open_or_fail(clip, options);
  ASSERT_TRUE(source);
  FrameLease held;
  ASSERT_EQ(source->read(held, VideoSource::Clock::now() + kReadTimeout).event, ReadEvent::kFrame);
  source->stop();
  FrameLease frame;
  ReadResult r;
  int frames = 0;
  while ((r = source->read(frame, VideoSource::Clock::now() + kReadTimeout)).event == ReadEvent::kFrame) ++frames;
  EXPECT_EQ(r.event, ReadEvent::kEnd);
  EXPECT_TRUE(r.status.ok()) << r.status;
  EXPECT_LE(frames, 2);
  source->close();
  EXPECT_EQ(source->read(frame, VideoSource::Clock::now() + kReadTimeout).event, ReadEvent::kEnd);
  EXPECT_GE(source->stats().delivered, 1);
  EXPECT_EQ(held->index, 0);  // a lease outlives closing, and the source
  source.reset();
  EXPECT_EQ(held->index, 0);
  held.reset();
}

TEST(VideoFile, NoAllocationPerFrameOnceWarm) {
  const std::string clip = h264_clip(test::temp_dir("clip"), "clip.mp4");
  auto source = open_or_fail(clip, test_options());
  ASSERT_TRUE(source);
  FrameLease frame;
  constexpr int kWarm = 10, kCounted = 30;
  for (int i = 0; i < kWarm; ++i)
    ASSERT_EQ(source->read(frame, VideoSource::Clock::now() + kReadTimeout).event, ReadEvent::kFrame);
  long allocations;
  int frames = 0;
  {
    // Counts operator new in every thread, the decoding thread included.
    // FFmpeg's own buffers come from av_malloc (posix_memalign) and its
    // buffer pools, which recycle the frames' memory once warm.
    test::AllocationCounter counter;
    for (int i = 0; i < kCounted; ++i)
      if (source->read(frame, VideoSource::Clock::now() + kReadTimeout).event == ReadEvent::kFrame) ++frames;
    allocations = counter.count();
  }
  EXPECT_EQ(frames, kCounted);
  EXPECT_EQ(allocations, 0) << "allocations in " << kCounted << " warm frames";
}

TEST(VideoFile, LiveReaderFallingBehindLosesTheOldestFramesCounted) {
  // A file read as live: its end is a disconnect (it plays again), and a
  // reader that falls behind loses the oldest queued frames, counted.
  const std::string clip = h264_clip(test::temp_dir("clip"), "clip.mp4");
  VideoSourceOptions options = test_options();
  options.live = VideoSourceOptions::Live::kYes;
  options.pool_frames = 2;
  options.reconnect.initial_delay = std::chrono::milliseconds(10);
  auto source = open_or_fail(clip, options);
  ASSERT_TRUE(source);
  const auto deadline = VideoSource::Clock::now() + kReadTimeout;
  while (source->stats().reconnects < 1 && VideoSource::Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  FrameLease frame;
  std::int64_t last = -1;
  int reconnecting = 0;
  SourceState expected = SourceState::kReconnecting;
  for (int frames = 0; frames < 10;) {
    const ReadResult r = source->read(frame, VideoSource::Clock::now() + kReadTimeout);
    if (r.event == ReadEvent::kStateChanged) {  // each end of the file is a disconnect: lost, then back
      EXPECT_EQ(r.state, expected);
      if (r.state == SourceState::kReconnecting) ++reconnecting;
      expected = r.state == SourceState::kReconnecting ? SourceState::kOnline : SourceState::kReconnecting;
      continue;
    }
    ASSERT_EQ(r.event, ReadEvent::kFrame);
    EXPECT_GT(frame->index, last);
    EXPECT_EQ(test::spelled_index(*frame), frame->index % kFrames);
    last = frame->index;
    ++frames;
  }
  EXPECT_GE(reconnecting, 1);
  const FrameSourceStats stats = source->stats();
  EXPECT_GE(stats.reconnects, 1) << stats;
  EXPECT_GE(stats.dropped, kFrames - 2) << stats;  // the first pass, but for the two frames the pool holds
  EXPECT_GT(last, kFrames) << "indices go on across the reconnection";
}

TEST(VideoReconnect, DelayGrowsIsCappedAndJittered) {
  ReconnectPolicy policy;
  policy.initial_delay = std::chrono::milliseconds(500);
  policy.max_delay = std::chrono::milliseconds(10000);
  policy.multiplier = 2.0;
  policy.jitter = 0.25;
  EXPECT_EQ(reconnect_delay(policy, 0, 0.5).count(), 500);
  EXPECT_EQ(reconnect_delay(policy, 3, 0.5).count(), 4000);
  EXPECT_EQ(reconnect_delay(policy, 10, 0.5).count(), 10000);    // capped
  EXPECT_EQ(reconnect_delay(policy, 1000, 0.5).count(), 10000);  // no overflow
  EXPECT_EQ(reconnect_delay(policy, 1, 0.0).count(), 750);       // 1000 x (1 - 0.25)
  EXPECT_EQ(reconnect_delay(policy, 1, 1.0).count(), 1250);      // 1000 x (1 + 0.25)
  policy.jitter = 0;
  EXPECT_EQ(reconnect_delay(policy, 2, 0.9).count(), 2000);
}

}  // namespace
}  // namespace rkyolo
