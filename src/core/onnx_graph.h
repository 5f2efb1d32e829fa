// rkyolo: an in-memory ONNX model (nodes, initializers, inputs/outputs,
// metadata, opsets), read from and written to the protobuf wire format with
// the standard library only, plus a structural validator.
//
// Why not libonnx/libprotobuf: the core must cross-compile for boards with
// nothing but the C++ standard library, every malformed file must become one
// sentence (never an exception from generated code), and rkyolo only needs
// the handful of messages a graph rewrite touches. Fields it does not model
// (doc strings, value_info, training info) are dropped on write; everything
// a runtime needs to execute the graph is kept.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/limits.h"
#include "rkyolo/status.h"

namespace rkyolo::core {

// ONNX TensorProto.DataType values rkyolo handles.
enum OnnxType : int {
  kOnnxFloat = 1,
  kOnnxUint8 = 2,
  kOnnxInt8 = 3,
  kOnnxInt16 = 5,
  kOnnxInt32 = 6,
  kOnnxInt64 = 7,
  kOnnxBool = 9,
  kOnnxFloat16 = 10,
  kOnnxDouble = 11,
};
// Bytes per element, 0 for types rkyolo cannot hold (strings, unknown).
int onnx_type_size(int data_type);

// A tensor's data always lives in `data` as little-endian raw bytes,
// whichever field the file used.
struct OnnxTensor {
  std::string name;
  int data_type = kOnnxFloat;
  std::vector<std::int64_t> dims;
  std::vector<std::uint8_t> data;
  bool external = false;  // data_location EXTERNAL: not supported

  std::int64_t element_count() const;  // -1 on overflow or negative dims
  // Values as int64 (int32/int64/float tensors); false for other types.
  bool to_int64(std::vector<std::int64_t>* out) const;
  bool to_float(std::vector<float>* out) const;
  static OnnxTensor from_int64(const std::string& name, const std::vector<std::int64_t>& values,
                               std::vector<std::int64_t> dims);
  static OnnxTensor from_float(const std::string& name, const std::vector<float>& values,
                               std::vector<std::int64_t> dims);
};

// AttributeProto.AttributeType values.
enum OnnxAttrType : int {
  kAttrFloat = 1,
  kAttrInt = 2,
  kAttrString = 3,
  kAttrTensor = 4,
  kAttrGraph = 5,
  kAttrFloats = 6,
  kAttrInts = 7,
  kAttrStrings = 8,
};

struct OnnxAttribute {
  std::string name;
  int type = 0;
  float f = 0;
  std::int64_t i = 0;
  std::string s;
  OnnxTensor t;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
  // The attribute's original bytes: kept for kinds rkyolo does not model
  // (graphs, string lists) and written back verbatim.
  std::string raw;
};

struct OnnxNode {
  std::string name;
  std::string op_type;
  std::string domain;
  std::vector<std::string> inputs;  // "" = an omitted optional input
  std::vector<std::string> outputs;
  std::vector<OnnxAttribute> attributes;

  const OnnxAttribute* attribute(const std::string& attr_name) const;
  std::int64_t int_attribute(const std::string& attr_name, std::int64_t fallback) const;
  std::vector<std::int64_t> ints_attribute(const std::string& attr_name) const;
  void set_attribute(OnnxAttribute a);  // replaces one of the same name
};

struct OnnxValueInfo {
  std::string name;
  int elem_type = kOnnxFloat;
  bool has_shape = false;
  std::vector<std::int64_t> dims;       // -1 = symbolic or unknown
  std::vector<std::string> dim_params;  // symbolic names ("" when numeric)
};

struct OnnxModel {
  std::int64_t ir_version = 0;
  std::string producer_name, producer_version, domain, doc_string;
  std::int64_t model_version = 0;
  std::vector<std::pair<std::string, std::int64_t>> opsets;   // domain ("" = ai.onnx), version
  std::vector<std::pair<std::string, std::string>> metadata;  // in file order
  std::string graph_name;
  std::vector<OnnxNode> nodes;
  std::vector<OnnxTensor> initializers;
  std::vector<OnnxValueInfo> inputs;  // as in the file (may list initializers)
  std::vector<OnnxValueInfo> outputs;

  std::int64_t opset() const;  // the ai.onnx version, 0 if absent
  void set_opset(std::int64_t version);
  const std::string* metadata_value(const std::string& key) const;
  void set_metadata(const std::string& key, const std::string& value);
};

// Parses the whole model. `what` names the file in messages.
Status read_onnx_model(const std::uint8_t* data, std::size_t size, const std::string& what, OnnxModel* out);

// Serializes a model (protobuf wire format). Never fails.
std::vector<std::uint8_t> write_onnx_model(const OnnxModel& model);

// Checks what OpenCV's importer takes on trust, before it sees the graph:
// every node input is defined by an initializer, a graph input or an
// earlier node; no tensor is defined twice; every graph output is defined;
// initializer and Constant data sizes agree with their dims and type; dims
// are positive (an empty 1-D Constant, Resize's unused roi, is allowed) and
// within the limits above. The error is one sentence naming the tensor or node.
Status validate_onnx_model(const OnnxModel& model, const std::string& what);

}  // namespace rkyolo::core
