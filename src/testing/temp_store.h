// Test support: a real SQLite store with the real migrations in a fresh temporary
// directory, removed again when the TempStore goes away.
#pragma once

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "store/sqlite/sqlite_store.h"

namespace rapport::testing {

class TempStore {
 public:
  TempStore();
  ~TempStore();
  store::SqliteStore& store() { return *store_; }
  const std::filesystem::path& dir() const { return dir_; }
  // Closes and reopens the database (to check what is durable).
  void Reopen();
  // The rows of `table` (counts before and after show that bad input stored nothing).
  int64_t Count(std::string_view table);

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
};

// The field names of a status's errors.
std::set<std::string> ErrorFields(const Status& s);

// 2026-11-23T12:00:00Z, the fake "now" of domain tests.
constexpr Micros kTestNow = 1795435200LL * kMicrosPerSecond;

}  // namespace rapport::testing
