// Stock Ultralytics ONNX exports as users bring them (issue 10): the real
// COCO YOLOv8n (the stock file and Rockchip's split file) against an
// independent Python reference (tests/reference/stock_onnx_reference.py),
// end to end and on the same letterboxed tensor, the same model on the emulated RK3588 (converted from the stock file
// and from `rkyolo export`'s output, zero-copy and standard I/O) against the CPU, every family in ../shared/models/arch
// through `rkyolo info` and `detect` on both backends, the export checked by the python onnx checker, and hostile
// graphs refused before OpenCV's importer sees them.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "backends/cpu/cpu_backend.h"
#include "core/letterbox.h"
#include "core/onnx_graph.h"
#include "rkyolo/model.h"
#include "support/test_env.h"

namespace rkyolo {
namespace {

namespace fs = std::filesystem;

// Named tolerances.
constexpr double kMinF1VsReference = 0.99;  // CPU backend against the Python reference
// Every matched box, down to conf 0.001, source pixels. The letterbox is
// bit-exact with cv2.resize (RealPhotos.LetterboxMatchesOpenCVReference);
// with one grey level of difference low scores (flat DFL distributions)
// moved by 3.3 px on bus.jpg (issue 10).
constexpr float kMaxBoxErrorPx = 2.0f;
constexpr float kMatchIou = 0.5f;        // same object: same class and at least this IoU
constexpr float kMinIouNpuVsCpu = 0.8f;  // int8 emulated NPU against float CPU
constexpr float kBorderline = 0.06f;     // NPU/CPU detections this close to conf may exist on one side only
constexpr int kInputSize = 640;          // the YOLOv8n files' input

std::string cli() {
  return RKYOLO_CLI;
}
std::string emu_tool() {
  return test::binary_dir() + "/emulator/rknn-emu";
}
std::string emu_lib() {
  return test::binary_dir() + "/emulator/librknnrt.so";
}
std::string shared_model(const std::string& name) {
  return test::shared_dir() + "/models/" + name;
}
std::vector<std::string> photos() {
  return {test::shared_dir() + "/images/bus.jpg", test::shared_dir() + "/images/zidane.jpg"};
}

bool python_has_onnx() {
  if (test::python3().empty()) return false;
  return test::run_command({test::python3(), "-c", "import onnx, cv2, numpy"}, 60).exit_code == 0;
}

std::unique_ptr<Session> make_detector(const std::string& model, const std::string& backend, float conf,
                                       RknnIo io = RknnIo::kAuto) {
  register_builtin_backends();
  DetectorOptions o;
  o.model_path = model;
  o.backend = backend;
  o.conf_threshold = conf;
  o.iou_threshold = 0.45f;
  if (backend == "rknn") o.backend_options.rknn.library = emu_lib();
  o.backend_options.rknn.io = io;
  std::unique_ptr<Session> d;
  const Status s = test::load_session(o, &d);
  EXPECT_TRUE(s.ok()) << model << ": " << s;
  return d;
}

std::vector<Detection> run(Session* d, const std::string& image) {
  const cv::Mat img = cv::imread(image, cv::IMREAD_COLOR);
  EXPECT_FALSE(img.empty()) << image;
  DetectionResult r;
  const Status s = d->detect(ImageView{img.data, img.cols, img.rows, img.step[0], PixelFormat::kBgr8}, &r);
  EXPECT_TRUE(s.ok()) << s;
  return r.detections;
}

std::vector<Detection> python_reference(const std::string& model, const std::string& image, float conf) {
  const std::string out = test::temp_dir("stock_ref") + "/dets.json";
  const auto r = test::run_command({test::python3(), test::source_dir() + "/tests/reference/stock_onnx_reference.py",
                                    "detect", model, image, out, "--conf", std::to_string(conf), "--iou", "0.45"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<Detection> dets;
  if (r.exit_code != 0) return dets;
  for (const auto& j : nlohmann::json::parse(test::read_text(out))) {
    Detection d;
    d.class_id = j["class_id"].get<int>();
    d.score = j["score"].get<float>();
    d.box = Box{j["box"][0].get<float>(), j["box"][1].get<float>(), j["box"][2].get<float>(), j["box"][3].get<float>()};
    dets.push_back(d);
  }
  return dets;
}

// rkyolo on the reference's own letterboxed image (Ultralytics letterbox with
// cv2.resize, written by yolo_reference.py): a model-sized input that
// rkyolo's letterbox copies unchanged, so both sides run the same tensor.
// Boxes go back to `image`'s pixels as the reference maps them.
std::vector<Detection> run_on_reference_letterbox(Session* d, const std::string& image) {
  const std::string raw = test::temp_dir("stock_letterbox") + "/rgb.raw";
  const auto r = test::run_command({test::python3(), test::source_dir() + "/tests/reference/yolo_reference.py",
                                    "letterbox", image, std::to_string(kInputSize), std::to_string(kInputSize), raw});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string rgb = test::read_text(raw);
  EXPECT_EQ(rgb.size(), static_cast<std::size_t>(kInputSize) * kInputSize * 3);
  if (rgb.size() != static_cast<std::size_t>(kInputSize) * kInputSize * 3) return {};
  DetectionResult res;
  const Status s = d->detect(ImageView{reinterpret_cast<const std::uint8_t*>(rgb.data()), kInputSize, kInputSize,
                                       static_cast<std::size_t>(kInputSize) * 3, PixelFormat::kRgb8},
                             &res);
  EXPECT_TRUE(s.ok()) << s;
  const cv::Mat src = cv::imread(image, cv::IMREAD_COLOR);
  const core::LetterboxGeometry g = core::letterbox_geometry(src.cols, src.rows, kInputSize, kInputSize);
  std::vector<Detection> out;
  for (Detection det : res.detections) {
    Box& b = det.box;
    b = Box{std::clamp(g.to_source_x(b.x1), 0.0f, static_cast<float>(src.cols)),
            std::clamp(g.to_source_y(b.y1), 0.0f, static_cast<float>(src.rows)),
            std::clamp(g.to_source_x(b.x2), 0.0f, static_cast<float>(src.cols)),
            std::clamp(g.to_source_y(b.y2), 0.0f, static_cast<float>(src.rows))};
    if (b.x2 > b.x1 && b.y2 > b.y1) out.push_back(det);  // as the reference drops boxes wholly in the padding
  }
  return out;
}

struct Match {
  int matched = 0;
  float max_box_error = 0;   // over every matched pair
  std::vector<int> partner;  // for each of `a`, the index in `b` or -1
  double f1(std::size_t na, std::size_t nb) const {
    return na + nb == 0 ? 1.0 : 2.0 * matched / static_cast<double>(na + nb);
  }
};

// Greedy by `a`'s score order: same class, best IoU >= kMatchIou.
Match match(const std::vector<Detection>& a, const std::vector<Detection>& b) {
  Match m;
  std::vector<bool> used(b.size(), false);
  m.partner.assign(a.size(), -1);
  for (std::size_t i = 0; i < a.size(); ++i) {
    int best = -1;
    float best_iou = kMatchIou;
    for (std::size_t j = 0; j < b.size(); ++j) {
      if (used[j] || b[j].class_id != a[i].class_id) continue;
      const float v = iou(a[i].box, b[j].box);
      if (v >= best_iou) best_iou = v, best = static_cast<int>(j);
    }
    if (best < 0) continue;
    used[best] = true;
    m.partner[i] = best;
    ++m.matched;
    const Box &x = a[i].box, &y = b[best].box;
    for (float e : {x.x1 - y.x1, x.y1 - y.y1, x.x2 - y.x2, x.y2 - y.y2})
      m.max_box_error = std::max(m.max_box_error, std::abs(e));
  }
  return m;
}

// ------------------------------------------------- real YOLOv8n, CPU backend

// Each file, conf and photo twice against one reference run: end to end
// (each side letterboxes the photo itself), and on the same tensor (rkyolo
// on the reference's letterboxed image), where every matched box must be
// within kMaxBoxErrorPx: what remains is rkyolo's graph cut, decode and NMS.
TEST(StockModels, Yolov8nBothFilesMatchPythonReference) {
  RKYOLO_REQUIRE_SHARED();
  if (!python_has_onnx()) GTEST_SKIP() << "/usr/bin/python3 with onnx, cv2 and numpy is needed (python3-onnx)";
  for (const char* file : {"yolov8n-coco.onnx", "yolov8n-coco-split.onnx"}) {
    auto det = make_detector(shared_model(file), "cpu", 0.25f);
    ASSERT_TRUE(det);
    for (float conf : {0.25f, 0.001f}) {
      ASSERT_TRUE(det->set_thresholds(conf, 0.45f, 300).ok());
      for (const std::string& image : photos()) {
        const std::string what =
            std::string(file) + " on " + fs::path(image).filename().string() + " at conf " + std::to_string(conf);
        const std::vector<Detection> ref = python_reference(shared_model(file), image, conf);
        const std::vector<Detection> ours = run(det.get(), image);
        const Match m = match(ours, ref);
        const double f1 = m.f1(ours.size(), ref.size());
        std::printf("[ measure ] %s: rkyolo %zu, reference %zu, matched %d, F1 %.4f, max box error %.3f px\n",
                    what.c_str(), ours.size(), ref.size(), m.matched, f1, m.max_box_error);
        EXPECT_GE(f1, kMinF1VsReference) << what;
        EXPECT_LE(m.max_box_error, kMaxBoxErrorPx) << what;
        if (conf >= 0.25f) EXPECT_GE(ours.size(), 3u) << what;  // bus: 4 people and the bus; zidane: 2 people and a tie

        const std::vector<Detection> same = run_on_reference_letterbox(det.get(), image);
        const Match s = match(same, ref);
        const double same_f1 = s.f1(same.size(), ref.size());
        std::printf("[ measure ] %s, same tensor: rkyolo %zu, matched %d, F1 %.4f, max box error %.3f px (all)\n",
                    what.c_str(), same.size(), s.matched, same_f1, s.max_box_error);
        EXPECT_GE(same_f1, kMinF1VsReference) << what << ", same tensor";
        EXPECT_LE(s.max_box_error, kMaxBoxErrorPx) << what << ", same tensor";
      }
    }
  }
}

// ----------------------------------------------------- emulated RK3588

std::string convert(const std::string& onnx, const std::string& out, const std::string& calib, int max_images = 2) {
  const auto r = test::run_command({emu_tool(), "convert", onnx, "--target", "rk3588", "--calib", calib, "--max-images",
                                    std::to_string(max_images), "-o", out});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  return r.out;
}

// The summary (on standard error: standard output carries only data asked for).
std::string export_split(const std::string& onnx, const std::string& out) {
  const auto r = test::run_cli(cli(), {"export", "--model", onnx, "--format", "rknn-split", "-o", out});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  return r.err;
}

// Every CPU detection clearly above conf has an NPU partner and vice versa.
void expect_same_objects(const std::vector<Detection>& npu, const std::vector<Detection>& cpu, float conf,
                         const std::string& what) {
  const Match m = match(npu, cpu);
  std::vector<bool> cpu_matched(cpu.size(), false);
  for (std::size_t i = 0; i < npu.size(); ++i) {
    if (m.partner[i] >= 0) {
      cpu_matched[m.partner[i]] = true;
      EXPECT_GE(iou(npu[i].box, cpu[m.partner[i]].box), kMinIouNpuVsCpu) << what << ": " << npu[i];
    } else {
      EXPECT_LT(npu[i].score, conf + kBorderline) << what << ": only the NPU found " << npu[i];
    }
  }
  for (std::size_t j = 0; j < cpu.size(); ++j)
    if (!cpu_matched[j]) EXPECT_LT(cpu[j].score, conf + kBorderline) << what << ": only the CPU found " << cpu[j];
  std::printf("[ measure ] %s: NPU %zu, CPU %zu, matched %d\n", what.c_str(), npu.size(), cpu.size(), m.matched);
}

TEST(StockModels, Yolov8nOnTheEmulatorMatchesCpu) {
  RKYOLO_REQUIRE_SHARED();
  const std::string dir = test::temp_dir("stock_emu");
  const std::string calib = test::shared_dir() + "/images";
  const std::string stock = shared_model("yolov8n-coco.onnx");
  const std::string exported = dir + "/yolov8n-split.onnx";
  export_split(stock, exported);
  const std::string from_stock = dir + "/stock.rknn", from_export = dir + "/export.rknn";
  EXPECT_NE(convert(stock, from_stock, calib).find("rewrite: cut the yolov8 Detect head"), std::string::npos);
  convert(exported, from_export, calib);
  ASSERT_TRUE(fs::exists(from_stock) && fs::exists(from_export));
  constexpr float kConf = 0.25f;
  auto cpu = make_detector(stock, "cpu", kConf);
  ASSERT_TRUE(cpu);
  for (const std::string& rknn : {from_stock, from_export})
    for (RknnIo io : {RknnIo::kZeroCopy, RknnIo::kStandard}) {
      auto npu = make_detector(rknn, "rknn", kConf, io);
      ASSERT_TRUE(npu);
      for (const std::string& image : photos())
        expect_same_objects(run(npu.get(), image), run(cpu.get(), image), kConf,
                            fs::path(rknn).filename().string() + " " + std::string(rknn_io_name(io)) + " on " +
                                fs::path(image).filename().string());
    }
}

// ------------------------------------------------ every family in arch/

struct ArchCase {
  const char* file;
  const char* family;  // in the rewrite line of `rkyolo info`
  const char* classes;
  const char* grid;  // stride 8 grid, as info prints it
  const char* task;  // non-null: refused naming this task
};

const ArchCase kArch[] = {
    {"yolov5nu-random.onnx", "yolov5", "80 classes", "stride 8 (80x80)", nullptr},
    {"yolov8n-random.onnx", "yolov8", "80 classes", "stride 8 (80x80)", nullptr},
    {"yolov9t-random.onnx", "yolov9", "80 classes", "stride 8 (80x80)", nullptr},
    {"yolov10n-random.onnx", "yolov10", "80 classes", "stride 8 (80x80)", nullptr},
    {"yolo11n-random.onnx", "yolo11", "80 classes", "stride 8 (80x80)", nullptr},
    {"yolov8n-nc1-random.onnx", "yolov8", "1 class", "stride 8 (80x80)", nullptr},
    {"yolo11n-nc3-384x640-random.onnx", "yolo11", "3 classes", "stride 8 (80x48)", nullptr},
    {"yolov8n-seg-random.onnx", nullptr, nullptr, nullptr, "segment"},
    {"yolov8n-pose-random.onnx", nullptr, nullptr, nullptr, "pose"},
    {"yolov8n-obb-random.onnx", nullptr, nullptr, nullptr, "obb"},
};

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(StockModels, EveryArchFamilyOnTheCpu) {
  RKYOLO_REQUIRE_SHARED();
  const std::string dir = test::temp_dir("stock_arch_cpu");
  for (const ArchCase& c : kArch) {
    SCOPED_TRACE(c.file);
    const std::string model = shared_model(std::string("arch/") + c.file);
    if (!fs::exists(model)) GTEST_SKIP() << model << " is absent";
    const auto info = test::run_cli(cli(), {"info", "--model", model, "--backend", "cpu"});
    if (c.task != nullptr) {
      EXPECT_EQ(info.exit_code, 2);
      EXPECT_TRUE(contains(info.err, std::string("the '") + c.task + "' task is not supported yet")) << info.err;
      const auto d = test::run_cli(cli(), {"detect", "--model", model, "--source", photos()[0], "--no-save"});
      EXPECT_EQ(d.exit_code, 2);
      EXPECT_TRUE(contains(d.err, "task is not supported yet")) << d.err;
      continue;
    }
    ASSERT_EQ(info.exit_code, 0) << info.err;
    EXPECT_TRUE(contains(info.out, std::string("cut the ") + c.family + " Detect head")) << info.out;
    EXPECT_TRUE(contains(info.out, "yolov8/yolo11 (split DFL heads), " + std::string(c.classes))) << info.out;
    EXPECT_TRUE(contains(info.out, "strides 8 16 32")) << info.out;
    EXPECT_TRUE(contains(info.out, c.grid)) << info.out;
    if (std::string(c.family) == "yolov10") EXPECT_TRUE(contains(info.out, "one-to-one (top-k, no NMS)")) << info.out;
    // Random weights score about 1e-4: a tiny threshold makes detect decode.
    const std::string json = dir + "/" + c.file + ".json";
    const auto d = test::run_cli(cli(), {"detect", "--model", model, "--source", photos()[0], "--no-save", "--conf",
                                         "0.00001", "--max-det", "10", "--json", json, "--backend", "cpu"});
    ASSERT_EQ(d.exit_code, 0) << d.err;
    const auto j = nlohmann::json::parse(test::read_text(json));
    EXPECT_FALSE(j[0]["detections"].empty()) << c.file;
  }
}

TEST(StockModels, EveryArchDetectFamilyOnTheEmulator) {
  RKYOLO_REQUIRE_SHARED();
  const std::string dir = test::temp_dir("stock_arch_emu");
  const std::string calib = test::shared_dir() + "/images";
  for (const ArchCase& c : kArch) {
    SCOPED_TRACE(c.file);
    const std::string model = shared_model(std::string("arch/") + c.file);
    if (!fs::exists(model)) GTEST_SKIP() << model << " is absent";
    const std::string rknn = dir + "/" + c.file + ".rknn";
    if (c.task != nullptr) {
      const auto r =
          test::run_command({emu_tool(), "convert", model, "--target", "rk3588", "--calib", calib, "-o", rknn});
      EXPECT_EQ(r.exit_code, 2);
      EXPECT_TRUE(contains(r.err, std::string("the '") + c.task + "' task is not supported yet")) << r.err;
      continue;
    }
    convert(model, rknn, calib, 1);
    const auto info = test::run_cli(cli(), {"info", "--model", rknn, "--rknn-lib", emu_lib()});
    ASSERT_EQ(info.exit_code, 0) << info.err;
    EXPECT_TRUE(contains(info.out, std::string(c.classes))) << info.out;
    EXPECT_TRUE(contains(info.out, "strides 8 16 32")) << info.out;
    const std::string json = dir + "/" + c.file + ".json";
    const auto d = test::run_cli(cli(), {"detect", "--model", rknn, "--rknn-lib", emu_lib(), "--source", photos()[0],
                                         "--no-save", "--conf", "0.00001", "--max-det", "10", "--json", json});
    ASSERT_EQ(d.exit_code, 0) << d.err;
  }
}

// ------------------------------------------------------------- export

TEST(StockModels, ExportIsValidOnnxAndRunsAsIs) {
  RKYOLO_REQUIRE_SHARED();
  const std::string dir = test::temp_dir("stock_export");
  for (const char* file : {"yolov8n-coco.onnx", "arch/yolo11n-random.onnx", "arch/yolov10n-random.onnx",
                           "arch/yolov9t-random.onnx", "arch/yolo11n-nc3-384x640-random.onnx"}) {
    SCOPED_TRACE(file);
    const std::string out = dir + "/" + fs::path(file).stem().string() + "-split.onnx";
    const std::string text = export_split(shared_model(file), out);
    EXPECT_TRUE(contains(text, "score_sum_s32")) << text;
    if (python_has_onnx()) {
      // rknn-toolkit2 loads with the onnx package: the checker must pass.
      const auto r = test::run_command(
          {test::python3(), "-c",
           "import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); "
           "assert m.opset_import[0].version == 12; print([o.name for o in m.graph.output])",
           out});
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_TRUE(contains(r.out, "'box_s8', 'cls_s8', 'score_sum_s8', 'box_s16'")) << r.out;
    }
    // OpenCV 4.6 runs it with no rewrite.
    const auto info = test::run_cli(cli(), {"info", "--model", out, "--backend", "cpu"});
    ASSERT_EQ(info.exit_code, 0) << info.err;
    EXPECT_TRUE(contains(info.out, "import rewrites: none")) << info.out;
    EXPECT_TRUE(contains(info.out, "score_sum #2")) << info.out;
  }
  // Refusals: the input as output, seg/pose/obb, a file without the decode.
  const std::string stock = shared_model("yolov8n-coco.onnx");
  auto r = test::run_cli(cli(), {"export", "--model", stock, "--format", "rknn-split", "-o", stock});
  EXPECT_EQ(r.exit_code, 2);
  r = test::run_cli(cli(), {"export", "--model", stock, "--format", "tflite", "-o", dir + "/x.onnx"});
  EXPECT_EQ(r.exit_code, 2);
  r = test::run_cli(cli(), {"export", "--model", shared_model("arch/yolov8n-seg-random.onnx"), "--format", "rknn-split",
                            "-o", dir + "/seg.onnx"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "'segment' task is not supported yet")) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/seg.onnx"));
}

// --------------------------------- issue 9 item 8: hostile graphs, CPU backend

core::OnnxModel tiny_model() {
  core::OnnxModel m;
  m.ir_version = 7;
  m.opsets = {{"", 12}};
  core::OnnxValueInfo in;
  in.name = "images";
  in.has_shape = true;
  in.dims = {1, 3, 32, 32};
  in.dim_params.assign(4, "");
  m.inputs = {in};
  m.initializers.push_back(core::OnnxTensor::from_float("w", std::vector<float>(3 * 3, 0.1f), {3, 3, 1, 1}));
  core::OnnxNode conv;
  conv.name = "conv";
  conv.op_type = "Conv";
  conv.inputs = {"images", "w"};
  conv.outputs = {"out"};
  core::OnnxAttribute kernel;
  kernel.name = "kernel_shape";
  kernel.type = core::kAttrInts;
  kernel.ints = {1, 1};
  conv.attributes.push_back(kernel);
  m.nodes.push_back(conv);
  core::OnnxValueInfo out = in;
  out.name = "out";
  m.outputs = {out};
  return m;
}

Status load_on_cpu(const core::OnnxModel& m, const std::string& name) {
  const std::string path = test::temp_dir("hostile") + "/" + name;
  const std::vector<std::uint8_t> bytes = core::write_onnx_model(m);
  test::write_bytes(path, std::string(bytes.begin(), bytes.end()));
  BackendOptions o;
  o.model_path = path;
  std::unique_ptr<Backend> b;
  return create_cpu_backend(o, &b);
}

TEST(HostileOnnx, RefusedBeforeOpenCVSeesThem) {
  EXPECT_TRUE(load_on_cpu(tiny_model(), "good.onnx").ok());  // the control loads
  core::OnnxModel m = tiny_model();
  m.nodes[0].inputs[1] = "undefined_weight";
  Status s = load_on_cpu(m, "undefined.onnx");
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_TRUE(contains(s.message(), "reads tensor 'undefined_weight'")) << s;

  m = tiny_model();
  m.initializers[0].dims = {3, 0, 1, 1};
  m.initializers[0].data.clear();
  s = load_on_cpu(m, "zero_dim.onnx");
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_TRUE(contains(s.message(), "initializer 'w' has a dimension of 0")) << s;

  m = tiny_model();
  m.initializers[0].dims = {512, 512, 3, 3};
  s = load_on_cpu(m, "short_data.onnx");
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_TRUE(contains(s.message(), "initializer 'w' declares (512, 512, 3, 3)")) << s;
  EXPECT_TRUE(contains(s.message(), "holds 36 bytes")) << s;
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
}

TEST(HostileOnnx, AnOperatorOpenCVLacksIsNamed) {
  core::OnnxModel m = tiny_model();
  m.nodes[0].op_type = "NoSuchOperator";
  m.nodes[0].name = "/model.9/weird";
  const Status s = load_on_cpu(m, "unknown_op.onnx");
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(contains(s.message(), "/model.9/weird")) << s;
  EXPECT_TRUE(contains(s.message(), "NoSuchOperator")) << s;
  EXPECT_FALSE(contains(s.message(), "opset <= 12")) << s;
}

}  // namespace
}  // namespace rkyolo
