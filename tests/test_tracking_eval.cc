// End-to-end tracking evaluation without video decoding: the synthetic
// sequences of training/scenes.py (ground-truth trajectories), the demo model
// through a Session on the CPU backend frame by frame, ByteTrack, and the
// metrics (MOTA, IDF1, ID switches) from the independent Python reference
// tests/reference/mot_metrics.py.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "rkyolo/model.h"
#include "rkyolo/stream_tracking.h"
#include "rkyolo/tracker.h"
#include "support/test_env.h"

namespace rkyolo {
namespace {

// The bar on the easy set.
constexpr double kMaxIdSwitchesPer100 = 1.0;
constexpr double kMinIdf1 = 0.9;
// The hard set is reported, with a floor that only catches a broken tracker.
constexpr double kHardMinIdf1 = 0.6;
// Hand-worked metric values are exact fractions.
constexpr double kMetricTolerance = 1e-9;

// The number after "key": in the reference's one-line JSON; NaN if absent.
double json_number(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\": ";
  const std::size_t at = json.find(needle);
  if (at == std::string::npos) return std::nan("");
  return std::strtod(json.c_str() + at + needle.size(), nullptr);
}

std::string run_metrics(const std::vector<std::string>& gt_pred_pairs) {
  std::vector<std::string> argv = {test::python3(), test::source_dir() + "/tests/reference/mot_metrics.py"};
  argv.insert(argv.end(), gt_pred_pairs.begin(), gt_pred_pairs.end());
  const test::CommandResult r = test::run_command(argv, 300);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// Two objects over 10 frames, A at x = 0 and B at x = 100, both 50 x 50.
std::string two_objects_gt() {
  std::string s;
  for (int t = 1; t <= 10; ++t)
    s += std::to_string(t) + ",1,0,0,50,50,1,0,1\n" + std::to_string(t) + ",2,100,0,50,50,1,0,1\n";
  return s;
}

TEST(TrackingMetrics, HandWorkedReferenceValues) {
  if (test::python3().empty()) GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  const std::string dir = test::temp_dir("tracking_metrics");
  test::write_bytes(dir + "/gt.txt", two_objects_gt());
  // Perfect: ids 7 and 9 follow A and B throughout.
  std::string perfect;
  for (int t = 1; t <= 10; ++t)
    perfect += std::to_string(t) + ",7,0,0,50,50,0.9\n" + std::to_string(t) + ",9,100,0,50,50,0.9\n";
  test::write_bytes(dir + "/perfect.txt", perfect);
  std::string out = run_metrics({dir + "/gt.txt", dir + "/perfect.txt"});
  EXPECT_NEAR(json_number(out, "mota"), 1.0, kMetricTolerance) << out;
  EXPECT_NEAR(json_number(out, "idf1"), 1.0, kMetricTolerance) << out;
  EXPECT_EQ(json_number(out, "idsw"), 0) << out;
  // Swapped from frame 6: id 7 follows A then B, id 9 B then A. Two switches:
  // MOTA = 1 - 2/20 = 0.9. Every trajectory pair shares 5 frames, so the best
  // one-to-one matching has IDTP = 10: IDF1 = 2*10 / (20 + 20) = 0.5.
  // Plus a false positive at frame 3 and a miss of B at frame 4:
  // MOTA = 1 - (1 + 1 + 2)/20 = 0.8. Shared frames: A-7 5, A-9 5, B-9 4 (the
  // miss), B-7 5, so the optimal matching is A-9 + B-7 with IDTP = 10, not
  // A-7 + B-9 (9); 20 predicted boxes: IDF1 = 2*10 / (20 + 20) = 0.5.
  std::string swapped;
  for (int t = 1; t <= 10; ++t) {
    const bool late = t >= 6;
    swapped += std::to_string(t) + (late ? ",9" : ",7") + ",0,0,50,50,0.9\n";
    if (t != 4) swapped += std::to_string(t) + (late ? ",7" : ",9") + ",100,0,50,50,0.9\n";
    if (t == 3) swapped += "3,11,300,300,50,50,0.9\n";
  }
  test::write_bytes(dir + "/swapped.txt", swapped);
  out = run_metrics({dir + "/gt.txt", dir + "/swapped.txt"});
  EXPECT_EQ(json_number(out, "idsw"), 2) << out;
  EXPECT_EQ(json_number(out, "fp"), 1) << out;
  EXPECT_EQ(json_number(out, "fn"), 1) << out;
  EXPECT_NEAR(json_number(out, "mota"), 0.8, kMetricTolerance) << out;
  EXPECT_NEAR(json_number(out, "idf1"), 0.5, kMetricTolerance) << out;
  EXPECT_EQ(json_number(out, "idtp"), 10) << out;
  // An ignored object (consider = 0) neither counts as a miss nor makes its
  // prediction a false positive.
  test::write_bytes(dir + "/gt_ignore.txt", two_objects_gt() + "5,3,300,300,50,50,0,0,0.2\n");
  out = run_metrics({dir + "/gt_ignore.txt", dir + "/perfect.txt"});
  EXPECT_NEAR(json_number(out, "mota"), 1.0, kMetricTolerance) << out;
}

struct SetResult {
  std::string metrics;
  // The same tracks as StreamTracking (and so `rkyolo track`'s JSON lines)
  // report them: the detector's boxes with their track ids.
  std::string stream_metrics;
  int frames = 0;
  double detect_ms = 0, track_ms = 0;
};

SetResult run_set(Session& detector, const std::vector<std::string>& sequences) {
  SetResult result;
  std::vector<std::string> pairs, stream_pairs;
  DetectionResult detections;
  TrackerFrame tracked;
  for (const std::string& seq : sequences) {
    std::ifstream info(seq + "/info.txt");
    std::string key;
    int frames = 0;
    double fps = 30;
    for (std::string k; info >> k;) {
      double v;
      info >> v;
      if (k == "frames") frames = static_cast<int>(v);
      if (k == "fps") fps = v;
    }
    EXPECT_GT(frames, 0) << seq;
    TrackerOptions options;
    options.frame_rate = fps;
    std::unique_ptr<Tracker> tracker;
    EXPECT_TRUE(Tracker::create(options, &tracker).ok());
    StreamTrackingOptions stream_options;
    stream_options.tracker = options;
    std::unique_ptr<StreamTracking> stream_tracking;
    EXPECT_TRUE(StreamTracking::create(stream_options, &stream_tracking).ok());
    std::ostringstream pred, stream_pred;
    for (int t = 1; t <= frames; ++t) {
      char name[32];
      std::snprintf(name, sizeof(name), "/img/%06d.jpg", t);
      const cv::Mat img = cv::imread(seq + name, cv::IMREAD_COLOR);
      EXPECT_FALSE(img.empty()) << seq << name;
      if (img.empty()) return result;
      const auto t0 = std::chrono::steady_clock::now();
      const Status s =
          detector.detect(ImageView{img.data, img.cols, img.rows, img.step[0], PixelFormat::kBgr8}, &detections);
      EXPECT_TRUE(s.ok()) << s;
      const auto t1 = std::chrono::steady_clock::now();
      tracker->update(detections.detections, &tracked);
      const auto t2 = std::chrono::steady_clock::now();
      result.detect_ms += std::chrono::duration<double, std::milli>(t1 - t0).count();
      result.track_ms += std::chrono::duration<double, std::milli>(t2 - t1).count();
      ++result.frames;
      for (const TrackedObject& o : tracked.tracks)
        pred << t << ',' << o.track_id << ',' << o.box.x1 << ',' << o.box.y1 << ',' << o.box.width() << ','
             << o.box.height() << ',' << o.score << '\n';
      stream_tracking->process(&detections);
      for (const Detection& d : detections.detections)
        stream_pred << t << ',' << d.track_id << ',' << d.box.x1 << ',' << d.box.y1 << ',' << d.box.width() << ','
                    << d.box.height() << ',' << d.score << '\n';
    }
    test::write_bytes(seq + "/pred.txt", pred.str());
    test::write_bytes(seq + "/pred_stream.txt", stream_pred.str());
    pairs.push_back(seq + "/gt.txt");
    pairs.push_back(seq + "/pred.txt");
    stream_pairs.push_back(seq + "/gt.txt");
    stream_pairs.push_back(seq + "/pred_stream.txt");
  }
  result.metrics = run_metrics(pairs);
  result.stream_metrics = run_metrics(stream_pairs);
  return result;
}

void report(const std::string& name, const SetResult& r) {
  std::printf(
      "[tracking %s] %s\n[tracking %s, detector boxes] %s\n[tracking %s] %d frames, detector %.1f ms/frame, tracker "
      "%.3f ms/frame\n",
      name.c_str(), r.metrics.c_str(), name.c_str(), r.stream_metrics.c_str(), name.c_str(), r.frames,
      r.detect_ms / std::max(r.frames, 1), r.track_ms / std::max(r.frames, 1));
  std::fflush(stdout);
}

TEST(TrackingEval, DemoModelAndByteTrackOnSyntheticSequences) {
  if (test::python3().empty()) GTEST_SKIP() << "/usr/bin/python3 with numpy and cv2 is not available";
  const std::string dir = test::temp_dir("tracking_eval");
  const test::CommandResult gen = test::run_command({test::python3(), test::source_dir() + "/training/scenes.py",
                                                     "--sequences", dir, "--set", "easy", "--set", "hard"},
                                                    300);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::vector<std::string> easy, hard;
  std::istringstream lines(gen.out);
  for (std::string line; std::getline(lines, line);)
    (line.find("/easy/") != std::string::npos ? easy : hard).push_back(line);
  ASSERT_FALSE(easy.empty());
  ASSERT_FALSE(hard.empty());

  register_builtin_backends();
  DetectorOptions o;
  o.model_path = test::demo_model();
  o.backend = "cpu";
  // ByteTrack wants the low-score boxes too.
  o.conf_threshold = TrackerOptions{}.low_threshold;
  std::unique_ptr<Session> detector;
  const Status s = test::load_session(o, &detector);
  ASSERT_TRUE(s.ok()) << s;

  const SetResult e = run_set(*detector, easy);
  report("easy", e);
  EXPECT_LT(json_number(e.metrics, "idsw_per_100"), kMaxIdSwitchesPer100) << e.metrics;
  EXPECT_GE(json_number(e.metrics, "idf1"), kMinIdf1) << e.metrics;
  EXPECT_LT(json_number(e.stream_metrics, "idsw_per_100"), kMaxIdSwitchesPer100) << e.stream_metrics;
  EXPECT_GE(json_number(e.stream_metrics, "idf1"), kMinIdf1) << e.stream_metrics;

  const SetResult h = run_set(*detector, hard);
  report("hard", h);
  EXPECT_GE(json_number(h.metrics, "idf1"), kHardMinIdf1) << h.metrics;
}

}  // namespace
}  // namespace rkyolo
