// rkyolo: the RKNN NPU backend (Rockchip RK3588/RK3576/RK356x/RK3562/RV1106).
//
// Zero-copy first: the letterbox writes straight into NPU memory (as uint8
// for the NPU to normalize and quantize itself, or as int8 bit patterns with
// w_stride rows), outputs stay in NPU memory in their native NC1HWC2 layout
// and are decoded in place. If any zero-copy step fails the backend logs one
// warning and runs the standard copy path instead, with identical results.
#pragma once

#include <memory>

#include "rkyolo/backend.h"

namespace rkyolo {

// Registers "rknn" in the backend registry.
void register_rknn_backend();

// Creates an RKNN backend from options.rknn (library, I/O mode, input
// strategy, cache maintenance, cores, normalization). Its placements() are
// the cores listed in options.rknn.cores, or one spanning every core
// (all_cores_in_one), or else every single core the runtime accepts.
Status create_rknn_backend(const BackendOptions& options, std::unique_ptr<Backend>* out);

}  // namespace rkyolo
