// Zones, counting lines and per-object events, with hand-worked expectations
// (every coordinate below is chosen so the answer can be checked on paper).
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "rkyolo/stream_tracking.h"
#include "rkyolo/track_events.h"
#include "rkyolo/tracker.h"
#include "support/test_env.h"
#define RKYOLO_COUNTING_ALLOCATOR_COUNTER_ONLY
#include "support/counting_allocator.h"

namespace rkyolo {
namespace {

// A track whose box's bottom centre (the reference point) is (x, y).
TrackedObject at(int id, float x, float y, int frame, float best = 0.8f, int class_id = 0) {
  TrackedObject t;
  t.track_id = id;
  t.class_id = class_id;
  t.score = best;
  t.best_score = best;
  t.box = {x - 10, y - 30, x + 10, y};
  t.first_frame = 1;
  t.last_frame = frame;
  return t;
}

std::unique_ptr<TrackEvents> make_events(const ZoneConfig& config, EventOptions options = {}) {
  std::unique_ptr<TrackEvents> e;
  const Status s = TrackEvents::create(config, options, &e);
  EXPECT_TRUE(s.ok()) << s;
  return e;
}

TEST(Zones, ReferencePointIsTheBottomCentre) {
  const Point p = reference_point(Box{10, 20, 30, 60});
  EXPECT_EQ(p.x, 20);
  EXPECT_EQ(p.y, 60);
}

TEST(Zones, PointInPolygonByHand) {
  const std::vector<Point> square = {{0, 0}, {10, 0}, {10, 10}, {0, 10}};
  EXPECT_TRUE(point_in_polygon({5, 5}, square));
  EXPECT_FALSE(point_in_polygon({15, 5}, square));
  EXPECT_FALSE(point_in_polygon({-1, 5}, square));
  EXPECT_FALSE(point_in_polygon({5, 10.5f}, square));
  // An L: the notch (4..10, 4..10) is outside.
  const std::vector<Point> ell = {{0, 0}, {10, 0}, {10, 4}, {4, 4}, {4, 10}, {0, 10}};
  EXPECT_TRUE(point_in_polygon({2, 8}, ell));
  EXPECT_TRUE(point_in_polygon({8, 2}, ell));
  EXPECT_FALSE(point_in_polygon({8, 8}, ell));
  // Clockwise or counter-clockwise does not matter.
  const std::vector<Point> reversed = {{0, 10}, {10, 10}, {10, 0}, {0, 0}};
  EXPECT_TRUE(point_in_polygon({5, 5}, reversed));
  // A bow tie (self-crossing) by the even-odd rule: both lobes in, outside the waist out.
  const std::vector<Point> bow = {{0, 0}, {10, 10}, {10, 0}, {0, 10}};
  EXPECT_TRUE(point_in_polygon({2, 5}, bow));
  EXPECT_TRUE(point_in_polygon({8, 5}, bow));
  EXPECT_FALSE(point_in_polygon({5, 1}, bow));
}

TEST(Zones, LineSideOnTheImage) {
  // A horizontal line drawn left to right: below it (y larger) is its right.
  const CountLine line{"door", {0, 100}, {200, 100}};
  EXPECT_EQ(line_side(line, {50, 150}), 1);
  EXPECT_EQ(line_side(line, {50, 50}), -1);
  EXPECT_EQ(line_side(line, {50, 100}), 0);
  // Drawn top to bottom: the right of the walker heading down is the image's left.
  const CountLine down{"v", {100, 0}, {100, 200}};
  EXPECT_EQ(line_side(down, {50, 50}), 1);
  EXPECT_EQ(line_side(down, {150, 50}), -1);
}

TEST(Zones, LineCountsByHand) {
  // "door" runs from (100, 200) to (300, 200): "in" is moving down across it.
  ZoneConfig config;
  config.lines = {{"door", {100, 200}, {300, 200}}};
  auto events = make_events(config);
  std::vector<TrackEvent> out;
  // Per frame, the reference points of tracks 1..5:
  //   1: x=200 going down 150 -> 190 -> 250          : one in
  //   2: x=150 going up   260 -> 180                 : one out
  //   3: x=400 going down 150 -> 250 (past the end)  : nothing
  //   4: x=250 jitter 190 -> 210 -> 190 -> 210       : in, out, in
  //   5: x=280 190 -> 200 (on the line) -> 190 -> 200 -> 210 : touches twice, one in
  const float y1[] = {150, 190, 250, 250, 250};
  const float y2[] = {260, 180, 180, 180, 180};
  const float y3[] = {150, 250, 250, 250, 250};
  const float y4[] = {190, 210, 190, 210, 210};
  const float y5[] = {190, 200, 190, 200, 210};
  for (int k = 0; k < 5; ++k) {
    TrackerFrame f;
    f.frame = k + 1;
    f.tracks = {at(1, 200, y1[k], k + 1), at(2, 150, y2[k], k + 1), at(3, 400, y3[k], k + 1), at(4, 250, y4[k], k + 1),
                at(5, 280, y5[k], k + 1)};
    events->update(f, &out);
  }
  ASSERT_EQ(events->line_counts().size(), 1u);
  EXPECT_EQ(events->line_counts()[0].in, 1 + 0 + 0 + 2 + 1);
  EXPECT_EQ(events->line_counts()[0].out, 0 + 1 + 0 + 1 + 0);
}

TEST(Zones, CrossingALineAcrossSeveralFramesOfAbsence) {
  // A track lost above the line and found again below it still counts once:
  // the motion from its last point to the new one crosses the segment.
  ZoneConfig config;
  config.lines = {{"gate", {0, 100}, {200, 100}}};
  auto events = make_events(config);
  std::vector<TrackEvent> out;
  TrackerFrame f;
  f.frame = 1;
  f.tracks = {at(7, 100, 80, 1)};
  events->update(f, &out);
  f.frame = 2;
  f.tracks.clear();  // lost
  events->update(f, &out);
  f.frame = 6;
  f.tracks = {at(7, 120, 140, 6)};
  events->update(f, &out);
  EXPECT_EQ(events->line_counts()[0].in, 1);
  EXPECT_EQ(events->line_counts()[0].out, 0);
}

TEST(Zones, OccupancyPeakAndEntriesCountedByHand) {
  // Zone: y >= 300. Track 1 starts inside (an entry), leaves at frame 3 and
  // comes back at frame 5 (a second entry); track 2 appears outside at frame
  // 2 and enters at frame 4; both inside at frames 5 and 6, then track 1 ends.
  ZoneConfig config;
  config.zones = {{"yard", {{0, 300}, {640, 300}, {640, 640}, {0, 640}}}};
  auto events = make_events(config);
  std::vector<TrackEvent> out;
  const float y1[] = {350, 340, 250, 260, 320, 330};
  const float y2[] = {0, 100, 200, 310, 320, 330};
  const int now[] = {1, 1, 0, 1, 2, 2};
  for (int k = 0; k < 6; ++k) {
    TrackerFrame f;
    f.frame = k + 1;
    f.tracks = {at(1, 100, y1[k], k + 1)};
    if (k >= 1) f.tracks.push_back(at(2, 400, y2[k], k));
    events->update(f, &out);
    EXPECT_EQ(events->zone_counts()[0].now, now[k]) << "frame " << k + 1;
  }
  TrackerFrame f;
  f.frame = 7;
  f.tracks = {at(2, 400, 330, 6)};
  f.removed = {at(1, 100, 330, 6)};
  events->update(f, &out);
  const ZoneCount& yard = events->zone_counts()[0];
  EXPECT_EQ(yard.now, 1);
  EXPECT_EQ(yard.peak, 2);
  EXPECT_EQ(yard.entries, 3);  // track 1 twice, track 2 once
}

TEST(Zones, EventsOnEnteringAndLeavingAZone) {
  // "driveway": y >= 300 across the frame. A track walks down from y=250 to
  // 350 and back: new (outside), update entered at the first point inside,
  // nothing while inside, update left, end with the last box.
  ZoneConfig config;
  config.zones = {{"lawn", {{0, 0}, {100, 0}, {100, 100}, {0, 100}}},
                  {"driveway", {{0, 300}, {640, 300}, {640, 640}, {0, 640}}}};
  auto events = make_events(config);
  std::vector<TrackEvent> out;
  const float ys[] = {250, 290, 310, 350, 340, 290};
  std::vector<std::vector<TrackEvent>> all;
  for (int k = 0; k < 6; ++k) {
    TrackerFrame f;
    f.frame = k + 1;
    f.tracks = {at(1, 320, ys[k], k + 1)};
    events->update(f, &out);
    all.push_back(out);
    EXPECT_EQ(events->zone_counts()[1].now, ys[k] >= 300 ? 1 : 0) << "frame " << k + 1;
    EXPECT_EQ(events->zone_counts()[0].now, 0);
  }
  EXPECT_EQ(events->zone_counts()[1].peak, 1);
  EXPECT_EQ(events->zone_counts()[1].entries, 1);
  EXPECT_EQ(events->zone_counts()[0].peak, 0);
  EXPECT_EQ(events->zone_counts()[0].entries, 0);
  ASSERT_EQ(all[0].size(), 1u);
  EXPECT_EQ(all[0][0].type, EventType::kNew);
  EXPECT_EQ(all[0][0].zones, 0u);
  EXPECT_TRUE(all[1].empty());
  ASSERT_EQ(all[2].size(), 1u);
  EXPECT_EQ(all[2][0].type, EventType::kUpdate);
  EXPECT_EQ(all[2][0].changes, kChangeEnteredZone);
  EXPECT_EQ(all[2][0].entered, 2u);  // bit 1: driveway
  EXPECT_EQ(all[2][0].zones, 2u);
  EXPECT_TRUE(all[3].empty());
  EXPECT_TRUE(all[4].empty());
  ASSERT_EQ(all[5].size(), 1u);
  EXPECT_EQ(all[5][0].changes, kChangeLeftZone);
  EXPECT_EQ(all[5][0].left, 2u);
  EXPECT_EQ(all[5][0].zones, 0u);
  EXPECT_EQ(all[5][0].ever_entered, 2u);
  // Removed: end, carrying the zones of its last frame.
  TrackerFrame f;
  f.frame = 40;
  f.removed = {at(1, 320, 290, 6)};
  events->update(f, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, EventType::kEnd);
  EXPECT_EQ(out[0].frame, 40);
  EXPECT_EQ(out[0].last_frame, 6);
  EXPECT_EQ(out[0].ever_entered, 2u);
  EXPECT_EQ(out[0].box.y2, 290);
  // An id that was never reported gets no end.
  f.removed = {at(99, 0, 0, 1)};
  events->update(f, &out);
  EXPECT_TRUE(out.empty());
}

TEST(Zones, NewInsideAZoneSaysSo) {
  ZoneConfig config;
  config.zones = {{"all", {{0, 0}, {640, 0}, {640, 640}, {0, 640}}}};
  auto events = make_events(config);
  std::vector<TrackEvent> out;
  TrackerFrame f;
  f.frame = 1;
  f.tracks = {at(3, 100, 100, 1)};
  events->update(f, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, EventType::kNew);
  EXPECT_EQ(out[0].zones, 1u);
  EXPECT_EQ(out[0].entered, 1u);
}

TEST(Zones, UpdatesForClassAndForAClearlyBetterScore) {
  auto events = make_events(ZoneConfig{});  // step 0.05
  std::vector<TrackEvent> out;
  // best score: 0.60 new, 0.62 (< 0.65: quiet), 0.66 (update), 0.68 (quiet),
  // then the class changes (update), then both at once.
  const float best[] = {0.60f, 0.62f, 0.66f, 0.68f, 0.68f, 0.75f};
  const int cls[] = {2, 2, 2, 2, 4, 5};
  std::vector<unsigned> changes;
  for (int k = 0; k < 6; ++k) {
    TrackerFrame f;
    f.frame = k + 1;
    f.tracks = {at(1, 50, 50, k + 1, best[k], cls[k])};
    events->update(f, &out);
    changes.push_back(out.empty() ? 0u : out[0].changes);
    if (k > 0 && !out.empty()) EXPECT_EQ(out[0].type, EventType::kUpdate);
  }
  EXPECT_EQ(changes, (std::vector<unsigned>{0, 0, kChangeScore, 0, kChangeClass, kChangeScore | kChangeClass}));
}

TEST(Zones, TrackerToEventsEndToEnd) {
  // The real tracker: one object walks through a zone and disappears.
  ZoneConfig config;
  config.zones = {{"middle", {{200, 0}, {400, 0}, {400, 480}, {200, 480}}}};
  auto events = make_events(config);
  std::unique_ptr<Tracker> tracker;
  ASSERT_TRUE(Tracker::create(TrackerOptions{}, &tracker).ok());
  TrackerFrame f;
  std::vector<TrackEvent> out;
  std::vector<EventType> types;
  std::vector<unsigned> why;
  for (int k = 0; k < 100; ++k) {
    std::vector<Detection> dets;
    if (k < 60) {
      Detection d;
      d.score = 0.9f;
      d.box = {100.0f + 6 * k, 100, 140.0f + 6 * k, 140};  // bottom centre x = 120 + 6k
      dets.push_back(d);
    }
    tracker->update(dets, &f);
    events->update(f, &out);
    for (const auto& e : out) {
      types.push_back(e.type);
      why.push_back(e.changes);
    }
  }
  // x = 120 + 6k enters [200, 400] at k = 14 and leaves at k = 47; gone after
  // k = 59, removed 31 frames later (frame 91).
  ASSERT_EQ(types.size(), 4u);
  EXPECT_EQ(types[0], EventType::kNew);
  EXPECT_EQ(types[1], EventType::kUpdate);
  EXPECT_EQ(why[1], kChangeEnteredZone);
  EXPECT_EQ(types[2], EventType::kUpdate);
  EXPECT_EQ(why[2], kChangeLeftZone);
  EXPECT_EQ(types[3], EventType::kEnd);
}

TEST(Zones, NoAllocationPerFrameOnceWarm) {
  ZoneConfig config;
  config.zones = {{"a", {{0, 0}, {500, 0}, {500, 500}, {0, 500}}}};
  config.lines = {{"l", {0, 250}, {1000, 250}}};
  auto events = make_events(config);
  events->reserve(64);
  std::vector<TrackEvent> out;
  out.reserve(256);
  TrackerFrame f;
  f.tracks.reserve(64);
  auto frame = [&](int k) {
    f.frame = k;
    f.tracks.clear();
    for (int i = 1; i <= 50; ++i) f.tracks.push_back(at(i, 10.0f * i, 5.0f * k, k, 0.5f + 0.004f * k));
    events->update(f, &out);
  };
  for (int k = 1; k <= 5; ++k) frame(k);
  test::AllocationCounter counter;
  for (int k = 6; k <= 100; ++k) frame(k);
  EXPECT_EQ(counter.count(), 0);
  EXPECT_GT(events->line_counts()[0].in, 0);
}

TEST(ZonesFile, ParsesZonesAndLines) {
  const char* text = R"({
    "zones": [
      {"name": "driveway", "points": [[0, 400], [640, 400], [640, 640], [0, 640.5]]},
      {"name": "porch", "points": [[10, 10], [20, 10], [15, 20]]}
    ],
    "lines": [{"name": "door", "from": [320, 0], "to": [320, 640]}]
  })";
  ZoneConfig c;
  const Status s = parse_zones_json(text, &c);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(c.zones.size(), 2u);
  EXPECT_EQ(c.zones[0].name, "driveway");
  ASSERT_EQ(c.zones[0].polygon.size(), 4u);
  EXPECT_FLOAT_EQ(c.zones[0].polygon[3].y, 640.5f);
  EXPECT_EQ(c.zones[1].polygon.size(), 3u);
  ASSERT_EQ(c.lines.size(), 1u);
  EXPECT_EQ(c.lines[0].name, "door");
  EXPECT_EQ(c.lines[0].to.y, 640);
  ZoneConfig empty;
  EXPECT_TRUE(parse_zones_json("{}", &empty).ok());
}

TEST(ZonesFile, ErrorsSayWhatAndWhere) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "unexpected end of the file at line 1, column 1"},
      {"[]", "a zones file is a JSON object"},
      {"{\"zone\": []}", "unknown key \"zone\""},
      {"{\"zones\": [{\"name\": \"a\", \"points\": [[0, 0], [1, 1]]}]}", "zone 0 ('a') needs at least 3 points, not 2"},
      {"{\"zones\": [{\"name\": \"a\"}]}", "zone 0 has no \"points\""},
      {"{\"zones\": [{\"name\": \"a\", \"points\": [[0, 0], [1, 1], [0]]}]}", "zone 0 point 2 must be a point [x, y]"},
      {"{\"zones\": [{\"name\": \"a\", \"points\": [[0,0],[1,0],[1,1]], \"colour\": 1}]}", "unknown key \"colour\""},
      {"{\"lines\": [{\"name\": \"l\", \"from\": [5, 5], \"to\": [5, 5]}]}", "line 0 ('l') has the same two ends"},
      {"{\"lines\": [{\"name\": \"l\", \"from\": [5, 5]}]}", "line 0 needs both \"from\" and \"to\""},
      {"{\"lines\": [{\"name\": \"l\", \"from\": [0,0], \"to\": [1,1]}, {\"name\": \"l\", \"from\": [0,0], \"to\": "
       "[1,2]}]}",
       "line 1 ('l'): the name is used twice"},
      {"{\"zones\": [\n  {\"name\": \"a\" \"points\": []}]}", "expected ',' or '}' at line 2, column 16"},
      {"{\"zones\": [{\"name\": \"a\", \"points\": [[0, 1e], [1,0], [1,1]]}]}", "bad number '1e'"},
  };
  for (const Case& c : cases) {
    ZoneConfig out;
    const Status s = parse_zones_json(c.text, &out);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << c.text << "\n -> " << s;
  }
}

TEST(ZonesFile, LoadNamesTheFile) {
  ZoneConfig out;
  Status s = load_zones_file("/nonexistent/zones.json", &out);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("/nonexistent/zones.json"), std::string::npos);
  const std::string dir = test::temp_dir("zones_file");
  test::write_bytes(dir + "/z.json", "{\"zones\": 3}");
  s = load_zones_file(dir + "/z.json", &out);
  EXPECT_NE(s.message().find("z.json': \"zones\" must be an array"), std::string::npos) << s;
  test::write_bytes(dir + "/ok.json", "{\"lines\": [{\"name\": \"x\", \"from\": [0, 0], \"to\": [0, 9]}]}");
  EXPECT_TRUE(load_zones_file(dir + "/ok.json", &out).ok());
  EXPECT_EQ(out.lines.size(), 1u);
}

TEST(ZonesFile, TooManyZones) {
  ZoneConfig c;
  for (int i = 0; i <= kMaxZones; ++i) c.zones.push_back({"z" + std::to_string(i), {{0, 0}, {1, 0}, {1, 1}}});
  std::unique_ptr<TrackEvents> e;
  const Status s = TrackEvents::create(c, {}, &e);
  EXPECT_NE(s.message().find("too many zones: 65 (at most 64)"), std::string::npos) << s;
}

}  // namespace
}  // namespace rkyolo

namespace rkyolo {
namespace {

// A detection of a w x h box whose bottom centre is (x, y).
Detection detection_at(float x, float y, float score, float w = 40, float h = 40) {
  Detection d;
  d.score = score;
  d.box = {x - w / 2, y - h, x + w / 2, y};
  return d;
}

std::unique_ptr<StreamTracking> make_stream_tracking(const ZoneConfig& zones) {
  StreamTrackingOptions o;
  o.zones = zones;
  std::unique_ptr<StreamTracking> t;
  const Status s = StreamTracking::create(o, &t);
  EXPECT_TRUE(s.ok()) << s;
  return t;
}

TEST(StreamTracking, AssignsIdsKeepsTrackedDetectionsAndCountsTheLine) {
  // A walks down from y = 100 by 5 px a frame for 60 frames (crossing the
  // horizontal line y = 250 left to right between frames 30 and 31: "in");
  // B stands still at (400, 300). A stray low-score box (0.2) appears at a
  // new place every frame: never a track, so never in the output.
  ZoneConfig zones;
  zones.lines = {{"door", {0, 250}, {600, 250}}};
  auto tracking = make_stream_tracking(zones);
  int news = 0, ends = 0;
  std::vector<int> a_ids, b_ids;
  for (int k = 0; k < 60; ++k) {
    DetectionResult r;
    // Frames as the stream numbers them (from 100, 40 ms apart): the events use these.
    r.tag.frame = 100 + k;
    r.tag.pts_ms = 40 * k;
    r.detections = {detection_at(100, 100.0f + 5 * k, 0.9f), detection_at(400, 300, 0.8f),
                    detection_at(30.0f + 9 * k, 450, 0.2f, 10, 10)};
    tracking->process(&r);
    for (const Detection& d : r.detections) {
      ASSERT_GE(d.track_id, 1) << d;
      (d.box.x1 < 250 ? a_ids : b_ids).push_back(d.track_id);
    }
    for (const TrackEvent& e : tracking->events()) {
      EXPECT_NE(e.type, EventType::kEnd) << e;
      if (e.type != EventType::kNew) continue;
      ++news;
      EXPECT_EQ(e.frame, 100) << e;
      EXPECT_EQ(e.first_frame, 100) << e;
      EXPECT_EQ(e.first_pts_ms, 0) << e;
    }
  }
  tracking->finish();
  for (const TrackEvent& e : tracking->events()) {
    ASSERT_EQ(e.type, EventType::kEnd) << e;
    ++ends;
    EXPECT_EQ(e.first_frame, 100) << e;
    EXPECT_EQ(e.last_frame, 159) << e;
    EXPECT_EQ(e.frame, 159) << e;
    EXPECT_EQ(e.last_pts_ms, 40 * 59) << e;
  }
  // Frame 1 confirms both at once (ByteTrack activates the first frame's tracks).
  EXPECT_EQ(a_ids.size(), 60u);
  EXPECT_EQ(b_ids.size(), 60u);
  EXPECT_EQ(std::count(a_ids.begin(), a_ids.end(), a_ids[0]), 60);
  EXPECT_EQ(std::count(b_ids.begin(), b_ids.end(), b_ids[0]), 60);
  EXPECT_NE(a_ids[0], b_ids[0]);
  EXPECT_EQ(tracking->tracks_confirmed(), 2);
  EXPECT_EQ(news, 2);
  EXPECT_EQ(ends, 2);
  ASSERT_EQ(tracking->line_counts().size(), 1u);
  EXPECT_EQ(tracking->line_counts()[0].in, 1);
  EXPECT_EQ(tracking->line_counts()[0].out, 0);
}

TEST(StreamTracking, NoAllocationPerFrameOnceWarm) {
  ZoneConfig zones;
  zones.zones = {{"left", {{0, 0}, {320, 0}, {320, 480}, {0, 480}}}};
  auto tracking = make_stream_tracking(zones);
  DetectionResult r;
  r.detections.reserve(64);
  auto frame = [&](int k) {
    r.detections.clear();
    for (int i = 0; i < 40; ++i)
      r.detections.push_back(detection_at(20.0f + 15 * i + k, 60.0f + 8 * (i % 5), 0.9f, 12, 30));
    tracking->process(&r);
  };
  for (int k = 0; k < 10; ++k) frame(k);
  test::AllocationCounter counter;
  for (int k = 10; k < 100; ++k) frame(k);
  EXPECT_EQ(counter.count(), 0);
  EXPECT_EQ(r.detections.size(), 40u);
}

}  // namespace
}  // namespace rkyolo
