// libFuzzer harness: the ONNX reader (protobuf wire format) on arbitrary bytes.
#include <cstddef>
#include <cstdint>

#include "core/onnx_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rkyolo::core::OnnxModelInfo info;
  rkyolo::core::parse_onnx(data, size, "fuzz.onnx", &info).ignore();
  return 0;
}
