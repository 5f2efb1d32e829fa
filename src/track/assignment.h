// rkyolo: optimal assignment (rectangular, with a cost threshold) for the tracker.
#pragma once

#include <cstddef>
#include <vector>

namespace rkyolo::track {

// Solves the thresholded rectangular assignment problem ByteTrack solves with
// lap.lapjv(cost, extend_cost=True, cost_limit=threshold): among all partial
// matchings that use only pairs with cost < threshold, find one minimising
// the sum of (cost - threshold) over its pairs, i.e. every pair left
// unmatched costs threshold / 2 per side. Entries at or above the threshold
// (including +inf and NaN) are never matched.
//
// The feasible pairs are split into connected components first (IoU costs are
// sparse: a track overlaps few detections), and each component is solved by
// the shortest-augmenting-path method of Jonker and Volgenant (the Hungarian
// method with potentials), O(n^2 m) per component. Buffers are grow-only: no
// allocation once warm.
class AssignmentSolver {
 public:
  // cost: rows x cols, row-major. row_to_col / col_to_row receive the match
  // (-1 = unmatched), resized to rows / cols.
  void solve(const float* cost, int rows, int cols, float threshold, std::vector<int>* row_to_col,
             std::vector<int>* col_to_row);

  void reserve(int rows, int cols);

 private:
  void find_components(const float* cost, int rows, int cols, float threshold);
  void solve_component(const float* cost, int cols, float threshold, int first, int count_rows, int count_cols,
                       std::vector<int>* row_to_col, std::vector<int>* col_to_row);

  // Connected components of the feasible bipartite graph (union-find over
  // rows then cols: node r is row r, node rows + c is column c).
  std::vector<int> parent_;
  std::vector<int> component_rows_;  // row indices grouped by component
  std::vector<int> component_cols_;  // col indices grouped by component
  std::vector<int> row_start_, col_start_, counts_;
  std::vector<int> roots_;
  int components_ = 0;
  // Dense sub-problem: n rows x (m + n) columns (m real, n "unmatched" dummies).
  std::vector<double> sub_cost_, u_, v_, min_v_;
  std::vector<int> p_, way_;
  std::vector<unsigned char> used_;
};

// Reference: enumerates every partial matching (tests only; tiny sizes).
// Returns the optimal objective (sum of cost - threshold over matched pairs).
double assignment_brute_force(const float* cost, int rows, int cols, float threshold, std::vector<int>* row_to_col);

// Objective of a given matching; +inf if it uses an infeasible pair or is
// inconsistent.
double assignment_objective(const float* cost, int rows, int cols, float threshold, const std::vector<int>& row_to_col);

}  // namespace rkyolo::track
