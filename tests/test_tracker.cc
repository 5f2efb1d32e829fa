// ByteTrack behaviour: ids kept through short occlusions and lost after the
// buffer (scaled by frame rate), recovery from low-score boxes through the
// second association, confirmation, crossing objects, and no allocation per
// frame once warm.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "rkyolo/tracker.h"
#define RKYOLO_COUNTING_ALLOCATOR_COUNTER_ONLY
#include "support/counting_allocator.h"

namespace rkyolo {
namespace {

// Boxes the filter reports for a steadily moving object stay this close
// (pixels) to the truth once it has learnt the velocity.
constexpr float kSteadyBoxError = 2.0f;

Detection det(float cx, float cy, float w, float h, float score, int class_id = 0) {
  Detection d;
  d.class_id = class_id;
  d.score = score;
  d.box = {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
  return d;
}

std::unique_ptr<Tracker> make_tracker(TrackerOptions o = {}) {
  std::unique_ptr<Tracker> t;
  const Status s = Tracker::create(o, &t);
  EXPECT_TRUE(s.ok()) << s;
  return t;
}

const TrackedObject* find_by_detection(const TrackerFrame& f, int detection) {
  for (const auto& t : f.tracks)
    if (t.detection == detection) return &t;
  return nullptr;
}

TEST(Tracker, ValidateNamesTheParameter) {
  std::unique_ptr<Tracker> t;
  TrackerOptions o;
  o.high_threshold = 1.5f;
  Status s = Tracker::create(o, &t);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("high_threshold"), std::string::npos) << s;
  o = {};
  o.low_threshold = 0.7f;
  s = Tracker::create(o, &t);
  EXPECT_NE(s.message().find("must not exceed high_threshold"), std::string::npos) << s;
  o = {};
  o.frame_rate = 0;
  EXPECT_NE(Tracker::create(o, &t).message().find("frame_rate"), std::string::npos);
  o = {};
  o.track_buffer = -1;
  EXPECT_NE(Tracker::create(o, &t).message().find("track_buffer"), std::string::npos);
}

TEST(Tracker, BufferScalesWithFrameRate) {
  TrackerOptions o;
  o.track_buffer = 30;
  o.frame_rate = 30;
  EXPECT_EQ(make_tracker(o)->max_frames_lost(), 30);
  o.frame_rate = 15;
  EXPECT_EQ(make_tracker(o)->max_frames_lost(), 15);
  o.frame_rate = 25;
  EXPECT_EQ(make_tracker(o)->max_frames_lost(), 25);
  o.frame_rate = 60;
  o.track_buffer = 50;
  EXPECT_EQ(make_tracker(o)->max_frames_lost(), 100);
}

TEST(Tracker, SteadyObjectsKeepTheirIds) {
  auto tracker = make_tracker();
  TrackerFrame f;
  for (int k = 0; k < 60; ++k) {
    const std::vector<Detection> dets = {det(100 + 3 * k, 100, 40, 60, 0.9f), det(400, 100 + 2 * k, 50, 50, 0.8f),
                                         det(600 - 4 * k, 400, 30, 80, 0.7f)};
    tracker->update(dets, &f);
    EXPECT_EQ(f.frame, k + 1);
    ASSERT_EQ(f.tracks.size(), 3u) << "frame " << f.frame;
    for (int i = 0; i < 3; ++i) {
      const TrackedObject* t = find_by_detection(f, i);
      ASSERT_NE(t, nullptr);
      EXPECT_EQ(t->track_id, i + 1) << "frame confirmed tracks of the first frame at once";
      EXPECT_EQ(t->first_frame, 1);
      EXPECT_EQ(t->last_frame, k + 1);
      if (k > 10) {
        EXPECT_NEAR(t->box.x1, dets[i].box.x1, kSteadyBoxError);
        EXPECT_NEAR(t->box.y2, dets[i].box.y2, kSteadyBoxError);
      }
    }
    EXPECT_TRUE(f.removed.empty());
  }
}

TEST(Tracker, LaterTracksAreConfirmedOnTheirSecondFrame) {
  auto tracker = make_tracker();
  TrackerFrame f;
  tracker->update(std::vector<Detection>{}, &f);  // frame 1: nothing
  tracker->update(std::vector<Detection>{det(100, 100, 40, 40, 0.9f)}, &f);
  EXPECT_TRUE(f.tracks.empty()) << "born, not yet confirmed";
  tracker->update(std::vector<Detection>{det(102, 100, 40, 40, 0.9f)}, &f);
  ASSERT_EQ(f.tracks.size(), 1u);
  EXPECT_EQ(f.tracks[0].track_id, 1);
  EXPECT_EQ(f.tracks[0].first_frame, 2);
  // A one-frame blip is dropped without ever getting an id or an end.
  tracker->update(std::vector<Detection>{det(104, 100, 40, 40, 0.9f), det(400, 400, 40, 40, 0.9f)}, &f);
  tracker->update(std::vector<Detection>{det(106, 100, 40, 40, 0.9f)}, &f);
  ASSERT_EQ(f.tracks.size(), 1u);
  EXPECT_TRUE(f.removed.empty());
  tracker->update(std::vector<Detection>{det(108, 100, 40, 40, 0.9f), det(400, 400, 40, 40, 0.9f)}, &f);
  tracker->update(std::vector<Detection>{det(110, 100, 40, 40, 0.9f), det(400, 400, 40, 40, 0.9f)}, &f);
  ASSERT_EQ(f.tracks.size(), 2u);
  EXPECT_EQ(find_by_detection(f, 1)->track_id, 2) << "ids count confirmed tracks only";
}

TEST(Tracker, NewTracksNeedTheNewTrackThreshold) {
  auto tracker = make_tracker();  // high 0.5, new track 0.6
  TrackerFrame f;
  for (int k = 0; k < 5; ++k) {
    tracker->update(std::vector<Detection>{det(100, 100, 40, 40, 0.55f), det(300, 300, 40, 40, 0.3f)}, &f);
    EXPECT_TRUE(f.tracks.empty()) << "frame " << f.frame;
  }
}

// An object moving right at 5 px per frame, hidden for `gap` frames.
std::vector<int> ids_through_gap(int gap, double frame_rate, std::vector<TrackedObject>* removed) {
  TrackerOptions o;
  o.frame_rate = frame_rate;
  auto tracker = make_tracker(o);
  TrackerFrame f;
  std::vector<int> ids;
  for (int k = 0; k < 20 + gap + 10; ++k) {
    std::vector<Detection> dets;
    if (k < 20 || k >= 20 + gap) dets.push_back(det(50 + 5.0f * k, 200, 40, 40, 0.9f));
    tracker->update(dets, &f);
    for (const auto& t : f.tracks) ids.push_back(t.track_id);
    for (const auto& t : f.removed) removed->push_back(t);
  }
  return ids;
}

TEST(Tracker, OcclusionShorterThanTheBufferKeepsTheId) {
  std::vector<TrackedObject> removed;
  const std::vector<int> ids = ids_through_gap(25, 30, &removed);
  ASSERT_EQ(ids.size(), 30u);
  EXPECT_TRUE(std::all_of(ids.begin(), ids.end(), [](int id) { return id == 1; }));
  EXPECT_TRUE(removed.empty());
}

TEST(Tracker, OcclusionLongerThanTheBufferLosesTheId) {
  std::vector<TrackedObject> removed;
  const std::vector<int> ids = ids_through_gap(40, 30, &removed);
  ASSERT_EQ(ids.size(), 20u + 9u) << "the new track is confirmed on its second frame";
  EXPECT_EQ(ids.front(), 1);
  EXPECT_EQ(ids.back(), 2);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].track_id, 1);
  EXPECT_EQ(removed[0].last_frame, 20);
  EXPECT_EQ(removed[0].first_frame, 1);
}

TEST(Tracker, TheBufferFollowsTheFrameRate) {
  std::vector<TrackedObject> removed;
  // 25 frames at 15 fps is longer than 30 * 15 / 30 = 15 frames: lost.
  std::vector<int> ids = ids_through_gap(25, 15, &removed);
  EXPECT_EQ(ids.back(), 2);
  // 40 frames at 60 fps is shorter than 60 frames: kept.
  removed.clear();
  ids = ids_through_gap(40, 60, &removed);
  EXPECT_EQ(ids.back(), 1);
  EXPECT_TRUE(removed.empty());
}

TEST(Tracker, LowScoreDetectionsKeepATrackThroughTheSecondAssociation) {
  auto tracker = make_tracker();
  TrackerFrame f;
  for (int k = 0; k < 10; ++k) tracker->update(std::vector<Detection>{det(100 + 4 * k, 100, 40, 40, 0.9f, 3)}, &f);
  for (int k = 10; k < 25; ++k) {  // partly occluded: score 0.3, class flickers
    tracker->update(std::vector<Detection>{det(100 + 4 * k, 100, 40, 40, 0.3f, 5)}, &f);
    ASSERT_EQ(f.tracks.size(), 1u) << "frame " << f.frame;
    EXPECT_EQ(f.tracks[0].track_id, 1);
    EXPECT_FLOAT_EQ(f.tracks[0].score, 0.3f);
    EXPECT_FLOAT_EQ(f.tracks[0].best_score, 0.9f);
    EXPECT_EQ(f.tracks[0].class_id, 3) << "low-score boxes do not change the class";
  }
  tracker->update(std::vector<Detection>{det(200, 100, 40, 40, 0.8f, 5)}, &f);
  ASSERT_EQ(f.tracks.size(), 1u);
  EXPECT_EQ(f.tracks[0].track_id, 1);
  EXPECT_EQ(f.tracks[0].class_id, 5);
}

TEST(Tracker, LowScoreDetectionsNeedMoreOverlap) {
  // The second association uses plain IoU > 0.5: a low-score box shifted to
  // IoU 1/3 does not continue the track, which goes lost.
  auto tracker = make_tracker();
  TrackerFrame f;
  for (int k = 0; k < 5; ++k) tracker->update(std::vector<Detection>{det(100, 100, 40, 40, 0.9f)}, &f);
  tracker->update(std::vector<Detection>{det(120, 100, 40, 40, 0.3f)}, &f);  // IoU 20*40 / (2*1600-800) = 1/3
  EXPECT_TRUE(f.tracks.empty());
  tracker->update(std::vector<Detection>{det(100, 100, 40, 40, 0.9f)}, &f);
  ASSERT_EQ(f.tracks.size(), 1u);
  EXPECT_EQ(f.tracks[0].track_id, 1) << "a lost track comes back in the first association";
}

TEST(Tracker, CrossingObjectsKeepTheirIds) {
  auto tracker = make_tracker();
  TrackerFrame f;
  for (int k = 0; k < 60; ++k) {
    // A moves right, B moves left, 20 px apart vertically: their boxes overlap while crossing.
    const std::vector<Detection> dets = {det(100 + 6 * k, 200, 50, 50, 0.9f), det(460 - 6 * k, 220, 50, 50, 0.85f)};
    tracker->update(dets, &f);
    ASSERT_EQ(f.tracks.size(), 2u) << "frame " << f.frame;
    EXPECT_EQ(find_by_detection(f, 0)->track_id, 1) << "frame " << f.frame;
    EXPECT_EQ(find_by_detection(f, 1)->track_id, 2) << "frame " << f.frame;
  }
}

TEST(Tracker, FinishEndsEveryConfirmedTrack) {
  auto tracker = make_tracker();
  TrackerFrame f;
  tracker->update(std::vector<Detection>{det(100, 100, 40, 40, 0.9f), det(300, 100, 40, 40, 0.9f)}, &f);
  tracker->update(std::vector<Detection>{det(100, 100, 40, 40, 0.9f)}, &f);  // the second goes lost
  tracker->finish(&f);
  ASSERT_EQ(f.removed.size(), 2u);
  EXPECT_EQ(f.removed[0].last_frame, 2);
  EXPECT_EQ(f.removed[1].last_frame, 1);
  tracker->update(std::vector<Detection>{det(100, 100, 40, 40, 0.9f)}, &f);
  ASSERT_EQ(f.tracks.size(), 1u);
  EXPECT_EQ(f.frame, 1);
  EXPECT_EQ(f.tracks[0].track_id, 3) << "ids are never reused";
}

TEST(Tracker, DegenerateBoxesAreIgnored) {
  auto tracker = make_tracker();
  TrackerFrame f;
  Detection flat = det(100, 100, 40, 0, 0.9f);
  Detection nan = det(100, 100, 40, 40, 0.9f);
  nan.box.x1 = std::nanf("");
  tracker->update(std::vector<Detection>{flat, nan}, &f);
  EXPECT_TRUE(f.tracks.empty());
}

// Many objects moving at random constant velocities, some appearing and
// disappearing, with the tracker's and the frame's buffers reserved.
std::vector<Detection> moving_boxes(int n, int frame, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> pos(0, 1900), vel(-4, 4), size(20, 60), score(0.65f, 1.0f);
  std::vector<Detection> dets;
  dets.reserve(n);
  for (int i = 0; i < n; ++i) {
    const float x = pos(rng), y = pos(rng), vx = vel(rng), vy = vel(rng), w = size(rng), h = size(rng);
    const float s = score(rng);
    if ((i + frame / 7) % 11 == 0) continue;  // churn: objects leave and come back
    dets.push_back(det(x + vx * frame, y + vy * frame, w, h, s, i % 8));
  }
  return dets;
}

TEST(Tracker, NoAllocationPerFrameOnceWarm) {
  for (int n : {10, 100, 500}) {
    auto tracker = make_tracker();
    tracker->reserve(2 * n, n);
    TrackerFrame f;
    f.tracks.reserve(2 * n);
    f.removed.reserve(2 * n);
    std::vector<std::vector<Detection>> frames;
    for (int k = 0; k < 120; ++k) frames.push_back(moving_boxes(n, k, 42));
    for (int k = 0; k < 40; ++k) tracker->update(frames[k], &f);
    long allocations;
    {
      test::AllocationCounter counter;
      for (int k = 40; k < 120; ++k) tracker->update(frames[k], &f);
      allocations = counter.count();
    }
    EXPECT_EQ(allocations, 0) << n << " objects: allocations in 80 warm frames";
    EXPECT_GT(f.tracks.size(), static_cast<std::size_t>(n) / 2);
  }
}

}  // namespace
}  // namespace rkyolo
