// `rkyolo track` end to end: synthetic videos rendered and encoded with the
// ffmpeg tool at test time, the demo model on the CPU backend, and checks on
// what a user gets: the JSON lines scored by the independent MOT metrics
// (tests/reference/mot_metrics.py), the events file, the line and zone
// counts. Every command runs under a time limit and every test under a
// watchdog, so a hang fails instead of stalling the suite.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_env.h"
#include "support/watchdog.h"

namespace rkyolo {
namespace {

using Json = nlohmann::json;

// The issue's bar on the easy set.
constexpr double kMaxIdSwitchesPer100 = 1.0;
constexpr double kMinIdf1 = 0.9;
// One `rkyolo track` run over a few seconds of video (the CPU backend on a
// shared machine), and the whole test.
constexpr int kRunTimeoutS = 240;
constexpr std::chrono::seconds kTestLimit{420};

const std::string kCli = RKYOLO_CLI;

std::vector<Json> read_json_lines(const std::string& path) {
  std::vector<Json> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    Json j = Json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << path << ": not JSON: " << line;
    if (!j.is_discarded()) lines.push_back(std::move(j));
  }
  return lines;
}

// Encodes DIR/img/%06d.jpg as DIR/video.mp4 at `fps` (H.264, nearly lossless
// so the video shows what the ground truth describes).
std::string encode_frames(const std::string& dir, int fps) {
  const std::string video = dir + "/video.mp4";
  const test::CommandResult r = test::run_command({"ffmpeg", "-nostdin", "-v", "error", "-y", "-framerate",
                                                   std::to_string(fps), "-i", dir + "/img/%06d.jpg", "-c:v", "libx264",
                                                   "-crf", "12", "-pix_fmt", "yuv420p", video},
                                                  120);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return video;
}

double json_number(const std::string& json, const std::string& key) {
  const Json j = Json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.contains(key) || !j[key].is_number()) return std::nan("");
  return j[key].get<double>();
}

// Every event line carries these, with these types.
void expect_event_schema(const Json& e) {
  for (const char* key : {"type", "source", "label"}) EXPECT_TRUE(e.contains(key) && e[key].is_string()) << key << e;
  for (const char* key : {"stream", "track_id", "class_id", "first_frame", "last_frame", "frame"})
    EXPECT_TRUE(e.contains(key) && e[key].is_number_integer()) << key << e;
  for (const char* key : {"score", "best_score"}) EXPECT_TRUE(e.contains(key) && e[key].is_number()) << key << e;
  for (const char* key : {"first_pts_ms", "last_pts_ms"})
    EXPECT_TRUE(e.contains(key) && (e[key].is_number_integer() || e[key].is_null())) << key << e;
  EXPECT_TRUE(e.contains("box") && e["box"].is_array() && e["box"].size() == 4) << e;
  for (const char* key : {"zones", "entered_zones"}) EXPECT_TRUE(e.contains(key) && e[key].is_array()) << key << e;
  const std::string type = e.value("type", "");
  EXPECT_TRUE(type == "new" || type == "update" || type == "end") << e;
  if (type == "update")
    for (const char* key : {"changes", "entered", "left"}) EXPECT_TRUE(e.contains(key) && e[key].is_array()) << e;
}

struct TrackSpan {
  long first = -1, last = -1;
};

// Per (stream, track id): the first and last frames it appears in the JSON lines.
std::map<std::pair<int, int>, TrackSpan> spans_of(const std::vector<Json>& frames) {
  std::map<std::pair<int, int>, TrackSpan> spans;
  for (const Json& f : frames) {
    for (const Json& d : f["detections"]) {
      TrackSpan& s = spans[{f["stream"].get<int>(), d["track_id"].get<int>()}];
      const long frame = f["frame"].get<long>();
      if (s.first < 0) s.first = frame;
      s.last = frame;
    }
  }
  return spans;
}

// Each track seen in the frames has exactly one new and one end event, new
// first; no event names a track the frames never showed.
void expect_one_new_and_one_end(const std::vector<Json>& frames, const std::vector<Json>& events) {
  const auto spans = spans_of(frames);
  std::map<std::pair<int, int>, std::vector<Json>> by_track;
  for (const Json& e : events) {
    expect_event_schema(e);
    by_track[{e.value("stream", -1), e.value("track_id", -1)}].push_back(e);
  }
  for (const auto& [key, span] : spans) {
    const auto it = by_track.find(key);
    ASSERT_NE(it, by_track.end()) << "no events for stream " << key.first << " track " << key.second;
    const std::vector<Json>& list = it->second;
    int news = 0, ends = 0;
    for (const Json& e : list) news += e["type"] == "new", ends += e["type"] == "end";
    EXPECT_EQ(news, 1) << "stream " << key.first << " track " << key.second;
    EXPECT_EQ(ends, 1) << "stream " << key.first << " track " << key.second;
    EXPECT_EQ(list.front()["type"], "new");
    EXPECT_EQ(list.back()["type"], "end");
    EXPECT_LE(list.front()["first_frame"].get<long>(), span.first);
    EXPECT_EQ(list.back()["last_frame"].get<long>(), span.last);
  }
  for (const auto& [key, list] : by_track)
    EXPECT_TRUE(spans.count(key)) << "events for stream " << key.first << " track " << key.second
                                  << " which no frame shows";
}

TEST(TrackCli, EasySetFromTheJsonLinesMeetsTheTargets) {
  if (test::python3().empty()) GTEST_SKIP() << "/usr/bin/python3 with numpy and cv2 is not available";
  test::Watchdog watchdog(kTestLimit);
  const std::string dir = test::temp_dir("cli_track_easy");
  const test::CommandResult gen = test::run_command(
      {test::python3(), test::source_dir() + "/training/scenes.py", "--sequences", dir, "--set", "easy"}, 300);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::vector<std::string> seqs;
  std::istringstream listed(gen.out);
  for (std::string line; std::getline(listed, line);)
    if (!line.empty()) seqs.push_back(line);
  ASSERT_FALSE(seqs.empty());

  std::vector<std::string> args = {"track", "--model", test::demo_model(), "--backend", "cpu", "--no-save",
                                   "--json", dir + "/frames.jsonl", "--events", dir + "/events.jsonl"};
  for (const std::string& seq : seqs) {
    args.push_back("--source");
    args.push_back(encode_frames(seq, 30));
  }
  const test::CommandResult r = test::run_cli(kCli, args, {"LANG=C"}, kRunTimeoutS);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // The JSON lines as MOTChallenge predictions, one file per stream (frames
  // count from 1 there, from 0 in the JSON lines).
  const std::vector<Json> frames = read_json_lines(dir + "/frames.jsonl");
  std::vector<std::ostringstream> pred(seqs.size());
  std::vector<int> frames_per_stream(seqs.size());
  for (const Json& f : frames) {
    const int stream = f["stream"].get<int>();
    ASSERT_GE(stream, 0);
    ASSERT_LT(stream, static_cast<int>(seqs.size()));
    ++frames_per_stream[static_cast<std::size_t>(stream)];
    for (const Json& d : f["detections"]) {
      ASSERT_TRUE(d.contains("track_id")) << d;
      ASSERT_GE(d["track_id"].get<int>(), 1) << "untracked detections are left out: " << d;
      const Json& b = d["box"];
      pred[static_cast<std::size_t>(stream)] << f["frame"].get<long>() + 1 << ',' << d["track_id"].get<int>() << ','
                                             << b[0].get<double>() << ',' << b[1].get<double>() << ','
                                             << b[2].get<double>() - b[0].get<double>() << ','
                                             << b[3].get<double>() - b[1].get<double>() << ','
                                             << d["score"].get<double>() << '\n';
    }
  }
  std::vector<std::string> metric_args = {test::python3(), test::source_dir() + "/tests/reference/mot_metrics.py"};
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    EXPECT_EQ(frames_per_stream[i], 60) << seqs[i];
    test::write_bytes(seqs[i] + "/pred_cli.txt", pred[i].str());
    metric_args.push_back(seqs[i] + "/gt.txt");
    metric_args.push_back(seqs[i] + "/pred_cli.txt");
  }
  const test::CommandResult m = test::run_command(metric_args, 120);
  ASSERT_EQ(m.exit_code, 0) << m.err;
  std::printf("[rkyolo track, easy set] %s", m.out.c_str());
  EXPECT_LT(json_number(m.out, "idsw_per_100"), kMaxIdSwitchesPer100) << m.out;
  EXPECT_GE(json_number(m.out, "idf1"), kMinIdf1) << m.out;

  expect_one_new_and_one_end(frames, read_json_lines(dir + "/events.jsonl"));
}

// Two shapes on a plain path: A (a circle) moves right along y = 200 from
// x = 100 to x = 540, B (a square) left along y = 450 from x = 540 to 100,
// 8 px a frame for 56 frames. The reference point (bottom centre) has A's
// and B's x.
constexpr char kCrossingScene[] = R"(
import subprocess, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
import scenes
w = h = 640
rng = np.random.default_rng(7)
bg = scenes._background(rng, h, w)
def obj(cls, x, y, color):
    return dict(cls=cls, x=x, y=y, size=80.0, angle=0.0, aspect=1.0, color=np.array(color, np.float64))
enc = subprocess.Popen(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24",
                        "-s", "640x640", "-r", "25", "-i", "-", "-c:v", "libx264", "-crf", "12",
                        "-pix_fmt", "yuv420p", sys.argv[2]], stdin=subprocess.PIPE)
for t in range(56):
    img, _ = scenes._seq_frame(bg, [obj(0, 100 + 8 * t, 200, (20, 20, 230)),
                                    obj(1, 540 - 8 * t, 450, (230, 60, 20))], w, h)
    enc.stdin.write(np.ascontiguousarray(img).tobytes())
enc.stdin.close()
sys.exit(enc.wait())
)";

TEST(TrackCli, ZonesLineCountsAndEventsByHand) {
  if (test::python3().empty()) GTEST_SKIP() << "/usr/bin/python3 with numpy and cv2 is not available";
  test::Watchdog watchdog(kTestLimit);
  const std::string dir = test::temp_dir("cli_track_zones");
  test::write_bytes(dir + "/scene.py", kCrossingScene);
  const test::CommandResult gen = test::run_command(
      {test::python3(), dir + "/scene.py", test::source_dir() + "/training", dir + "/crossing.mp4"}, 120);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  // The zone is the left half; the line runs down the middle, from the top
  // to the bottom: its right on the image is the left half, so "in" is
  // crossing right to left (B) and "out" left to right (A).
  test::write_bytes(dir + "/zones.json", R"({"zones": [{"name": "left", "points": [[0, 0], [320, 0], [320, 640], [0, 640]]}],
 "lines": [{"name": "middle", "from": [320, 0], "to": [320, 640]}]})");
  const test::CommandResult r = test::run_cli(
      kCli,
      {"track", "--model", test::demo_model(), "--backend", "cpu", "--source", dir + "/crossing.mp4", "--no-save",
       "--json", dir + "/frames.jsonl", "--events", "-", "--zones", dir + "/zones.json", "--stats",
       dir + "/stats.json"},
      {"LANG=C"}, kRunTimeoutS);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // Events went to standard output ("-"), one JSON object a line.
  std::vector<Json> events;
  std::istringstream out(r.out);
  for (std::string line; std::getline(out, line);) {
    Json j = Json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    events.push_back(std::move(j));
  }
  const std::vector<Json> frames = read_json_lines(dir + "/frames.jsonl");
  ASSERT_EQ(frames.size(), 56u);
  expect_one_new_and_one_end(frames, events);

  // Two tracks, one per shape, each the whole way (the first frame confirms at once).
  const auto spans = spans_of(frames);
  ASSERT_EQ(spans.size(), 2u) << r.out;
  int a = -1, b = -1;
  for (const Json& d : frames.front()["detections"]) (d["box"][0].get<double>() < 320 ? a : b) = d["track_id"];
  ASSERT_GE(a, 1);
  ASSERT_GE(b, 1);
  for (const auto& [key, span] : spans) {
    EXPECT_EQ(span.first, 0);
    EXPECT_EQ(span.last, 55);
  }

  // A is new inside "left" and leaves it once; B is new outside and enters once.
  std::map<int, Json> new_of;
  int a_left = 0, b_entered = 0, other_zone_updates = 0;
  for (const Json& e : events) {
    if (e["type"] == "new") new_of[e["track_id"].get<int>()] = e;
    if (e["type"] != "update") continue;
    const bool left = e["left"] == Json::array({"left"}), entered = e["entered"] == Json::array({"left"});
    if (left && e["track_id"] == a)
      ++a_left;
    else if (entered && e["track_id"] == b)
      ++b_entered;
    else if (!e["left"].empty() || !e["entered"].empty())
      ++other_zone_updates;
  }
  EXPECT_EQ(new_of[a]["zones"], Json::array({"left"}));
  EXPECT_EQ(new_of[b]["zones"], Json::array());
  EXPECT_EQ(a_left, 1);
  EXPECT_EQ(b_entered, 1);
  EXPECT_EQ(other_zone_updates, 0);

  // One crossing each way, in the statistics and in the summary.
  const Json stats = Json::parse(test::read_text(dir + "/stats.json"), nullptr, false);
  ASSERT_FALSE(stats.is_discarded());
  const Json& tracking = stats["streams"][0]["tracking"];
  EXPECT_EQ(tracking["tracks"], 2) << stats;
  EXPECT_EQ(tracking["lines"], Json::parse(R"([{"name": "middle", "in": 1, "out": 1}])")) << stats;
  EXPECT_EQ(tracking["zones"], Json::parse(R"([{"name": "left", "count": 1}])")) << stats;
  EXPECT_NE(r.err.find("line 'middle': in 1, out 1"), std::string::npos) << r.err;
}

TEST(TrackCli, BadTrackingOptionsAreOneSentence) {
  test::Watchdog watchdog(kTestLimit);
  const std::string dir = test::temp_dir("cli_track_bad");
  test::write_bytes(dir + "/zones.json", R"({"zones": [{"name": "z", "points": [[0, 0], [10, 0]]}]})");
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--tracker", "sort"}, "--tracker"},
      {{"--track-high-thresh", "1.5"}, "--track-high-thresh"},
      {{"--track-buffer", "0"}, "--track-buffer"},
      {{"--zones", dir + "/zones.json"}, "zones file '" + dir + "/zones.json'"},
      {{"--zones", dir + "/missing.json"}, "missing.json"},
      {{"--events", dir + "/no/such/dir/events.jsonl"}, "events.jsonl"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"track", "--model", test::demo_model(), "--backend", "cpu", "--source",
                                     test::source_dir() + "/samples/shapes.mp4", "--no-save"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const test::CommandResult r = test::run_cli(kCli, args, {"LANG=C"}, test::kHangTimeoutS);
    EXPECT_EQ(r.exit_code, 2) << c.args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_EQ(test::count_lines(r.err), 1) << r.err;
  }
}

}  // namespace
}  // namespace rkyolo
