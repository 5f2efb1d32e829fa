// Test support: builds small ONNX files byte by byte (protobuf wire format),
// for tests that need a model of a precise shape or a precisely broken one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rkyolo::test {

struct Pb {
  std::string bytes;
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<char>(v));
  }
  Pb& u(int field, std::uint64_t v) {
    varint(static_cast<std::uint64_t>(field) << 3);
    varint(v);
    return *this;
  }
  Pb& s(int field, const std::string& v) {
    varint((static_cast<std::uint64_t>(field) << 3) | 2);
    varint(v.size());
    bytes += v;
    return *this;
  }
  Pb& m(int field, const Pb& sub) { return s(field, sub.bytes); }
};

// ValueInfoProto of a float tensor (negative dims become symbolic).
inline Pb onnx_value_info(const std::string& name, const std::vector<std::int64_t>& dims, int elem_type = 1) {
  Pb shape;
  for (auto d : dims) {
    Pb dim;
    if (d < 0)
      dim.s(2, "N");
    else
      dim.u(1, static_cast<std::uint64_t>(d));
    shape.m(1, dim);
  }
  Pb tensor;
  tensor.u(1, static_cast<std::uint64_t>(elem_type)).m(2, shape);
  Pb type;
  type.m(1, tensor);
  Pb vi;
  vi.s(1, name).m(2, type);
  return vi;
}

// A one-node model: input -> op_type -> output, opset 12.
inline std::string onnx_single_op_model(const std::string& op_type, const std::vector<std::int64_t>& in_dims,
                                        const std::vector<std::int64_t>& out_dims) {
  Pb graph;
  graph.m(1, Pb().s(1, "images").s(2, "output0").s(4, op_type));
  graph.s(2, "g");
  graph.m(11, onnx_value_info("images", in_dims));
  graph.m(12, onnx_value_info("output0", out_dims));
  Pb model;
  model.u(1, 7).s(2, "rkyolo-tests");
  model.m(8, Pb().s(1, "").u(2, 12));
  model.m(7, graph);
  return model.bytes;
}

}  // namespace rkyolo::test
