// The embedded store: one SQLite database file in WAL mode. One writer thread owns the
// write connection and commits concurrent Write() callers in batches (group commit, with
// synchronous=FULL so an acknowledged write survives a crash); a pool of read-only
// connections serves Read() concurrently. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/metrics.h"
#include "store/migration.h"
#include "store/store.h"

namespace rapport::store {

struct SqliteOptions {
  std::string path;            // database file; created if missing
  int readers = 8;             // read connections
  size_t max_batch = 512;      // most write callers folded into one commit
  Metrics* metrics = nullptr;  // commit latency and batch size, when set
  // Tests: every batch runs, is rolled back and runs again (as after a failed job), which
  // shows that every write function can run twice (see store.h).
  bool replay_writes = false;
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) and migrates the database. Returns Unavailable if the file
  // cannot be opened, Internal if a migration fails (the failed one is rolled back).
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteOptions& options,
                                                   const std::vector<Migration>& migrations);
  ~SqliteStore() override;

  // Stops the writer after the queued writes committed, checkpoints the WAL and closes
  // every connection. Later Write()/Read() calls return Unavailable. Idempotent.
  void Close();

  Dialect dialect() const override { return Dialect::kSqlite; }
  int schema_version() const override;
  Result<bool> TryReadSeparately(const std::function<Status(Txn&)>& fn) override;

  struct Impl;

 protected:
  Status RunWrite(const std::function<Status(Txn&)>& fn) override;
  Status RunRead(const std::function<Status(Txn&)>& fn) override;

 private:
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Rewrites `$N` placeholders (PostgreSQL style, used by all repositories) to SQLite's
// positional `?N`. Text inside single quotes is left alone.
std::string RewritePlaceholders(std::string_view sql);

}  // namespace rapport::store
