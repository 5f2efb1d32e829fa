#include "emulator/container.h"

#include <cstring>
#include <nlohmann/json.hpp>

namespace emu {

namespace {

constexpr char kMagic[8] = {'R', 'K', 'E', 'M', 'U', '\0', '\1', '\0'};
constexpr std::size_t kMaxHeader = 16u << 20;

void put_u32(std::vector<std::uint8_t>* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint32_t get_u32(const std::uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

nlohmann::json tensor_json(const QuantTensor& t) {
  return {{"name", t.name}, {"dims", t.dims}, {"scale", t.scale}, {"zp", t.zp}};
}

QuantTensor tensor_from(const nlohmann::json& j) {
  QuantTensor t;
  t.name = j.at("name").get<std::string>();
  t.dims = j.at("dims").get<std::vector<std::int64_t>>();
  t.scale = j.at("scale").get<float>();
  t.zp = j.at("zp").get<std::int32_t>();
  return t;
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
      h.mean[c] = j.at("mean").at(c).get<float>();
      h.std[c] = j.at("std").at(c).get<float>();
    }
    h.input = tensor_from(j.at("input"));
    h.outputs.clear();
    for (const auto& o : j.at("outputs")) h.outputs.push_back(tensor_from(o));
    h.gflops = j.at("gflops").get<double>();
    h.calibration_images = j.value("calibration_images", 0);
    h.source_model = j.value("source_model", "");
    h.metadata = j.value("metadata", std::map<std::string, std::string>{});
  } catch (const std::exception& e) {
    *error = std::string("the model header is malformed: ") + e.what();
    return false;
  }
  out->onnx.assign(data + 16 + header_size, data + 16 + header_size + onnx_size);
  if (out->header.input.dims.size() != 4 || out->header.outputs.empty()) {
    *error = "the model header describes no usable input/outputs";
    return false;
  }
  return true;
}

}  // namespace emu
