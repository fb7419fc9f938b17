#include "store/sqlite/insert_returning.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/sqlite/sqlite_store.h"

namespace rapport::store {
namespace {

TEST(PlainInsertOfReturningIdTest, StripsTheSuffixOfASingleRowInsert) {
  EXPECT_EQ(PlainInsertOfReturningId("INSERT INTO t (a, b) VALUES ($1, $2) RETURNING id"),
            "INSERT INTO t (a, b) VALUES ($1, $2)");
  EXPECT_EQ(PlainInsertOfReturningId("  insert into t (a) values ($1)\n  returning id ;"),
            "  insert into t (a) values ($1)");
  EXPECT_EQ(PlainInsertOfReturningId("INSERT OR IGNORE INTO t (a) VALUES ($1) RETURNING id"),
            "INSERT OR IGNORE INTO t (a) VALUES ($1)");
}

TEST(PlainInsertOfReturningIdTest, KeepsEverythingElse) {
  for (const char* sql : {
           "INSERT INTO t (a) VALUES ($1) ON CONFLICT (a) DO UPDATE SET b = 1 RETURNING id",
           "INSERT OR REPLACE INTO t (a) VALUES ($1) RETURNING id",
           "REPLACE INTO t (a) VALUES ($1) RETURNING id",
           "INSERT INTO t (a) VALUES ($1), ($2) RETURNING id",
           "INSERT INTO t (a) SELECT a FROM u RETURNING id",
           "INSERT INTO t (a) VALUES ('x') RETURNING id",
           "INSERT INTO t (a) VALUES ($1) RETURNING id, a",
           "INSERT INTO t (a) VALUES ($1) RETURNING rowid_id",
           "INSERT INTO t (a) VALUES ($1)",
           "UPDATE t SET a = 1 RETURNING id",
           "DELETE FROM t RETURNING id",
       }) {
    EXPECT_FALSE(PlainInsertOfReturningId(sql).has_value()) << sql;
  }
}

// Through the driver: the id, an ignored insert (no row), and a constraint error.
TEST(PlainInsertOfReturningIdTest, DriverAnswersLikeReturning) {
  auto dir = std::filesystem::temp_directory_path() /
             ("rapport_insert_returning_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::vector<Migration> m = {
        {1, "t", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT UNIQUE NOT NULL);"}};
    auto store = SqliteStore::Open({.path = (dir / "t.db").string(), .readers = 1}, m);
    ASSERT_TRUE(store.has_value()) << store.error().message();
    Status s = (*store)->Write([&](Txn& t) -> Status {
      auto first = t.QueryOne("INSERT INTO t (a) VALUES ($1) RETURNING id", {std::string("x")});
      EXPECT_TRUE(first.has_value() && first->has_value());
      if (first.has_value() && first->has_value()) {
        EXPECT_EQ((*first)->Int(0), 1);
      }
      auto second = t.Query("INSERT INTO t (a) VALUES ($1) RETURNING id", {std::string("y")});
      EXPECT_TRUE(second.has_value() && second->size() == 1 && (*second)[0].Int(0) == 2);
      auto ignored =
          t.Query("INSERT OR IGNORE INTO t (a) VALUES ($1) RETURNING id", {std::string("x")});
      EXPECT_TRUE(ignored.has_value() && ignored->empty());
      auto dup = t.Query("INSERT INTO t (a) VALUES ($1) RETURNING id", {std::string("y")});
      EXPECT_FALSE(dup.has_value());
      if (!dup.has_value()) {
        EXPECT_EQ(dup.error().code(), StatusCode::kAlreadyExists);
      }
      auto null = t.Query("INSERT INTO t (a) VALUES ($1) RETURNING id", {Null{}});
      EXPECT_FALSE(null.has_value());
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rapport::store
