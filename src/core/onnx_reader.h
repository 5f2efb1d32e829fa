// rkyolo: the summary of an ONNX model that `rkyolo info`, layout detection
// and the backends need (inputs, outputs, metadata_props, opsets, operator
// counts), taken from the one ONNX parser, core/onnx_graph.h, so every
// malformed file gets the same precise message everywhere.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/limits.h"
#include "rkyolo/status.h"
#include "rkyolo/tensor.h"

namespace rkyolo::core {

struct OnnxModelInfo {
  std::int64_t ir_version = 0;
  std::string producer;                        // producer_name + version
  std::map<std::string, std::int64_t> opsets;  // domain ("" = ai.onnx) -> version
  std::vector<TensorInfo> inputs;              // graph inputs that are not initializers
  std::vector<TensorInfo> outputs;
  std::map<std::string, std::string> metadata;
  std::map<std::string, int> op_counts;  // op_type -> number of nodes
  std::size_t node_count = 0;
};

// Parses an in-memory ONNX model with read_onnx_model and summarizes it:
// graph inputs that are not initializers; inputs and outputs with at most
// kMaxTensorRank dims and kMaxTensorElements elements. `what` names the
// file in messages.
Status parse_onnx(const std::uint8_t* data, std::size_t size, const std::string& what, OnnxModelInfo* out);
Status read_onnx_file(const std::string& path, OnnxModelInfo* out);

// Reads a whole regular file of at most `max_bytes` (checked before
// reading); clear messages for missing, unreadable, empty, oversized files.
Status read_file_bytes(const std::string& path, std::vector<std::uint8_t>* out,
                       std::uint64_t max_bytes = kMaxModelFileBytes);

}  // namespace rkyolo::core
