// rkyolo-bench-pipeline: the multi-stream pipeline's throughput against the
// ceiling the emulated NPU cores allow, measured in the same run.
//
// Every mode runs rkyolo::pipeline with the emulated RK3588's three NPU cores
// in the emulator's timing + replay modes (RKNN_EMU_TIMING=1: each rknn_run
// takes the emulated NPU latency L = --latency-ms, default 13.6, the
// published single-core YOLOv8n figure; RKNN_EMU_REPLAY=1: the graph is
// computed once, so the host CPU is not the NPU). The cores allow at most
// cores x 1000 / L frames per second: the ceiling. Figures are taken once
// every worker is warm (a context's first run computes the graph) and the
// frames finished meanwhile have left (2 x workers x streams frames), to the
// last frame: aggregate FPS, its share of the ceiling, process CPU time per
// frame, p50/p99 age (capture to result), and the mean time of the
// letterbox, the NPU run and the post-processing per frame.
//
//   --mode synthetic (default): N streams (--streams 1,2,4,8) of 640x640 BGR
//     frames ("640-ready": the letterbox does not scale), for each number of
//     Sessions per core in --sessions (default 1,2). Baseline from the same
//     run: one Session, frames one after the other.
//   --mode video: N streams of H.264 files decoded by FFmpeg (VideoSource,
//     software decoder, --decoder-threads each), for each size in --sizes
//     (default 720p,1080p). The clips (testsrc2, 30 FPS, --seconds long) are
//     made with the ffmpeg program into --clip-dir unless there. Each size
//     first decodes one clip alone (decode ms and CPU per frame), then runs
//     the pipeline as fast as possible and paced as live (each stream's
//     frame i is due at start + i / fps; "keeps up" when the aggregate FPS is
//     N x fps and the p99 lateness, due time to result, stays under 1 s).
//   --mode web: --streams (default 4) synthetic 1280x720 streams, 2 Sessions
//     per core, without the web view and with it (the --serve WebSink on a
//     free loopback port) pulled by 0, 1 and 4 MJPEG viewers (curl processes,
//     whose CPU is not the pipeline's), in turn, --repeat times: FPS and CPU
//     per frame as ratios to the no-web runs of the same invocation.
//
// --quick: the quick tier (few frames, few streams; seconds).
//
//   rkyolo-bench-pipeline --model shapes-rk3588.rknn --rknn-lib build/emulator/librknnrt.so
//                         [--mode synthetic|video|web] [--quick] [--streams 1,2,4,8] [--sessions 1,2]
//                         [--frames 300] [--latency-ms 13.6] [--image samples/scene1.jpg]
//                         [--sizes 720p,1080p] [--seconds 10] [--clip-dir DIR] [--decoder-threads 1]
//                         [--viewers 0,1,4] [--repeat 2] [--json FILE]
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/latency_histogram.h"
#include "rkyolo/log.h"
#include "rkyolo/pipeline.h"
#include "test_pipeline_source.h"
#if RKYOLO_BENCH_VIDEO
#include "rkyolo/video.h"
#endif
#if RKYOLO_BENCH_WEB
#include "rkyolo/live_web.h"
#endif

extern char** environ;

namespace {

using Json = nlohmann::ordered_json;
using namespace rkyolo;
using SteadyClock = std::chrono::steady_clock;

struct Args {
  std::string model, rknn_lib, image, json, mode = "synthetic", clip_dir;
  std::vector<int> streams, sessions = {1, 2}, viewers = {0, 1, 4};
  std::vector<std::string> sizes = {"720p", "1080p"};
  int frames = 300;  // per stream (synthetic and web)
  int seconds = 10;  // clip length (video)
  int decoder_threads = 1;
  int repeat = 2;  // web: rounds of (no web, web with each viewer count)
  double latency_ms = 13.6;
  bool quick = false;
};

bool parse_ints(const std::string& v, std::vector<int>* out) {
  out->clear();
  std::stringstream list(v);
  for (std::string n; std::getline(list, n, ',');) {
    char* end = nullptr;
    const long x = std::strtol(n.c_str(), &end, 10);
    if (n.empty() || *end != '\0' || x < 0 || x > 64) return false;
    out->push_back(static_cast<int>(x));
  }
  return !out->empty();
}

// One sentence on stderr for a bad argument; empty when the arguments hold.
std::string parse_args(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--quick") {
      a->quick = true;
      continue;
    }
    if (k.rfind("--", 0) != 0) return "unexpected argument '" + k + "'";
    if (i + 1 >= argc) return "the option " + k + " needs a value";
    const std::string v = argv[++i];
    bool ok = true;
    if (k == "--model") {
      a->model = v;
    } else if (k == "--rknn-lib") {
      a->rknn_lib = v;
    } else if (k == "--image") {
      a->image = v;
    } else if (k == "--json") {
      a->json = v;
    } else if (k == "--mode") {
      a->mode = v;
      ok = v == "synthetic" || v == "video" || v == "web";
    } else if (k == "--clip-dir") {
      a->clip_dir = v;
    } else if (k == "--latency-ms") {
      a->latency_ms = std::atof(v.c_str());
      ok = a->latency_ms > 0;
    } else if (k == "--frames") {
      a->frames = std::atoi(v.c_str());
      ok = a->frames > 0;
    } else if (k == "--seconds") {
      a->seconds = std::atoi(v.c_str());
      ok = a->seconds > 0 && a->seconds <= 600;
    } else if (k == "--decoder-threads") {
      a->decoder_threads = std::atoi(v.c_str());
      ok = a->decoder_threads >= 0;
    } else if (k == "--repeat") {
      a->repeat = std::atoi(v.c_str());
      ok = a->repeat > 0;
    } else if (k == "--streams") {
      ok = parse_ints(v, &a->streams) && std::all_of(a->streams.begin(), a->streams.end(), [](int n) { return n > 0; });
    } else if (k == "--sessions") {
      ok = parse_ints(v, &a->sessions) &&
           std::all_of(a->sessions.begin(), a->sessions.end(), [](int n) { return n > 0 && n <= 8; });
    } else if (k == "--viewers") {
      ok = parse_ints(v, &a->viewers);
    } else if (k == "--sizes") {
      a->sizes.clear();
      std::stringstream list(v);
      for (std::string n; std::getline(list, n, ',');) {
        ok = ok && (n == "720p" || n == "1080p");
        a->sizes.push_back(n);
      }
    } else {
      return "unknown option " + k;
    }
    if (!ok) return "the value '" + v + "' of " + k + " is not valid";
  }
  if (a->model.empty()) return "--model is required";
  if (a->streams.empty()) {
    if (a->mode == "web")
      a->streams = {a->quick ? 2 : 4};
    else if (a->mode == "video")
      a->streams = a->quick ? std::vector<int>{1, 2} : std::vector<int>{1, 2, 4, 8};
    else
      a->streams = a->quick ? std::vector<int>{1, 4} : std::vector<int>{1, 2, 4, 8};
  }
  if (a->quick) {
    a->frames = std::min(a->frames, 60);
    a->seconds = std::min(a->seconds, 2);
    a->repeat = 1;
    if (a->mode == "video") a->sizes = {"720p"};
    if (a->mode == "web") a->viewers = {0, 1};
  }
  return "";
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double process_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string loadavg() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// A clip that hands out nothing until `gate` opens (the pipeline is warm),
// then its frames as fast as they decode or, paced as live, frame i no
// earlier than the gate's time + i / fps. The lateness of a result is
// measured from that due time (the decoder's own capture time is earlier: it
// decodes ahead).
class PacedSource final : public FrameSource {
 public:
  PacedSource(std::unique_ptr<FrameSource> inner, bool paced, const std::atomic<bool>* gate)
      : inner_(std::move(inner)), paced_(paced), gate_(gate) {
    fps_ = inner_->info().fps > 0 ? inner_->info().fps : 30;
  }
  const FrameSourceInfo& info() const override { return inner_->info(); }
  FrameSourceStats stats() const override { return inner_->stats(); }
  void stop() override {
    stopped_ = true;
    inner_->stop();
  }
  ReadResult read(FrameLease& frame, Clock::time_point deadline) override {
    while (!gate_->load() && !stopped_) {
      if (Clock::now() >= deadline) return {ReadEvent::kTimeout, Status()};
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ReadResult r = inner_->read(frame, deadline);
    if (r.event != ReadEvent::kFrame || !frame) return r;
    if (!started_) {
      start_ = SteadyClock::now();
      started_ = true;
    }
    if (paced_) std::this_thread::sleep_until(due(frame->index));
    return r;
  }
  SteadyClock::time_point due(std::int64_t index) const {
    return start_ + std::chrono::microseconds(static_cast<std::int64_t>(1e6 * static_cast<double>(index) / fps_));
  }
  bool paced() const { return paced_; }

 private:
  std::unique_ptr<FrameSource> inner_;
  bool paced_;
  const std::atomic<bool>* gate_;
  std::atomic<bool> stopped_{false};
  double fps_ = 30;
  bool started_ = false;
  SteadyClock::time_point start_;
};

// Measures the steady state: from the frame after which every worker has
// run once to the last frame.
class MeasuringSink final : public pipeline::Sink {
 public:
  explicit MeasuringSink(pipeline::Pipeline* p) : pipeline_(p) {}
  void on_stream(const pipeline::StreamInfo& stream, pipeline::StreamStatus status, const Status&) override {
    // The warm-up stream ended before every worker took a frame: start anyway.
    if (gate != nullptr && stream.stream == 0 && !gate->load() &&
        (status == pipeline::StreamStatus::kEnded || status == pipeline::StreamStatus::kFailed))
      open_gate();
  }
  void on_frame(const pipeline::FrameResult& r) override {
    if (!r.error.ok()) ++errors;
    if (on_first_frame) {
      on_first_frame();
      on_first_frame = nullptr;
    }
    if (gate != nullptr) {  // video: stream 0 warms the workers up, then the gate opens
      if (r.stream->stream == 0) {
        if (!warm) {
          const pipeline::PipelineStats stats = pipeline_->stats();
          warm = std::all_of(stats.workers.begin(), stats.workers.end(), [](const auto& w) { return w.frames > 0; });
          if (warm) open_gate();
        }
        return;
      }
      skipped = skip;
    }
    if (warm && skipped < skip) {
      // Frames the other workers finished while the last one computed its
      // graph leave in a burst once it is done: not the steady state.
      ++skipped;
      start = end = SteadyClock::now();
      start_cpu_s = end_cpu_s = process_cpu_s();
      return;
    }
    if (warm) {
      ++frames;
      // Video: a clip's first frames were decoded before the gate opened.
      age.record(
          gate != nullptr
              ? std::min(
                    r.age_ms,
                    std::chrono::duration<double, std::milli>(std::chrono::system_clock::now() - gate_time).count())
              : r.age_ms);
      if (!paced.empty() && r.frame != nullptr) {
        const PacedSource* s = paced[static_cast<std::size_t>(r.stream->stream) - 1];
        late.record(std::chrono::duration<double, std::milli>(SteadyClock::now() - s->due(r.frame->index)).count());
      }
      pre_ms += r.result->timing.preprocess_ms;
      npu_ms += r.result->timing.inference_ms;
      post_ms += r.result->timing.postprocess_ms;
      end = SteadyClock::now();
      end_cpu_s = process_cpu_s();
      return;
    }
    const pipeline::PipelineStats stats = pipeline_->stats();
    warm = std::all_of(stats.workers.begin(), stats.workers.end(), [](const auto& w) { return w.frames > 0; });
    start = end = SteadyClock::now();
    start_cpu_s = end_cpu_s = process_cpu_s();
  }
  double seconds() const { return std::chrono::duration<double>(end - start).count(); }
  void open_gate() {
    warm = true;
    start = end = SteadyClock::now();
    start_cpu_s = end_cpu_s = process_cpu_s();
    gate_time = std::chrono::system_clock::now();
    gate->store(true);
  }

  long errors = 0, frames = 0;
  long skip = 0, skipped = 0;  // frames left out after the last worker is warm
  bool warm = false;
  SteadyClock::time_point start, end;
  double start_cpu_s = 0, end_cpu_s = 0;
  double pre_ms = 0, npu_ms = 0, post_ms = 0;  // sums over the measured frames
  pipeline::detail::LatencyHistogram age, late;
  std::vector<const PacedSource*> paced;  // by stream, video mode (stream 0: the warm-up)
  std::atomic<bool>* gate = nullptr;
  std::chrono::system_clock::time_point gate_time;
  std::function<void()> on_first_frame;

 private:
  pipeline::Pipeline* pipeline_;
};

std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

// What one pipeline run measured.
struct Run {
  long frames = 0;
  double fps = 0, cpu_ms = 0, pre_ms = 0, npu_ms = 0, post_ms = 0;
  pipeline::Latency age, late;
  pipeline::PipelineStats stats;
  std::string busy;  // per worker
  bool ok = true;
};

// Runs `p` (sources added) with `sink` and the measuring sink; false on a
// failed frame or run.
Run run_pipeline(pipeline::Pipeline* p, MeasuringSink* sink) {
  Run run;
  // As many frames as can be in flight when the last worker warms up.
  sink->skip = static_cast<long>(2 * p->stats().workers.size() * p->stats().streams.size());
  p->add_sink(sink);
  if (Status s = p->run(); !s.ok() || sink->errors > 0) {
    std::fprintf(stderr, "rkyolo-bench-pipeline: %ld frames failed; %s\n", sink->errors, s.message().c_str());
    run.ok = false;
  }
  run.stats = p->stats();
  run.frames = sink->frames;
  const double n = std::max(1.0, static_cast<double>(sink->frames));
  run.fps = sink->seconds() > 0 ? static_cast<double>(sink->frames) / sink->seconds() : 0;
  run.cpu_ms = 1000.0 * (sink->end_cpu_s - sink->start_cpu_s) / n;
  run.pre_ms = sink->pre_ms / n;
  run.npu_ms = sink->npu_ms / n;
  run.post_ms = sink->post_ms / n;
  run.age = sink->age.summary();
  run.late = sink->late.summary();
  for (const pipeline::WorkerStats& w : run.stats.workers) {
    char text[16];
    std::snprintf(text, sizeof(text), "%s%.2f", run.busy.empty() ? "" : " ", w.busy_fraction);
    run.busy += text;
  }
  return run;
}

Json run_json(const Run& r) {
  return {{"frames_measured", r.frames},  {"fps", r.fps},
          {"cpu_ms_per_frame", r.cpu_ms}, {"letterbox_ms", r.pre_ms},
          {"npu_run_ms", r.npu_ms},       {"postprocess_ms", r.post_ms},
          {"age_p50_ms", r.age.p50_ms},   {"age_p99_ms", r.age.p99_ms},
          {"load_average", loadavg()},    {"stats", Json::parse(pipeline::stats_json(r.stats))}};
}

struct Context {
  Args args;
  std::shared_ptr<const Model> model;
  double latency_ms = 0, ceiling_fps = 0;
  int cores = 0;
};

std::unique_ptr<pipeline::Pipeline> make_pipeline(const Context& c, int sessions_per_core) {
  pipeline::PipelineOptions options;
  options.sessions_per_placement = sessions_per_core;
  std::unique_ptr<pipeline::Pipeline> p;
  if (Status s = pipeline::Pipeline::create(c.model, options, &p); !s.ok()) {
    std::fprintf(stderr, "rkyolo-bench-pipeline: %s\n", s.message().c_str());
    return nullptr;
  }
  return p;
}

// A BGR frame of the demo scene at width x height, and its VideoFrame view.
struct Picture {
  cv::Mat bgr;
  std::vector<VideoFrame> templates;
};

bool make_picture(const std::string& image, int width, int height, Picture* out) {
  cv::Mat bgr = cv::imread(image, cv::IMREAD_COLOR);
  if (bgr.empty()) {
    std::fprintf(stderr, "rkyolo-bench-pipeline: cannot read the image '%s'.\n", image.c_str());
    return false;
  }
  cv::resize(bgr, out->bgr, cv::Size(width, height), 0, 0, cv::INTER_AREA);
  VideoFrame frame;
  frame.format = FrameFormat::kBgr8;
  frame.width = width;
  frame.height = height;
  frame.plane_count = 1;
  frame.planes[0] = out->bgr.data;
  frame.strides[0] = out->bgr.step[0];
  out->templates = {frame};
  return true;
}

// ------------------------------------------------------------ synthetic ----

int run_synthetic(const Context& c, const Picture& picture, Json* out) {
  std::printf("%8s %7s %7s %9s %9s %12s %8s %8s %8s %9s %9s %s\n", "sessions", "streams", "frames", "FPS", "ceiling",
              "CPU ms/frame", "lbox ms", "NPU ms", "post ms", "p50 ms", "p99 ms", "busy per worker");
  int exit_code = 0;
  for (const int sessions : c.args.sessions) {
    for (const int n : c.args.streams) {
      auto p = make_pipeline(c, sessions);
      if (!p) return 2;
      for (int i = 0; i < n; ++i)
        p->add_source("stream" + std::to_string(i),
                      std::make_unique<test::SyntheticSource>(&picture.templates,
                                                              test::SyntheticSource::Options{.frames = c.args.frames}));
      MeasuringSink sink(p.get());
      const Run r = run_pipeline(p.get(), &sink);
      if (!r.ok) exit_code = 1;
      std::printf("%8d %7d %7ld %9.1f %8.1f%% %12.2f %8.2f %8.2f %8.2f %9.1f %9.1f %s\n", sessions, n, r.frames, r.fps,
                  100.0 * r.fps / c.ceiling_fps, r.cpu_ms, r.pre_ms, r.npu_ms, r.post_ms, r.age.p50_ms, r.age.p99_ms,
                  r.busy.c_str());
      std::fflush(stdout);
      Json j = run_json(r);
      j["sessions_per_core"] = sessions;
      j["streams"] = n;
      j["share_of_ceiling"] = r.fps / c.ceiling_fps;
      out->push_back(std::move(j));
    }
  }
  return exit_code;
}

// ---------------------------------------------------------------- video ----

#if RKYOLO_BENCH_VIDEO
// The clip of `size` (720p, 1080p): testsrc2 in H.264, 30 FPS, made by the
// ffmpeg program unless already there.
std::string make_clip(const Context& c, const std::string& size) {
  const int h = size == "1080p" ? 1080 : 720, w = h * 16 / 9;
  const std::string dir = c.args.clip_dir.empty() ? "/tmp/rkyolo-bench-clips" : c.args.clip_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string path = dir + "/testsrc2-" + size + "-" + std::to_string(c.args.seconds) + "s.mp4";
  if (std::filesystem::exists(path)) return path;
  const std::string tmp = path + ".part.mp4";
  const std::string cmd = "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=" + std::to_string(w) + "x" +
                          std::to_string(h) + ":rate=30 -t " + std::to_string(c.args.seconds) +
                          " -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 60 '" + tmp + "'";
  if (std::system(cmd.c_str()) != 0 || !std::filesystem::exists(tmp)) {
    std::fprintf(stderr, "rkyolo-bench-pipeline: could not make the clip '%s' with the ffmpeg program.\n",
                 path.c_str());
    return "";
  }
  std::filesystem::rename(tmp, path, ec);
  return ec ? "" : path;
}

Status open_clip(const Context& c, const std::string& path, std::unique_ptr<VideoSource>* out) {
  VideoSourceOptions o;
  o.hardware_decoders.clear();
  o.decoder_threads = c.args.decoder_threads;
  o.live = VideoSourceOptions::Live::kNo;
  return VideoSource::open(classify_source(path), o, out);
}

int run_video(const Context& c, const Picture& warm_up, Json* out) {
  int exit_code = 0;
  for (const std::string& size : c.args.sizes) {
    const std::string clip = make_clip(c, size);
    if (clip.empty()) return 2;
    // Decoding alone: one stream, as fast as possible.
    std::unique_ptr<VideoSource> source;
    if (Status s = open_clip(c, clip, &source); !s.ok()) {
      std::fprintf(stderr, "rkyolo-bench-pipeline: %s\n", s.message().c_str());
      return 2;
    }
    const double fps_clip = source->info().fps > 0 ? source->info().fps : 30;
    const std::string format = source->info().width > 0
                                   ? std::to_string(source->info().width) + "x" + std::to_string(source->info().height)
                                   : size;
    // From the first frame (opening and probing left out) to the last.
    FrameLease lease;
    long decoded = 0;
    double cpu0 = 0;
    auto t0 = SteadyClock::now();
    for (;;) {
      ReadResult r = source->read(lease, SteadyClock::now() + std::chrono::seconds(10));
      if (r.event == ReadEvent::kEnd || r.event == ReadEvent::kTimeout) break;
      if (r.event != ReadEvent::kFrame) continue;
      if (decoded++ == 0) {
        cpu0 = process_cpu_s();
        t0 = SteadyClock::now();
      }
    }
    --decoded;
    const double decode_s = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    const double decode_cpu_ms = 1000.0 * (process_cpu_s() - cpu0) / std::max(1L, decoded);
    lease.reset();
    source.reset();
    const double decode_ms = 1000.0 * decode_s / std::max(1L, decoded);
    std::printf(
        "%s (%s H.264, %.0f FPS, %ld frames): decoding alone %.2f ms/frame wall (%.0f FPS), %.2f CPU ms/frame, "
        "load %s\n",
        size.c_str(), format.c_str(), fps_clip, decoded, decode_ms, 1000.0 / decode_ms, decode_cpu_ms,
        loadavg().c_str());
    std::printf("%6s %7s %7s %9s %9s %9s %12s %8s %9s %9s %9s %s\n", "pacing", "streams", "frames", "FPS", "wanted",
                "ceiling", "CPU ms/frame", "lbox ms", "p50 ms", "p99 ms", "late p99", "keeps up");
    Json runs = Json::array();
    for (const bool paced : {false, true}) {
      for (const int n : c.args.streams) {
        auto p = make_pipeline(c, c.args.sessions.back());
        if (!p) return 2;
        MeasuringSink sink(p.get());
        std::atomic<bool> gate{false};
        sink.gate = &gate;
        // Stream 0 warms every worker up (a context's first run computes the
        // graph); the clips start once all are warm.
        p->add_source("warm-up", std::make_unique<test::SyntheticSource>(
                                     &warm_up.templates,
                                     test::SyntheticSource::Options{.frames = 3 * c.cores * c.args.sessions.back()}));
        for (int i = 0; i < n; ++i) {
          std::unique_ptr<VideoSource> v;
          if (Status s = open_clip(c, clip, &v); !s.ok()) {
            std::fprintf(stderr, "rkyolo-bench-pipeline: %s\n", s.message().c_str());
            return 2;
          }
          auto wrapped = std::make_unique<PacedSource>(std::move(v), paced, &gate);
          sink.paced.push_back(wrapped.get());
          p->add_source("clip" + std::to_string(i), std::move(wrapped));
        }
        const Run r = run_pipeline(p.get(), &sink);
        if (!r.ok) exit_code = 1;
        const double wanted = paced ? n * fps_clip : 0;
        const bool keeps_up = paced && r.fps >= 0.97 * wanted && r.late.p99_ms < 1000;
        std::printf("%6s %7d %7ld %9.1f %9s %8.1f%% %12.2f %8.2f %9.1f %9.1f %9s %s\n", paced ? "live" : "fast", n,
                    r.frames, r.fps, paced ? std::to_string(static_cast<int>(wanted)).c_str() : "-",
                    100.0 * r.fps / c.ceiling_fps, r.cpu_ms, r.pre_ms, r.age.p50_ms, r.age.p99_ms,
                    paced ? std::to_string(static_cast<int>(r.late.p99_ms)).c_str() : "-",
                    paced ? (keeps_up ? "yes" : "no") : "-");
        std::fflush(stdout);
        Json j = run_json(r);
        j["paced"] = paced;
        j["streams"] = n;
        j["share_of_ceiling"] = r.fps / c.ceiling_fps;
        if (paced) {
          j["wanted_fps"] = wanted;
          j["late_p99_ms"] = r.late.p99_ms;
          j["keeps_up"] = keeps_up;
        }
        runs.push_back(std::move(j));
      }
    }
    out->push_back({{"size", size},
                    {"clip", clip},
                    {"clip_fps", fps_clip},
                    {"decode_alone_ms_per_frame", decode_ms},
                    {"decode_alone_cpu_ms_per_frame", decode_cpu_ms},
                    {"runs", runs}});
  }
  return exit_code;
}
#endif

// ------------------------------------------------------------------ web ----

#if RKYOLO_BENCH_WEB
// A viewer: curl pulling stream `stream`'s MJPEG into /dev/null, a process of
// its own (its CPU is not the pipeline's; reported apart).
struct Viewer {
  pid_t pid = -1;
  double cpu_s = 0;
};

pid_t start_viewer(int port, int stream) {
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/stream/" + std::to_string(stream) + ".mjpg";
  std::vector<std::string> argv_s = {
      "curl", "-s", "-f", "-o", "/dev/null", "--retry", "20", "--retry-delay", "0", "--retry-all-errors", url};
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawnp(&pid, "curl", nullptr, nullptr, argv.data(), environ) != 0) return -1;
  return pid;
}

double reap_viewer(pid_t pid) {
  int status = 0;
  rusage usage{};
  // The server closed when the pipeline ended; a viewer still there is ended.
  for (int i = 0; i < 50; ++i) {
    if (wait4(pid, &status, WNOHANG, &usage) == pid)
      return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
             1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGTERM);
  wait4(pid, &status, 0, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

int run_web(const Context& c, const Picture& picture, Json* out) {
  const int n = c.args.streams.front();
  // Configurations in turn: -1 = no web view, else the number of viewers.
  std::vector<int> configs = {-1};
  for (int v : c.args.viewers) configs.push_back(v);
  std::printf("%d streams of %dx%d BGR frames, %d Sessions per core; web view: max 640 px wide, 5 FPS per stream\n", n,
              picture.templates[0].width, picture.templates[0].height, c.args.sessions.back());
  std::printf("%5s %8s %7s %9s %12s %9s %9s %9s %9s %12s\n", "round", "web", "frames", "FPS", "CPU ms/frame",
              "FPS ratio", "CPU ratio", "encoded", "sent", "viewer CPU s");
  int exit_code = 0;
  std::vector<double> base_fps, base_cpu;
  struct Row {
    int round, config;
    Run run;
    cli::WebCounters counters;
    double viewer_cpu_s;
  };
  std::vector<Row> rows;
  for (int round = 0; round < c.args.repeat; ++round) {
    for (const int config : configs) {
      auto p = make_pipeline(c, c.args.sessions.back());
      if (!p) return 2;
      for (int i = 0; i < n; ++i)
        p->add_source("stream" + std::to_string(i),
                      std::make_unique<test::SyntheticSource>(&picture.templates,
                                                              test::SyntheticSource::Options{.frames = c.args.frames}));
      std::unique_ptr<cli::WebSink> web;
      if (config >= 0) {
        cli::WebOptions o;
        o.port = 0;
        if (Status s = cli::WebSink::create(o, &web); !s.ok()) {
          std::fprintf(stderr, "rkyolo-bench-pipeline: %s\n", s.message().c_str());
          return 2;
        }
        p->add_sink(web.get());
      }
      MeasuringSink sink(p.get());
      std::vector<pid_t> viewers;
      if (config > 0) {
        const int port = web->port();
        sink.on_first_frame = [&viewers, port, config, n] {
          for (int v = 0; v < config; ++v) viewers.push_back(start_viewer(port, v % n));
        };
      }
      Row row{round, config, run_pipeline(p.get(), &sink), {}, 0};
      if (!row.run.ok) exit_code = 1;
      if (web) row.counters = web->counters();
      for (pid_t pid : viewers) {
        if (pid < 0) {
          std::fprintf(stderr, "rkyolo-bench-pipeline: could not start curl for a viewer.\n");
          exit_code = 1;
          continue;
        }
        row.viewer_cpu_s += reap_viewer(pid);
      }
      if (config > 0 && row.counters.sent == 0) {
        std::fprintf(stderr, "rkyolo-bench-pipeline: no viewer received a frame.\n");
        exit_code = 1;
      }
      if (config < 0) {
        base_fps.push_back(row.run.fps);
        base_cpu.push_back(row.run.cpu_ms);
      }
      rows.push_back(std::move(row));
    }
  }
  // Ratios to the no-web runs' medians of the same invocation.
  const double fps0 = median(base_fps), cpu0 = median(base_cpu);
  for (const Row& row : rows) {
    const std::string web = row.config < 0 ? "off" : std::to_string(row.config) + " view";
    std::printf("%5d %8s %7ld %9.1f %12.3f %9.3f %9.3f %9lld %9lld %12.2f\n", row.round, web.c_str(), row.run.frames,
                row.run.fps, row.run.cpu_ms, row.run.fps / fps0, row.run.cpu_ms / cpu0,
                static_cast<long long>(row.counters.encoded), static_cast<long long>(row.counters.sent),
                row.viewer_cpu_s);
    Json j = run_json(row.run);
    j["round"] = row.round;
    j["web"] = row.config >= 0;
    j["viewers"] = std::max(0, row.config);
    j["fps_ratio"] = row.run.fps / fps0;
    j["cpu_ratio"] = row.run.cpu_ms / cpu0;
    j["jpeg_encoded"] = row.counters.encoded;
    j["jpeg_sent"] = row.counters.sent;
    j["viewer_cpu_s"] = row.viewer_cpu_s;
    out->push_back(std::move(j));
  }
  // Per configuration, the medians over the rounds, and what the view adds
  // in CPU time per second of the pipeline's wall time.
  std::printf("medians over %d round(s):\n%8s %9s %12s %9s %9s %16s\n", c.args.repeat, "web", "FPS", "CPU ms/frame",
              "FPS ratio", "CPU ratio", "added CPU ms/s");
  for (const int config : configs) {
    std::vector<double> fps, cpu;
    for (const Row& row : rows)
      if (row.config == config) {
        fps.push_back(row.run.fps);
        cpu.push_back(row.run.cpu_ms);
      }
    const std::string web = config < 0 ? "off" : std::to_string(config) + " view";
    std::printf("%8s %9.1f %12.3f %9.3f %9.3f %16.1f\n", web.c_str(), median(fps), median(cpu), median(fps) / fps0,
                median(cpu) / cpu0, (median(cpu) - cpu0) * median(fps));
  }
  return exit_code;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (const std::string why = parse_args(argc, argv, &args); !why.empty()) {
    std::fprintf(stderr,
                 "rkyolo-bench-pipeline: %s (usage: rkyolo-bench-pipeline --model M.rknn [--rknn-lib P] "
                 "[--mode synthetic|video|web] [--quick] [--streams 1,2,4,8] [--sessions 1,2] [--frames N] "
                 "[--latency-ms L] [--image PATH] [--sizes 720p,1080p] [--seconds S] [--clip-dir DIR] "
                 "[--decoder-threads T] [--viewers 0,1,4] [--repeat R] [--json FILE]).\n",
                 why.c_str());
    return 2;
  }
#if !RKYOLO_BENCH_VIDEO
  if (args.mode == "video") {
    std::fprintf(stderr, "rkyolo-bench-pipeline: --mode video needs rkyolo_video (RKYOLO_WITH_FFMPEG=ON).\n");
    return 2;
  }
#endif
#if !RKYOLO_BENCH_WEB
  if (args.mode == "web") {
    std::fprintf(stderr, "rkyolo-bench-pipeline: --mode web needs the CLI's web view (RKYOLO_BUILD_APPS=ON).\n");
    return 2;
  }
#endif
  setenv("RKNN_EMU_TIMING", "1", 0);
  setenv("RKNN_EMU_LATENCY_MS", std::to_string(args.latency_ms).c_str(), 0);
  setenv("RKNN_EMU_REPLAY", "1", 0);
  set_log_level(LogLevel::kWarning);
  register_builtin_backends();

  Context c;
  c.args = args;
  c.latency_ms = std::atof(std::getenv("RKNN_EMU_LATENCY_MS"));
  DetectorOptions o;
  o.model_path = args.model;
  o.backend = "rknn";
  o.backend_options.rknn.library = args.rknn_lib;
  if (Status s = Model::load(o, &c.model); !s.ok()) {
    std::fprintf(stderr, "rkyolo-bench-pipeline: %s\n", s.message().c_str());
    return 2;
  }
  c.cores = static_cast<int>(c.model->placements().size());
  c.ceiling_fps = c.cores * 1000.0 / c.latency_ms;

  // The demo scene: 640x640 ("640-ready") for the synthetic mode, 1280x720
  // for the web view.
  const std::string image = args.image.empty() ? std::string(RKYOLO_SOURCE_DIR) + "/samples/scene1.jpg" : args.image;
  Picture picture;
  if (!make_picture(image, args.mode == "web" ? 1280 : 640, args.mode == "web" ? 720 : 640, &picture)) return 2;

  // Baseline: one Session, one frame after the other.
  std::unique_ptr<Session> session;
  if (Status s = c.model->create_session(&session); !s.ok()) {
    std::fprintf(stderr, "rkyolo-bench-pipeline: %s\n", s.message().c_str());
    return 2;
  }
  DetectionResult result;
  std::vector<double> inference_ms, total_ms;
  for (int i = 0; i < (args.quick ? 25 : 60); ++i) {
    if (Status s = session->detect(image_view_of(picture.templates[0]), &result); !s.ok()) {
      std::fprintf(stderr, "rkyolo-bench-pipeline: %s\n", s.message().c_str());
      return 2;
    }
    if (i < 10) continue;  // warm-up
    inference_ms.push_back(result.timing.inference_ms);
    total_ms.push_back(result.timing.total_ms());
  }
  session.reset();
  const double npu_ms = median(inference_ms);
  std::printf("rkyolo-bench-pipeline (%s%s): %s, %s, %u host threads, load %s\n", args.mode.c_str(),
              args.quick ? ", quick" : "", c.model->runtime().runtime.c_str(), cpu_name().c_str(),
              std::thread::hardware_concurrency(), loadavg().c_str());
  std::printf("emulated NPU latency %.2f ms: ceiling %d x 1000 / %.2f = %.1f FPS\n", c.latency_ms, c.cores,
              c.latency_ms, c.ceiling_fps);
  std::printf("baseline (1 Session, sequential): inference %.2f ms, detect %.2f ms (medians): %.1f FPS\n", npu_ms,
              median(total_ms), 1000.0 / median(total_ms));

  Json runs = Json::array();
  int exit_code = 0;
  if (args.mode == "synthetic") exit_code = run_synthetic(c, picture, &runs);
#if RKYOLO_BENCH_VIDEO
  if (args.mode == "video") exit_code = run_video(c, picture, &runs);
#endif
#if RKYOLO_BENCH_WEB
  if (args.mode == "web") exit_code = run_web(c, picture, &runs);
#endif
  std::printf("load at the end: %s\n", loadavg().c_str());
  if (!args.json.empty()) {
    Json out = {{"mode", args.mode},
                {"quick", args.quick},
                {"runtime", c.model->runtime().runtime},
                {"cpu", cpu_name()},
                {"host_threads", std::thread::hardware_concurrency()},
                {"load_average_end", loadavg()},
                {"npu_cores", c.cores},
                {"emulated_latency_ms", c.latency_ms},
                {"baseline_inference_ms", npu_ms},
                {"baseline_detect_ms", median(total_ms)},
                {"ceiling_fps", c.ceiling_fps},
                {"runs", runs}};
    std::ofstream(args.json) << out.dump(2) << "\n";
  }
  return exit_code;
}
