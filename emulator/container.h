// rknn-emu: the emulator's model container (what `rknn-emu convert` writes
// and the emulated rknn_init reads). Real .rknn files are proprietary NPU
// programs; this container holds the ONNX graph plus everything the runtime
// contract needs: target, mean/std and calibrated int8 quantization.
//
// Layout (little-endian):
//   "RKEMU\0\1\0"          8-byte magic (a real .rknn starts with "RKNN")
//   u32 header_size        JSON header bytes
//   header                 UTF-8 JSON (see ContainerHeader)
//   u32 onnx_size
//   onnx                   the ONNX model
//   u32 crc32              of every byte before it
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace emu {

struct QuantTensor {
  std::string name;
  std::vector<std::int64_t> dims;  // ONNX/NCHW order
  float scale = 1.0f;
  std::int32_t zp = 0;
};

struct ContainerHeader {
  std::string target;
  std::string toolkit_version = "2.3.2";  // runtimes older than this refuse the model
  float mean[3] = {0, 0, 0};
  float std[3] = {255, 255, 255};
  QuantTensor input;                 // dims (1, C, H, W)
  std::vector<QuantTensor> outputs;  // calibrated min/max affine int8
  double gflops = 0;                 // for the timing mode
  int calibration_images = 0;
  std::string source_model;
  std::map<std::string, std::string> metadata;  // the ONNX metadata_props
};

struct Container {
  ContainerHeader header;
  std::vector<std::uint8_t> onnx;
};

std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0);

std::vector<std::uint8_t> serialize(const Container& c);
// Returns false with `error` set for anything that is not a complete,
// intact container (a real .rknn, garbage, a truncated file...).
bool parse(const std::uint8_t* data, std::size_t size, Container* out, std::string* error);

}  // namespace emu
