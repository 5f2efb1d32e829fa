// rkyolo-bench-pipeline: the multi-stream pipeline's throughput against the
// ceiling the emulated NPU cores allow, measured in the same run.
//
// N streams (default 1, 2, 4, 8) of 640x640 frames ("640-ready": the
// letterbox does no scaling) go through rkyolo::pipeline with one Session
// per NPU core of the emulated RK3588, in the emulator's timing + replay
// modes (RKNN_EMU_TIMING=1: each rknn_run takes the emulated NPU latency;
// RKNN_EMU_REPLAY=1: the graph is computed once, so the host CPU is not the
// NPU). Each rknn_run takes L = --latency-ms (default 13.6, the published
// single-core YOLOv8n figure of the RK3588; RKNN_EMU_LATENCY_MS), so the
// cores allow at most cores x 1000 / L frames per second: the ceiling. The
// baseline, from the same run: one Session, frames one after the other.
// Measured per N once every worker is warm (a context's first run computes
// the graph): aggregate FPS and its share of the ceiling, process CPU time
// per frame, p50/p99 age (capture to result).
//
//   rkyolo-bench-pipeline --model shapes-rk3588.rknn --rknn-lib build/emulator/librknnrt.so
//                         [--streams 1,2,4,8] [--frames 300] [--latency-ms 13.6] [--image samples/scene1.jpg]
//                         [--json FILE]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
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

namespace {

using Json = nlohmann::ordered_json;
using namespace rkyolo;

struct Args {
  std::string model, rknn_lib, image, json;
  std::vector<int> streams = {1, 2, 4, 8};
  int frames = 300;  // per stream
  double latency_ms = 13.6;
};

bool parse_args(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (i + 1 >= argc) return false;
    const std::string v = argv[++i];
    if (k == "--model") {
      a->model = v;
    } else if (k == "--rknn-lib") {
      a->rknn_lib = v;
    } else if (k == "--image") {
      a->image = v;
    } else if (k == "--json") {
      a->json = v;
    } else if (k == "--latency-ms") {
      a->latency_ms = std::atof(v.c_str());
    } else if (k == "--frames") {
      a->frames = std::atoi(v.c_str());
    } else if (k == "--streams") {
      a->streams.clear();
      std::stringstream list(v);
      for (std::string n; std::getline(list, n, ',');) a->streams.push_back(std::atoi(n.c_str()));
    } else {
      return false;
    }
  }
  return !a->model.empty() && a->frames > 0 && a->latency_ms > 0 && !a->streams.empty() &&
         std::all_of(a->streams.begin(), a->streams.end(), [](int n) { return n > 0; });
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

// Measures the steady state: from the frame after which every worker has
// run once to the last frame.
class MeasuringSink final : public pipeline::Sink {
 public:
  explicit MeasuringSink(pipeline::Pipeline* p) : pipeline_(p) {}
  void on_frame(const pipeline::FrameResult& r) override {
    if (!r.error.ok()) ++errors;
    if (warm) {
      ++frames;
      age.record(r.age_ms);
      end = std::chrono::steady_clock::now();
      end_cpu_s = process_cpu_s();
      return;
    }
    const pipeline::PipelineStats stats = pipeline_->stats();
    warm = std::all_of(stats.workers.begin(), stats.workers.end(), [](const auto& w) { return w.frames > 0; });
    start = end = std::chrono::steady_clock::now();
    start_cpu_s = end_cpu_s = process_cpu_s();
  }
  double seconds() const { return std::chrono::duration<double>(end - start).count(); }

  long errors = 0, frames = 0;
  bool warm = false;
  std::chrono::steady_clock::time_point start, end;
  double start_cpu_s = 0, end_cpu_s = 0;
  pipeline::detail::LatencyHistogram age;

 private:
  pipeline::Pipeline* pipeline_;
};

std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse_args(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: rkyolo-bench-pipeline --model M.rknn [--rknn-lib P] [--streams 1,2,4,8] [--frames N] "
                 "[--image PATH] [--json FILE]\n");
    return 2;
  }
  setenv("RKNN_EMU_TIMING", "1", 0);
  setenv("RKNN_EMU_LATENCY_MS", std::to_string(args.latency_ms).c_str(), 0);
  const double latency_ms = std::atof(std::getenv("RKNN_EMU_LATENCY_MS"));
  setenv("RKNN_EMU_REPLAY", "1", 0);
  set_log_level(LogLevel::kWarning);
  register_builtin_backends();

  DetectorOptions o;
  o.model_path = args.model;
  o.backend = "rknn";
  o.backend_options.rknn.library = args.rknn_lib;
  std::shared_ptr<const Model> model;
  if (Status s = Model::load(o, &model); !s.ok()) {
    std::fprintf(stderr, "rkyolo-bench-pipeline: %s\n", s.message().c_str());
    return 2;
  }

  // One 640x640 BGR frame (a demo scene resized once).
  const std::string image = args.image.empty() ? std::string(RKYOLO_SOURCE_DIR) + "/samples/scene1.jpg" : args.image;
  cv::Mat bgr = cv::imread(image, cv::IMREAD_COLOR);
  if (bgr.empty()) {
    std::fprintf(stderr, "rkyolo-bench-pipeline: cannot read the image '%s'.\n", image.c_str());
    return 2;
  }
  cv::resize(bgr, bgr, cv::Size(640, 640), 0, 0, cv::INTER_AREA);
  VideoFrame frame;
  frame.format = FrameFormat::kBgr8;
  frame.width = frame.height = 640;
  frame.plane_count = 1;
  frame.planes[0] = bgr.data;
  frame.strides[0] = bgr.step[0];
  const std::vector<VideoFrame> templates = {frame};

  // Baseline: one Session, one frame after the other.
  std::unique_ptr<Session> session;
  if (Status s = model->create_session(&session); !s.ok()) {
    std::fprintf(stderr, "rkyolo-bench-pipeline: %s\n", s.message().c_str());
    return 2;
  }
  DetectionResult result;
  std::vector<double> inference_ms, total_ms;
  for (int i = 0; i < 60; ++i) {
    if (Status s = session->detect(image_view_of(frame), &result); !s.ok()) {
      std::fprintf(stderr, "rkyolo-bench-pipeline: %s\n", s.message().c_str());
      return 2;
    }
    if (i < 10) continue;  // warm-up
    inference_ms.push_back(result.timing.inference_ms);
    total_ms.push_back(result.timing.total_ms());
  }
  session.reset();
  const double npu_ms = median(inference_ms);
  const int cores = static_cast<int>(model->placements().size());
  const double ceiling_fps = cores * 1000.0 / latency_ms;
  std::printf("rkyolo-bench-pipeline: %s, %s\n", model->runtime().runtime.c_str(), cpu_name().c_str());
  std::printf("emulated NPU latency %.2f ms: ceiling %d x 1000 / %.2f = %.1f FPS\n", latency_ms, cores, latency_ms,
              ceiling_fps);
  std::printf("baseline (1 Session, sequential): inference %.2f ms, detect %.2f ms (medians): %.1f FPS\n", npu_ms,
              median(total_ms), 1000.0 / median(total_ms));
  std::printf("%7s %7s %9s %9s %12s %9s %9s %s\n", "streams", "frames", "FPS", "ceiling", "CPU ms/frame", "p50 ms",
              "p99 ms", "busy per worker");

  Json runs = Json::array();
  int exit_code = 0;
  for (const int n : args.streams) {
    std::unique_ptr<pipeline::Pipeline> p;
    if (Status s = pipeline::Pipeline::create(model, pipeline::PipelineOptions{}, &p); !s.ok()) {
      std::fprintf(stderr, "rkyolo-bench-pipeline: %s\n", s.message().c_str());
      return 2;
    }
    for (int i = 0; i < n; ++i)
      p->add_source(
          "stream" + std::to_string(i),
          std::make_unique<test::SyntheticSource>(&templates, test::SyntheticSource::Options{.frames = args.frames}));
    MeasuringSink sink(p.get());
    p->add_sink(&sink);
    if (Status s = p->run(); !s.ok() || sink.errors > 0) {
      std::fprintf(stderr, "rkyolo-bench-pipeline: %ld frames failed; %s\n", sink.errors, s.message().c_str());
      exit_code = 1;
    }
    const pipeline::PipelineStats stats = p->stats();
    const double fps = static_cast<double>(sink.frames) / sink.seconds();
    const double cpu_ms = 1000.0 * (sink.end_cpu_s - sink.start_cpu_s) / static_cast<double>(sink.frames);
    const pipeline::Latency age = sink.age.summary();
    std::string busy;
    for (const pipeline::WorkerStats& w : stats.workers) {
      char text[16];
      std::snprintf(text, sizeof(text), "%s%.2f", busy.empty() ? "" : " ", w.busy_fraction);
      busy += text;
    }
    std::printf("%7d %7ld %9.1f %8.1f%% %12.2f %9.1f %9.1f %s\n", n, sink.frames, fps, 100.0 * fps / ceiling_fps,
                cpu_ms, age.p50_ms, age.p99_ms, busy.c_str());
    runs.push_back({{"streams", n},
                    {"frames_measured", sink.frames},
                    {"fps", fps},
                    {"share_of_ceiling", fps / ceiling_fps},
                    {"cpu_ms_per_frame", cpu_ms},
                    {"age_p50_ms", age.p50_ms},
                    {"age_p99_ms", age.p99_ms},
                    {"stats", Json::parse(pipeline::stats_json(stats))}});
  }
  if (!args.json.empty()) {
    Json out = {{"runtime", model->runtime().runtime},
                {"cpu", cpu_name()},
                {"host_threads", std::thread::hardware_concurrency()},
                {"npu_cores", cores},
                {"emulated_latency_ms", latency_ms},
                {"baseline_inference_ms", npu_ms},
                {"baseline_detect_ms", median(total_ms)},
                {"ceiling_fps", ceiling_fps},
                {"runs", runs}};
    std::ofstream(args.json) << out.dump(2) << "\n";
  }
  return exit_code;
}
