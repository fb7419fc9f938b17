#include "http/json_body.h"

#include <gtest/gtest.h>

#include <string>

namespace rapport::http {
namespace {

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(ParseJsonTest, ParsesValues) {
  auto v = ParseJson(R"({"name":"Ana","tags":["a","b"],"n":1.5,"ok":true,"x":null})");
  ASSERT_TRUE(v.has_value()) << v.error().message();
  EXPECT_EQ(v->at("name"), "Ana");
  EXPECT_EQ(v->at("tags").as_array().size(), 2u);
  EXPECT_EQ(ParseJson(" 42 ").value(), 42);
  EXPECT_EQ(ParseJson("\"caf\xC3\xA9\"").value(), "caf\xC3\xA9");
}

TEST(ParseJsonTest, EmptyBody) {
  for (const char* body : {"", "   ", "\r\n\t "}) {
    auto v = ParseJson(body);
    ASSERT_FALSE(v.has_value());
    EXPECT_EQ(v.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(v.error().message(), "request body is empty");
  }
}

TEST(ParseJsonTest, DepthLimit) {
  JsonLimits limits;
  limits.max_depth = 4;
  EXPECT_TRUE(ParseJson(Nested(4), limits).has_value());
  auto v = ParseJson(Nested(5), limits);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v.error().message(), "JSON nesting deeper than 4");
  // The default limit is 32 and deep input does not blow the stack.
  EXPECT_TRUE(ParseJson(Nested(32)).has_value());
  EXPECT_EQ(ParseJson(Nested(100000)).error().message(), "JSON nesting deeper than 32");
  EXPECT_EQ(ParseJson(R"({"a":{"b":{"c":{"d":{"e":1}}}}})", limits).error().message(),
            "JSON nesting deeper than 4");
}

TEST(ParseJsonTest, RejectsInvalidUtf8) {
  const std::string bad[] = {
      std::string("\"\xff\""),              // never valid
      std::string("\"\xC0\xAF\""),          // overlong '/'
      std::string("\"\xED\xA0\x80\""),      // encoded surrogate
      std::string("\"\xF4\x90\x80\x80\""),  // > U+10FFFF
      std::string("{\"k\xE2\x82\":1}"),     // truncated sequence in a key
  };
  for (const std::string& body : bad) {
    auto v = ParseJson(body);
    ASSERT_FALSE(v.has_value()) << body;
    EXPECT_EQ(v.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(v.error().message(), "request body is not valid UTF-8");
  }
  // A lone surrogate written as an escape is rejected by the parser.
  auto v = ParseJson(R"("\ud800")");
  ASSERT_FALSE(v.has_value());
  EXPECT_NE(v.error().message().find("malformed JSON"), std::string::npos);
}

TEST(ParseJsonTest, StringLimit) {
  JsonLimits limits;
  limits.max_string_bytes = 8;
  EXPECT_TRUE(ParseJson(R"({"12345678":"12345678"})", limits).has_value());
  for (const char* body : {R"("123456789")", R"({"a":["x","123456789"]})", R"({"123456789":1})",
                           R"([{"a":{"b":"123456789"}}])"}) {
    auto v = ParseJson(body, limits);
    ASSERT_FALSE(v.has_value()) << body;
    EXPECT_EQ(v.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(v.error().message(), "JSON string longer than the limit of 8 bytes");
  }
  // The limit is in bytes, after unescaping: "\u00e9" is 2 bytes.
  EXPECT_TRUE(ParseJson(R"("\u00e9\u00e9\u00e9\u00e9")", limits).has_value());
  EXPECT_FALSE(ParseJson(R"("\u00e9\u00e9\u00e9\u00e9\u00e9")", limits).has_value());
}

TEST(ParseJsonTest, MalformedNamesOffset) {
  auto v = ParseJson(R"({"a":1,})");
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v.error().message().rfind("malformed JSON at offset 7: ", 0), 0u)
      << v.error().message();

  v = ParseJson("[1,2");
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().message().rfind("malformed JSON at offset 4: ", 0), 0u)
      << v.error().message();

  for (const char* body : {"{'a':1}", "{\"a\":1} x", "[1,2,]", "// c\n{}", "nul", "{\"a\" 1}"}) {
    auto r = ParseJson(body);
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().message().rfind("malformed JSON at offset ", 0), 0u) << body;
  }
}

TEST(ParseJsonObjectTest, RequiresObject) {
  auto o = ParseJsonObject(R"({"email":"a@b.c"})");
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->at("email"), "a@b.c");
  for (const char* body : {"[1]", "\"s\"", "1", "null", "true"}) {
    auto r = ParseJsonObject(body);
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.error().message(), "request body must be a JSON object");
  }
  EXPECT_EQ(ParseJsonObject("").error().message(), "request body is empty");
}

TEST(JsonResponseTest, Serialises) {
  Response r = JsonResponse(201, boost::json::object{{"id", 5}, {"name", "x\"y"}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"id":5,"name":"x\"y"})");
}

}  // namespace
}  // namespace rapport::http
