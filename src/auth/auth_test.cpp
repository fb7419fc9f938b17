// Passwords, sessions (expiry, idle timeout, revocation with a FakeClock), CSRF tokens, the
// login limiter, the permission matrix, users and the audit log.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "auth/audit.h"
#include "auth/passwords.h"
#include "auth/rate_limit.h"
#include "auth/roles.h"
#include "auth/secrets.h"
#include "auth/sessions.h"
#include "auth/users.h"
#include "testing/temp_store.h"

namespace rapport::auth {
namespace {

using rapport::testing::kTestNow;

TEST(Passwords, HashRoundTripIsArgon2idWithSalt) {
  auto h1 = HashPassword("correct horse battery");
  auto h2 = HashPassword("correct horse battery");
  ASSERT_TRUE(h1.has_value());
  EXPECT_TRUE(h1->starts_with("$argon2id$"));
  EXPECT_NE(*h1, *h2);  // random salt
  EXPECT_TRUE(VerifyPassword(*h1, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(*h1, "correct horse batterz"));
  EXPECT_FALSE(VerifyPassword("", "anything at all"));
  EXPECT_FALSE(VerifyPassword("not a hash", "anything at all"));
}

TEST(Passwords, RulesRejectShortCommonAndEmail) {
  EXPECT_EQ(CheckPasswordRules("short", "a@b.co").code(), StatusCode::kValidation);
  EXPECT_EQ(CheckPasswordRules("Password123", "a@b.co").code(), StatusCode::kValidation);
  EXPECT_EQ(CheckPasswordRules("aaaaaaaaaaaa", "a@b.co").code(), StatusCode::kValidation);
  EXPECT_EQ(CheckPasswordRules("ana.silva@example.com", "ana.silva@example.com").code(),
            StatusCode::kValidation);
  EXPECT_EQ(CheckPasswordRules(std::string(300, 'x') + "y", "a@b.co").code(),
            StatusCode::kValidation);
  EXPECT_TRUE(CheckPasswordRules("violet-kettle-41", "a@b.co").ok());
  std::string p = GeneratePassword();
  EXPECT_EQ(p.size(), 20u);
  EXPECT_TRUE(CheckPasswordRules(p, "a@b.co").ok());
  EXPECT_NE(p, GeneratePassword());
}

TEST(Secrets, TokensAreRandomAndCsrfIsBoundToTheSession) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(seen.insert(NewToken()).second);
  std::string t = NewToken();
  EXPECT_EQ(t.size(), 43u);
  EXPECT_EQ(CsrfTokenFor(t), CsrfTokenFor(t));
  EXPECT_NE(CsrfTokenFor(t), CsrfTokenFor(NewToken()));
  EXPECT_NE(CsrfTokenFor(t), TokenDigest(t));
  EXPECT_TRUE(SecretEquals("abc", "abc"));
  EXPECT_FALSE(SecretEquals("abc", "abd"));
  EXPECT_FALSE(SecretEquals("abc", "abcd"));
}

TEST(FailureLimiter, BlocksAfterMaxAndSlidesWithTheClock) {
  FakeClock clock(kTestNow);
  LoginLimiter limiter(clock,
                       {.per_account = 3, .per_address = 5, .window = 60 * kMicrosPerSecond});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.RetryAfter("ana@x.io", "10.0.0.1"), 0);
    limiter.RecordFailure("ana@x.io", "10.0.0.1");
    clock.Advance(kMicrosPerSecond);
  }
  Micros wait = limiter.RetryAfter("ana@x.io", "10.0.0.1");
  EXPECT_EQ(wait, 57 * kMicrosPerSecond);
  // An unknown account is limited exactly like a known one; another account is not.
  EXPECT_EQ(limiter.RetryAfter("bob@x.io", "10.0.0.2"), 0);
  clock.Advance(wait);
  EXPECT_EQ(limiter.RetryAfter("ana@x.io", "10.0.0.3"), 0);
  // Per address: 5 failures over different accounts block the address.
  for (int i = 0; i < 5; ++i) limiter.RecordFailure("u" + std::to_string(i) + "@x.io", "10.9.9.9");
  EXPECT_GT(limiter.RetryAfter("fresh@x.io", "10.9.9.9"), 0);
  EXPECT_EQ(limiter.RetryAfter("fresh@x.io", "10.9.9.8"), 0);
  limiter.RecordSuccess("ana@x.io");
  EXPECT_EQ(limiter.RetryAfter("ana@x.io", "1.1.1.1"), 0);
}

TEST(FailureLimiter, BeginCountsUpFrontSoConcurrentAttemptsCannotOverrun) {
  FakeClock clock(kTestNow);
  LoginLimits limits;
  limits.per_account = 3;
  limits.per_address = 3;
  limits.window = 60 * kMicrosPerSecond;
  LoginLimiter limiter(clock, limits);
  // Three attempts in flight at once: the fourth is refused before any finished.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Begin("ana@x.io", "10.0.0.1"), 0);
  EXPECT_GT(limiter.Begin("ana@x.io", "10.0.0.1"), 0);
  // One of them succeeds: the account is clear again, the address gives back one attempt.
  limiter.Succeeded("ana@x.io", "10.0.0.1");
  EXPECT_EQ(limiter.Begin("ana@x.io", "10.0.0.1"), 0);
  EXPECT_GT(limiter.Begin("bob@x.io", "10.0.0.1"), 0);  // address: 2 failures + 1 in flight
  EXPECT_EQ(limiter.Begin("bob@x.io", "10.0.0.2"), 0);  // a refused attempt counted nothing
  clock.Advance(61 * kMicrosPerSecond);
  EXPECT_EQ(limiter.Begin("bob@x.io", "10.0.0.1"), 0);
}

TEST(Roles, MatrixIsCompleteAndViewersOnlyRead) {
  for (Role r : kAllRoles) EXPECT_EQ(ParseRole(RoleName(r)), r);
  EXPECT_FALSE(ParseRole("root"));
  EXPECT_TRUE(AtLeast(Role::kOwner, Role::kAdmin));
  EXPECT_FALSE(AtLeast(Role::kMember, Role::kManager));
  std::set<std::pair<int, int>> seen;
  for (const MatrixRow& row : PermissionMatrix()) {
    EXPECT_TRUE(seen.insert({static_cast<int>(row.resource), static_cast<int>(row.action)}).second)
        << "duplicate row " << ResourceName(row.resource) << " " << ActionName(row.action);
    if (row.action != Action::kRead) {
      EXPECT_EQ(row.grants[4], Grant::kDeny) << ResourceName(row.resource);
    }
    // Privilege is monotone: a higher role may do at least what a lower one may.
    for (int i = 0; i + 1 < 5; ++i) {
      if (row.grants[i + 1] != Grant::kDeny) {
        EXPECT_NE(row.grants[i], Grant::kDeny);
      }
    }
  }
  EXPECT_EQ(Decide(Role::kMember, Resource::kContact, Action::kUpdate), Grant::kOwn);
  for (Resource r : {Resource::kApiKey, Resource::kCustomField, Resource::kAudit}) {
    EXPECT_EQ(Decide(Role::kManager, r, Action::kCreate), Grant::kDeny);
    EXPECT_EQ(Decide(Role::kAdmin, r, r == Resource::kAudit ? Action::kRead : Action::kCreate),
              Grant::kAllow);
  }
  EXPECT_EQ(Decide(Role::kOwner, Resource::kAudit, Action::kDelete),
            Grant::kDeny);  // not in the table
}

class AuthStoreTest : public ::testing::Test {
 protected:
  rapport::testing::TempStore db_;
  FakeClock clock_{kTestNow};
  UserService users_{db_.store(), clock_};
  SessionService sessions_{db_.store(),
                           clock_,
                           {.lifetime = 10 * 3600 * kMicrosPerSecond,
                            .idle_timeout = 3600 * kMicrosPerSecond,
                            .touch_interval = 60 * kMicrosPerSecond}};
};

TEST_F(AuthStoreTest, UsersMembershipsAndAuthentication) {
  auto added =
      users_.Add(kDefaultWorkspace, " Ana@Example.COM ", "Ana", Role::kOwner, "violet-kettle-41");
  ASSERT_TRUE(added.has_value()) << added.error().message();
  EXPECT_TRUE(added->created);
  EXPECT_EQ(added->user.email, "ana@example.com");
  auto ws2 = EnsureWorkspace(db_.store(), clock_, "second");
  ASSERT_TRUE(ws2.has_value());
  EXPECT_EQ(EnsureWorkspace(db_.store(), clock_, "second").value(), *ws2);
  auto again = users_.Add(*ws2, "ana@example.com", std::nullopt, Role::kViewer, std::nullopt);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->created);
  auto ms = users_.Memberships(added->user.id).value();
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].role, Role::kOwner);
  EXPECT_EQ(ms[1].role, Role::kViewer);
  EXPECT_EQ(ms[1].workspace_name, "second");

  EXPECT_TRUE(users_.Authenticate("ANA@example.com", "violet-kettle-41").has_value());
  EXPECT_EQ(users_.Authenticate("ana@example.com", "wrong-password!").error().code(),
            StatusCode::kUnauthenticated);
  auto unknown = users_.Authenticate("nobody@example.com", "violet-kettle-41");
  EXPECT_EQ(unknown.error().message(),
            users_.Authenticate("ana@example.com", "nope-nope-nope").error().message());

  EXPECT_EQ(users_.Add(kDefaultWorkspace, "bad", std::nullopt, Role::kMember, std::nullopt)
                .error()
                .code(),
            StatusCode::kValidation);
  EXPECT_EQ(
      users_.Add(kDefaultWorkspace, "b@example.com", std::nullopt, Role::kMember, "password123")
          .error()
          .code(),
      StatusCode::kValidation);
  // The last owner cannot be demoted or removed.
  EXPECT_EQ(users_.SetRole(kDefaultWorkspace, added->user.id, Role::kAdmin).code(),
            StatusCode::kValidation);
  EXPECT_EQ(users_.RemoveMember(kDefaultWorkspace, added->user.id).code(), StatusCode::kValidation);
  EXPECT_TRUE(users_.SetRole(*ws2, added->user.id, Role::kAdmin).ok());
  EXPECT_EQ(users_.SetRole(kDefaultWorkspace, UserId(999), Role::kAdmin).code(),
            StatusCode::kNotFound);

  ASSERT_TRUE(users_.SetPassword(added->user.id, "a-new-long-secret").ok());
  EXPECT_TRUE(users_.Authenticate("ana@example.com", "a-new-long-secret").has_value());
  EXPECT_FALSE(users_.Authenticate("ana@example.com", "violet-kettle-41").has_value());
  EXPECT_EQ(users_.SetPassword(added->user.id, "short").code(), StatusCode::kValidation);
}

TEST_F(AuthStoreTest, SessionIdleTimeoutAndAbsoluteExpiry) {
  auto user =
      users_.Add(kDefaultWorkspace, "s@example.com", std::nullopt, Role::kMember, std::nullopt)
          ->user;
  auto s = sessions_.Create(user.id, "test-agent", "127.0.0.1");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->csrf_token, CsrfTokenFor(s->token));
  ASSERT_TRUE(sessions_.Verify(s->token).has_value());
  EXPECT_EQ(sessions_.Verify(s->token + "x").error().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(sessions_.Verify("").error().code(), StatusCode::kUnauthenticated);

  // Activity every 50 minutes keeps it alive past the idle timeout...
  for (int i = 0; i < 11; ++i) {
    clock_.Advance(50 * 60 * kMicrosPerSecond);
    if (clock_.Now() >= kTestNow + 10 * 3600 * kMicrosPerSecond) {
      // ...but never past the absolute lifetime.
      EXPECT_FALSE(sessions_.Verify(s->token).has_value()) << i;
    } else {
      EXPECT_TRUE(sessions_.Verify(s->token).has_value()) << i;
    }
  }
  // Idle: a fresh session left alone for an hour dies.
  auto idle = sessions_.Create(user.id, "", "").value();
  clock_.Advance(3600 * kMicrosPerSecond - 1);
  EXPECT_TRUE(sessions_.Verify(idle.token).has_value());
  clock_.Advance(3600 * kMicrosPerSecond);
  EXPECT_FALSE(sessions_.Verify(idle.token).has_value());
}

TEST_F(AuthStoreTest, SessionRevocationIsImmediateAndScopedToTheUser) {
  auto a =
      users_.Add(kDefaultWorkspace, "a@example.com", std::nullopt, Role::kMember, std::nullopt)
          ->user;
  auto b =
      users_.Add(kDefaultWorkspace, "b@example.com", std::nullopt, Role::kMember, std::nullopt)
          ->user;
  auto s1 = sessions_.Create(a.id, "", "").value();
  auto s2 = sessions_.Create(a.id, "", "").value();
  auto s3 = sessions_.Create(a.id, "", "").value();
  auto other = sessions_.Create(b.id, "", "").value();
  EXPECT_EQ(sessions_.List(a.id)->size(), 3u);
  EXPECT_EQ(sessions_.Revoke(b.id, s1.session.id).code(), StatusCode::kNotFound);
  ASSERT_TRUE(sessions_.Revoke(a.id, s1.session.id).ok());
  EXPECT_FALSE(sessions_.Verify(s1.token).has_value());
  EXPECT_EQ(sessions_.Revoke(a.id, s1.session.id).code(), StatusCode::kNotFound);
  EXPECT_EQ(sessions_.RevokeAll(a.id, s2.session.id).value(), 1);
  EXPECT_TRUE(sessions_.Verify(s2.token).has_value());
  EXPECT_FALSE(sessions_.Verify(s3.token).has_value());
  EXPECT_TRUE(sessions_.Verify(other.token).has_value());
  ASSERT_EQ(sessions_.List(a.id)->size(), 1u);
  clock_.Advance(31 * kMicrosPerDay);
  EXPECT_EQ(sessions_.Purge().value(), 4);  // two revoked, two expired

  // The database holds no token and no CSRF token.
  db_.Reopen();
  std::ifstream in(db_.dir() / "rapport.db", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  for (const auto& s : {s1, s2, s3, other}) {
    EXPECT_EQ(bytes.str().find(s.token), std::string::npos);
    EXPECT_EQ(bytes.str().find(s.csrf_token), std::string::npos);
  }
}

TEST_F(AuthStoreTest, AuditRecordsAndFilters) {
  auto write = [&](WorkspaceId ws, Actor actor, std::string action, int64_t id,
                   std::optional<std::string> changes) {
    AuditEntry e;
    e.workspace = ws;
    e.actor = std::move(actor);
    e.action = std::move(action);
    e.entity = "contact";
    e.entity_id = id;
    e.changes = std::move(changes);
    ASSERT_TRUE(
        db_.store().Write([&](store::Txn& t) { return RecordAudit(t, e, clock_.Now()); }).ok());
    clock_.Advance(kMicrosPerSecond);
  };
  write(kDefaultWorkspace, {"user", 1}, "create", 7, std::nullopt);
  write(kDefaultWorkspace, {"api_key", 2}, "update", 7, R"({"before":{"a":1},"after":{"a":2}})");
  write(WorkspaceId(2), {"user", 1}, "create", 8, std::nullopt);
  auto query = [&](auto fill) {
    AuditQuery q;
    fill(q);
    return QueryAudit(db_.store(), kDefaultWorkspace, q).value();
  };
  auto all = query([](AuditQuery&) {});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].action, "update");  // newest first
  EXPECT_EQ(all[0].actor.ToString(), "api_key:2");
  auto by_actor = query([](AuditQuery& q) { q.actor = ParseActor("user:1"); });
  ASSERT_EQ(by_actor.size(), 1u);
  EXPECT_EQ(by_actor[0].action, "create");
  EXPECT_EQ(query([](AuditQuery& q) { q.since = kTestNow + 1; }).size(), 1u);
  EXPECT_EQ(query([](AuditQuery& q) { q.entity = "company"; }).size(), 0u);
  EXPECT_EQ(query([](AuditQuery& q) { q.limit = 1; }).size(), 2u);  // one extra: a next page
  EXPECT_FALSE(ParseActor("root:1"));
  EXPECT_FALSE(ParseActor("user:x"));
}

TEST_F(AuthStoreTest, AuditRunsAreFoundByAnyIdTheyCover) {
  auto write = [&](std::string entity, int64_t first, std::optional<int64_t> last,
                   std::string action) {
    AuditEntry e;
    e.workspace = kDefaultWorkspace;
    e.actor = {"api_key", 2};
    e.action = std::move(action);
    e.entity = std::move(entity);
    e.entity_id = first;
    e.entity_id_last = last;
    ASSERT_TRUE(
        db_.store().Write([&](store::Txn& t) { return RecordAudit(t, e, clock_.Now()); }).ok());
  };
  write("activity", 10, 19, "create");
  write("activity", 20, std::nullopt, "create");
  write("activity", 21, 30, "create");
  write("contact", 15, std::nullopt, "update");
  write("contact", 5, 12, "create");
  auto find = [&](std::optional<std::string> entity, int64_t id) {
    AuditQuery q;
    q.entity = std::move(entity);
    q.entity_id = id;
    auto entries = QueryAudit(db_.store(), kDefaultWorkspace, q);
    std::vector<std::pair<std::string, int64_t>> out;
    if (!entries.has_value()) return out;
    for (const auto& e : *entries) out.emplace_back(e.entity, e.entity_id.value_or(0));
    return out;
  };
  using Found = std::vector<std::pair<std::string, int64_t>>;
  EXPECT_EQ(find("activity", 10), (Found{{"activity", 10}}));  // a run's first id
  EXPECT_EQ(find("activity", 14), (Found{{"activity", 10}}));  // inside
  EXPECT_EQ(find("activity", 19), (Found{{"activity", 10}}));  // its last
  EXPECT_EQ(find("activity", 20), (Found{{"activity", 20}}));  // one record
  EXPECT_EQ(find("activity", 25), (Found{{"activity", 21}}));
  EXPECT_EQ(find("activity", 9), Found{});
  EXPECT_EQ(find("activity", 31), Found{});
  EXPECT_EQ(find("contact", 15), (Found{{"contact", 15}}));  // the activity run is not a contact's
  // Without an entity, every entity's run that covers the id, newest first.
  EXPECT_EQ(find(std::nullopt, 11), (Found{{"contact", 5}, {"activity", 10}}));
  EXPECT_EQ(find(std::nullopt, 15), (Found{{"contact", 15}, {"activity", 10}}));
  auto all = QueryAudit(db_.store(), kDefaultWorkspace, {});
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[0].entity_id_last, 12);
  EXPECT_EQ((*all)[1].entity_id_last, std::nullopt);
}

}  // namespace
}  // namespace rapport::auth
