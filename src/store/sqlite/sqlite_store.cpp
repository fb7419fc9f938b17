#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "common/log.h"
#include "store/sqlite/insert_returning.h"

namespace rapport::store {
namespace {

Status SqliteError(sqlite3* db, std::string_view what) {
  int code = sqlite3_extended_errcode(db);
  std::string msg = std::string(what) + ": " + sqlite3_errmsg(db);
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return {StatusCode::kAlreadyExists, msg};
  }
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) return Unavailable(msg);
  return Internal(msg);
}

// Every allocation inside SQLite takes a process-wide mutex to keep its memory statistics,
// which nothing here reads; the writer and the readers contended for it. It can only be
// switched off before SQLite initialises, so this runs before the first connection opens.
void DisableMemoryStatistics() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

// One SQLite connection with a cache of prepared statements. Used by one thread at a time.
class Connection {
 public:
  ~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    for (sqlite3_stmt* stmt : transient_) sqlite3_finalize(stmt);
    if (db_) sqlite3_close_v2(db_);
  }

  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool read_only) {
    DisableMemoryStatistics();
    auto c = std::make_unique<Connection>();
    int flags = SQLITE_OPEN_NOMUTEX |
                (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path.c_str(), &c->db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = c->db_ ? sqlite3_errmsg(c->db_) : "out of memory";
      return Unavailable("cannot open database " + path + ": " + msg);
    }
    sqlite3_extended_result_codes(c->db_, 1);
    sqlite3_busy_timeout(c->db_, 10000);
    // Temporary b-trees (sorts, IN lists, RETURNING rows) stay in memory: in a temporary
    // file they spilled past its small cache (V009's fold spent a tenth of its time there).
    const char* pragmas = read_only ? "PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768; "
                                      "PRAGMA temp_store=MEMORY;"
                                    : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                      "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
                                      "PRAGMA cache_size=-131072; PRAGMA wal_autocheckpoint=0;";
    Status s = c->ExecScript(pragmas);
    if (!s.ok()) return s;
    return c;
  }

  sqlite3* db() const { return db_; }

  Status ExecScript(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return Internal("sqlite: " + msg);
    }
    return Status::Ok();
  }

  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    auto it = cache_.find(std::string(sql));
    if (it != cache_.end()) {
      // Busy only while a QueryEach steps it and its callback runs the same SQL: resetting it
      // would restart the outer loop, so the nested use gets a statement of its own.
      if (each_depth_ > 0 && sqlite3_stmt_busy(it->second)) {
        std::string rewritten = RewritePlaceholders(sql);
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, rewritten.c_str(), static_cast<int>(rewritten.size()), &stmt,
                               nullptr) != SQLITE_OK) {
          return SqliteError(db_, "prepare");
        }
        transient_.push_back(stmt);
        return stmt;
      }
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    std::string rewritten = RewritePlaceholders(sql);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, rewritten.c_str(), static_cast<int>(rewritten.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      return SqliteError(db_, "prepare");
    }
    cache_.emplace(std::string(sql), stmt);
    return stmt;
  }

  // Reads each column through sqlite3_column_value, which costs one API call per column
  // instead of two or three (type, then value, then length); safe because a connection is
  // used by one thread at a time.
  Status QueryEach(std::string_view sql, const Params& params,
                   const std::function<Status(const RowView&)>& fn) {
    ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    // Reset even if fn throws, and drop the statements nested calls prepared once the
    // outermost QueryEach is done with them.
    struct Done {
      Connection& c;
      sqlite3_stmt* stmt;
      ~Done() {
        sqlite3_reset(stmt);
        if (--c.each_depth_ == 0) {
          for (sqlite3_stmt* t : c.transient_) sqlite3_finalize(t);
          c.transient_.clear();
        }
      }
    } done{*this, stmt};
    ++each_depth_;
    RETURN_IF_ERROR(Bind(stmt, params));
    const int ncol = sqlite3_column_count(stmt);
    std::vector<Cell> cells(static_cast<size_t>(ncol));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      for (int i = 0; i < ncol; ++i) {
        sqlite3_value* v = sqlite3_column_value(stmt, i);
        Cell& c = cells[static_cast<size_t>(i)];
        switch (sqlite3_value_type(v)) {
          case SQLITE_INTEGER:
            c.type = Cell::Type::kInt;
            c.i = sqlite3_value_int64(v);
            break;
          case SQLITE_FLOAT:
            c.type = Cell::Type::kReal;
            c.r = sqlite3_value_double(v);
            break;
          case SQLITE_NULL:
            c.type = Cell::Type::kNull;
            break;
          default: {
            const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
            c.type = Cell::Type::kText;
            c.text = std::string_view(p ? p : "", static_cast<size_t>(sqlite3_value_bytes(v)));
          }
        }
      }
      RETURN_IF_ERROR(fn(RowView(cells.data(), cells.size())));
    }
    if (rc != SQLITE_DONE) return SqliteError(db_, "query");
    return Status::Ok();
  }

  Status Bind(sqlite3_stmt* stmt, const Params& params) {
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      int rc = std::visit(
          [&](const auto& v) -> int {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, Null>) return sqlite3_bind_null(stmt, idx);
            if constexpr (std::is_same_v<T, int64_t>) return sqlite3_bind_int64(stmt, idx, v);
            if constexpr (std::is_same_v<T, double>) return sqlite3_bind_double(stmt, idx, v);
            if constexpr (std::is_same_v<T, std::string>)
              return sqlite3_bind_text(stmt, idx, v.data(), static_cast<int>(v.size()),
                                       SQLITE_STATIC);
          },
          params[i]);
      if (rc != SQLITE_OK) return SqliteError(db_, "bind");
    }
    return Status::Ok();
  }

  Result<int64_t> Exec(std::string_view sql, const Params& params) {
    ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    RETURN_IF_ERROR(Bind(stmt, params));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) return SqliteError(db_, "exec");
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Result<std::vector<Row>> Query(std::string_view sql, const Params& params) {
    if (auto insert = PlainInsertOfReturningId(sql)) {
      ASSIGN_OR_RETURN(int64_t changed, Exec(*insert, params));
      std::vector<Row> rows;
      if (changed == 1) rows.emplace_back(std::vector<Value>{sqlite3_last_insert_rowid(db_)});
      return rows;
    }
    ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    RETURN_IF_ERROR(Bind(stmt, params));
    std::vector<Row> rows;
    int rc;
    int ncol = sqlite3_column_count(stmt);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<Value> cols;
      cols.reserve(ncol);
      for (int i = 0; i < ncol; ++i) {
        switch (sqlite3_column_type(stmt, i)) {
          case SQLITE_INTEGER:
            cols.emplace_back(int64_t{sqlite3_column_int64(stmt, i)});
            break;
          case SQLITE_FLOAT:
            cols.emplace_back(sqlite3_column_double(stmt, i));
            break;
          case SQLITE_NULL:
            cols.emplace_back(Null{});
            break;
          default: {
            const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
            cols.emplace_back(std::string(p ? p : "", sqlite3_column_bytes(stmt, i)));
          }
        }
      }
      rows.emplace_back(std::move(cols));
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) return SqliteError(db_, "query");
    return rows;
  }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  int each_depth_ = 0;                    // QueryEach calls running
  std::vector<sqlite3_stmt*> transient_;  // see Prepare
};

class SqliteTxn final : public Txn {
 public:
  SqliteTxn(Connection& conn, bool writable) : conn_(conn), writable_(writable) {}

  Result<int64_t> Exec(std::string_view sql, const Params& params) override {
    if (!writable_) return Internal("write statement in a read transaction");
    return conn_.Exec(sql, params);
  }
  Result<std::vector<Row>> Query(std::string_view sql, const Params& params) override {
    return conn_.Query(sql, params);
  }
  Status QueryEach(std::string_view sql, const Params& params,
                   const std::function<Status(const RowView&)>& fn) override {
    return conn_.QueryEach(sql, params, fn);
  }
  void OnCommit(std::function<void()> fn) override { on_commit_.push_back(std::move(fn)); }
  bool writable() const override { return writable_; }
  void JoinNestedWrites() override;

  Connection& conn() { return conn_; }
  std::vector<std::function<void()>>& on_commit() { return on_commit_; }

 private:
  Connection& conn_;
  bool writable_;
  std::vector<std::function<void()>> on_commit_;
};

// The transaction the current thread is running a function in, so nested Write()/Read()
// calls join it instead of deadlocking on the writer or taking a second snapshot.
thread_local SqliteTxn* tls_txn = nullptr;
thread_local int tls_depth = 0;

// Set by Txn::JoinNestedWrites: the nesting depth whose Write()s join the transaction
// without a savepoint (-1: none), and the error of such a write that failed after it
// changed rows, which fails the function that joined it.
thread_local int tls_join_depth = -1;
thread_local std::optional<Status> tls_poison;

// Runs a write function at the current depth, in a join scope of its own: exceptions become
// Internal, and a joined nested write that failed part-way fails it too.
Status RunWriteFunction(SqliteTxn& txn, const std::function<Status(Txn&)>& fn) {
  int join_depth = std::exchange(tls_join_depth, -1);
  std::optional<Status> poison = std::exchange(tls_poison, std::nullopt);
  Status s;
  try {
    s = fn(txn);
  } catch (const std::exception& e) {
    s = Internal(std::string("exception in write transaction: ") + e.what());
  }
  if (s.ok() && tls_poison) s = *tls_poison;
  tls_join_depth = join_depth;
  tls_poison = std::move(poison);
  return s;
}

void SqliteTxn::JoinNestedWrites() {
  if (writable_) tls_join_depth = tls_depth;
}

Status RunInSavepoint(SqliteTxn& txn, const std::function<Status(Txn&)>& fn) {
  std::string name = "sp" + std::to_string(++tls_depth);
  Status s = txn.conn().Exec("SAVEPOINT " + name, {}).status();
  size_t callbacks_before = txn.on_commit().size();
  if (s.ok()) {
    s = RunWriteFunction(txn, fn);
    if (!s.ok()) {
      txn.on_commit().resize(callbacks_before);
      (void)txn.conn().Exec("ROLLBACK TO " + name, {});
    }
    Status release = txn.conn().Exec("RELEASE " + name, {}).status();
    if (s.ok() && !release.ok()) s = release;
  }
  --tls_depth;
  return s;
}

// A nested write that joins its caller's transaction without a savepoint (see
// Txn::JoinNestedWrites). If it fails after changing rows, nothing can undo those rows but
// the caller's own rollback, so the caller fails with it.
Status RunJoined(SqliteTxn& txn, const std::function<Status(Txn&)>& fn) {
  sqlite3* db = txn.conn().db();
  sqlite3_int64 changes_before = sqlite3_total_changes64(db);
  size_t callbacks_before = txn.on_commit().size();
  ++tls_depth;
  Status s = RunWriteFunction(txn, fn);
  --tls_depth;
  if (!s.ok()) {
    txn.on_commit().resize(callbacks_before);
    if (sqlite3_total_changes64(db) != changes_before && !tls_poison) tls_poison = s;
  }
  return s;
}

}  // namespace

struct SqliteStore::Impl {
  struct Job {
    const std::function<Status(Txn&)>* fn;
    Status result;
    bool done = false;
  };

  SqliteOptions options;
  std::unique_ptr<Connection> writer;
  std::thread writer_thread;

  // Checkpoints run on their own connection and thread, so copying the WAL into the
  // database (and its fsync) never sits inside a commit that callers wait for. The
  // writer's WAL hook wakes the checkpointer once the WAL holds kCheckpointPages.
  static constexpr int kCheckpointPages = 4000;
  static constexpr int kRestartPages = 4 * kCheckpointPages;
  std::unique_ptr<Connection> checkpointer;
  std::thread checkpoint_thread;
  std::mutex checkpoint_mu;
  std::condition_variable checkpoint_cv;
  bool checkpoint_wanted = false;
  bool checkpoint_stop = false;

  static int OnWalCommit(void* self, sqlite3* db, const char*, int pages) {
    auto* impl = static_cast<Impl*>(self);
    if (pages >= kRestartPages) {
      // Under a steady write load the checkpointer never catches up with the writer, and
      // SQLite restarts the WAL from its beginning only after a checkpoint that copied
      // every frame: the WAL grew to four times the database in a bulk import. A passive
      // checkpoint here, between two transactions, copies the few frames the checkpointer
      // has not, so the writer's next transaction starts the WAL over.
      (void)sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (pages >= kCheckpointPages) {
      {
        std::lock_guard lock(impl->checkpoint_mu);
        impl->checkpoint_wanted = true;
      }
      impl->checkpoint_cv.notify_one();
    }
    return SQLITE_OK;
  }

  void CheckpointLoop() {
    std::unique_lock lock(checkpoint_mu);
    for (;;) {
      checkpoint_cv.wait(lock, [&] { return checkpoint_wanted || checkpoint_stop; });
      if (checkpoint_stop) return;
      checkpoint_wanted = false;
      lock.unlock();
      int log = 0, done = 0;
      if (sqlite3_wal_checkpoint_v2(checkpointer->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log,
                                    &done) != SQLITE_OK) {
        log::Warn("WAL checkpoint failed", {{"error", sqlite3_errmsg(checkpointer->db())}});
      }
      if (options.metrics)
        options.metrics->Add("rapport_store_checkpoints_total", {{"store", "sqlite"}});
      lock.lock();
    }
  }
  std::mutex mu;
  std::condition_variable work_cv;
  std::condition_variable done_cv;
  std::deque<Job*> queue;
  bool stopping = false;
  bool closed = false;
  int schema_version = 0;

  std::mutex readers_mu;
  std::condition_variable readers_cv;
  std::vector<std::unique_ptr<Connection>> idle_readers;

  // Runs fn in a read transaction on `conn`, then returns it to the idle readers.
  Status ReadOn(std::unique_ptr<Connection> conn, const std::function<Status(Txn&)>& fn) {
    SqliteTxn txn(*conn, false);
    Status s = conn->ExecScript("BEGIN");
    if (s.ok()) {
      tls_txn = &txn;
      try {
        s = fn(txn);
      } catch (const std::exception& e) {
        s = Internal(std::string("exception in read transaction: ") + e.what());
      }
      tls_txn = nullptr;
      (void)conn->ExecScript("COMMIT");
    }
    {
      std::lock_guard lock(readers_mu);
      idle_readers.push_back(std::move(conn));
    }
    readers_cv.notify_all();
    return s;
  }

  // After a long group (a bulk import: at least kLingerAfter), the next one waits for the
  // callers that group released, for at most 1/20 of its time and never over kMaxLinger.
  // Each commit rewrites every page its group touched at random, and with four importing
  // clients the groups had settled at two requests each: waiting for all four halved the
  // commits (activity import +11%, a quarter fewer bytes written). Interactive writes,
  // whose groups take about a millisecond, never wait.
  static constexpr std::chrono::milliseconds kLingerAfter{10};
  static constexpr std::chrono::milliseconds kMaxLinger{50};

  void WriterLoop() {
    std::vector<Job*> batch;
    size_t released = 0;  // jobs of the previous group, whose callers may write again
    std::chrono::steady_clock::duration last_group{};
    for (;;) {
      {
        std::unique_lock lock(mu);
        work_cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty() && stopping) return;
        size_t want = std::min(queue.size() + released, options.max_batch);
        if (queue.size() < want && last_group >= kLingerAfter) {
          auto linger = std::min<std::chrono::steady_clock::duration>(kMaxLinger, last_group / 20);
          work_cv.wait_for(lock, linger, [&] { return stopping || queue.size() >= want; });
        }
        while (!queue.empty() && batch.size() < options.max_batch) {
          batch.push_back(queue.front());
          queue.pop_front();
        }
      }
      auto start = std::chrono::steady_clock::now();
      CommitBatch(batch);
      last_group = std::chrono::steady_clock::now() - start;
      released = batch.size();
      {
        std::lock_guard lock(mu);
        for (Job* j : batch) j->done = true;
      }
      done_cv.notify_all();
      batch.clear();
    }
  }

  // Commits the batch's jobs in one transaction. Jobs first run back to back without
  // savepoints: in WAL mode a savepoint copies every page its job touches into a statement
  // journal (a temporary file once past 64 KiB), which cost a contact import 8% of its
  // writer time. If a job fails, the transaction is rolled back, that job keeps its result,
  // and the others run again, each in its own savepoint. So a job's function may run twice
  // (see store.h); `replay_writes` runs every batch twice to prove that in tests.
  void CommitBatch(std::vector<Job*>& batch) {
    auto start = std::chrono::steady_clock::now();
    std::vector<Job*> pending = batch;
    bool optimistic = true;
    for (;;) {
      SqliteTxn txn(*writer, true);
      Status begin = writer->ExecScript("BEGIN IMMEDIATE");
      if (!begin.ok()) {
        for (Job* j : pending) j->result = begin;
        return;
      }
      tls_txn = &txn;
      bool retry = false;
      if (optimistic) {
        for (size_t i = 0; i < pending.size(); ++i) {
          Status s = RunWriteFunction(txn, *pending[i]->fn);
          if (!s.ok()) {
            pending[i]->result = s;
            pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
            retry = true;
            break;
          }
          pending[i]->result = s;
        }
        if (!retry && options.replay_writes) retry = true;
      } else {
        for (Job* j : pending) j->result = RunInSavepoint(txn, *j->fn);
      }
      tls_txn = nullptr;
      if (retry) {
        (void)writer->ExecScript("ROLLBACK");
        if (options.metrics)
          options.metrics->Add("rapport_store_batch_retries_total", {{"store", "sqlite"}});
        optimistic = false;
        if (pending.empty()) return;
        continue;
      }
      Status commit = writer->ExecScript("COMMIT");
      if (!commit.ok()) {
        (void)writer->ExecScript("ROLLBACK");
        log::Error("commit failed", {{"error", commit.message()}});
        for (Job* j : pending) {
          if (j->result.ok()) j->result = Unavailable("commit failed: " + commit.message());
        }
        return;
      }
      if (options.metrics) {
        double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        options.metrics->Observe("rapport_store_commit_seconds", {{"store", "sqlite"}}, secs);
        options.metrics->Add("rapport_store_commits_total", {{"store", "sqlite"}});
        options.metrics->Add("rapport_store_writes_total", {{"store", "sqlite"}},
                             static_cast<double>(batch.size()));
      }
      for (auto& cb : txn.on_commit()) {
        try {
          cb();
        } catch (const std::exception& e) {
          log::Error("after-commit callback failed", {{"error", e.what()}});
        }
      }
      return;
    }
  }

  Status Migrate(const std::vector<Migration>& migrations) {
    RETURN_IF_ERROR(writer->ExecScript(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"));
    auto rows = writer->Query("SELECT version FROM schema_migrations", {});
    if (!rows) return rows.error();
    std::set<int> applied;
    for (const Row& r : *rows) applied.insert(static_cast<int>(r.Int(0)));
    schema_version = applied.empty() ? 0 : *applied.rbegin();
    // Every migration not yet recorded is applied, in version order (not only those above
    // the highest applied one), so a branch that lands a lower number still gets applied.
    for (const Migration& m : migrations) {
      if (applied.count(m.version)) continue;
      RETURN_IF_ERROR(writer->ExecScript("BEGIN IMMEDIATE"));
      Status s = writer->ExecScript(m.sql);
      if (s.ok()) {
        s = writer
                ->Exec("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                       {int64_t{m.version}, m.name})
                .status();
      }
      if (!s.ok()) {
        (void)writer->ExecScript("ROLLBACK");
        return Internal("migration V" + std::to_string(m.version) + " " + m.name +
                        " failed: " + s.message());
      }
      RETURN_IF_ERROR(writer->ExecScript("COMMIT"));
      schema_version = std::max(schema_version, m.version);
      log::Info("applied migration", {{"version", m.version}, {"name", m.name}});
    }
    return Status::Ok();
  }
};

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteStore::~SqliteStore() { Close(); }

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteOptions& options,
                                                       const std::vector<Migration>& migrations) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  ASSIGN_OR_RETURN(impl->writer, Connection::Open(options.path, false));
  RETURN_IF_ERROR(impl->Migrate(migrations));
  for (int i = 0; i < options.readers; ++i) {
    ASSIGN_OR_RETURN(auto reader, Connection::Open(options.path, true));
    impl->idle_readers.push_back(std::move(reader));
  }
  Impl* raw = impl.get();
  ASSIGN_OR_RETURN(impl->checkpointer, Connection::Open(options.path, false));
  sqlite3_wal_hook(impl->writer->db(), &Impl::OnWalCommit, raw);
  impl->checkpoint_thread = std::thread([raw] { raw->CheckpointLoop(); });
  impl->writer_thread = std::thread([raw] { raw->WriterLoop(); });
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

void SqliteStore::Close() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->closed) return;
    impl_->closed = true;
    impl_->stopping = true;
  }
  impl_->work_cv.notify_all();
  if (impl_->writer_thread.joinable()) impl_->writer_thread.join();
  {
    std::lock_guard lock(impl_->checkpoint_mu);
    impl_->checkpoint_stop = true;
  }
  impl_->checkpoint_cv.notify_all();
  if (impl_->checkpoint_thread.joinable()) impl_->checkpoint_thread.join();
  impl_->checkpointer.reset();
  {
    std::unique_lock lock(impl_->readers_mu);
    // Wait for readers in use to come back before closing them.
    impl_->readers_cv.wait(lock, [&] {
      return impl_->idle_readers.size() >= static_cast<size_t>(impl_->options.readers);
    });
    impl_->idle_readers.clear();
  }
  (void)impl_->writer->ExecScript("PRAGMA wal_checkpoint(TRUNCATE)");
  impl_->writer.reset();
}

int SqliteStore::schema_version() const { return impl_->schema_version; }

Status SqliteStore::RunWrite(const std::function<Status(Txn&)>& fn) {
  if (tls_txn) {
    if (!tls_txn->writable()) return Internal("Write() called inside Read()");
    if (tls_depth == tls_join_depth) return RunJoined(*tls_txn, fn);
    return RunInSavepoint(*tls_txn, fn);
  }
  Impl::Job job{&fn, Status::Ok()};
  {
    std::unique_lock lock(impl_->mu);
    if (impl_->stopping) return Unavailable("store is closed");
    impl_->queue.push_back(&job);
  }
  impl_->work_cv.notify_one();
  std::unique_lock lock(impl_->mu);
  impl_->done_cv.wait(lock, [&] { return job.done; });
  return job.result;
}

Status SqliteStore::RunRead(const std::function<Status(Txn&)>& fn) {
  if (tls_txn) {
    try {
      return fn(*tls_txn);
    } catch (const std::exception& e) {
      return Internal(std::string("exception in read transaction: ") + e.what());
    }
  }
  std::unique_ptr<Connection> conn;
  {
    std::unique_lock lock(impl_->readers_mu);
    if (impl_->closed) return Unavailable("store is closed");
    impl_->readers_cv.wait(lock, [&] { return !impl_->idle_readers.empty() || impl_->closed; });
    if (impl_->idle_readers.empty()) return Unavailable("store is closed");
    conn = std::move(impl_->idle_readers.back());
    impl_->idle_readers.pop_back();
  }
  return impl_->ReadOn(std::move(conn), fn);
}

Result<bool> SqliteStore::TryReadSeparately(const std::function<Status(Txn&)>& fn) {
  std::unique_ptr<Connection> conn;
  {
    std::lock_guard lock(impl_->readers_mu);
    if (impl_->closed) return Unavailable("store is closed");
    if (impl_->idle_readers.empty()) return false;
    conn = std::move(impl_->idle_readers.back());
    impl_->idle_readers.pop_back();
  }
  // The caller's own transaction (if any) resumes on this thread afterwards.
  SqliteTxn* outer = tls_txn;
  tls_txn = nullptr;
  Status s = impl_->ReadOn(std::move(conn), fn);
  tls_txn = outer;
  RETURN_IF_ERROR(s);
  return true;
}

std::string RewritePlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  bool in_quote = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'') in_quote = !in_quote;
    if (!in_quote && c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out += '?';
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace rapport::store
