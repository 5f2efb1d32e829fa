// rkyolo::pipeline with synthetic frame sources (no FFmpeg): the demo scenes
// as packed BGR frames (planar YUV frames await the YUV letterbox) through the demo model on the CPU backend and on the
// emulated RK3588 (one Session per NPU core). Order per stream, no drop for
// files, drop-oldest for live sources, per-frame failures, failed sources,
// stop() draining, detections identical to Session::detect, statistics.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <optional>
#include <thread>

#include "rkyolo/pipeline.h"
// ThreadSanitizer's runtime defines operator new itself: under it the
// allocation test is skipped and the counting operators are left out.
#if defined(__SANITIZE_THREAD__)
#define RKYOLO_PIPELINE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RKYOLO_PIPELINE_TSAN 1
#endif
#endif
#ifdef RKYOLO_PIPELINE_TSAN
#define RKYOLO_COUNTING_ALLOCATOR_COUNTER_ONLY 1
#endif
#include "support/counting_allocator.h"
#include "support/test_env.h"
#include "support/watchdog.h"
#include "test_pipeline_source.h"

namespace rkyolo::pipeline {
namespace {

using namespace std::chrono_literals;

constexpr auto kTestLimit = std::chrono::seconds(120);  // each test; a hang ends the process

// ------------------------------------------------------------- frames ----

// One demo scene, packed BGR.
struct Scene {
  int width = 0, height = 0;
  std::vector<std::uint8_t> bgr;
};

const std::vector<Scene>& scenes() {
  static const std::vector<Scene> all = [] {
    std::vector<Scene> s;
    for (int i = 1; i <= 4; ++i) {
      const cv::Mat bgr = cv::imread(test::source_dir() + "/samples/scene" + std::to_string(i) + ".jpg");
      Scene scene{bgr.cols, bgr.rows, {}};
      scene.bgr.assign(bgr.data, bgr.data + bgr.total() * bgr.elemSize());
      s.push_back(std::move(scene));
    }
    return s;
  }();
  return all;
}

void fill_frame(const Scene& scene, std::int64_t index, VideoFrame* frame) {
  frame->format = FrameFormat::kBgr8;
  frame->width = scene.width;
  frame->height = scene.height;
  frame->plane_count = 1;
  frame->planes[0] = scene.bgr.data();
  frame->strides[0] = static_cast<std::size_t>(scene.width) * 3;
  frame->index = index;
}

// Frame i of a synthetic source shows scene i mod 4.
const std::vector<VideoFrame>& scene_frames() {
  static const std::vector<VideoFrame> frames = [] {
    std::vector<VideoFrame> f(scenes().size());
    for (std::size_t i = 0; i < f.size(); ++i) fill_frame(scenes()[i], 0, &f[i]);
    return f;
  }();
  return frames;
}

using test::SyntheticSource;

std::unique_ptr<FrameSource> synthetic(SyntheticSource::Options options) {
  return std::make_unique<SyntheticSource>(&scene_frames(), std::move(options));
}

// -------------------------------------------------------------- sinks ----

struct Record {
  int stream = -1;
  std::int64_t frame = -1;
  std::string error;
  std::vector<Detection> detections;
  bool has_pixels = false;
  double age_ms = 0;
};

struct StreamEvent {
  int stream = -1;
  StreamStatus status = StreamStatus::kStarting;
  std::string why;
};

class RecordingSink final : public Sink {
 public:
  explicit RecordingSink(std::chrono::milliseconds delay = 0ms) : delay_(delay) {}
  void on_stream(const StreamInfo& stream, StreamStatus status, const Status& why) override {
    events.push_back({stream.stream, status, why.message()});
    timeline[stream.stream].push_back(std::string(stream_status_name(status)));
  }
  void on_frame(const FrameResult& r) override {
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    EXPECT_EQ(r.result->tag.stream, r.stream->stream);
    records.push_back({r.stream->stream, r.result->tag.frame, r.error.message(), r.result->detections,
                       r.frame != nullptr && !r.image.empty(), r.age_ms});
    timeline[r.stream->stream].push_back(std::to_string(r.result->tag.frame));
    frames.fetch_add(1);
  }
  void on_stats(const PipelineStats& stats) override {
    last_stats = stats;
    all_stats.push_back(stats);
  }
  Status close() override {
    ++closed;
    return Status();
  }

  std::vector<int64_t> frames_of(int stream) const {
    std::vector<int64_t> out;
    for (const Record& r : records)
      if (r.stream == stream) out.push_back(r.frame);
    return out;
  }

  std::vector<Record> records;
  std::vector<StreamEvent> events;
  std::map<int, std::vector<std::string>> timeline;  // per stream: status names and frame numbers, as told
  PipelineStats last_stats;
  std::vector<PipelineStats> all_stats;
  std::atomic<int> frames{0};
  int closed = 0;

 private:
  std::chrono::milliseconds delay_;
};

std::vector<std::int64_t> iota(std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = i;
  return v;
}

// ------------------------------------------------------------- models ----

std::shared_ptr<const Model> cpu_model() {
  register_builtin_backends();
  DetectorOptions o;
  o.model_path = test::demo_model();
  o.backend = "cpu";
  o.backend_options.cpu.threads = 1;
  std::shared_ptr<const Model> model;
  const Status s = Model::load(o, &model);
  EXPECT_TRUE(s.ok()) << s;
  return model;
}

std::string emulator_lib() {
  return test::binary_dir() + "/emulator/librknnrt.so";
}

std::shared_ptr<const Model> emulated_rk3588_model() {
  register_builtin_backends();
  DetectorOptions o;
  o.model_path = test::binary_dir() + "/test-models/shapes-rk3588.rknn";
  o.backend = "rknn";
  o.backend_options.rknn.library = emulator_lib();
  std::shared_ptr<const Model> model;
  const Status s = Model::load(o, &model);
  EXPECT_TRUE(s.ok()) << s;
  return model;
}

// The emulator computes the graph once per context, then replays its
// outputs: pipeline behaviour at NPU speed on a slow shared CPU.
struct ReplayingEmulator {
  ReplayingEmulator() { setenv("RKNN_EMU_REPLAY", "1", 1); }
  ~ReplayingEmulator() { unsetenv("RKNN_EMU_REPLAY"); }
  ReplayingEmulator(const ReplayingEmulator&) = delete;
  ReplayingEmulator& operator=(const ReplayingEmulator&) = delete;
};

Placement cpu_thread() {
  Placement p;
  p.device = Placement::Device::kCpu;
  p.threads = 1;
  return p;
}

std::unique_ptr<Pipeline> make_pipeline(std::shared_ptr<const Model> model, PipelineOptions options) {
  std::unique_ptr<Pipeline> pipeline;
  const Status s = Pipeline::create(std::move(model), options, &pipeline);
  EXPECT_TRUE(s.ok()) << s;
  return pipeline;
}

PipelineOptions cpu_workers(int n) {
  PipelineOptions o;
  o.placements.assign(static_cast<std::size_t>(n), cpu_thread());
  return o;
}

enum class TestModel {
  kCpu,                      // the demo model on the CPU backend, one thread
  kEmulatedRk3588,           // the emulated RK3588 computing every run
  kEmulatedRk3588Replaying,  // ... computing once per context, then replaying (ReplayingEmulator)
};

// The set-up the tests share: a watchdog over the whole test, the model, a
// pipeline of it, and a run into the test's sink. A test states only what
// differs: the model, the options, the sources and the sink.
class Rig {
 public:
  explicit Rig(TestModel which) {
    if (which == TestModel::kEmulatedRk3588Replaying) replay_.emplace();
    model_ = which == TestModel::kCpu ? cpu_model() : emulated_rk3588_model();
  }

  const std::shared_ptr<const Model>& model() const { return model_; }

  // One worker on each of the model's first `n` placements (NPU cores).
  PipelineOptions npu_workers(int n) const {
    PipelineOptions o;
    o.placements.assign(model_->placements().begin(), model_->placements().begin() + n);
    return o;
  }

  Pipeline* create(const PipelineOptions& options) {
    pipeline_ = make_pipeline(model_, options);
    return pipeline_.get();
  }

  // Streams "file0", "file1", ... of `frames` synthetic frames each.
  void add_files(int streams, int frames) {
    for (int s = 0; s < streams; ++s) pipeline_->add_source("file" + std::to_string(s), synthetic({.frames = frames}));
  }

  // Adds `sink` and runs the pipeline to its end.
  Status run(Sink* sink) {
    pipeline_->add_sink(sink);
    return pipeline_->run();
  }

 private:
  // In this order: the watchdog starts first, and the pipeline ends before
  // the model and the replay setting.
  test::Watchdog watchdog_{kTestLimit};
  std::optional<ReplayingEmulator> replay_;
  std::shared_ptr<const Model> model_;
  std::unique_ptr<Pipeline> pipeline_;
};

// Session::detect on scene i mod 4, the reference for every frame.
std::vector<DetectionResult> reference_results(const Model& model) {
  std::unique_ptr<Session> session;
  EXPECT_TRUE(model.create_session(&session).ok());
  std::vector<DetectionResult> out(scenes().size());
  for (std::size_t i = 0; i < scenes().size(); ++i) {
    VideoFrame frame;
    fill_frame(scenes()[i], 0, &frame);
    EXPECT_TRUE(session->detect(image_view_of(frame), &out[i]).ok());
    EXPECT_FALSE(out[i].detections.empty());
  }
  return out;
}

void expect_same_detections(const std::vector<Detection>& got, const std::vector<Detection>& want,
                            const std::string& where) {
  ASSERT_EQ(got.size(), want.size()) << where;
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].class_id, want[i].class_id) << where;
    EXPECT_EQ(got[i].score, want[i].score) << where;
    EXPECT_EQ(got[i].box.x1, want[i].box.x1) << where;
    EXPECT_EQ(got[i].box.y1, want[i].box.y1) << where;
    EXPECT_EQ(got[i].box.x2, want[i].box.x2) << where;
    EXPECT_EQ(got[i].box.y2, want[i].box.y2) << where;
  }
}

StreamStats stream_stats(const PipelineStats& stats, int stream) {  // a copy: callers pass temporaries
  return stats.streams.at(static_cast<std::size_t>(stream));
}

// -------------------------------------------------------------- tests ----

TEST(Pipeline, FramesOfEachStreamLeaveInOrderWithTheDetectionsOfSessionDetect) {
  Rig rig(TestModel::kCpu);
  ASSERT_TRUE(rig.model());
  const std::vector<DetectionResult> want = reference_results(*rig.model());
  Pipeline* pipeline = rig.create(cpu_workers(3));
  constexpr int kStreams = 3, kFrames = 6;  // the CPU backend is slow on the shared build machine
  rig.add_files(kStreams, kFrames);
  RecordingSink sink;
  ASSERT_TRUE(rig.run(&sink).ok());

  EXPECT_EQ(sink.closed, 1);
  for (int s = 0; s < kStreams; ++s) EXPECT_EQ(sink.frames_of(s), iota(kFrames)) << "stream " << s;
  for (const Record& r : sink.records) {
    EXPECT_TRUE(r.error.empty()) << r.error;
    EXPECT_TRUE(r.has_pixels);
    EXPECT_GE(r.age_ms, 0.0);
    expect_same_detections(r.detections, want[static_cast<std::size_t>(r.frame) % want.size()].detections,
                           "stream " + std::to_string(r.stream) + " frame " + std::to_string(r.frame));
  }
  // Every worker took part.
  const PipelineStats stats = pipeline->stats();
  ASSERT_EQ(stats.workers.size(), 3u);
  std::int64_t by_workers = 0;
  for (const WorkerStats& w : stats.workers) by_workers += w.frames;
  EXPECT_EQ(by_workers, kStreams * kFrames);
}

TEST(Pipeline, EmulatedRk3588OneSessionPerCoreMatchesSessionDetect) {
  Rig rig(TestModel::kEmulatedRk3588);
  ASSERT_TRUE(rig.model());
  ASSERT_EQ(rig.model()->placements().size(), 3u) << "the emulated RK3588 has three NPU cores";
  const std::vector<DetectionResult> want = reference_results(*rig.model());
  Pipeline* pipeline = rig.create(PipelineOptions{});  // one worker per placement
  constexpr int kStreams = 3, kFrames = 5;
  rig.add_files(kStreams, kFrames);
  RecordingSink sink;
  ASSERT_TRUE(rig.run(&sink).ok());

  for (int s = 0; s < kStreams; ++s) EXPECT_EQ(sink.frames_of(s), iota(kFrames)) << "stream " << s;
  for (const Record& r : sink.records)
    expect_same_detections(r.detections, want[static_cast<std::size_t>(r.frame) % want.size()].detections,
                           "stream " + std::to_string(r.stream) + " frame " + std::to_string(r.frame));
  const PipelineStats stats = pipeline->stats();
  ASSERT_EQ(stats.workers.size(), 3u);
  for (const WorkerStats& w : stats.workers) {
    EXPECT_NE(w.placement.find("NPU"), std::string::npos) << w.placement;
    EXPECT_GT(w.frames, 0) << w.placement;
  }
}

TEST(Pipeline, TwoSessionsPerCoreShareEachCoreAndMatchSessionDetect) {
  Rig rig(TestModel::kEmulatedRk3588);
  ASSERT_TRUE(rig.model());
  const std::vector<DetectionResult> want = reference_results(*rig.model());
  PipelineOptions o;
  o.sessions_per_placement = 2;
  Pipeline* pipeline = rig.create(o);
  constexpr int kStreams = 3, kFrames = 5;
  rig.add_files(kStreams, kFrames);
  RecordingSink sink;
  ASSERT_TRUE(rig.run(&sink).ok());

  for (int s = 0; s < kStreams; ++s) EXPECT_EQ(sink.frames_of(s), iota(kFrames)) << "stream " << s;
  for (const Record& r : sink.records)
    expect_same_detections(r.detections, want[static_cast<std::size_t>(r.frame) % want.size()].detections,
                           "stream " + std::to_string(r.stream) + " frame " + std::to_string(r.frame));
  // Two workers per NPU core, next to each other.
  const PipelineStats stats = pipeline->stats();
  ASSERT_EQ(stats.workers.size(), 6u);
  std::int64_t by_workers = 0;
  for (std::size_t i = 0; i < stats.workers.size(); ++i) {
    EXPECT_EQ(stats.workers[i].placement, stats.workers[i / 2 * 2].placement) << i;
    by_workers += stats.workers[i].frames;
  }
  EXPECT_NE(stats.workers[0].placement, stats.workers[2].placement);
  EXPECT_EQ(by_workers, kStreams * kFrames);
}

TEST(Pipeline, FilesNeverDropUnderASlowSink) {
  Rig rig(TestModel::kEmulatedRk3588Replaying);
  ASSERT_TRUE(rig.model());
  PipelineOptions o = rig.npu_workers(2);
  o.queue_frames = 2;
  Pipeline* pipeline = rig.create(o);
  constexpr int kFrames = 40;
  pipeline->add_source("file", synthetic({.frames = kFrames, .pool_frames = 2}));
  RecordingSink sink(5ms);
  ASSERT_TRUE(rig.run(&sink).ok());
  EXPECT_EQ(sink.frames_of(0), iota(kFrames));
  const StreamStats& s = stream_stats(pipeline->stats(), 0);
  EXPECT_EQ(s.decoded, kFrames);
  EXPECT_EQ(s.processed, kFrames);
  EXPECT_EQ(s.dropped, 0);
  EXPECT_EQ(s.status, StreamStatus::kEnded);
}

TEST(Pipeline, LiveSourcesDropTheOldestQueuedFrameAndCountIt) {
  Rig rig(TestModel::kEmulatedRk3588Replaying);
  ASSERT_TRUE(rig.model());
  PipelineOptions o = rig.npu_workers(1);
  o.queue_frames = 2;
  Pipeline* pipeline = rig.create(o);
  constexpr int kFrames = 60;
  // The source's own pool is larger than what the pipeline holds: drops
  // happen in the pipeline's queue.
  pipeline->add_source("camera", synthetic({.frames = kFrames, .live = true, .period = 2ms, .pool_frames = 16}));
  RecordingSink sink(20ms);
  ASSERT_TRUE(rig.run(&sink).ok());

  const std::vector<std::int64_t> got = sink.frames_of(0);
  ASSERT_FALSE(got.empty());
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
  EXPECT_EQ(std::adjacent_find(got.begin(), got.end()), got.end()) << "a frame delivered twice";
  EXPECT_EQ(got.back(), kFrames - 1) << "the newest frame is never the one dropped";
  const StreamStats& s = stream_stats(pipeline->stats(), 0);
  EXPECT_GT(s.dropped, 0);
  EXPECT_EQ(s.dropped_in_source, 0);
  EXPECT_EQ(s.decoded, kFrames);
  EXPECT_EQ(s.processed, static_cast<std::int64_t>(got.size()));
  EXPECT_EQ(s.decoded, s.processed + s.dropped - s.dropped_in_source);
}

TEST(Pipeline, StreamBufferQueuesLiveFramesInsteadOfDropping) {
  Rig rig(TestModel::kEmulatedRk3588Replaying);
  ASSERT_TRUE(rig.model());
  PipelineOptions o = rig.npu_workers(1);
  o.queue_frames = 2;
  o.stream_buffer = true;
  Pipeline* pipeline = rig.create(o);
  constexpr int kFrames = 30;
  pipeline->add_source("camera", synthetic({.frames = kFrames, .live = true, .period = 1ms, .pool_frames = 64}));
  RecordingSink sink(10ms);
  ASSERT_TRUE(rig.run(&sink).ok());
  EXPECT_EQ(sink.frames_of(0), iota(kFrames));
  EXPECT_EQ(stream_stats(pipeline->stats(), 0).dropped, 0);
}

TEST(Pipeline, AFailedFrameIsReportedAndTheStreamGoesOn) {
  Rig rig(TestModel::kEmulatedRk3588Replaying);
  ASSERT_TRUE(rig.model());
  Pipeline* pipeline = rig.create(rig.npu_workers(2));
  constexpr int kFrames = 10;
  pipeline->add_source("file", synthetic({.frames = kFrames, .corrupt = {3}, .without_pixels = {6}}));
  RecordingSink sink;
  ASSERT_TRUE(rig.run(&sink).ok());

  ASSERT_EQ(sink.records.size(), static_cast<std::size_t>(kFrames));
  for (std::size_t i = 0; i < sink.records.size(); ++i) {
    const Record& r = sink.records[i];
    if (i == 3) {  // a decode error: no pixels, no frame index from the source
      EXPECT_EQ(r.frame, -1);
      EXPECT_EQ(r.error, "frame 3 is corrupt.");
      EXPECT_FALSE(r.has_pixels);
      EXPECT_TRUE(r.detections.empty());
    } else if (i == 6) {  // inference failed on this frame
      EXPECT_EQ(r.frame, 6);
      EXPECT_FALSE(r.error.empty());
      EXPECT_TRUE(r.detections.empty());
    } else {
      EXPECT_EQ(r.frame, static_cast<std::int64_t>(i));
      EXPECT_TRUE(r.error.empty()) << r.error;
      EXPECT_FALSE(r.detections.empty());
    }
  }
  const StreamStats& s = stream_stats(pipeline->stats(), 0);
  EXPECT_EQ(s.failed, 2);
  EXPECT_EQ(s.processed, kFrames);
  EXPECT_EQ(s.status, StreamStatus::kEnded);
}

TEST(Pipeline, AFailedInferenceIsReportedForItsFrameAndTheStreamGoesOn) {
  Rig rig(TestModel::kEmulatedRk3588Replaying);
  ASSERT_TRUE(rig.model());
  setenv("RKNN_EMU_FAIL_RUN_AT", "4", 1);  // the 4th rknn_run of each context fails
  Pipeline* pipeline = rig.create(rig.npu_workers(1));
  constexpr int kFrames = 8;
  pipeline->add_source("file", synthetic({.frames = kFrames}));
  RecordingSink sink;
  const Status run = rig.run(&sink);
  unsetenv("RKNN_EMU_FAIL_RUN_AT");
  ASSERT_TRUE(run.ok()) << run;
  EXPECT_EQ(sink.frames_of(0), iota(kFrames));
  int failed = 0;
  for (const Record& r : sink.records) {
    if (r.error.empty()) {
      EXPECT_FALSE(r.detections.empty()) << "frame " << r.frame;
    } else {
      ++failed;
      EXPECT_TRUE(r.detections.empty());
      EXPECT_NE(r.error.find("rknn_run"), std::string::npos) << r.error;
    }
  }
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(stream_stats(pipeline->stats(), 0).failed, 1);
}

TEST(Pipeline, FailingSourcesDoNotStopTheOthers) {
  Rig rig(TestModel::kEmulatedRk3588Replaying);
  ASSERT_TRUE(rig.model());
  Pipeline* pipeline = rig.create(rig.npu_workers(2));
  pipeline->add_failed_source("rtsp://camera.invalid/1", io_error("'rtsp://camera.invalid/1' could not be opened."));
  pipeline->add_source("lost", synthetic({.frames = 4, .end = io_error("'lost' is lost.")}));
  pipeline->add_source("healthy", synthetic({.frames = 12}));
  RecordingSink sink;
  ASSERT_TRUE(rig.run(&sink).ok()) << "source failures are reported per stream, not by run()";

  EXPECT_TRUE(sink.frames_of(0).empty());
  EXPECT_EQ(sink.frames_of(1), iota(4));
  EXPECT_EQ(sink.frames_of(2), iota(12));
  std::map<int, std::vector<StreamStatus>> statuses;
  for (const StreamEvent& e : sink.events) {
    statuses[e.stream].push_back(e.status);
    if (e.status == StreamStatus::kFailed) {
      EXPECT_EQ(e.why, e.stream == 0 ? "'rtsp://camera.invalid/1' could not be opened." : "'lost' is lost.");
    }
  }
  EXPECT_EQ(statuses[0], std::vector<StreamStatus>{StreamStatus::kFailed});
  EXPECT_EQ(statuses[1], (std::vector<StreamStatus>{StreamStatus::kOnline, StreamStatus::kFailed}));
  EXPECT_EQ(statuses[2], (std::vector<StreamStatus>{StreamStatus::kOnline, StreamStatus::kEnded}));
  const PipelineStats stats = pipeline->stats();
  EXPECT_EQ(stream_stats(stats, 0).status, StreamStatus::kFailed);
  EXPECT_EQ(stream_stats(stats, 1).status, StreamStatus::kFailed);
  EXPECT_EQ(stream_stats(stats, 2).status, StreamStatus::kEnded);
}

// A live source that loses its connection twice: the sinks hear
// reconnecting after the frames before each loss and online again before
// the first frame after it; the other stream hears nothing of it.
TEST(Pipeline, ALostConnectionIsToldInOrderWithTheFramesAndTheOtherStreamIsUnaffected) {
  Rig rig(TestModel::kEmulatedRk3588Replaying);
  ASSERT_TRUE(rig.model());
  PipelineOptions o = rig.npu_workers(2);
  o.stream_buffer = true;  // no frame dropped: the expected order is exact
  Pipeline* pipeline = rig.create(o);
  constexpr int kFrames = 10;
  pipeline->add_source(
      "camera", synthetic({.frames = kFrames, .live = true, .period = 1ms, .lost_before = {3, 7}, .pool_frames = 32}));
  pipeline->add_source("other", synthetic({.frames = kFrames, .live = true, .period = 1ms, .pool_frames = 32}));
  RecordingSink sink(2ms);
  ASSERT_TRUE(rig.run(&sink).ok());

  const std::vector<std::string> want0 = {"online", "0", "1", "2",    "reconnecting", "online",
                                          "3",      "4", "5", "6",    "reconnecting", "online",
                                          "7",      "8", "9", "ended"};
  const std::vector<std::string> want1 = {"online", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "ended"};
  EXPECT_EQ(sink.timeline[0], want0);
  EXPECT_EQ(sink.timeline[1], want1);
  for (const StreamEvent& e : sink.events) {
    if (e.status != StreamStatus::kReconnecting) {
      EXPECT_EQ(e.why, "") << "stream " << e.stream << " " << stream_status_name(e.status);
      continue;
    }
    EXPECT_EQ(e.stream, 0);
    EXPECT_TRUE(e.why == "synthetic lost its connection before frame 3." ||
                e.why == "synthetic lost its connection before frame 7.")
        << e.why;
  }
  const PipelineStats stats = pipeline->stats();
  EXPECT_EQ(stream_stats(stats, 0).reconnects, 2);
  EXPECT_EQ(stream_stats(stats, 0).status, StreamStatus::kEnded);
  EXPECT_EQ(stream_stats(stats, 1).reconnects, 0);
}

TEST(Pipeline, StopMidRunDrainsEveryQueuedFrameAndClosesTheSinks) {
  Rig rig(TestModel::kEmulatedRk3588Replaying);
  ASSERT_TRUE(rig.model());
  Pipeline* pipeline = rig.create(PipelineOptions{});
  constexpr int kFrames = 100000;  // would run for hours
  pipeline->add_source("file0", synthetic({.frames = kFrames}));
  pipeline->add_source("file1", synthetic({.frames = kFrames}));
  RecordingSink sink;
  std::thread stopper([&] {
    while (sink.frames.load() < 50) std::this_thread::sleep_for(1ms);
    pipeline->stop();  // as the CLI's signal thread does
  });
  const Status run = rig.run(&sink);
  stopper.join();
  ASSERT_TRUE(run.ok()) << run;
  EXPECT_EQ(sink.closed, 1);
  const PipelineStats stats = pipeline->stats();
  for (int s = 0; s < 2; ++s) {
    const std::vector<std::int64_t> got = sink.frames_of(s);
    EXPECT_LT(got.size(), 1000u);
    EXPECT_EQ(got, iota(static_cast<std::int64_t>(got.size()))) << "stream " << s << ": nothing lost in flight";
    EXPECT_EQ(stream_stats(stats, s).decoded, stream_stats(stats, s).processed);
    EXPECT_EQ(stream_stats(stats, s).status, StreamStatus::kEnded);
  }
}

TEST(Pipeline, StatisticsAddUpAndReadAsJson) {
  Rig rig(TestModel::kEmulatedRk3588Replaying);
  ASSERT_TRUE(rig.model());
  PipelineOptions o = rig.npu_workers(2);
  o.stats_interval = 10ms;
  Pipeline* pipeline = rig.create(o);
  pipeline->add_source("a \"quoted\" \\ name\n", synthetic({.frames = 8, .corrupt = {2}}));
  pipeline->add_source("b", synthetic({.frames = 5}));
  RecordingSink sink;
  ASSERT_TRUE(rig.run(&sink).ok());

  const PipelineStats stats = pipeline->stats();
  EXPECT_GT(stats.wall_s, 0.0);
  EXPECT_GT(stats.cpu_s, 0.0);
  // on_stats at the end got the final figures.
  ASSERT_EQ(sink.last_stats.streams.size(), 2u);
  EXPECT_EQ(sink.last_stats.streams[0].processed, 8);
  std::int64_t inferred = 0;
  for (int s = 0; s < 2; ++s) {
    const StreamStats& st = stream_stats(stats, s);
    EXPECT_EQ(st.decoded, st.processed + st.dropped - st.dropped_in_source);
    EXPECT_EQ(st.age.count, st.processed);
    EXPECT_EQ(st.inference.count, st.processed - st.failed);
    EXPECT_LE(st.age.p50_ms, st.age.p99_ms);
    EXPECT_LE(st.age.p99_ms, st.age.max_ms);
    EXPECT_NEAR(st.fps_out, static_cast<double>(st.processed) / stats.wall_s, 1e-9);
    inferred += st.inference.count;
  }
  EXPECT_EQ(stream_stats(stats, 0).failed, 1);  // the corrupt frame never reached a worker
  std::int64_t by_workers = 0;
  for (const WorkerStats& w : stats.workers) {
    by_workers += w.frames;
    EXPECT_GT(w.busy_fraction, 0.0);
    EXPECT_LE(w.busy_fraction, 1.0);
  }
  EXPECT_EQ(by_workers, inferred);

  // The JSON reads back with Python's json module, names escaped.
  const std::string json = stats_json(stats);
  const std::string path = test::temp_dir("pipeline_stats") + "/stats.json";
  std::ofstream(path) << json;
  const std::string py = test::python3().empty() ? "/usr/bin/python3" : test::python3();
  const test::CommandResult check =
      test::run_command({py, "-c",
                         "import json,sys; d=json.load(open(sys.argv[1])); s=d['streams'];"
                         "print(s[0]['source'] == 'a \"quoted\" \\\\ name\\n', s[0]['processed'], s[1]['status'],"
                         " len(d['workers']), s[0]['age_ms']['count'])",
                         path});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out, "True 8 ended 2 8\n") << json;
}

// Periodic statistics carry the window that just ended: windows follow each
// other without a gap (their counts add up to the totals, their durations to
// the wall time) and their rates are their counts over their duration.
TEST(Pipeline, StatsWindowsAddUpToTheTotalsAndTheirRatesAreCountsOverTheirDuration) {
  Rig rig(TestModel::kEmulatedRk3588Replaying);
  ASSERT_TRUE(rig.model());
  PipelineOptions o = rig.npu_workers(1);
  o.queue_frames = 2;
  o.stats_interval = 10ms;
  Pipeline* pipeline = rig.create(o);
  constexpr int kFrames = 40;
  pipeline->add_source("file", synthetic({.frames = kFrames, .corrupt = {5, 30}}));
  pipeline->add_source("camera", synthetic({.frames = kFrames, .live = true, .period = 1ms, .pool_frames = 16}));
  RecordingSink sink(3ms);  // at least 80 frames x 3 ms: several windows
  ASSERT_TRUE(rig.run(&sink).ok());

  ASSERT_GE(sink.all_stats.size(), 3u);
  const PipelineStats& final_stats = sink.all_stats.back();
  double durations = 0;
  for (const PipelineStats& st : sink.all_stats) durations += st.streams.at(0).window.duration_s;
  EXPECT_NEAR(durations, final_stats.wall_s, 1e-6);
  for (int s = 0; s < 2; ++s) {
    StreamWindow sum;
    std::int64_t age_count = 0, inferred = 0;
    for (const PipelineStats& st : sink.all_stats) {
      const StreamWindow& w = st.streams.at(static_cast<std::size_t>(s)).window;
      ASSERT_GT(w.duration_s, 0.0);
      EXPECT_EQ(w.duration_s, st.streams.at(0).window.duration_s) << "one window for every stream";
      EXPECT_EQ(w.fps_in, static_cast<double>(w.decoded) / w.duration_s);
      EXPECT_EQ(w.fps_out, static_cast<double>(w.processed) / w.duration_s);
      EXPECT_EQ(w.age.count, w.processed);  // a frame's age is taken as it is handed to the sinks
      EXPECT_LE(w.age.p50_ms, w.age.p99_ms);
      EXPECT_LE(w.age.p99_ms, w.age.max_ms);
      sum.decoded += w.decoded;
      sum.processed += w.processed;
      sum.dropped += w.dropped;
      sum.failed += w.failed;
      age_count += w.age.count;
      inferred += w.inference.count;  // when inferred: maybe a window before it is processed
    }
    const StreamStats& total = final_stats.streams.at(static_cast<std::size_t>(s));
    EXPECT_EQ(sum.decoded, total.decoded) << "stream " << s;
    EXPECT_EQ(sum.processed, total.processed) << "stream " << s;
    EXPECT_EQ(sum.dropped, total.dropped) << "stream " << s;
    EXPECT_EQ(sum.failed, total.failed) << "stream " << s;
    EXPECT_EQ(age_count, total.age.count) << "stream " << s;
    EXPECT_EQ(inferred, total.inference.count) << "stream " << s;
  }
  EXPECT_EQ(final_stats.streams[0].decoded, kFrames);
  EXPECT_EQ(final_stats.streams[0].failed, 2);
  EXPECT_GT(final_stats.streams[1].dropped, 0) << "the live stream outran the slow sink";
  // Pipeline::stats() after the run: the last window, as on_stats got it.
  EXPECT_EQ(pipeline->stats().streams[1].window.processed, final_stats.streams[1].window.processed);

  // The window in the JSON.
  const std::string json = stats_json(final_stats);
  const std::string path = test::temp_dir("pipeline_window") + "/stats.json";
  std::ofstream(path) << json;
  const std::string py = test::python3().empty() ? "/usr/bin/python3" : test::python3();
  const test::CommandResult check = test::run_command(
      {py, "-c",
       "import json,sys; w=json.load(open(sys.argv[1]))['streams'][1]['window'];"
       "print(sorted(w), w['processed'] == w['age_ms']['count'], abs(w['fps_out'] - w['processed'] / w['duration_s'])"
       " <= 1e-5 * max(1, w['fps_out']))",
       path});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out,
            "['age_ms', 'decoded', 'dropped', 'duration_s', 'failed', 'fps_in', 'fps_out', 'inference_ms', "
            "'processed'] True True\n")
      << json;
}

TEST(Pipeline, NoAllocationPerFrameOnceWarm) {
#ifdef RKYOLO_PIPELINE_TSAN
  GTEST_SKIP() << "ThreadSanitizer's runtime owns operator new: allocations are counted in the other builds";
#endif
  Rig rig(TestModel::kEmulatedRk3588Replaying);  // the emulator's own graph runs allocate; replayed runs do not
  ASSERT_TRUE(rig.model());
  Pipeline* pipeline = rig.create(PipelineOptions{});
  constexpr int kFrames = 100;
  // One scene: a Session is warm once it has seen a source size (the
  // letterbox caches one) and a frame's number of detections.
  const std::vector<VideoFrame> one_scene = {scene_frames()[0]};
  pipeline->add_source("file0",
                       std::make_unique<SyntheticSource>(&one_scene, SyntheticSource::Options{.frames = kFrames}));
  pipeline->add_source("file1",
                       std::make_unique<SyntheticSource>(&one_scene, SyntheticSource::Options{.frames = kFrames}));

  // Counts every allocation in the process (decoders, workers, this sink
  // thread) once warm: every worker has run (a Session warms up on its first
  // frame) and each stream has cycled through its ring of reused results
  // (queue_frames + 2 x workers = 10), until before any thread ends.
  constexpr int kRingCycle = 12;
  class CountingSink final : public Sink {
   public:
    explicit CountingSink(Pipeline* p) : pipeline_(p) {}
    void on_frame(const FrameResult& r) override {
      ++frames;
      ++per_stream[r.stream->stream];
      if (!r.error.ok()) ++errors;
      // Stop well before any source or decode thread ends (each stream is
      // then about 25 frames from its end; a source runs at most 18 ahead).
      if (frames == 2 * kFrames - 50 && counter) {
        allocations = counter->count();
        counter.reset();
      }
      if (counted_from == 0 && per_stream[0] >= kRingCycle && per_stream[1] >= kRingCycle && all_workers_warm()) {
        counted_from = frames;
        counter.emplace();
      }
    }
    bool all_workers_warm() const {
      const PipelineStats stats = pipeline_->stats();
      return std::all_of(stats.workers.begin(), stats.workers.end(), [](const WorkerStats& w) { return w.frames > 0; });
    }
    int frames = 0, errors = 0, counted_from = 0;
    int per_stream[2] = {0, 0};
    long allocations = -1;
    std::optional<test::AllocationCounter> counter;

   private:
    Pipeline* pipeline_;
  } sink(pipeline);
  const Status run = rig.run(&sink);
  ASSERT_TRUE(run.ok()) << run;
  EXPECT_EQ(sink.frames, 2 * kFrames);
  EXPECT_EQ(sink.errors, 0);
  EXPECT_GT(sink.counted_from, 0);
  EXPECT_LT(sink.counted_from, kFrames + 2 * kRingCycle) << "too few frames counted";
  EXPECT_EQ(sink.allocations, 0);
}

TEST(Pipeline, BadOptionsAreOneSentence) {
  auto model = cpu_model();
  ASSERT_TRUE(model);
  std::unique_ptr<Pipeline> pipeline;
  PipelineOptions o = cpu_workers(1);
  o.queue_frames = 0;
  const Status s = Pipeline::create(model, o, &pipeline);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "the pipeline's queue must hold at least 1 frame per stream, not 0.");
  EXPECT_EQ(Pipeline::create(nullptr, cpu_workers(1), &pipeline).message(), "the pipeline needs a model.");
  o = cpu_workers(1);
  o.sessions_per_placement = 0;
  EXPECT_EQ(Pipeline::create(model, o, &pipeline).message(),
            "the pipeline needs at least 1 session per placement, not 0.");

  auto ok = make_pipeline(model, cpu_workers(1));
  ASSERT_TRUE(ok->run().ok());  // no sources: ends at once
  EXPECT_EQ(ok->run().message(), "Pipeline::run() was already called: a pipeline runs once.");
}

}  // namespace
}  // namespace rkyolo::pipeline
