#include "idempotency/idempotency.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "testing/temp_store.h"

namespace rapport::idempotency {
namespace {

class IdempotencyTest : public ::testing::Test {
 protected:
  rapport::testing::TempStore db_;
  FakeClock clock_{rapport::testing::kTestNow};
  IdempotencyService idem_{db_.store(), clock_};
  WorkspaceId ws_ = kDefaultWorkspace;
};

TEST_F(IdempotencyTest, ConcurrentRetriesRunOnce) {
  std::atomic<int> executed{0};
  std::atomic<int> replayed{0};
  std::string hash = IdempotencyService::RequestHash("POST", "/x", "{}");
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&] {
      auto r = idem_.Run(ws_, "key-1", hash, [&]() -> Result<StoredResponse> {
        ++executed;
        RETURN_IF_ERROR(db_.store().Write([](store::Txn& t) {
          return t.Exec("INSERT INTO tags (workspace_id, name, created_at) VALUES (1, 'ran', 0)")
              .status();
        }));
        return StoredResponse{201, {{"Location", "/x/1"}}, "{\"id\":1}"};
      });
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->response.status, 201);
      EXPECT_EQ(r->response.body, "{\"id\":1}");
      ASSERT_EQ(r->response.headers.size(), 1u);
      EXPECT_EQ(r->response.headers[0].second, "/x/1");
      if (r->replayed) ++replayed;
    });
  }
  for (auto& t : threads) t.join();
  // The test store runs every write twice (a batch retry), so count what was committed.
  EXPECT_GE(executed.load(), 1);
  auto ran = db_.store().Read(
      [](store::Txn& t) { return t.QueryOne("SELECT COUNT(*) FROM tags WHERE name = 'ran'"); });
  ASSERT_TRUE(ran.has_value() && ran->has_value());
  EXPECT_EQ((*ran)->Int(0), 1);
  EXPECT_EQ(replayed.load(), 19);
}

TEST_F(IdempotencyTest, SameKeyDifferentRequestIsRejected) {
  auto ok = idem_.Run(ws_, "k", "h1", [] {
    return Result<StoredResponse>(StoredResponse{201, {}, "a"});
  });
  ASSERT_TRUE(ok.has_value());
  auto other = idem_.Run(ws_, "k", "h2", [] {
    return Result<StoredResponse>(StoredResponse{201, {}, "b"});
  });
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().code(), StatusCode::kValidation);
  EXPECT_EQ(other.error().fields()[0].field, "Idempotency-Key");
}

TEST_F(IdempotencyTest, FailuresAreNotStoredAndRollBack) {
  int calls = 0;
  auto failing = [&]() -> Result<StoredResponse> {
    ++calls;
    (void)db_.store().Write([](store::Txn& t) {
      return t.Exec("INSERT INTO tags (workspace_id, name, created_at) VALUES (1, 'x', 0)")
          .status();
    });
    return ValidationFailed({{"email", "bad"}});
  };
  EXPECT_FALSE(idem_.Run(ws_, "k", "h", failing).has_value());
  EXPECT_FALSE(idem_.Run(ws_, "k", "h", failing).has_value());
  EXPECT_EQ(calls, 2);
  auto tags =
      db_.store().Read([](store::Txn& t) { return t.QueryOne("SELECT COUNT(*) FROM tags"); });
  EXPECT_EQ((*tags)->Int(0), 0);
}

TEST_F(IdempotencyTest, KeysArePurgedAfterRetention) {
  ASSERT_TRUE(idem_.Run(ws_, "old", "h", [] { return Result<StoredResponse>(StoredResponse{}); })
                  .has_value());
  clock_.Advance(24LL * 3600 * kMicrosPerSecond);
  EXPECT_EQ(idem_.Purge().value(), 0);
  clock_.Advance(kRetention);
  EXPECT_EQ(idem_.Purge().value(), 1);
  EXPECT_FALSE(IdempotencyService::CheckKey("has space").ok());
  EXPECT_TRUE(IdempotencyService::CheckKey("abc-123").ok());
}

}  // namespace
}  // namespace rapport::idempotency
