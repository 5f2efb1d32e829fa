// The CPU backend (OpenCV DNN): capabilities, scores and every way a model
// file can be unusable, each with one clear message naming the file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "backends/cpu/cpu_backend.h"
#include "rkyolo/model.h"
#include "support/onnx_builder.h"
#include "support/test_env.h"

namespace rkyolo {
namespace {

std::string demo_model() {
  return test::demo_model();
}

Status create_cpu(const std::string& path, std::unique_ptr<Backend>* out) {
  BackendOptions o;
  o.model_path = path;
  return create_cpu_backend(o, out);
}

TEST(CpuBackend, CapabilitiesOfTheDemoModel) {
  ASSERT_TRUE(std::filesystem::exists(demo_model())) << "the demo model is part of the repository";
  std::unique_ptr<Backend> b;
  ASSERT_TRUE(create_cpu(demo_model(), &b).ok());
  const InputCaps& in = b->caps().input;
  EXPECT_EQ(b->caps().name, "cpu");
  EXPECT_EQ(in.width, 640);
  EXPECT_EQ(in.height, 640);
  EXPECT_EQ(in.layout, TensorLayout::kNCHW);
  EXPECT_EQ(in.dtype, DType::kFloat32);
  EXPECT_EQ(in.color, PixelFormat::kRgb8);
  EXPECT_FALSE(in.zero_copy);
  EXPECT_EQ(in.size_bytes, 640u * 640 * 3 * 4);
  EXPECT_EQ(b->model_info().outputs.size(), 9u);
  ASSERT_TRUE(b->run().ok());
  ASSERT_EQ(b->outputs().size(), 9u);
  for (const TensorView& v : b->outputs()) EXPECT_NE(v.data, nullptr);
  // One placement, the CPU with OpenCV's thread budget; clones run there.
  const std::vector<Placement> places = b->placements();
  ASSERT_EQ(places.size(), 1u);
  EXPECT_EQ(places[0].device, Placement::Device::kCpu);
  EXPECT_GE(places[0].threads, 1);
  std::unique_ptr<Backend> c;
  ASSERT_TRUE(b->clone(places[0], &c).ok());
  EXPECT_EQ(c->model_info().outputs.size(), 9u);
  Placement npu;
  npu.device = Placement::Device::kNpu;
  EXPECT_EQ(b->clone(npu, &c).code(), StatusCode::kInvalidArgument);
}

TEST(CpuBackend, ScoreDependsOnTheModelFormat) {
  register_builtin_backends();
  Message why;
  for (const auto& f : registered_backends()) {
    if (f.name != "cpu") continue;
    BackendOptions o;
    o.model_path = "m.onnx";
    EXPECT_GT(f.score(o, &why), 0);
    o.model_path = "m.rknn";
    EXPECT_EQ(f.score(o, &why), 0);
    EXPECT_EQ(why.id(), MessageId::kCpuRunsOnnxOnly);
    EXPECT_NE(why.render().find("ONNX"), std::string::npos);
  }
}

class BadModels : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::temp_dir("bad_models"); }
  std::string write(const std::string& name, const std::string& bytes) {
    const std::string p = dir_ + "/" + name;
    test::write_bytes(p, bytes);
    return p;
  }
  std::string dir_;
};

TEST_F(BadModels, MissingFile) {
  std::unique_ptr<Backend> b;
  const Status s = create_cpu(dir_ + "/nope.onnx", &b);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("nope.onnx' does not exist"), std::string::npos) << s;
}

TEST_F(BadModels, EmptyFile) {
  std::unique_ptr<Backend> b;
  const Status s = create_cpu(write("empty.onnx", ""), &b);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("empty.onnx' is empty"), std::string::npos) << s;
}

TEST_F(BadModels, NotOnnx) {
  std::unique_ptr<Backend> b;
  const Status s = create_cpu(write("text.onnx", "this is not a model, just some text\n"), &b);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("text.onnx' is not a valid ONNX model"), std::string::npos) << s;
}

TEST_F(BadModels, TruncatedDemoModel) {
  const std::string full = test::read_text(demo_model());
  ASSERT_GT(full.size(), 1000u);
  for (double fraction : {0.1, 0.5, 0.99}) {
    std::unique_ptr<Backend> b;
    const Status s =
        create_cpu(write("cut.onnx", full.substr(0, static_cast<std::size_t>(full.size() * fraction))), &b);
    EXPECT_EQ(s.code(), StatusCode::kInvalidModel) << fraction;
    EXPECT_NE(s.message().find("truncated"), std::string::npos) << s;
  }
}

TEST_F(BadModels, OperatorOpenCvCannotRun) {
  std::unique_ptr<Backend> b;
  const Status s =
      create_cpu(write("weird.onnx", test::onnx_single_op_model("NoSuchOperator", {1, 3, 64, 64}, {1, 3, 64, 64})), &b);
  EXPECT_EQ(s.code(), StatusCode::kUnsupportedModel);
  EXPECT_NE(s.message().find("weird.onnx"), std::string::npos) << s;
}

TEST_F(BadModels, ValidOnnxThatIsNotYolo) {
  const std::string p = write("relu.onnx", test::onnx_single_op_model("Relu", {1, 3, 64, 64}, {1, 3, 64, 64}));
  std::unique_ptr<Backend> b;
  ASSERT_TRUE(create_cpu(p, &b).ok());  // OpenCV runs it...
  DetectorOptions o;
  o.model_path = p;
  std::shared_ptr<const Model> d;
  const Status s = Model::load(o, std::move(b), &d);  // ...but it is no YOLO model
  EXPECT_EQ(s.code(), StatusCode::kUnsupportedModel);
  EXPECT_NE(s.message().find("relu.onnx"), std::string::npos) << s;
  EXPECT_NE(s.message().find("output0 (1, 3, 64, 64)"), std::string::npos) << s;
}

TEST_F(BadModels, WrongInputShape) {
  std::unique_ptr<Backend> b;
  const Status s =
      create_cpu(write("gray.onnx", test::onnx_single_op_model("Relu", {1, 1, 64, 64}, {1, 1, 64, 64})), &b);
  EXPECT_EQ(s.code(), StatusCode::kUnsupportedModel);
  EXPECT_NE(s.message().find("(1, 1, 64, 64)"), std::string::npos) << s;
}

}  // namespace
}  // namespace rkyolo
