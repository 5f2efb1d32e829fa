// rkyolo::pipeline: many streams through N workers (one Session each: one
// per NPU core), in order per stream, with bounded queues and a frame pool.
//
// The sink and source interfaces below are what the CLI outputs (annotated
// video, JSON lines, live view, MQTT, tracking) are written against;
// changing these signatures needs every sink updated in the same commit.
//
// Core library only (no FFmpeg, no OpenCV): frame sources are an interface;
// rkyolo_video's VideoSource is one, tests use synthetic ones.
//
//   decode (one thread per source) -> preprocess+infer+post (N workers)
//     -> reorder per stream -> sinks (one thread; frames of a stream in order)
//
// Policies: sources that are not live (files) never drop a frame: decoding
// waits for the workers (backpressure). Live sources keep latency bounded by
// dropping the oldest queued frame, counted per stream (`stream_buffer`
// queues instead). A frame that fails (corrupt, inference error) reaches the
// sinks with its error and the stream goes on.
//
// Memory: every queue, the reorder window and the latency histograms are
// sized when sources are added; once each Session is warm (one frame per
// source size) a frame allocates nothing in the pipeline.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rkyolo/detection.h"
#include "rkyolo/frame.h"
#include "rkyolo/image.h"
#include "rkyolo/model.h"
#include "rkyolo/status.h"

namespace rkyolo::pipeline {

enum class StreamStatus : int {
  kStarting,      // opening
  kOnline,        // frames flowing
  kReconnecting,  // live source lost, backing off
  kEnded,         // file ended or stop() (normal)
  kFailed,        // could not open, or gave up reconnecting (status says why)
};
std::string_view stream_status_name(StreamStatus status);  // "starting", "online", ...

struct StreamInfo {
  int stream = 0;               // index in the run, in --source order
  std::string source;           // as the user wrote it
  FrameSourceInfo source_info;  // size, fps, live, decoder (filled once open)
};

// Latency quantiles over a run, from a fixed log-scale histogram (bins 2.2%
// wide: quantiles are within about 1.1% of the exact ones; max is exact).
struct Latency {
  std::int64_t count = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

// The figures of one stats window: the `stats_interval` that just ended (the
// last one ends with the run; without an interval the run is one window).
// Windows follow each other without a gap: a count summed over every
// window on_stats received is the total. Rates are counts / duration_s.
struct StreamWindow {
  double duration_s = 0;
  std::int64_t decoded = 0, processed = 0, dropped = 0, failed = 0;
  double fps_in = 0, fps_out = 0;  // decoded and processed per second of the window
  Latency age;                     // of the frames processed in the window
  Latency inference;
};

// Counts since run() started. They add up: decoded = processed + dropped -
// dropped_in_source + (frames still in flight, 0 once run() returned).
struct StreamStats {
  int stream = 0;
  std::string source;
  StreamStatus status = StreamStatus::kStarting;
  std::int64_t decoded = 0;            // frames (and per-frame decode errors) read from the source
  std::int64_t processed = 0;          // results handed to the sinks, failed ones included
  std::int64_t dropped = 0;            // live frames dropped: by the pipeline (oldest queued) plus by the source
  std::int64_t dropped_in_source = 0;  // the source's share of `dropped` (its own pool was full)
  std::int64_t skipped = 0;            // left out by the source's vid_stride
  std::int64_t failed = 0;             // processed frames with an error (corrupt, inference failed)
  std::int64_t reconnects = 0;
  double fps_in = 0, fps_out = 0;  // decoded and processed per second of the run
  Latency age;                     // capture -> result handed to the sinks
  Latency inference;               // Session::detect (preprocess + inference + post-process)
  StreamWindow window;             // the last stats window that ended
};

struct WorkerStats {
  std::string placement;  // to_string(Placement)
  std::int64_t frames = 0;
  double busy_fraction = 0;  // share of wall time spent in detect()
  Latency inference;
};

struct PipelineStats {
  double wall_s = 0;
  double cpu_s = 0;  // process CPU time since run() started
  std::vector<StreamStats> streams;
  std::vector<WorkerStats> workers;
};

// The statistics as one JSON object (what --stats FILE writes):
// {"wall_s":..,"cpu_s":..,"streams":[{"stream":0,"source":"..","status":"ended",
//  "decoded":..,..,"age_ms":{"count":..,"p50":..,"p99":..,"max":..},"inference_ms":{..},
//  "window":{"duration_s":..,"decoded":..,"processed":..,"dropped":..,"failed":..,"fps_in":..,
//  "fps_out":..,"age_ms":{..},"inference_ms":{..}}}],
//  "workers":[{"placement":"NPU core 0","frames":..,"busy_fraction":..,"inference_ms":{..}}]}
std::string stats_json(const PipelineStats& stats);

// One processed frame, handed to sinks in order per stream. Everything is
// valid only during the call.
struct FrameResult {
  const StreamInfo* stream = nullptr;
  const VideoFrame* frame = nullptr;        // decoded pixels (null when the frame failed to decode)
  ImageView image;                          // view of *frame (NV12 / YUV420P / BGR)
  const DetectionResult* result = nullptr;  // tag filled: stream, frame, pts_ms, capture_time
                                            // (a decode error: frame -1 when the source cannot place it)
  double age_ms = 0;                        // capture to result
  Status error;                             // not ok: this frame failed; result holds no detections
};

// An output. Calls come from the pipeline's sink thread, never concurrently.
// A sink must not block for long (slow consumers drop, see the web view).
class Sink {
 public:
  virtual ~Sink() = default;
  // kOnline when the run starts, kReconnecting / kOnline as a live source
  // loses its connection and comes back (in order with the stream's frames:
  // after the frames before the loss, before the first one after it), then
  // kEnded or kFailed after its last frame.
  virtual void on_stream(const StreamInfo& stream, StreamStatus status, const Status& why) {
    (void)stream, (void)status, (void)why;
  }
  virtual void on_frame(const FrameResult& result) = 0;
  // Every stats_interval (each stream's `window` is that interval) and once
  // at the end (the window since the last call).
  virtual void on_stats(const PipelineStats& stats) { (void)stats; }
  // End of the run (normal, Ctrl-C or error): finalize files. The first
  // error is reported by run().
  virtual Status close() { return Status(); }
};

// A step between the workers and the sinks (tracking): called on the sink
// thread for every frame that did not fail, the frames of a stream in order,
// before any sink sees the frame; it may change the detections. Must not
// block for long.
class FrameStage {
 public:
  virtual ~FrameStage() = default;
  virtual void process(const StreamInfo& stream, DetectionResult* result) = 0;
  // No frame of the stream follows (it ended or failed): before the sinks
  // hear of it.
  virtual void end_stream(const StreamInfo& stream) { (void)stream; }
};

struct PipelineOptions {
  // Workers: one Session per entry; empty = one per model->placements().
  std::vector<Placement> placements;
  // Sessions (workers) per placement. A Session's detect() is synchronous:
  // with one per NPU core the core idles while its worker letterboxes and
  // decodes. With 2, one worker prepares a frame while the other's runs, and
  // the runtime queues their runs on the core.
  int sessions_per_placement = 1;
  int queue_frames = 4;                         // per stream, between decode and the workers (at least 1)
  bool stream_buffer = false;                   // live sources queue instead of dropping the oldest frame
  std::chrono::milliseconds stats_interval{0};  // on_stats every interval (0: only at the end)
};

class Pipeline {
 public:
  static Status create(std::shared_ptr<const Model> model, const PipelineOptions& options,
                       std::unique_ptr<Pipeline>* out);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Before run(). A source that failed to open is added as failed (its
  // sinks see kFailed with the reason) and the others go on.
  void add_source(std::string name, std::unique_ptr<FrameSource> source);
  void add_failed_source(std::string name, Status why);
  void add_sink(Sink* sink);          // not owned; outlives run()
  void add_stage(FrameStage* stage);  // not owned; outlives run(); in the order added

  // Runs until every source ends or stop(); then drains, closes sinks and
  // returns the first sink error (frame errors are counted, not returned).
  // Once per Pipeline.
  Status run();
  // Thread-safe; callable from a signal-watching thread. Sources stop,
  // queued frames drain through the sinks.
  void stop();
  PipelineStats stats() const;

  struct Impl;

 private:
  explicit Pipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rkyolo::pipeline
