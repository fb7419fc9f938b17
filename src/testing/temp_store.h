// Test support: a real SQLite store with the real migrations in a fresh temporary
// directory, removed again when the TempStore goes away.
#pragma once

#include <filesystem>
#include <memory>

#include "common/clock.h"
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

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
};

// 2026-11-23T12:00:00Z, the fake "now" of domain tests.
constexpr Micros kTestNow = 1795435200LL * kMicrosPerSecond;

}  // namespace rapport::testing
