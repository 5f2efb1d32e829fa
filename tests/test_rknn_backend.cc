// The RKNN backend against the NPU emulator: every I/O mode and input
// strategy gives identical detections and matches the CPU backend within
// int8 tolerance; unaligned widths, padded NC1HWC2 channels, one-class
// models; each injected fault degrades or fails with one clear message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <opencv2/imgcodecs.hpp>

#include "backends/rknn/rknn_backend.h"
#include "rkyolo/log.h"
#include "rkyolo/model.h"
#include "support/log_capture.h"
#include "support/test_env.h"

namespace rkyolo {
namespace {

namespace fs = std::filesystem;

// Named tolerances for int8 (emulated NPU) against float (CPU).
constexpr float kMinIouVsCpu = 0.9f;
constexpr float kMaxScoreErrorVsCpu = 0.05f;
constexpr float kBorderline = 0.06f;  // detections this close to conf may exist on one side only

std::string models_dir() {
  return test::binary_dir() + "/test-models";
}
std::string model(const std::string& name) {
  return models_dir() + "/" + name;
}
std::string emu_lib(const std::string& variant = "") {
  return test::binary_dir() + "/emulator/" + (variant.empty() ? "" : variant + "/") + "librknnrt.so";
}
std::vector<std::string> samples() {
  std::vector<std::string> s;
  for (int i = 1; i <= 4; ++i) s.push_back(test::source_dir() + "/samples/scene" + std::to_string(i) + ".jpg");
  return s;
}

using test::LogCapture;

struct ScopedEnv {
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }
  const char* name_;
};

RknnOptions opts(RknnIo io, RknnInput input = RknnInput::kAuto, RknnCache cache = RknnCache::kAuto) {
  RknnOptions o;
  o.io = io;
  o.input = input;
  o.cache = cache;
  return o;
}
RknnOptions rknn_lib(const std::string& library, RknnIo io = RknnIo::kAuto) {
  RknnOptions o = opts(io);
  o.library = library;
  return o;
}

// The emulator's librknnrt.so unless the options name another library.
Status make_detector(const std::string& path, const std::string& backend, RknnOptions rknn_options,
                     std::unique_ptr<Session>* out, float conf = 0.25f) {
  register_builtin_backends();
  DetectorOptions o;
  o.model_path = path;
  o.backend = backend;
  o.conf_threshold = conf;
  if (backend == "rknn" && rknn_options.library.empty()) rknn_options.library = emu_lib();
  o.backend_options.rknn = rknn_options;
  return test::load_session(o, out);
}

std::unique_ptr<Session> npu(const std::string& path, RknnOptions options = {}, float conf = 0.25f) {
  std::unique_ptr<Session> d;
  const Status s = make_detector(path, "rknn", std::move(options), &d, conf);
  EXPECT_TRUE(s.ok()) << s;
  return d;
}

std::unique_ptr<Session> cpu(const std::string& path, float conf = 0.25f) {
  std::unique_ptr<Session> d;
  const Status s = make_detector(path, "cpu", {}, &d, conf);
  EXPECT_TRUE(s.ok()) << s;
  return d;
}

std::vector<Detection> detect(Session& d, const std::string& image) {
  const cv::Mat img = cv::imread(image, cv::IMREAD_COLOR);
  EXPECT_FALSE(img.empty()) << image;
  DetectionResult r;
  const Status s = d.detect(ImageView{img.data, img.cols, img.rows, img.step[0], PixelFormat::kBgr8}, &r);
  EXPECT_TRUE(s.ok()) << s;
  return r.detections;
}

void expect_identical(const std::vector<Detection>& a, const std::vector<Detection>& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].class_id, b[i].class_id) << what;
    EXPECT_EQ(a[i].score, b[i].score) << what;
    EXPECT_EQ(a[i].box.x1, b[i].box.x1) << what;
    EXPECT_EQ(a[i].box.y1, b[i].box.y1) << what;
    EXPECT_EQ(a[i].box.x2, b[i].box.x2) << what;
    EXPECT_EQ(a[i].box.y2, b[i].box.y2) << what;
  }
}

// Same objects (class and IoU above kMinIouVsCpu), except near the threshold.
void expect_close_to_cpu(const std::vector<Detection>& npu_dets, const std::vector<Detection>& cpu_dets, float conf,
                         const std::string& what) {
  std::vector<bool> used(cpu_dets.size(), false);
  int matched = 0;
  for (const Detection& d : npu_dets) {
    int best = -1;
    float best_iou = kMinIouVsCpu;
    for (std::size_t j = 0; j < cpu_dets.size(); ++j)
      if (!used[j] && cpu_dets[j].class_id == d.class_id && iou(d.box, cpu_dets[j].box) > best_iou)
        best_iou = iou(d.box, cpu_dets[j].box), best = static_cast<int>(j);
    if (best < 0) {
      EXPECT_LT(d.score, conf + kBorderline) << what << ": only the NPU found " << d;
      continue;
    }
    used[best] = true;
    ++matched;
    EXPECT_NEAR(d.score, cpu_dets[best].score, kMaxScoreErrorVsCpu) << what << ": " << d;
  }
  for (std::size_t j = 0; j < cpu_dets.size(); ++j)
    if (!used[j]) EXPECT_LT(cpu_dets[j].score, conf + kBorderline) << what << ": only the CPU found " << cpu_dets[j];
  EXPECT_GT(matched, 0) << what;
}

const std::vector<RknnOptions>& io_configs() {
  static const std::vector<RknnOptions> k = {
      opts(RknnIo::kZeroCopy),
      opts(RknnIo::kZeroCopy, RknnInput::kUint8),
      opts(RknnIo::kZeroCopy, RknnInput::kInt8),
      opts(RknnIo::kZeroCopy, RknnInput::kAuto, RknnCache::kManual),
      opts(RknnIo::kStandard),
      opts(RknnIo::kStandard, RknnInput::kInt8),
  };
  return k;
}

std::string describe(const RknnOptions& o) {
  return "io=" + std::string(rknn_io_name(o.io)) + " input=" + std::string(rknn_input_name(o.input)) +
         " cache=" + std::string(rknn_cache_name(o.cache)) + " ";
}

// Every mode and strategy gives the same detections; all match the CPU.
void check_modes_and_cpu(const std::string& rknn, const std::string& onnx, const std::vector<std::string>& images,
                         const std::vector<RknnOptions>& configs = io_configs()) {
  ASSERT_TRUE(fs::exists(rknn)) << rknn;
  auto reference = npu(rknn, configs[0]);
  auto on_cpu = cpu(onnx);
  ASSERT_TRUE(reference && on_cpu);
  std::vector<std::vector<Detection>> expected;
  for (const auto& img : images) {
    expected.push_back(detect(*reference, img));
    expect_close_to_cpu(expected.back(), detect(*on_cpu, img), 0.25f, rknn + " vs CPU on " + img);
  }
  for (std::size_t c = 1; c < configs.size(); ++c) {
    auto d = npu(rknn, configs[c]);
    ASSERT_TRUE(d) << describe(configs[c]);
    for (std::size_t i = 0; i < images.size(); ++i)
      expect_identical(detect(*d, images[i]), expected[i], rknn + " " + describe(configs[c]) + " on " + images[i]);
  }
}

TEST(RknnBackend, DemoModelAllModesIdenticalAndCloseToCpu) {
  check_modes_and_cpu(model("shapes-rk3588.rknn"), test::demo_model(), samples());
  check_modes_and_cpu(model("shapes-rk3566.rknn"), test::demo_model(), samples());
}

TEST(RknnBackend, RealYolov5nBothLayouts) {
  RKYOLO_REQUIRE_SHARED();
  const std::vector<std::string> photos = {test::shared_dir() + "/images/bus.jpg",
                                           test::shared_dir() + "/images/zidane.jpg"};
  check_modes_and_cpu(model("yolov5n-heads-rk3588.rknn"), test::shared_dir() + "/models/yolov5n-coco-heads.onnx",
                      photos);
}

TEST(RknnBackend, CombinedInt8OutputIsIdenticalAcrossModesAndWarned) {
  // One int8 scale for pixel coordinates and scores (2.6 here) leaves no
  // usable scores: the reason NPU models use split heads. Both modes agree
  // and the user is told why nothing is found.
  RKYOLO_REQUIRE_SHARED();
  LogCapture log;
  auto zc = npu(model("yolov5n-rk3588.rknn"), opts(RknnIo::kZeroCopy));
  auto st = npu(model("yolov5n-rk3588.rknn"), opts(RknnIo::kStandard));
  ASSERT_TRUE(zc && st);
  EXPECT_NE(log.all().find("scores are quantized in steps too coarse"), std::string::npos) << log.all();
  for (const char* img : {"/images/bus.jpg", "/images/zidane.jpg"})
    expect_identical(detect(*zc, test::shared_dir() + img), detect(*st, test::shared_dir() + img), "v5 combined");
}

TEST(RknnBackend, ZeroCopyDecodesNativeLayoutInPlace) {
  auto d = npu(model("shapes-rk3588.rknn"));
  ASSERT_TRUE(d);
  const BackendCaps& caps = d->backend().caps();
  EXPECT_TRUE(caps.input.zero_copy);
  EXPECT_TRUE(caps.zero_copy_outputs);
  EXPECT_EQ(caps.input.dtype, DType::kUint8);  // aligned width: the NPU normalizes
  for (const TensorInfo& t : d->backend().model_info().outputs) {
    EXPECT_EQ(t.layout, TensorLayout::kNC1HWC2) << t;
    EXPECT_EQ(t.c2, 16) << t;
  }
  auto d66 = npu(model("shapes-rk3566.rknn"));
  ASSERT_TRUE(d66);
  for (const TensorInfo& t : d66->backend().model_info().outputs) EXPECT_EQ(t.c2, 8) << t;
}

TEST(RknnBackend, UnalignedWidthUsesStridedInt8Rows) {
  for (const char* target : {"rk3588", "rk3566"}) {
    const std::string rknn = model(std::string("shapes-596-") + target + ".rknn");
    auto d = npu(rknn);
    ASSERT_TRUE(d);
    const InputCaps& in = d->backend().caps().input;
    EXPECT_EQ(in.width, 596);
    EXPECT_EQ(in.row_stride_pixels, std::string(target) == "rk3588" ? 608 : 600) << target;
    EXPECT_EQ(in.dtype, DType::kInt8) << "w_stride > width: the CPU writes int8 rows itself";
    check_modes_and_cpu(rknn, model("shapes-596.onnx"), samples(),
                        {opts(RknnIo::kZeroCopy), opts(RknnIo::kZeroCopy, RknnInput::kUint8), opts(RknnIo::kStandard),
                         opts(RknnIo::kStandard, RknnInput::kInt8)});
  }
}

// A model converted with mean 128 / std 128: the CPU may write int8 itself
// only with that normalization; with the default 0 / 255 it would feed wrong
// values silently, so the backend refuses and the runtime converts instead.
TEST(RknnBackend, Int8InputNeedsTheModelsNormalization) {
  const std::string rknn = model("shapes-596-rk3588-mean128.rknn");
  std::vector<Detection> reference;
  {
    auto standard = npu(rknn, opts(RknnIo::kStandard), 0.05f);
    ASSERT_TRUE(standard);
    EXPECT_EQ(standard->backend().caps().input.dtype, DType::kUint8);
    reference = detect(*standard, samples()[0]);
  }
  ASSERT_FALSE(reference.empty()) << "the comparison needs detections";
  LogCapture log;
  auto wrong = npu(rknn, {}, 0.05f);
  ASSERT_TRUE(wrong);
  EXPECT_FALSE(wrong->backend().caps().input.zero_copy);
  EXPECT_NE(log.all().find("does not fit mean 0 / std 255"), std::string::npos) << log.all();
  EXPECT_EQ(log.count("zero-copy I/O is not available"), 1) << log.all();
  expect_identical(detect(*wrong, samples()[0]), reference, "fallback after a mean/std mismatch");
  std::unique_ptr<Session> forced;
  EXPECT_FALSE(make_detector(rknn, "rknn", opts(RknnIo::kZeroCopy), &forced).ok());

  RknnOptions mean128;
  mean128.has_mean = mean128.has_std = true;
  for (int c = 0; c < 3; ++c) mean128.mean[c] = mean128.std[c] = 128;
  auto right = npu(rknn, mean128, 0.05f);
  ASSERT_TRUE(right);
  const InputCaps& in = right->backend().caps().input;
  EXPECT_TRUE(in.zero_copy);
  EXPECT_EQ(in.dtype, DType::kInt8);
  EXPECT_EQ(in.row_stride_pixels, 608);
  expect_identical(detect(*right, samples()[0]), reference, "CPU-quantized int8 with the model's mean/std");
}

TEST(RknnBackend, OneClassModelWithPaddedChannels) {
  auto d = npu(model("shapes-1class-rk3588.rknn"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->model().layout().num_classes, 1);
  check_modes_and_cpu(model("shapes-1class-rk3588.rknn"), model("shapes-1class.onnx"), samples());
}

TEST(RknnBackend, LabelsComeFromTheModel) {
  auto d = npu(model("shapes-rk3588.rknn"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->model().labels()[0], "circle");  // carried through the RKNN custom string
}

TEST(RknnFaults, OldRuntimeWithoutZeroCopyFallsBack) {
  LogCapture log;
  // A model built by an old toolkit: this old runtime refuses newer ones.
  auto legacy = npu(model("shapes-rk3588-tk1.1.0.rknn"), rknn_lib(emu_lib("legacy-nozc")));
  ASSERT_TRUE(legacy);
  EXPECT_FALSE(legacy->backend().caps().input.zero_copy);
  const std::string warning = log.all();
  EXPECT_NE(warning.find("zero-copy I/O is not available (the runtime lacks rknn_create_mem/rknn_set_io_mem"),
            std::string::npos)
      << warning;
  EXPECT_NE(warning.find("runtime 1.1.0"), std::string::npos) << warning;
  auto modern = npu(model("shapes-rk3588.rknn"));
  for (const auto& img : samples()) expect_identical(detect(*legacy, img), detect(*modern, img), "legacy runtime");
  // Asked for explicitly, the same situation is an error.
  std::unique_ptr<Session> d;
  const Status s = make_detector(model("shapes-rk3588-tk1.1.0.rknn"), "rknn",
                                 rknn_lib(emu_lib("legacy-nozc"), RknnIo::kZeroCopy), &d);
  EXPECT_EQ(s.code(), StatusCode::kBackendError);
  EXPECT_NE(s.message().find("zero-copy I/O was requested"), std::string::npos) << s;
}

TEST(RknnFaults, Runtime120SpellingAndOldToolkit) {
  // 1.2.0 spelled rknn_destory_mem; zero-copy still works with it.
  auto d = npu(model("shapes-rk3588-tk1.2.0.rknn"), rknn_lib(emu_lib("legacy-1.2")));
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->backend().caps().input.zero_copy);
  bool spelled = false;
  for (const auto& [k, v] : d->backend().describe()) spelled |= v.find("rknn_destory_mem") != std::string::npos;
  EXPECT_TRUE(spelled);
  auto modern = npu(model("shapes-rk3588.rknn"));
  expect_identical(detect(*d, samples()[0]), detect(*modern, samples()[0]), "runtime 1.2.0");
  // A model built by a newer toolkit: the error says so and names both versions.
  std::unique_ptr<Session> bad;
  const Status s = make_detector(model("shapes-rk3588.rknn"), "rknn", rknn_lib(emu_lib("legacy-1.2")), &bad);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("shapes-rk3588.rknn"), std::string::npos) << s;
  EXPECT_NE(s.message().find("RKNN_ERR_MODEL_INVALID (-6)"), std::string::npos) << s;
  EXPECT_NE(s.message().find("newer RKNN toolkit"), std::string::npos) << s;
  EXPECT_NE(s.message().find("runtime 1.2.0"), std::string::npos) << s;
}

TEST(RknnFaults, CreateMemReturningNullFallsBack) {
  LogCapture log;
  ScopedEnv env("RKNN_EMU_CREATE_MEM_NULL", "1");
  auto d = npu(model("shapes-rk3588.rknn"));
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->backend().caps().input.zero_copy);
  EXPECT_NE(log.all().find("rknn_create_mem(1228800 bytes) for the input returned NULL"), std::string::npos)
      << log.all();
  EXPECT_NE(log.all().find("runtime 2.3.2"), std::string::npos) << log.all();
  // Decided once, at load: sessions follow it without probing again (no
  // second warning) and outlive each other.
  std::vector<std::unique_ptr<Session>> clones(2);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(d->model().create_session(&clones[i]).ok());
  EXPECT_EQ(log.count("zero-copy I/O is not available"), 1) << log.all();
  unsetenv("RKNN_EMU_CREATE_MEM_NULL");
  auto modern = npu(model("shapes-rk3588.rknn"));
  for (const auto& img : samples()) expect_identical(detect(*d, img), detect(*modern, img), "create_mem NULL");
  d.reset();
  for (auto& c : clones) {
    EXPECT_FALSE(c->backend().caps().input.zero_copy);
    expect_identical(detect(*c, samples()[1]), detect(*modern, samples()[1]), "clone after its source was destroyed");
  }
}

// RV1103/RV1106 ship librknnmrt.so: zero-copy API only. It is found when
// librknnrt.so is not, runs zero-copy (NHWC native outputs on RV1106), and
// says plainly when neither zero-copy nor a fallback is possible.
TEST(RknnFaults, ZeroCopyOnlyRuntimeOfRv1106) {
  const std::string rknn = model("shapes-rv1106.rknn");
  const std::string mrt = test::binary_dir() + "/emulator/mrt/librknnmrt.so";
  auto full = npu(rknn, opts(RknnIo::kStandard));
  ASSERT_TRUE(full);
  auto d = npu(rknn, rknn_lib(mrt));
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->backend().caps().input.zero_copy);
  for (const auto& img : samples()) expect_identical(detect(*d, img), detect(*full, img), "librknnmrt zero-copy");

  std::unique_ptr<Session> standard;
  Status s = make_detector(rknn, "rknn", rknn_lib(mrt, RknnIo::kStandard), &standard);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("has no copy API"), std::string::npos) << s;
  {
    ScopedEnv env("RKNN_EMU_CREATE_MEM_NULL", "1");
    std::unique_ptr<Session> none;
    s = make_detector(rknn, "rknn", rknn_lib(mrt), &none);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("no copy API (rknn_inputs_set, rknn_outputs_get) to fall back to"), std::string::npos)
        << s;
    EXPECT_NE(s.message().find("rknn_create_mem"), std::string::npos) << s;
  }
  // Found by name when librknnrt.so is not on the search path.
  const std::string dir = test::binary_dir() + "/emulator/mrt";
  const test::CommandResult r =
      test::run_cli(RKYOLO_CLI, {"info", "--model", rknn}, {"LANG=C", "LD_LIBRARY_PATH=" + dir});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("librknnmrt.so"), std::string::npos) << r.out;
}

TEST(RknnFaults, RunFailingMidwayIsPerImage) {
  for (RknnIo io : {RknnIo::kZeroCopy, RknnIo::kStandard}) {
    ScopedEnv env("RKNN_EMU_FAIL_RUN_AT", "3");  // the 3rd rknn_run of the context (1 warm-up... see below)
    auto d = npu(model("shapes-rk3588.rknn"), opts(io));
    ASSERT_TRUE(d);
    const cv::Mat img = cv::imread(samples()[0], cv::IMREAD_COLOR);
    const ImageView view{img.data, img.cols, img.rows, img.step[0], PixelFormat::kBgr8};
    DetectionResult r;
    std::vector<Status> results;
    for (int i = 0; i < 4; ++i) results.push_back(d->detect(view, &r));
    EXPECT_TRUE(results[0].ok() && results[1].ok() && results[3].ok()) << rknn_io_name(io);
    EXPECT_EQ(results[2].code(), StatusCode::kBackendError) << rknn_io_name(io);
    EXPECT_NE(results[2].message().find("rknn_run returned RKNN_ERR_FAIL (-1)"), std::string::npos) << results[2];
    EXPECT_NE(results[2].message().find("shapes-rk3588.rknn"), std::string::npos) << results[2];
    EXPECT_FALSE(r.detections.empty()) << "the context works again after the failure";
  }
}

TEST(RknnFaults, MissingOrWrongLibrary) {
  std::unique_ptr<Session> d;
  Status s = make_detector(model("shapes-rk3588.rknn"), "rknn", rknn_lib("/nonexistent/librknnrt.so"), &d);
  EXPECT_EQ(s.code(), StatusCode::kBackendUnavailable);
  EXPECT_NE(s.message().find("cannot load the RKNN runtime '/nonexistent/librknnrt.so'"), std::string::npos) << s;
  // A library that is not the runtime.
  s = make_detector(model("shapes-rk3588.rknn"), "rknn", rknn_lib("libm.so.6"), &d);
  EXPECT_EQ(s.code(), StatusCode::kBackendUnavailable);
  EXPECT_NE(s.message().find("is not a usable RKNN runtime: it lacks rknn_init"), std::string::npos) << s;
  // A file that is not a library at all.
  const std::string dir = test::temp_dir("wrong_lib");
  test::write_bytes(dir + "/librknnrt.so", "not an ELF file");
  s = make_detector(model("shapes-rk3588.rknn"), "rknn", rknn_lib(dir + "/librknnrt.so"), &d);
  EXPECT_EQ(s.code(), StatusCode::kBackendUnavailable) << s;
  // --backend auto: the NPU scores 0 and the CPU cannot run .rknn: both reasons are given.
  s = make_detector(model("shapes-rk3588.rknn"), "auto", rknn_lib("/nonexistent/librknnrt.so"), &d);
  EXPECT_EQ(s.code(), StatusCode::kBackendUnavailable);
  EXPECT_NE(s.message().find("rknn: cannot load the RKNN runtime"), std::string::npos) << s;
  EXPECT_NE(s.message().find("cpu: runs ONNX models"), std::string::npos) << s;
}

TEST(RknnFaults, CorruptModelDeviceUnavailableAndOnnx) {
  const std::string dir = test::temp_dir("corrupt_rknn");
  const std::string bytes = test::read_text(model("shapes-rk3588.rknn"));
  test::write_bytes(dir + "/cut.rknn", bytes.substr(0, bytes.size() / 3));
  std::unique_ptr<Session> d;
  Status s = make_detector(dir + "/cut.rknn", "rknn", {}, &d);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("cut.rknn"), std::string::npos) << s;
  EXPECT_NE(s.message().find("runtime 2.3.2"), std::string::npos) << s;  // versions in init errors
  s = make_detector(dir + "/missing.rknn", "rknn", {}, &d);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s;
  {
    ScopedEnv env("RKNN_EMU_FAIL_INIT", "device_unavailable");
    s = make_detector(model("shapes-rk3588.rknn"), "rknn", {}, &d);
    EXPECT_EQ(s.code(), StatusCode::kBackendUnavailable);
    EXPECT_NE(s.message().find("RKNN_ERR_DEVICE_UNAVAILABLE (-3)"), std::string::npos) << s;
  }
  s = make_detector(test::demo_model(), "rknn", {}, &d);
  EXPECT_EQ(s.code(), StatusCode::kUnsupportedModel);
  EXPECT_NE(s.message().find("is an ONNX model"), std::string::npos) << s;
}

TEST(RknnMultiCore, OneContextPerCore) {
  RknnOptions cores;
  ASSERT_TRUE(parse_npu_cores("0_1_2", &cores));
  auto d = npu(model("shapes-rk3588.rknn"), cores);
  ASSERT_TRUE(d);
  const Model& m = d->model();
  ASSERT_EQ(m.placements().size(), 3u);
  std::vector<std::unique_ptr<Session>> workers;
  for (int i = 1; i < 3; ++i) {
    std::unique_ptr<Session> w;
    ASSERT_TRUE(m.create_session(m.placements()[i], &w).ok());
    workers.push_back(std::move(w));
  }
  EXPECT_EQ(to_string(d->placement()), "NPU core 0");
  EXPECT_EQ(to_string(workers[0]->placement()), "NPU core 1");
  EXPECT_EQ(to_string(workers[1]->placement()), "NPU core 2");
  const auto expected = detect(*d, samples()[1]);
  for (auto& w : workers) expect_identical(detect(*w, samples()[1]), expected, "session on another core");
  // A core the chip does not have is one clear error, at load.
  std::unique_ptr<Session> bad;
  ASSERT_TRUE(parse_npu_cores("1", &cores));
  const Status s = make_detector(model("shapes-rk3566.rknn"), "rknn", cores, &bad);
  EXPECT_EQ(s.code(), StatusCode::kBackendError);
  EXPECT_NE(s.message().find("core 1"), std::string::npos) << s;
  EXPECT_NE(s.message().find("rknn_set_core_mask returned RKNN_ERR_PARAM_INVALID"), std::string::npos) << s;
}

TEST(RknnBackend, AutoPicksTheNpuForRknnModels) {
  ScopedEnv env("RKYOLO_RKNN_LIB", emu_lib().c_str());
  register_builtin_backends();
  DetectorOptions o;
  o.model_path = model("shapes-rk3588.rknn");
  std::unique_ptr<Session> d;
  ASSERT_TRUE(test::load_session(o, &d).ok());
  EXPECT_EQ(d->backend().caps().name, "rknn");
  EXPECT_NE(d->model().backend_choice().find("chosen automatically"), std::string::npos);
}

}  // namespace
}  // namespace rkyolo
