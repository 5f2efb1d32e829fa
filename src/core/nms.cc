#include "core/nms.h"

#include <algorithm>
#include <numeric>

namespace rkyolo::core {

namespace {

void normalize(Box& b) {
  if (b.x1 > b.x2) std::swap(b.x1, b.x2);
  if (b.y1 > b.y2) std::swap(b.y1, b.y2);
}

// Descending score, ties broken by lower index: a total, deterministic order.
struct ByScore {
  const std::vector<Candidate>* c;
  bool operator()(int a, int b) const {
    const float sa = (*c)[a].score, sb = (*c)[b].score;
    return sa > sb || (sa == sb && a < b);
  }
};

}  // namespace

void Nms::reserve(std::size_t n) {
  order_.reserve(n);
  suppressed_.reserve(n);
}

void Nms::run(std::vector<Candidate>& cand, const NmsOptions& opt, std::vector<int>* keep) {
  keep->clear();
  const int n = static_cast<int>(cand.size());
  if (n == 0 || opt.max_det <= 0) return;
  for (auto& c : cand) normalize(c.box);
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), 0);
  const int m = std::min(n, std::max(opt.max_nms, 1));
  if (m < n) {
    std::nth_element(order_.begin(), order_.begin() + m, order_.end(), ByScore{&cand});
    order_.resize(m);
  }
  std::sort(order_.begin(), order_.end(), ByScore{&cand});
  suppressed_.assign(m, 0);
  for (int i = 0; i < m; ++i) {
    if (suppressed_[i]) continue;
    const Candidate& a = cand[order_[i]];
    keep->push_back(order_[i]);
    if (static_cast<int>(keep->size()) >= opt.max_det) break;
    const float area_a = a.box.area();
    for (int j = i + 1; j < m; ++j) {
      if (suppressed_[j]) continue;
      const Candidate& b = cand[order_[j]];
      if (!opt.agnostic && b.class_id != a.class_id) continue;
      const float ix1 = std::max(a.box.x1, b.box.x1), iy1 = std::max(a.box.y1, b.box.y1);
      const float ix2 = std::min(a.box.x2, b.box.x2), iy2 = std::min(a.box.y2, b.box.y2);
      if (ix2 <= ix1 || iy2 <= iy1) continue;
      const float inter = (ix2 - ix1) * (iy2 - iy1);
      const float uni = area_a + b.box.area() - inter;
      if (uni > 0 && inter / uni > opt.iou_threshold) suppressed_[j] = 1;
    }
  }
}

void nms_ref(const std::vector<Candidate>& input, const NmsOptions& opt, std::vector<int>* keep) {
  keep->clear();
  if (input.empty() || opt.max_det <= 0) return;
  std::vector<Candidate> cand = input;
  for (auto& c : cand) normalize(c.box);
  std::vector<int> all(cand.size());
  std::iota(all.begin(), all.end(), 0);
  std::stable_sort(all.begin(), all.end(), [&](int a, int b) { return cand[a].score > cand[b].score; });
  if (static_cast<int>(all.size()) > opt.max_nms) all.resize(std::max(opt.max_nms, 1));
  // Group by class (one group when agnostic), suppress within each group.
  std::vector<int> classes;
  for (int i : all) classes.push_back(opt.agnostic ? 0 : cand[i].class_id);
  std::vector<int> unique = classes;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  std::vector<int> survivors;
  for (int cls : unique) {
    std::vector<int> group;
    for (std::size_t k = 0; k < all.size(); ++k)
      if (classes[k] == cls) group.push_back(all[k]);
    std::vector<bool> dead(group.size(), false);
    for (std::size_t i = 0; i < group.size(); ++i) {
      if (dead[i]) continue;
      survivors.push_back(group[i]);
      for (std::size_t j = i + 1; j < group.size(); ++j)
        if (!dead[j] && iou(cand[group[i]].box, cand[group[j]].box) > opt.iou_threshold) dead[j] = true;
    }
  }
  std::sort(survivors.begin(), survivors.end(),
            [&](int a, int b) { return cand[a].score > cand[b].score || (cand[a].score == cand[b].score && a < b); });
  if (static_cast<int>(survivors.size()) > opt.max_det) survivors.resize(opt.max_det);
  *keep = survivors;
}

}  // namespace rkyolo::core
