#include "emulator/profiles.h"

namespace emu {

namespace {

// yolov8n_ms: RK3588 73.5 FPS and RK3566/68 34.0 FPS are published single-core
// figures (docs/rknn-api.md). RK3576 has the same per-core NPU as RK3588;
// RK3562 (1 TOPS) and RV1106 (0.5 TOPS) are scaled from RK3566 (0.8 TOPS) by
// their TOPS. These are estimates for pipeline benchmarks, not measurements.
const TargetProfile kProfiles[] = {
    {"rk3588", 3, 16, 16, 13.6, false}, {"rk3576", 2, 16, 16, 13.6, false}, {"rk3568", 1, 8, 8, 29.4, false},
    {"rk3566", 1, 8, 8, 29.4, false},   {"rk3562", 1, 16, 16, 23.5, false}, {"rv1106", 1, 16, 16, 58.8, true},
};

constexpr double kYolov8nGflops = 8.7;

}  // namespace

const TargetProfile* find_profile(const std::string& name) {
  for (const auto& p : kProfiles)
    if (name == p.name) return &p;
  return nullptr;
}

std::string profile_names() {
  std::string s;
  for (const auto& p : kProfiles) s += (s.empty() ? "" : ", ") + std::string(p.name);
  return s;
}

double emulated_latency_ms(const TargetProfile& p, double gflops, int cores) {
  // One context spread over several cores is not linear: public yolov5s
  // figures give 101 FPS on three cores against 53 FPS on one (1.9x).
  const double speedup = cores >= 3 ? 1.9 : cores == 2 ? 1.5 : 1.0;
  return p.yolov8n_ms * (gflops / kYolov8nGflops) / speedup;
}

}  // namespace emu
