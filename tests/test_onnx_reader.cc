// The ONNX reader (the summary of core/onnx_graph.h's parse) on a model built
// here byte by byte, on every truncation of it, on garbage, and on the real
// models in ../shared.
#include <gtest/gtest.h>

#include <random>

#include "core/onnx_graph.h"
#include "core/onnx_reader.h"
#include "support/onnx_builder.h"
#include "support/test_env.h"

namespace rkyolo::core {
namespace {

using test::Pb;

Pb value_info(const std::string& name, int elem, const std::vector<std::int64_t>& dims, const std::string& sym = "") {
  Pb v = test::onnx_value_info(name, dims, elem);
  (void)sym;
  return v;
}

struct Built {
  std::string bytes;
  std::size_t graph_begin, graph_end;
};

Built build_model() {
  Pb graph;
  graph.m(1, Pb().s(1, "images").s(2, "y").s(4, "Conv"));
  graph.m(1, Pb().s(1, "y").s(2, "out").s(4, "Sigmoid"));
  graph.s(2, "g");
  graph.m(5, Pb().u(1, 4).s(8, "conv.weight").s(9, std::string(64, '\x01')));  // initializer with raw data
  graph.m(11, value_info("images", 1, {1, 3, 640, 640}));
  graph.m(11, value_info("conv.weight", 1, {16, 3, 3, 3}));  // IR < 4 style: initializer listed as input
  graph.m(12, value_info("out", 1, {-1, 84, 8400}, "batch"));
  Pb model;
  model.u(1, 7).s(2, "pytorch").s(3, "1.13");
  model.m(8, Pb().s(1, "").u(2, 12));
  const std::size_t begin = model.bytes.size();
  model.m(7, graph);
  const std::size_t end = model.bytes.size();
  model.m(14, Pb().s(1, "names").s(2, "{0: 'a'}"));
  return {model.bytes, begin, end};
}

Status parse(const std::string& b, OnnxModelInfo* info) {
  return parse_onnx(reinterpret_cast<const std::uint8_t*>(b.data()), b.size(), "m.onnx", info);
}

TEST(OnnxReader, ReadsInputsOutputsMetadataOpsets) {
  OnnxModelInfo info;
  ASSERT_TRUE(parse(build_model().bytes, &info).ok());
  EXPECT_EQ(info.ir_version, 7);
  EXPECT_EQ(info.producer, "pytorch 1.13");
  EXPECT_EQ(info.opsets.at(""), 12);
  ASSERT_EQ(info.inputs.size(), 1u);  // the initializer is not a real input
  EXPECT_EQ(info.inputs[0].name, "images");
  EXPECT_EQ(info.inputs[0].dims, (std::vector<std::int64_t>{1, 3, 640, 640}));
  EXPECT_EQ(info.inputs[0].dtype, DType::kFloat32);
  ASSERT_EQ(info.outputs.size(), 1u);
  EXPECT_EQ(info.outputs[0].dims, (std::vector<std::int64_t>{-1, 84, 8400}));
  EXPECT_EQ(info.metadata.at("names"), "{0: 'a'}");
  EXPECT_EQ(info.op_counts.at("Conv"), 1);
  EXPECT_EQ(info.node_count, 2u);
}

TEST(OnnxReader, EveryTruncationIsAnErrorNeverACrash) {
  const Built m = build_model();
  for (std::size_t n = 0; n < m.bytes.size(); ++n) {
    OnnxModelInfo info;
    const Status s = parse(m.bytes.substr(0, n), &info);
    if (n > m.graph_begin && n < m.graph_end) {
      ASSERT_EQ(s.code(), StatusCode::kInvalidModel) << "prefix " << n;
      EXPECT_NE(s.message().find("m.onnx"), std::string::npos);
    }
    if (n <= m.graph_begin) EXPECT_FALSE(s.ok()) << "prefix " << n << " has no graph";
  }
}

// One parser: wherever the graph parser refuses a file, the summary refuses
// it with the same sentence (truncations, and a dim of 2^64-1 that a varint
// read as int64 would turn into -1, "unknown").
TEST(OnnxReader, RefusesWithTheGraphParsersSentence) {
  const Built m = build_model();
  std::vector<std::string> inputs;
  for (std::size_t n = 0; n < m.bytes.size(); ++n) inputs.push_back(m.bytes.substr(0, n));
  Pb shape;
  for (std::uint64_t d : {std::uint64_t{1}, std::uint64_t{3}, ~std::uint64_t{0}, std::uint64_t{64}})
    shape.m(1, Pb().u(1, d));
  Pb graph;
  graph.m(1, Pb().s(1, "images").s(2, "out").s(4, "Relu"));
  graph.m(11, Pb().s(1, "images").m(2, Pb().m(1, Pb().u(1, 1).m(2, shape))));
  graph.m(12, test::onnx_value_info("out", {1, 3, 64, 64}));
  inputs.push_back(Pb().u(1, 7).m(7, graph).bytes);
  int refused = 0;
  for (const std::string& b : inputs) {
    OnnxModel model;
    const Status graph_status =
        read_onnx_model(reinterpret_cast<const std::uint8_t*>(b.data()), b.size(), "m.onnx", &model);
    if (graph_status.ok()) continue;
    ++refused;
    OnnxModelInfo info;
    const Status s = parse(b, &info);
    EXPECT_EQ(s.code(), graph_status.code()) << b.size();
    EXPECT_EQ(s.message(), graph_status.message()) << b.size();
  }
  EXPECT_GT(refused, 10);
  OnnxModelInfo info;
  const Status s = parse(inputs.back(), &info);
  EXPECT_NE(s.message().find("tensor 'images' has a dimension of -1, more than 268435456"), std::string::npos) << s;
}

TEST(OnnxReader, GarbageAndOtherFormatsAreRejected) {
  OnnxModelInfo info;
  std::mt19937 rng(1);
  for (int trial = 0; trial < 200; ++trial) {
    std::string junk(1 + rng() % 4096, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    EXPECT_FALSE(parse(junk, &info).ok());
  }
  const Status s = parse(std::string("\xff\xd8\xff\xe0\x00\x10JFIF\x00", 11), &info);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("not a valid ONNX model"), std::string::npos) << s;
  EXPECT_FALSE(parse("", &info).ok());
}

// The innermost reason of a refusal: onnx.not_valid's {why}, then its {detail}.
MessageId reason(const Status& s) {
  const Message* m = &s.detail();
  for (const char* name : {"why", "detail"})
    if (const MessageArg* a = m->arg(name); a != nullptr && a->nested() != nullptr) m = a->nested();
  return m->id();
}

// Each malformation the parser refuses: the sentence users have always seen,
// and the identity it has from where it was found.
TEST(OnnxReader, EachMalformationKeepsItsSentenceAndHasAnIdentity) {
  const auto in_graph = [](const Pb& graph) { return Pb().u(1, 7).m(7, graph).bytes; };
  Pb tensor_dims, value_dims, nodes;
  for (int k = 0; k < 65; ++k) {
    tensor_dims.u(1, 1);
    value_dims.m(1, Pb().u(1, 1));
  }
  for (std::size_t k = 0; k <= kMaxOnnxNodes; ++k) nodes.m(1, Pb().s(4, "Relu"));
  Pb ints;
  ints.s(8, std::string((1u << 20) + 1, '\0')).s(8, std::string(1, '\0'));
  const auto value = [](const Pb& shape) { return Pb().s(1, "images").m(2, Pb().m(1, Pb().m(2, shape))); };
  const std::string truncated = "the file is truncated or damaged: ";
  const struct {
    std::string bytes;
    MessageId reason;
    std::string why;
  } cases[] = {
      {"\x80", MessageId::kWireTruncatedKey, truncated + "truncated field key"},
      {std::string(1, '\0'), MessageId::kWireFieldZero, "field number 0"},
      {"\x08\x80", MessageId::kWireTruncatedVarint, truncated + "truncated varint"},
      {std::string("\x09\0", 2), MessageId::kWireTruncated64, truncated + "truncated 64-bit field"},
      {std::string("\x0d\0", 2), MessageId::kWireTruncated32, truncated + "truncated 32-bit field"},
      {"\x12\x80", MessageId::kWireTruncatedLength, truncated + "truncated length"},
      {std::string("\x12\x05\0", 3), MessageId::kWirePastEnd, truncated + "a field runs past the end of the data"},
      {"\x0b", MessageId::kWireInvalidType, "invalid wire type 3"},
      {in_graph(Pb().m(5, Pb().s(1, "\x80"))), MessageId::kWireTruncatedPackedVarints,
       truncated + "truncated packed varint list"},
      {in_graph(Pb().m(5, Pb().s(4, "abc"))), MessageId::kWirePackedFloats,
       "a packed float list is not a whole number of floats"},
      {in_graph(Pb().m(5, tensor_dims)), MessageId::kOnnxTensorTooManyDims, "a tensor has more than 64 dimensions"},
      {in_graph(Pb().m(11, value(value_dims))), MessageId::kOnnxValueTooManyDims,
       "a value has more than 64 dimensions"},
      {in_graph(Pb().m(11, value(Pb().m(1, Pb().u(1, ~std::uint64_t{0}))))), MessageId::kOnnxValueDimTooLarge,
       "tensor 'images' has a dimension of -1, more than 268435456"},
      {in_graph(nodes), MessageId::kOnnxTooManyNodes, "more than 100000 nodes"},
      {in_graph(Pb().m(1, Pb().s(4, "Relu").m(5, ints))), MessageId::kOnnxAttributeTooManyInts,
       "an attribute lists more than a million integers"},
  };
  for (const auto& c : cases) {
    OnnxModel model;
    const Status s =
        read_onnx_model(reinterpret_cast<const std::uint8_t*>(c.bytes.data()), c.bytes.size(), "m.onnx", &model);
    EXPECT_EQ(s.message(), "'m.onnx' is not a valid ONNX model (" + c.why + ")");
    EXPECT_EQ(reason(s), c.reason) << s;
  }
}

TEST(OnnxReader, MissingAndEmptyFiles) {
  OnnxModelInfo info;
  const std::string dir = test::temp_dir("onnx_reader");
  EXPECT_EQ(read_onnx_file(dir + "/nope.onnx", &info).code(), StatusCode::kNotFound);
  test::write_bytes(dir + "/empty.onnx", "");
  const Status s = read_onnx_file(dir + "/empty.onnx", &info);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("empty"), std::string::npos);
  EXPECT_FALSE(read_onnx_file(dir, &info).ok());  // a directory
}

TEST(OnnxReader, SharedYolov5nModels) {
  RKYOLO_REQUIRE_SHARED();
  OnnxModelInfo info;
  ASSERT_TRUE(read_onnx_file(test::shared_dir() + "/models/yolov5n-coco.onnx", &info).ok());
  ASSERT_EQ(info.inputs.size(), 1u);
  EXPECT_EQ(info.inputs[0].dims, (std::vector<std::int64_t>{1, 3, 640, 640}));
  ASSERT_EQ(info.outputs.size(), 1u);
  EXPECT_EQ(info.outputs[0].dims, (std::vector<std::int64_t>{1, 25200, 85}));
  EXPECT_EQ(info.opsets.at(""), 12);
  ASSERT_TRUE(read_onnx_file(test::shared_dir() + "/models/yolov5n-coco-heads.onnx", &info).ok());
  ASSERT_EQ(info.outputs.size(), 3u);
  EXPECT_EQ(info.outputs[0].dims, (std::vector<std::int64_t>{1, 255, 80, 80}));
}

}  // namespace
}  // namespace rkyolo::core
