// rkyolo: non-maximum suppression.
#pragma once

#include <cstddef>
#include <vector>

#include "core/decode.h"

namespace rkyolo::core {

struct NmsOptions {
  float iou_threshold = 0.45f;
  bool agnostic = false;  // false: boxes of different classes never suppress each other
  int max_det = 300;      // kept after NMS
  int max_nms = 30000;    // candidates considered (highest scores)
};

// Greedy NMS, highest score first (ties: lower index first). Boxes with
// flipped corners are normalized first. `keep` receives candidate indices in
// descending score order. Buffers are grow-only: no allocation once warm.
class Nms {
 public:
  void reserve(std::size_t n);
  void run(std::vector<Candidate>& candidates, const NmsOptions& options, std::vector<int>* keep);

 private:
  std::vector<int> order_;
  std::vector<unsigned char> suppressed_;
};

// Scalar reference: per-class loops, no offsets, no candidate cap shortcuts.
void nms_ref(const std::vector<Candidate>& candidates, const NmsOptions& options, std::vector<int>* keep);

}  // namespace rkyolo::core
