// libFuzzer harness: the ONNX summary (core/onnx_reader.h: the graph parser,
// then the summary's own limits on ranks and element counts) on arbitrary
// bytes.
#include <cstddef>
#include <cstdint>

#include "core/onnx_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rkyolo::core::OnnxModelInfo info;
  rkyolo::core::parse_onnx(data, size, "fuzz.onnx", &info).ignore();
  return 0;
}
