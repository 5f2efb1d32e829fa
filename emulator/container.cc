#include "emulator/container.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/limits.h"

namespace emu {

namespace {

constexpr char kMagic[8] = {'R', 'K', 'E', 'M', 'U', '\0', '\1', '\0'};
constexpr std::size_t kMaxHeader = 16u << 20;
// Model cost for the timing mode: 100x YOLOv8x's 257 GFLOPs; more would
// make an emulated run sleep for hours.
constexpr double kMaxGflops = 25700;

void put_u32(std::vector<std::uint8_t>* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint32_t get_u32(const std::uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

nlohmann::json tensor_json(const QuantTensor& t) {
  return {{"name", t.name}, {"dims", t.dims}, {"scale", t.scale}, {"zp", t.zp}};
}

// A whole number in [lo, hi]: nlohmann's get<int> converts an out-of-range
// double with undefined behaviour, so check first. Throws like json.at().
std::int64_t int_in(const nlohmann::json& j, std::int64_t lo, std::int64_t hi, const char* what) {
  if (!j.is_number_integer() || (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)) ||
      j.get<std::int64_t>() < lo || j.get<std::int64_t>() > hi)
    throw std::invalid_argument(std::string(what) + " is not a whole number from " + std::to_string(lo) + " to " +
                                std::to_string(hi));
  return j.get<std::int64_t>();
}

float positive_float(const nlohmann::json& j, const char* what) {
  const double v = j.get<double>();
  if (!(v > 0 && v <= 3.4e38)) throw std::invalid_argument(std::string(what) + " is not a positive float");
  return static_cast<float>(v);
}

// Dims within rkyolo's limits, so no size computed from them overflows.
QuantTensor tensor_from(const nlohmann::json& j) {
  QuantTensor t;
  t.name = j.at("name").get<std::string>();
  const auto& dims = j.at("dims");
  if (!dims.is_array() || dims.empty() || dims.size() > rkyolo::core::kMaxTensorRank)
    throw std::invalid_argument("tensor '" + t.name + "' has no dims or more than " +
                                std::to_string(rkyolo::core::kMaxTensorRank));
  std::int64_t elements = 1;
  for (const auto& d : dims) {
    t.dims.push_back(int_in(d, 1, rkyolo::core::kMaxTensorElements / elements, "a dimension or the element count"));
    elements *= t.dims.back();
  }
  t.scale = positive_float(j.at("scale"), "a scale");
  t.zp = static_cast<std::int32_t>(int_in(j.at("zp"), -128, 127, "a zero-point"));
  return t;
}

// The input is (1, C, H, W) with 1 to 4 channels and sides within limits.
void check_input(const QuantTensor& t) {
  const auto& d = t.dims;
  if (d.size() != 4 || d[0] != 1 || d[1] > 4 || d[2] > rkyolo::core::kMaxInputSide ||
      d[3] > rkyolo::core::kMaxInputSide)
    throw std::invalid_argument("the input must be (1, C, H, W) with 1 to 4 channels and at most " +
                                std::to_string(rkyolo::core::kMaxInputSide) + " pixels a side");
}

}  // namespace

std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc) {
  static std::uint32_t table[256] = {0};
  static bool ready = [] {
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    return true;
  }();
  (void)ready;
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

std::vector<std::uint8_t> serialize(const Container& c) {
  const ContainerHeader& h = c.header;
  nlohmann::json j;
  j["format"] = "rknn-emu";
  j["version"] = 1;
  j["target"] = h.target;
  j["toolkit_version"] = h.toolkit_version;
  j["mean"] = {h.mean[0], h.mean[1], h.mean[2]};
  j["std"] = {h.std[0], h.std[1], h.std[2]};
  j["input"] = tensor_json(h.input);
  j["outputs"] = nlohmann::json::array();
  for (const auto& o : h.outputs) j["outputs"].push_back(tensor_json(o));
  j["gflops"] = h.gflops;
  j["calibration_images"] = h.calibration_images;
  j["source_model"] = h.source_model;
  j["metadata"] = h.metadata;
  const std::string header = j.dump();
  std::vector<std::uint8_t> out(kMagic, kMagic + 8);
  put_u32(&out, static_cast<std::uint32_t>(header.size()));
  out.insert(out.end(), header.begin(), header.end());
  put_u32(&out, static_cast<std::uint32_t>(c.onnx.size()));
  out.insert(out.end(), c.onnx.begin(), c.onnx.end());
  put_u32(&out, crc32(out.data(), out.size()));
  return out;
}

bool parse(const std::uint8_t* data, std::size_t size, Container* out, std::string* error) {
  if (size >= 4 && std::memcmp(data, "RKNN", 4) == 0) {
    *error = "this is a real RKNN model (an NPU program); the emulator only runs models made by 'rknn-emu convert'";
    return false;
  }
  if (size < 8 || std::memcmp(data, kMagic, 8) != 0) {
    *error = "not an rknn-emu model (bad magic)";
    return false;
  }
  if (size < 8 + 4 + 4 + 4) {
    *error = "the model file is truncated";
    return false;
  }
  const std::uint32_t stored_crc = get_u32(data + size - 4);
  const std::uint32_t header_size = get_u32(data + 8);
  if (header_size > kMaxHeader || 12 + static_cast<std::size_t>(header_size) + 4 + 4 > size) {
    *error = "the model file is truncated (header)";
    return false;
  }
  const std::uint32_t onnx_size = get_u32(data + 12 + header_size);
  if (16 + static_cast<std::size_t>(header_size) + onnx_size + 4 != size) {
    *error = "the model file is truncated or has trailing bytes";
    return false;
  }
  if (crc32(data, size - 4) != stored_crc) {
    *error = "the model file is damaged (checksum mismatch)";
    return false;
  }
  try {
    const auto j = nlohmann::json::parse(data + 12, data + 12 + header_size);
    if (j.at("format").get<std::string>() != "rknn-emu" || j.at("version").get<int>() != 1) {
      *error = "unsupported rknn-emu container version";
      return false;
    }
    ContainerHeader& h = out->header;
    h.target = j.at("target").get<std::string>();
    h.toolkit_version = j.at("toolkit_version").get<std::string>();
    for (int c = 0; c < 3; ++c) {
      const double mean = j.at("mean").at(c).get<double>();
      if (!(std::fabs(mean) <= 1e6)) throw std::invalid_argument("a mean is not a finite value");
      h.mean[c] = static_cast<float>(mean);
      h.std[c] = positive_float(j.at("std").at(c), "a std");
    }
    h.input = tensor_from(j.at("input"));
    check_input(h.input);
    h.outputs.clear();
    const auto& outputs = j.at("outputs");
    if (!outputs.is_array() || outputs.empty() || outputs.size() > rkyolo::core::kMaxOutputs)
      throw std::invalid_argument("the model must have 1 to " + std::to_string(rkyolo::core::kMaxOutputs) + " outputs");
    for (const auto& o : outputs) h.outputs.push_back(tensor_from(o));
    h.gflops = j.at("gflops").get<double>();
    if (!(h.gflops >= 0 && h.gflops <= kMaxGflops))
      throw std::invalid_argument("gflops is not between 0 and " + std::to_string(kMaxGflops));
    h.calibration_images = static_cast<int>(int_in(j.value("calibration_images", nlohmann::json(0)), 0,
                                                   std::numeric_limits<int>::max(), "calibration_images"));
    h.source_model = j.value("source_model", "");
    h.metadata = j.value("metadata", std::map<std::string, std::string>{});
  } catch (const std::exception& e) {
    *error = std::string("the model header is malformed: ") + e.what();
    return false;
  }
  out->onnx.assign(data + 16 + header_size, data + 16 + header_size + onnx_size);
  return true;
}

}  // namespace emu
