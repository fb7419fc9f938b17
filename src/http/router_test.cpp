#include <gtest/gtest.h>

#include <stdexcept>

#include "http/dispatch_internal.h"
#include "http/http.h"

namespace rapport::http {
namespace {

Handler Named(std::string name) {
  return [name](Request&) {
    Response r;
    r.body = name;
    return r;
  };
}

std::string HandlerName(const Router::Match& m) {
  Request req;
  return m.handler ? (*m.handler)(req).body : "<none>";
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/api/v1/contacts", Named("list"));
    router_.Add("POST", "/api/v1/contacts", Named("create"));
    router_.Add("GET", "/api/v1/contacts/{id}", Named("get"));
    router_.Add("DELETE", "/api/v1/contacts/{id}", Named("delete"));
    router_.Add("GET", "/api/v1/contacts/search", Named("search"));
    router_.Add("PUT", "/api/v1/contacts/{id}/tags/{name}", Named("tag"));
    router_.Add("GET", "/", Named("root"));
  }
  Router router_;
};

TEST_F(RouterTest, MatchesExactPath) {
  Router::Match m = router_.Find("GET", "/api/v1/contacts");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.pattern, "/api/v1/contacts");
  EXPECT_TRUE(m.params.empty());
  EXPECT_EQ(HandlerName(m), "list");
  EXPECT_EQ(HandlerName(router_.Find("POST", "/api/v1/contacts")), "create");
  EXPECT_EQ(HandlerName(router_.Find("GET", "/")), "root");
}

TEST_F(RouterTest, CapturesParams) {
  Router::Match m = router_.Find("PUT", "/api/v1/contacts/42/tags/vip");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.pattern, "/api/v1/contacts/{id}/tags/{name}");
  EXPECT_EQ(m.params.at("id"), "42");
  EXPECT_EQ(m.params.at("name"), "vip");
  EXPECT_EQ(m.params.size(), 2u);
  EXPECT_EQ(HandlerName(m), "tag");
}

TEST_F(RouterTest, PercentDecodesParams) {
  Router::Match m = router_.Find("PUT", "/api/v1/contacts/7/tags/a%2Fb%20c%C3%A9");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.params.at("name"), "a/b c\xC3\xA9");
  // '+' is not a space in a path.
  EXPECT_EQ(router_.Find("PUT", "/api/v1/contacts/7/tags/a+b").params.at("name"), "a+b");
  // Literal segments are compared after decoding too.
  EXPECT_EQ(HandlerName(router_.Find("GET", "/api/v1/%63ontacts")), "list");
}

TEST_F(RouterTest, LiteralBeatsParam) {
  EXPECT_EQ(HandlerName(router_.Find("GET", "/api/v1/contacts/search")), "search");
  EXPECT_EQ(HandlerName(router_.Find("GET", "/api/v1/contacts/searc")), "get");
  // No DELETE on the literal route: the {id} route still serves it.
  Router::Match m = router_.Find("DELETE", "/api/v1/contacts/search");
  EXPECT_EQ(HandlerName(m), "delete");
  EXPECT_EQ(m.params.at("id"), "search");
}

TEST_F(RouterTest, TrailingSlashIsIgnored) {
  EXPECT_EQ(HandlerName(router_.Find("GET", "/api/v1/contacts/")), "list");
  Router::Match m = router_.Find("GET", "/api/v1/contacts/5/");
  EXPECT_EQ(HandlerName(m), "get");
  EXPECT_EQ(m.params.at("id"), "5");
}

TEST_F(RouterTest, UnknownPathIs404) {
  for (const char* path : {"/nope", "/api/v1", "/api/v1/contacts/1/tags",
                           "/api/v1/contacts//tags/x", "/api/v1/contacts/1/tags/x/y"}) {
    Router::Match m = router_.Find("GET", path);
    EXPECT_EQ(m.handler, nullptr) << path;
    EXPECT_EQ(m.status, 404) << path;
    EXPECT_TRUE(m.pattern.empty()) << path;
  }
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  Router::Match m = router_.Find("PATCH", "/api/v1/contacts");
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.allow, "GET, HEAD, POST");
  EXPECT_EQ(m.pattern, "/api/v1/contacts");

  m = router_.Find("POST", "/api/v1/contacts/9");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.allow, "DELETE, GET, HEAD");
  EXPECT_EQ(m.pattern, "/api/v1/contacts/{id}");

  m = router_.Find("GET", "/api/v1/contacts/9/tags/x");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.allow, "PUT");
}

TEST_F(RouterTest, HeadUsesGet) {
  Router::Match m = router_.Find("HEAD", "/api/v1/contacts/3");
  EXPECT_EQ(HandlerName(m), "get");
  EXPECT_EQ(m.params.at("id"), "3");
  Router r;
  r.Add("HEAD", "/x", Named("head"));
  r.Add("GET", "/x", Named("get"));
  EXPECT_EQ(HandlerName(r.Find("HEAD", "/x")), "head");
}

TEST_F(RouterTest, MethodsAreCaseSensitive) {
  EXPECT_EQ(router_.Find("get", "/api/v1/contacts").status, 405);
}

TEST_F(RouterTest, EntriesListRoutesInOrder) {
  std::vector<Router::Entry> entries = router_.Entries();
  ASSERT_EQ(entries.size(), 7u);
  EXPECT_EQ(entries[0].method, "GET");
  EXPECT_EQ(entries[0].pattern, "/api/v1/contacts");
  EXPECT_EQ(entries[5].method, "PUT");
  EXPECT_EQ(entries[5].pattern, "/api/v1/contacts/{id}/tags/{name}");
  Request req;
  EXPECT_EQ(entries[1].handler(req).body, "create");
}

TEST(RouterAddTest, RejectsRelativePattern) {
  Router r;
  EXPECT_THROW(r.Add("GET", "contacts", Named("x")), std::invalid_argument);
}

TEST(RouterAddTest, PatternLabelDropsTrailingSlash) {
  Router r;
  r.Add("GET", "/a/{id}/", Named("x"));
  Router::Match m = r.Find("GET", "/a/1");
  EXPECT_EQ(m.pattern, "/a/{id}");
  EXPECT_EQ(HandlerName(m), "x");
}

// --- request target parsing and dispatch -------------------------------------------------

TEST(ParseTargetTest, DecodesPathAndQuery) {
  auto t =
      internal::ParseTarget("/api/v1/contacts/a%20b?limit=10&q=caf%C3%A9+au+lait&tag=a&tag=b&flag");
  ASSERT_TRUE(t.has_value()) << t.error().message();
  EXPECT_EQ(t->path, "/api/v1/contacts/a b");
  EXPECT_EQ(t->encoded_path, "/api/v1/contacts/a%20b");
  EXPECT_EQ(t->query.find("limit")->second, "10");
  EXPECT_EQ(t->query.find("q")->second, "caf\xC3\xA9 au lait");
  EXPECT_EQ(t->query.count("tag"), 2u);
  ASSERT_EQ(t->query.count("flag"), 1u);
  EXPECT_EQ(t->query.find("flag")->second, "");
}

TEST(ParseTargetTest, AcceptsAbsoluteForm) {
  auto t = internal::ParseTarget("http://example.com/x?y=1");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path, "/x");
  EXPECT_EQ(t->query.find("y")->second, "1");
}

TEST(ParseTargetTest, RejectsMalformed) {
  for (const char* target : {"/a%zz", "/a b", "*", "", "/a?x=%G1", "no-slash"}) {
    auto t = internal::ParseTarget(target);
    ASSERT_FALSE(t.has_value()) << target;
    EXPECT_EQ(t.error().code(), StatusCode::kInvalidArgument);
  }
}

TEST(RequestTest, HeaderLookupIsCaseInsensitive) {
  Request r;
  r.headers = {{"Content-Type", "text/plain"}, {"X-Thing", "1"}, {"x-thing", "2"}};
  EXPECT_EQ(r.Header("content-type"), "text/plain");
  EXPECT_EQ(r.Header("X-THING"), "1");
  EXPECT_FALSE(r.Header("Accept").has_value());
  r.query = {{"a", "1"}, {"a", "2"}};
  EXPECT_EQ(r.Query("a"), "1");
  EXPECT_FALSE(r.Query("b").has_value());
}

TEST(ResponseTest, SetHeaderReplaces) {
  Response r;
  r.SetHeader("Cache-Control", "no-store").SetHeader("ETag", "\"1\"");
  r.SetHeader("cache-control", "max-age=5");
  EXPECT_EQ(r.Header("Cache-Control"), "max-age=5");
  EXPECT_EQ(r.headers.size(), 2u);
  EXPECT_FALSE(r.Header("Vary").has_value());
}

TEST(RequestIdTest, SanityAndGeneration) {
  EXPECT_TRUE(internal::IsSaneRequestId("abc-DEF_123.x"));
  EXPECT_TRUE(internal::IsSaneRequestId(std::string(64, 'a')));
  EXPECT_FALSE(internal::IsSaneRequestId(std::string(65, 'a')));
  EXPECT_FALSE(internal::IsSaneRequestId(""));
  EXPECT_FALSE(internal::IsSaneRequestId("a b"));
  EXPECT_FALSE(internal::IsSaneRequestId("a\r\nSet-Cookie: x"));
  std::string a = internal::NewRequestId(), b = internal::NewRequestId();
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

class DispatchTest : public RouterTest {};

TEST_F(DispatchTest, FillsRequestAndRunsHandler) {
  Router r;
  r.Add("GET", "/c/{id}", [](Request& req) {
    Response resp;
    resp.body = req.path_params.at("id") + "|" + std::string(req.Query("q").value_or("")) + "|" +
                req.route + "|" + req.path;
    return resp;
  });
  Request req;
  req.method = "GET";
  req.target = "/c/a%2Fb/?q=x+y";
  Response resp = internal::Dispatch(r, req);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "a/b|x y|/c/{id}|/c/a/b/");
}

TEST_F(DispatchTest, ErrorsAreProblems) {
  Request req;
  req.method = "GET";
  req.target = "/nothing-here";
  Response resp = internal::Dispatch(router_, req);
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(resp.content_type, "application/problem+json");
  EXPECT_TRUE(req.route.empty());

  req = Request{};
  req.method = "PATCH";
  req.target = "/api/v1/contacts";
  resp = internal::Dispatch(router_, req);
  EXPECT_EQ(resp.status, 405);
  EXPECT_EQ(resp.Header("Allow"), "GET, HEAD, POST");
  EXPECT_EQ(req.route, "/api/v1/contacts");

  req = Request{};
  req.method = "GET";
  req.target = "/api/%%";
  resp = internal::Dispatch(router_, req);
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(resp.content_type, "application/problem+json");
}

TEST_F(DispatchTest, HandlerExceptionIs500) {
  Router r;
  r.Add("GET", "/boom", [](Request&) -> Response { throw std::runtime_error("db password=x"); });
  r.Add("GET", "/boom2", [](Request&) -> Response { throw 42; });
  for (const char* target : {"/boom", "/boom2"}) {
    Request req;
    req.method = "GET";
    req.target = target;
    Response resp = internal::Dispatch(r, req);
    EXPECT_EQ(resp.status, 500);
    EXPECT_EQ(resp.content_type, "application/problem+json");
    EXPECT_EQ(resp.body.find("password"), std::string::npos);
    EXPECT_NE(resp.body.find("internal error"), std::string::npos);
  }
}

}  // namespace
}  // namespace rapport::http
