// The narrow storage interface every repository is written against: run a function in a
// read or write transaction, execute SQL with positional parameters ($1, $2, ...), read
// typed rows. One implementation per driver (sqlite/, later postgres/); no domain module
// includes a driver header.
//
// Writes go through one writer that batches concurrent callers into one transaction
// (group commit): Write() returns only after the batch committed, so an acknowledged write
// is durable. Each caller's function runs inside its own savepoint, so one failing caller
// does not spoil the others. A Write() or Read() issued from inside a Write() function runs
// inline in the same transaction (nested savepoint), which lets a caller compose services
// atomically. Store is thread-safe; a Txn belongs to the thread running the function.
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
  int64_t Int(size_t i) const;                 // NULL reads as 0
  double Real(size_t i) const;                 // integers widen
  std::string Text(size_t i) const;            // NULL reads as ""
  std::optional<int64_t> OptInt(size_t i) const;
  std::optional<std::string> OptText(size_t i) const;
  const Value& at(size_t i) const { return cols_[i]; }

 private:
  std::vector<Value> cols_;
};

class Txn {
 public:
  virtual ~Txn() = default;
  // Runs a statement; returns the number of rows changed.
  virtual Result<int64_t> Exec(std::string_view sql, const Params& params = {}) = 0;
  virtual Result<std::vector<Row>> Query(std::string_view sql, const Params& params = {}) = 0;
  // Runs `fn` after the outermost transaction commits (never if it rolls back).
  virtual void OnCommit(std::function<void()> fn) = 0;
  virtual bool writable() const = 0;

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
