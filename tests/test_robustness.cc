// Regression tests for issue 9 (hostile input) in the core library: each
// feeds the exact input that once hung, crashed, read wrong or allocated
// without bound, under a watchdog so a hang fails instead of stalling CI.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>

#include "core/decode.h"
#include "core/limits.h"
#include "core/metadata.h"
#include "core/onnx_reader.h"
#include "rkyolo/layout.h"
#include "support/onnx_builder.h"
#include "support/test_env.h"
#include "support/watchdog.h"
#include "support/yolo_synth.h"

namespace rkyolo::core {
namespace {

using test::Pb;

Status metadata(const std::string& key, const std::string& value) {
  ModelMetadata m;
  return parse_model_metadata({{key, value}}, &m);
}

TensorInfo tensor(const std::string& name, std::vector<std::int64_t> dims) {
  TensorInfo t;
  t.name = name;
  t.dims = std::move(dims);
  return t;
}

// Item 1: a single `stride` of 0-3 looped for ever, one >= 2^30 overflowed.
TEST(Robustness, MetadataStrideOutOfRangeIsAnErrorNotAHang) {
  test::Watchdog watchdog(test::kHangLimit);
  for (const char* stride : {"0", "1", "2", "3", "1073741824", "2147483647", "4294967296", "-8", "24", "1e300"}) {
    const Status st = metadata("stride", stride);
    EXPECT_EQ(st.code(), StatusCode::kInvalidModel) << stride;
    EXPECT_NE(st.message().find("'stride'"), std::string::npos) << st;
  }
  ModelMetadata m;
  ASSERT_TRUE(parse_model_metadata({{"stride", "64"}}, &m).ok());
  EXPECT_EQ(m.strides, (std::vector<int>{16, 32, 64}));
}

// Item 2: `nc` 2^32+1 read as 1; huge numbers converted with undefined behaviour.
TEST(Robustness, MetadataHugeNumbersAreErrorsNotTruncated) {
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"nc", "4294967297"},
                                                        {"nc", "99999999999999999999999"},
                                                        {"nc", "4097"},
                                                        {"stride", "[8, 16, 1e300]"},
                                                        {"imgsz", "1e300"},
                                                        {"imgsz", "[640, -2147483649]"},
                                                        {"imgsz", "100000"},
                                                        {"anchors", "[[10, 13, 1e300, 30]]"},
                                                        {"anchors", "[[10, 13, -16, 30]]"}}) {
    const Status st = metadata(key, value);
    EXPECT_EQ(st.code(), StatusCode::kInvalidModel) << key << ": " << value;
  }
  std::string many = "[";
  for (int i = 0; i <= kMaxClasses; ++i) many += "'c',";
  EXPECT_FALSE(metadata("names", many + "]").ok());
  EXPECT_FALSE(metadata("names", "'" + std::string(kMaxMetadataValueBytes + 1, 'x') + "'").ok());
}

// Item 3: SIGFPE from a stride list holding 0 or a large negative value.
TEST(Robustness, MetadataStrideListWithZeroOrNegativeIsAnError) {
  test::Watchdog watchdog(test::kHangLimit);
  const std::vector<TensorInfo> outputs = {tensor("output0", {1, 84, 8400})};
  for (const char* strides : {"[0, 16, 32]", "[8, -2147483648, 32]", "[8, 16, -1]", "[]"}) {
    YoloLayout l;
    const Status st = detect_layout(outputs, 640, 640, {{"stride", strides}}, LayoutHints{}, &l);
    EXPECT_EQ(st.code(), StatusCode::kInvalidModel) << strides << ": " << st;
  }
}

// Item 4: an output shape implying a huge class count (an .rknn's declared
// dims) reached a labels allocation of tens of GB before any size check.
TEST(Robustness, HugeClassCountsAndShapesAreRefusedByLayoutDetection) {
  YoloLayout l;
  const std::vector<std::vector<TensorInfo>> cases = {
      {tensor("output0", {1, 4 + 30000, 8400})},              // v8 combined, 30000 classes
      {tensor("output0", {1, 8400, std::int64_t{1} << 40})},  // elements overflow
      {tensor("output0", {1, 4294967295, 8400})},             // uint32 dims from a runtime
      {tensor("a", {1, 64, 80, 80}), tensor("b", {1, 5000, 80, 80}), tensor("c", {1, 64, 40, 40}),
       tensor("d", {1, 5000, 40, 40})},  // v8 split, 5000 classes
  };
  for (const auto& outputs : cases) {
    const Status st = detect_layout(outputs, 640, 640, {}, LayoutHints{}, &l);
    EXPECT_EQ(st.code(), StatusCode::kUnsupportedModel) << st;
  }
  // Hints are bounded too: an empty anchor level divided by zero.
  LayoutHints hints;
  hints.anchors = {{}, {}, {}};
  const std::vector<TensorInfo> v5 = {tensor("p3", {1, 255, 80, 80}), tensor("p4", {1, 255, 40, 40}),
                                      tensor("p5", {1, 255, 20, 20})};
  EXPECT_EQ(detect_layout(v5, 640, 640, {}, hints, &l).code(), StatusCode::kInvalidArgument);
}

// Item 7a: a 100000 x 100000 input.
TEST(Robustness, HugeInputIsRefusedBeforeAllocation) {
  YoloLayout l;
  const Status st = detect_layout({tensor("output0", {1, 84, 8400})}, 100000, 100000, {}, LayoutHints{}, &l);
  EXPECT_EQ(st.code(), StatusCode::kUnsupportedModel);
  EXPECT_NE(st.message().find("100000x100000"), std::string::npos) << st;

  OnnxModelInfo info;
  const std::string model = test::onnx_single_op_model("Relu", {1, 3, 100000, 100000}, {1, 3, 100000, 100000});
  const Status ps = parse_onnx(reinterpret_cast<const std::uint8_t*>(model.data()), model.size(), "huge.onnx", &info);
  EXPECT_EQ(ps.code(), StatusCode::kInvalidModel);
  EXPECT_NE(ps.message().find("more than"), std::string::npos) << ps;
}

// The ONNX reader bounds dims (a varint of 2^64-1 read as -1, 2^63 as
// negative) and ranks before anything sizes a buffer from them.
TEST(Robustness, OnnxReaderBoundsDimsAndRank) {
  auto model_with_dims = [](const std::vector<std::uint64_t>& dims) {
    Pb shape;
    for (auto d : dims) shape.m(1, Pb().u(1, d));
    Pb type;
    type.m(1, Pb().u(1, 1).m(2, shape));
    Pb graph;
    graph.m(1, Pb().s(1, "images").s(2, "out").s(4, "Relu"));
    graph.m(11, Pb().s(1, "images").m(2, type));
    graph.m(12, test::onnx_value_info("out", {1, 3, 64, 64}));
    Pb model;
    model.u(1, 7).m(7, graph);
    return model.bytes;
  };
  for (const auto& dims : std::vector<std::vector<std::uint64_t>>{{1, 3, ~std::uint64_t{0}, 64},
                                                                  {1, 3, std::uint64_t{1} << 63, 64},
                                                                  {1, 3, 1u << 20, 1u << 20},
                                                                  {1, 1, 1, 1, 1, 1, 1, 1, 1}}) {
    const std::string b = model_with_dims(dims);
    OnnxModelInfo info;
    EXPECT_EQ(parse_onnx(reinterpret_cast<const std::uint8_t*>(b.data()), b.size(), "m.onnx", &info).code(),
              StatusCode::kInvalidModel);
  }
}

// Item 7a: a multi-GB model file is refused from its size, not read whole;
// a FIFO is refused instead of blocking.
TEST(Robustness, OversizedFilesAndFifosAreNotRead) {
  test::Watchdog watchdog(test::kHangLimit);
  const std::string dir = test::temp_dir("robustness_files");
  const std::string big = dir + "/big.onnx";
  {
    std::FILE* f = std::fopen(big.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(::ftruncate(fileno(f), static_cast<off_t>(3) << 30), 0);  // 3 GiB, sparse
    std::fclose(f);
  }
  std::vector<std::uint8_t> bytes;
  Status st = read_file_bytes(big, &bytes);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("3221225472 bytes"), std::string::npos) << st;
  EXPECT_TRUE(bytes.empty());
  std::remove(big.c_str());

  const std::string fifo = dir + "/fifo.onnx";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  st = read_file_bytes(fifo, &bytes);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("not a regular file"), std::string::npos) << st;
}

// Item 5: NaN scores passed the YOLOv5 decoders (NaN < conf is false) and
// reached the JSON as null. Every decoder and the reference, on tensors
// where a third of the values are NaN or infinite.
TEST(Robustness, NanAndInfNeverBecomeCandidates) {
  std::mt19937 rng(9);
  const std::vector<test::TruthBox> truth = test::random_boxes(rng, 10, 3, 320);
  std::vector<test::TruthBox> v8_truth = truth;
  const std::vector<test::SynthModel> models = {test::make_yolov5_split(truth, 3, 320, rng),
                                                test::make_yolov5_combined(truth, 3, 320, rng),
                                                test::make_yolov8_combined(truth, 3, 320, rng, false),
                                                test::make_yolov8_combined(truth, 3, 320, rng, true),
                                                test::make_yolov8_split(v8_truth, 3, 320, true, rng, false),
                                                test::make_yolov8_split(v8_truth, 3, 320, false, rng, false),
                                                test::make_end_to_end(truth, 50)};
  const std::map<std::string, std::string> meta_e2e = {{"names", "['a', 'b', 'c']"}, {"end2end", "True"}};
  const float poison[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity()};
  for (const test::SynthModel& clean : models) {
    test::SynthModel m = clean;
    for (auto& t : m.outputs)
      for (auto& v : t.data)
        if (rng() % 3 == 0) v = poison[rng() % 3];
    std::vector<test::EncodedTensor> enc;
    std::vector<TensorInfo> infos;
    for (const auto& t : m.outputs) enc.push_back(test::encode_float(t));
    for (const auto& e : enc) infos.push_back(e.info);
    std::vector<TensorView> views;
    for (std::size_t i = 0; i < enc.size(); ++i) views.push_back(TensorView{enc[i].bytes.data(), &infos[i]});
    const bool e2e = clean.layout.family == YoloFamily::kEndToEnd;
    YoloLayout layout;
    ASSERT_TRUE(
        detect_layout(infos, 320, 320, e2e ? meta_e2e : std::map<std::string, std::string>{}, LayoutHints{}, &layout)
            .ok());
    ASSERT_EQ(layout.family, clean.layout.family);
    for (float conf : {0.0f, 0.25f}) {
      Decoder dec;
      ASSERT_TRUE(dec.configure(layout, infos).ok());
      ASSERT_TRUE(dec.set_options(DecodeOptions{conf, {}}).ok());
      std::vector<Candidate> optimized, reference;
      ASSERT_TRUE(dec.decode(views, &optimized).ok());
      ASSERT_TRUE(decode_ref(layout, views, DecodeOptions{conf, {}}, &reference).ok());
      for (const auto* out : {&optimized, &reference})
        for (const Candidate& c : *out) {
          EXPECT_TRUE(std::isfinite(c.score) && std::isfinite(c.box.x1) && std::isfinite(c.box.y1) &&
                      std::isfinite(c.box.x2) && std::isfinite(c.box.y2))
              << family_name(layout.family) << " conf " << conf << ": score " << c.score << " box " << c.box;
          EXPECT_GE(c.score, conf) << family_name(layout.family);
        }
    }
  }
}

}  // namespace
}  // namespace rkyolo::core
