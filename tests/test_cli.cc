// The rkyolo command line, run as a user would: options, bad inputs mixed
// with good ones, broken models, output files, languages and exit codes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/onnx_builder.h"
#include "support/test_env.h"

namespace rkyolo {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;

std::string demo_model() {
  return test::demo_model();
}
std::string sample(const std::string& name) {
  return test::source_dir() + "/samples/" + name;
}

// The language comes from the locale: start from a neutral one.
CommandResult rkyolo(std::vector<std::string> args, std::vector<std::string> env = {"LANG=C"}) {
  return test::run_cli(RKYOLO_CLI, std::move(args), std::move(env));
}
using test::count_lines;

TEST(Cli, HelpVersionAndUnknownCommand) {
  CommandResult r = rkyolo({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("detect"), std::string::npos);
  r = rkyolo({"detect", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--max-det"), std::string::npos);
  r = rkyolo({"version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("rkyolo "), std::string::npos);
  r = rkyolo({"dance"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: unknown command 'dance' (run 'rkyolo --help')\n");
  r = rkyolo({});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(Cli, BadOptionValuesAreOneSentenceAndExit2) {
  const std::string m = demo_model(), s = sample("scene1.jpg");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"detect", "--model", m, "--source", s, "--conf", "1.5"},
       "invalid value '1.5' for --conf: must be between 0 and 1"},
      {{"detect", "--model", m, "--source", s, "--conf", "abc"}, "invalid value 'abc' for --conf: not a number"},
      {{"detect", "--model", m, "--source", s, "--iou", "-0.1"}, "--iou"},
      {{"detect", "--model", m, "--source", s, "--max-det", "-1"}, "--max-det"},
      {{"detect", "--model", m, "--source", s, "--max-det", "ten"}, "not an integer"},
      {{"detect", "--model", m, "--source", s, "--classes", "1,x"}, "--classes"},
      {{"detect", "--model", m, "--source", s, "--classes", "99"},
       "class 99 is out of range for a model with 8 classes"},
      {{"detect", "--model", m, "--source", s, "--backend", "gpu"}, "expected auto, cpu or rknn"},
      {{"detect", "--model", m, "--source", s, "--anchors", "1,2,3"}, "--anchors"},
      {{"detect", "--model", m, "--source", s, "--lang", "fr"}, "--lang"},
      {{"detect", "--model", m, "--source", s, "--frobnicate"}, "unknown option '--frobnicate'"},
      {{"detect", "--model", m, "--source"}, "option '--source' needs a value"},
      {{"detect", "--model", m}, "missing required option --source"},
      {{"detect", "--source", s}, "missing required option --model"},
      {{"detect", "--model", m, "--source", s, "--labels", "/nonexistent/labels.txt"}, "labels"},
      {{"detect", "--model", m, "--source", s, "stray"}, "unexpected argument 'stray'"},
  };
  for (const auto& [args, expected] : cases) {
    const CommandResult r = rkyolo(args);
    EXPECT_EQ(r.exit_code, 2) << args.back() << "\n" << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << "expected '" << expected << "' in: " << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  }
}

TEST(Cli, ChineseMessages) {
  CommandResult r =
      rkyolo({"--lang", "zh", "detect", "--model", "/nonexistent.onnx", "--source", sample("scene1.jpg")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("错误：无法使用模型"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/nonexistent.onnx"), std::string::npos) << r.err;
  // The locale picks the language by default; --lang overrides it.
  r = rkyolo({"detect", "--model", demo_model(), "--source", sample("scene1.jpg"), "--conf", "2"},
             {"LANG=zh_CN.UTF-8"});
  EXPECT_NE(r.err.find("的值 '2' 无效"), std::string::npos) << r.err;
  r = rkyolo({"detect", "--lang", "en", "--model", demo_model(), "--source", sample("scene1.jpg"), "--conf", "2"},
             {"LANG=zh_CN.UTF-8"});
  EXPECT_NE(r.err.find("invalid value '2'"), std::string::npos) << r.err;
  r = rkyolo({"--help"}, {"LANG=C", "LC_MESSAGES=zh_CN.UTF-8"});
  EXPECT_NE(r.out.find("用法"), std::string::npos);
}

// The library's own sentences inside the CLI's frames are translated too,
// with names and paths kept; English stays English.
TEST(Cli, ChineseLibraryDetails) {
  const std::string dir = test::temp_dir("ChineseLibraryDetails");
  const std::string model = test::read_text(demo_model());
  test::write_bytes(dir + "/truncated.onnx", model.substr(0, model.size() / 3));
  CommandResult r =
      rkyolo({"--lang", "zh", "detect", "--model", dir + "/truncated.onnx", "--source", sample("scene1.jpg")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'" + dir + "/truncated.onnx' 不是有效的 ONNX 模型"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("文件被截断或已损坏"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("is not a valid"), std::string::npos) << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  // The whole sentence is Chinese: without the path, no Latin letter is left but the format's name.
  std::string rest = r.err;
  const std::string path = dir + "/truncated.onnx";
  for (std::size_t at; (at = rest.find(path)) != std::string::npos;) rest.erase(at, path.size());
  for (std::size_t at; (at = rest.find("ONNX")) != std::string::npos;) rest.erase(at, 4);
  EXPECT_EQ(std::count_if(rest.begin(), rest.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }),
            0)
      << r.err;

  const std::string rknn = dir + "/model.rknn";
  test::write_bytes(rknn, "not an rknn model");
  r = rkyolo({"--lang", "zh", "detect", "--model", rknn, "--source", sample("scene1.jpg"), "--backend", "rknn",
              "--rknn-lib", dir + "/missing/librknnrt.so"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("无法加载 RKNN 运行时 '" + dir + "/missing/librknnrt.so'"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("cannot load"), std::string::npos) << r.err;

  r = rkyolo({"--lang", "en", "detect", "--model", dir + "/truncated.onnx", "--source", sample("scene1.jpg")});
  EXPECT_NE(r.err.find("is not a valid ONNX model (the file is truncated or damaged"), std::string::npos) << r.err;
}

class CliInputs : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    in_ = dir_ + "/in";
    fs::create_directories(in_);
    const std::string jpg = test::read_text(sample("scene1.jpg"));
    ASSERT_GT(jpg.size(), 1000u);
    fs::copy_file(sample("scene1.jpg"), in_ + "/a_good.jpg");
    fs::copy_file(sample("scene2.jpg"), in_ + "/b_good.jpg");
    test::write_bytes(in_ + "/c_empty.jpg", "");
    test::write_bytes(in_ + "/d_text.jpg", "hello, I am not a picture\n");
    test::write_bytes(in_ + "/e_truncated.jpg", jpg.substr(0, jpg.size() / 2));
    std::string corrupt = jpg;  // valid markers, garbage where the header tables should be
    for (std::size_t i = 20; i < 600 && i < corrupt.size(); ++i) corrupt[i] = static_cast<char>(i * 7);
    test::write_bytes(in_ + "/f_corrupt.jpg", corrupt);
    test::write_bytes(in_ + "/g_truncated.png", std::string("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16));
    test::write_bytes(in_ + "/notes.txt", "not an image extension: ignored in directories\n");
  }
  std::string dir_, in_;
};

// Outputs never destroy inputs or links, and are checked before the work.
TEST_F(CliInputs, OutputsRespectInputsLinksAndMissingFolders) {
  const std::string good = in_ + "/a_good.jpg";
  const std::string before = test::read_text(good);
  CommandResult r = rkyolo({"detect", "--model", demo_model(), "--source", good, "--json", good, "--no-save"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("it would overwrite the input image"), std::string::npos) << r.err;
  r = rkyolo({"detect", "--model", demo_model(), "--source", good, "--output", in_});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(test::read_text(good), before) << "an input was overwritten";

  r = rkyolo(
      {"detect", "--model", demo_model(), "--source", good, "--json", dir_ + "/no/such/folder/r.json", "--no-save"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.find("image 1/1"), std::string::npos) << "checked before any image is processed: " << r.err;

  // --json through a symbolic link writes the file the link names.
  fs::create_directories(dir_ + "/real");
  fs::create_symlink(dir_ + "/real/target.json", dir_ + "/link.json");
  r = rkyolo({"detect", "--model", demo_model(), "--source", good, "--json", dir_ + "/link.json", "--no-save"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(dir_ + "/link.json"));
  EXPECT_EQ(nlohmann::json::parse(test::read_text(dir_ + "/real/target.json")).size(), 1u);
  // /dev/null stays a device.
  r = rkyolo({"detect", "--model", demo_model(), "--source", good, "--json", "/dev/null", "--no-save"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

// File names need not be UTF-8; two inputs with one stem keep two label files;
// a glob, like a directory, takes image files only.
TEST_F(CliInputs, OddNamesCollidingStemsAndGlobs) {
  fs::create_directories(dir_ + "/x/a");
  fs::create_directories(dir_ + "/x/b");
  fs::copy_file(sample("scene1.jpg"), dir_ + "/x/a/same.jpg");
  fs::copy_file(sample("scene3.jpg"), dir_ + "/x/b/same.jpg");
  fs::copy_file(sample("scene2.jpg"), dir_ + "/x/caf\xe9.jpg");  // Latin-1, not UTF-8
  test::write_bytes(dir_ + "/x/readme.txt", "text\n");
  const std::string out = dir_ + "/out", json = dir_ + "/r.json";
  const CommandResult r =
      rkyolo({"detect", "--model", demo_model(), "--source", dir_ + "/x/a/same.jpg", "--source", dir_ + "/x/b/same.jpg",
              "--source", dir_ + "/x/*", "--output", out, "--json", json, "--save-txt"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(test::read_text(json));
  EXPECT_EQ(j.size(), 3u) << j.dump(1);
  EXPECT_TRUE(fs::exists(out + "/labels/same.txt"));
  EXPECT_TRUE(fs::exists(out + "/labels/same_1.txt"));
  EXPECT_TRUE(fs::exists(out + "/same_1.jpg"));
}

TEST_F(CliInputs, BadFilesAreNamedSkippedAndJsonStaysComplete) {
  const std::string out = dir_ + "/out", json = dir_ + "/results.json";
  const CommandResult r = rkyolo({"detect", "--model", demo_model(), "--source", in_, "--source", dir_ + "/missing.jpg",
                                  "--output", out, "--json", json, "--save-txt"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  for (const char* bad : {"c_empty.jpg': the file is empty", "d_text.jpg': not an image",
                          "e_truncated.jpg': the JPEG data is truncated", "f_corrupt.jpg': the JPEG data is corrupt",
                          "g_truncated.png': the PNG data is truncated", "missing.jpg' does not exist"})
    EXPECT_NE(r.err.find(bad), std::string::npos) << "expected '" << bad << "' in:\n" << r.err;
  EXPECT_NE(r.err.find("6 of 8 images failed"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(out + "/a_good.jpg"));
  EXPECT_TRUE(fs::exists(out + "/b_good.jpg"));
  EXPECT_TRUE(fs::exists(out + "/labels/a_good.txt"));
  EXPECT_FALSE(fs::exists(out + "/c_empty.jpg"));
  const auto j = nlohmann::json::parse(test::read_text(json));  // throws if invalid
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 8u);
  int ok = 0, failed = 0;
  for (const auto& e : j) {
    ASSERT_TRUE(e.contains("image"));
    ASSERT_TRUE(e["detections"].is_array());
    if (e.contains("error")) {
      ++failed;
      EXPECT_TRUE(e["width"].is_null());
    } else {
      ++ok;
      EXPECT_GT(e["width"].get<int>(), 0);
      EXPECT_GT(e["detections"].size(), 0u);
      for (const auto& d : e["detections"]) {
        EXPECT_TRUE(d["class_id"].is_number_integer());
        EXPECT_TRUE(d["label"].is_string());
        EXPECT_GE(d["score"].get<double>(), 0.25);
        ASSERT_EQ(d["box"].size(), 4u);
        EXPECT_LE(d["box"][0].get<double>(), d["box"][2].get<double>());
        EXPECT_LE(d["box"][2].get<double>(), e["width"].get<double>());
      }
      for (const char* stage : {"preprocess", "inference", "postprocess"})
        EXPECT_TRUE(e["timing_ms"][stage].is_number());
    }
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(failed, 6);
}

TEST_F(CliInputs, GlobsTxtLabelsAndNoSave) {
  const std::string out = dir_ + "/out";
  const CommandResult r = rkyolo({"detect", "--model", demo_model(), "--source", in_ + "/*_good.jpg", "--output", out,
                                  "--save-txt", "--save-conf", "--no-save", "--max-det", "3"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("2 images processed"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "") << "standard output carries only --json -";
  EXPECT_FALSE(fs::exists(out + "/a_good.jpg"));
  std::istringstream labels(test::read_text(out + "/labels/a_good.txt"));
  std::string line;
  int n = 0;
  while (std::getline(labels, line)) {
    std::istringstream ls(line);
    int cls;
    double cx, cy, w, h, conf;
    ASSERT_TRUE(static_cast<bool>(ls >> cls >> cx >> cy >> w >> h >> conf)) << line;
    for (double v : {cx, cy, w, h}) {
      EXPECT_GE(v, 0.0);
      EXPECT_LE(v, 1.0);
    }
    EXPECT_GE(conf, 0.25);
    ++n;
  }
  EXPECT_GE(n, 1);
  EXPECT_LE(n, 3);  // --max-det
  const CommandResult none = rkyolo({"detect", "--model", demo_model(), "--source", in_ + "/*.nothing", "--no-save"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no images found"), std::string::npos) << none.err;
}

TEST_F(CliInputs, ClassFilterAndThresholdAreApplied) {
  const std::string json = dir_ + "/r.json";
  CommandResult r = rkyolo({"detect", "--model", demo_model(), "--source", in_ + "/a_good.jpg", "--classes", "0,2",
                            "--no-save", "--json", json, "--conf", "0.5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto results = nlohmann::json::parse(test::read_text(json));
  for (const auto& d : results[0]["detections"]) {
    EXPECT_TRUE(d["class_id"] == 0 || d["class_id"] == 2);
    EXPECT_GE(d["score"].get<double>(), 0.5);
  }
}

TEST_F(CliInputs, OutputPathThatIsAFile) {
  test::write_bytes(dir_ + "/file", "x");
  const CommandResult r =
      rkyolo({"detect", "--model", demo_model(), "--source", in_ + "/a_good.jpg", "--output", dir_ + "/file"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is not a directory"), std::string::npos) << r.err;
}

TEST_F(CliInputs, BrokenModelsExit2WithOneSentenceNamingTheFile) {
  const std::string full = test::read_text(demo_model());
  const std::vector<std::pair<std::string, std::string>> models = {
      {dir_ + "/missing.onnx", ""},
      {dir_ + "/truncated.onnx", full.substr(0, full.size() / 2)},
      {dir_ + "/text.onnx", "definitely not protobuf"},
      {dir_ + "/relu.onnx", test::onnx_single_op_model("Relu", {1, 3, 64, 64}, {1, 3, 64, 64})},
      {dir_ + "/alien.onnx", test::onnx_single_op_model("AlienOp", {1, 3, 64, 64}, {1, 3, 64, 64})},
  };
  for (const auto& [path, bytes] : models) {
    if (!bytes.empty()) test::write_bytes(path, bytes);
    const CommandResult r =
        rkyolo({"detect", "--model", path, "--source", in_ + "/a_good.jpg", "--output", dir_ + "/o"});
    EXPECT_EQ(r.exit_code, 2) << path << "\n" << r.err;
    EXPECT_NE(r.err.find(fs::path(path).filename().string()), std::string::npos) << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_FALSE(fs::exists(dir_ + "/o/a_good.jpg"));
  }
}

TEST(CliInfo, DescribesTheDemoModel) {
  const CommandResult r = rkyolo({"info", "--model", demo_model()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("yolov8/yolo11 (split DFL heads), 8 classes, input 640x640, strides 8 16 32, reg_max 16"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("score_sum"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(1, 64, 80, 80) float32"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("names from metadata"), std::string::npos) << r.out;
}

TEST(CliInfo, RknnModelShowsRuntimeAndBothAttributeSets) {
  const std::string lib = test::binary_dir() + "/emulator/librknnrt.so";
  const CommandResult r =
      rkyolo({"info", "--model", test::binary_dir() + "/test-models/shapes-596-rk3588.rknn", "--rknn-lib", lib});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* expected :
       {"runtime: 2.3.2 (rknn-emu", "driver: 0.9.8 (rknn-emu, emulated rk3588", "io mode: zero-copy: input INT8",
        "input #0: images dims [1, 596, 596, 3] NHWC INT8 AFFINE zp -128 scale 0.00392157 w_stride 608 size 1065648 "
        "size_with_stride 1087104",
        "native: box8 dims [1, 4, 76, 76, 16] NC1HWC2 INT8 AFFINE", "output #1: cls8 dims [1, 8, 76, 76] NCHW INT8",
        "yolov8/yolo11 (split DFL heads), 8 classes, input 596x596, strides 8 16 32"})
    EXPECT_NE(r.out.find(expected), std::string::npos) << "expected '" << expected << "' in:\n" << r.out;
}

TEST(CliInfo, MissingRuntimeIsOneSentence) {
  const CommandResult r =
      rkyolo({"detect", "--model", test::binary_dir() + "/test-models/shapes-rk3588.rknn", "--source",
              sample("scene1.jpg"), "--backend", "rknn", "--rknn-lib", "/nonexistent/librknnrt.so", "--no-save"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("cannot load the RKNN runtime '/nonexistent/librknnrt.so'"), std::string::npos) << r.err;
}

TEST(CliInfo, UnrecognisedLayoutStillShowsTheTensors) {
  const std::string dir = test::temp_dir("info_relu");
  test::write_bytes(dir + "/relu.onnx", test::onnx_single_op_model("Relu", {1, 3, 64, 64}, {1, 3, 64, 64}));
  const CommandResult r = rkyolo({"info", "--model", dir + "/relu.onnx"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("#0 output0 (1, 3, 64, 64)"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("unrecognised YOLO output layout"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rkyolo
