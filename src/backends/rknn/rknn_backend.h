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

// Params (BackendOptions::params):
//   rknn_lib    path of librknnrt.so ("" = default search path; RKYOLO_RKNN_LIB)
//   rknn_io     auto | zero-copy | standard            (default auto)
//   rknn_input  auto | uint8 | int8                    (zero-copy input strategy)
//   rknn_cache  auto | manual   manual: init with DISABLE_FLUSH_* and call rknn_mem_sync
//   npu_cores   auto | 0 | 1 | 2 | 0_1 | 0_1_2 | all   (worker i uses core list[i % n])
//   rknn_mean, rknn_std   "0,0,0" / "255,255,255": the model's normalization, needed
//                         only when the CPU quantizes the input itself (int8 strategy)
Status create_rknn_backend(const BackendOptions& options, std::unique_ptr<Backend>* out);

}  // namespace rkyolo
