// NMS cases from ONNX Runtime's list: identical boxes, flipped corners,
// empty input, max_det 0, per-class vs agnostic; and the optimized NMS
// against the per-class reference on random crowds.
#include <gtest/gtest.h>

#include <random>

#include "core/nms.h"

namespace rkyolo::core {
namespace {

Candidate cand(float x1, float y1, float x2, float y2, float score, int cls) {
  Candidate c;
  c.box = Box{x1, y1, x2, y2};
  c.score = score;
  c.class_id = cls;
  return c;
}

std::vector<int> run(std::vector<Candidate> c, NmsOptions o) {
  Nms nms;
  std::vector<int> keep;
  nms.run(c, o, &keep);
  std::vector<int> ref;
  nms_ref(c, o, &ref);
  EXPECT_EQ(keep, ref) << "optimized and reference NMS disagree";
  return keep;
}

TEST(Nms, IdenticalBoxesKeepTheFirstOfEqualScore) {
  std::vector<Candidate> c(10, cand(0, 0, 1, 1, 0.9f, 0));
  EXPECT_EQ(run(c, NmsOptions{0.5f, false, 300, 30000}), std::vector<int>{0});
}

TEST(Nms, FlippedCornersAreNormalized) {
  std::vector<Candidate> c = {cand(1, 1, 0, 0, 0.9f, 0), cand(0, 0.1f, 1, 1.1f, 0.8f, 0),
                              cand(1, 0.1f, 0, 1.1f, 0.7f, 0)};
  EXPECT_EQ(run(c, NmsOptions{0.5f, false, 300, 30000}), std::vector<int>{0});
}

TEST(Nms, EmptyInputAndMaxDetZero) {
  EXPECT_TRUE(run({}, NmsOptions{0.5f, false, 300, 30000}).empty());
  std::vector<Candidate> c = {cand(0, 0, 1, 1, 0.9f, 0)};
  EXPECT_TRUE(run(c, NmsOptions{0.5f, false, 0, 30000}).empty());
}

TEST(Nms, PerClassVersusAgnostic) {
  std::vector<Candidate> c = {cand(0, 0, 10, 10, 0.9f, 0), cand(0, 0, 10, 10, 0.8f, 1), cand(0, 0, 10, 9, 0.7f, 0)};
  EXPECT_EQ(run(c, NmsOptions{0.5f, false, 300, 30000}), (std::vector<int>{0, 1}));
  EXPECT_EQ(run(c, NmsOptions{0.5f, true, 300, 30000}), std::vector<int>{0});
}

TEST(Nms, ThresholdIsStrict) {
  // IoU exactly 0.5 is kept (suppression needs IoU > threshold).
  std::vector<Candidate> c = {cand(0, 0, 2, 1, 0.9f, 0), cand(1, 0, 3, 1, 0.8f, 0)};  // IoU 1/3
  EXPECT_EQ(run(c, NmsOptions{1.0f / 3.0f, false, 300, 30000}).size(), 2u);
  EXPECT_EQ(run(c, NmsOptions{0.3f, false, 300, 30000}).size(), 1u);
}

TEST(Nms, MaxDetAndCandidateCap) {
  std::vector<Candidate> c;
  for (int i = 0; i < 50; ++i) c.push_back(cand(i * 20.f, 0, i * 20.f + 10, 10, 0.5f + i * 0.001f, 0));
  const auto keep = run(c, NmsOptions{0.5f, false, 5, 30000});
  EXPECT_EQ(keep, (std::vector<int>{49, 48, 47, 46, 45}));
  EXPECT_EQ(run(c, NmsOptions{0.5f, false, 300, 3}).size(), 3u);  // only the top 3 considered
}

TEST(Nms, MatchesReferenceOnRandomCrowds) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> pos(0, 200), size(5, 60), score(0.1f, 1.0f);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<Candidate> c;
    const int n = 1 + static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) {
      const float x = pos(rng), y = pos(rng);
      c.push_back(cand(x, y, x + size(rng), y + size(rng), score(rng), static_cast<int>(rng() % 4)));
    }
    for (bool agnostic : {false, true})
      for (float iou : {0.3f, 0.45f, 0.7f}) run(c, NmsOptions{iou, agnostic, 100, 30000});
  }
}

}  // namespace
}  // namespace rkyolo::core
