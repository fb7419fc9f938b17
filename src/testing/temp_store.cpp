#include "testing/temp_store.h"

#include <unistd.h>

#include <atomic>
#include <stdexcept>

#include "store/migration.h"

namespace rapport::testing {

TempStore::TempStore() {
  static std::atomic<int> counter{0};
  dir_ = std::filesystem::temp_directory_path() /
         ("rapport_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  Reopen();
}

TempStore::~TempStore() {
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void TempStore::Reopen() {
  store_.reset();
  // Every write runs twice (see SqliteOptions::replay_writes), so each service's tests also
  // check that its write functions survive a batch retry.
  auto s = store::SqliteStore::Open(
      {.path = (dir_ / "rapport.db").string(), .readers = 4, .replay_writes = true},
      store::SqliteMigrations());
  if (!s) throw std::runtime_error("cannot open test store: " + s.error().message());
  store_ = std::move(s).value();
}

int64_t TempStore::Count(std::string_view table) {
  auto n = store_->Read(
      [&](store::Txn& t) { return t.QueryOne("SELECT COUNT(*) FROM " + std::string(table)); });
  if (!n)
    throw std::runtime_error("cannot count " + std::string(table) + ": " + n.error().message());
  return (*n)->Int(0);
}

std::set<std::string> ErrorFields(const Status& s) {
  std::set<std::string> out;
  for (const auto& f : s.fields()) out.insert(f.field);
  return out;
}

}  // namespace rapport::testing
