// Names of the typed backend options and of placements (backend.h).
#include <algorithm>

#include "rkyolo/backend.h"

namespace rkyolo {

namespace {
constexpr std::uint32_t kAllCoresMask = 0xffff;  // RKNN_NPU_CORE_ALL: every core the chip has
constexpr int kMaxNpuCores = 16;
}  // namespace

std::string to_string(const Placement& placement) {
  std::string text;
  if (placement.device == Placement::Device::kCpu) {
    text = "CPU";
    if (placement.threads > 0)
      text.append(", ")
          .append(std::to_string(placement.threads))
          .append(placement.threads == 1 ? " thread" : " threads");
    return text;
  }
  const std::uint32_t mask = placement.core_mask;
  if (mask == 0) return "NPU, any idle core";
  if (mask == kAllCoresMask) return "NPU, all cores";
  std::string cores;
  int count = 0;
  for (int i = 0; i < kMaxNpuCores; ++i) {
    if ((mask >> i & 1U) == 0) continue;
    if (count++ > 0) cores += '+';
    cores += std::to_string(i);
  }
  text = count == 1 ? "NPU core " : "NPU cores ";
  return text.append(cores);
}

std::string_view rknn_io_name(RknnIo io) {
  switch (io) {
    case RknnIo::kAuto: return "auto";
    case RknnIo::kZeroCopy: return "zero-copy";
    case RknnIo::kStandard: return "standard";
  }
  return "?";
}

std::string_view rknn_input_name(RknnInput input) {
  switch (input) {
    case RknnInput::kAuto: return "auto";
    case RknnInput::kUint8: return "uint8";
    case RknnInput::kInt8: return "int8";
  }
  return "?";
}

std::string_view rknn_cache_name(RknnCache cache) {
  switch (cache) {
    case RknnCache::kAuto: return "auto";
    case RknnCache::kManual: return "manual";
  }
  return "?";
}

namespace {
template <typename Enum, std::size_t N>
bool parse_name(std::string_view text, const Enum (&values)[N], std::string_view (*name)(Enum), Enum* out) {
  for (Enum v : values)
    if (text == name(v)) {
      *out = v;
      return true;
    }
  return false;
}
}  // namespace

bool parse_rknn_io(std::string_view text, RknnIo* out) {
  static constexpr RknnIo kAll[] = {RknnIo::kAuto, RknnIo::kZeroCopy, RknnIo::kStandard};
  return parse_name(text, kAll, &rknn_io_name, out);
}

bool parse_rknn_input(std::string_view text, RknnInput* out) {
  static constexpr RknnInput kAll[] = {RknnInput::kAuto, RknnInput::kUint8, RknnInput::kInt8};
  return parse_name(text, kAll, &rknn_input_name, out);
}

bool parse_rknn_cache(std::string_view text, RknnCache* out) {
  static constexpr RknnCache kAll[] = {RknnCache::kAuto, RknnCache::kManual};
  return parse_name(text, kAll, &rknn_cache_name, out);
}

bool parse_npu_cores(std::string_view text, RknnOptions* out) {
  constexpr int kCores = 3;  // RK3588 has the most
  std::vector<int> cores;
  if (text != "auto" && text != "all") {
    for (std::size_t i = 0; i < text.size(); i += 2) {
      const int core = text[i] - '0';
      const bool last = i + 1 == text.size();
      if (core < 0 || core >= kCores || (!last && text[i + 1] != '_')) return false;
      if (std::find(cores.begin(), cores.end(), core) != cores.end()) return false;
      cores.push_back(core);
    }
    if (cores.empty() || text.back() == '_') return false;
  }
  out->cores = std::move(cores);
  out->all_cores_in_one = text == "all";
  return true;
}

}  // namespace rkyolo
