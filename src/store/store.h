// The narrow storage interface every repository is written against: run a function in a
// read or write transaction, execute SQL with positional parameters ($1, $2, ...), read
// typed rows. One implementation per driver (sqlite/, later postgres/); no domain module
// includes a driver header.
//
// Writes go through one writer that batches concurrent callers into one transaction
// (group commit): Write() returns only after the batch committed, so an acknowledged write
// is durable. One failing caller does not spoil the others: the batch is rolled back and the
// others run again, each in its own savepoint. A write function may therefore run more than
// once, and must not consume what it captured (no std::move out of the caller's variables);
// side effects outside the database belong in Txn::OnCommit. A Write() or Read() issued from inside
// a Write() function runs inline in the same transaction (nested savepoint, or none after
// Txn::JoinNestedWrites), which lets a caller compose services atomically. Store is thread-safe; a
// Txn belongs to the thread running the function.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "common/status.h"

namespace rapport::store {

struct Null {
  friend bool operator==(Null, Null) { return true; }
};
using Value = std::variant<Null, int64_t, double, std::string>;
using Params = std::vector<Value>;

// Optional values bind as NULL when empty.
template <typename T>
Value Opt(const std::optional<T>& v) {
  if (!v) return Null{};
  return Value(*v);
}

class Row {
 public:
  explicit Row(std::vector<Value> cols) : cols_(std::move(cols)) {}
  size_t size() const { return cols_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<Null>(cols_[i]); }
  int64_t Int(size_t i) const;       // NULL reads as 0
  double Real(size_t i) const;       // integers widen
  std::string Text(size_t i) const;  // NULL reads as ""
  std::optional<int64_t> OptInt(size_t i) const;
  std::optional<std::string> OptText(size_t i) const;
  const Value& at(size_t i) const { return cols_[i]; }

 private:
  std::vector<Value> cols_;
};

// One column value of a streamed row, as the driver hands it over: no copy of the text.
struct Cell {
  enum class Type : uint8_t { kNull, kInt, kReal, kText };
  Type type = Type::kNull;
  int64_t i = 0;
  double r = 0;
  std::string_view text;
};

// The current row of Txn::QueryEach: typed access without allocating, with Row's
// conversions. The view and every string_view it returns die when the callback returns.
class RowView {
 public:
  RowView(const Cell* cells, size_t n) : cells_(cells), n_(n) {}
  size_t size() const { return n_; }
  Cell::Type type(size_t i) const { return cells_[i].type; }
  bool IsNull(size_t i) const { return cells_[i].type == Cell::Type::kNull; }
  int64_t Int(size_t i) const {  // NULL reads as 0
    return cells_[i].type == Cell::Type::kInt ? cells_[i].i : SlowInt(i);
  }
  double Real(size_t i) const;  // integers widen
  // The text of a TEXT value, "" for NULL; a number is formatted into a buffer that the
  // next Text() of a number reuses.
  std::string_view Text(size_t i) const {
    return cells_[i].type == Cell::Type::kText ? cells_[i].text : SlowText(i);
  }
  std::optional<int64_t> OptInt(size_t i) const;
  Value Get(size_t i) const;  // an owning copy, as Row::at holds it

 private:
  int64_t SlowInt(size_t i) const;
  std::string_view SlowText(size_t i) const;

  const Cell* cells_;
  size_t n_;
  mutable std::string scratch_;  // a number formatted by SlowText
};

class Txn {
 public:
  virtual ~Txn() = default;
  // Runs a statement; returns the number of rows changed.
  virtual Result<int64_t> Exec(std::string_view sql, const Params& params = {}) = 0;
  virtual Result<std::vector<Row>> Query(std::string_view sql, const Params& params = {}) = 0;
  // Calls `fn` on each result row as it is read, without building Rows; stops at the first
  // error `fn` returns and returns it. `fn` may run other statements in this transaction.
  // The default materialises Query(); drivers stream.
  virtual Status QueryEach(std::string_view sql, const Params& params,
                           const std::function<Status(const RowView&)>& fn);
  // Runs `fn` after the outermost transaction commits (never if it rolls back).
  virtual void OnCommit(std::function<void()> fn) = 0;
  virtual bool writable() const = 0;
  // For a write function whose caller keeps nothing of it when any part fails (an audited
  // API request): the Write()s it makes from here on join its transaction without a
  // savepoint each. A savepoint copies every page its write changes into a journal, which
  // for a batch is all of them. A joined write that fails without changing a row leaves
  // nothing behind; one that fails after changing rows makes this write function fail
  // too, whatever it returns. Drivers without savepoint costs may ignore it.
  virtual void JoinNestedWrites() {}

  // At most one row; Internal if the query returns more.
  Result<std::optional<Row>> QueryOne(std::string_view sql, const Params& params = {});
};

enum class Dialect { kSqlite, kPostgres };

class Store {
 public:
  virtual ~Store() = default;

  template <typename F>
  auto Write(F&& fn) -> std::invoke_result_t<F, Txn&> {
    return Run(true, std::forward<F>(fn));
  }
  template <typename F>
  auto Read(F&& fn) -> std::invoke_result_t<F, Txn&> {
    return Run(false, std::forward<F>(fn));
  }

  // Runs `fn` in a read transaction of its own on the calling thread (even one already in
  // a transaction) if a connection is free right now; returns false without running `fn`
  // if none is, or if the driver cannot. Its snapshot holds every commit made before the
  // call, but it is a separate snapshot: later commits may be visible too. Lets a long read
  // be split over threads with no risk of waiting for the caller's own connection.
  virtual Result<bool> TryReadSeparately(const std::function<Status(Txn&)>& fn);

  virtual Dialect dialect() const = 0;
  // The schema version the store is migrated to.
  virtual int schema_version() const = 0;

 protected:
  // Runs fn in a transaction; fn's changes are kept only if it returns ok.
  virtual Status RunWrite(const std::function<Status(Txn&)>& fn) = 0;
  virtual Status RunRead(const std::function<Status(Txn&)>& fn) = 0;

 private:
  template <typename F>
  auto Run(bool write, F&& fn) -> std::invoke_result_t<F, Txn&> {
    using R = std::invoke_result_t<F, Txn&>;
    if constexpr (std::is_same_v<R, Status>) {
      return write ? RunWrite(fn) : RunRead(fn);
    } else {
      std::optional<R> out;
      auto wrapped = [&](Txn& t) -> Status {
        out.emplace(fn(t));
        return out->status();
      };
      Status s = write ? RunWrite(wrapped) : RunRead(wrapped);
      if (!s.ok()) return s;
      return std::move(*out);
    }
  }
};

}  // namespace rapport::store
