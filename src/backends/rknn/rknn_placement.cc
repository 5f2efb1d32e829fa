#include "backends/rknn/rknn_placement.h"

#include <algorithm>
#include <sstream>

namespace rkyolo::rknn {

namespace {
constexpr int kMaxNpuCores = 3;  // RK3588; RK3576 has 2, the others 1
}  // namespace

Status core_mask_rejected(const Placement& placement, int rc) {
  std::ostringstream mask;
  mask << std::hex << placement.core_mask;
  return backend_error(
      MessageId::kRknnCoreMaskRejected,
      {{"mask", mask.str()}, {"placement", to_string(placement)}, {"cause", describe_error("rknn_set_core_mask", rc)}});
}

Placement npu_placement(std::uint32_t mask) {
  Placement p;
  p.device = Placement::Device::kNpu;
  p.core_mask = mask;
  return p;
}

Status plan_placements(const Functions& fn, rknn_context ctx, const std::string& library, SharedModel* s) {
  const RknnOptions& o = s->options;
  int accepted[kMaxNpuCores] = {};
  s->npu_cores = 0;
  if (fn.set_core_mask != nullptr) {
    for (int i = 0; i < kMaxNpuCores; ++i) {
      accepted[i] = fn.set_core_mask(ctx, static_cast<rknn_core_mask>(1 << i));
      if (accepted[i] == RKNN_SUCC) ++s->npu_cores;
    }
    fn.set_core_mask(ctx, RKNN_NPU_CORE_AUTO);
  }
  s->npu_cores = std::max(s->npu_cores, 1);
  s->placements.clear();
  if ((o.all_cores_in_one || !o.cores.empty()) && fn.set_core_mask == nullptr)
    return backend_unavailable(MessageId::kRknnNoCoreMaskSymbol, {{"library", library}});
  if (o.all_cores_in_one) {
    Placement all = npu_placement(RKNN_NPU_CORE_0_1_2);
    int rc = fn.set_core_mask(ctx, RKNN_NPU_CORE_0_1_2);
    if (rc != RKNN_SUCC && fn.set_core_mask(ctx, RKNN_NPU_CORE_ALL) == RKNN_SUCC) {  // two-core chips: all it has
      all.core_mask = RKNN_NPU_CORE_ALL;
      rc = RKNN_SUCC;
    }
    fn.set_core_mask(ctx, RKNN_NPU_CORE_AUTO);
    if (rc != RKNN_SUCC) return core_mask_rejected(all, rc);
    s->placements.push_back(all);
    return Status();
  }
  for (int core : o.cores) {
    if (core < 0 || core >= kMaxNpuCores)
      return invalid_argument(MessageId::kRknnCoreRange, {{"core", core}, {"last", kMaxNpuCores - 1}});
    const Placement p = npu_placement(1U << core);
    if (accepted[core] != RKNN_SUCC) return core_mask_rejected(p, accepted[core]);
    s->placements.push_back(p);
  }
  if (!s->placements.empty()) return Status();
  for (int i = 0; i < kMaxNpuCores; ++i)
    if (fn.set_core_mask != nullptr && accepted[i] == RKNN_SUCC) s->placements.push_back(npu_placement(1U << i));
  if (s->placements.empty()) s->placements.push_back(npu_placement(RKNN_NPU_CORE_AUTO));
  return Status();
}

}  // namespace rkyolo::rknn
