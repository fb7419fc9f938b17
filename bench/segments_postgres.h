// The segment benchmark's PostgreSQL side: a libpq connection to a throwaway server
// (run_segments.sh starts it), the workspace copied from the SQLite database with COPY, the
// same indexes, and the compiled member queries run with bound parameters.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.h"

namespace bench::seg {

class Postgres {
 public:
  // Throws when the server cannot be reached.
  explicit Postgres(const std::string& conninfo);
  ~Postgres();
  Postgres(const Postgres&) = delete;
  Postgres& operator=(const Postgres&) = delete;

  void Exec(const std::string& sql);

  // Recreates `tables` from the SQLite file at `sqlite_path`: the same columns (INTEGER as
  // bigint, REAL as double precision, TEXT as text, and the JSON columns `custom` and
  // `properties` as jsonb) and primary keys, every row through COPY, then the SQLite
  // file's secondary indexes on those tables (the migrations' and the benchmark's) and
  // ANALYZE. Returns the seconds it took.
  double LoadFrom(const std::string& sqlite_path, const std::vector<std::string>& tables,
                  std::ostream& log);

  // Runs a query whose first column is a bigint id; returns the ids in result order.
  std::vector<int64_t> QueryIds(const std::string& sql, const rapport::store::Params& params);

  std::string ServerVersion() const;

 private:
  PGconn* conn_ = nullptr;
};

}  // namespace bench::seg
