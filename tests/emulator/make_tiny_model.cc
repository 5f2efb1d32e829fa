// Writes the emulator conformance model: output = relu(input), input
// (1, 3, 20, 36) -- a width no NPU target aligns, so w_stride padding shows.
#include <cstdio>
#include <fstream>

#include "support/onnx_builder.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT.onnx\n", argv[0]);
    return 2;
  }
  std::ofstream(argv[1], std::ios::binary)
      << rkyolo::test::onnx_single_op_model("Relu", {1, 3, 20, 36}, {1, 3, 20, 36});
  return 0;
}
