#include "core/onnx_reader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>

#include "core/limits.h"
#include "core/onnx_graph.h"

namespace rkyolo::core {

namespace {

DType onnx_dtype(int elem_type) {
  switch (elem_type) {
    case kOnnxFloat: return DType::kFloat32;
    case kOnnxUint8: return DType::kUint8;
    case kOnnxInt8: return DType::kInt8;
    case kOnnxInt16: return DType::kInt16;
    case kOnnxInt32: return DType::kInt32;
    case kOnnxInt64: return DType::kInt64;
    case kOnnxFloat16: return DType::kFloat16;
    default: return DType::kUnknown;
  }
}

// A graph input or output as a TensorInfo. Returns why it is refused, or none
// when it has at most kMaxTensorRank dims whose known values multiply to at
// most kMaxTensorElements (no size computed from them can overflow).
std::optional<Message> to_tensor_info(const OnnxValueInfo& v, TensorInfo* t) {
  t->name = v.name;
  t->dtype = onnx_dtype(v.elem_type);
  t->dims = v.dims;
  t->layout = t->dims.size() == 4 ? TensorLayout::kNCHW : TensorLayout::kFlat;
  if (t->dims.size() > kMaxTensorRank)
    return Message(MessageId::kOnnxTensorRankTooHigh, {{"name", t->name}, {"max", kMaxTensorRank}});
  std::int64_t elements = 1;
  for (auto d : t->dims) {
    if (d <= 0) continue;  // symbolic, unknown or empty
    if (d > kMaxTensorElements / elements)
      return Message(MessageId::kOnnxTensorTooLarge,
                     {{"name", t->name}, {"shape", shape_string(t->dims)}, {"max", kMaxTensorElements}});
    elements *= d;
  }
  return std::nullopt;
}

Status summarize(const OnnxModel& model, const std::string& what, OnnxModelInfo* out) {
  auto bad = [&](Message why) {
    return invalid_model(MessageId::kOnnxNotValid, {{"path", what}, {"why", std::move(why)}});
  };
  out->ir_version = model.ir_version;
  out->producer = model.producer_name + (model.producer_version.empty() ? "" : " " + model.producer_version);
  for (const auto& [domain, version] : model.opsets) out->opsets[domain] = version;
  for (const auto& [key, value] : model.metadata) out->metadata[key] = value;
  for (const OnnxNode& n : model.nodes) ++out->op_counts[n.op_type];
  out->node_count = model.nodes.size();
  std::set<std::string> initializers;
  for (const OnnxTensor& t : model.initializers) initializers.insert(t.name);
  for (const bool input : {true, false}) {
    for (const OnnxValueInfo& v : input ? model.inputs : model.outputs) {
      TensorInfo t;
      if (std::optional<Message> why = to_tensor_info(v, &t)) return bad(std::move(*why));
      if (input && initializers.count(t.name)) continue;  // IR < 4 lists weights as inputs
      (input ? out->inputs : out->outputs).push_back(std::move(t));
    }
  }
  if (out->inputs.empty()) return bad(MessageId::kOnnxNoInputs);
  if (out->outputs.empty()) return bad(MessageId::kOnnxNoOutputs);
  return Status();
}

}  // namespace

Status read_file_bytes(const std::string& path, std::vector<std::uint8_t>* out, std::uint64_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return not_found(MessageId::kFileMissing, {{"path", path}});
    return io_error(MessageId::kFileCannotAccess, {{"path", path}, {"reason", std::strerror(errno)}});
  }
  if (S_ISDIR(st.st_mode)) return invalid_argument(MessageId::kFileIsDirectory, {{"path", path}});
  // Opening a FIFO or device could block for ever or never end.
  if (!S_ISREG(st.st_mode)) return invalid_argument(MessageId::kFileNotRegular, {{"path", path}});
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
    return invalid_argument(MessageId::kFileTooLarge,
                            {{"path", path}, {"size", static_cast<std::int64_t>(st.st_size)}, {"max", max_bytes}});
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error(MessageId::kFileCannotOpen, {{"path", path}, {"reason", std::strerror(errno)}});
  out->resize(static_cast<std::size_t>(st.st_size));
  if (!out->empty()) in.read(reinterpret_cast<char*>(out->data()), static_cast<std::streamsize>(out->size()));
  if (!in && !out->empty()) return io_error(MessageId::kFileCannotRead, {{"path", path}});
  if (out->empty()) return invalid_model(MessageId::kFileEmpty, {{"path", path}});
  return Status();
}

Status parse_onnx(const std::uint8_t* data, std::size_t size, const std::string& what, OnnxModelInfo* out) {
  *out = OnnxModelInfo{};
  OnnxModel model;
  RKYOLO_RETURN_IF_ERROR(read_onnx_model(data, size, what, &model));
  return summarize(model, what, out);
}

Status read_onnx_file(const std::string& path, OnnxModelInfo* out) {
  std::vector<std::uint8_t> bytes;
  RKYOLO_RETURN_IF_ERROR(read_file_bytes(path, &bytes));
  return parse_onnx(bytes.data(), bytes.size(), path, out);
}

}  // namespace rkyolo::core
