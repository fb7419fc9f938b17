#include "bench_common.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <latch>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "store/migration.h"

namespace bench {

namespace {

std::string g_program = "bench";
std::string g_usage;

}  // namespace

void SetProgram(std::string_view name, std::string_view usage) {
  g_program = name;
  g_usage = usage;
}

[[noreturn]] void UsageError(const std::string& message) {
  std::cerr << g_program << ": " << message << "\n" << g_usage;
  std::exit(2);
}

[[noreturn]] void PrintUsageAndExit() {
  std::cout << g_usage;
  std::exit(0);
}

int64_t ParseInt(const std::string& flag, const std::string& value, int64_t min, int64_t max) {
  try {
    size_t used = 0;
    long long v = std::stoll(value, &used);
    if (used != value.size() || v < min || v > max) throw std::out_of_range(value);
    return v;
  } catch (const std::exception&) {
    UsageError(flag + " wants an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
               "], got '" + value + "'");
  }
}

void ParseUrl(const std::string& url, ServerOptions* o) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) UsageError("--url must start with http://");
  std::string rest = url.substr(kScheme.size());
  if (rest.ends_with('/')) rest.pop_back();
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos || rest.find('/') != std::string::npos) {
    UsageError("--url must look like http://127.0.0.1:8080");
  }
  o->host = rest.substr(0, colon);
  o->port = rest.substr(colon + 1);
  ParseInt("--url port", o->port, 1, 65535);
}

void ParseCommonOptions(
    int argc, char** argv, CommonOptions* o,
    const std::function<bool(const std::string& flag, const std::function<std::string()>& value)>&
        parse_flag) {
  if (const char* key = std::getenv("RAPPORT_API_KEY")) o->api_key = key;
  bool have_url = false;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    std::function<std::string()> value = [&]() -> std::string {
      if (i + 1 >= argc) UsageError(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--url") {
      ParseUrl(value(), o);
      have_url = true;
    } else if (flag == "--peer-db") {
      o->peer_db = value();
    } else if (flag == "--peer-only") {
      o->peer_only = true;
    } else if (flag == "--no-peer") {
      o->peer = false;
    } else if (flag == "--api-key") {
      o->api_key = value();
    } else if (flag == "--json") {
      o->json_only = true;
    } else if (flag == "--help" || flag == "-h") {
      PrintUsageAndExit();
    } else if (!parse_flag(flag, value)) {
      UsageError("unknown argument '" + flag + "'");
    }
  }
  if (!have_url && !o->peer_only) UsageError("--url is required");
  if (o->peer_only && !o->peer) UsageError("--peer-only and --no-peer exclude each other");
}

// ---------------------------------------------------------------------------------------
// HTTP client

std::string Describe(const std::exception& e) {
  if (const auto* se = dynamic_cast<const boost::system::system_error*>(&e)) {
    return se->code().message();
  }
  return e.what();
}

std::string Excerpt(std::string_view s, size_t max) {
  return std::string(s.substr(0, max)) + (s.size() > max ? "..." : "");
}

http::response<http::string_body> Connection::Send(http::verb method, std::string_view target,
                                                   std::string body) {
  if (!socket_.is_open()) Connect();
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, o_.host + ":" + o_.port);
  req.set(http::field::user_agent, "rapport-ingest-bench");
  req.set(http::field::content_type, "application/json");
  if (!o_.api_key.empty()) req.set(http::field::authorization, "Bearer " + o_.api_key);
  req.keep_alive(true);
  req.body() = std::move(body);
  req.prepare_payload();
  http::write(socket_, req);
  http::response_parser<http::string_body> parser;
  parser.body_limit(256u << 20);
  http::read(socket_, buffer_, parser);
  http::response<http::string_body> res = parser.release();
  if (!res.keep_alive()) Close();
  return res;
}

void Connection::Connect() {
  tcp::resolver resolver(ioc_);
  asio::connect(socket_, resolver.resolve(o_.host, o_.port));
  socket_.set_option(tcp::no_delay(true));
}

void Connection::Close() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  buffer_.clear();
}

IngestResult PostAll(const ServerOptions& o, int connections, const char* target,
                     const std::vector<std::string>& bodies, const std::vector<size_t>& batch_sizes,
                     int want, bool keep_items, std::string_view noun) {
  IngestResult result;
  std::mutex mu;
  std::atomic<size_t> next{0};
  std::atomic<bool> abort{false};
  std::latch start(connections + 1);
  std::vector<SteadyClock::time_point> finished(connections);
  std::vector<json::value> responses(keep_items ? bodies.size() : 0);

  auto note_error = [&](std::string message) {
    std::lock_guard lock(mu);
    if (result.errors.size() < 8 &&
        std::find(result.errors.begin(), result.errors.end(), message) == result.errors.end()) {
      result.errors.push_back(std::move(message));
    }
  };

  auto worker = [&](int index) {
    Connection conn(o);
    std::vector<double> latencies;
    int64_t ok = 0, failed = 0;
    try {
      conn.Connect();
    } catch (const std::exception& e) {
      note_error("connect to " + o.host + ":" + o.port + ": " + Describe(e));
      abort = true;
    }
    start.arrive_and_wait();
    for (size_t i = next++; i < bodies.size() && !abort; i = next++) {
      try {
        auto t0 = SteadyClock::now();
        auto res = conn.Send(http::verb::post, target, bodies[i]);
        latencies.push_back(
            std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
        if (res.result_int() != 200) {
          failed += static_cast<int64_t>(batch_sizes[i]);
          note_error("batch " + std::to_string(i) + ": HTTP " + std::to_string(res.result_int()) +
                     ": " + Excerpt(res.body()));
          continue;
        }
        json::value body = json::parse(res.body());
        const json::array& items = body.at("results").as_array();
        if (items.size() != batch_sizes[i]) {
          note_error("batch " + std::to_string(i) + ": " + std::to_string(items.size()) +
                     " results for " + std::to_string(batch_sizes[i]) + " " + std::string(noun));
        }
        for (const json::value& item : items) {
          if (item.at("status").to_number<int64_t>() == want) {
            ++ok;
          } else {
            ++failed;
            note_error("batch " + std::to_string(i) + " item: " + Excerpt(json::serialize(item)));
          }
        }
        if (keep_items) responses[i] = std::move(body);
      } catch (const std::exception& e) {
        failed += static_cast<int64_t>(batch_sizes[i]);
        note_error("batch " + std::to_string(i) + ": " + Describe(e));
        abort = true;
      }
    }
    finished[index] = SteadyClock::now();
    conn.Close();
    std::lock_guard lock(mu);
    result.ok += ok;
    result.failed += failed;
    result.batch_ms.insert(result.batch_ms.end(), latencies.begin(), latencies.end());
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < connections; ++i) threads.emplace_back(worker, i);
  start.arrive_and_wait();
  auto t0 = SteadyClock::now();
  for (auto& t : threads) t.join();
  auto t1 = *std::max_element(finished.begin(), finished.end());
  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  std::sort(result.batch_ms.begin(), result.batch_ms.end());
  if (keep_items) {
    for (auto& body : responses) {
      if (!body.is_object()) continue;
      for (auto& item : body.as_object()["results"].as_array()) result.items.push_back(item);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------
// The peer

Sqlite::Sqlite(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("sqlite open " + path + ": " + message);
  }
}

Sqlite::~Sqlite() {
  for (sqlite3_stmt* s : statements_) sqlite3_finalize(s);
  sqlite3_close(db_);
}

void Sqlite::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error("sqlite: " + message + " in: " + Excerpt(sql, 120));
  }
}

sqlite3_stmt* Sqlite::Prepare(const char* sql) {
  sqlite3_stmt* s = nullptr;
  Check(sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr), sql);
  statements_.push_back(s);
  return s;
}

void Sqlite::Check(int rc, std::string_view what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw std::runtime_error("sqlite: " + std::string(sqlite3_errmsg(db_)) +
                             " in: " + Excerpt(what, 120));
  }
}

void Sqlite::Run(sqlite3_stmt* s) {
  int rc = sqlite3_step(s);
  if (rc != SQLITE_DONE) Check(rc == SQLITE_ROW ? SQLITE_ERROR : rc, sqlite3_sql(s));
  sqlite3_reset(s);
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void RemoveDatabase(const std::string& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path + suffix, ignored);
  }
}

void SetUpPeerSchema(Sqlite& db) {
  db.Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-131072; PRAGMA wal_autocheckpoint=4000;");
  for (const auto& m : rapport::store::SqliteMigrations())
    db.Exec("BEGIN;\n" + m.sql + "\nCOMMIT;");
}

double WithPeerDatabase(const std::string& peer_db,
                        const std::function<double(const std::string& path)>& run) {
  bool temporary = peer_db.empty();
  std::string path = temporary ? (std::filesystem::temp_directory_path() /
                                  (g_program + "_peer_" + std::to_string(getpid()) + ".db"))
                                     .string()
                               : peer_db;
  double seconds = run(path);
  if (temporary) RemoveDatabase(path);
  return seconds;
}

// ---------------------------------------------------------------------------------------
// Report

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

std::string JsonNumber(double v, int decimals) {
  if (!std::isfinite(v)) return "null";
  return Fixed(v, decimals);
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

void PrintTableHeader(std::ostream& out, int width, const char* count, const char* rate) {
  char line[256];
  std::snprintf(line, sizeof line, "  %-*s %10s %10s %12s\n", width, "", count, "seconds", rate);
  out << line;
}

void PrintTableRow(std::ostream& out, int width, const std::string& label, long long count,
                   double seconds, double per_s) {
  char line[256];
  std::snprintf(line, sizeof line, "  %-*s %10lld %10.3f %12.0f\n", width, label.c_str(), count,
                seconds, per_s);
  out << line;
}

void PrintRatioRow(std::ostream& out, int width, double ratio) {
  char line[256];
  std::snprintf(line, sizeof line, "  %-*s %10s %10s %12.3f   (goal >= 0.40)\n", width,
                "ratio    rapport / sqlite", "", "", ratio);
  out << line;
}

void PrintRoundTrip(std::ostream& out, const std::vector<double>& sorted_ms) {
  out << "  batch round trip: p50 " << Fixed(Percentile(sorted_ms, 0.50), 1) << " ms, p99 "
      << Fixed(Percentile(sorted_ms, 0.99), 1) << " ms, max "
      << Fixed(sorted_ms.empty() ? 0 : sorted_ms.back(), 1) << " ms\n";
}

int RunMain(const std::function<int()>& main_body) {
  try {
    return main_body();
  } catch (const std::exception& e) {
    std::cerr << g_program << ": " << Describe(e) << "\n";
    return 1;
  }
}

}  // namespace bench
