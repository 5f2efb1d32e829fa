// The tracker's cost per frame for 10, 100 and 500 objects (synthetic boxes
// bouncing around a 1920x1080 frame, a fifth of them at low scores), and the
// assignment solver on sparse (IoU-like) and dense cost matrices, against a
// greedy matcher measured in the same run as the baseline.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "rkyolo/tracker.h"
#include "track/assignment.h"

namespace {

using namespace rkyolo;

constexpr int kFrames = 1000;  // a long loop: one jump back per kFrames

// Detections of kFrames frames: n objects moving at constant speed, bouncing
// off the borders, with a little box noise; every fifth object scores low
// (the second association), one in 50 frames is missed.
std::vector<std::vector<Detection>> moving_boxes(int n) {
  std::mt19937 rng(99);
  std::uniform_real_distribution<float> ux(0, 1880), uy(0, 1040), uv(-6, 6), us(16, 48), high(0.6f, 0.95f),
      low(0.15f, 0.45f);
  std::normal_distribution<float> noise(0, 0.8f);
  struct Obj {
    float x, y, vx, vy, w, h;
  };
  std::vector<Obj> objs(n);
  for (auto& o : objs) o = {ux(rng), uy(rng), uv(rng), uv(rng), us(rng), us(rng)};
  std::vector<std::vector<Detection>> frames(kFrames);
  for (int t = 0; t < kFrames; ++t) {
    for (int i = 0; i < n; ++i) {
      Obj& o = objs[i];
      o.x += o.vx;
      o.y += o.vy;
      if (o.x < 0 || o.x + o.w > 1920) o.vx = -o.vx;
      if (o.y < 0 || o.y + o.h > 1080) o.vy = -o.vy;
      if ((t + i) % 50 == 0) continue;
      Detection d;
      d.class_id = i % 8;
      d.score = i % 5 == 0 ? low(rng) : high(rng);
      d.box = {o.x + noise(rng), o.y + noise(rng), o.x + o.w + noise(rng), o.y + o.h + noise(rng)};
      frames[t].push_back(d);
    }
  }
  return frames;
}

void BM_TrackerUpdate(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto frames = moving_boxes(n);
  std::unique_ptr<Tracker> tracker;
  if (!Tracker::create(TrackerOptions{}, &tracker).ok()) return state.SkipWithError("create failed");
  tracker->reserve(2 * n, n);
  TrackerFrame out;
  out.tracks.reserve(2 * n);
  out.removed.reserve(2 * n);
  for (int t = 0; t < 30; ++t) tracker->update(frames[t], &out);  // warm: tracks exist, buffers grown
  int t = 30;
  for (auto _ : state) {
    tracker->update(frames[t], &out);
    benchmark::DoNotOptimize(out.tracks.data());
    if (++t == kFrames) t = 0;
  }
  state.counters["tracks"] = static_cast<double>(out.tracks.size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TrackerUpdate)->Arg(10)->Arg(100)->Arg(500)->Unit(benchmark::kMicrosecond);

// Cost matrices like the first association's: n tracks x n detections, each
// track overlapping its own detection and one or two neighbours.
std::vector<float> sparse_costs(int n) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> near(0.05f, 0.4f), other(0.5f, 0.9f);
  std::vector<float> c(static_cast<std::size_t>(n) * n, 1.0f);
  for (int i = 0; i < n; ++i) {
    c[static_cast<std::size_t>(i) * n + i] = near(rng);
    if (i + 1 < n && i % 3 == 0) c[static_cast<std::size_t>(i) * n + i + 1] = other(rng);
    if (i > 0 && i % 4 == 0) c[static_cast<std::size_t>(i) * n + i - 1] = other(rng);
  }
  return c;
}

std::vector<float> dense_costs(int n) {
  std::mt19937 rng(6);
  std::uniform_real_distribution<float> u(0.0f, 0.79f);
  std::vector<float> c(static_cast<std::size_t>(n) * n);
  for (float& v : c) v = u(rng);
  return c;
}

void run_solver(benchmark::State& state, const std::vector<float>& cost, int n) {
  track::AssignmentSolver solver;
  solver.reserve(n, n);
  std::vector<int> r2c, c2r;
  r2c.reserve(n);
  c2r.reserve(n);
  for (auto _ : state) {
    solver.solve(cost.data(), n, n, 0.8f, &r2c, &c2r);
    benchmark::DoNotOptimize(r2c.data());
  }
}

// Baseline: greedy, lowest cost first (sort all feasible pairs).
void run_greedy(benchmark::State& state, const std::vector<float>& cost, int n) {
  std::vector<int> pairs, r2c(n), c2r(n);
  pairs.reserve(static_cast<std::size_t>(n) * n);
  for (auto _ : state) {
    pairs.clear();
    for (int k = 0; k < n * n; ++k)
      if (cost[k] < 0.8f) pairs.push_back(k);
    std::sort(pairs.begin(), pairs.end(), [&](int a, int b) { return cost[a] < cost[b]; });
    std::fill(r2c.begin(), r2c.end(), -1);
    std::fill(c2r.begin(), c2r.end(), -1);
    for (int k : pairs) {
      const int r = k / n, c = k % n;
      if (r2c[r] < 0 && c2r[c] < 0) r2c[r] = c, c2r[c] = r;
    }
    benchmark::DoNotOptimize(r2c.data());
  }
}

void BM_AssignmentSparse(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  run_solver(state, sparse_costs(n), n);
}
void BM_GreedySparse(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  run_greedy(state, sparse_costs(n), n);
}
void BM_AssignmentDense(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  run_solver(state, dense_costs(n), n);
}
void BM_GreedyDense(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  run_greedy(state, dense_costs(n), n);
}
BENCHMARK(BM_AssignmentSparse)->Arg(10)->Arg(100)->Arg(500)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GreedySparse)->Arg(10)->Arg(100)->Arg(500)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AssignmentDense)->Arg(10)->Arg(100)->Arg(500)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GreedyDense)->Arg(10)->Arg(100)->Arg(500)->Unit(benchmark::kMicrosecond);

}  // namespace
