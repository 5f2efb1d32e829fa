// libFuzzer harness: the in-memory ONNX graph reader, the validator, the
// import rewrites and the writer on arbitrary bytes. Whatever the input:
// one Status, never a crash, a hang or an unbounded allocation; and a model
// that reads and validates must write out and read back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/onnx_graph.h"
#include "core/onnx_rewrite.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rkyolo::core;
  OnnxModel model;
  if (!read_onnx_model(data, size, "fuzz.onnx", &model).ok()) return 0;
  if (!validate_onnx_model(model, "fuzz.onnx").ok()) return 0;
  const std::vector<std::uint8_t> written = write_onnx_model(model);
  OnnxModel back;
  if (!read_onnx_model(written.data(), written.size(), "fuzz.onnx", &back).ok()) std::abort();
  if (!validate_onnx_model(back, "fuzz.onnx").ok()) std::abort();
  OnnxImportReport report;
  if (rewrite_for_opencv(&back, "fuzz.onnx", &report).ok()) (void)write_onnx_model(back);
  OnnxModel exported = model;
  (void)export_rknn_split(&exported, "fuzz.onnx", &report);
  return 0;
}
