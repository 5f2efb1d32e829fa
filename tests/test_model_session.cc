// One Model, many Sessions: placements follow the NPU cores the emulated
// chip has, load-time warnings are said once however many sessions open,
// labels outlive every session, sessions on threads give what one session
// gives, RuntimeInfo is typed on both backends, and the CLI names the option
// of every bad backend value.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <thread>

#include "rkyolo/log.h"
#include "rkyolo/model.h"
#include "support/log_capture.h"
#include "support/test_env.h"

namespace rkyolo {
namespace {

std::string model(const std::string& name) {
  return test::binary_dir() + "/test-models/" + name;
}
std::string emu_lib(const std::string& variant = "") {
  return test::binary_dir() + "/emulator/" + (variant.empty() ? "" : variant + "/") + "librknnrt.so";
}
std::vector<cv::Mat> samples() {
  std::vector<cv::Mat> s;
  for (int i = 1; i <= 4; ++i) {
    s.push_back(cv::imread(test::source_dir() + "/samples/scene" + std::to_string(i) + ".jpg", cv::IMREAD_COLOR));
    EXPECT_FALSE(s.back().empty());
  }
  return s;
}
ImageView view_of(const cv::Mat& m) {
  return ImageView{m.data, m.cols, m.rows, m.step[0], PixelFormat::kBgr8};
}

DetectorOptions npu_options(const std::string& rknn, const std::string& cores = "auto") {
  register_builtin_backends();
  DetectorOptions o;
  o.model_path = model(rknn);
  o.backend = "rknn";
  o.backend_options.rknn.library = emu_lib();
  EXPECT_TRUE(parse_npu_cores(cores, &o.backend_options.rknn)) << cores;
  return o;
}

std::shared_ptr<const Model> load(const DetectorOptions& o) {
  std::shared_ptr<const Model> m;
  const Status s = Model::load(o, &m);
  EXPECT_TRUE(s.ok()) << s;
  return m;
}

std::vector<std::string> placement_names(const Model& m) {
  std::vector<std::string> names;
  for (const Placement& p : m.placements()) names.push_back(to_string(p));
  return names;
}

// Plain copies of detections, comparable after their Session is gone.
struct Found {
  int class_id;
  float score, x1, y1, x2, y2;
  bool operator==(const Found&) const = default;
};
std::vector<Found> found(const DetectionResult& r) {
  std::vector<Found> f;
  for (const Detection& d : r.detections) f.push_back({d.class_id, d.score, d.box.x1, d.box.y1, d.box.x2, d.box.y2});
  return f;
}

using test::LogCapture;

TEST(ModelSession, PlacementsAreTheCoresTheChipHas) {
  // RK3588 has three NPU cores, RK3576 two; RK3566's runtime takes no core
  // mask, so its one placement leaves the core to the runtime.
  auto rk3588 = load(npu_options("shapes-rk3588.rknn"));
  auto rk3576 = load(npu_options("shapes-rk3576.rknn"));
  auto rk3566 = load(npu_options("shapes-rk3566.rknn"));
  ASSERT_TRUE(rk3588 && rk3576 && rk3566);
  EXPECT_EQ(placement_names(*rk3588), (std::vector<std::string>{"NPU core 0", "NPU core 1", "NPU core 2"}));
  EXPECT_EQ(placement_names(*rk3576), (std::vector<std::string>{"NPU core 0", "NPU core 1"}));
  EXPECT_EQ(placement_names(*rk3566), (std::vector<std::string>{"NPU, any idle core"}));
  EXPECT_EQ(rk3588->runtime().npu_cores, 3);
  EXPECT_EQ(rk3576->runtime().npu_cores, 2);
  EXPECT_EQ(rk3566->runtime().npu_cores, 1);

  // One session per placement: each on its own core.
  std::vector<std::unique_ptr<Session>> sessions;
  for (const Placement& p : rk3588->placements()) {
    sessions.emplace_back();
    ASSERT_TRUE(rk3588->create_session(p, &sessions.back()).ok());
  }
  std::vector<std::uint32_t> masks;
  for (const auto& s : sessions) masks.push_back(s->placement().core_mask);
  EXPECT_EQ(masks, (std::vector<std::uint32_t>{1, 2, 4}));

  // A core the chip lacks is refused when the session is made.
  Placement core2;
  core2.device = Placement::Device::kNpu;
  core2.core_mask = 4;
  std::unique_ptr<Session> none;
  const Status s = rk3576->create_session(core2, &none);
  EXPECT_EQ(s.code(), StatusCode::kBackendError);
  EXPECT_NE(s.message().find("NPU core 2"), std::string::npos) << s;
  EXPECT_NE(s.message().find("RKNN_ERR_PARAM_INVALID"), std::string::npos) << s;
  Placement cpu;
  EXPECT_EQ(rk3588->create_session(cpu, &none).code(), StatusCode::kInvalidArgument);
}

TEST(ModelSession, NamedCoresAndAllCoresInOne) {
  auto listed = load(npu_options("shapes-rk3588.rknn", "2_0"));
  ASSERT_TRUE(listed);
  EXPECT_EQ(placement_names(*listed), (std::vector<std::string>{"NPU core 2", "NPU core 0"}));
  auto all = load(npu_options("shapes-rk3588.rknn", "all"));
  ASSERT_TRUE(all);
  EXPECT_EQ(placement_names(*all), (std::vector<std::string>{"NPU cores 0+1+2"}));
  // RK3576 refuses mask 0_1_2: "all" is every core it has.
  auto all76 = load(npu_options("shapes-rk3576.rknn", "all"));
  ASSERT_TRUE(all76);
  EXPECT_EQ(placement_names(*all76), (std::vector<std::string>{"NPU, all cores"}));
  std::shared_ptr<const Model> bad;
  const Status s = Model::load(npu_options("shapes-rk3576.rknn", "0_2"), &bad);
  EXPECT_EQ(s.code(), StatusCode::kBackendError);
  EXPECT_NE(s.message().find("NPU core 2"), std::string::npos) << s;
}

TEST(ModelSession, LoadWarningsAreSaidOnceHoweverManySessions) {
  LogCapture log;
  setenv("RKNN_EMU_CREATE_MEM_NULL", "1", 1);
  auto m = load(npu_options("shapes-rk3588.rknn"));
  std::vector<std::unique_ptr<Session>> sessions(5);
  for (std::size_t i = 0; m && i < sessions.size(); ++i)
    ASSERT_TRUE(m->create_session(m->placements()[i % m->placements().size()], &sessions[i]).ok());
  unsetenv("RKNN_EMU_CREATE_MEM_NULL");
  ASSERT_TRUE(m);
  const std::string warning = "zero-copy I/O is not available";
  EXPECT_EQ(log.count(warning), 1);
  ASSERT_EQ(m->warnings().size(), 1u);
  EXPECT_NE(m->warnings()[0].find(warning), std::string::npos) << m->warnings()[0];
  EXPECT_EQ(m->runtime().io_mode, RuntimeInfo::IoMode::kCopy);
  for (const auto& s : sessions) EXPECT_FALSE(s->backend().caps().input.zero_copy);

  // The Model's own warnings too: a labels list of the wrong length.
  DetectorOptions o = npu_options("shapes-rk3588.rknn");
  o.labels = {"only", "two"};
  auto short_labels = load(o);
  for (auto& s : sessions) ASSERT_TRUE(short_labels->create_session(&s).ok());
  EXPECT_EQ(log.count("the labels list has 2 names but the model has 8 classes"), 1);
  EXPECT_EQ(short_labels->warnings().size(), 1u);
}

TEST(ModelSession, LabelsOutliveEverySession) {
  std::shared_ptr<const Model> m = load(npu_options("shapes-rk3588.rknn"));
  ASSERT_TRUE(m);
  const std::vector<cv::Mat> images = samples();
  DetectionResult r;
  {
    std::unique_ptr<Session> a, b;
    ASSERT_TRUE(m->create_session(&a).ok());
    ASSERT_TRUE(m->create_session(m->placements()[1], &b).ok());
    ASSERT_TRUE(a->detect(view_of(images[0]), &r).ok());
    ASSERT_TRUE(b->detect(view_of(images[0]), &r).ok());
  }  // every session destroyed; the Model lives on
  ASSERT_FALSE(r.detections.empty());
  for (const Detection& d : r.detections) {
    ASSERT_GE(d.class_id, 0);
    ASSERT_LT(d.class_id, 8);
    EXPECT_EQ(d.label, m->labels()[d.class_id]);
    EXPECT_EQ(d.label.data(), m->labels()[d.class_id].data()) << "the label points into the Model";
  }
  EXPECT_EQ(m->labels().size(), 8u);
  EXPECT_EQ(m->labels()[0], "circle");
  // A Session keeps its Model alive on its own.
  std::unique_ptr<Session> last;
  ASSERT_TRUE(m->create_session(&last).ok());
  m.reset();
  ASSERT_TRUE(last->detect(view_of(images[1]), &r).ok());
  for (const Detection& d : r.detections) EXPECT_EQ(d.label, last->model().labels()[d.class_id]);
}

// Sessions on threads, each over every image several times, give exactly
// what one session gives.
void expect_threads_match_one_session(const DetectorOptions& o, int threads) {
  auto m = load(o);
  ASSERT_TRUE(m);
  const std::vector<cv::Mat> images = samples();
  std::vector<std::vector<Found>> expected;
  {
    std::unique_ptr<Session> one;
    ASSERT_TRUE(m->create_session(&one).ok());
    DetectionResult r;
    for (const cv::Mat& img : images) {
      ASSERT_TRUE(one->detect(view_of(img), &r).ok());
      expected.push_back(found(r));
    }
  }
  ASSERT_FALSE(expected[0].empty());
  std::vector<std::unique_ptr<Session>> sessions(threads);
  for (int t = 0; t < threads; ++t)
    ASSERT_TRUE(m->create_session(m->placements()[t % m->placements().size()], &sessions[t]).ok());
  constexpr int kRounds = 3;
  std::vector<std::vector<std::vector<Found>>> got(threads, std::vector<std::vector<Found>>(images.size()));
  std::vector<std::string> errors(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      DetectionResult r;
      for (int round = 0; round < kRounds; ++round)
        for (std::size_t i = 0; i < images.size(); ++i) {
          const std::size_t k = (i + t) % images.size();  // threads on different images at once
          if (Status s = sessions[t]->detect(view_of(images[k]), &r); !s.ok()) {
            errors[t] = s.message();
            return;
          }
          got[t][k] = found(r);
          if (got[t][k] != expected[k])
            errors[t] = "image " + std::to_string(k) + " differs in round " + std::to_string(round);
        }
    });
  for (auto& th : pool) th.join();
  for (int t = 0; t < threads; ++t) {
    EXPECT_TRUE(errors[t].empty()) << "session " << t << ": " << errors[t];
    EXPECT_EQ(got[t], expected) << "session " << t;
  }
}

TEST(ModelSession, ConcurrentSessionsMatchOneSessionOnTheNpu) {
  expect_threads_match_one_session(npu_options("shapes-rk3588.rknn"), 4);  // 4 sessions on 3 cores
}

TEST(ModelSession, ConcurrentSessionsMatchOneSessionOnTheCpu) {
  register_builtin_backends();
  DetectorOptions o;
  o.model_path = test::demo_model();
  o.backend = "cpu";
  expect_threads_match_one_session(o, 2);
}

TEST(ModelSession, RuntimeInfoOnTheCpu) {
  register_builtin_backends();
  DetectorOptions o;
  o.model_path = test::demo_model();
  o.backend = "cpu";
  o.backend_options.cpu.threads = 2;
  auto m = load(o);
  ASSERT_TRUE(m);
  const RuntimeInfo& r = m->runtime();
  EXPECT_EQ(r.backend, "cpu");
  EXPECT_EQ(r.runtime, "OpenCV " CV_VERSION " DNN");
  EXPECT_EQ(r.runtime_version, CV_VERSION);
  EXPECT_TRUE(r.driver_version.empty());
  EXPECT_TRUE(r.library_path.empty());
  EXPECT_EQ(r.io_mode, RuntimeInfo::IoMode::kCopy);
  EXPECT_EQ(r.npu_cores, 0);
  EXPECT_EQ(r.threads, 2);
  ASSERT_EQ(m->placements().size(), 1u);
  EXPECT_EQ(to_string(m->placements()[0]), "CPU, 2 threads");
  EXPECT_TRUE(m->warnings().empty());
}

TEST(ModelSession, RuntimeInfoOnTheEmulator) {
  DetectorOptions o = npu_options("shapes-rk3588.rknn");
  auto zero_copy = load(o);
  o.backend_options.rknn.io = RknnIo::kStandard;
  auto standard = load(o);
  o.backend_options.rknn = RknnOptions{};
  o.backend_options.rknn.library = emu_lib("legacy-nozc");
  o.model_path = model("shapes-rk3588-tk1.1.0.rknn");
  auto legacy = load(o);
  ASSERT_TRUE(zero_copy && standard && legacy);
  const RuntimeInfo& r = zero_copy->runtime();
  EXPECT_EQ(r.backend, "rknn");
  EXPECT_EQ(r.runtime_version, "2.3.2");
  EXPECT_EQ(r.runtime.rfind("2.3.2 (rknn-emu", 0), 0u) << r.runtime;
  EXPECT_NE(r.driver_version.find("emulated rk3588 with 3 NPU cores"), std::string::npos) << r.driver_version;
  EXPECT_EQ(r.library_path, emu_lib());
  EXPECT_EQ(r.io_mode, RuntimeInfo::IoMode::kZeroCopy);
  EXPECT_EQ(r.io_detail.rfind("zero-copy: input UINT8", 0), 0u) << r.io_detail;
  EXPECT_EQ(r.threads, 0);
  EXPECT_EQ(standard->runtime().io_mode, RuntimeInfo::IoMode::kCopy);
  EXPECT_EQ(standard->runtime().io_detail, "standard: rknn_inputs_set + rknn_outputs_get");
  EXPECT_EQ(legacy->runtime().runtime_version, "1.1.0");
  EXPECT_EQ(legacy->runtime().io_mode, RuntimeInfo::IoMode::kCopy);
  EXPECT_NE(legacy->runtime().io_detail.find("zero-copy failed: the runtime lacks rknn_create_mem"), std::string::npos)
      << legacy->runtime().io_detail;
}

TEST(ModelSession, NpuCoresText) {
  RknnOptions o;
  ASSERT_TRUE(parse_npu_cores("0_2", &o));
  EXPECT_EQ(o.cores, (std::vector<int>{0, 2}));
  EXPECT_FALSE(o.all_cores_in_one);
  ASSERT_TRUE(parse_npu_cores("all", &o));
  EXPECT_TRUE(o.all_cores_in_one);
  EXPECT_TRUE(o.cores.empty());
  ASSERT_TRUE(parse_npu_cores("auto", &o));
  EXPECT_FALSE(o.all_cores_in_one);
  EXPECT_TRUE(o.cores.empty());
  for (const char* bad : {"", "3", "0_", "_0", "0_0", "01", "0,1", "0__1", "-1", "a"})
    EXPECT_FALSE(parse_npu_cores(bad, &o)) << "'" << bad << "'";
  RknnIo io;
  EXPECT_TRUE(parse_rknn_io("zero-copy", &io));
  EXPECT_EQ(io, RknnIo::kZeroCopy);
  EXPECT_FALSE(parse_rknn_io("zerocopy", &io));
  for (RknnInput in : {RknnInput::kAuto, RknnInput::kUint8, RknnInput::kInt8}) {
    RknnInput back;
    ASSERT_TRUE(parse_rknn_input(rknn_input_name(in), &back));
    EXPECT_EQ(back, in);
  }
}

TEST(ModelSession, CliNamesTheOptionOfEveryBadBackendValue) {
  struct Case {
    const char* option;
    const char* value;
    const char* why;
  };
  const Case cases[] = {
      {"--rknn-io", "fast", "expected auto, zero-copy or standard"},
      {"--rknn-input", "float", "expected auto, uint8 or int8"},
      {"--npu-cores", "0_0", "distinct cores 0 to 2"},
      {"--npu-cores", "3", "distinct cores 0 to 2"},
      {"--threads", "0", "must be between 1 and 256"},
      {"--imgsz", "16", "must be between 32 and 8192"},
      {"--rknn-std", "0", "positive numbers"},
      {"--rknn-mean", "1,2", "one or three numbers"},
  };
  for (const Case& c : cases) {
    const test::CommandResult r =
        test::run_cli(RKYOLO_CLI, {"detect", "--model", test::demo_model(), "--source", test::source_dir() + "/samples",
                                   "--no-save", c.option, c.value});
    EXPECT_EQ(r.exit_code, 2) << c.option << " " << c.value;
    EXPECT_EQ(test::count_lines(r.err), 1) << r.err;
    const std::string expected = std::string("invalid value '") + c.value + "' for " + c.option + ": ";
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.why), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace rkyolo
