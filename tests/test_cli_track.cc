// The CLI's tracking pieces (apps/rkyolo/tracking.*, annotate.*): options,
// zones files, the event JSON, trails and zone drawing, against hand-worked
// expectations. `rkyolo track` end to end joins them once the video
// pipeline's stage hook is in.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "rkyolo/annotate.h"
#include "rkyolo/tracking.h"
#include "support/counting_allocator.h"
#include "support/test_env.h"

namespace rkyolo::cli {
namespace {

Status parse_track_args(std::vector<std::string> words, StreamTrackingOptions* options, std::vector<ZoneConfig>* zones,
                        std::size_t streams = 1) {
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  Args args;
  Status s = args.parse("track", static_cast<int>(argv.size()), argv.data(), 0, track_option_specs());
  if (!s.ok()) return s;
  return track_options_from(args, streams, options, zones);
}

TEST(TrackOptions, DefaultsAreByteTracksAndValuesAreChecked) {
  StreamTrackingOptions o;
  std::vector<ZoneConfig> zones;
  ASSERT_TRUE(parse_track_args({}, &o, &zones, 2).ok());
  EXPECT_EQ(o.tracker.high_threshold, TrackerOptions{}.high_threshold);
  EXPECT_EQ(o.tracker.track_buffer, 30);
  EXPECT_EQ(zones.size(), 2u);

  ASSERT_TRUE(parse_track_args({"--tracker", "bytetrack", "--track-high-thresh", "0.6", "--track-low-thresh", "0.2",
                                "--new-track-thresh", "0.7", "--match-iou", "0.3", "--track-buffer", "60"},
                               &o, &zones)
                  .ok());
  EXPECT_FLOAT_EQ(o.tracker.high_threshold, 0.6f);
  EXPECT_FLOAT_EQ(o.tracker.low_threshold, 0.2f);
  EXPECT_FLOAT_EQ(o.tracker.new_track_threshold, 0.7f);
  EXPECT_FLOAT_EQ(o.tracker.match_iou_threshold, 0.3f);
  EXPECT_EQ(o.tracker.track_buffer, 60);

  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{{{"--tracker", "sort"}, "--tracker"},
                                         {{"--track-high-thresh", "1.5"}, "--track-high-thresh"},
                                         {{"--match-iou", "x"}, "--match-iou"},
                                         {{"--track-buffer", "0"}, "--track-buffer"}}) {
    StreamTrackingOptions bad;
    const Status s = parse_track_args(c.args, &bad, &zones);
    EXPECT_FALSE(s.ok()) << c.args[0];
    EXPECT_NE(s.message().find(c.says), std::string::npos) << s.message();
  }
}

TEST(TrackOptions, ZonesFilesOneForAllOrOnePerStream) {
  const std::string dir = test::temp_dir("track_zones_files");
  test::write_bytes(dir + "/a.json", R"({"lines": [{"name": "door", "from": [0, 10], "to": [100, 10]}]})");
  test::write_bytes(dir + "/b.json", R"({"zones": [{"name": "z", "points": [[0, 0], [9, 0], [9, 9]]}]})");
  test::write_bytes(dir + "/bad.json", R"({"zones": [{"name": "z", "points": [[0, 0], [10, 0]]}]})");
  StreamTrackingOptions o;
  std::vector<ZoneConfig> zones;
  ASSERT_TRUE(parse_track_args({"--zones", dir + "/a.json"}, &o, &zones, 3).ok());
  ASSERT_EQ(zones.size(), 3u);
  for (const ZoneConfig& z : zones) {
    ASSERT_EQ(z.lines.size(), 1u);
    EXPECT_EQ(z.lines[0].name, "door");
  }
  ASSERT_TRUE(parse_track_args({"--zones", dir + "/a.json", "--zones", dir + "/b.json"}, &o, &zones, 2).ok());
  EXPECT_EQ(zones[0].lines.size(), 1u);
  EXPECT_EQ(zones[1].zones.size(), 1u);
  // Two files for three streams: which goes where would be a guess.
  Status s = parse_track_args({"--zones", dir + "/a.json", "--zones", dir + "/b.json"}, &o, &zones, 3);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--zones"), std::string::npos) << s.message();
  // Errors name the file.
  s = parse_track_args({"--zones", dir + "/bad.json"}, &o, &zones);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("zones file '" + dir + "/bad.json'"), std::string::npos) << s.message();
  s = parse_track_args({"--zones", dir + "/missing.json"}, &o, &zones);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("missing.json"), std::string::npos) << s.message();
  s = parse_track_args({"--zones", dir}, &o, &zones);  // a directory is refused without reading
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("zones file '" + dir + "'"), std::string::npos) << s.message();
}

TEST(TrackEventJson, FieldsByHand) {
  ZoneConfig zones;
  zones.zones = {{"porch", {{0, 0}, {10, 0}, {10, 10}}}, {"drive", {{0, 0}, {10, 0}, {0, 10}}}};
  TrackEvent e;
  e.type = EventType::kUpdate;
  e.changes = kChangeEnteredZone | kChangeScore;
  e.track_id = 3;
  e.class_id = 1;
  e.score = 0.912346f;  // to 5 decimals: 0.91235
  e.best_score = 0.95f;
  e.first_frame = 12;
  e.last_frame = 40;
  e.frame = 40;
  e.first_pts_ms = 480;
  e.box = {1.004f, 2.0f, 3.5f, 4.25f};
  e.zones = 0b10;
  e.entered = 0b10;
  e.ever_entered = 0b11;
  const auto j = track_event_json(e, 2, "cam.mp4", "square", zones);
  EXPECT_EQ(j.dump(),
            R"({"type":"update","stream":2,"source":"cam.mp4","track_id":3,"class_id":1,"label":"square",)"
            R"("score":0.91235,"best_score":0.95,"first_frame":12,"last_frame":40,"frame":40,"first_pts_ms":480,)"
            R"("last_pts_ms":null,"box":[1.0,2.0,3.5,4.25],"zones":["drive"],"entered_zones":["porch","drive"],)"
            R"("changes":["score","entered_zone"],"entered":["drive"],"left":[]})");
  // new and end events have no change fields.
  e.type = EventType::kEnd;
  const auto end = track_event_json(e, 0, "x", "square", zones);
  EXPECT_EQ(end["type"], "end");
  EXPECT_FALSE(end.contains("changes"));
  EXPECT_FALSE(end.contains("entered"));
}

TEST(TrackTrails, DrawsOnlyObjectsSeenNowAndStopsAllocatingOnceWarm) {
  cv::Mat img(200, 200, CV_8UC3, cv::Scalar(0, 0, 0));
  TrackTrails trails;
  auto tracked = [](int id, float x, float y) {
    Detection d;
    d.track_id = id;
    d.box = {x - 5, y - 5, x + 5, y + 5};
    return d;
  };
  // Track 1 moves right along y = 50; track 2 stands at (150, 150) and
  // leaves after frame 3; an untracked detection has no trail.
  std::vector<Detection> dets;
  dets.reserve(8);
  for (int k = 0; k < 10; ++k) {
    dets.clear();
    dets.push_back(tracked(1, 20.0f + 10 * k, 50));
    if (k < 3) dets.push_back(tracked(2, 150, 150.0f + k));
    dets.push_back(Detection{});
    trails.add(dets);
  }
  trails.draw(img);
  // Track 1's trail covers x = 20..110 on y = 50; track 2 is gone: nothing near it.
  EXPECT_NE(img.at<cv::Vec3b>(50, 60), cv::Vec3b(0, 0, 0));
  EXPECT_EQ(img.at<cv::Vec3b>(151, 150), cv::Vec3b(0, 0, 0));
  EXPECT_EQ(img.at<cv::Vec3b>(50, 150), cv::Vec3b(0, 0, 0));
  // Ids come and go; slots are reused: no allocation once the busiest frame was seen.
  for (int k = 0; k < 60; ++k) {
    dets.clear();
    for (int i = 0; i < 5; ++i) dets.push_back(tracked(100 + i + 5 * (k / 30), 10.0f + k, 20.0f * i));
    trails.add(dets);
  }
  test::AllocationCounter counter;
  for (int k = 60; k < 200; ++k) {
    dets.clear();
    for (int i = 0; i < 5; ++i) dets.push_back(tracked(100 + i + 5 * (k / 30), 10.0f + k % 100, 20.0f * i));
    trails.add(dets);
  }
  EXPECT_EQ(counter.count(), 0);
}

TEST(DrawZones, OutlinesZonesAndLabelsLinesWithTheirCounts) {
  cv::Mat img(200, 200, CV_8UC3, cv::Scalar(0, 0, 0));
  ZoneConfig zones;
  zones.zones = {{"z", {{20, 20}, {180, 20}, {180, 180}, {20, 180}}}};
  zones.lines = {{"door", {0, 100}, {200, 100}}};
  draw_zones(img, zones, {LineCount{2, 1}});
  EXPECT_NE(img.at<cv::Vec3b>(20, 100), cv::Vec3b(0, 0, 0));   // the zone's top edge
  EXPECT_NE(img.at<cv::Vec3b>(100, 60), cv::Vec3b(0, 0, 0));   // the line
  EXPECT_EQ(img.at<cv::Vec3b>(150, 100), cv::Vec3b(0, 0, 0));  // inside the zone: not filled
}

}  // namespace
}  // namespace rkyolo::cli
