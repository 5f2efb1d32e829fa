// rkyolo val / eval from the command line: dataset files in every form
// Ultralytics writes them, every bad input (dataset yaml, labels, images,
// predictions) as one sentence naming the file and line, the report, JSON
// and plots, and the demo model validated end to end on generated scenes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "support/test_env.h"

namespace rkyolo {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;
using Json = nlohmann::json;

// Metrics computed twice from the same boxes agree to the JSON rounding.
constexpr double kSameMetric = 1e-6;
// The demo model on its own synthetic scenes (it reaches ~0.9 when trained).
constexpr double kMinDemoMap50 = 0.6;

std::string demo_model() {
  return test::demo_model();
}

// The language comes from the locale: start from a neutral one.
CommandResult rkyolo(std::vector<std::string> args, std::vector<std::string> env = {"LANG=C"}) {
  return test::run_cli(RKYOLO_CLI, std::move(args), std::move(env));
}
using test::count_lines;

int count_of(const std::string& s, const std::string& what) {
  int n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

Json read_json(const std::string& path) {
  return Json::parse(test::read_text(path));
}

// A small dataset written by the test: plain images with known boxes.
struct Box {
  int cls;
  double x, y, w, h;  // pixels
};
struct MiniImage {
  std::string name;  // file name under images/val
  int width, height;
  std::vector<Box> boxes;
};

const std::vector<MiniImage>& mini_images() {
  static const std::vector<MiniImage> kImages = {
      {"000123.png", 320, 240, {{0, 10, 10, 60, 40}, {1, 150, 100, 100, 120}, {2, 250, 20, 20, 20}}},
      {"scene_b.png", 200, 300, {{1, 20, 30, 80, 80}, {1, 110, 200, 60, 50}}},
      {"scene_c.png", 256, 256, {{2, 5, 5, 30, 30}, {0, 100, 100, 120, 140}}},
      {"scene_d.png", 300, 200, {}},
  };
  return kImages;
}

std::string label_line(const Box& b, const MiniImage& im) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%d %.6f %.6f %.6f %.6f\n", b.cls, (b.x + b.w / 2) / im.width,
                (b.y + b.h / 2) / im.height, b.w / im.width, b.h / im.height);
  return buf;
}

// COCO results equal to the labels (score 0.9), plus `extra` raw entries.
std::string perfect_predictions(const std::vector<std::string>& extra = {}) {
  Json j = Json::array();
  for (const MiniImage& im : mini_images()) {
    const std::string stem = fs::path(im.name).stem().string();
    Json id = stem == "000123" ? Json(123) : Json(stem);
    for (const Box& b : im.boxes) {
      // The box as the label file stores it (6 decimals), back in pixels.
      std::istringstream ls(label_line(b, im));
      int c;
      double cx, cy, w, h;
      ls >> c >> cx >> cy >> w >> h;
      j.push_back({{"image_id", id},
                   {"category_id", b.cls},
                   {"bbox", {(cx - w / 2) * im.width, (cy - h / 2) * im.height, w * im.width, h * im.height}},
                   {"score", 0.9}});
    }
  }
  for (const auto& e : extra) j.push_back(Json::parse(e));
  return j.dump();
}

class CliEvalData : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir(std::string("eval_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ + "/images/val");
    fs::create_directories(dir_ + "/labels/val");
    for (const MiniImage& im : mini_images()) {
      cv::Mat m(im.height, im.width, CV_8UC3, cv::Scalar(200, 200, 200));
      for (const Box& b : im.boxes)
        cv::rectangle(
            m, cv::Rect(static_cast<int>(b.x), static_cast<int>(b.y), static_cast<int>(b.w), static_cast<int>(b.h)),
            cv::Scalar(40 * b.cls, 100, 50), cv::FILLED);
      ASSERT_TRUE(cv::imwrite(dir_ + "/images/val/" + im.name, m));
      std::string text;  // scene_d: an empty label file, no objects
      for (const Box& b : im.boxes) text += label_line(b, im);
      test::write_bytes(dir_ + "/labels/val/" + fs::path(im.name).stem().string() + ".txt", text);
    }
    yaml_ = dir_ + "/data.yaml";
    test::write_bytes(yaml_, "path: .\nval: images/val\nnames:\n  0: red\n  1: green\n  2: blue\n");
    preds_ = dir_ + "/preds.json";
    test::write_bytes(preds_, perfect_predictions());
  }
  CommandResult eval(std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"eval", "--data", yaml_, "--preds", preds_};
    args.insert(args.end(), more.begin(), more.end());
    return rkyolo(args);
  }
  std::string dir_, yaml_, preds_;
};

TEST(CliEvalHelp, UsageListsTheOptionsInBothLanguages) {
  CommandResult r = rkyolo({"val", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* opt : {"--data", "--split", "--conf", "--iou", "--max-det", "--save-preds", "--plots",
                          "--list-outliers", "--json", "--count-conf", "--backend"})
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
  r = rkyolo({"eval", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* opt : {"--data", "--preds", "--split", "--plots", "--list-outliers", "--json", "--count-conf"})
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
  r = rkyolo({"--lang", "zh", "eval", "--help"});
  EXPECT_NE(r.out.find("用法：rkyolo eval"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--count-conf"), std::string::npos);
}

TEST_F(CliEvalData, PerfectPredictionsScoreOneAndEverythingIsWritten) {
  const std::string json = dir_ + "/report.json", plots = dir_ + "/plots";
  const CommandResult r = eval({"--json", json, "--plots", plots});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("all          4          7      1.000      1.000      1.000      1.000"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("R² 1.000"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "") << "standard output carries only --json -";
  const Json j = read_json(json);
  EXPECT_EQ(j["images"], 4);
  EXPECT_EQ(j["labels"], 7);
  EXPECT_NEAR(j["metrics"]["map50_95"].get<double>(), 1.0, kSameMetric);
  EXPECT_NEAR(j["metrics"]["map50"].get<double>(), 1.0, kSameMetric);
  EXPECT_TRUE(j["metrics"]["map_small"].is_number());
  for (const char* m : {"mar1", "mar10", "mar100", "mar_small", "mar_medium", "mar_large"})
    EXPECT_TRUE(j["metrics"][m].is_number()) << m;
  EXPECT_NEAR(j["metrics"]["mar100"].get<double>(), 1.0, kSameMetric);
  // One prediction per image and class finds 2 of the 3 green objects (two are in scene_b).
  EXPECT_NEAR(j["metrics"]["mar1"].get<double>(), (1 + 2.0 / 3 + 1) / 3, kSameMetric);
  EXPECT_NE(r.err.find("mAR1 0.889, mAR10 1.000, mAR100 1.000; by object size: small 1.000, medium 1.000, large 1.000"),
            std::string::npos)
      << r.err;
  ASSERT_EQ(j["classes"].size(), 3u);
  EXPECT_EQ(j["classes"][1]["name"], "green");
  EXPECT_EQ(j["classes"][1]["instances"], 3);
  EXPECT_EQ(j["classes"][1]["images"], 2);
  EXPECT_EQ(j["classes"][1]["pr_curve"].size(), 101u);
  EXPECT_EQ(j["counting"]["r2"], 1.0);
  EXPECT_EQ(j["confusion_matrix"]["counts"][1][1], 3);
  EXPECT_EQ(j["confusion_matrix"]["labels"][3], "background");
  EXPECT_EQ(j["per_image"].size(), 4u);
  EXPECT_EQ(j["per_image"][0]["image_id"], 123);
  for (const char* png : {"pr_curve.png", "confusion_matrix.png", "confusion_matrix_normalized.png"}) {
    const cv::Mat img = cv::imread(plots + "/" + png);
    ASSERT_FALSE(img.empty()) << png;
    EXPECT_GE(img.cols, 800) << png;
  }
}

// COCOeval's rules the CLI must follow: predictions of equal score in
// different images rank in image-id order (numeric stems as numbers: 9
// before 10, though "10.png" sorts first as a path), and a polygon label
// picks its area range by its own area (shoelace), not its box's.
TEST(CliEvalCoco, TiesRankByImageIdAndPolygonsUseTheirArea) {
  const std::string dir = test::temp_dir("eval_coco_rules");
  fs::create_directories(dir + "/images");
  fs::create_directories(dir + "/labels");
  for (const char* stem : {"9", "10"})
    ASSERT_TRUE(cv::imwrite(dir + "/images/" + stem + ".png", cv::Mat(100, 100, CV_8UC3, cv::Scalar(128, 128, 128))));
  // Image 9: a 40 x 40 box (medium). Image 10: a triangle with the same box, area 800 (small).
  test::write_bytes(dir + "/labels/9.txt", "0 0.4 0.4 0.4 0.4\n");
  test::write_bytes(dir + "/labels/10.txt", "0 0.2 0.2 0.6 0.2 0.2 0.6\n");
  test::write_bytes(dir + "/d.yaml", "path: .\nval: images\nnames: [thing]\n");
  // Both at 0.9: image 10's finds its label, image 9's (30 x 30, small) misses.
  test::write_bytes(dir + "/p.json", R"([
    {"image_id": 10, "category_id": 0, "bbox": [20, 20, 40, 40], "score": 0.9},
    {"image_id": 9, "category_id": 0, "bbox": [60, 60, 30, 30], "score": 0.9}])");
  const std::string json = dir + "/r.json";
  const CommandResult r = rkyolo({"eval", "--data", dir + "/d.yaml", "--preds", dir + "/p.json", "--json", json});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json m = read_json(json)["metrics"];
  // Image 9 first: FP then TP, precision 1/2 up to recall 1/2 (10 first would give 51 / 101).
  EXPECT_NEAR(m["map50"].get<double>(), 51 * 0.5 / 101, kSameMetric);
  EXPECT_NEAR(m["map50_95"].get<double>(), 51 * 0.5 / 101, kSameMetric);
  EXPECT_NEAR(m["mar100"].get<double>(), 0.5, kSameMetric);
  // Small: the triangle, found after the small miss of image 9. Medium: the box, not found
  // (the triangle and both predictions are ignored there).
  EXPECT_NEAR(m["map_small"].get<double>(), 0.5, kSameMetric);
  EXPECT_NEAR(m["mar_small"].get<double>(), 1.0, kSameMetric);
  EXPECT_NEAR(m["map_medium"].get<double>(), 0.0, kSameMetric);
  EXPECT_NEAR(m["mar_medium"].get<double>(), 0.0, kSameMetric);
  EXPECT_TRUE(m["map_large"].is_null());
  EXPECT_TRUE(m["mar_large"].is_null());
  EXPECT_NE(r.err.find("mAR1 0.500, mAR10 0.500, mAR100 0.500; by object size: small 1.000, medium 0.000, large -"),
            std::string::npos)
      << r.err;
  const CommandResult zh = rkyolo({"eval", "--lang", "zh", "--data", dir + "/d.yaml", "--preds", dir + "/p.json"});
  EXPECT_NE(zh.err.find("mAR1 0.500，mAR10 0.500，mAR100 0.500；按目标大小：小 1.000，中 0.000，大 -（平均召回率"),
            std::string::npos)
      << zh.err;
}

TEST_F(CliEvalData, EveryYamlFormOfTheSameDatasetAgrees) {
  test::write_bytes(dir_ + "/val.txt", "./images/val/000123.png\nimages/val/scene_b.png\n" + dir_ +
                                           "/images/val/scene_c.png\n\nimages/val/scene_d.png\n");
  fs::create_directories(dir_ + "/cfg");
  const std::vector<std::pair<std::string, std::string>> yamls = {
      {"data.yaml", "# comment\npath: .  # the root\nval: images/val\nnames: {0: red, 1: green, 2: blue}\n"},
      {"data.yaml", "path: '" + dir_ + "'\nval: \"images/val\"\nnames: [red, 'green', \"blue\"]\n"},
      {"data.yaml",
       "val: images/val\nnames:\n- red\n- green\n- blue\ndownload: |\n  import os  # not a comment\n  "
       "os.system('x')\n"},
      {"data.yaml", "path: .\nval:\n  - images/val\nnc: 3\nnames:\n  - red\n  - green\n  - blue\n"},
      {"data.yaml", "path: .\nval: val.txt\nnames:\n  0: red\n  1: green\n  2: blue\n"},
      {"data.yaml", "---\npath: .\nval: [images/val]\nnames: [\n  red,\n  green, blue,\n]\n"},
      {"cfg/data.yaml", "path: ..\nval: images/val\nnames:\n  0: 'red'\n  1: green\n  2: \"blue\"\n"},
  };
  for (const auto& [name, text] : yamls) {
    const std::string yaml = dir_ + "/" + name;
    test::write_bytes(yaml, text);
    const CommandResult r = rkyolo({"eval", "--data", yaml, "--preds", preds_, "--json", dir_ + "/r.json"});
    ASSERT_EQ(r.exit_code, 0) << text << "\n" << r.err;
    const Json j = read_json(dir_ + "/r.json");
    EXPECT_EQ(j["images"], 4) << text;
    EXPECT_EQ(j["labels"], 7) << text;
    EXPECT_EQ(j["classes"][2]["name"], "blue") << text;
    EXPECT_NEAR(j["metrics"]["map50_95"].get<double>(), 1.0, kSameMetric) << text;
  }
}

TEST_F(CliEvalData, BadDatasetFilesExit2WithOneSentenceNamingFileAndLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"val: images/val\nnames: [a, b\n", "bad.yaml:2: '[' is not closed"},
      {"val: images/val\nnames:\n\t0: a\n", "bad.yaml:3: a tab indents this line"},
      {"val: 'images/val\nnames: [a]\n", "bad.yaml:1: the quoted text is not closed"},
      {"val: images/val\n  names: [a]\n", "bad.yaml:2: unexpected indentation"},
      {"val: images/val\njust words\n", "bad.yaml:2: expected 'key: value'"},
      {"- a\n- b\n", "bad.yaml:1: expected a mapping"},
      {"", "bad.yaml:1: expected a mapping"},
      {"val: images/val\nnames: {0: a, 1: b]\n", "bad.yaml:2: unexpected ']'"},
      {"val: images/val\nnames:\n  0: a\n  2: c\n", "bad.yaml:4: 'names' must be a list"},
      {"val: images/val\n", "has neither 'names' nor 'nc'"},
      {"val: images/val\nnc: 2\nnames: [a, b, c]\n", "'nc' is 2 but 'names' lists 3 classes"},
      {"train: images/val\nnames: [a]\n", "bad.yaml has no 'val' split (it defines: train)"},
      {"val: images/nowhere\nnames: [a]\n", "images/nowhere' (from " + dir_ + "/bad.yaml line 1) do not exist"},
      {"val: [images/val, missing.txt]\nnames: [a]\n", "missing.txt' (from " + dir_ + "/bad.yaml line 1) do not exist"},
      {"val: {a: b}\nnames: [a]\n", "bad.yaml:1: 'val' must be an image folder"},
      {"path: .\nval: labels/val\nnames: [a]\n", "no images found for the 'val' split"},
      {"val: images/val\nnames: " + std::string(100000, '[') + std::string(100000, ']') + "\n",
       "bad.yaml:2: lists and mappings are nested too deeply"},
  };
  const std::string yaml = dir_ + "/bad.yaml";
  for (const auto& [text, expected] : cases) {
    test::write_bytes(yaml, text);
    const CommandResult r = rkyolo({"eval", "--data", yaml, "--preds", preds_});
    SCOPED_TRACE(text);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << "expected '" << expected << "' in: " << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  }
  CommandResult r = rkyolo({"eval", "--data", dir_ + "/absent.yaml", "--preds", preds_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: dataset file '" + dir_ + "/absent.yaml' does not exist\n");
  r = rkyolo({"eval", "--data", yaml_, "--preds", preds_, "--split", "test"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("has no 'test' split (it defines: val)"), std::string::npos) << r.err;
  test::write_bytes(yaml, "val: images/val\nnames: [a, b\n");
  r = rkyolo({"--lang", "zh", "eval", "--data", yaml, "--preds", preds_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("错误：" + yaml + ":2：'[' 没有闭合"), std::string::npos) << r.err;
}

TEST_F(CliEvalData, BadLabelLinesAreSkippedWithAWarningAndTheRunGoesOnWithExitCode1) {
  const std::string labels = dir_ + "/labels/val/scene_b.txt";
  test::write_bytes(labels, test::read_text(labels) +
                                "7 0.5 0.5 0.1 0.1\n"    // line 3: class out of range
                                "1 0.5 1.5 0.1 0.1\n"    // line 4: outside the image
                                "1 0.5 0.5 0.1\n"        // line 5: 4 columns
                                "\n"                     // line 6: blank, fine
                                "1 0.5 0.5 zero 0.1\n"   // line 7: not a number
                                "1 0.5 0.5 0.0 0.1\n");  // line 8: no width
  const std::string json = dir_ + "/r.json";
  const CommandResult r = eval({"--json", json});
  ASSERT_EQ(r.exit_code, 1) << "skipped label lines change the metrics: not a clean success\n" << r.err;
  for (const std::string& expected :
       {labels + ":3: class 7 is out of range 0..2; line skipped", labels + ":4: coordinates must lie between 0 and 1",
        labels + ":5: expected 5 values 'class cx cy w h' (or a polygon), found 4",
        labels + ":7: 'zero' is not a number", labels + ":8: coordinates"})
    EXPECT_NE(r.err.find("warning: " + expected), std::string::npos) << "expected '" << expected << "' in:\n" << r.err;
  EXPECT_EQ(count_of(r.err, "line skipped"), 5) << r.err;
  const Json j = read_json(json);
  EXPECT_EQ(j["labels"], 7);  // only the good lines
  EXPECT_EQ(j["label_problems"], 5);
  EXPECT_NEAR(j["metrics"]["map50_95"].get<double>(), 1.0, kSameMetric);
}

TEST_F(CliEvalData, ImagesWithoutLabelFilesCountAsEmptyAndAreMentionedOnce) {
  fs::remove(dir_ + "/labels/val/scene_c.txt");
  const std::string json = dir_ + "/r.json";
  const CommandResult r = eval({"--json", json});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_of(r.err, "no label file"), 1) << r.err;
  EXPECT_NE(r.err.find("1 of 4 images have no label file (e.g. '" + dir_ + "/labels/val/scene_c.txt')"),
            std::string::npos)
      << r.err;
  const Json j = read_json(json);
  EXPECT_EQ(j["images"], 4);
  EXPECT_EQ(j["labels"], 5);
  // The two predictions on scene_c are now false positives.
  EXPECT_LT(j["metrics"]["precision"].get<double>(), 1.0);
  EXPECT_EQ(j["per_image"][2]["count_error"], 2);
}

TEST_F(CliEvalData, BadPredictionFilesExit2WithOneSentence) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[{\"image_id\": 1,\n \"bbox\": [1, 2, 3, 4]\n", "is not valid JSON: at line 3"},
      {"", "is not valid JSON"},
      {"{\"image_id\": 123}", "must be a JSON array of COCO results"},
      {"[42]", "result [0]: each result must be a JSON object"},
      {"[{\"category_id\": 0, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]",
       "result [0]: 'image_id' must be an integer or a string"},
      {"[{\"image_id\": 123, \"category_id\": \"red\", \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]",
       "'category_id' must be an integer"},
      {"[{\"image_id\": 123, \"category_id\": 0, \"bbox\": [1, 2, 3], \"score\": 0.5}]",
       "'bbox' must be 4 finite numbers"},
      {"[{\"image_id\": 123, \"category_id\": 0, \"bbox\": [1, 2, -3, 4], \"score\": 0.5}]",
       "'bbox' must be 4 finite numbers"},
      {"[{\"image_id\": 123, \"category_id\": 0, \"bbox\": [1, 2, 3, 4], \"score\": \"high\"}]",
       "'score' must be a finite number"},
      {"[{\"image_id\": 123, \"category_id\": 0, \"bbox\": [1, 2, 3, 4], \"score\": 0.5},\n {\"image_id\": 123}]",
       "result [1]: 'category_id'"},
  };
  for (const auto& [text, expected] : cases) {
    test::write_bytes(preds_, text);
    const CommandResult r = eval();
    SCOPED_TRACE(text);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << "expected '" << expected << "' in: " << r.err;
    EXPECT_NE(r.err.find(preds_), std::string::npos) << r.err;
    EXPECT_EQ(count_of(r.err, "error: "), 1) << r.err;
  }
  const CommandResult r = rkyolo({"eval", "--data", yaml_, "--preds", dir_ + "/none.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("\nerror: predictions file '" + dir_ + "/none.json' does not exist\n"), std::string::npos)
      << r.err;
}

TEST_F(CliEvalData, PredictionsForOtherImagesOrClassesAreIgnoredWithOneWarningEach) {
  test::write_bytes(preds_, perfect_predictions({
                                R"({"image_id": "elsewhere", "category_id": 0, "bbox": [1, 2, 3, 4], "score": 0.99})",
                                R"({"image_id": 77, "category_id": 0, "bbox": [1, 2, 3, 4], "score": 0.99})",
                                R"({"image_id": 77, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.99})",
                                R"({"image_id": "scene_b", "category_id": 9, "bbox": [1, 2, 3, 4], "score": 0.99})",
                                R"({"image_id": "000123", "category_id": 0, "bbox": [10, 10, 60, 40], "score": 0.5})",
                            }));
  const std::string json = dir_ + "/r.json";
  const CommandResult r = eval({"--json", json});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: 3 predictions refer to images that are not in the 'val' split (e.g. image_id "
                       "\"elsewhere\"); they are ignored"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("warning: 1 predictions have a class outside 0..2 (e.g. 9); they are ignored"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(count_of(r.err, "warning: "), 2) << r.err;
  // The string id "000123" names the same image as 123: a duplicate there.
  const Json j = read_json(json);
  EXPECT_EQ(j["predictions"], 8);
  EXPECT_EQ(j["per_image"][0]["predictions"], 4);
}

TEST_F(CliEvalData, PredictionsForNoImageOfTheSplitAreAnError) {
  test::write_bytes(preds_, R"([{"image_id": "elsewhere", "category_id": 0, "bbox": [1, 2, 3, 4], "score": 0.9},
                               {"image_id": 77, "category_id": 0, "bbox": [1, 2, 3, 4], "score": 0.9}])");
  CommandResult r = eval();
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("none of the 2 predictions in '" + preds_ + "' refers to an image of the 'val' split"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(count_of(r.err, "error: "), 1) << r.err;
  // A directory, and --json onto the predictions themselves, are refused.
  r = rkyolo({"eval", "--data", yaml_, "--preds", dir_});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("is a directory"), std::string::npos) << r.err;
  test::write_bytes(preds_, perfect_predictions());
  r = eval({"--json", preds_});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("it would overwrite the predictions file"), std::string::npos) << r.err;
  EXPECT_NO_THROW(Json::parse(test::read_text(preds_)));
}

TEST_F(CliEvalData, OutliersAreListedAndCountingUsesTheCountThreshold) {
  // scene_b: one label missed; scene_d (no labels): three confident inventions.
  Json j = Json::parse(perfect_predictions());
  Json kept = Json::array();
  bool dropped = false;
  for (const auto& e : j) {
    if (!dropped && e["image_id"] == "scene_b") {
      dropped = true;
      continue;
    }
    kept.push_back(e);
  }
  for (int k = 0; k < 3; ++k)
    kept.push_back(
        {{"image_id", "scene_d"}, {"category_id", 0}, {"bbox", {10.0 + 50 * k, 10, 30, 30}}, {"score", 0.8}});
  kept.push_back({{"image_id", "scene_d"}, {"category_id", 0}, {"bbox", {10, 150, 30, 30}}, {"score", 0.1}});
  test::write_bytes(preds_, kept.dump());
  const std::string json = dir_ + "/r.json";
  const CommandResult r = eval({"--list-outliers", "2", "--json", json, "--count-conf", "0.5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string out = r.err;
  const std::size_t count_head = out.find("images with the largest count error (score >= 0.50):");
  ASSERT_NE(count_head, std::string::npos) << out;
  const std::size_t d = out.find("scene_d.png: 0 labelled, 3 counted (+3)"),
                    b = out.find("scene_b.png: 2 labelled, 1 counted (-1)");
  ASSERT_NE(d, std::string::npos) << out;
  ASSERT_NE(b, std::string::npos) << out;
  EXPECT_LT(d, b);  // largest error first
  EXPECT_NE(out.find("images with the lowest AP50:\n  " + dir_ + "/images/val/scene_b.png: AP50 0.505"),
            std::string::npos)
      << out;
  const Json rep = read_json(json);
  EXPECT_EQ(rep["outliers"]["largest_count_error"].size(), 2u);
  EXPECT_EQ(rep["outliers"]["largest_count_error"][0]["image_id"], "scene_d");
  EXPECT_EQ(rep["outliers"]["lowest_ap50"][0]["image_id"], "scene_b");
  EXPECT_EQ(rep["counting"]["count_conf"], 0.5);
  EXPECT_EQ(rep["counting"]["counted"], 9);  // 6 matches + 3 inventions; the 0.1 one is not counted
  // Per image |errors| 0, 1, 0, 3 over 4 images.
  EXPECT_NEAR(rep["counting"]["mae"].get<double>(), 1.0, kSameMetric);
}

// Hostile datasets, each command under a watchdog (test::kHangTimeoutS).
CommandResult rkyolo_bounded(std::vector<std::string> args) {
  return test::run_cli(RKYOLO_CLI, std::move(args), {"LANG=C"}, test::kHangTimeoutS);
}

// Item 10: a BMP header whose height is -2^31 fails that image alone.
TEST_F(CliEvalData, BmpHeightIntMinFailsThatImageOnly) {
  std::string bmp(54, '\0');
  const auto put32 = [&](std::size_t at, std::uint32_t v) {
    for (int k = 0; k < 4; ++k) bmp[at + static_cast<std::size_t>(k)] = static_cast<char>(v >> (8 * k));
  };
  bmp[0] = 'B', bmp[1] = 'M';
  put32(2, 54);            // file size
  put32(10, 54);           // pixel data offset
  put32(14, 40);           // BITMAPINFOHEADER
  put32(18, 16);           // width
  put32(22, 0x80000000u);  // height INT_MIN
  bmp[26] = 1, bmp[28] = 24;
  test::write_bytes(dir_ + "/images/val/intmin.bmp", bmp);
  const std::string json = dir_ + "/r.json";
  const CommandResult r = rkyolo_bounded({"eval", "--data", yaml_, "--preds", preds_, "--json", json});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot read image '" + dir_ + "/images/val/intmin.bmp': its size cannot be read"),
            std::string::npos)
      << r.err;
  const Json j = read_json(json);
  EXPECT_EQ(j["images"], 4);
  EXPECT_EQ(j["images_failed"], 1);
  EXPECT_NEAR(j["metrics"]["map50_95"].get<double>(), 1.0, kSameMetric);
}

// Item 11: class counts are bounded before anything is sized from them.
TEST_F(CliEvalData, HugeClassCountsAreRefusedAndLargePlotsLeftOut) {
  const std::string yaml = dir_ + "/many.yaml";
  std::string names = "names: [";
  for (int i = 0; i < 5000; ++i) names += (i ? ", c" : "c") + std::to_string(i);
  for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
           {"val: images/val\nnc: 100000\n", "many.yaml:2: 100000 classes, more than the 4096 that can be evaluated"},
           {"val: images/val\n" + names + "]\n", "many.yaml:2: 5000 classes, more than the 4096"}}) {
    test::write_bytes(yaml, text);
    const CommandResult r = rkyolo_bounded({"eval", "--data", yaml, "--preds", preds_});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
  }
  // 3000 classes are evaluated; their confusion matrix is not drawn.
  test::write_bytes(yaml, "path: .\nval: images/val\nnc: 3000\n");
  const std::string plots = dir_ + "/plots";
  const CommandResult r = rkyolo_bounded({"eval", "--data", yaml, "--preds", preds_, "--plots", plots});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: no confusion matrix plots for 3000 classes (at most 200 are drawn)"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(fs::exists(plots + "/pr_curve.png"));
  EXPECT_FALSE(fs::exists(plots + "/confusion_matrix.png"));
}

// Item 12: malformed escapes and NUL characters in paths.
TEST_F(CliEvalData, MalformedEscapesAndNulInPathsAreRefused) {
  const std::string yaml = dir_ + "/esc.yaml";
  for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
           {"path: \"\\x\"\nval: images/val\nnames: [a]\n",
            "esc.yaml:1: '\\x' is not a valid escape in a double-quoted string"},
           {"val: \"images/val\\xZZ\"\nnames: [a]\n", "esc.yaml:1: '\\x' is not a valid escape"},
           {"val: \"images\\q\"\nnames: [a]\n", "esc.yaml:1: '\\q' is not a valid escape"},
           {"val: [\"images/val\\u12\"]\nnames: [a]\n", "esc.yaml:1: '\\u12' is not a valid escape"},
           {"path: \"a\\0b\"\nval: images/val\nnames: [a]\n", "esc.yaml:1: the path contains a NUL character"},
           {"val: \"images/val\\x00\"\nnames: [a]\n", "esc.yaml:1: the path contains a NUL character"}}) {
    test::write_bytes(yaml, text);
    const CommandResult r = rkyolo_bounded({"eval", "--data", yaml, "--preds", preds_});
    SCOPED_TRACE(text);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
  }
  test::write_bytes(dir_ + "/list.txt", std::string("images/val/000123.png\nimages/val/scene_b.png\0x\n", 47));
  test::write_bytes(yaml, "val: list.txt\nnames: [a, b, c]\n");
  const CommandResult r = rkyolo_bounded({"eval", "--data", yaml, "--preds", preds_});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(dir_ + "/list.txt:2: the path contains a NUL character"), std::string::npos) << r.err;
}

// Item 13: a link loop lists each folder once.
TEST_F(CliEvalData, FolderLinkLoopsAreListedOnce) {
  fs::create_directory_symlink("..", dir_ + "/images/val/loop");
  fs::create_directory_symlink(dir_ + "/images/val", dir_ + "/images/val/again");
  const std::string json = dir_ + "/r.json";
  const CommandResult r = rkyolo_bounded({"eval", "--data", yaml_, "--preds", preds_, "--json", json});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_json(json)["images"], 4);
}

// Item 13: an unreadable folder is named, counted and makes the exit code 1.
TEST_F(CliEvalData, UnreadableFoldersAreNamedCountedAndExit1) {
  const std::string locked = dir_ + "/images/val/locked", out = dir_ + "/out";
  fs::create_directories(locked);
  fs::copy_file(dir_ + "/images/val/scene_d.png", locked + "/scene_e.png");
  fs::permissions(locked, fs::perms::none);
  fs::create_directories(out);
  fs::permissions(out, fs::perms::all);
  std::vector<std::string> argv;
  if (!test::unprivileged_prefix(&argv)) GTEST_SKIP() << "running as root without setpriv";
  argv.push_back(RKYOLO_CLI);
  for (const std::string& a : {"eval", "--data", yaml_.c_str(), "--preds", preds_.c_str(), "--json"}) argv.push_back(a);
  argv.push_back(out + "/r.json");
  const std::string cli = argv.front();
  argv.erase(argv.begin());
  const CommandResult r = test::run_cli(cli, argv, {"LANG=C"}, test::kHangTimeoutS);
  fs::permissions(locked, fs::perms::owner_all);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("warning: cannot list the folder '" + locked + "': Permission denied; its images are left out"),
            std::string::npos)
      << r.err;
  const Json j = read_json(out + "/r.json");
  EXPECT_EQ(j["images"], 4);
  EXPECT_EQ(j["folders_skipped"], 1);
}

// Item 14: with no readable image, --json still gets a complete report.
TEST_F(CliEvalData, NoReadableImageStillWritesACompleteJson) {
  for (const MiniImage& im : mini_images()) test::write_bytes(dir_ + "/images/val/" + im.name, "not a PNG");
  const std::string json = dir_ + "/r.json";
  test::write_bytes(json, "{\"an\": \"old report\"}");
  const CommandResult r = rkyolo_bounded({"eval", "--data", yaml_, "--preds", preds_, "--json", json});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("no image could be evaluated"), std::string::npos) << r.err;
  const Json j = read_json(json);
  EXPECT_FALSE(j.contains("an"));
  EXPECT_EQ(j["images"], 0);
  EXPECT_EQ(j["images_failed"], 4);
  EXPECT_EQ(j["failed_images"].size(), 4u);
  EXPECT_TRUE(j["metrics"].is_null());
}

// Item 16: "-" is standard output, which then carries the report alone.
TEST_F(CliEvalData, JsonDashGoesToStandardOutputAlone) {
  const CommandResult r = rkyolo_bounded({"eval", "--data", yaml_, "--preds", preds_, "--json", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["images"], 4);
  EXPECT_NE(r.err.find("Instances"), std::string::npos) << r.err;
}

TEST(CliVal, BadOptionsAndInputsExit2BeforeAnyInference) {
  const std::string dir = test::temp_dir("val_bad_options");
  const std::string yaml = dir + "/d.yaml";
  fs::create_directories(dir + "/images/val");
  test::write_bytes(yaml, "val: images/val\nnames: [a]\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"val", "--model", demo_model()}, "missing required option --data"},
      {{"val", "--data", yaml}, "missing required option --model"},
      {{"val", "--model", demo_model(), "--data", yaml, "--split", "holdout"}, "expected val, test or train"},
      {{"val", "--model", demo_model(), "--data", yaml, "--count-conf", "2"}, "--count-conf"},
      {{"val", "--model", demo_model(), "--data", yaml, "--list-outliers", "-3"}, "--list-outliers"},
      {{"val", "--model", demo_model(), "--data", yaml, "--conf", "x"}, "--conf"},
      {{"val", "--model", demo_model(), "--data", yaml, "--save-preds", dir + "/no/such/dir/p.json"}, "does not exist"},
      {{"val", "--model", demo_model(), "--data", yaml, "--json", dir}, "it is a directory"},
      {{"val", "--model", demo_model(), "--data", dir + "/nope.yaml"}, "nope.yaml' does not exist"},
      {{"val", "--model", demo_model(), "--data", yaml}, "no images found for the 'val' split"},
      {{"eval", "--data", yaml}, "missing required option --preds"},
  };
  for (const auto& [args, expected] : cases) {
    const CommandResult r = rkyolo(args);
    EXPECT_EQ(r.exit_code, 2) << args.back() << "\n" << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << "expected '" << expected << "' in: " << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
  }
}

// The demo model on scenes generated at test time (training/scenes.py), in
// a folder of each test's own (ctest runs tests in parallel processes).
class CliValDemo : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(demo_model())) GTEST_SKIP() << demo_model() << " is not there yet (training/README.md)";
    if (test::python3().empty()) GTEST_SKIP() << "/usr/bin/python3 with cv2 and numpy is needed to generate scenes";
    dir_ = test::temp_dir(std::string("val_demo_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  // Writes `count` val scenes to dir_/data (images/val, labels/val, dataset.yaml).
  void generate_scenes(int count) {
    const CommandResult r = test::run_command({test::python3(), test::source_dir() + "/training/scenes.py", "--out",
                                               dir_ + "/data", "--split", "val", "--count", std::to_string(count)},
                                              300);
    ASSERT_EQ(r.exit_code, 0) << "scenes.py failed: " << r.err;
    ASSERT_TRUE(fs::exists(dir_ + "/data/dataset.yaml"));
  }
  std::string dir_;
};

TEST_F(CliValDemo, ScoresWellAndEvalOfTheSavedPredictionsAgrees) {
  ASSERT_NO_FATAL_FAILURE(generate_scenes(12));
  const std::string yaml = dir_ + "/data/dataset.yaml", preds = dir_ + "/preds.json", json = dir_ + "/val.json",
                    plots = dir_ + "/plots";
  const CommandResult r = rkyolo({"val", "--model", demo_model(), "--data", yaml, "--backend", "cpu", "--save-preds",
                                  preds, "--json", json, "--plots", plots, "--list-outliers", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Instances"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("speed:"), std::string::npos) << r.err;
  const Json v = read_json(json);
  EXPECT_EQ(v["images"], 12);
  EXPECT_EQ(v["images_failed"], 0);
  EXPECT_EQ(v["backend"], "cpu");
  EXPECT_GT(v["metrics"]["map50"].get<double>(), kMinDemoMap50) << r.err;
  EXPECT_GT(v["metrics"]["map50_95"].get<double>(), 0.3) << r.err;
  EXPECT_GT(v["counting"]["r2"].get<double>(), 0.5) << r.err;
  const Json p = read_json(preds);
  ASSERT_TRUE(p.is_array());
  ASSERT_GT(p.size(), 0u);
  EXPECT_TRUE(p[0]["image_id"].is_string());  // val_000000: not all digits
  EXPECT_EQ(p[0]["bbox"].size(), 4u);
  EXPECT_TRUE(fs::exists(plots + "/pr_curve.png"));

  // Scoring the saved file reproduces the numbers without the model.
  const std::string json2 = dir_ + "/eval.json";
  const CommandResult e = rkyolo({"eval", "--data", yaml, "--preds", preds, "--json", json2});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const Json w = read_json(json2);
  for (const char* m : {"map50_95", "map50", "map75", "map_small", "map_medium", "map_large", "mar1", "mar10", "mar100",
                        "mar_small", "mar_medium", "mar_large", "precision", "recall"}) {
    if (v["metrics"][m].is_null()) {
      EXPECT_TRUE(w["metrics"][m].is_null()) << m;
      continue;
    }
    EXPECT_NEAR(v["metrics"][m].get<double>(), w["metrics"][m].get<double>(), kSameMetric) << m;
  }
  EXPECT_EQ(v["counting"], w["counting"]);
  EXPECT_EQ(v["confusion_matrix"]["counts"], w["confusion_matrix"]["counts"]);
}

TEST_F(CliValDemo, UnreadableImagesAreReportedAndTheRestIsEvaluated) {
  ASSERT_NO_FATAL_FAILURE(generate_scenes(2));
  const std::string data = dir_ + "/mixed";
  fs::create_directories(data + "/images");
  fs::create_directories(data + "/labels");
  for (const char* stem : {"val_000000", "val_000001"}) {
    fs::copy_file(dir_ + "/data/images/val/" + std::string(stem) + ".jpg", data + "/images/" + stem + ".jpg");
    fs::copy_file(dir_ + "/data/labels/val/" + std::string(stem) + ".txt", data + "/labels/" + stem + ".txt");
  }
  test::write_bytes(data + "/images/broken.jpg", "\xFF\xD8\xFF not really a JPEG");
  test::write_bytes(data + "/labels/broken.txt", "0 0.5 0.5 0.2 0.2\n");
  const std::string jpg = test::read_text(data + "/images/val_000000.jpg");
  test::write_bytes(data + "/images/cut.jpg", jpg.substr(0, jpg.size() / 3));
  test::write_bytes(data + "/d.yaml",
                    "path: .\nval: images\nnames: [circle, square, triangle, star, cross, ring, hexagon, arrow]\n");
  const std::string preds = data + "/preds.json", json = data + "/r.json";
  const CommandResult r = rkyolo({"val", "--model", demo_model(), "--data", data + "/d.yaml", "--backend", "cpu",
                                  "--save-preds", preds, "--json", json});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot read image '" + data + "/images/broken.jpg'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cannot read image '" + data + "/images/cut.jpg': the JPEG data is truncated"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("2 of 4 images failed"), std::string::npos) << r.err;
  const Json j = read_json(json);
  EXPECT_EQ(j["images"], 2);
  EXPECT_EQ(j["images_failed"], 2);
  EXPECT_GT(j["metrics"]["map50"].get<double>(), 0.3);
  const Json p = read_json(preds);  // valid JSON with the good images' predictions
  ASSERT_TRUE(p.is_array());
  for (const auto& e : p) EXPECT_TRUE(e["image_id"] == "val_000000" || e["image_id"] == "val_000001") << e;
}

}  // namespace
}  // namespace rkyolo
