#include "common/status.h"

#include <gtest/gtest.h>

namespace rapport {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x).status());
  return Status::Ok();
}

TEST(StatusTest, AssignOrReturnPropagatesFirstError) {
  EXPECT_EQ(Quarter(8).value(), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "odd");
}

TEST(StatusTest, ReturnIfErrorEvaluatesOnce) {
  int calls = 0;
  auto f = [&] {
    ++calls;
    return Status::Ok();
  };
  auto g = [&]() -> Status {
    RETURN_IF_ERROR(f());
    return Status::Ok();
  };
  EXPECT_TRUE(g().ok());
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(CheckEven(3).ok());
}

TEST(StatusTest, ValidationFailedNamesFields) {
  Status one = ValidationFailed({{"email", "is not valid"}});
  EXPECT_EQ(one.code(), StatusCode::kValidation);
  EXPECT_EQ(one.message(), "email: is not valid");
  Status two = ValidationFailed({{"a", "x"}, {"b", "y"}});
  EXPECT_EQ(two.message(), "2 fields are invalid");
  ASSERT_EQ(two.fields().size(), 2u);
  EXPECT_EQ(two.fields()[1].field, "b");
}

TEST(StatusTest, AlreadyExistsCarriesId) {
  Status s = AlreadyExists("email taken", 42);
  EXPECT_EQ(s.conflicting_id.value(), 42);
}

}  // namespace
}  // namespace rapport
