// rkyolo-bench: end-to-end benchmark (tier 2). Runs the whole detect() on a
// camera-sized frame with warm-up and repetitions, over one or several
// contexts (one thread each, e.g. one per NPU core), and prints latency
// percentiles, per-stage times, CPU time per frame, bytes moved through the
// runtime's copy API (when the NPU emulator is used) and the environment.
//
//   rkyolo-bench --model M [--backend cpu|rknn] [--rknn-lib P] [--rknn-io MODE]
//                [--npu-cores LIST] [--contexts N] [--frames N] [--warmup N]
//                [--image PATH] [--frame-size 1920x1080] [--label NAME] [--json FILE]
#include <dlfcn.h>
#include <sys/utsname.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <thread>
#include <vector>

#include "rkyolo/log.h"
#include "rkyolo/model.h"

namespace {

using rkyolo::DetectionResult;
using rkyolo::DetectorOptions;
using rkyolo::Session;
using Json = nlohmann::ordered_json;

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = p / 100.0 * (v.size() - 1);
  const std::size_t lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / v.size();
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

struct WorkerStats {
  std::vector<double> total, pre, infer, post, cpu;
  std::size_t detections = 0;
  std::string error;
};

int usage(const char* why) {
  std::fprintf(stderr, "rkyolo-bench: %s\n", why);
  std::fprintf(stderr,
               "usage: rkyolo-bench --model M [--backend cpu|rknn] [--rknn-lib P] [--rknn-io auto|zero-copy|standard]\n"
               "                    [--npu-cores LIST] [--contexts N] [--frames N] [--warmup N] [--image PATH]\n"
               "                    [--frame-size WxH] [--label NAME] [--json FILE]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
  DetectorOptions o;
  o.backend = "auto";
  int contexts = 1, frames = 100, warmup = 10;
  std::string image, json_path, label, frame_size = "1920x1080";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
    if (a == "--model")
      o.model_path = next();
    else if (a == "--backend")
      o.backend = next();
    else if (a == "--rknn-lib")
      o.backend_options.rknn.library = next();
    else if (a == "--rknn-io") {
      if (!rkyolo::parse_rknn_io(next(), &o.backend_options.rknn.io))
        return usage("--rknn-io must be auto, zero-copy or standard");
    } else if (a == "--npu-cores") {
      if (!rkyolo::parse_npu_cores(next(), &o.backend_options.rknn))
        return usage("--npu-cores must be auto, all or cores such as 0_1_2");
    } else if (a == "--threads") {
      o.backend_options.cpu.threads = std::atoi(next().c_str());
      if (o.backend_options.cpu.threads < 1) return usage("--threads must be positive");
    } else if (a == "--contexts")
      contexts = std::atoi(next().c_str());
    else if (a == "--frames")
      frames = std::atoi(next().c_str());
    else if (a == "--warmup")
      warmup = std::atoi(next().c_str());
    else if (a == "--image")
      image = next();
    else if (a == "--frame-size")
      frame_size = next();
    else if (a == "--label")
      label = next();
    else if (a == "--json")
      json_path = next();
    else
      return usage(("unknown option " + a).c_str());
  }
  if (o.model_path.empty()) return usage("--model is required");
  if (contexts < 1 || frames < 1 || warmup < 0) return usage("--contexts and --frames must be positive");
  int fw = 0, fh = 0;
  if (std::sscanf(frame_size.c_str(), "%dx%d", &fw, &fh) != 2 || fw <= 0 || fh <= 0) return usage("bad --frame-size");

  // A camera-sized frame: the image resized to the frame size (a synthetic
  // pattern without an image).
  cv::Mat frame;
  if (!image.empty()) {
    cv::Mat img = cv::imread(image, cv::IMREAD_COLOR);
    if (img.empty()) return usage(("cannot read " + image).c_str());
    cv::resize(img, frame, cv::Size(fw, fh));
  } else {
    frame.create(fh, fw, CV_8UC3);
    cv::randu(frame, 0, 255);
  }
  const rkyolo::ImageView view{frame.data, frame.cols, frame.rows, frame.step[0], rkyolo::PixelFormat::kBgr8};

  rkyolo::register_builtin_backends();
  // One session per context, spread over the model's placements (context
  // i on placement i mod n: with --npu-cores 0_1_2, one per core).
  std::shared_ptr<const rkyolo::Model> model;
  rkyolo::Status s = rkyolo::Model::load(o, &model);
  std::vector<std::unique_ptr<Session>> sessions(contexts);
  for (int i = 0; s.ok() && i < contexts; ++i)
    s = model->create_session(model->placements()[i % model->placements().size()], &sessions[i]);
  if (!s.ok()) {
    std::fprintf(stderr, "rkyolo-bench: %s\n", s.message().c_str());
    return 2;
  }
  const rkyolo::BackendCaps& caps = model->caps();
  const rkyolo::RuntimeInfo& info = model->runtime();

  // The emulator's copy-API counters, when the NPU backend runs on it.
  void (*emu_stats)(std::uint64_t*, std::uint64_t*, std::uint64_t*) = nullptr;
  if (!info.library_path.empty())
    if (void* h = dlopen(info.library_path.c_str(), RTLD_NOW | RTLD_NOLOAD))
      emu_stats = reinterpret_cast<decltype(emu_stats)>(dlsym(h, "rknn_emu_stats"));
  const std::string runtime = info.runtime;
  const std::string io_mode = info.io_mode == rkyolo::RuntimeInfo::IoMode::kZeroCopy ? "zero-copy" : "copy";
  std::string placements;
  for (const auto& session : sessions)
    placements += (placements.empty() ? "" : ", ") + rkyolo::to_string(session->placement());

  std::vector<WorkerStats> stats(contexts);
  std::uint64_t in0 = 0, out0 = 0, in1 = 0, out1 = 0;
  auto worker = [&](int w, bool measure, int count) {
    DetectionResult r;
    WorkerStats& st = stats[w];
    for (int i = 0; i < count; ++i) {
      const double c0 = thread_cpu_ms();
      const auto t0 = std::chrono::steady_clock::now();
      const rkyolo::Status ds = sessions[w]->detect(view, &r);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      const double cpu = thread_cpu_ms() - c0;
      if (!ds.ok()) {
        st.error = ds.message();
        return;
      }
      if (!measure) continue;
      st.total.push_back(ms);
      st.pre.push_back(r.timing.preprocess_ms);
      st.infer.push_back(r.timing.inference_ms);
      st.post.push_back(r.timing.postprocess_ms);
      st.cpu.push_back(cpu);
      st.detections = r.detections.size();
    }
  };
  auto run_all = [&](bool measure, int count) {
    std::vector<std::thread> threads;
    for (int w = 0; w < contexts; ++w) threads.emplace_back(worker, w, measure, count);
    for (auto& t : threads) t.join();
  };
  run_all(false, warmup);
  if (emu_stats) emu_stats(&in0, &out0, nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  run_all(true, frames);
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (emu_stats) emu_stats(&in1, &out1, nullptr);
  for (const auto& st : stats)
    if (!st.error.empty()) {
      std::fprintf(stderr, "rkyolo-bench: %s\n", st.error.c_str());
      return 1;
    }
  WorkerStats all;
  for (const auto& st : stats) {
    all.total.insert(all.total.end(), st.total.begin(), st.total.end());
    all.pre.insert(all.pre.end(), st.pre.begin(), st.pre.end());
    all.infer.insert(all.infer.end(), st.infer.begin(), st.infer.end());
    all.post.insert(all.post.end(), st.post.begin(), st.post.end());
    all.cpu.insert(all.cpu.end(), st.cpu.begin(), st.cpu.end());
    all.detections = st.detections;
  }
  const double total_frames = static_cast<double>(all.total.size());
  const double copied = emu_stats ? static_cast<double>((in1 - in0) + (out1 - out0)) / total_frames : -1;

  utsname u{};
  uname(&u);
  auto env_or = [](const char* k) {
    const char* v = std::getenv(k);
    return std::string(v ? v : "");
  };
  Json j;
  j["label"] = label;
  j["environment"] = {{"cpu", cpu_model()},
                      {"hardware_threads", std::thread::hardware_concurrency()},
                      {"kernel", std::string(u.sysname) + " " + u.release},
                      {"opencv", CV_VERSION},
                      {"compiler", __VERSION__},
                      {"runtime", runtime},
                      {"RKNN_EMU_TIMING", env_or("RKNN_EMU_TIMING")},
                      {"RKNN_EMU_REPLAY", env_or("RKNN_EMU_REPLAY")},
                      {"RKNN_EMU_LATENCY_MS", env_or("RKNN_EMU_LATENCY_MS")}};
  j["config"] = {
      {"model", o.model_path},
      {"backend", caps.name},
      {"io", io_mode},
      {"input", std::string(rkyolo::dtype_name(caps.input.dtype)) + " " + rkyolo::layout_name(caps.input.layout)},
      {"contexts", contexts},
      {"placements", placements},
      {"frames_per_context", frames},
      {"warmup", warmup},
      {"frame", std::to_string(fw) + "x" + std::to_string(fh)}};
  j["results"] = {{"fps", total_frames / wall_s},
                  {"latency_ms",
                   {{"mean", mean(all.total)},
                    {"p50", percentile(all.total, 50)},
                    {"p90", percentile(all.total, 90)},
                    {"p99", percentile(all.total, 99)}}},
                  {"preprocess_ms", mean(all.pre)},
                  {"inference_ms", mean(all.infer)},
                  {"postprocess_ms", mean(all.post)},
                  {"cpu_ms_per_frame", mean(all.cpu)},
                  {"bytes_copied_per_frame", copied},
                  {"detections", all.detections}};
  std::printf("%s%s: %s, %s I/O, %d context%s, %s frames\n", label.empty() ? "" : (label + " | ").c_str(),
              o.model_path.c_str(), caps.name.c_str(), io_mode.c_str(), contexts, contexts > 1 ? "s" : "",
              frame_size.c_str());
  std::printf("  throughput %.1f FPS; latency ms p50 %.2f p90 %.2f p99 %.2f\n", total_frames / wall_s,
              percentile(all.total, 50), percentile(all.total, 90), percentile(all.total, 99));
  std::printf("  per frame: preprocess %.3f ms, inference %.3f ms, postprocess %.3f ms, CPU %.3f ms", mean(all.pre),
              mean(all.infer), mean(all.post), mean(all.cpu));
  if (copied >= 0) std::printf(", %.0f bytes through the copy API", copied);
  std::printf("\n  environment: %s, %u threads, OpenCV %s, runtime %s\n", cpu_model().c_str(),
              std::thread::hardware_concurrency(), CV_VERSION, runtime.c_str());
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << j.dump(2) << "\n";
  }
  return 0;
}
