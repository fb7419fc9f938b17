// The HTTP edge: request/response values, the route table and the server. Handlers are
// thin and synchronous (decode, call a service, encode); the server runs them on a pool of
// blocking threads so a handler waiting on a store commit never stalls the I/O threads.
// Nothing outside src/http/ and src/app/ includes Beast or Asio.
#pragma once

#include <any>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/metrics.h"
#include "common/status.h"

namespace rapport::http {

// Who sent a request, set by the API's policy layer after it verified a session cookie or
// an API key (see http/api/policy.h). Absent on public routes.
struct Principal {
  int64_t workspace = 0;  // the workspace the request acts on
  std::string role;       // the role in that workspace: owner, admin, manager, member, viewer
  int64_t user_id = 0;    // 0 for API keys
  int64_t api_key_id = 0;
  int64_t session_id = 0;  // 0 unless authenticated by a session cookie
};

struct Request {
  std::string method;                             // "GET", "POST", ...
  std::string target;                             // as received, e.g. "/api/v1/contacts?limit=10"
  std::string path;                               // percent-decoded path without the query
  std::multimap<std::string, std::string> query;  // percent-decoded query parameters
  std::vector<std::pair<std::string, std::string>> headers;
  std::map<std::string, std::string> path_params;  // from "{name}" segments of the route
  std::string body;
  std::string request_id;
  std::string remote_address;
  std::string route;  // the matched route pattern, e.g. "/api/v1/contacts/{id}"
  std::optional<Principal> principal;
  // What a route's prepare step (Routes::Add) made of the request for its handler.
  std::any prepared;

  // Case-insensitive header lookup (first match).
  std::optional<std::string_view> Header(std::string_view name) const;
  // First value of a query parameter.
  std::optional<std::string_view> Query(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // A record a write created, for the audit: its id, its owner and its JSON text as its GET
  // route returns it (left empty where the route's policy audits by reference).
  struct Written {
    int64_t id = 0;
    std::optional<int64_t> owner_id;
    std::string json;
  };
  // When a handler sets them, the audit takes them as they are instead of reading every
  // record back through its route (a batch of 1,000 creates would otherwise do 1,000 extra
  // reads and build a JSON tree of each). Not sent.
  std::vector<Written> written;
  // The write changed nothing (a retry matched what was stored before): nothing to audit.
  bool unchanged = false;

  Response& SetHeader(std::string name, std::string value);
  std::optional<std::string_view> Header(std::string_view name) const;
};

using Handler = std::function<Response(Request&)>;

// Routes: method + pattern with "{param}" segments ("/api/v1/contacts/{id}/tags/{name}").
// An unknown path gets 404, a known path with another method 405 with an Allow header.
class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null: see status
    std::string pattern;               // route label for logs and metrics
    std::map<std::string, std::string> params;
    int status = 200;   // 404 or 405 when handler is null
    std::string allow;  // for 405
  };
  Match Find(std::string_view method, std::string_view path) const;

  // Every registered route, in registration order.
  struct Entry {
    std::string method, pattern;
    Handler handler;
  };
  std::vector<Entry> Entries() const;

  // Answers requests that match no route (instead of the plain 404), e.g. the web UI's files
  // (see static_files.h). Not a route: it has no policy and does not appear in Entries().
  void SetFallback(Handler handler) { fallback_ = std::move(handler); }
  const Handler* fallback() const { return fallback_ ? &fallback_ : nullptr; }

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
  Handler fallback_;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port
  int io_threads = 0;    // 0: one per core
  int blocking_threads = 64;
  size_t max_body_bytes = 32 * 1024 * 1024;
  size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{75};
  std::chrono::seconds shutdown_grace{10};  // bound on finishing in-flight requests
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, Metrics& metrics);
  ~Server();

  // Binds the listening socket; Unavailable if the address is taken.
  Status Listen();
  uint16_t port() const;  // the bound port (after Listen)
  // Serves until SIGINT/SIGTERM or Stop(): then stops accepting, lets in-flight requests
  // finish (bounded by shutdown_grace) and returns.
  void Run();
  void Stop();  // thread-safe

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rapport::http
