// The multi-stream pipeline: one decode thread per source, N workers with a
// Session each, and the sink thread (the one that calls run()).
//
// One mutex guards the scheduling state. Each stream keeps its frames in a
// fixed ring, oldest first: [done or running ... | queued ...]. Decoders
// append queued jobs; workers take a stream's first queued job (streams in
// turn); the sink thread hands the ring's head to the sinks once it is done,
// so frames of a stream leave in order whatever worker finished first.
// A source's state changes wait in a small per-stream queue, each placed
// after the frames pushed before it.
#include "rkyolo/pipeline.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <system_error>
#include <thread>

#include "pipeline/latency_histogram.h"

namespace rkyolo::pipeline {
namespace {

using SteadyClock = std::chrono::steady_clock;
using detail::LatencyHistogram;

// How long a decoder waits in read() before looking at the stop flag again.
constexpr std::chrono::milliseconds kReadSlice{100};

double ms_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

enum class JobState : int { kQueued, kRunning, kDone };

struct Job {
  JobState state = JobState::kQueued;
  std::int64_t seq = 0;  // its place in the stream: the n-th job pushed
  FrameLease lease;      // empty for a decode error
  Status error;
  DetectionResult result;  // reused: its detections keep their capacity
};

void swap(Job& a, Job& b) noexcept {
  std::swap(a.state, b.state);
  std::swap(a.seq, b.seq);
  std::swap(a.lease, b.lease);
  std::swap(a.error, b.error);
  std::swap(a.result, b.result);
}

struct Stream {
  StreamInfo info;
  std::unique_ptr<FrameSource> source;  // null: failed to open
  Status why;                           // failed to open, or the source's end status
  bool drop_oldest = false;

  // The ring: `count` jobs from `head`, the first `started` of them running
  // or done, the rest queued.
  std::vector<Job> ring;
  std::size_t head = 0, count = 0, started = 0;
  std::size_t queued() const { return count - started; }
  Job& at(std::size_t i) { return ring[(head + i) % ring.size()]; }

  StreamStatus status = StreamStatus::kStarting;
  bool decoding = false;  // its decode thread runs
  bool reported_open = false, reported_end = false;

  // State changes of the source not yet told to the sinks, oldest first:
  // each goes out once every job pushed before it (seq < after) has left.
  struct StateChange {
    StreamStatus status = StreamStatus::kOnline;
    Status why;
    std::int64_t after = 0;
  };
  static constexpr std::size_t kStateChanges = 4;
  std::array<StateChange, kStateChanges> changes;
  std::size_t change_head = 0, change_count = 0;
  StateChange& change(std::size_t i) { return changes[(change_head + i) % kStateChanges]; }

  std::int64_t decoded = 0, processed = 0, dropped = 0, failed = 0;
  LatencyHistogram age, inference;

  // The stats window: histograms of the open one, totals when it opened,
  // and the last one closed.
  LatencyHistogram window_age, window_inference;
  std::int64_t base_decoded = 0, base_processed = 0, base_dropped = 0, base_failed = 0;
  StreamWindow last_window;
};

struct Worker {
  std::unique_ptr<Session> session;
  std::int64_t frames = 0;
  double busy_ms = 0;
  LatencyHistogram inference;
};

}  // namespace

struct Pipeline::Impl {
  std::shared_ptr<const Model> model;
  PipelineOptions options;
  std::vector<std::unique_ptr<Stream>> streams;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<Sink*> sinks;
  std::vector<FrameStage*> stages;

  mutable std::mutex mu;
  std::condition_variable work_cv;   // workers: a job was queued, or decoding ended
  std::condition_variable space_cv;  // decoders: room in a stream's ring
  std::condition_variable sink_cv;   // the sink thread: a head job is done, a stream ended
  bool stopping = false;
  bool ran = false;
  int decoders_running = 0;
  std::size_t next_stream = 0;  // where workers start looking (streams in turn)
  SteadyClock::time_point start_time;
  double start_cpu_s = 0;
  bool running = false;
  double final_wall_s = 0, final_cpu_s = 0;
  SteadyClock::time_point window_start;

  std::size_t in_flight_limit() const { return 2 * workers.size(); }

  // Threads.
  void decode(Stream& stream);
  void work(Worker& worker);
  Status sink_loop();

  // Under mu.
  void push_locked(Stream& stream, std::unique_lock<std::mutex>& lock, FrameLease lease, Status error);
  void change_state_locked(Stream& stream, std::unique_lock<std::mutex>& lock, const ReadResult& read);
  Job* take_locked(Stream** from);
  bool all_reported_locked() const;
  PipelineStats stats_locked() const;
  void close_window_locked(SteadyClock::time_point now);

  void report_stream(Stream& stream, StreamStatus status, const Status& why);
  void emit(Stream& stream, Job& job);
};

Pipeline::Pipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Pipeline::~Pipeline() = default;

Status Pipeline::create(std::shared_ptr<const Model> model, const PipelineOptions& options,
                        std::unique_ptr<Pipeline>* out) {
  if (!model) return invalid_argument(MessageId::kPipelineNoModel);
  if (options.sessions_per_placement < 1)
    return invalid_argument(MessageId::kPipelineSessions, {{"sessions", options.sessions_per_placement}});
  if (options.queue_frames < 1) return invalid_argument(MessageId::kPipelineQueue, {{"frames", options.queue_frames}});
  auto impl = std::make_unique<Impl>();
  impl->model = std::move(model);
  impl->options = options;
  const std::vector<Placement>& placements =
      options.placements.empty() ? impl->model->placements() : options.placements;
  for (const Placement& placement : placements) {
    for (int k = 0; k < options.sessions_per_placement; ++k) {
      auto worker = std::make_unique<Worker>();
      RKYOLO_RETURN_IF_ERROR(impl->model->create_session(placement, &worker->session));
      impl->workers.push_back(std::move(worker));
    }
  }
  if (impl->workers.empty()) return invalid_argument(MessageId::kPipelineNoWorkers);
  out->reset(new Pipeline(std::move(impl)));
  return Status::ok_status();
}

void Pipeline::add_source(std::string name, std::unique_ptr<FrameSource> source) {
  auto stream = std::make_unique<Stream>();
  stream->info.stream = static_cast<int>(impl_->streams.size());
  stream->info.source = std::move(name);
  if (!source) {
    stream->why = invalid_argument(MessageId::kPipelineSourceMissing, {{"source", stream->info.source}});
    stream->status = StreamStatus::kFailed;
  } else {
    stream->info.source_info = source->info();
    stream->drop_oldest = stream->info.source_info.live && !impl_->options.stream_buffer;
    stream->ring.resize(static_cast<std::size_t>(impl_->options.queue_frames) + impl_->in_flight_limit());
    stream->source = std::move(source);
  }
  std::lock_guard lock(impl_->mu);
  impl_->streams.push_back(std::move(stream));
}

void Pipeline::add_failed_source(std::string name, Status why) {
  auto stream = std::make_unique<Stream>();
  stream->info.stream = static_cast<int>(impl_->streams.size());
  stream->info.source = std::move(name);
  stream->why =
      why.ok() ? io_error(MessageId::kPipelineSourceNotOpened, {{"source", stream->info.source}}) : std::move(why);
  stream->status = StreamStatus::kFailed;
  std::lock_guard lock(impl_->mu);
  impl_->streams.push_back(std::move(stream));
}

void Pipeline::add_sink(Sink* sink) {
  if (sink != nullptr) impl_->sinks.push_back(sink);
}

void Pipeline::add_stage(FrameStage* stage) {
  if (stage != nullptr) impl_->stages.push_back(stage);
}

void Pipeline::stop() {
  std::lock_guard lock(impl_->mu);
  impl_->stopping = true;
  for (auto& stream : impl_->streams)
    if (stream->source) stream->source->stop();
  impl_->space_cv.notify_all();
}

PipelineStats Pipeline::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats_locked();
}

// ------------------------------------------------------------------ run ----

Status Pipeline::run() {
  Impl& p = *impl_;
  std::vector<std::thread> threads;
  Status started;
  {
    std::lock_guard lock(p.mu);
    if (p.ran) return invalid_argument(MessageId::kPipelineRunTwice);
    p.ran = true;
    p.running = true;
    p.start_time = SteadyClock::now();
    p.window_start = p.start_time;
    p.start_cpu_s = process_cpu_seconds();
    // Every decoder counts as running before any thread starts: a worker
    // leaves only once no decoder runs and nothing is queued.
    for (auto& stream : p.streams) {
      if (!stream->source) continue;
      stream->decoding = true;
      stream->status = StreamStatus::kOnline;
      ++p.decoders_running;
    }
  }
  threads.reserve(p.workers.size() + p.streams.size());
  std::size_t next_decoder = 0;
  try {
    for (auto& worker : p.workers) threads.emplace_back([&p, w = worker.get()] { p.work(*w); });
    for (; next_decoder < p.streams.size(); ++next_decoder) {
      Stream* stream = p.streams[next_decoder].get();
      if (stream->source) threads.emplace_back([&p, stream] { p.decode(*stream); });
    }
  } catch (const std::system_error& e) {
    started = Status(StatusCode::kOutOfMemory, Message(MessageId::kPipelineThreads, {{"reason", e.what()}}));
    stop();
    std::lock_guard lock(p.mu);
    for (; next_decoder < p.streams.size(); ++next_decoder) {  // the streams whose decoder did not start
      Stream& stream = *p.streams[next_decoder];
      if (!stream.source) continue;
      stream.decoding = false;
      stream.status = StreamStatus::kFailed;
      stream.why = started;
      --p.decoders_running;
    }
    p.work_cv.notify_all();
  }
  // Workers start before decoders: whatever was queued has a worker to run it.
  Status result = p.sink_loop();
  for (std::thread& thread : threads) thread.join();
  return started.ok() ? result : started;
}

void Pipeline::Impl::decode(Stream& stream) {
  FrameSource& source = *stream.source;
  FrameLease lease;
  Status end;
  for (;;) {
    ReadResult read = source.read(lease, SteadyClock::now() + kReadSlice);
    if (read.event == ReadEvent::kTimeout) continue;  // stop() ends the source's waits: kEnd follows
    if (read.event == ReadEvent::kEnd) {
      end = std::move(read.status);
      break;
    }
    std::unique_lock lock(mu);
    if (read.event == ReadEvent::kStateChanged) {
      change_state_locked(stream, lock, read);
      continue;
    }
    push_locked(stream, lock, std::move(lease), read.event == ReadEvent::kFrame ? Status() : std::move(read.status));
  }
  std::lock_guard lock(mu);
  stream.decoding = false;
  stream.status = end.ok() ? StreamStatus::kEnded : StreamStatus::kFailed;
  stream.why = std::move(end);
  --decoders_running;
  work_cv.notify_all();
  sink_cv.notify_all();
}

void Pipeline::Impl::change_state_locked(Stream& stream, std::unique_lock<std::mutex>& lock, const ReadResult& read) {
  // Rare (a connection lost or back): waits in the unlikely case that the
  // sinks have not yet heard of the last few changes.
  space_cv.wait(lock, [&] { return stream.change_count < Stream::kStateChanges; });
  Stream::StateChange& change = stream.change(stream.change_count++);
  change.status = read.state == SourceState::kReconnecting ? StreamStatus::kReconnecting : StreamStatus::kOnline;
  change.why = read.status;
  change.after = stream.decoded;
  stream.status = change.status;
  sink_cv.notify_one();
}

void Pipeline::Impl::push_locked(Stream& stream, std::unique_lock<std::mutex>& lock, FrameLease lease, Status error) {
  const std::size_t limit = static_cast<std::size_t>(options.queue_frames);
  ++stream.decoded;
  if (stream.drop_oldest) {
    if (stream.queued() >= limit) {
      // Drop the oldest queued frame: swap it to the end of the ring (the
      // order of the others kept, no buffer freed), then forget it.
      for (std::size_t i = stream.started; i + 1 < stream.count; ++i) swap(stream.at(i), stream.at(i + 1));
      Job& dropped = stream.at(stream.count - 1);
      dropped.lease.reset();
      --stream.count;
      ++stream.dropped;
    }
  } else {
    // Backpressure; the ring always has room for `limit` queued jobs
    // beside the in-flight ones.
    space_cv.wait(lock, [&] { return stream.queued() < limit; });
  }
  Job& job = stream.at(stream.count++);
  job.state = JobState::kQueued;
  job.seq = stream.decoded - 1;
  job.result.detections.clear();
  job.result.image_width = job.result.image_height = 0;
  job.result.timing = StageTiming{};
  job.result.tag.stream = stream.info.stream;
  if (lease) {
    job.result.tag.frame = lease->index;
    job.result.tag.pts_ms = lease->pts_ms;
    job.result.tag.capture_time = lease->capture_time;
  } else {
    job.result.tag.frame = -1;
    job.result.tag.pts_ms = FrameTag::kNoPts;
    job.result.tag.capture_time = std::chrono::system_clock::now();
  }
  job.lease = std::move(lease);
  job.error = std::move(error);
  work_cv.notify_one();
}

Job* Pipeline::Impl::take_locked(Stream** from) {
  for (std::size_t n = 0; n < streams.size(); ++n) {
    Stream& stream = *streams[(next_stream + n) % streams.size()];
    if (stream.queued() == 0 || stream.started >= in_flight_limit()) continue;
    next_stream = (next_stream + n + 1) % streams.size();
    Job& job = stream.at(stream.started++);
    job.state = JobState::kRunning;
    *from = &stream;
    return &job;
  }
  return nullptr;
}

void Pipeline::Impl::work(Worker& worker) {
  std::unique_lock lock(mu);
  for (;;) {
    Stream* stream = nullptr;
    Job* job = take_locked(&stream);
    if (job == nullptr) {
      if (decoders_running == 0 &&
          std::none_of(streams.begin(), streams.end(), [](const auto& s) { return s->queued() > 0; }))
        return;
      work_cv.wait(lock);
      continue;
    }
    lock.unlock();
    double ms = -1;
    if (job->lease) {
      const auto t0 = SteadyClock::now();
      Status status = worker.session->detect(image_view_of(*job->lease), &job->result);
      ms = ms_between(t0, SteadyClock::now());
      if (!status.ok()) {
        job->error = std::move(status);
        job->result.detections.clear();
      }
    }
    lock.lock();
    job->state = JobState::kDone;
    if (ms >= 0) {
      ++worker.frames;
      worker.busy_ms += ms;
      worker.inference.record(ms);
      stream->inference.record(ms);
      stream->window_inference.record(ms);
    }
    if (job == &stream->at(0)) sink_cv.notify_one();
  }
}

// ---------------------------------------------------------------- sinks ----

void Pipeline::Impl::report_stream(Stream& stream, StreamStatus status, const Status& why) {
  if (status == StreamStatus::kEnded || status == StreamStatus::kFailed)
    for (FrameStage* stage : stages) stage->end_stream(stream.info);
  for (Sink* sink : sinks) sink->on_stream(stream.info, status, why);
}

void Pipeline::Impl::emit(Stream& stream, Job& job) {
  if (job.error.ok())
    for (FrameStage* stage : stages) stage->process(stream.info, &job.result);
  FrameResult result;
  result.stream = &stream.info;
  result.frame = job.lease.get();
  if (job.lease) result.image = image_view_of(*job.lease);
  result.result = &job.result;
  result.age_ms =
      std::chrono::duration<double, std::milli>(std::chrono::system_clock::now() - job.result.tag.capture_time).count();
  result.error = job.error;
  for (Sink* sink : sinks) sink->on_frame(result);
  std::lock_guard lock(mu);
  stream.age.record(result.age_ms);
  stream.window_age.record(result.age_ms);
  ++stream.processed;
  if (!job.error.ok()) ++stream.failed;
}

bool Pipeline::Impl::all_reported_locked() const {
  return std::all_of(streams.begin(), streams.end(), [](const auto& s) { return s->reported_end; });
}

Status Pipeline::Impl::sink_loop() {
  auto next_stats = SteadyClock::now() + options.stats_interval;
  std::unique_lock lock(mu);
  for (;;) {
    bool progressed = false;
    for (auto& owned : streams) {
      Stream& stream = *owned;
      if (!stream.reported_open) {
        stream.reported_open = true;
        const StreamStatus status = stream.source ? StreamStatus::kOnline : StreamStatus::kFailed;
        const Status why = stream.source ? Status() : stream.why;
        if (!stream.source) stream.reported_end = true;
        lock.unlock();
        report_stream(stream, status, why);
        lock.lock();
        progressed = true;
      }
      // State changes whose frames before have left.
      while (stream.change_count > 0 && (stream.count == 0 || stream.at(0).seq >= stream.change(0).after)) {
        Stream::StateChange& change = stream.change(0);
        const StreamStatus status = change.status;
        const Status why = std::move(change.why);
        change.why = Status();
        stream.change_head = (stream.change_head + 1) % Stream::kStateChanges;
        --stream.change_count;
        space_cv.notify_all();
        lock.unlock();
        report_stream(stream, status, why);
        lock.lock();
        progressed = true;
      }
      // One frame per stream and pass: a fast stream cannot starve the others
      // (a state change still waiting holds back only the frames after it).
      if (stream.count > 0 && stream.at(0).state == JobState::kDone &&
          (stream.change_count == 0 || stream.at(0).seq < stream.change(0).after)) {
        Job& job = stream.at(0);
        lock.unlock();
        emit(stream, job);
        job.lease.reset();
        lock.lock();
        stream.head = (stream.head + 1) % stream.ring.size();
        --stream.count;
        --stream.started;
        space_cv.notify_all();
        work_cv.notify_all();
        progressed = true;
      }
      if (!stream.reported_end && !stream.decoding && stream.count == 0 && stream.change_count == 0 &&
          stream.status != StreamStatus::kOnline && stream.status != StreamStatus::kReconnecting) {
        stream.reported_end = true;
        const StreamStatus status = stream.status;
        const Status why = stream.why;
        lock.unlock();
        report_stream(stream, status, why);
        lock.lock();
        progressed = true;
      }
    }
    if (options.stats_interval.count() > 0 && SteadyClock::now() >= next_stats) {
      const auto now = SteadyClock::now();
      next_stats = now + options.stats_interval;
      close_window_locked(now);
      const PipelineStats stats = stats_locked();
      lock.unlock();
      for (Sink* sink : sinks) sink->on_stats(stats);
      lock.lock();
    }
    if (all_reported_locked()) break;
    if (!progressed) {
      if (options.stats_interval.count() > 0)
        sink_cv.wait_until(lock, next_stats);
      else
        sink_cv.wait(lock);
    }
  }
  const auto end = SteadyClock::now();
  final_wall_s = ms_between(start_time, end) / 1000.0;
  final_cpu_s = process_cpu_seconds() - start_cpu_s;
  running = false;
  close_window_locked(end);
  const PipelineStats stats = stats_locked();
  lock.unlock();
  Status first;
  for (Sink* sink : sinks) {
    sink->on_stats(stats);
    Status closed = sink->close();
    if (first.ok() && !closed.ok()) first = std::move(closed);
  }
  return first;
}

// ---------------------------------------------------------------- stats ----

PipelineStats Pipeline::Impl::stats_locked() const {
  PipelineStats stats;
  if (running) {
    stats.wall_s = ms_between(start_time, SteadyClock::now()) / 1000.0;
    stats.cpu_s = process_cpu_seconds() - start_cpu_s;
  } else {
    stats.wall_s = final_wall_s;
    stats.cpu_s = final_cpu_s;
  }
  const double per_s = stats.wall_s > 0 ? 1.0 / stats.wall_s : 0.0;
  for (const auto& stream : streams) {
    StreamStats s;
    s.stream = stream->info.stream;
    s.source = stream->info.source;
    s.status = stream->status;
    s.decoded = stream->decoded;
    s.processed = stream->processed;
    s.failed = stream->failed;
    s.dropped = stream->dropped;
    if (stream->source) {
      const FrameSourceStats source = stream->source->stats();
      s.dropped_in_source = source.dropped;
      s.dropped += source.dropped;
      s.skipped = source.skipped;
      s.reconnects = source.reconnects;
    }
    s.fps_in = static_cast<double>(s.decoded) * per_s;
    s.fps_out = static_cast<double>(s.processed) * per_s;
    s.age = stream->age.summary();
    s.inference = stream->inference.summary();
    s.window = stream->last_window;
    stats.streams.push_back(std::move(s));
  }
  for (const auto& worker : workers) {
    WorkerStats w;
    w.placement = to_string(worker->session->placement());
    w.frames = worker->frames;
    w.busy_fraction = stats.wall_s > 0 ? worker->busy_ms / 1000.0 / stats.wall_s : 0.0;
    w.inference = worker->inference.summary();
    stats.workers.push_back(std::move(w));
  }
  return stats;
}

void Pipeline::Impl::close_window_locked(SteadyClock::time_point now) {
  const double duration_s = ms_between(window_start, now) / 1000.0;
  const auto rate = [duration_s](std::int64_t n) { return duration_s > 0 ? static_cast<double>(n) / duration_s : 0.0; };
  window_start = now;
  for (const auto& owned : streams) {
    Stream& stream = *owned;
    const std::int64_t dropped = stream.dropped + (stream.source ? stream.source->stats().dropped : 0);
    StreamWindow& w = stream.last_window;
    w.duration_s = duration_s;
    w.decoded = stream.decoded - stream.base_decoded;
    w.processed = stream.processed - stream.base_processed;
    w.dropped = dropped - stream.base_dropped;
    w.failed = stream.failed - stream.base_failed;
    w.fps_in = rate(w.decoded);
    w.fps_out = rate(w.processed);
    w.age = stream.window_age.summary();
    w.inference = stream.window_inference.summary();
    stream.window_age.reset();
    stream.window_inference.reset();
    stream.base_decoded = stream.decoded;
    stream.base_processed = stream.processed;
    stream.base_dropped = dropped;
    stream.base_failed = stream.failed;
  }
}

}  // namespace rkyolo::pipeline
