#include "segments_postgres.h"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <variant>

#include "bench_common.h"

namespace bench::seg {

namespace {

// Owns a PGresult.
struct ResultGuard {
  PGresult* r;
  ~ResultGuard() { PQclear(r); }
};

std::string ColumnType(const std::string& column, const std::string& declared) {
  if (column == "custom" || column == "properties") return "jsonb";
  if (declared == "INTEGER") return "bigint";
  if (declared == "REAL") return "double precision";
  return "text";
}

// COPY's text format: backslash, tab, newline and carriage return are escaped.
void AppendCopyText(std::string& out, const unsigned char* s, int n) {
  for (int i = 0; i < n; ++i) {
    char c = static_cast<char>(s[i]);
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

Postgres::Postgres(const std::string& conninfo) {
  conn_ = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn_);
    PQfinish(conn_);
    conn_ = nullptr;
    throw std::runtime_error("postgres: cannot connect: " + message);
  }
  Exec("SET client_min_messages = warning");
}

Postgres::~Postgres() { PQfinish(conn_); }

std::string Postgres::ServerVersion() const {
  int v = PQserverVersion(conn_);
  return std::to_string(v / 10000) + "." + std::to_string(v % 10000);
}

void Postgres::Exec(const std::string& sql) {
  ResultGuard r{PQexec(conn_, sql.c_str())};
  ExecStatusType st = PQresultStatus(r.r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    throw std::runtime_error("postgres: " + std::string(PQresultErrorMessage(r.r)) +
                             " in: " + Excerpt(sql, 200));
  }
}

double Postgres::LoadFrom(const std::string& sqlite_path, const std::vector<std::string>& tables,
                          std::ostream& log) {
  auto t0 = SteadyClock::now();
  Sqlite src(sqlite_path);
  std::string in_list;
  for (const auto& t : tables) {
    Exec("DROP TABLE IF EXISTS " + t + " CASCADE");
    in_list += (in_list.empty() ? "'" : ", '") + t + "'";
  }
  for (const auto& table : tables) {
    std::vector<std::string> columns;
    std::string ddl = "CREATE TABLE " + table + " (";
    std::vector<std::pair<int, std::string>> pk;
    {
      sqlite3_stmt* s = src.Prepare(("PRAGMA table_info(" + table + ")").c_str());
      while (sqlite3_step(s) == SQLITE_ROW) {
        std::string name = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
        const unsigned char* type = sqlite3_column_text(s, 2);
        bool not_null = sqlite3_column_int(s, 3) != 0;
        int pk_index = sqlite3_column_int(s, 5);
        if (!columns.empty()) ddl += ", ";
        ddl += name + " " + ColumnType(name, type ? reinterpret_cast<const char*>(type) : "");
        if (not_null) ddl += " NOT NULL";
        if (pk_index > 0) pk.emplace_back(pk_index, name);
        columns.push_back(name);
      }
      sqlite3_reset(s);
    }
    if (columns.empty()) throw std::runtime_error("sqlite has no table " + table);
    std::sort(pk.begin(), pk.end());
    if (!pk.empty()) {
      ddl += ", PRIMARY KEY (";
      for (size_t i = 0; i < pk.size(); ++i) ddl += (i ? ", " : "") + pk[i].second;
      ddl += ")";
    }
    ddl += ")";
    Exec(ddl);

    std::string column_list;
    for (const auto& c : columns) column_list += (column_list.empty() ? "" : ", ") + c;
    {
      ResultGuard r{PQexec(conn_, ("COPY " + table + " (" + column_list + ") FROM STDIN").c_str())};
      if (PQresultStatus(r.r) != PGRES_COPY_IN) {
        throw std::runtime_error("postgres: COPY " + table + ": " + PQresultErrorMessage(r.r));
      }
    }
    sqlite3_stmt* s = src.Prepare(("SELECT " + column_list + " FROM " + table).c_str());
    std::string buf;
    buf.reserve(1 << 21);
    int64_t rows = 0;
    auto flush = [&] {
      if (PQputCopyData(conn_, buf.data(), static_cast<int>(buf.size())) != 1) {
        throw std::runtime_error("postgres: COPY " + table + ": " + PQerrorMessage(conn_));
      }
      buf.clear();
    };
    const int n = static_cast<int>(columns.size());
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      for (int i = 0; i < n; ++i) {
        if (i) buf += '\t';
        switch (sqlite3_column_type(s, i)) {
          case SQLITE_NULL:
            buf += "\\N";
            break;
          case SQLITE_INTEGER: {
            char num[24];
            int len = std::snprintf(num, sizeof num, "%lld",
                                    static_cast<long long>(sqlite3_column_int64(s, i)));
            buf.append(num, static_cast<size_t>(len));
            break;
          }
          case SQLITE_FLOAT: {
            char num[40];
            int len = std::snprintf(num, sizeof num, "%.17g", sqlite3_column_double(s, i));
            buf.append(num, static_cast<size_t>(len));
            break;
          }
          default:
            AppendCopyText(buf, sqlite3_column_text(s, i), sqlite3_column_bytes(s, i));
        }
      }
      buf += '\n';
      if (buf.size() >= (1 << 20)) flush();
      ++rows;
    }
    src.Check(rc, "SELECT FROM " + table);
    sqlite3_reset(s);
    if (!buf.empty()) flush();
    if (PQputCopyEnd(conn_, nullptr) != 1) {
      throw std::runtime_error("postgres: COPY " + table + ": " + PQerrorMessage(conn_));
    }
    for (PGresult* r; (r = PQgetResult(conn_)) != nullptr;) {
      ResultGuard g{r};
      if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        throw std::runtime_error("postgres: COPY " + table + ": " + PQresultErrorMessage(r));
      }
    }
    log << "  postgres: " << table << ": " << rows << " rows ("
        << Fixed(std::chrono::duration<double>(SteadyClock::now() - t0).count(), 1) << " s)\n";
    log.flush();
  }

  // The same secondary indexes as the SQLite file (their SQL is valid on both).
  sqlite3_stmt* s = src.Prepare(
      ("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND "
       "tbl_name IN (" +
       in_list + ") ORDER BY name")
          .c_str());
  while (sqlite3_step(s) == SQLITE_ROW) {
    std::string name = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    std::string sql = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
    try {
      Exec(sql);
    } catch (const std::exception& e) {
      log << "  postgres: index " << name << " skipped: " << e.what() << "\n";
    }
  }
  sqlite3_reset(s);
  Exec("ANALYZE");
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

std::vector<int64_t> Postgres::QueryIds(const std::string& sql,
                                        const rapport::store::Params& params) {
  std::vector<std::string> text(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& v = params[i];
    if (const auto* n = std::get_if<int64_t>(&v)) {
      text[i] = std::to_string(*n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      char num[40];
      std::snprintf(num, sizeof num, "%.17g", *d);
      text[i] = num;
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      text[i] = *s;
    } else {
      continue;  // NULL
    }
    values[i] = text[i].c_str();
  }
  ResultGuard r{PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                             values.data(), nullptr, nullptr, 0)};
  if (PQresultStatus(r.r) != PGRES_TUPLES_OK) {
    throw std::runtime_error("postgres: " + std::string(PQresultErrorMessage(r.r)) +
                             " in: " + Excerpt(sql, 300));
  }
  int n = PQntuples(r.r);
  std::vector<int64_t> ids(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i)
    ids[static_cast<size_t>(i)] = std::strtoll(PQgetvalue(r.r, i, 0), nullptr, 10);
  return ids;
}

}  // namespace bench::seg
