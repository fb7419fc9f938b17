// Shared parts of the benchmark programs (ingest_contacts, ingest_activities): option parsing,
// a keep-alive HTTP client over Boost.Beast, concurrent batch POSTs with timing, the plain-SQLite
// peer's database setup, and report formatting. See bench/README.md.
#pragma once

#include <sqlite3.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------
// Options

// The program's name (prefix of error messages) and usage text; set first thing in main.
void SetProgram(std::string_view name, std::string_view usage);

// Prints "<program>: message" and the usage to stderr; exits 2.
[[noreturn]] void UsageError(const std::string& message);

// Prints the usage to stdout; exits 0.
[[noreturn]] void PrintUsageAndExit();

int64_t ParseInt(const std::string& flag, const std::string& value, int64_t min, int64_t max);

// Where the server is and how to authenticate; the programs' Options derive from it.
struct ServerOptions {
  std::string host;
  std::string port;
  std::string api_key;
};

// Accepts "http://host:port" (an optional trailing '/').
void ParseUrl(const std::string& url, ServerOptions* o);

// The options both programs take; their Options derive from it.
struct CommonOptions : ServerOptions {
  std::string peer_db;
  bool peer = true;
  bool peer_only = false;  // no server: only the SQLite peer
  bool json_only = false;
};

// Parses the command line: --url, --peer-db, --no-peer, --peer-only, --api-key, --json and
// --help here (the API key defaults to $RAPPORT_API_KEY), every other flag by `parse_flag`,
// which returns false for a flag it does not know and calls `value` for the flag's value.
void ParseCommonOptions(
    int argc, char** argv, CommonOptions* o,
    const std::function<bool(const std::string& flag, const std::function<std::string()>& value)>&
        parse_flag);

// ---------------------------------------------------------------------------------------
// HTTP client

// An exception as one line: Boost's system errors without their source locations.
std::string Describe(const std::exception& e);

std::string Excerpt(std::string_view s, size_t max = 400);

// One synchronous keep-alive connection.
class Connection {
 public:
  explicit Connection(const ServerOptions& o) : o_(o), socket_(ioc_) {}

  http::response<http::string_body> Send(http::verb method, std::string_view target,
                                         std::string body);
  void Connect();
  void Close();

 private:
  const ServerOptions& o_;
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

struct IngestResult {
  double seconds = 0;
  int64_t ok = 0;
  int64_t failed = 0;
  std::vector<double> batch_ms;     // round trip of every batch, sorted
  std::vector<json::value> items;   // every per-item result, when asked for
  std::vector<std::string> errors;  // the first few problems, for the report
};

// POSTs every body to `target` over `connections` connections; counts items whose status is
// `want` (201 for new activities and contacts). Keeps per-item results when `keep_items`.
// `noun` names the items in error messages ("N results for M <noun>").
IngestResult PostAll(const ServerOptions& o, int connections, const char* target,
                     const std::vector<std::string>& bodies, const std::vector<size_t>& batch_sizes,
                     int want, bool keep_items, std::string_view noun);

// ---------------------------------------------------------------------------------------
// The peer: plain SQLite.

class Sqlite {
 public:
  explicit Sqlite(const std::string& path);
  ~Sqlite();
  Sqlite(const Sqlite&) = delete;
  Sqlite& operator=(const Sqlite&) = delete;

  void Exec(const std::string& sql);
  sqlite3_stmt* Prepare(const char* sql);
  void Check(int rc, std::string_view what);
  // Steps a statement that returns no rows, then resets it.
  void Run(sqlite3_stmt* s);
  int64_t LastId() const { return sqlite3_last_insert_rowid(db_); }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
};

int64_t NowMicros();

void RemoveDatabase(const std::string& path);

// Sets the server's writer pragmas (src/store/sqlite/sqlite_store.cpp) and applies the
// server's own migrations.
void SetUpPeerSchema(Sqlite& db);

// Runs `run` on `peer_db` (kept) or, when it is empty, on a temporary file named after the
// program (removed afterwards); returns what `run` returns.
double WithPeerDatabase(const std::string& peer_db,
                        const std::function<double(const std::string& path)>& run);

// ---------------------------------------------------------------------------------------
// Report

double Percentile(const std::vector<double>& sorted, double p);

// A JSON number with a fixed number of decimals; null when not finite.
std::string JsonNumber(double v, int decimals);

std::string Fixed(double v, int decimals);

// Rows of the results table; `width` is the width of the label column.
void PrintTableHeader(std::ostream& out, int width, const char* count, const char* rate);
void PrintTableRow(std::ostream& out, int width, const std::string& label, long long count,
                   double seconds, double per_s);
void PrintRatioRow(std::ostream& out, int width, double ratio);

// "  batch round trip: p50 ... ms, p99 ... ms, max ... ms".
void PrintRoundTrip(std::ostream& out, const std::vector<double>& sorted_ms);

// Runs main_body, reporting an exception as "<program>: what" with exit status 1.
int RunMain(const std::function<int()>& main_body);

}  // namespace bench
