// Layout auto-detection from shapes plus metadata, with consistency checks.
#include <gtest/gtest.h>

#include "rkyolo/layout.h"

namespace rkyolo {
namespace {

TensorInfo t(const std::string& name, std::vector<std::int64_t> dims) {
  TensorInfo i;
  i.name = name;
  i.dims = std::move(dims);
  return i;
}

Status detect(const std::vector<TensorInfo>& outs, YoloLayout* l, std::map<std::string, std::string> meta = {},
              int size = 640) {
  return detect_layout(outs, size, size, meta, LayoutHints{}, l);
}

TEST(Layout, Yolov5Combined) {
  YoloLayout l;
  ASSERT_TRUE(detect({t("output0", {1, 25200, 85})}, &l).ok());
  EXPECT_EQ(l.family, YoloFamily::kYolov5Combined);
  EXPECT_EQ(l.num_classes, 80);
}

TEST(Layout, Yolov8CombinedBothOrientations) {
  YoloLayout l;
  ASSERT_TRUE(detect({t("output0", {1, 84, 8400})}, &l).ok());
  EXPECT_EQ(l.family, YoloFamily::kYolov8Combined);
  EXPECT_FALSE(l.transposed);
  EXPECT_EQ(l.num_classes, 80);
  ASSERT_TRUE(detect({t("output0", {1, 8400, 5})}, &l).ok());  // one class, transposed
  EXPECT_TRUE(l.transposed);
  EXPECT_EQ(l.num_classes, 1);
  ASSERT_TRUE(detect({t("output0", {1, 5, 2100})}, &l, {}, 320).ok());  // 320 input
  EXPECT_EQ(l.num_classes, 1);
}

TEST(Layout, EndToEnd) {
  YoloLayout l;
  ASSERT_TRUE(detect({t("output0", {1, 300, 6})}, &l, {{"names", "{0: 'a', 1: 'b'}"}}).ok());
  EXPECT_EQ(l.family, YoloFamily::kEndToEnd);
  EXPECT_EQ(l.num_classes, 2);
  Status s = detect({t("output0", {1, 300, 6})}, &l);  // no names: class count unknown
  EXPECT_EQ(s.code(), StatusCode::kUnsupportedModel);
  EXPECT_NE(s.message().find("--labels"), std::string::npos);
}

TEST(Layout, Yolov5SplitHeadsAnyOrder) {
  YoloLayout l;
  ASSERT_TRUE(detect({t("p5", {1, 255, 20, 20}), t("p3", {1, 255, 80, 80}), t("p4", {1, 255, 40, 40})}, &l).ok());
  EXPECT_EQ(l.family, YoloFamily::kYolov5Split);
  EXPECT_EQ(l.num_classes, 80);
  ASSERT_EQ(l.heads.size(), 3u);
  EXPECT_EQ(l.heads[0].stride, 8);
  EXPECT_EQ(l.heads[0].box_output, 1);
  EXPECT_EQ(l.heads[2].anchors[2][0], 373);
}

TEST(Layout, Yolov8SplitNineSixAndSevenOutputs) {
  YoloLayout l;
  std::vector<TensorInfo> nine;
  for (int s : {8, 16, 32}) {
    const int g = 640 / s;
    nine.push_back(t("box" + std::to_string(s), {1, 64, g, g}));
    nine.push_back(t("cls" + std::to_string(s), {1, 80, g, g}));
    nine.push_back(t("sum" + std::to_string(s), {1, 1, g, g}));
  }
  ASSERT_TRUE(detect(nine, &l).ok());
  EXPECT_EQ(l.family, YoloFamily::kYolov8SplitDfl);
  EXPECT_EQ(l.num_classes, 80);
  EXPECT_EQ(l.reg_max, 16);
  EXPECT_EQ(l.heads[1].class_output, 4);
  EXPECT_EQ(l.heads[1].sum_output, 5);
  // Reordered: heads are paired by grid size, never by position.
  std::vector<TensorInfo> shuffled = {nine[8], nine[0], nine[4], nine[7], nine[1], nine[3], nine[6], nine[2], nine[5]};
  ASSERT_TRUE(detect(shuffled, &l).ok());
  EXPECT_EQ(shuffled[l.heads[0].box_output].name, "box8");
  EXPECT_EQ(shuffled[l.heads[0].class_output].name, "cls8");
  EXPECT_EQ(shuffled[l.heads[2].sum_output].name, "sum32");
  // Six outputs: no score_sum.
  std::vector<TensorInfo> six = {nine[0], nine[1], nine[3], nine[4], nine[6], nine[7]};
  ASSERT_TRUE(detect(six, &l).ok());
  EXPECT_EQ(l.heads[0].sum_output, -1);
  // Seven: a converter dropped score_sum from two heads.
  std::vector<TensorInfo> seven = {nine[0], nine[1], nine[2], nine[3], nine[4], nine[6], nine[7]};
  ASSERT_TRUE(detect(seven, &l).ok());
  EXPECT_EQ(l.heads[0].sum_output, 2);
  EXPECT_EQ(l.heads[1].sum_output, -1);
}

TEST(Layout, OneClassSplitUsesNameOrOrderForScoreSum) {
  YoloLayout l;
  std::vector<TensorInfo> outs;
  for (int s : {8, 16, 32}) {
    const int g = 640 / s;
    outs.push_back(t("a" + std::to_string(s), {1, 64, g, g}));
    outs.push_back(t("score_sum" + std::to_string(s), {1, 1, g, g}));  // sum listed first, but named
    outs.push_back(t("b" + std::to_string(s), {1, 1, g, g}));
  }
  ASSERT_TRUE(detect(outs, &l, {{"names", "{0: 'fish'}"}}).ok());
  EXPECT_EQ(l.num_classes, 1);
  EXPECT_EQ(outs[l.heads[0].sum_output].name, "score_sum8");
  EXPECT_EQ(outs[l.heads[0].class_output].name, "b8");
  EXPECT_EQ(l.names, std::vector<std::string>{"fish"});
}

TEST(Layout, ConsistencyErrorsNameTheShapes) {
  YoloLayout l;
  Status s = detect({t("output0", {1, 84, 8400})}, &l, {{"names", "{0: 'a', 1: 'b'}"}});
  EXPECT_EQ(s.code(), StatusCode::kUnsupportedModel);
  EXPECT_NE(s.message().find("2 class names"), std::string::npos) << s;
  EXPECT_NE(s.message().find("(1, 84, 8400)"), std::string::npos) << s;

  s = detect({t("output0", {1, 1000, 17})}, &l);
  EXPECT_EQ(s.code(), StatusCode::kUnsupportedModel);
  EXPECT_NE(s.message().find("output0 (1, 1000, 17)"), std::string::npos) << s;
  EXPECT_NE(s.message().find("640x640 input"), std::string::npos) << s;

  s = detect({t("a", {1, 64, 80, 80}), t("b", {1, 80, 40, 40})}, &l);  // unpaired heads
  EXPECT_EQ(s.code(), StatusCode::kUnsupportedModel) << s;

  s = detect({t("a", {1, 255, 80, 80}), t("b", {1, 250, 40, 40}), t("c", {1, 255, 20, 20})}, &l);
  EXPECT_EQ(s.code(), StatusCode::kUnsupportedModel) << s;

  s = detect({t("seg", {1, 116, 8400}), t("protos", {1, 32, 160, 160})}, &l, {{"task", "segment"}});
  EXPECT_NE(s.message().find("segment"), std::string::npos) << s;

  s = detect({t("output0", {1, -1, 85})}, &l);
  EXPECT_NE(s.message().find("fixed"), std::string::npos) << s;
}

TEST(Layout, InputPaddedInsideTheGraph) {
  // 596 wide, padded to 608 by the model: grids 76/38/19.
  YoloLayout l;
  std::vector<TensorInfo> outs;
  for (int s : {8, 16, 32}) {
    const int g = 608 / s;
    outs.push_back(t("box" + std::to_string(s), {1, 64, g, g}));
    outs.push_back(t("cls" + std::to_string(s), {1, 2, g, g}));
  }
  ASSERT_TRUE(detect_layout(outs, 596, 596, {}, LayoutHints{}, &l).ok());
  EXPECT_EQ(l.heads[0].stride, 8);
  EXPECT_EQ(l.heads[2].stride, 32);
  EXPECT_EQ(l.heads[2].grid_w, 19);
}

TEST(Layout, AnchorOverridesAndNonStandardStrides) {
  YoloLayout l;
  LayoutHints hints;
  hints.anchors = {{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}};
  ASSERT_TRUE(detect_layout({t("a", {1, 14, 80, 80}), t("b", {1, 14, 40, 40})}, 640, 640, {}, hints, &l).ok());
  EXPECT_EQ(l.num_anchors, 2);
  EXPECT_EQ(l.num_classes, 2);
  EXPECT_EQ(l.heads[1].anchors[1][1], 8);
  // Strides 8/16 without anchors: the defaults do not apply.
  Status s = detect({t("a", {1, 255, 80, 80}), t("b", {1, 255, 40, 40})}, &l);
  EXPECT_NE(s.message().find("--anchors"), std::string::npos) << s;
}

}  // namespace
}  // namespace rkyolo
