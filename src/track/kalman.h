// rkyolo: the constant-velocity Kalman filter of SORT / DeepSORT / ByteTrack.
#pragma once

#include <array>

namespace rkyolo::track {

// State (cx, cy, a, h, vcx, vcy, va, vh): box centre, aspect ratio w / h,
// height, and their velocities per frame. Measurement (cx, cy, a, h).
// Noise is relative to the height, with ByteTrack's weights (1/20 for
// positions, 1/160 for velocities; the aspect ratio gets fixed 1e-2 / 1e-5,
// and 1e-1 in the measurement noise).
struct KalmanState {
  std::array<double, 8> mean{};
  std::array<double, 64> covariance{};  // row-major 8x8
};

using Measurement = std::array<double, 4>;

class KalmanFilter {
 public:
  static constexpr double kStdWeightPosition = 1.0 / 20;
  static constexpr double kStdWeightVelocity = 1.0 / 160;

  // A new track from an unassociated measurement: zero velocity, large
  // velocity uncertainty.
  static KalmanState initiate(const Measurement& z);
  // One frame ahead: x = F x, P = F P F^T + Q.
  static void predict(KalmanState* state);
  // Measurement correction: K = P H^T S^-1 (S = H P H^T + R through a
  // Cholesky factorisation), x += K (z - H x), P -= K S K^T.
  static void update(KalmanState* state, const Measurement& z);
};

}  // namespace rkyolo::track
