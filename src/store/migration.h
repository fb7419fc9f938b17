// Numbered schema migrations, one list per dialect, compiled into the binary from
// src/store/<dialect>/migrations/V<NNN>__<name>.sql. Applied in order at start-up, each in
// its own transaction, and recorded in schema_migrations.
#pragma once

#include <string>
#include <vector>

namespace rapport::store {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

// Generated at build time from the .sql files.
const std::vector<Migration>& SqliteMigrations();

}  // namespace rapport::store
