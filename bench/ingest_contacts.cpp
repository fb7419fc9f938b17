// ingest_contacts: how fast does a running Rapport server ingest contacts through
// POST /api/v1/contacts/batch, compared with a plain SQLite program (the "peer") that
// inserts the same contacts with the same schema and durability settings?
//
//   ingest_contacts --url http://127.0.0.1:PORT [--contacts 200000] [--connections 8]
//                   [--batch 1000] [--seed 1] [--companies N] [--peer-db /tmp/x.db]
//                   [--no-peer | --peer-only] [--api-key KEY] [--json]
//
// Contacts come from rapport_demo (seeded, so every run sends the same data). All request
// bodies are serialised before the clock starts; the rapport time runs from the first send
// to the last acknowledgement, over --connections keep-alive connections (one thread each,
// synchronous Beast). Every item of every response must have status 201.
//
// The peer: a fresh SQLite database migrated with the server's own migrations, WAL and
// synchronous=FULL (the server's pragmas), tags and companies pre-created; then ONE
// transaction with prepared statements inserting, per contact, what the server writes: the
// contacts row, its contacts_fts row (name, email, company name), its contact_tags rows and
// one change_feed row. See bench/README.md.
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <latch>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "demo/generator.h"
#include "store/migration.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kUsage =
    "usage: ingest_contacts --url http://HOST:PORT [--contacts N] [--connections N]\n"
    "                       [--batch N] [--seed N] [--companies N] [--peer-db PATH]\n"
    "                       [--no-peer | --peer-only] [--api-key KEY] [--json]\n";

struct Options {
  std::string host;
  std::string port;
  int64_t contacts = 200000;
  int connections = 8;
  int batch = 1000;
  uint64_t seed = 1;
  int64_t companies = -1;  // -1: contacts / 100
  std::string peer_db;
  bool peer = true;
  bool peer_only = false;  // no server: only the SQLite peer
  bool json_only = false;
  std::string api_key;
};

[[noreturn]] void UsageError(const std::string& message) {
  std::cerr << "ingest_contacts: " << message << "\n" << kUsage;
  std::exit(2);
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

// Accepts "http://host:port" (an optional trailing '/').
void ParseUrl(const std::string& url, Options* o) {
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

Options ParseOptions(int argc, char** argv) {
  Options o;
  if (const char* key = std::getenv("RAPPORT_API_KEY")) o.api_key = key;
  bool have_url = false;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) UsageError(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--url") {
      ParseUrl(value(), &o);
      have_url = true;
    } else if (flag == "--contacts") {
      o.contacts = ParseInt(flag, value(), 1, 100'000'000);
    } else if (flag == "--connections") {
      o.connections = static_cast<int>(ParseInt(flag, value(), 1, 1024));
    } else if (flag == "--batch") {
      o.batch = static_cast<int>(ParseInt(flag, value(), 1, 1000));
    } else if (flag == "--seed") {
      o.seed = static_cast<uint64_t>(ParseInt(flag, value(), 0, INT64_MAX));
    } else if (flag == "--companies") {
      o.companies = ParseInt(flag, value(), 0, 1'000'000);
    } else if (flag == "--peer-db") {
      o.peer_db = value();
    } else if (flag == "--peer-only") {
      o.peer_only = true;
    } else if (flag == "--no-peer") {
      o.peer = false;
    } else if (flag == "--api-key") {
      o.api_key = value();
    } else if (flag == "--json") {
      o.json_only = true;
    } else if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else {
      UsageError("unknown argument '" + flag + "'");
    }
  }
  if (!have_url && !o.peer_only) UsageError("--url is required");
  if (o.peer_only && !o.peer) UsageError("--peer-only and --no-peer exclude each other");
  if (o.companies < 0) o.companies = o.contacts / 100;
  return o;
}

// ---------------------------------------------------------------------------------------
// Workload

struct Workload {
  std::vector<rapport::demo::DemoCompany> companies;
  std::vector<rapport::demo::DemoContact> contacts;
};

Workload Generate(const Options& o) {
  rapport::demo::DemoGenerator gen(o.seed);
  Workload w;
  w.companies.reserve(o.companies);
  for (int64_t i = 0; i < o.companies; ++i) w.companies.push_back(gen.NextCompany());
  w.contacts.reserve(o.contacts);
  for (int64_t i = 0; i < o.contacts; ++i) {
    w.contacts.push_back(gen.NextContact(static_cast<int>(o.companies)));
  }
  return w;
}

json::object CompanyJson(const rapport::demo::DemoCompany& c) {
  return {{"name", c.name}, {"domain", c.domain},   {"industry", c.industry},
          {"size", c.size}, {"country", c.country}, {"relationship", c.relationship}};
}

json::object ContactJson(const rapport::demo::DemoContact& c,
                         const std::vector<int64_t>& company_ids) {
  json::object o;
  o["email"] = c.email;
  if (!c.phone.empty()) o["phone"] = c.phone;
  o["first_name"] = c.first_name;
  o["last_name"] = c.last_name;
  if (!c.birthday.empty()) o["birthday"] = c.birthday;
  o["timezone"] = c.timezone;
  o["lifecycle_stage"] = c.lifecycle_stage;
  o["source"] = c.source;
  if (!c.external_id.empty()) o["external_id"] = c.external_id;
  if (c.company_index >= 0) o["company_id"] = company_ids[c.company_index];
  if (!c.tags.empty()) {
    json::array tags;
    for (const auto& t : c.tags) tags.emplace_back(t);
    o["tags"] = std::move(tags);
  }
  return o;
}

// ---------------------------------------------------------------------------------------
// HTTP client: one synchronous keep-alive connection.

class Connection {
 public:
  explicit Connection(const Options& o) : o_(o), socket_(ioc_) {}

  http::response<http::string_body> Send(http::verb method, std::string_view target,
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

  void Connect() {
    tcp::resolver resolver(ioc_);
    asio::connect(socket_, resolver.resolve(o_.host, o_.port));
    socket_.set_option(tcp::no_delay(true));
  }

  void Close() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    buffer_.clear();
  }

 private:
  const Options& o_;
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

// An exception as one line: Boost's system errors without their source locations.
std::string Describe(const std::exception& e) {
  if (const auto* se = dynamic_cast<const boost::system::system_error*>(&e)) {
    return se->code().message();
  }
  return e.what();
}

std::string Excerpt(std::string_view s, size_t max = 400) {
  return std::string(s.substr(0, max)) + (s.size() > max ? "..." : "");
}

// Creates the workload's companies through the API (untimed); returns their ids in order.
std::vector<int64_t> CreateCompanies(const Options& o, const Workload& w) {
  std::vector<int64_t> ids;
  ids.reserve(w.companies.size());
  Connection conn(o);
  for (const auto& c : w.companies) {
    auto res = conn.Send(http::verb::post, "/api/v1/companies", json::serialize(CompanyJson(c)));
    if (res.result_int() != 201) {
      throw std::runtime_error("POST /api/v1/companies answered " +
                               std::to_string(res.result_int()) + ": " + Excerpt(res.body()) +
                               " (use --companies 0 to ingest contacts without companies)");
    }
    ids.push_back(json::parse(res.body()).at("id").to_number<int64_t>());
  }
  return ids;
}

struct IngestResult {
  double seconds = 0;
  int64_t created = 0;
  int64_t failed = 0;
  std::vector<double> batch_ms;     // round trip of every batch
  std::vector<std::string> errors;  // the first few problems, for the report
};

IngestResult IngestOverHttp(const Options& o, const std::vector<std::string>& bodies,
                            const std::vector<size_t>& batch_sizes) {
  IngestResult result;
  std::mutex mu;
  std::atomic<size_t> next{0};
  std::atomic<bool> abort{false};
  std::latch start(o.connections + 1);
  std::vector<SteadyClock::time_point> finished(o.connections);

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
    int64_t created = 0, failed = 0;
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
        auto res = conn.Send(http::verb::post, "/api/v1/contacts/batch", bodies[i]);
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
                     " results for " + std::to_string(batch_sizes[i]) + " contacts");
        }
        for (const json::value& item : items) {
          if (item.at("status").to_number<int64_t>() == 201) {
            ++created;
          } else {
            ++failed;
            note_error("batch " + std::to_string(i) + " item: " + Excerpt(json::serialize(item)));
          }
        }
      } catch (const std::exception& e) {
        failed += static_cast<int64_t>(batch_sizes[i]);
        note_error("batch " + std::to_string(i) + ": " + Describe(e));
        abort = true;
      }
    }
    finished[index] = SteadyClock::now();
    conn.Close();
    std::lock_guard lock(mu);
    result.created += created;
    result.failed += failed;
    result.batch_ms.insert(result.batch_ms.end(), latencies.begin(), latencies.end());
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < o.connections; ++i) threads.emplace_back(worker, i);
  start.arrive_and_wait();
  auto t0 = SteadyClock::now();
  for (auto& t : threads) t.join();
  auto t1 = *std::max_element(finished.begin(), finished.end());
  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  std::sort(result.batch_ms.begin(), result.batch_ms.end());
  return result;
}

// ---------------------------------------------------------------------------------------
// The peer: plain SQLite, one transaction.

class Sqlite {
 public:
  explicit Sqlite(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("sqlite open " + path + ": " + message);
    }
  }
  ~Sqlite() {
    for (sqlite3_stmt* s : statements_) sqlite3_finalize(s);
    sqlite3_close(db_);
  }
  Sqlite(const Sqlite&) = delete;
  Sqlite& operator=(const Sqlite&) = delete;

  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string message = err ? err : "unknown error";
      sqlite3_free(err);
      throw std::runtime_error("sqlite: " + message + " in: " + Excerpt(sql, 120));
    }
  }
  sqlite3_stmt* Prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    Check(sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr), sql);
    statements_.push_back(s);
    return s;
  }
  void Check(int rc, std::string_view what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
      throw std::runtime_error("sqlite: " + std::string(sqlite3_errmsg(db_)) +
                               " in: " + Excerpt(what, 120));
    }
  }
  // Steps a statement that returns no rows, then resets it.
  void Run(sqlite3_stmt* s) {
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) Check(rc == SQLITE_ROW ? SQLITE_ERROR : rc, sqlite3_sql(s));
    sqlite3_reset(s);
  }
  int64_t LastId() const { return sqlite3_last_insert_rowid(db_); }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
};

void BindText(sqlite3_stmt* s, int i, const std::string& v) {
  if (v.empty()) {
    sqlite3_bind_null(s, i);
  } else {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
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

// Returns the seconds from BEGIN to the end of COMMIT.
double RunPeer(const std::string& path, const Workload& w) {
  RemoveDatabase(path);
  Sqlite db(path);
  // The server's writer pragmas (src/store/sqlite/sqlite_store.cpp).
  db.Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-131072; PRAGMA wal_autocheckpoint=4000;");
  for (const auto& m : rapport::store::SqliteMigrations())
    db.Exec("BEGIN;\n" + m.sql + "\nCOMMIT;");

  // Untimed setup: the tags and companies the contacts refer to.
  const int64_t setup_at = NowMicros();
  std::map<std::string, int64_t, std::less<>> tag_ids;
  std::vector<int64_t> company_ids;
  db.Exec("BEGIN");
  {
    sqlite3_stmt* tag =
        db.Prepare("INSERT INTO tags (workspace_id, name, created_at) VALUES (1, ?1, ?2)");
    for (std::string_view name : rapport::demo::DemoTagNames()) {
      sqlite3_bind_text(tag, 1, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
      sqlite3_bind_int64(tag, 2, setup_at);
      db.Run(tag);
      tag_ids.emplace(std::string(name), db.LastId());
    }
    sqlite3_stmt* company = db.Prepare(
        "INSERT INTO companies (workspace_id, name, domain, industry, size, country, "
        "relationship, created_at, updated_at) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)");
    for (const auto& c : w.companies) {
      BindText(company, 1, c.name);
      BindText(company, 2, c.domain);
      BindText(company, 3, c.industry);
      sqlite3_bind_int64(company, 4, c.size);
      BindText(company, 5, c.country);
      BindText(company, 6, c.relationship);
      sqlite3_bind_int64(company, 7, setup_at);
      db.Run(company);
      company_ids.push_back(db.LastId());
    }
  }
  db.Exec("COMMIT");

  sqlite3_stmt* company_name =
      db.Prepare("SELECT name FROM companies WHERE workspace_id = 1 AND id = ?1");
  sqlite3_stmt* contact = db.Prepare(
      "INSERT INTO contacts (workspace_id, email, phone, first_name, last_name, birthday, "
      "timezone, lifecycle_stage, company_id, source, external_id, created_at, updated_at) "
      "VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)");
  sqlite3_stmt* fts =
      db.Prepare("INSERT INTO contacts_fts (rowid, name, email, company) VALUES (?1, ?2, ?3, ?4)");
  sqlite3_stmt* contact_tag =
      db.Prepare("INSERT INTO contact_tags (workspace_id, tag_id, contact_id) VALUES (1, ?1, ?2)");
  sqlite3_stmt* change = db.Prepare(
      "INSERT INTO change_feed (workspace_id, entity, entity_id, kind, at) "
      "VALUES (1, 'contact', ?1, 'created', ?2)");

  auto t0 = SteadyClock::now();
  db.Exec("BEGIN");
  std::string full_name, company;
  for (const auto& c : w.contacts) {
    const int64_t now = NowMicros();
    company.clear();
    if (c.company_index >= 0) {
      // The server must check the company exists; it also needs its name for search.
      sqlite3_bind_int64(company_name, 1, company_ids[c.company_index]);
      int rc = sqlite3_step(company_name);
      if (rc != SQLITE_ROW) db.Check(rc == SQLITE_DONE ? SQLITE_ERROR : rc, "company lookup");
      company.assign(reinterpret_cast<const char*>(sqlite3_column_text(company_name, 0)));
      sqlite3_reset(company_name);
    }
    BindText(contact, 1, c.email);
    BindText(contact, 2, c.phone);
    BindText(contact, 3, c.first_name);
    BindText(contact, 4, c.last_name);
    BindText(contact, 5, c.birthday);
    BindText(contact, 6, c.timezone);
    BindText(contact, 7, c.lifecycle_stage);
    if (c.company_index >= 0) {
      sqlite3_bind_int64(contact, 8, company_ids[c.company_index]);
    } else {
      sqlite3_bind_null(contact, 8);
    }
    BindText(contact, 9, c.source);
    BindText(contact, 10, c.external_id);
    sqlite3_bind_int64(contact, 11, now);
    db.Run(contact);
    const int64_t id = db.LastId();

    full_name = c.first_name + " " + c.last_name;
    sqlite3_bind_int64(fts, 1, id);
    BindText(fts, 2, full_name);
    BindText(fts, 3, c.email);
    BindText(fts, 4, company);
    db.Run(fts);

    for (const auto& t : c.tags) {
      sqlite3_bind_int64(contact_tag, 1, tag_ids.find(t)->second);
      sqlite3_bind_int64(contact_tag, 2, id);
      db.Run(contact_tag);
    }

    sqlite3_bind_int64(change, 1, id);
    sqlite3_bind_int64(change, 2, now);
    db.Run(change);
  }
  db.Exec("COMMIT");
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// ---------------------------------------------------------------------------------------
// Report

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

// A JSON number with a fixed number of decimals; null when not finite.
std::string JsonNumber(double v, int decimals) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Runs the peer on --peer-db (kept) or on a temporary file (removed afterwards).
double RunPeerDatabase(const Options& o, const Workload& w) {
  bool temporary = o.peer_db.empty();
  std::string path = temporary ? (std::filesystem::temp_directory_path() /
                                  ("ingest_contacts_peer_" + std::to_string(getpid()) + ".db"))
                                     .string()
                               : o.peer_db;
  double seconds = RunPeer(path, w);
  if (temporary) RemoveDatabase(path);
  return seconds;
}

// --peer-only: no server, just the SQLite side (for looking at the peer by itself).
int PeerOnly(const Options& o, const Workload& w, std::ostream& out) {
  const double seconds = RunPeerDatabase(o, w);
  const double per_s = static_cast<double>(w.contacts.size()) / seconds;
  char line[256];
  std::snprintf(line, sizeof line, "  %-36s %10zu %10.3f %12.0f\n",
                "sqlite   peer, one transaction", w.contacts.size(), seconds, per_s);
  out << "ingest_contacts --peer-only: " << w.contacts.size() << " contacts (" << w.companies.size()
      << " companies), seed " << o.seed << "\n"
      << line;
  out.flush();
  std::cout << "{\"bench\":\"ingest_contacts\",\"contacts\":" << w.contacts.size()
            << ",\"rapport_per_s\":null,\"sqlite_per_s\":" << JsonNumber(per_s, 1)
            << ",\"ratio\":null}" << std::endl;
  return 0;
}

int Main(int argc, char** argv) {
  const Options o = ParseOptions(argc, argv);
  std::ostream& out = o.json_only ? std::cerr : std::cout;

  Workload w = Generate(o);
  if (o.peer_only) return PeerOnly(o, w, out);
  std::vector<int64_t> company_ids = CreateCompanies(o, w);

  // Serialise every batch before the clock starts.
  std::vector<std::string> bodies;
  std::vector<size_t> batch_sizes;
  for (size_t begin = 0; begin < w.contacts.size(); begin += o.batch) {
    size_t end = std::min(w.contacts.size(), begin + o.batch);
    json::array items;
    items.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) {
      items.emplace_back(ContactJson(w.contacts[i], company_ids));
    }
    bodies.push_back(json::serialize(json::object{{"contacts", std::move(items)}}));
    batch_sizes.push_back(end - begin);
  }

  IngestResult r = IngestOverHttp(o, bodies, batch_sizes);
  const double rapport_per_s = static_cast<double>(r.created) / r.seconds;

  std::optional<double> peer_seconds;
  const int64_t n = static_cast<int64_t>(w.contacts.size());
  const bool ok = r.failed == 0 && r.errors.empty() && r.created == n;
  if (o.peer && ok) {  // a failed run is not worth comparing
    peer_seconds = RunPeerDatabase(o, w);
  }
  std::optional<double> sqlite_per_s;
  if (peer_seconds) sqlite_per_s = static_cast<double>(n) / *peer_seconds;

  char line[256];
  out << "ingest_contacts: " << n << " contacts (" << w.companies.size() << " companies), batch "
      << o.batch << ", " << o.connections << " connections, seed " << o.seed << "\n";
  std::snprintf(line, sizeof line, "  %-36s %10s %10s %12s\n", "", "contacts", "seconds",
                "contacts/s");
  out << line;
  std::snprintf(line, sizeof line, "  %-36s %10lld %10.3f %12.0f\n",
                "rapport  POST /api/v1/contacts/batch", static_cast<long long>(r.created),
                r.seconds, rapport_per_s);
  out << line;
  if (peer_seconds) {
    std::snprintf(line, sizeof line, "  %-36s %10lld %10.3f %12.0f\n",
                  "sqlite   peer, one transaction", static_cast<long long>(n), *peer_seconds,
                  *sqlite_per_s);
    out << line;
    std::snprintf(line, sizeof line, "  %-36s %10s %10s %12.3f   (goal >= 0.40)\n",
                  "ratio    rapport / sqlite", "", "", rapport_per_s / *sqlite_per_s);
    out << line;
  } else if (o.peer) {
    out << "  sqlite   peer skipped: the rapport run failed\n";
  }
  out << "  batch round trip: p50 " << Fixed(Percentile(r.batch_ms, 0.50), 1) << " ms, p99 "
      << Fixed(Percentile(r.batch_ms, 0.99), 1) << " ms, max "
      << Fixed(r.batch_ms.empty() ? 0 : r.batch_ms.back(), 1) << " ms\n";
  if (!ok) {
    out << "  FAILED: " << n - r.created << " of " << n << " contacts were not created\n";
    for (const auto& e : r.errors) out << "    " << e << "\n";
  }
  out.flush();

  // Fixed-point numbers (Boost.JSON would print doubles as 9.01564E4).
  std::string summary =
      "{\"bench\":\"ingest_contacts\",\"contacts\":" + std::to_string(n) +
      ",\"rapport_per_s\":" + JsonNumber(rapport_per_s, 1) +
      ",\"sqlite_per_s\":" + (sqlite_per_s ? JsonNumber(*sqlite_per_s, 1) : "null") +
      ",\"ratio\":" + (sqlite_per_s ? JsonNumber(rapport_per_s / *sqlite_per_s, 3) : "null") + "}";
  std::cout << summary << std::endl;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "ingest_contacts: " << Describe(e) << "\n";
    return 1;
  }
}
