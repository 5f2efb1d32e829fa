// rkyolo RKNN backend: where sessions run. The NPU cores are enumerated at
// load by asking the runtime to take each single-core mask.
#pragma once

#include <cstdint>
#include <string>

#include "backends/rknn/rknn_model.h"

namespace rkyolo::rknn {

Placement npu_placement(std::uint32_t core_mask);

// A core mask the runtime refused: the mask, the cores and the runtime's code.
Status core_mask_rejected(const Placement& placement, int rc);

// Where sessions run: one placement per core given, one spanning every core
// for all_cores_in_one, else one per single-core mask the runtime accepts
// (probed on `ctx`, which is left on the automatic choice). A chip whose
// runtime takes no mask (one core, or no rknn_set_core_mask) gets one
// placement the runtime fills itself.
Status plan_placements(const Functions& fn, rknn_context ctx, const std::string& library, SharedModel* s);

}  // namespace rkyolo::rknn
