// Real photos and real models against an independent Python/OpenCV
// reference of the same pipeline (tests/reference/yolo_reference.py):
// letterbox pixels, and detections of the COCO YOLOv5n from ../shared in
// both layouts, and of the project's own demo model.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/letterbox.h"
#include "core/user_text.h"
#include "rkyolo/model.h"
#include "support/test_env.h"

namespace rkyolo {
namespace {

// Named tolerances.
constexpr int kMaxPixelDiff = 0;  // OpenCV's own fixed-point bilinear: bit-exact with cv2.resize
constexpr double kMaxMeanPixelDiff = 0.0;
constexpr float kMaxBoxError = 2.0f;  // pixels, source image
constexpr float kMaxScoreError = 0.01f;
constexpr float kBorderline = 0.02f;  // detections this close to conf may differ

std::string reference_script() {
  return test::source_dir() + "/tests/reference/yolo_reference.py";
}

cv::Mat read(const std::string& path) {
  return cv::imread(path, cv::IMREAD_COLOR);
}
ImageView view_of(const cv::Mat& m) {
  return ImageView{m.data, m.cols, m.rows, m.step[0], PixelFormat::kBgr8};
}

TEST(RealPhotos, LetterboxMatchesOpenCVReference) {
  RKYOLO_REQUIRE_SHARED();
  ASSERT_FALSE(test::python3().empty()) << "python3 with cv2 and numpy is required (scripts/install-deps.sh)";
  const std::string dir = test::temp_dir("letterbox_photos");
  for (const char* name : {"bus.jpg", "zidane.jpg"}) {
    const std::string path = test::shared_dir() + "/images/" + name;
    const cv::Mat img = read(path);
    ASSERT_FALSE(img.empty());
    for (const auto& size : std::vector<std::pair<int, int>>{{640, 640}, {320, 320}, {1280, 1280}, {512, 384}}) {
      const std::string raw = dir + "/ref.raw";
      const auto r = test::run_command({test::python3(), reference_script(), "letterbox", path,
                                        std::to_string(size.first), std::to_string(size.second), raw});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      const std::string ref = test::read_text(raw);
      core::LetterboxTarget t;
      t.width = size.first;
      t.height = size.second;
      t.layout = TensorLayout::kNHWC;
      t.dtype = DType::kUint8;
      ASSERT_EQ(ref.size(), t.required_bytes());
      std::vector<std::uint8_t> ours(t.required_bytes());
      core::Letterboxer lb;
      ASSERT_TRUE(lb.configure(t).ok());
      ASSERT_TRUE(lb.run(view_of(img), ours.data()).ok());
      const core::LetterboxGeometry& g = lb.geometry();
      int max_diff = 0;
      double sum = 0;
      for (int y = 0; y < t.height; ++y)
        for (int x = 0; x < t.width; ++x)
          for (int c = 0; c < 3; ++c) {
            const std::size_t i = (static_cast<std::size_t>(y) * t.width + x) * 3 + c;
            const int d = std::abs(int(ours[i]) - int(static_cast<unsigned char>(ref[i])));
            const bool pad = x < g.pad_left || x >= g.pad_left + g.new_w || y < g.pad_top || y >= g.pad_top + g.new_h;
            if (pad) {  // geometry is exact: padding is 114 in both, at the same places
              ASSERT_EQ(ours[i], 114) << name << " at " << x << "," << y;
              ASSERT_EQ(static_cast<unsigned char>(ref[i]), 114) << name << " at " << x << "," << y;
            }
            max_diff = std::max(max_diff, d);
            sum += d;
          }
      const double mean = sum / ours.size();
      EXPECT_LE(max_diff, kMaxPixelDiff) << name << " -> " << size.first << "x" << size.second;
      EXPECT_LE(mean, kMaxMeanPixelDiff) << name << " -> " << size.first << "x" << size.second;
    }
  }
}

struct RefDet {
  int class_id;
  float score;
  Box box;
};

std::vector<RefDet> python_detect(const std::string& model, const std::string& image, const std::string& layout,
                                  float conf) {
  const std::string out = test::temp_dir("pyref") + "/dets.json";
  const auto r = test::run_command({test::python3(), reference_script(), "detect", model, image, out, "--conf",
                                    std::to_string(conf), "--iou", "0.45", "--layout", layout});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<RefDet> dets;
  if (r.exit_code != 0) return dets;
  for (const auto& j : nlohmann::json::parse(test::read_text(out))) {
    dets.push_back(RefDet{
        j["class_id"].get<int>(), j["score"].get<float>(),
        Box{j["box"][0].get<float>(), j["box"][1].get<float>(), j["box"][2].get<float>(), j["box"][3].get<float>()}});
  }
  return dets;
}

// Same objects: every confident detection on one side has a partner of the
// same class on the other, boxes within kMaxBoxError, scores within kMaxScoreError.
void expect_same_detections(const std::vector<Detection>& ours, const std::vector<RefDet>& ref, float conf,
                            const std::string& what) {
  std::vector<bool> used(ref.size(), false);
  int matched = 0;
  for (const Detection& d : ours) {
    int best = -1;
    float best_iou = 0.5f;
    for (std::size_t j = 0; j < ref.size(); ++j) {
      if (used[j] || ref[j].class_id != d.class_id) continue;
      const float v = iou(d.box, ref[j].box);
      if (v > best_iou) best_iou = v, best = static_cast<int>(j);
    }
    if (best < 0) {
      EXPECT_LT(d.score, conf + kBorderline) << what << ": only rkyolo found " << d;
      continue;
    }
    used[best] = true;
    ++matched;
    const RefDet& r = ref[best];
    EXPECT_NEAR(d.score, r.score, kMaxScoreError) << what << ": " << d;
    EXPECT_NEAR(d.box.x1, r.box.x1, kMaxBoxError) << what << ": " << d << " vs " << r.box;
    EXPECT_NEAR(d.box.y1, r.box.y1, kMaxBoxError) << what << ": " << d << " vs " << r.box;
    EXPECT_NEAR(d.box.x2, r.box.x2, kMaxBoxError) << what << ": " << d << " vs " << r.box;
    EXPECT_NEAR(d.box.y2, r.box.y2, kMaxBoxError) << what << ": " << d << " vs " << r.box;
  }
  for (std::size_t j = 0; j < ref.size(); ++j)
    if (!used[j])
      EXPECT_LT(ref[j].score, conf + kBorderline)
          << what << ": only the reference found class " << ref[j].class_id << " " << ref[j].box;
  EXPECT_GT(matched, 0) << what << ": nothing detected";
}

std::unique_ptr<Session> cpu_detector(const std::string& model, float conf) {
  register_builtin_backends();
  DetectorOptions o;
  o.model_path = model;
  o.backend = "cpu";
  o.conf_threshold = conf;
  o.iou_threshold = 0.45f;
  std::unique_ptr<Session> d;
  const Status s = test::load_session(o, &d);
  EXPECT_TRUE(s.ok()) << s;
  return d;
}

void compare_model_on_photos(const std::string& model, const std::string& layout,
                             const std::vector<std::string>& images) {
  ASSERT_FALSE(test::python3().empty()) << "python3 with cv2 and numpy is required (scripts/install-deps.sh)";
  for (float conf : {0.25f, 0.1f}) {
    auto det = cpu_detector(model, conf);
    ASSERT_TRUE(det);
    for (const std::string& path : images) {
      const cv::Mat img = read(path);
      DetectionResult r;
      ASSERT_TRUE(det->detect(view_of(img), &r).ok());
      const auto ref = python_detect(model, path, layout, conf);
      expect_same_detections(r.detections, ref, conf,
                             std::filesystem::path(model).filename().string() + " on " +
                                 std::filesystem::path(path).filename().string() + " conf " + std::to_string(conf));
    }
  }
}

std::vector<std::string> shared_photos() {
  return {test::shared_dir() + "/images/bus.jpg", test::shared_dir() + "/images/zidane.jpg"};
}

TEST(RealModel, Yolov5nCombinedMatchesPythonReference) {
  RKYOLO_REQUIRE_SHARED();
  compare_model_on_photos(test::shared_dir() + "/models/yolov5n-coco.onnx", "v5", shared_photos());
}

TEST(RealModel, Yolov5nSplitHeadsMatchesPythonReference) {
  RKYOLO_REQUIRE_SHARED();
  compare_model_on_photos(test::shared_dir() + "/models/yolov5n-coco-heads.onnx", "v5split", shared_photos());
}

TEST(RealModel, BothYolov5nLayoutsFindTheSameObjects) {
  RKYOLO_REQUIRE_SHARED();
  auto a = cpu_detector(test::shared_dir() + "/models/yolov5n-coco.onnx", 0.25f);
  auto b = cpu_detector(test::shared_dir() + "/models/yolov5n-coco-heads.onnx", 0.25f);
  ASSERT_TRUE(a && b);
  for (const std::string& path : shared_photos()) {
    const cv::Mat img = read(path);
    DetectionResult ra, rb;
    ASSERT_TRUE(a->detect(view_of(img), &ra).ok());
    ASSERT_TRUE(b->detect(view_of(img), &rb).ok());
    std::vector<RefDet> as_ref;
    for (const auto& d : rb.detections) as_ref.push_back(RefDet{d.class_id, d.score, d.box});
    expect_same_detections(ra.detections, as_ref, 0.25f, "combined vs split heads on " + path);
  }
  // The bus photo: a bus and people (a sanity check that the labels are right).
  DetectionResult r;
  ASSERT_TRUE(a->detect(view_of(read(shared_photos()[0])), &r).ok());
  std::vector<std::string> coco;
  ASSERT_TRUE(core::read_labels_file(test::shared_dir() + "/models/coco80.txt", &coco).ok());
  int persons = 0, buses = 0;
  for (const auto& d : r.detections) persons += coco[d.class_id] == "person", buses += coco[d.class_id] == "bus";
  EXPECT_GE(persons, 3);
  EXPECT_EQ(buses, 1);
}

}  // namespace
}  // namespace rkyolo
