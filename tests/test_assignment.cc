// The tracker's assignment solver against brute-force enumeration of every
// partial matching, on many random small rectangular matrices with
// infeasible entries, plus hand-made cases.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "track/assignment.h"

namespace rkyolo::track {
namespace {

// Objectives are sums of a few floats: agreement to well below any cost step.
constexpr double kObjectiveTolerance = 1e-5;
constexpr float kInf = std::numeric_limits<float>::infinity();

struct Solved {
  std::vector<int> row_to_col, col_to_row;
};

Solved solve(const std::vector<float>& cost, int rows, int cols, float threshold) {
  AssignmentSolver solver;
  Solved s;
  solver.solve(cost.data(), rows, cols, threshold, &s.row_to_col, &s.col_to_row);
  return s;
}

TEST(Assignment, EmptyMatrices) {
  for (auto [r, c] : {std::pair{0, 0}, std::pair{0, 3}, std::pair{3, 0}}) {
    const Solved s = solve({}, r, c, 0.8f);
    EXPECT_EQ(s.row_to_col, std::vector<int>(r, -1));
    EXPECT_EQ(s.col_to_row, std::vector<int>(c, -1));
  }
}

TEST(Assignment, PrefersTheOptimumOverTheGreedyChoice) {
  // Greedy takes (0,0) = 0.1 and leaves row 1 with 0.7: total 0.8.
  // Optimal is (0,1) + (1,0) = 0.2 + 0.2 = 0.4.
  const std::vector<float> cost = {0.1f, 0.2f,  //
                                   0.2f, 0.7f};
  const Solved s = solve(cost, 2, 2, 0.8f);
  EXPECT_EQ(s.row_to_col, (std::vector<int>{1, 0}));
  EXPECT_EQ(s.col_to_row, (std::vector<int>{1, 0}));
}

TEST(Assignment, ThresholdLeavesPairsUnmatched) {
  // 0.9 >= 0.8: never matched even though it is the only option for row 1.
  const std::vector<float> cost = {0.3f, kInf,  //
                                   0.9f, kInf};
  const Solved s = solve(cost, 2, 2, 0.8f);
  EXPECT_EQ(s.row_to_col, (std::vector<int>{0, -1}));
  EXPECT_EQ(s.col_to_row, (std::vector<int>{0, -1}));
}

TEST(Assignment, UnmatchedPairsCostTheThreshold) {
  // Matching (0,0)+(1,1) costs 0.7+0.7 = 1.4 - 2*0.8 = -0.2; matching only
  // (0,1) costs 0.05 - 0.8 = -0.75: better, as lapjv with cost_limit finds.
  const std::vector<float> cost = {0.7f, 0.05f,  //
                                   kInf, 0.7f};
  const Solved s = solve(cost, 2, 2, 0.8f);
  EXPECT_EQ(s.row_to_col, (std::vector<int>{1, -1}));
}

TEST(Assignment, NanIsInfeasible) {
  const std::vector<float> cost = {std::nanf(""), 0.5f};
  const Solved s = solve(cost, 1, 2, 0.8f);
  EXPECT_EQ(s.row_to_col, (std::vector<int>{1}));
}

TEST(Assignment, MatchesBruteForceOnRandomRectangularMatrices) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> size(1, 6);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  AssignmentSolver solver;  // reused: exercises the grow-only buffers
  int cases = 0, nontrivial = 0;
  for (int t = 0; t < 3000; ++t) {
    const int rows = size(rng), cols = size(rng);
    const float threshold = t % 3 == 0 ? 0.5f : 0.8f;
    const float p_infeasible = (t % 4) * 0.25f;
    std::vector<float> cost(static_cast<std::size_t>(rows) * cols);
    for (float& c : cost) {
      const float roll = unit(rng);
      // Coarse values on some matrices create ties.
      c = t % 5 == 0 ? std::round(unit(rng) * 4) / 4 : unit(rng);
      if (roll < p_infeasible) c = roll < p_infeasible / 2 ? kInf : 1.0f + unit(rng);
    }
    std::vector<int> row_to_col, col_to_row, ref_match;
    solver.solve(cost.data(), rows, cols, threshold, &row_to_col, &col_to_row);
    const double ref = assignment_brute_force(cost.data(), rows, cols, threshold, &ref_match);
    const double got = assignment_objective(cost.data(), rows, cols, threshold, row_to_col);
    ASSERT_NEAR(got, ref, kObjectiveTolerance) << "case " << t << " (" << rows << "x" << cols << ")";
    ASSERT_EQ(col_to_row.size(), static_cast<std::size_t>(cols));
    for (int c = 0; c < cols; ++c)
      if (col_to_row[c] >= 0) ASSERT_EQ(row_to_col[col_to_row[c]], c) << "case " << t;
    for (int r = 0; r < rows; ++r)
      if (row_to_col[r] >= 0) ASSERT_EQ(col_to_row[row_to_col[r]], r) << "case " << t;
    ++cases;
    if (ref < -1e-9) ++nontrivial;
  }
  EXPECT_EQ(cases, 3000);
  EXPECT_GT(nontrivial, 2000) << "most cases should match something";
}

TEST(Assignment, LargeSparseMatrixMatchesItsDiagonal) {
  // 500 tracks, 500 detections, each overlapping only its own and a neighbour:
  // the components keep this fast and the optimum is the diagonal.
  const int n = 500;
  std::vector<float> cost(static_cast<std::size_t>(n) * n, 1.0f);
  for (int i = 0; i < n; ++i) {
    cost[static_cast<std::size_t>(i) * n + i] = 0.1f;
    if (i + 1 < n) cost[static_cast<std::size_t>(i) * n + i + 1] = 0.6f;
  }
  const Solved s = solve(cost, n, n, 0.8f);
  for (int i = 0; i < n; ++i) ASSERT_EQ(s.row_to_col[i], i);
}

}  // namespace
}  // namespace rkyolo::track
