// Thresholded rectangular assignment: components, then Jonker-Volgenant
// shortest augmenting paths on each.
#include "track/assignment.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rkyolo::track {
namespace {

// Cost of a pair that may not be matched inside a dense sub-problem. Any
// positive value works (a free "unmatched" column always costs 0, so such a
// pair is never optimal); a large one keeps that obvious.
constexpr double kInfeasibleCost = 1e6;

bool feasible(float cost, float threshold) {
  return cost < threshold;
}  // false for NaN

int find_root(std::vector<int>& parent, int x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

}  // namespace

void AssignmentSolver::reserve(int rows, int cols) {
  const std::size_t n = static_cast<std::size_t>(rows + cols);
  parent_.reserve(n);
  component_rows_.reserve(rows);
  component_cols_.reserve(cols);
  row_start_.reserve(n + 1);
  col_start_.reserve(n + 1);
  counts_.reserve(n + 1);
  roots_.reserve(n);
  sub_cost_.reserve(static_cast<std::size_t>(rows) * n);
  u_.reserve(n + 1);
  v_.reserve(n + 1);
  min_v_.reserve(n + 1);
  p_.reserve(n + 1);
  way_.reserve(n + 1);
  used_.reserve(n + 1);
}

void AssignmentSolver::find_components(const float* cost, int rows, int cols, float threshold) {
  const int nodes = rows + cols;
  parent_.resize(nodes);
  for (int i = 0; i < nodes; ++i) parent_[i] = i;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      if (feasible(cost[static_cast<std::size_t>(r) * cols + c], threshold)) {
        const int a = find_root(parent_, r), b = find_root(parent_, rows + c);
        if (a != b) parent_[std::max(a, b)] = std::min(a, b);
      }
  // Number the components by their root, then bucket rows and cols (stable).
  roots_.assign(nodes, -1);
  int components = 0;
  for (int i = 0; i < nodes; ++i) {
    const int root = find_root(parent_, i);
    if (roots_[root] < 0) roots_[root] = components++;
    parent_[i] = root;
  }
  counts_.assign(components + 1, 0);
  for (int r = 0; r < rows; ++r) ++counts_[roots_[parent_[r]] + 1];
  row_start_.assign(counts_.begin(), counts_.end());
  for (int k = 0; k < components; ++k) row_start_[k + 1] += row_start_[k];
  counts_.assign(components + 1, 0);
  for (int c = 0; c < cols; ++c) ++counts_[roots_[parent_[rows + c]] + 1];
  col_start_.assign(counts_.begin(), counts_.end());
  for (int k = 0; k < components; ++k) col_start_[k + 1] += col_start_[k];
  component_rows_.resize(rows);
  component_cols_.resize(cols);
  counts_.assign(components, 0);
  for (int r = 0; r < rows; ++r) {
    const int k = roots_[parent_[r]];
    component_rows_[row_start_[k] + counts_[k]++] = r;
  }
  counts_.assign(components, 0);
  for (int c = 0; c < cols; ++c) {
    const int k = roots_[parent_[rows + c]];
    component_cols_[col_start_[k] + counts_[k]++] = c;
  }
  components_ = components;
}

void AssignmentSolver::solve(const float* cost, int rows, int cols, float threshold, std::vector<int>* row_to_col,
                             std::vector<int>* col_to_row) {
  row_to_col->assign(std::max(rows, 0), -1);
  col_to_row->assign(std::max(cols, 0), -1);
  if (rows <= 0 || cols <= 0) return;
  find_components(cost, rows, cols, threshold);
  for (int k = 0; k < components_; ++k) {
    const int nr = row_start_[k + 1] - row_start_[k];
    const int nc = col_start_[k + 1] - col_start_[k];
    if (nr == 0 || nc == 0) continue;  // a lone row or column: nothing feasible
    solve_component(cost, cols, threshold, k, nr, nc, row_to_col, col_to_row);
  }
}

// Hungarian method with potentials (shortest augmenting paths), 1-based, on
// n rows x (m + n) columns: m real columns with cost - threshold, n dummy
// columns with cost 0 meaning "this row stays unmatched".
void AssignmentSolver::solve_component(const float* cost, int cols, float threshold, int k, int n, int m,
                                       std::vector<int>* row_to_col, std::vector<int>* col_to_row) {
  const int* rows_of = component_rows_.data() + row_start_[k];
  const int* cols_of = component_cols_.data() + col_start_[k];
  const int width = m + n;
  sub_cost_.resize(static_cast<std::size_t>(n) * width);
  for (int i = 0; i < n; ++i) {
    double* out = sub_cost_.data() + static_cast<std::size_t>(i) * width;
    const float* in = cost + static_cast<std::size_t>(rows_of[i]) * cols;
    for (int j = 0; j < m; ++j) {
      const float c = in[cols_of[j]];
      out[j] = feasible(c, threshold) ? static_cast<double>(c) - threshold : kInfeasibleCost;
    }
    std::fill(out + m, out + width, 0.0);
  }
  constexpr double kInf = std::numeric_limits<double>::infinity();
  u_.assign(n + 1, 0.0);
  v_.assign(width + 1, 0.0);
  p_.assign(width + 1, 0);
  way_.assign(width + 1, 0);
  for (int i = 1; i <= n; ++i) {
    p_[0] = i;
    int j0 = 0;
    min_v_.assign(width + 1, kInf);
    used_.assign(width + 1, 0);
    do {
      used_[j0] = 1;
      const int i0 = p_[j0];
      const double* a = sub_cost_.data() + static_cast<std::size_t>(i0 - 1) * width;
      double delta = kInf;
      int j1 = 0;
      for (int j = 1; j <= width; ++j) {
        if (used_[j]) continue;
        const double cur = a[j - 1] - u_[i0] - v_[j];
        if (cur < min_v_[j]) {
          min_v_[j] = cur;
          way_[j] = j0;
        }
        if (min_v_[j] < delta) {
          delta = min_v_[j];
          j1 = j;
        }
      }
      for (int j = 0; j <= width; ++j) {
        if (used_[j]) {
          u_[p_[j]] += delta;
          v_[j] -= delta;
        } else {
          min_v_[j] -= delta;
        }
      }
      j0 = j1;
    } while (p_[j0] != 0);
    do {
      const int j1 = way_[j0];
      p_[j0] = p_[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  for (int j = 1; j <= m; ++j) {
    const int i = p_[j];
    if (i == 0) continue;
    const int r = rows_of[i - 1], c = cols_of[j - 1];
    if (!feasible(cost[static_cast<std::size_t>(r) * cols + c], threshold)) continue;
    (*row_to_col)[r] = c;
    (*col_to_row)[c] = r;
  }
}

namespace {

void brute_force_rows(const float* cost, int rows, int cols, float threshold, int r, double sum,
                      std::vector<int>& current, std::vector<unsigned char>& col_used, double* best,
                      std::vector<int>* best_match) {
  if (r == rows) {
    if (sum < *best) {
      *best = sum;
      *best_match = current;
    }
    return;
  }
  current[r] = -1;
  brute_force_rows(cost, rows, cols, threshold, r + 1, sum, current, col_used, best, best_match);
  for (int c = 0; c < cols; ++c) {
    const float v = cost[static_cast<std::size_t>(r) * cols + c];
    if (col_used[c] || !feasible(v, threshold)) continue;
    col_used[c] = 1;
    current[r] = c;
    brute_force_rows(cost, rows, cols, threshold, r + 1, sum + (static_cast<double>(v) - threshold), current, col_used,
                     best, best_match);
    col_used[c] = 0;
  }
  current[r] = -1;
}

}  // namespace

double assignment_brute_force(const float* cost, int rows, int cols, float threshold, std::vector<int>* row_to_col) {
  std::vector<int> current(rows, -1);
  std::vector<unsigned char> col_used(cols, 0);
  double best = std::numeric_limits<double>::infinity();
  row_to_col->assign(rows, -1);
  brute_force_rows(cost, rows, cols, threshold, 0, 0.0, current, col_used, &best, row_to_col);
  return best;
}

double assignment_objective(const float* cost, int rows, int cols, float threshold,
                            const std::vector<int>& row_to_col) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (static_cast<int>(row_to_col.size()) != rows) return kInf;
  std::vector<unsigned char> col_used(cols, 0);
  double sum = 0;
  for (int r = 0; r < rows; ++r) {
    const int c = row_to_col[r];
    if (c < 0) continue;
    if (c >= cols || col_used[c]) return kInf;
    const float v = cost[static_cast<std::size_t>(r) * cols + c];
    if (!feasible(v, threshold)) return kInf;
    col_used[c] = 1;
    sum += static_cast<double>(v) - threshold;
  }
  return sum;
}

}  // namespace rkyolo::track
