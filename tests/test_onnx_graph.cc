// The in-memory ONNX graph: the writer against the reader (round trips of a
// hand-built model and of the real ones), the validator on the hostile
// inputs that used to crash OpenCV's importer (issue 9, item 8), and the
// import rewrites on small graphs and on every file in ../shared/models/arch.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/onnx_graph.h"
#include "core/onnx_reader.h"
#include "core/onnx_rewrite.h"
#include "support/test_env.h"

namespace rkyolo::core {
namespace {

OnnxAttribute ints_attr(const std::string& name, std::vector<std::int64_t> v) {
  OnnxAttribute a;
  a.name = name;
  a.type = kAttrInts;
  a.ints = std::move(v);
  return a;
}

OnnxAttribute int_attr(const std::string& name, std::int64_t v) {
  OnnxAttribute a;
  a.name = name;
  a.type = kAttrInt;
  a.i = v;
  return a;
}

OnnxValueInfo value(const std::string& name, std::vector<std::int64_t> dims) {
  OnnxValueInfo v;
  v.name = name;
  v.has_shape = true;
  v.dims = std::move(dims);
  v.dim_params.assign(v.dims.size(), "");
  return v;
}

OnnxNode node(const std::string& name, const std::string& op, std::vector<std::string> in,
              std::vector<std::string> out) {
  OnnxNode n;
  n.name = name;
  n.op_type = op;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

// images (1,3,8,8) -> Conv(w 4x3x1x1) -> Clip(min, max as constant inputs) -> Split([1, 3] as input) -> a, b
OnnxModel small_model() {
  OnnxModel m;
  m.ir_version = 8;
  m.producer_name = "rkyolo-tests";
  m.opsets = {{"", 16}};
  m.metadata = {{"task", "detect"}, {"names", "{0: 'a'}"}};
  m.graph_name = "g";
  m.inputs = {value("images", {1, 3, 8, 8})};
  m.initializers.push_back(OnnxTensor::from_float("w", std::vector<float>(12, 0.5f), {4, 3, 1, 1}));
  m.initializers.push_back(OnnxTensor::from_float("lo", {0.0f}, {}));
  m.initializers.push_back(OnnxTensor::from_float("hi", {6.0f}, {}));
  m.initializers.push_back(OnnxTensor::from_int64("split", {1, 3}, {2}));
  OnnxNode conv = node("conv", "Conv", {"images", "w"}, {"c"});
  conv.attributes = {ints_attr("kernel_shape", {1, 1}), ints_attr("pads", {0, 0, 0, 0})};
  OnnxAttribute f;
  f.name = "alpha";
  f.type = kAttrFloat;
  f.f = 0.25f;
  conv.attributes.push_back(f);
  m.nodes.push_back(conv);
  m.nodes.push_back(node("clip", "Clip", {"c", "lo", "hi"}, {"r"}));
  OnnxNode split = node("split", "Split", {"r", "split"}, {"a", "b"});
  split.attributes = {int_attr("axis", 1)};
  m.nodes.push_back(split);
  m.outputs = {value("a", {1, 1, 8, 8}), value("b", {1, 3, 8, 8})};
  return m;
}

Status read(const std::vector<std::uint8_t>& b, OnnxModel* m) {
  return read_onnx_model(b.data(), b.size(), "m.onnx", m);
}

void expect_same(const OnnxModel& a, const OnnxModel& b) {
  EXPECT_EQ(a.ir_version, b.ir_version);
  EXPECT_EQ(a.producer_name, b.producer_name);
  EXPECT_EQ(a.opsets, b.opsets);
  EXPECT_EQ(a.metadata, b.metadata);
  EXPECT_EQ(a.graph_name, b.graph_name);
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (std::size_t k = 0; k < a.nodes.size(); ++k) {
    const OnnxNode &x = a.nodes[k], &y = b.nodes[k];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.op_type, y.op_type);
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.outputs, y.outputs);
    ASSERT_EQ(x.attributes.size(), y.attributes.size()) << x.name;
    for (std::size_t i = 0; i < x.attributes.size(); ++i) {
      EXPECT_EQ(x.attributes[i].name, y.attributes[i].name);
      EXPECT_EQ(x.attributes[i].type, y.attributes[i].type);
      EXPECT_EQ(x.attributes[i].i, y.attributes[i].i);
      EXPECT_EQ(x.attributes[i].f, y.attributes[i].f);
      EXPECT_EQ(x.attributes[i].ints, y.attributes[i].ints);
      EXPECT_EQ(x.attributes[i].t.data, y.attributes[i].t.data);
    }
  }
  ASSERT_EQ(a.initializers.size(), b.initializers.size());
  for (std::size_t k = 0; k < a.initializers.size(); ++k) {
    EXPECT_EQ(a.initializers[k].name, b.initializers[k].name);
    EXPECT_EQ(a.initializers[k].dims, b.initializers[k].dims);
    EXPECT_EQ(a.initializers[k].data_type, b.initializers[k].data_type);
    EXPECT_EQ(a.initializers[k].data, b.initializers[k].data);
  }
  ASSERT_EQ(a.inputs.size(), b.inputs.size());
  ASSERT_EQ(a.outputs.size(), b.outputs.size());
  for (std::size_t k = 0; k < a.outputs.size(); ++k) {
    EXPECT_EQ(a.outputs[k].name, b.outputs[k].name);
    EXPECT_EQ(a.outputs[k].dims, b.outputs[k].dims);
  }
}

TEST(OnnxGraph, WriteThenReadBackIsEqual) {
  const OnnxModel m = small_model();
  const std::vector<std::uint8_t> bytes = write_onnx_model(m);
  OnnxModel back;
  ASSERT_TRUE(read(bytes, &back).ok());
  // Attributes read from a file keep their bytes; compare the values.
  expect_same(m, back);
  // The existing reader (rkyolo info) sees the same model.
  OnnxModelInfo info;
  ASSERT_TRUE(parse_onnx(bytes.data(), bytes.size(), "m.onnx", &info).ok());
  EXPECT_EQ(info.node_count, 3u);
  EXPECT_EQ(info.inputs.size(), 1u);
  EXPECT_EQ(info.outputs.size(), 2u);
  EXPECT_EQ(info.metadata.at("names"), "{0: 'a'}");
  // Writing what was read gives the same bytes again.
  EXPECT_EQ(write_onnx_model(back), write_onnx_model(m));
  EXPECT_TRUE(validate_onnx_model(back, "m.onnx").ok());
}

TEST(OnnxGraph, EveryTruncationIsOneSentence) {
  const std::vector<std::uint8_t> bytes = write_onnx_model(small_model());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    OnnxModel m;
    const Status s = read_onnx_model(bytes.data(), n, "t.onnx", &m);
    if (s.ok()) {
      // A prefix that happens to parse must still be refused by validation
      // or be a complete model.
      (void)validate_onnx_model(m, "t.onnx");
      continue;
    }
    EXPECT_EQ(s.message().find('\n'), std::string::npos);
    EXPECT_NE(s.message().find("t.onnx"), std::string::npos);
  }
}

TEST(OnnxGraph, RealModelsRoundTrip) {
  RKYOLO_REQUIRE_SHARED();
  for (const char* name : {"yolov8n-coco.onnx", "yolov8n-coco-split.onnx", "yolov5n-coco.onnx"}) {
    std::vector<std::uint8_t> bytes;
    ASSERT_TRUE(read_file_bytes(test::shared_dir() + "/models/" + name, &bytes).ok());
    OnnxModel m, back;
    ASSERT_TRUE(read(bytes, &m).ok()) << name;
    EXPECT_TRUE(validate_onnx_model(m, name).ok()) << validate_onnx_model(m, name).message();
    const std::vector<std::uint8_t> written = write_onnx_model(m);
    ASSERT_TRUE(read(written, &back).ok()) << name;
    expect_same(m, back);
    EXPECT_EQ(write_onnx_model(back), written) << name;
  }
}

// ------------------------------------------- issue 9 item 8: hostile graphs

Status validate(const OnnxModel& m) {
  // Through the bytes, as a file would arrive.
  OnnxModel back;
  RKYOLO_RETURN_IF_ERROR(read(write_onnx_model(m), &back));
  return validate_onnx_model(back, "bad.onnx");
}

void expect_refused(const Status& s, const std::string& name) {
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel) << s.message();
  EXPECT_NE(s.message().find("bad.onnx"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(name), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
}

TEST(OnnxGraphValidation, UndefinedTensorName) {
  OnnxModel m = small_model();
  m.nodes[1].inputs[0] = "nobody_makes_this";
  expect_refused(validate(m), "nobody_makes_this");
  expect_refused(validate(m), "'clip' (Clip)");
}

TEST(OnnxGraphValidation, TensorUsedBeforeItsNode) {
  OnnxModel m = small_model();
  std::swap(m.nodes[0], m.nodes[1]);
  expect_refused(validate(m), "'c'");
}

TEST(OnnxGraphValidation, InitializerWithAZeroDimension) {
  OnnxModel m = small_model();
  m.initializers[0].dims = {4, 0, 1, 1};
  m.initializers[0].data.clear();
  expect_refused(validate(m), "initializer 'w'");
  expect_refused(validate(m), "dimension of 0");
  // 1-D and empty: refused where a Conv would read it.
  m = small_model();
  m.initializers[0].dims = {0};
  m.initializers[0].data.clear();
  expect_refused(validate(m), "'w', which has a dimension of 0");
}

TEST(OnnxGraphValidation, InitializerDimsLargerThanItsData) {
  OnnxModel m = small_model();
  m.initializers[0].dims = {64, 3, 3, 3};  // 6912 bytes declared, 48 held
  expect_refused(validate(m), "initializer 'w'");
  expect_refused(validate(m), "48 bytes");
}

TEST(OnnxGraphValidation, NegativeAndHugeDims) {
  OnnxModel m = small_model();
  m.initializers[0].dims = {4, -3, 1, 1};
  expect_refused(validate(m), "initializer 'w'");
  m = small_model();
  m.initializers[0].dims = {kMaxOnnxDim + 1, 1, 1, 1};
  expect_refused(validate(m), "initializer 'w'");
  m = small_model();
  m.initializers[0].dims = {1 << 20, 1 << 20, 1 << 20, 1};  // elements overflow the limit
  expect_refused(validate(m), "initializer 'w'");
  m = small_model();
  m.inputs[0].dims = {1, 3, 100000, 100000};
  expect_refused(validate(m), "input 'images'");
}

TEST(OnnxGraphValidation, DuplicateAndMissingDefinitions) {
  OnnxModel m = small_model();
  m.nodes[1].outputs[0] = "c";  // defined twice
  expect_refused(validate(m), "'c'");
  m = small_model();
  m.outputs[0].name = "ghost";
  expect_refused(validate(m), "ghost");
  m = small_model();
  OnnxNode c = node("k", "Constant", {}, {"k_out"});
  OnnxAttribute v;
  v.name = "value";
  v.type = kAttrTensor;
  v.t = OnnxTensor::from_float("", {1, 2}, {3});  // 3 floats declared, 2 held
  c.attributes.push_back(v);
  m.nodes.insert(m.nodes.begin(), c);
  expect_refused(validate(m), "constant 'k_out'");
}

TEST(OnnxGraphValidation, EmptyConstantForResizeRoiIsAllowed) {
  OnnxModel m = small_model();
  OnnxNode c = node("roi", "Constant", {}, {"roi_out"});
  OnnxAttribute v;
  v.name = "value";
  v.type = kAttrTensor;
  v.t = OnnxTensor::from_float("", {}, {0});
  c.attributes.push_back(v);
  m.nodes.insert(m.nodes.begin(), c);
  EXPECT_TRUE(validate(m).ok()) << validate(m).message();
}

// ---------------------------------------------------------------- rewrites

TEST(OnnxRewrite, ConstantInputsBecomeAttributes) {
  OnnxModel m = small_model();
  OnnxImportReport report;
  ASSERT_TRUE(rewrite_for_opencv(&m, "m.onnx", &report).ok());
  ASSERT_EQ(report.rewrites.size(), 1u);
  EXPECT_NE(report.rewrites[0].find("1 Clip, 1 Split"), std::string::npos) << report.rewrites[0];
  const OnnxNode& clip = m.nodes[1];
  EXPECT_EQ(clip.inputs.size(), 1u);
  ASSERT_NE(clip.attribute("min"), nullptr);
  EXPECT_EQ(clip.attribute("min")->f, 0.0f);
  EXPECT_EQ(clip.attribute("max")->f, 6.0f);
  EXPECT_EQ(m.nodes[2].inputs.size(), 1u);
  EXPECT_EQ(m.nodes[2].ints_attribute("split"), (std::vector<std::int64_t>{1, 3}));
  ASSERT_NE(m.metadata_value(kRewritesMetadataKey), nullptr);
  EXPECT_TRUE(validate_onnx_model(m, "m.onnx").ok());
}

TEST(OnnxRewrite, ShapeArithmeticFoldsToConstants) {
  // x (1,3,8,8) -> Shape -> Gather(1) -> Div(2) -> Unsqueeze -> Slice(x, 0, that, axis 1): Tensor.chunk's export
  OnnxModel m;
  m.ir_version = 8;
  m.opsets = {{"", 16}};
  m.inputs = {value("images", {1, 4, 8, 8})};
  m.initializers.push_back(OnnxTensor::from_int64("one", {1}, {}));
  m.initializers.push_back(OnnxTensor::from_int64("two", {2}, {}));
  m.initializers.push_back(OnnxTensor::from_int64("zero", {0}, {1}));
  m.initializers.push_back(OnnxTensor::from_int64("axis", {1}, {1}));
  m.nodes.push_back(node("s", "Shape", {"images"}, {"shape"}));
  m.nodes.push_back(node("g", "Gather", {"shape", "one"}, {"c"}));
  m.nodes.push_back(node("d", "Div", {"c", "two"}, {"half"}));
  OnnxNode u = node("u", "Unsqueeze", {"half", "zero"}, {"end"});
  m.nodes.push_back(u);
  m.nodes.push_back(node("slice", "Slice", {"images", "zero", "end", "axis"}, {"y"}));
  m.outputs = {value("y", {1, 2, 8, 8})};
  OnnxImportReport report;
  ASSERT_TRUE(rewrite_for_opencv(&m, "m.onnx", &report).ok());
  ASSERT_EQ(m.nodes.size(), 1u);
  EXPECT_EQ(m.nodes[0].op_type, "Slice");
  bool found = false;
  for (const auto& t : m.initializers)
    if (t.name == "end") {
      std::vector<std::int64_t> v;
      ASSERT_TRUE(t.to_int64(&v));
      EXPECT_EQ(v, (std::vector<std::int64_t>{2}));
      found = true;
    }
  EXPECT_TRUE(found);
  EXPECT_NE(report.rewrites[0].find("folded 4 shape computation"), std::string::npos) << report.rewrites[0];
}

TEST(OnnxRewrite, OtherTasksAreNamed) {
  OnnxModel m = small_model();
  m.set_metadata("task", "pose");
  OnnxImportReport report;
  const Status s = rewrite_for_opencv(&m, "m.onnx", &report);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnsupportedModel);
  EXPECT_NE(s.message().find("'pose' task is not supported yet"), std::string::npos) << s.message();
}

// Every stock export in ../shared/models/arch: detect families are cut at
// their heads (strides 8/16/32, their class count), others get the task.
struct ArchCase {
  const char* file;
  const char* family;
  std::int64_t classes, grid_h8, grid_w8;
  const char* refused_task;  // non-null: must be refused naming it
};

const ArchCase kArch[] = {
    {"yolov5nu-random.onnx", "yolov5", 80, 80, 80, nullptr},
    {"yolov8n-random.onnx", "yolov8", 80, 80, 80, nullptr},
    {"yolov9t-random.onnx", "yolov9", 80, 80, 80, nullptr},
    {"yolov10n-random.onnx", "yolov10", 80, 80, 80, nullptr},
    {"yolo11n-random.onnx", "yolo11", 80, 80, 80, nullptr},
    {"yolov8n-nc1-random.onnx", "yolov8", 1, 80, 80, nullptr},
    {"yolo11n-nc3-384x640-random.onnx", "yolo11", 3, 48, 80, nullptr},
    {"yolov8n-seg-random.onnx", nullptr, 0, 0, 0, "segment"},
    {"yolov8n-pose-random.onnx", nullptr, 0, 0, 0, "pose"},
    {"yolov8n-obb-random.onnx", nullptr, 0, 0, 0, "obb"},
};

TEST(OnnxRewrite, EveryArchFamily) {
  RKYOLO_REQUIRE_SHARED();
  for (const ArchCase& c : kArch) {
    SCOPED_TRACE(c.file);
    const std::string path = test::shared_dir() + "/models/arch/" + c.file;
    if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";
    std::vector<std::uint8_t> bytes;
    ASSERT_TRUE(read_file_bytes(path, &bytes).ok());
    OnnxModel m;
    OnnxImportReport report;
    const Status s = import_onnx_for_opencv(&bytes, path, &m, &report);
    if (c.refused_task != nullptr) {
      ASSERT_FALSE(s.ok());
      EXPECT_NE(s.message().find(std::string("'") + c.refused_task + "' task is not supported yet"), std::string::npos)
          << s.message();
      continue;
    }
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(report.family, c.family);
    ASSERT_EQ(m.outputs.size(), 6u);
    const int strides[] = {8, 16, 32};
    for (int k = 0; k < 3; ++k) {
      const std::string st = std::to_string(strides[k]);
      EXPECT_EQ(m.outputs[2 * k].name, "box_s" + st);
      EXPECT_EQ(m.outputs[2 * k + 1].name, "cls_s" + st);
      EXPECT_EQ(m.outputs[2 * k].dims, (std::vector<std::int64_t>{1, 64, c.grid_h8 >> k, c.grid_w8 >> k}));
      EXPECT_EQ(m.outputs[2 * k + 1].dims, (std::vector<std::int64_t>{1, c.classes, c.grid_h8 >> k, c.grid_w8 >> k}));
    }
    for (const OnnxNode& n : m.nodes) {
      EXPECT_NE(n.op_type, "TopK");
      EXPECT_NE(n.op_type, "Shape");
      if (n.op_type == "Split") EXPECT_EQ(n.inputs.size(), 1u);
    }
    // What OpenCV gets reads back equal.
    OnnxModel back;
    ASSERT_TRUE(read(bytes, &back).ok());
    expect_same(m, back);
  }
}

TEST(OnnxRewrite, ExportWritesTheZooLayoutAtOpset12) {
  RKYOLO_REQUIRE_SHARED();
  std::vector<std::uint8_t> bytes;
  ASSERT_TRUE(read_file_bytes(test::shared_dir() + "/models/arch/yolo11n-random.onnx", &bytes).ok());
  OnnxModel m;
  ASSERT_TRUE(read(bytes, &m).ok());
  OnnxImportReport report;
  ASSERT_TRUE(export_rknn_split(&m, "yolo11n", &report).ok());
  EXPECT_EQ(m.opset(), 12);
  ASSERT_EQ(m.outputs.size(), 9u);
  const char* names[] = {"box_s8",        "cls_s8",  "score_sum_s8", "box_s16",      "cls_s16",
                         "score_sum_s16", "box_s32", "cls_s32",      "score_sum_s32"};
  for (int k = 0; k < 9; ++k) EXPECT_EQ(m.outputs[k].name, names[k]);
  EXPECT_EQ(m.outputs[2].dims, (std::vector<std::int64_t>{1, 1, 80, 80}));
  ASSERT_NE(m.metadata_value("names"), nullptr);
  ASSERT_NE(m.metadata_value("stride"), nullptr);
  for (const OnnxNode& n : m.nodes) {
    EXPECT_NE(n.op_type, "Clip");
    EXPECT_EQ(n.attribute("allowzero"), nullptr);
    if (n.op_type == "Resize") EXPECT_FALSE(n.inputs[1].empty());
  }
  // A stock file without the decode (the split file) is not exportable.
  ASSERT_TRUE(read_file_bytes(test::shared_dir() + "/models/yolov8n-coco-split.onnx", &bytes).ok());
  ASSERT_TRUE(read(bytes, &m).ok());
  const Status s = export_rknn_split(&m, "split.onnx", &report);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no Ultralytics Detect head"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace rkyolo::core
