// rknn-emu: what differs between Rockchip NPU targets.
#pragma once

#include <string>

namespace emu {

struct TargetProfile {
  const char* name;         // "rk3588"
  int cores;                // NPU cores
  int w_align;              // native input width alignment, pixels
  int c2;                   // NC1HWC2 channel block for int8
  double yolov8n_ms;        // single-core rknn_run of YOLOv8n at 640 (8.7 GFLOPs)
  bool native_nhwc_output;  // offers RKNN_QUERY_NATIVE_NHWC_OUTPUT_ATTR
};

// Known targets; nullptr for an unknown name.
const TargetProfile* find_profile(const std::string& name);
std::string profile_names();  // "rk3588, rk3576, ..."

// Emulated latency of one rknn_run: the published YOLOv8n figure scaled by
// the model's GFLOPs, divided by the speed-up of using `cores` cores at once.
double emulated_latency_ms(const TargetProfile& p, double gflops, int cores);

}  // namespace emu
