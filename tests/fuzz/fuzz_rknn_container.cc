// libFuzzer harness: the emulator's .rknn container reader (what rknn_init
// parses). An input starting with the container magic is read as a whole
// file, its CRC fixed up so mutations reach the header; any other input is
// JSON header NUL ONNX bytes, framed into a valid container first.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "emulator/container.h"

namespace {

void put_u32(std::vector<std::uint8_t>* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::vector<std::uint8_t> framed(const std::uint8_t* data, std::size_t size) {
  const auto* nul = static_cast<const std::uint8_t*>(std::memchr(data, 0, size));
  const std::size_t header = nul ? static_cast<std::size_t>(nul - data) : size;
  const std::size_t onnx_begin = nul ? header + 1 : size;
  std::vector<std::uint8_t> out = {'R', 'K', 'E', 'M', 'U', '\0', '\1', '\0'};
  put_u32(&out, static_cast<std::uint32_t>(header));
  out.insert(out.end(), data, data + header);
  put_u32(&out, static_cast<std::uint32_t>(size - onnx_begin));
  out.insert(out.end(), data + onnx_begin, data + size);
  put_u32(&out, emu::crc32(out.data(), out.size()));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> bytes;
  if (size >= 20 && std::memcmp(data, "RKEMU", 5) == 0) {
    bytes.assign(data, data + size);
    const std::uint32_t crc = emu::crc32(bytes.data(), size - 4);
    for (int i = 0; i < 4; ++i) bytes[size - 4 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
  } else {
    bytes = framed(data, size);
  }
  emu::Container container;
  std::string error;
  emu::parse(bytes.data(), bytes.size(), &container, &error);
  return 0;
}
