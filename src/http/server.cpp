// The Beast/Asio HTTP/1.1 server: one C++20 coroutine per connection on its own strand,
// handlers on a thread pool, limits, timeouts, access log, metrics and graceful shutdown.
//
// Threads: `io_threads` threads run the io_context (sockets, parsing, timers); handlers run on
// a thread_pool of `blocking_threads` and the connection coroutine co_awaits their result, so
// a handler blocked on a store commit never stalls an I/O thread. A connection's socket and
// timer are only touched on that connection's strand; the acceptor, the signal set and the
// shutdown sequence live on one "control" strand.
#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <csignal>
#include <exception>
#include <iterator>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/log.h"
#include "http/dispatch_internal.h"
#include "http/http.h"
#include "http/problem.h"

namespace rapport::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

constexpr std::string_view kRequestsTotal = "rapport_http_requests_total";
constexpr std::string_view kRequestDuration = "rapport_http_request_duration_seconds";
constexpr std::string_view kOpenConnections = "rapport_http_open_connections";

constexpr size_t kFirstReadBytes = 4096;
// After a 413 the client may still be sending its body: read and drop at most this much (for
// at most kLingerTime) before closing, so the client sees the response rather than a reset.
constexpr size_t kMaxLingerBytes = 64 * 1024 * 1024;
constexpr std::chrono::seconds kLingerTime{5};

std::string ToStd(beast::string_view s) { return std::string(s.data(), s.size()); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Metric label for the method: clients can send any token, labels must stay few.
std::string MethodLabel(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == m) return std::string(m);
  }
  return "OTHER";
}

// A header a handler may set: a token name and a value without CR, LF or NUL. The server
// owns framing headers.
bool IsSettableHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    bool token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!token) return false;
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  for (std::string_view framing :
       {"Content-Length", "Transfer-Encoding", "Connection", "X-Request-Id", "Content-Type"}) {
    if (EqualsIgnoreCase(name, framing)) return false;
  }
  return true;
}

// Connection state shared by the session coroutine, its timer callbacks and the shutdown
// code. Everything except `id` is touched only on the connection's strand.
struct Conn {
  Conn(tcp::socket s, Metrics& m, uint64_t conn_id)
      : socket(std::move(s)), timer(socket.get_executor()), metrics(m), id(conn_id) {
    metrics.AddGauge(kOpenConnections, {}, 1);
  }
  ~Conn() { metrics.AddGauge(kOpenConnections, {}, -1); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  void Close() {
    error_code ignored;
    timer.cancel();
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  tcp::socket socket;
  asio::steady_timer timer;
  Metrics& metrics;
  const uint64_t id;
  std::string remote_address;
  bool idle = false;       // waiting for the first byte of the next request
  bool timed_out = false;  // the last armed deadline expired and cancelled the socket
  uint64_t deadline_generation = 0;
};

// Bounds the socket operations that follow: when `d` elapses the socket's pending operations
// are cancelled (not closed, so a 408 can still be written) and `timed_out` is set.
void Arm(const std::shared_ptr<Conn>& c, SteadyClock::duration d) {
  c->timed_out = false;
  uint64_t generation = ++c->deadline_generation;
  c->timer.expires_after(d);
  c->timer.async_wait([c, generation](error_code ec) {
    if (ec || generation != c->deadline_generation) return;
    c->timed_out = true;
    error_code ignored;
    c->socket.cancel(ignored);
  });
}

void Disarm(Conn& c) {
  ++c.deadline_generation;
  c.timer.cancel();
}

// The HTTP status for a failed read, or 0 when the connection should just be closed.
int StatusForReadError(const error_code& ec, bool timed_out) {
  if (timed_out) return 408;
  if (ec == bhttp::error::header_limit) return 431;
  if (ec == bhttp::error::body_limit) return 413;
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return 0;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) return 400;
  return 0;  // socket errors, cancellation
}

std::string DetailForStatus(int status, const ServerOptions& o) {
  switch (status) {
    case 408:
      return "timed out reading the request";
    case 413:
      return "request body larger than " + std::to_string(o.max_body_bytes) + " bytes";
    case 431:
      return "request header larger than " + std::to_string(o.max_header_bytes) + " bytes";
    default:
      return "malformed HTTP request";
  }
}

// Logs an exception that escaped a detached coroutine (none should).
auto LogFailure(const char* what) {
  return [what](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::Error("http coroutine failed", {{"where", what}, {"error", ex.what()}});
    } catch (...) {
      log::Error("http coroutine failed", {{"where", what}, {"error", "non-standard exception"}});
    }
  };
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, const Router& r, Metrics& m)
      : options(std::move(o)),
        router(r),
        metrics(m),
        io_threads(options.io_threads > 0
                       ? options.io_threads
                       : std::max(1, static_cast<int>(std::thread::hardware_concurrency()))),
        ioc(io_threads),
        control(asio::make_strand(ioc)),
        acceptor(control),
        pool(static_cast<size_t>(std::max(1, options.blocking_threads))) {
    metrics.Describe(kRequestsTotal, "HTTP requests served, by route pattern, method and status");
    metrics.Describe(kRequestDuration, "HTTP request latency from first byte to response sent");
    metrics.Describe(kOpenConnections, "Open HTTP connections");
    metrics.AddGauge(kOpenConnections, {}, 0);
  }

  ~Impl() {
    // A handler still running after an expired shutdown grace finishes here: its completion
    // is queued on the (stopped) io_context, which is destroyed after this body.
    pool.join();
  }

  Status Listen();
  void Run();
  void BeginShutdown();  // on `control`
  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> Drain();
  asio::awaitable<void> Session(std::shared_ptr<Conn> c);
  asio::awaitable<Response> Handle(std::shared_ptr<Request> req);
  asio::awaitable<size_t> Write(const std::shared_ptr<Conn>& c, Response& resp, unsigned version,
                                bool keep_alive, bool head, const std::string& request_id);
  asio::awaitable<void> Linger(const std::shared_ptr<Conn>& c);
  void Record(const std::string& request_id, std::string_view method, std::string_view route,
              int status, SteadyClock::time_point start, size_t bytes);
  std::vector<std::shared_ptr<Conn>> Connections();

  const ServerOptions options;
  const Router& router;
  Metrics& metrics;
  const int io_threads;

  // Destroyed after the members below: pending handlers (and the coroutine frames they own)
  // go with it.
  asio::io_context ioc;
  asio::strand<asio::io_context::executor_type> control;
  tcp::acceptor acceptor;
  std::optional<asio::signal_set> signals;
  uint16_t port = 0;
  bool shutting_down = false;  // on `control`
  std::atomic<bool> stopping{false};
  uint64_t next_conn_id = 0;  // on `control`

  std::mutex conns_mu;
  std::unordered_map<uint64_t, std::shared_ptr<Conn>> conns;

  asio::thread_pool pool;
};

Status Server::Impl::Listen() {
  auto fail = [&](const error_code& ec) {
    error_code ignored;
    acceptor.close(ignored);
    return Unavailable("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                       ": " + ec.message());
  };
  error_code ec;
  tcp::endpoint endpoint;
  asio::ip::address address = asio::ip::make_address(options.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options.port);
  } else {
    tcp::resolver resolver(ioc);
    auto results =
        resolver.resolve(options.host, std::to_string(options.port), tcp::resolver::passive, ec);
    if (ec) return fail(ec);
    if (results.empty()) return fail(asio::error::host_not_found);
    endpoint = results.begin()->endpoint();
  }
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail(ec);
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail(ec);
  acceptor.bind(endpoint, ec);
  if (ec) return fail(ec);
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(ec);
  port = acceptor.local_endpoint(ec).port();
  if (ec) return fail(ec);
  log::Info("listening", {{"address", options.host}, {"port", static_cast<int>(port)}});
  return Status::Ok();
}

void Server::Impl::Run() {
  if (!acceptor.is_open()) {
    log::Error("Server::Run called without a successful Listen");
    return;
  }
  signals.emplace(control, SIGINT, SIGTERM);
  signals->async_wait([this](error_code ec, int signal) {
    if (ec) return;
    log::Info("signal received", {{"signal", signal}});
    BeginShutdown();
  });
  asio::co_spawn(control, AcceptLoop(), LogFailure("accept loop"));

  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(io_threads - 1));
  for (int i = 1; i < io_threads; ++i) threads.emplace_back([this] { ioc.run(); });
  ioc.run();
  for (std::thread& t : threads) t.join();
  log::Info("stopped");
}

void Server::Impl::BeginShutdown() {
  if (shutting_down) return;
  shutting_down = true;
  stopping = true;
  log::Info("shutting down", {{"open_connections", Connections().size()}});
  error_code ignored;
  acceptor.close(ignored);
  if (signals) signals->cancel(ignored);
  // Idle keep-alive connections close now; busy ones close after their response (the
  // session sees `stopping`).
  for (const std::shared_ptr<Conn>& c : Connections()) {
    asio::post(c->socket.get_executor(), [c] {
      if (c->idle) c->Close();
    });
  }
  asio::co_spawn(control, Drain(), LogFailure("shutdown"));
}

asio::awaitable<void> Server::Impl::Drain() {
  const auto deadline = SteadyClock::now() + options.shutdown_grace;
  asio::steady_timer timer(control);
  while (!Connections().empty() && SteadyClock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(kNoThrow);
  }
  std::vector<std::shared_ptr<Conn>> left = Connections();
  if (!left.empty()) {
    log::Warn("shutdown grace expired, closing connections", {{"connections", left.size()}});
    for (const std::shared_ptr<Conn>& c : left) {
      asio::post(c->socket.get_executor(), [c] { c->Close(); });
    }
    // Let the closes run before the io_context stops.
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(kNoThrow);
  }
  ioc.stop();
}

std::vector<std::shared_ptr<Conn>> Server::Impl::Connections() {
  std::lock_guard lock(conns_mu);
  std::vector<std::shared_ptr<Conn>> out;
  out.reserve(conns.size());
  for (const auto& [id, c] : conns) out.push_back(c);
  return out;
}

asio::awaitable<void> Server::Impl::AcceptLoop() {
  while (!stopping) {
    tcp::socket socket(asio::make_strand(ioc));
    auto [ec] = co_await acceptor.async_accept(socket, kNoThrow);
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) break;
      log::Warn("accept failed", {{"error", ec.message()}});
      // Out of file descriptors and the like: back off instead of spinning.
      asio::steady_timer backoff(control, std::chrono::milliseconds(50));
      co_await backoff.async_wait(kNoThrow);
      continue;
    }
    auto c = std::make_shared<Conn>(std::move(socket), metrics, ++next_conn_id);
    error_code ep_ec;
    tcp::endpoint remote = c->socket.remote_endpoint(ep_ec);
    if (!ep_ec) c->remote_address = remote.address().to_string();
    {
      std::lock_guard lock(conns_mu);
      conns.emplace(c->id, c);
    }
    asio::co_spawn(c->socket.get_executor(), Session(c), LogFailure("session"));
  }
}

asio::awaitable<void> Server::Impl::Session(std::shared_ptr<Conn> c) {
  beast::flat_buffer buffer;
  bool first_request = true;
  try {
    for (;;) {
      // Wait for the first byte of the next request: a new connection gets read_timeout, a
      // kept-alive one idle_timeout. Pipelined bytes may already be buffered.
      if (buffer.size() == 0) {
        c->idle = true;
        if (stopping) break;
        Arm(c, first_request ? options.read_timeout : options.idle_timeout);
        auto [ec, n] =
            co_await c->socket.async_read_some(buffer.prepare(kFirstReadBytes), kNoThrow);
        Disarm(*c);
        c->idle = false;
        if (ec) break;  // idle timeout, peer closed, or shut down while idle
        buffer.commit(n);
      }
      first_request = false;
      const auto start = SteadyClock::now();

      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(
          std::min<size_t>(options.max_header_bytes, std::numeric_limits<uint32_t>::max())));
      parser.body_limit(static_cast<uint64_t>(options.max_body_bytes));
      Arm(c, options.read_timeout);
      auto [ec, n] = co_await bhttp::async_read_header(c->socket, buffer, parser, kNoThrow);
      if (!ec && !parser.is_done()) {
        auto expect = parser.get()[bhttp::field::expect];
        if (EqualsIgnoreCase(std::string_view(expect.data(), expect.size()), "100-continue")) {
          bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, parser.get().version()};
          std::tie(ec, n) = co_await bhttp::async_write(c->socket, cont, kNoThrow);
        }
      }
      if (!ec && !parser.is_done()) {
        std::tie(ec, n) = co_await bhttp::async_read(c->socket, buffer, parser, kNoThrow);
      }
      Disarm(*c);

      const auto& msg = parser.get();
      std::string request_id;
      if (auto incoming = msg["X-Request-Id"];
          internal::IsSaneRequestId(std::string_view(incoming.data(), incoming.size()))) {
        request_id = ToStd(incoming);
      } else {
        request_id = internal::NewRequestId();
      }

      if (ec) {
        int status = StatusForReadError(ec, c->timed_out);
        if (status == 0) break;
        Response resp = ProblemResponse(status, DetailForStatus(status, options));
        std::string method = ToStd(msg.method_string());
        size_t bytes = co_await Write(c, resp, 11, /*keep_alive=*/false, false, request_id);
        Record(request_id, method, "", status, start, bytes);
        if (status == 413) co_await Linger(c);
        break;
      }

      auto req = std::make_shared<Request>();
      req->method = ToStd(msg.method_string());
      req->target = ToStd(msg.target());
      req->headers.reserve(static_cast<size_t>(std::distance(msg.begin(), msg.end())));
      for (const auto& field : msg) {
        req->headers.emplace_back(ToStd(field.name_string()), ToStd(field.value()));
      }
      req->body = std::move(parser.get().body());
      req->request_id = request_id;
      req->remote_address = c->remote_address;
      const unsigned version = msg.version();
      const bool keep_alive = msg.keep_alive();
      const bool head = req->method == "HEAD";

      // The handler runs on the blocking pool; this coroutine resumes on its strand after.
      // (The awaitable is a named local: g++ 12 destroys some temporaries inside a co_await
      // expression twice, e.g. a capturing lambda.)
      asio::awaitable<Response> handling = Handle(req);
      Response resp = co_await asio::co_spawn(pool, std::move(handling), asio::use_awaitable);

      size_t bytes =
          co_await Write(c, resp, version, keep_alive && !stopping, head, req->request_id);
      Record(req->request_id, req->method, req->route, resp.status, start, bytes);
      if (c->timed_out || !c->socket.is_open()) break;
      if (!keep_alive || stopping) break;
    }
  } catch (const std::exception& e) {
    log::Error("http session failed", {{"error", e.what()}});
  }
  c->Close();
  std::lock_guard lock(conns_mu);
  conns.erase(c->id);
}

asio::awaitable<Response> Server::Impl::Handle(std::shared_ptr<Request> req) {
  try {
    co_return internal::Dispatch(router, *req);
  } catch (const std::exception& e) {
    // Dispatch catches what handlers throw; this is for allocation failures and the like.
    log::Error("request failed", {{"request_id", req->request_id}, {"error", e.what()}});
  }
  co_return ProblemResponse(500, "internal error");
}

asio::awaitable<size_t> Server::Impl::Write(const std::shared_ptr<Conn>& c, Response& resp,
                                            unsigned version, bool keep_alive, bool head,
                                            const std::string& request_id) {
  bhttp::response<bhttp::string_body> res;
  res.version(version);
  res.result(static_cast<unsigned>(resp.status));
  res.reason(ReasonPhrase(resp.status));
  for (const auto& [name, value] : resp.headers) {
    if (!IsSettableHeader(name, value)) {
      log::Warn("dropped response header", {{"request_id", request_id}, {"header", name}});
      continue;
    }
    res.insert(name, value);
  }
  res.set("X-Request-Id", request_id);
  // Security headers on every response, including 404/405 and read errors. Handlers may
  // not weaken them (a handler's own value wins only where it is stricter by construction:
  // none is set by handlers today).
  res.set("Content-Security-Policy",
          "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; "
          "form-action 'self'; frame-ancestors 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "same-origin");
  res.set("X-Frame-Options", "DENY");
  res.keep_alive(keep_alive);
  // 1xx, 204 and 304 must not carry a body nor (1xx, 204) a Content-Length (RFC 9110 8.6).
  const bool bodyless = resp.status < 200 || resp.status == 204 || resp.status == 304;
  size_t body_bytes = 0;
  if (!bodyless) {
    if (!resp.body.empty() && !resp.content_type.empty()) {
      res.set(bhttp::field::content_type, resp.content_type);
    }
    res.content_length(resp.body.size());  // for HEAD: the size GET would send
    if (!head) {
      body_bytes = resp.body.size();
      res.body() = std::move(resp.body);
    }
  }
  Arm(c, options.read_timeout);
  auto [ec, n] = co_await bhttp::async_write(c->socket, res, kNoThrow);
  Disarm(*c);
  if (ec) {
    log::Info("response not delivered", {{"request_id", request_id}, {"error", ec.message()}});
    c->Close();
  }
  co_return body_bytes;
}

asio::awaitable<void> Server::Impl::Linger(const std::shared_ptr<Conn>& c) {
  error_code ignored;
  c->socket.shutdown(tcp::socket::shutdown_send, ignored);
  Arm(c, kLingerTime);
  std::vector<char> sink(16 * 1024);
  size_t total = 0;
  while (total < kMaxLingerBytes) {
    auto [ec, n] = co_await c->socket.async_read_some(asio::buffer(sink), kNoThrow);
    if (ec) break;
    total += n;
  }
  Disarm(*c);
}

void Server::Impl::Record(const std::string& request_id, std::string_view method,
                          std::string_view route, int status, SteadyClock::time_point start,
                          size_t bytes) {
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  const std::string route_label = route.empty() ? "unmatched" : std::string(route);
  const std::string method_label = MethodLabel(method);
  metrics.Add(
      kRequestsTotal,
      {{"route", route_label}, {"method", method_label}, {"status", std::to_string(status)}});
  metrics.Observe(kRequestDuration, {{"route", route_label}, {"method", method_label}}, seconds);
  log::Info("request", {{"request_id", request_id},
                        {"method", method},
                        {"route", route_label},
                        {"status", status},
                        {"duration_ms", seconds * 1000.0},
                        {"bytes", bytes}});
}

Server::Server(ServerOptions options, const Router& router, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}

Server::~Server() = default;

Status Server::Listen() { return impl_->Listen(); }

uint16_t Server::port() const { return impl_->port; }

void Server::Run() { impl_->Run(); }

void Server::Stop() {
  Impl* impl = impl_.get();
  asio::post(impl->control, [impl] { impl->BeginShutdown(); });
}

}  // namespace rapport::http
