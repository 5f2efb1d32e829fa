// The tracker's Kalman filter, in plain loops on fixed-size arrays (F and H
// are never materialised: F = [I I; 0 I], H = [I 0]).
#include "track/kalman.h"

#include <cmath>

namespace rkyolo::track {
namespace {

constexpr int kDim = 8;
constexpr int kMeas = 4;
constexpr double kAspectPosStd = 1e-2;
constexpr double kAspectVelStd = 1e-5;
constexpr double kAspectMeasStd = 1e-1;

double& at(std::array<double, 64>& m, int r, int c) {
  return m[r * kDim + c];
}

double square(double x) {
  return x * x;
}

}  // namespace

KalmanState KalmanFilter::initiate(const Measurement& z) {
  KalmanState s;
  for (int i = 0; i < kMeas; ++i) s.mean[i] = z[i];
  const double h = z[3];
  const std::array<double, kDim> std_dev = {
      2 * kStdWeightPosition * h,  2 * kStdWeightPosition * h,  kAspectPosStd, 2 * kStdWeightPosition * h,
      10 * kStdWeightVelocity * h, 10 * kStdWeightVelocity * h, kAspectVelStd, 10 * kStdWeightVelocity * h};
  for (int i = 0; i < kDim; ++i) at(s.covariance, i, i) = square(std_dev[i]);
  return s;
}

void KalmanFilter::predict(KalmanState* state) {
  auto& x = state->mean;
  auto& p = state->covariance;
  const double h = x[3];
  const std::array<double, kDim> std_dev = {kStdWeightPosition * h, kStdWeightPosition * h, kAspectPosStd,
                                            kStdWeightPosition * h, kStdWeightVelocity * h, kStdWeightVelocity * h,
                                            kAspectVelStd,          kStdWeightVelocity * h};
  for (int i = 0; i < kMeas; ++i) x[i] += x[i + kMeas];
  // P' = F P F^T with F = [I I; 0 I]: first rows (P F^T), then columns.
  std::array<double, 64> fp;
  for (int r = 0; r < kDim; ++r)
    for (int c = 0; c < kDim; ++c) fp[r * kDim + c] = at(p, r, c) + (r < kMeas ? at(p, r + kMeas, c) : 0.0);
  for (int r = 0; r < kDim; ++r)
    for (int c = 0; c < kDim; ++c) at(p, r, c) = fp[r * kDim + c] + (c < kMeas ? fp[r * kDim + c + kMeas] : 0.0);
  for (int i = 0; i < kDim; ++i) at(p, i, i) += square(std_dev[i]);
}

void KalmanFilter::update(KalmanState* state, const Measurement& z) {
  auto& x = state->mean;
  auto& p = state->covariance;
  const double h = x[3];
  const std::array<double, kMeas> r_std = {kStdWeightPosition * h, kStdWeightPosition * h, kAspectMeasStd,
                                           kStdWeightPosition * h};
  // S = H P H^T + R (the top-left 4x4 block), Cholesky S = L L^T.
  std::array<double, 16> l{};
  std::array<double, 16> s{};
  for (int r = 0; r < kMeas; ++r)
    for (int c = 0; c < kMeas; ++c) s[r * kMeas + c] = at(p, r, c) + (r == c ? square(r_std[r]) : 0.0);
  for (int r = 0; r < kMeas; ++r)
    for (int c = 0; c <= r; ++c) {
      double sum = s[r * kMeas + c];
      for (int k = 0; k < c; ++k) sum -= l[r * kMeas + k] * l[c * kMeas + k];
      l[r * kMeas + c] = r == c ? std::sqrt(sum) : sum / l[c * kMeas + c];
    }
  // K^T = S^-1 (P H^T)^T = S^-1 H P: solve L L^T X = B with B = rows 0..3 of P (4x8).
  std::array<double, 32> k_t;
  for (int col = 0; col < kDim; ++col) {
    std::array<double, kMeas> y;
    for (int r = 0; r < kMeas; ++r) {
      double sum = at(p, r, col);
      for (int k = 0; k < r; ++k) sum -= l[r * kMeas + k] * y[k];
      y[r] = sum / l[r * kMeas + r];
    }
    for (int r = kMeas - 1; r >= 0; --r) {
      double sum = y[r];
      for (int k = r + 1; k < kMeas; ++k) sum -= l[k * kMeas + r] * k_t[k * kDim + col];
      k_t[r * kDim + col] = sum / l[r * kMeas + r];
    }
  }
  std::array<double, kMeas> innovation;
  for (int i = 0; i < kMeas; ++i) innovation[i] = z[i] - x[i];
  for (int i = 0; i < kDim; ++i)
    for (int k = 0; k < kMeas; ++k) x[i] += k_t[k * kDim + i] * innovation[k];
  // P -= K S K^T = K (H P) since S K^T = H P.
  std::array<double, 64> delta;
  for (int r = 0; r < kDim; ++r)
    for (int c = 0; c < kDim; ++c) {
      double sum = 0;
      for (int k = 0; k < kMeas; ++k) sum += k_t[k * kDim + r] * at(p, k, c);
      delta[r * kDim + c] = sum;
    }
  for (int i = 0; i < 64; ++i) p[i] -= delta[i];
}

}  // namespace rkyolo::track
