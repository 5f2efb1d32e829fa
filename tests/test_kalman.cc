// The tracker's Kalman filter against hand-computed steps and against an
// independent numpy implementation (tests/reference/kalman_ref.py) on a long
// sequence with gaps.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_env.h"
#include "track/kalman.h"

namespace rkyolo::track {
namespace {

// Both sides compute in double; the difference is rounding in a different
// order of operations (Cholesky vs LU, K S K^T vs K H P), relative to scale.
constexpr double kRelativeTolerance = 1e-9;
constexpr double kHandTolerance = 1e-12;

TEST(Kalman, InitiateByHand) {
  const KalmanState s = KalmanFilter::initiate({100, 50, 0.5, 40});
  EXPECT_EQ(s.mean[0], 100);
  EXPECT_EQ(s.mean[3], 40);
  EXPECT_EQ(s.mean[4], 0);
  // 2 * (1/20) * 40 = 4 -> 16; 10 * (1/160) * 40 = 2.5 -> 6.25.
  EXPECT_NEAR(s.covariance[0 * 8 + 0], 16.0, kHandTolerance);
  EXPECT_NEAR(s.covariance[2 * 8 + 2], 1e-4, kHandTolerance);
  EXPECT_NEAR(s.covariance[4 * 8 + 4], 6.25, kHandTolerance);
  EXPECT_NEAR(s.covariance[6 * 8 + 6], 1e-10, kHandTolerance);
  EXPECT_EQ(s.covariance[0 * 8 + 4], 0);
}

TEST(Kalman, PredictAndUpdateByHand) {
  KalmanState s = KalmanFilter::initiate({100, 50, 0.5, 40});
  s.mean[4] = 3;  // moving right 3 px per frame
  KalmanFilter::predict(&s);
  EXPECT_NEAR(s.mean[0], 103, kHandTolerance);
  // P00 = 16 + 6.25 (velocity variance folded in) + (40/20)^2 = 26.25.
  EXPECT_NEAR(s.covariance[0 * 8 + 0], 26.25, kHandTolerance);
  // P04 = 6.25 (position-velocity covariance), P44 = 6.25 + (40/160)^2.
  EXPECT_NEAR(s.covariance[0 * 8 + 4], 6.25, kHandTolerance);
  EXPECT_NEAR(s.covariance[4 * 8 + 4], 6.3125, kHandTolerance);
  // Update with cx = 107: S00 = 26.25 + 4 = 30.25, gain 26.25 / 30.25.
  KalmanFilter::update(&s, {107, 50, 0.5, 40});
  EXPECT_NEAR(s.mean[0], 103 + 4 * 26.25 / 30.25, 1e-9);
  EXPECT_NEAR(s.mean[4], 3 + 4 * 6.25 / 30.25, 1e-9);
  EXPECT_NEAR(s.covariance[0 * 8 + 0], 26.25 - 26.25 * 26.25 / 30.25, 1e-9);
}

TEST(Kalman, MatchesTheNumpyReference) {
  if (test::python3().empty()) GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  const std::string dir = test::temp_dir("kalman_reference");
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 2.0);
  std::ostringstream ops;
  std::vector<KalmanState> ours;
  double cx = 200, cy = 120, a = 0.6, h = 80, vx = 4, vy = -1.5, vh = 0.3;
  KalmanState s = KalmanFilter::initiate({cx, cy, a, h});
  ops << "init " << cx << ' ' << cy << ' ' << a << ' ' << h << '\n';
  ours.push_back(s);
  for (int frame = 1; frame < 120; ++frame) {
    cx += vx;
    cy += vy;
    h += vh;
    if (frame == 60) vx = -6;  // a turn
    KalmanFilter::predict(&s);
    ops << "predict\n";
    ours.push_back(s);
    const bool occluded = (frame >= 30 && frame < 40) || frame % 17 == 0;
    if (occluded) continue;
    const Measurement z = {cx + noise(rng), cy + noise(rng), a + 0.01 * noise(rng), h + noise(rng)};
    ops.precision(17);
    ops << "update " << z[0] << ' ' << z[1] << ' ' << z[2] << ' ' << z[3] << '\n';
    KalmanFilter::update(&s, z);
    ours.push_back(s);
  }
  const std::string in = dir + "/ops.txt";
  test::write_bytes(in, ops.str());
  const test::CommandResult r =
      test::run_command({test::python3(), test::source_dir() + "/tests/reference/kalman_ref.py", in}, 60);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::size_t step = 0;
  while (std::getline(lines, line)) {
    ASSERT_LT(step, ours.size());
    std::istringstream values(line);
    for (int i = 0; i < 8 + 64; ++i) {
      double ref;
      ASSERT_TRUE(values >> ref);
      const double got = i < 8 ? ours[step].mean[i] : ours[step].covariance[i - 8];
      ASSERT_NEAR(got, ref, kRelativeTolerance * std::max(1.0, std::abs(ref))) << "step " << step << " value " << i;
    }
    ++step;
  }
  EXPECT_EQ(step, ours.size());
}

}  // namespace
}  // namespace rkyolo::track
