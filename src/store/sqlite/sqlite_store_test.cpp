#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include "store/change_feed.h"

namespace rapport::store {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rapport_store_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto s = SqliteStore::Open({.path = (dir_ / "t.db").string(), .readers = 4}, Migrations());
    ASSERT_TRUE(s.has_value()) << s.error().message();
    store_ = std::move(s).value();
  }
  void Reopen1Reader() {
    store_.reset();
    auto s = SqliteStore::Open({.path = (dir_ / "t.db").string(), .readers = 1}, Migrations());
    ASSERT_TRUE(s.has_value()) << s.error().message();
    store_ = std::move(s).value();
  }
  static const std::vector<Migration>& Migrations() {
    static const std::vector<Migration> m = {
        {1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER);"},
        {2, "feed",
         "CREATE TABLE change_feed (seq INTEGER PRIMARY KEY, workspace_id INTEGER, entity TEXT, "
         "entity_id INTEGER, entity_id_last INTEGER, kind TEXT, at INTEGER);"}};
    return m;
  }
  int64_t Count() {
    auto r = store_->Read([](Txn& t) -> Result<int64_t> {
      ASSIGN_OR_RETURN(auto row, t.QueryOne("SELECT COUNT(*) FROM items"));
      return row->Int(0);
    });
    return r.value();
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, MigratesOnceAndRecordsVersion) {
  EXPECT_EQ(store_->schema_version(), 2);
  Reopen();
  EXPECT_EQ(store_->schema_version(), 2);
}

TEST_F(SqliteStoreTest, FailedMigrationIsRolledBack) {
  store_.reset();
  std::vector<Migration> bad = Migrations();
  bad.push_back({3, "broken", "CREATE TABLE ok_table (x INTEGER); CREATE TABLE items (x);"});
  auto s = SqliteStore::Open({.path = (dir_ / "t.db").string()}, bad);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message().find("V3"), std::string::npos);
  Reopen();
  EXPECT_EQ(store_->schema_version(), 2);
  auto r = store_->Read(
      [](Txn& t) { return t.Query("SELECT name FROM sqlite_master WHERE name = 'ok_table'"); });
  EXPECT_TRUE(r->empty());
}

TEST_F(SqliteStoreTest, PlaceholdersArePositional) {
  EXPECT_EQ(RewritePlaceholders("SELECT $2, $1, '$3' FROM t"), "SELECT ?2, ?1, '$3' FROM t");
  auto r = store_->Read([](Txn& t) {
    return t.QueryOne("SELECT $2 - $1", {int64_t{1}, int64_t{10}});
  });
  EXPECT_EQ((*r)->Int(0), 9);
}

TEST_F(SqliteStoreTest, FailedWriterDoesNotSpoilItsBatch) {
  constexpr int kThreads = 16;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, failed{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Status s = store_->Write([&](Txn& t) -> Status {
        RETURN_IF_ERROR(t.Exec("INSERT INTO items (name, n) VALUES ($1, $2)",
                               {"item" + std::to_string(i), int64_t{i}})
                            .status());
        // Every odd writer fails after writing: its row must not survive.
        if (i % 2) return InvalidArgument("odd writer");
        return Status::Ok();
      });
      (s.ok() ? ok : failed)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads / 2);
  EXPECT_EQ(failed.load(), kThreads / 2);
  EXPECT_EQ(Count(), kThreads / 2);
}

// Jobs queued behind a blocked writer commit as one batch. The failing job runs once and
// keeps its error; the others run again after the rollback, and what they committed and
// their after-commit callbacks happen exactly once.
TEST_F(SqliteStoreTest, FailedWriterInABatchRunsOnceAndTheOthersCommitOnce) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread blocker([&] {
    ASSERT_TRUE(store_
                    ->Write([&](Txn&) {
                      released.wait();
                      return Status::Ok();
                    })
                    .ok());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the writer is now blocked
  std::atomic<int> runs[3] = {0, 0, 0}, callbacks[3] = {0, 0, 0};
  Status results[3];
  std::vector<std::thread> writers;
  for (int i = 0; i < 3; ++i) {
    writers.emplace_back([&, i] {
      results[i] = store_->Write([&](Txn& t) -> Status {
        ++runs[i];
        RETURN_IF_ERROR(t.Exec("INSERT INTO items (name, n) VALUES ($1, $2)",
                               {"w" + std::to_string(i), int64_t{i}})
                            .status());
        t.OnCommit([&] { ++callbacks[i]; });
        if (i == 1) return InvalidArgument("the middle writer fails");
        return Status::Ok();
      });
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // all three are queued
  release.set_value();
  blocker.join();
  for (auto& w : writers) w.join();
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(runs[1].load(), 1);
  EXPECT_EQ(callbacks[0].load(), 1);
  EXPECT_EQ(callbacks[1].load(), 0);
  EXPECT_EQ(callbacks[2].load(), 1);
  auto names = store_->Read([](Txn& t) { return t.Query("SELECT name FROM items ORDER BY name"); });
  ASSERT_TRUE(names.has_value());
  ASSERT_EQ(names->size(), 2u);
  EXPECT_EQ((*names)[0].Text(0), "w0");
  EXPECT_EQ((*names)[1].Text(0), "w2");
}

TEST_F(SqliteStoreTest, ReplayRunsEveryWriteTwiceAndCommitsItOnce) {
  store_.reset();
  auto s =
      SqliteStore::Open({.path = (dir_ / "t.db").string(), .replay_writes = true}, Migrations());
  ASSERT_TRUE(s.has_value()) << s.error().message();
  store_ = std::move(s).value();
  int runs = 0, callbacks = 0;
  ASSERT_TRUE(store_
                  ->Write([&](Txn& t) {
                    ++runs;
                    t.OnCommit([&] { ++callbacks; });
                    return t.Exec("INSERT INTO items (name) VALUES ('once')").status();
                  })
                  .ok());
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(callbacks, 1);
  EXPECT_EQ(Count(), 1);
}

TEST_F(SqliteStoreTest, ConstraintViolationMapsToAlreadyExists) {
  ASSERT_TRUE(
      store_->Write([](Txn& t) { return t.Exec("INSERT INTO items (name) VALUES ('a')").status(); })
          .ok());
  Status s = store_->Write(
      [](Txn& t) { return t.Exec("INSERT INTO items (name) VALUES ('a')").status(); });
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Count(), 1);
}

TEST_F(SqliteStoreTest, NestedWritesJoinTheOuterTransaction) {
  Status s = store_->Write([&](Txn& t) -> Status {
    RETURN_IF_ERROR(t.Exec("INSERT INTO items (name) VALUES ('outer')").status());
    // A nested write that fails rolls back only itself.
    Status inner = store_->Write([](Txn& t2) -> Status {
      RETURN_IF_ERROR(t2.Exec("INSERT INTO items (name) VALUES ('inner')").status());
      return Aborted("inner fails");
    });
    EXPECT_EQ(inner.code(), StatusCode::kAborted);
    // A nested read sees the outer transaction's uncommitted row.
    auto n = store_->Read([](Txn& t3) { return t3.QueryOne("SELECT COUNT(*) FROM items"); });
    EXPECT_EQ((*n)->Int(0), 1);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Count(), 1);
}

TEST_F(SqliteStoreTest, JoinedNestedWriteThatWroteNothingLetsTheCallerGoOn) {
  int callbacks = 0;
  Status s = store_->Write([&](Txn& t) -> Status {
    t.JoinNestedWrites();
    RETURN_IF_ERROR(t.Exec("INSERT INTO items (name) VALUES ('outer')").status());
    // The INSERT violates the unique name, so this write changes no row before failing.
    Status inner = store_->Write([&](Txn& t2) -> Status {
      t2.OnCommit([&] { callbacks += 100; });
      return t2.Exec("INSERT INTO items (name) VALUES ('outer')").status();
    });
    EXPECT_EQ(inner.code(), StatusCode::kAlreadyExists);
    RETURN_IF_ERROR(store_->Write([&](Txn& t2) {
      t2.OnCommit([&] { ++callbacks; });
      return t2.Exec("INSERT INTO items (name) VALUES ('joined')").status();
    }));
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Count(), 2);
  EXPECT_EQ(callbacks, 1);  // the failed write's callback was dropped
}

TEST_F(SqliteStoreTest, JoinedNestedWriteThatFailedPartWayFailsItsCaller) {
  Status s = store_->Write([&](Txn& t) -> Status {
    t.JoinNestedWrites();
    RETURN_IF_ERROR(t.Exec("INSERT INTO items (name) VALUES ('outer')").status());
    Status inner = store_->Write([](Txn& t2) -> Status {
      RETURN_IF_ERROR(t2.Exec("INSERT INTO items (name) VALUES ('half')").status());
      return Aborted("second half failed");
    });
    EXPECT_EQ(inner.code(), StatusCode::kAborted);
    return Status::Ok();  // ignores the failure: the store must not commit 'half'
  });
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  EXPECT_EQ(s.message(), "second half failed");
  EXPECT_EQ(Count(), 0);

  // A write one level further down still has its savepoint: it rolls back alone, and the
  // joined write that recovered from it commits.
  s = store_->Write([&](Txn& t) -> Status {
    t.JoinNestedWrites();
    return store_->Write([&](Txn& t2) -> Status {
      RETURN_IF_ERROR(t2.Exec("INSERT INTO items (name) VALUES ('kept')").status());
      Status deep = store_->Write([](Txn& t3) -> Status {
        RETURN_IF_ERROR(t3.Exec("INSERT INTO items (name) VALUES ('undone')").status());
        return Aborted("deep");
      });
      EXPECT_EQ(deep.code(), StatusCode::kAborted);
      return Status::Ok();
    });
  });
  ASSERT_TRUE(s.ok()) << s.message();
  auto names = store_->Read([](Txn& t) { return t.Query("SELECT name FROM items"); });
  ASSERT_EQ(names->size(), 1u);
  EXPECT_EQ((*names)[0].Text(0), "kept");
}

TEST_F(SqliteStoreTest, JoinedWritesInAGroupFailOnlyTheirOwnJob) {
  // Two jobs in one group commit: the one whose joined write failed part-way is rolled
  // back, the other commits once.
  std::promise<void> first_started;
  std::promise<void> release;
  auto blocker = std::async(std::launch::async, [&] {
    return store_->Write([&](Txn& t) -> Status {
      first_started.set_value();
      release.get_future().wait();
      return t.Exec("INSERT INTO items (name) VALUES ('blocker')").status();
    });
  });
  first_started.get_future().wait();
  auto bad = std::async(std::launch::async, [&] {
    return store_->Write([&](Txn& t) -> Status {
      t.JoinNestedWrites();
      (void)store_->Write([](Txn& t2) -> Status {
        RETURN_IF_ERROR(t2.Exec("INSERT INTO items (name) VALUES ('half')").status());
        return Aborted("half");
      });
      return Status::Ok();
    });
  });
  auto good = std::async(std::launch::async, [&] {
    return store_->Write([&](Txn& t) -> Status {
      t.JoinNestedWrites();
      return store_->Write(
          [](Txn& t2) { return t2.Exec("INSERT INTO items (name) VALUES ('good')").status(); });
    });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let both queue
  release.set_value();
  EXPECT_TRUE(blocker.get().ok());
  EXPECT_EQ(bad.get().code(), StatusCode::kAborted);
  EXPECT_TRUE(good.get().ok());
  auto names = store_->Read([](Txn& t) { return t.Query("SELECT name FROM items ORDER BY name"); });
  ASSERT_EQ(names->size(), 2u);
  EXPECT_EQ((*names)[0].Text(0), "blocker");
  EXPECT_EQ((*names)[1].Text(0), "good");
}

TEST_F(SqliteStoreTest, OnCommitRunsOnlyForCommittedWork) {
  int committed = 0;
  ASSERT_TRUE(store_
                  ->Write([&](Txn& t) {
                    t.OnCommit([&] { ++committed; });
                    return Status::Ok();
                  })
                  .ok());
  (void)store_->Write([&](Txn& t) {
    t.OnCommit([&] { committed += 100; });
    return Aborted("no");
  });
  EXPECT_EQ(committed, 1);
}

TEST_F(SqliteStoreTest, AcknowledgedWritesSurviveReopen) {
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(store_
                    ->Write([&](Txn& t) -> Status {
                      RETURN_IF_ERROR(
                          t.Exec("INSERT INTO items (name) VALUES ($1)", {"x" + std::to_string(i)})
                              .status());
                      return AppendChange(t, WorkspaceId(1), "item", i, ChangeKind::kCreated, 0);
                    })
                    .ok());
  }
  Reopen();
  EXPECT_EQ(Count(), 50);
  auto changes = store_->Read([](Txn& t) { return ReadChanges(t, 10, 5); });
  ASSERT_EQ(changes->size(), 5u);
  EXPECT_EQ((*changes)[0].seq, 11);
  EXPECT_EQ((*changes)[0].entity, "item");
  EXPECT_EQ((*changes)[0].entity_id_last, (*changes)[0].entity_id);  // one record
}

TEST_F(SqliteStoreTest, AppendChangesWritesARowPerRunOfConsecutiveIds) {
  std::vector<int64_t> ids{5, 6, 7, 9, 10, 3};
  ASSERT_TRUE(store_
                  ->Write([&](Txn& t) {
                    return AppendChanges(t, WorkspaceId(1), "item", ids, ChangeKind::kCreated, 42);
                  })
                  .ok());
  auto changes = store_->Read([](Txn& t) { return ReadChanges(t, 0, 100); });
  ASSERT_TRUE(changes.has_value());
  std::vector<std::pair<int64_t, int64_t>> runs;
  for (const Change& c : *changes) {
    runs.emplace_back(c.entity_id, c.entity_id_last);
    EXPECT_EQ(c.at, 42);
    EXPECT_EQ(c.kind, ChangeKind::kCreated);
  }
  EXPECT_EQ(runs, (std::vector<std::pair<int64_t, int64_t>>{{5, 7}, {9, 10}, {3, 3}}));
  // A run of one is stored as one record, as AppendChange stores it.
  auto last = store_->Read([](Txn& t) {
    return t.QueryOne("SELECT entity_id_last FROM change_feed WHERE entity_id = 3");
  });
  ASSERT_TRUE(last.has_value() && last->has_value());
  EXPECT_TRUE((*last)->IsNull(0));
}

TEST_F(SqliteStoreTest, QueryEachStreamsTypedColumns) {
  ASSERT_TRUE(store_
                  ->Write([](Txn& t) -> Status {
                    RETURN_IF_ERROR(
                        t.Exec("INSERT INTO items (name, n) VALUES ('a', 1), ('b', NULL), ('c', 3)")
                            .status());
                    return Status::Ok();
                  })
                  .ok());
  std::vector<std::string> seen;
  Status s = store_->Read([&](Txn& t) {
    return t.QueryEach("SELECT name, n, n * 1.5, id FROM items WHERE id >= $1 ORDER BY id",
                       {int64_t{1}}, [&](const RowView& r) -> Status {
                         EXPECT_EQ(r.size(), 4u);
                         EXPECT_EQ(r.type(0), Cell::Type::kText);
                         std::string line(r.Text(0));
                         line += r.IsNull(1) ? ":null" : ":" + std::to_string(r.Int(1));
                         if (!r.IsNull(2)) line += ":" + std::to_string(r.Real(2));
                         // Numbers read as text like Row::Text; NULL as "" and 0.
                         EXPECT_EQ(r.Text(3), std::to_string(r.Int(3)));
                         if (r.IsNull(1)) {
                           EXPECT_EQ(r.Text(1), "");
                           EXPECT_EQ(r.Int(1), 0);
                           EXPECT_FALSE(r.OptInt(1).has_value());
                         }
                         EXPECT_EQ(std::get<std::string>(r.Get(0)), r.Text(0));
                         seen.push_back(line);
                         return Status::Ok();
                       });
  });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(seen, (std::vector<std::string>{"a:1:1.500000", "b:null", "c:3:4.500000"}));
}

TEST_F(SqliteStoreTest, QueryEachStopsAtTheCallbacksError) {
  ASSERT_TRUE(store_
                  ->Write([](Txn& t) {
                    return t.Exec("INSERT INTO items (name) VALUES ('a'), ('b'), ('c')").status();
                  })
                  .ok());
  int calls = 0;
  Status s = store_->Read([&](Txn& t) {
    return t.QueryEach("SELECT name FROM items ORDER BY id", {}, [&](const RowView&) -> Status {
      return ++calls == 2 ? Aborted("enough") : Status::Ok();
    });
  });
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  EXPECT_EQ(calls, 2);
  // The statement was reset: running it again starts from the first row.
  std::vector<std::string> names;
  s = store_->Read([&](Txn& t) {
    return t.QueryEach("SELECT name FROM items ORDER BY id", {}, [&](const RowView& r) {
      names.emplace_back(r.Text(0));
      return Status::Ok();
    });
  });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(SqliteStoreTest, QueryEachCallbackMayRunTheSameStatement) {
  ASSERT_TRUE(store_
                  ->Write([](Txn& t) {
                    return t.Exec("INSERT INTO items (name, n) VALUES ('a', 1), ('b', 2)").status();
                  })
                  .ok());
  constexpr const char* kSql = "SELECT n FROM items WHERE n >= $1 ORDER BY n";
  std::vector<int64_t> pairs;
  Status s = store_->Read([&](Txn& t) {
    return t.QueryEach(kSql, {int64_t{1}}, [&](const RowView& outer) -> Status {
      int64_t n = outer.Int(0);
      RETURN_IF_ERROR(t.QueryEach(kSql, {n}, [&](const RowView& inner) {
        pairs.push_back(n * 10 + inner.Int(0));
        return Status::Ok();
      }));
      ASSIGN_OR_RETURN(auto rows, t.Query(kSql, {n}));
      EXPECT_EQ(rows.front().Int(0), n);
      return Status::Ok();
    });
  });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(pairs, (std::vector<int64_t>{11, 12, 22}));
}

TEST_F(SqliteStoreTest, TryReadSeparatelyUsesAnotherConnectionOrDeclines) {
  ASSERT_TRUE(
      store_->Write([](Txn& t) { return t.Exec("INSERT INTO items (name) VALUES ('a')").status(); })
          .ok());
  Status s = store_->Read([&](Txn& outer) -> Status {
    // Inside a read transaction, on another thread as the loader does it.
    Result<bool> ran = false;
    int64_t count = -1;
    std::thread th([&] {
      ran = store_->TryReadSeparately([&](Txn& t) -> Status {
        ASSIGN_OR_RETURN(auto row, t.QueryOne("SELECT COUNT(*) FROM items"));
        count = row->Int(0);
        return Status::Ok();
      });
    });
    th.join();
    EXPECT_TRUE(ran.has_value() && *ran);
    EXPECT_EQ(count, 1);
    // The outer transaction is still usable on this thread.
    ASSIGN_OR_RETURN(auto row, outer.QueryOne("SELECT COUNT(*) FROM items"));
    EXPECT_EQ(row->Int(0), 1);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.message();

  // With every reader busy it declines at once instead of waiting.
  Reopen1Reader();
  s = store_->Read([&](Txn&) -> Status {
    Result<bool> ran = true;
    std::thread th([&] { ran = store_->TryReadSeparately([](Txn&) { return Status::Ok(); }); });
    th.join();
    EXPECT_TRUE(ran.has_value());
    EXPECT_FALSE(ran.has_value() && *ran);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.message();
}

TEST_F(SqliteStoreTest, ClosedStoreRefusesWork) {
  store_->Close();
  EXPECT_EQ(store_->Write([](Txn&) { return Status::Ok(); }).code(), StatusCode::kUnavailable);
  EXPECT_EQ(store_->Read([](Txn&) { return Status::Ok(); }).code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace rapport::store
