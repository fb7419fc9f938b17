#include "auth/api_keys.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "testing/temp_store.h"

namespace rapport::auth {
namespace {

class ApiKeyTest : public ::testing::Test {
 protected:
  rapport::testing::TempStore db_;
  FakeClock clock_{rapport::testing::kTestNow};
  ApiKeyService keys_{db_.store(), clock_};
};

TEST_F(ApiKeyTest, CreateVerifyRevoke) {
  auto created = keys_.Create(kDefaultWorkspace, "admin", "zapier");
  ASSERT_TRUE(created.has_value()) << created.error().message();
  EXPECT_TRUE(created->secret.starts_with(created->key.prefix + "_"));
  auto ok = keys_.Verify(created->secret);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->role, "admin");
  EXPECT_EQ(ok->last_used_at.value(), rapport::testing::kTestNow);
  std::string tampered = created->secret;
  tampered.back() = tampered.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(keys_.Verify(tampered).error().code(), StatusCode::kUnauthenticated);
  ASSERT_TRUE(keys_.Revoke(kDefaultWorkspace, created->key.id).ok());
  EXPECT_EQ(keys_.Verify(created->secret).error().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(keys_.Revoke(kDefaultWorkspace, created->key.id).code(), StatusCode::kNotFound);
}

TEST_F(ApiKeyTest, RejectsUnknownRoleAndStoresNoSecret) {
  EXPECT_EQ(keys_.Create(kDefaultWorkspace, "god", "").error().code(), StatusCode::kValidation);
  auto created = keys_.Create(kDefaultWorkspace, "viewer", "").value();
  db_.Reopen();
  std::ifstream in(db_.dir() / "rapport.db", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  EXPECT_EQ(bytes.str().find(created.secret), std::string::npos);
  EXPECT_EQ(FindWorkspace(db_.store(), "default").value(), kDefaultWorkspace);
  EXPECT_EQ(FindWorkspace(db_.store(), "nope").error().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace rapport::auth
