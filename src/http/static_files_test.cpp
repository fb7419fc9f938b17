#include "http/static_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "http/dispatch_internal.h"

namespace rapport::http {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kIndex[] = "<!doctype html><script type=module src=/assets/app-1a2b.js></script>";
constexpr char kSecret[] = "top secret outside the web root";

void WriteFile(const fs::path& p, std::string_view text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// A dist directory inside a scratch directory that also holds files the server must never
// hand out: <scratch>/secret.txt, <scratch>/private/key.txt.
class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "rapport-static-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    scratch_ = tmpl;
    dist_ = scratch_ / "dist";
    WriteFile(dist_ / "index.html", kIndex);
    WriteFile(dist_ / "assets" / "app-1a2b.js", "console.log('app')");
    WriteFile(dist_ / "assets" / "app-1a2b.css", "body{margin:0}");
    WriteFile(dist_ / "favicon.svg", "<svg/>");
    WriteFile(dist_ / ".env", "SECRET=1");
    WriteFile(scratch_ / "secret.txt", kSecret);
    WriteFile(scratch_ / "private" / "key.txt", kSecret);
    fs::create_symlink(scratch_ / "secret.txt", dist_ / "leak.txt");
    fs::create_symlink(scratch_ / "private", dist_ / "private");
    fs::create_symlink(dist_ / "favicon.svg", dist_ / "icon.svg");  // inside: allowed
    router_.Add("GET", "/healthz", [](Request&) {
      Response r;
      r.body = "{\"status\":\"ok\"}";
      return r;
    });
    router_.Add("GET", "/api/v1/contacts", [](Request&) {
      Response r;
      r.body = "{\"data\":[]}";
      return r;
    });
    files_ = std::make_unique<StaticFiles>(dist_);
    router_.SetFallback([this](Request& r) { return files_->Serve(r); });
  }
  void TearDown() override { fs::remove_all(scratch_); }

  Response Get(const std::string& target, std::string method = "GET",
               std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request req;
    req.method = std::move(method);
    req.target = target;
    req.headers = std::move(headers);
    req.request_id = "test";
    Response r = internal::Dispatch(router_, req);
    route_ = req.route;
    return r;
  }

  fs::path scratch_, dist_;
  Router router_;
  std::unique_ptr<StaticFiles> files_;
  std::string route_;
};

TEST_F(StaticFilesTest, RootServesIndexWithoutCaching) {
  Response r = Get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kIndex);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.Header("Cache-Control"), "no-cache");
  EXPECT_EQ(route_, "static");
  EXPECT_EQ(Get("/index.html").body, kIndex);
}

TEST_F(StaticFilesTest, HashedAssetsAreImmutable) {
  Response js = Get("/assets/app-1a2b.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log('app')");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.Header("Cache-Control"), "public, max-age=31536000, immutable");
  Response css = Get("/assets/app-1a2b.css?v=1");
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
  // Files outside assets/ have stable names and must be revalidated.
  Response icon = Get("/favicon.svg");
  EXPECT_EQ(icon.content_type, "image/svg+xml");
  EXPECT_EQ(icon.Header("Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, DeepLinksGetIndex) {
  for (const char* target : {"/contacts/123", "/contacts/", "/segments/new?x=1", "/assets",
                             "/companies/7/contacts", "/contacts/%E2%9C%93"}) {
    Response r = Get(target);
    EXPECT_EQ(r.status, 200) << target;
    EXPECT_EQ(r.body, kIndex) << target;
    EXPECT_EQ(r.Header("Cache-Control"), "no-cache") << target;
  }
}

TEST_F(StaticFilesTest, MissingFilesWithAnExtensionAre404) {
  for (const char* target : {"/assets/app-ffff.js", "/favicon.ico", "/robots.txt"}) {
    Response r = Get(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_NE(r.body, kIndex) << target;
  }
}

TEST_F(StaticFilesTest, TraversalIsRefused) {
  for (const char* target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/secret.txt",
        "/assets/../../secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets%2f..%2f..%2fsecret.txt", "/..%2fsecret.txt", "/..%5csecret.txt",
        "/assets/..%5c..%5csecret.txt", "/./index.html", "/.env", "/%2eenv", "//secret.txt",
        "/leak.txt", "/private/key.txt", "/index.html%00.js", "/assets/app-1a2b.js%00"}) {
    Response r = Get(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_THAT(r.body, Not(HasSubstr(kSecret))) << target;
    EXPECT_THAT(r.body, Not(HasSubstr("SECRET=1"))) << target;
    EXPECT_NE(r.body, kIndex) << target;
  }
}

TEST_F(StaticFilesTest, SymlinksInsideTheRootAreServed) {
  Response r = Get("/icon.svg");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<svg/>");
}

TEST_F(StaticFilesTest, ServerPathsAreNeverShadowed) {
  EXPECT_EQ(Get("/healthz").body, "{\"status\":\"ok\"}");
  EXPECT_EQ(Get("/api/v1/contacts").body, "{\"data\":[]}");
  for (const char* target : {"/api/v1/nothing", "/api", "/api/", "/api/v1/contacts/1/x/y",
                             "/readyz", "/metrics", "/healthz/x"}) {
    Response r = Get(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.content_type, "application/problem+json") << target;
  }
  // A route's 405 stays a 405 with its own Allow.
  Response del = Get("/api/v1/contacts", "DELETE");
  EXPECT_EQ(del.status, 405);
  EXPECT_EQ(del.Header("Allow"), "GET, HEAD");
}

TEST_F(StaticFilesTest, OnlyGetAndHead) {
  Response head = Get("/contacts/1", "HEAD");
  EXPECT_EQ(head.status, 200);
  Response post = Get("/contacts/1", "POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.Header("Allow"), "GET, HEAD");
}

TEST_F(StaticFilesTest, ConditionalRequestsGet304) {
  Response first = Get("/assets/app-1a2b.js");
  auto etag = first.Header("ETag");
  auto last_modified = first.Header("Last-Modified");
  ASSERT_TRUE(etag.has_value());
  ASSERT_TRUE(last_modified.has_value());
  EXPECT_THAT(std::string(*last_modified), HasSubstr(" GMT"));

  Response by_tag = Get("/assets/app-1a2b.js", "GET", {{"If-None-Match", std::string(*etag)}});
  EXPECT_EQ(by_tag.status, 304);
  EXPECT_TRUE(by_tag.body.empty());
  EXPECT_EQ(by_tag.Header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Get("/", "GET", {{"If-None-Match", "\"x\", W/" + std::string(*etag)}}).status, 200);
  Response index = Get("/");
  EXPECT_EQ(Get("/contacts/9", "GET",
                {{"If-None-Match", "\"x\", W/" + std::string(*index.Header("ETag"))}})
                .status,
            304);
  EXPECT_EQ(Get("/assets/app-1a2b.js", "GET", {{"If-Modified-Since", std::string(*last_modified)}})
                .status,
            304);
  // If-None-Match decides when both are present.
  EXPECT_EQ(
      Get("/assets/app-1a2b.js", "GET",
          {{"If-None-Match", "\"other\""}, {"If-Modified-Since", std::string(*last_modified)}})
          .status,
      200);

  // A rebuilt file gets a new validator.
  WriteFile(dist_ / "assets" / "app-1a2b.js", "console.log('changed')");
  Response changed = Get("/assets/app-1a2b.js", "GET", {{"If-None-Match", std::string(*etag)}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.body, "console.log('changed')");
}

TEST(StaticFilesMissingDir, ExplainsHowToBuildTheUi) {
  StaticFiles files(fs::temp_directory_path() / "rapport-no-such-web-dir");
  EXPECT_FALSE(files.Available());
  Request req;
  req.method = "GET";
  req.path = "/contacts/1";
  Response r = files.Serve(req);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(r.body, HasSubstr("has not been built"));
  req.path = "/api/v1/x";
  EXPECT_EQ(files.Serve(req).content_type, "application/problem+json");
}

TEST(StaticFilesPaths, ServerPaths) {
  EXPECT_TRUE(IsServerPath("/api"));
  EXPECT_TRUE(IsServerPath("/api/v1/segments"));
  EXPECT_TRUE(IsServerPath("/metrics"));
  EXPECT_TRUE(IsServerPath("/readyz/"));
  EXPECT_FALSE(IsServerPath("/apiary"));
  EXPECT_FALSE(IsServerPath("/metrics-dashboard"));
  EXPECT_FALSE(IsServerPath("/"));
}

TEST(StaticFilesPaths, ContentTypes) {
  EXPECT_EQ(ContentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.B.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("font.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("app.js.map"), "application/json");
  EXPECT_EQ(ContentTypeFor("README"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor(".bashrc"), "application/octet-stream");
}

}  // namespace
}  // namespace rapport::http
