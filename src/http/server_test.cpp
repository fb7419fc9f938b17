// Drives a real Server on an ephemeral port over plain POSIX sockets (so this test needs no
// Beast and controls every byte it sends: oversized headers, partial requests, pipelining).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "http/http.h"

namespace rapport::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
  bool Has(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A blocking HTTP/1.1 client over one TCP connection, just enough for these tests.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect failed");
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // False if the peer closed or reset before everything was sent.
  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response; nullopt on EOF, reset or timeout.
  std::optional<RawResponse> Read(bool head = false, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = Clock::now() + timeout;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    RawResponse r;
    std::string head_text = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    size_t line_end = head_text.find("\r\n");
    std::string status_line = head_text.substr(0, line_end);
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return std::nullopt;
    r.status = std::stoi(status_line.substr(9, 3));
    size_t pos = line_end == std::string::npos ? head_text.size() : line_end + 2;
    while (pos < head_text.size()) {
      size_t next = head_text.find("\r\n", pos);
      if (next == std::string::npos) next = head_text.size();
      std::string line = head_text.substr(pos, next - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        r.headers[Lower(line.substr(0, colon))] = value;
      }
      pos = next + 2;
    }
    if (head || r.status < 200 || r.status == 204 || r.status == 304) return r;
    size_t length = r.Has("content-length") ? std::stoul(r.Header("content-length")) : 0;
    while (buf_.size() < length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return r;
  }

  // True if the server closes the connection (EOF or reset) within `timeout`.
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (!Fill(deadline)) return !timed_out_;
      buf_.clear();  // ignore anything else the server sends
    }
    return false;
  }

 private:
  bool Fill(Clock::time_point deadline) {
    timed_out_ = false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out_ = true;
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready <= 0) {
      timed_out_ = true;
      return false;
    }
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buf_;
  bool timed_out_ = false;
};

std::string Get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

std::string Post(std::string_view target, std::string_view body) {
  return "POST " + std::string(target) + " HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

bool IsHex16(const std::string& s) {
  return s.size() == 16 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Lets a test wait until a handler is running, and release it.
class Gate {
 public:
  void Enter() {
    std::unique_lock lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  bool WaitEntered(std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return entered_; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool open_ = false;
};

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    router_.Add("GET", "/hello", [this](Request& req) {
      handler_thread_ = std::this_thread::get_id();
      Response r;
      r.content_type = "text/plain";
      r.body = "hello " + std::string(req.Query("name").value_or("world"));
      return r;
    });
    router_.Add("POST", "/hello", [](Request& req) {
      Response r;
      r.status = 201;
      r.content_type = "text/plain";
      r.body = "got " + std::to_string(req.body.size());
      return r;
    });
    router_.Add("GET", "/echo/{name}", [](Request& req) {
      Response r;
      r.content_type = "text/plain";
      r.body = req.path_params.at("name") + "|" + req.route + "|" + req.request_id + "|" +
               (req.remote_address.empty() ? "no-remote" : "remote");
      r.SetHeader("X-Echo", "1");
      return r;
    });
    router_.Add("GET", "/boom",
                [](Request&) -> Response { throw std::runtime_error("secret database detail"); });
    router_.Add("GET", "/empty", [](Request&) {
      Response r;
      r.status = 204;
      return r;
    });
    router_.Add("GET", "/gate", [this](Request&) {
      gate_.Enter();
      Response r;
      r.content_type = "text/plain";
      r.body = "finished";
      return r;
    });
    router_.Add("GET", "/sleep", [](Request&) {
      std::this_thread::sleep_for(3s);
      return Response{};
    });
  }

  ~ServerTest() override {
    gate_.Open();
    StopServer();
  }

  void Start(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    if (options.io_threads == 0) options.io_threads = 2;
    options.blocking_threads = 4;
    server_ = std::make_unique<Server>(options, router_, metrics_);
    Status s = server_->Listen();
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_NE(server_->port(), 0);
    run_thread_ = std::thread([this] {
      run_thread_id_ = std::this_thread::get_id();
      server_->Run();
      run_returned_ = true;
    });
  }

  void StopServer() {
    if (!server_) return;
    server_->Stop();
    if (run_thread_.joinable()) run_thread_.join();
    server_.reset();
  }

  uint16_t port() const { return server_->port(); }

  // True once the Prometheus text contains `needle` (waits up to 5 s).
  bool WaitForMetric(const std::string& needle) {
    const auto deadline = Clock::now() + 5s;
    while (metrics_.RenderPrometheus().find(needle) == std::string::npos) {
      if (Clock::now() > deadline) {
        ADD_FAILURE() << "missing " << needle << " in\n" << metrics_.RenderPrometheus();
        return false;
      }
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  Router router_;
  Metrics metrics_;
  std::unique_ptr<Server> server_;
  std::thread run_thread_;
  std::atomic<std::thread::id> run_thread_id_{};
  std::atomic<std::thread::id> handler_thread_{};
  std::atomic<bool> run_returned_{false};
  Gate gate_;
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  Start();
  Client c(port());
  ASSERT_TRUE(c.Send(Get("/hello?name=ana")));
  auto r1 = c.Read();
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 200);
  EXPECT_EQ(r1->body, "hello ana");
  EXPECT_EQ(r1->Header("content-length"), "9");
  EXPECT_EQ(r1->Header("content-type"), "text/plain");
  EXPECT_TRUE(IsHex16(r1->Header("x-request-id"))) << r1->Header("x-request-id");
  EXPECT_NE(Lower(r1->Header("connection")), "close");

  ASSERT_TRUE(c.Send(Post("/hello", "12345")));
  auto r2 = c.Read();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 201);
  EXPECT_EQ(r2->body, "got 5");
  EXPECT_NE(r1->Header("x-request-id"), r2->Header("x-request-id"));
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Start();
  Client c(port());
  ASSERT_TRUE(c.Send(Get("/hello?name=1") + Get("/hello?name=2") + Get("/nope")));
  auto a = c.Read(), b = c.Read(), d = c.Read();
  ASSERT_TRUE(a && b && d);
  EXPECT_EQ(a->body, "hello 1");
  EXPECT_EQ(b->body, "hello 2");
  EXPECT_EQ(d->status, 404);
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  Start();
  Client c(port());
  ASSERT_TRUE(c.Send(Get("/hello", "Connection: close\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Lower(r->Header("connection")), "close");
  EXPECT_TRUE(c.ClosedWithin(2s));
}

TEST_F(ServerTest, Http10ClosesByDefault) {
  Start();
  Client c(port());
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.0\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(c.ClosedWithin(2s));
}

TEST_F(ServerTest, NotFoundAndMethodNotAllowedAreProblems) {
  Start();
  Client c(port());
  ASSERT_TRUE(c.Send(Get("/nope")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->Header("content-type"), "application/problem+json");
  EXPECT_NE(r->body.find("\"status\":404"), std::string::npos) << r->body;

  ASSERT_TRUE(c.Send("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("allow"), "GET, HEAD, POST");
  EXPECT_EQ(r->Header("content-type"), "application/problem+json");
}

TEST_F(ServerTest, PathParamsAndRequestFieldsReachTheHandler) {
  Start();
  Client c(port());
  ASSERT_TRUE(c.Send(Get("/echo/a%20b%2Fc/", "X-Request-Id: req-42.a_b\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "a b/c|/echo/{name}|req-42.a_b|remote");
  EXPECT_EQ(r->Header("x-echo"), "1");
  EXPECT_EQ(r->Header("x-request-id"), "req-42.a_b");
}

TEST_F(ServerTest, InsaneRequestIdIsReplaced) {
  Start();
  Client c(port());
  for (std::string bad : {std::string("has space"), std::string(65, 'a'), std::string("a;b")}) {
    ASSERT_TRUE(c.Send(Get("/hello", "X-Request-Id: " + bad + "\r\n")));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_TRUE(IsHex16(r->Header("x-request-id"))) << bad << " -> " << r->Header("x-request-id");
  }
}

TEST_F(ServerTest, MalformedTargetIs400) {
  Start();
  Client c(port());
  ASSERT_TRUE(c.Send(Get("/hello%zz")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->Header("content-type"), "application/problem+json");
}

TEST_F(ServerTest, MalformedRequestIs400AndCloses) {
  Start();
  Client c(port());
  ASSERT_TRUE(c.Send("this is not http\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->Header("content-type"), "application/problem+json");
  EXPECT_TRUE(IsHex16(r->Header("x-request-id")));
  EXPECT_TRUE(c.ClosedWithin(2s));
}

TEST_F(ServerTest, HandlerExceptionIs500Problem) {
  Start();
  Client c(port());
  ASSERT_TRUE(c.Send(Get("/boom")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->Header("content-type"), "application/problem+json");
  EXPECT_NE(r->body.find("\"detail\":\"internal error\""), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("secret"), std::string::npos);
  // The connection survives a failing handler.
  ASSERT_TRUE(c.Send(Get("/hello")));
  r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, BodyOverLimitIs413) {
  ServerOptions o;
  o.max_body_bytes = 1024;
  Start(o);
  {
    // Declared length over the limit: rejected from the header, the body never read.
    Client c(port());
    std::string body(64 * 1024, 'x');
    c.Send(Post("/hello", body));  // may fail part-way once the server closes
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(r->Header("content-type"), "application/problem+json");
    EXPECT_NE(r->body.find("1024"), std::string::npos) << r->body;
    EXPECT_EQ(Lower(r->Header("connection")), "close");
    EXPECT_TRUE(c.ClosedWithin(5s));
  }
  {
    // Chunked: caught while reading the body.
    Client c(port());
    std::string chunk(800, 'y');
    char size_hex[16];
    std::snprintf(size_hex, sizeof size_hex, "%zx", chunk.size());
    c.Send("POST /hello HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
           std::string(size_hex) + "\r\n" + chunk + "\r\n" + size_hex + "\r\n" + chunk +
           "\r\n0\r\n\r\n");
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
  {
    // At the limit is fine.
    Client c(port());
    ASSERT_TRUE(c.Send(Post("/hello", std::string(1024, 'z'))));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 201);
    EXPECT_EQ(r->body, "got 1024");
  }
}

TEST_F(ServerTest, ExpectContinueGets100BeforeTheBody) {
  Start();
  Client c(port());
  ASSERT_TRUE(c.Send(
      "POST /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.Send("abc"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "got 3");
}

TEST_F(ServerTest, HugeHeaderIs431) {
  ServerOptions o;
  o.max_header_bytes = 2048;
  Start(o);
  Client c(port());
  c.Send(Get("/hello", "X-Big: " + std::string(8192, 'h') + "\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(r->Header("content-type"), "application/problem+json");
  EXPECT_TRUE(c.ClosedWithin(5s));
}

TEST_F(ServerTest, HeadGetsLengthButNoBody) {
  Start();
  Client c(port());
  ASSERT_TRUE(c.Send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = c.Read(/*head=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("content-length"), "11");  // "hello world"
  // No body bytes follow: the next response starts right away.
  ASSERT_TRUE(c.Send(Get("/hello?name=x")));
  auto next = c.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "hello x");
}

TEST_F(ServerTest, NoContentHasNoBody) {
  Start();
  Client c(port());
  ASSERT_TRUE(c.Send(Get("/empty") + Get("/hello")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_FALSE(r->Has("content-length"));
  auto next = c.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "hello world");
}

TEST_F(ServerTest, HandlersRunOffTheIoThread) {
  ServerOptions o;
  o.io_threads = 1;  // the Run() thread is the only I/O thread
  Start(o);
  Client blocked(port());
  ASSERT_TRUE(blocked.Send(Get("/gate")));
  ASSERT_TRUE(gate_.WaitEntered());
  // With the only I/O thread free, another connection is served while /gate blocks.
  Client c(port());
  ASSERT_TRUE(c.Send(Get("/hello")));
  auto r = c.Read(false, 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(handler_thread_.load(), run_thread_id_.load());
  gate_.Open();
  auto g = blocked.Read();
  ASSERT_TRUE(g);
  EXPECT_EQ(g->body, "finished");
}

TEST_F(ServerTest, MetricsAreRecordedByRoutePattern) {
  Start();
  Client c(port());
  for (const char* target : {"/echo/a", "/echo/b", "/nope/x"}) {
    ASSERT_TRUE(c.Send(Get(target)));
    ASSERT_TRUE(c.Read());
  }
  ASSERT_TRUE(c.Send("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(c.Read());
  ASSERT_TRUE(c.Send("BREW /nope HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(c.Read());
  // Metrics are recorded just after the response is written: poll briefly.
  EXPECT_TRUE(
      WaitForMetric("rapport_http_requests_total{route=\"/echo/{name}\",method=\"GET\","
                    "status=\"200\"} 2\n"));
  EXPECT_TRUE(
      WaitForMetric("rapport_http_requests_total{route=\"unmatched\",method=\"GET\","
                    "status=\"404\"} 1\n"));
  EXPECT_TRUE(
      WaitForMetric("rapport_http_requests_total{route=\"/hello\",method=\"DELETE\","
                    "status=\"405\"} 1\n"));
  EXPECT_TRUE(WaitForMetric("method=\"OTHER\",status=\"404\"} 1\n"));
  EXPECT_TRUE(
      WaitForMetric("rapport_http_request_duration_seconds_count{route=\"/echo/{name}\","
                    "method=\"GET\"} 2\n"));
  EXPECT_TRUE(WaitForMetric("rapport_http_open_connections 1\n"));
  std::string text = metrics_.RenderPrometheus();
  EXPECT_EQ(text.find("/echo/a"), std::string::npos) << "raw paths must not become labels";
}

TEST_F(ServerTest, OpenConnectionsGaugeFallsWhenClientsLeave) {
  Start();
  {
    Client a(port()), b(port());
    ASSERT_TRUE(a.Send(Get("/hello")));
    ASSERT_TRUE(a.Read());
    ASSERT_TRUE(b.Send(Get("/hello")));
    ASSERT_TRUE(b.Read());
    EXPECT_TRUE(WaitForMetric("rapport_http_open_connections 2\n"));
  }
  EXPECT_TRUE(WaitForMetric("rapport_http_open_connections 0\n"));
}

TEST_F(ServerTest, IdleKeepAliveConnectionTimesOut) {
  ServerOptions o;
  o.idle_timeout = 1s;
  Start(o);
  Client c(port());
  ASSERT_TRUE(c.Send(Get("/hello")));
  ASSERT_TRUE(c.Read());
  auto t0 = Clock::now();
  EXPECT_TRUE(c.ClosedWithin(5s));
  EXPECT_GE(Clock::now() - t0, 900ms);
}

TEST_F(ServerTest, PartialRequestTimesOutWith408) {
  ServerOptions o;
  o.read_timeout = 1s;
  Start(o);
  Client c(port());
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: t\r\n"));  // no blank line
  auto r = c.Read(false, 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(c.ClosedWithin(2s));
}

TEST_F(ServerTest, StopLetsInFlightRequestFinish) {
  Start();
  Client busy(port());
  Client idle(port());
  ASSERT_TRUE(idle.Send(Get("/hello")));
  ASSERT_TRUE(idle.Read());
  ASSERT_TRUE(busy.Send(Get("/gate")));
  ASSERT_TRUE(gate_.WaitEntered());

  server_->Stop();
  // The idle keep-alive connection is closed promptly; the server keeps running for /gate.
  EXPECT_TRUE(idle.ClosedWithin(2s));
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(run_returned_.load());
  // New connections are refused once shutdown began.
  EXPECT_THROW(Client late(port()), std::runtime_error);

  gate_.Open();
  auto r = busy.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "finished");
  EXPECT_EQ(Lower(r->Header("connection")), "close");
  EXPECT_TRUE(busy.ClosedWithin(2s));
  run_thread_.join();
  EXPECT_TRUE(run_returned_.load());
}

TEST_F(ServerTest, ShutdownGraceBoundsTheWait) {
  ServerOptions o;
  o.shutdown_grace = 1s;
  Start(o);
  Client c(port());
  ASSERT_TRUE(c.Send(Get("/sleep")));  // sleeps 3 s
  std::this_thread::sleep_for(200ms);
  auto t0 = Clock::now();
  server_->Stop();
  run_thread_.join();
  auto waited = Clock::now() - t0;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 2500ms);
  EXPECT_TRUE(c.ClosedWithin(2s));
}

TEST_F(ServerTest, ListenFailsWhenPortTaken) {
  Start();
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = port();
  Server second(o, router_, metrics_);
  Status s = second.Listen();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message().rfind("cannot listen on 127.0.0.1:" + std::to_string(port()) + ": ", 0), 0u)
      << s.message();
}

TEST_F(ServerTest, StopBeforeRunReturnsPromptly) {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.io_threads = 1;
  o.blocking_threads = 1;
  Server s(o, router_, metrics_);
  ASSERT_TRUE(s.Listen().ok());
  s.Stop();
  auto t0 = Clock::now();
  s.Run();
  EXPECT_LT(Clock::now() - t0, 1s);
}

}  // namespace
}  // namespace rapport::http
