#include "http/problem.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace rapport::http {
namespace {

boost::json::object Body(const Response& r) { return boost::json::parse(r.body).as_object(); }

TEST(HttpStatusForTest, MapsEveryCode) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kOk), 200);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAborted), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kFailedPrecondition), 412);
  EXPECT_EQ(HttpStatusFor(StatusCode::kValidation), 422);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPayloadTooLarge), 413);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInternal), 500);
}

TEST(ReasonPhraseTest, KnownAndUnknown) {
  EXPECT_STREQ(ReasonPhrase(404), "Not Found");
  EXPECT_STREQ(ReasonPhrase(422), "Unprocessable Content");
  EXPECT_STREQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_STREQ(ReasonPhrase(599), "Unknown");
}

TEST(ProblemResponseTest, BodyShape) {
  Response r = ProblemResponse(NotFound("contact 7 not found"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
  boost::json::object b = Body(r);
  EXPECT_EQ(b.at("type"), "about:blank");
  EXPECT_EQ(b.at("title"), "Not Found");
  EXPECT_EQ(b.at("status"), 404);
  EXPECT_EQ(b.at("detail"), "contact 7 not found");
  ASSERT_TRUE(b.at("errors").is_array());
  EXPECT_TRUE(b.at("errors").as_array().empty());
  EXPECT_FALSE(b.contains("existing_id"));
  EXPECT_EQ(b.size(), 5u);
}

TEST(ProblemResponseTest, FieldErrors) {
  Response r = ProblemResponse(ValidationFailed(
      {{"email", "is not an email address"}, {"custom.plan", "unknown option \"gold\""}}));
  EXPECT_EQ(r.status, 422);
  boost::json::object b = Body(r);
  EXPECT_EQ(b.at("title"), "Unprocessable Content");
  const boost::json::array& errors = b.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].at("field"), "email");
  EXPECT_EQ(errors[0].at("message"), "is not an email address");
  EXPECT_EQ(errors[1].at("field"), "custom.plan");
  EXPECT_EQ(errors[1].at("message"), "unknown option \"gold\"");
}

TEST(ProblemResponseTest, ConflictCarriesExistingId) {
  Response r = ProblemResponse(AlreadyExists("email already used", 1234));
  EXPECT_EQ(r.status, 409);
  boost::json::object b = Body(r);
  EXPECT_EQ(b.at("existing_id"), 1234);
  EXPECT_EQ(b.at("title"), "Conflict");

  Response plain = ProblemResponse(AlreadyExists("email already used"));
  EXPECT_FALSE(Body(plain).contains("existing_id"));
}

TEST(ProblemResponseTest, InternalHidesMessage) {
  Response r = ProblemResponse(Internal("sqlite: disk I/O error on /var/lib/rapport/db"));
  EXPECT_EQ(r.status, 500);
  boost::json::object b = Body(r);
  EXPECT_EQ(b.at("detail"), "internal error");
  EXPECT_EQ(r.body.find("sqlite"), std::string::npos);
}

TEST(ProblemResponseTest, OkStatusIsNotLeakedAsSuccess) {
  Response r = ProblemResponse(Status::Ok());
  EXPECT_EQ(r.status, 500);
}

TEST(ProblemResponseTest, ExplicitStatus) {
  Response r = ProblemResponse(413, "request body larger than 10 bytes");
  EXPECT_EQ(r.status, 413);
  boost::json::object b = Body(r);
  EXPECT_EQ(b.at("title"), "Content Too Large");
  EXPECT_EQ(b.at("status"), 413);
  EXPECT_EQ(b.at("detail"), "request body larger than 10 bytes");
  EXPECT_TRUE(b.at("errors").as_array().empty());
}

TEST(ProblemResponseTest, DetailIsEscaped) {
  Response r = ProblemResponse(InvalidArgument("bad \"quote\" and \\ and \n newline"));
  EXPECT_EQ(Body(r).at("detail"), "bad \"quote\" and \\ and \n newline");
}

}  // namespace
}  // namespace rapport::http
