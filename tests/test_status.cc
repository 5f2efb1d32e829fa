#include <gtest/gtest.h>

#include <sstream>

#include "rkyolo/status.h"

namespace rkyolo {
namespace {

Status fails() {
  return invalid_model("'m.onnx' is truncated");
}
Status propagates(bool* reached) {
  RKYOLO_RETURN_IF_ERROR(fails());
  *reached = true;
  return Status();
}

TEST(Status, OkIsCheapAndEmpty) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(sizeof(Status), sizeof(void*));
}

TEST(Status, CarriesCodeAndMessage) {
  const Status s = fails();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_EQ(s.message(), "'m.onnx' is truncated");
  std::ostringstream os;
  os << s;
  EXPECT_EQ(os.str(), "invalid_model: 'm.onnx' is truncated");
  EXPECT_EQ(s.with_context("loading").message(), "loading: 'm.onnx' is truncated");
  EXPECT_TRUE(Status().with_context("x").ok());
}

TEST(Status, CopiesAndMacroPropagates) {
  const Status a = fails();
  Status b = a;
  EXPECT_EQ(b.message(), a.message());
  b = Status();
  EXPECT_TRUE(b.ok());
  EXPECT_FALSE(a.ok());
  bool reached = false;
  EXPECT_EQ(propagates(&reached).code(), StatusCode::kInvalidModel);
  EXPECT_FALSE(reached);
}

}  // namespace
}  // namespace rkyolo
