#include <gtest/gtest.h>

#include <fstream>

#include "core/metadata.h"
#include "core/py_literal.h"
#include "core/user_text.h"
#include "support/test_env.h"

namespace rkyolo::core {
namespace {

TEST(PyLiteral, UltralyticsNamesRepr) {
  ModelMetadata m;
  ASSERT_TRUE(parse_model_metadata({{"names", "{0: 'person', 1: 'bicycle', 2: \"it's\"}"},
                                    {"stride", "32"},
                                    {"imgsz", "[480, 640]"},
                                    {"task", "detect"},
                                    {"end2end", "False"}},
                                   &m)
                  .ok());
  EXPECT_EQ(m.names, (std::vector<std::string>{"person", "bicycle", "it's"}));
  EXPECT_EQ(m.strides, (std::vector<int>{8, 16, 32}));
  EXPECT_EQ(m.imgsz_h, 480);
  EXPECT_EQ(m.imgsz_w, 640);
  EXPECT_EQ(m.task, "detect");
  ASSERT_TRUE(m.end2end.has_value());
  EXPECT_FALSE(*m.end2end);
}

TEST(PyLiteral, JsonAndListsAndEscapes) {
  ModelMetadata m;
  ASSERT_TRUE(
      parse_model_metadata({{"names", R"({"0": "a\u00e9", "1": "tab\tbed"})"}, {"stride", "[8, 16, 32, 64]"}}, &m)
          .ok());
  EXPECT_EQ(m.names, (std::vector<std::string>{"a\xc3\xa9", "tab\tbed"}));
  EXPECT_EQ(m.strides.size(), 4u);
  ASSERT_TRUE(parse_model_metadata({{"names", "['cat', 'dog',]"}, {"nc", "2"}}, &m).ok());
  EXPECT_EQ(m.names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(m.num_classes, 2);
  ASSERT_TRUE(parse_model_metadata({{"names", "{1: 'b', 0: 'a'}"}}, &m).ok());  // out of order ids
  EXPECT_EQ(m.names, (std::vector<std::string>{"a", "b"}));
}

TEST(PyLiteral, Anchors) {
  ModelMetadata m;
  ASSERT_TRUE(parse_model_metadata(
                  {{"anchors", "[[10,13, 16,30, 33,23], [30,61, 62,45, 59,119], [116,90, 156,198, 373,326]]"}}, &m)
                  .ok());
  ASSERT_EQ(m.anchors.size(), 3u);
  EXPECT_EQ(m.anchors[2][2], (std::pair<float, float>{373, 326}));
}

TEST(PyLiteral, MalformedKnownKeysAreErrorsUnknownKeysIgnored) {
  ModelMetadata m;
  Status s = parse_model_metadata({{"names", "{0: 'person', 1: "}}, &m);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("'names'"), std::string::npos) << s;
  EXPECT_FALSE(parse_model_metadata({{"names", "{0: 'a', 2: 'b'}"}}, &m).ok());  // gap in ids
  EXPECT_FALSE(parse_model_metadata({{"names", "[1, 2]"}}, &m).ok());
  EXPECT_TRUE(parse_model_metadata({{"author", "{{{ not python"}, {"task", "detect"}}, &m).ok());
  PyValue v;
  EXPECT_FALSE(parse_py_literal(std::string(100, '['), &v).ok());  // too deep, no crash
  EXPECT_FALSE(parse_py_literal("'unterminated", &v).ok());
}

TEST(Labels, FileOneNamePerLine) {
  const std::string dir = test::temp_dir("labels");
  std::ofstream(dir + "/l.txt") << "person\n  car  \n\nbig truck\r\n";
  std::vector<std::string> names;
  ASSERT_TRUE(read_labels_file(dir + "/l.txt", &names).ok());
  EXPECT_EQ(names, (std::vector<std::string>{"person", "car", "big truck"}));
  EXPECT_EQ(read_labels_file(dir + "/missing.txt", &names).code(), StatusCode::kNotFound);
  std::ofstream(dir + "/empty.txt") << "\n\n";
  EXPECT_EQ(read_labels_file(dir + "/empty.txt", &names).code(), StatusCode::kInvalidArgument);
  const Status s = read_labels_file(dir, &names);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("is a directory"), std::string::npos) << s;
}

TEST(ChannelTriplet, OneOrThreeFiniteNumbers) {
  float v[3] = {};
  ASSERT_TRUE(parse_channel_triplet("255", v));
  EXPECT_EQ(v[0], 255.f);
  EXPECT_EQ(v[1], 255.f);
  EXPECT_EQ(v[2], 255.f);
  ASSERT_TRUE(parse_channel_triplet("0.485,-1,1e2", v));
  EXPECT_EQ(v[0], 0.485f);
  EXPECT_EQ(v[1], -1.f);
  EXPECT_EQ(v[2], 100.f);
  for (const char* bad : {"", ",", "1,2", "1,2,3,4", "1,,3", "1,2,", "a", "1x", "nan", "1,inf,2", "1e99"})
    EXPECT_FALSE(parse_channel_triplet(bad, v)) << "'" << bad << "'";
}

}  // namespace
}  // namespace rkyolo::core
