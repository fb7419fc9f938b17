#include <charconv>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "activity/folder.h"
#include "app/app.h"
#include "common/log.h"
#include "http/api/routes.h"
#include "http/http.h"
#include "http/static_files.h"

namespace rapport::app {
namespace {

// Purges expired idempotency keys and dead sessions every hour until stopped.
class Maintenance {
 public:
  Maintenance(idempotency::IdempotencyService& idem, auth::SessionService& sessions)
      : idem_(idem), sessions_(sessions), thread_([this] { Loop(); }) {}
  ~Maintenance() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      auto purged = idem_.Purge();
      if (!purged) {
        log::Warn("idempotency purge failed", {{"error", purged.error().message()}});
      } else if (*purged > 0) {
        log::Info("purged idempotency keys", {{"count", *purged}});
      }
      if (auto s = sessions_.Purge(); !s) {
        log::Warn("session purge failed", {{"error", s.error().message()}});
      }
      lock.lock();
      cv_.wait_for(lock, std::chrono::hours(1), [&] { return stop_; });
    }
  }

  idempotency::IdempotencyService& idem_;
  auth::SessionService& sessions_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

bool ParseListen(const std::string& listen, std::string& host, uint16_t& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string_view p = std::string_view(listen).substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || end != p.data() + p.size() || value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

// The explicit --web directory, else the first candidate holding an index.html: web/dist of
// the source tree the binary was built in (build dirs sit in the repository root), then
// ./web/dist. Neither built: the first, so the 404 page and log name where it is expected.
std::filesystem::path ResolveWebDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  std::vector<std::filesystem::path> candidates;
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "web" / "dist");
  candidates.push_back(std::filesystem::current_path(ec) / "web" / "dist");
  for (const auto& c : candidates) {
    if (std::filesystem::is_regular_file(c / "index.html", ec)) return c;
  }
  return candidates.front();
}

}  // namespace

int Serve(const ServeOptions& options) {
  http::ServerOptions server_options;
  if (!ParseListen(options.listen, server_options.host, server_options.port)) {
    log::Error("invalid --listen address; expected HOST:PORT such as 127.0.0.1:8080",
               {{"listen", options.listen}});
    return 2;
  }
  server_options.io_threads = options.threads;

  auto opened = OpenApp(options.data_dir);
  if (!opened) {
    log::Error("cannot open the store",
               {{"error", opened.error().message()}, {"data", options.data_dir}});
    return 1;
  }
  App& app = **opened;
  std::atomic<bool> ready{false};
  auth::LoginLimiter login_limiter(app.clock);
  http::api::AuthContext auth{*app.store,
                              app.clock,
                              *app.users,
                              *app.sessions,
                              *app.api_keys,
                              login_limiter,
                              {.tls = false, .trust_proxy = options.trust_proxy}};
  http::api::ApiContext ctx{*app.store,  app.metrics,   *app.contacts,    *app.companies,
                            *app.fields, *app.tags,     *app.idempotency, *app.activities,
                            *app.orders, *app.products, *app.segments,    ready,
                            auth};
  http::Router router;
  http::api::RegisterRoutes(router, ctx);
  http::StaticFiles web(ResolveWebDir(options.web_dir));
  router.SetFallback([&web](http::Request& r) { return web.Serve(r); });
  if (web.Available()) {
    log::Info("serving the web UI", {{"web", web.root().string()}});
  } else {
    log::Warn("web UI not built: / answers 404 until it is (make build, or --web DIR)",
              {{"web", web.root().string()}});
  }

  http::Server server(server_options, router, app.metrics);
  Status listening = server.Listen();
  if (!listening.ok()) {
    log::Error("cannot listen", {{"error", listening.message()}});
    return 1;
  }
  auto members = app.store->Read(
      [](store::Txn& t) { return t.QueryOne("SELECT COUNT(*) FROM workspace_members"); });
  if (members && *members && (*members)->Int(0) == 0) {
    log::Warn("no users yet: create the first owner with `rapport user add --data " +
              options.data_dir +
              " --email you@example.com --role owner`, then sign in with POST /api/v1/auth/login");
  }
  log::Info("store ready",
            {{"data", options.data_dir}, {"schema_version", app.store->schema_version()}});
  Micros engine_start = app.clock.Now();
  if (Status s = app.live_segments->Load(); !s.ok()) {
    log::Error("cannot build the segment engine", {{"error", s.message()}});
    return 1;
  }
  log::Info("segment engine ready",
            {{"build_ms", static_cast<int64_t>((app.clock.Now() - engine_start) / 1000)}});
  app.live_segments->Start();
  {
    Maintenance maintenance(*app.idempotency, *app.sessions);
    activity::Folder folder(*app.activities, app.metrics);
    ready = true;
    server.Run();  // returns after SIGINT/SIGTERM once in-flight requests finished
    ready = false;
  }
  app.live_segments->Stop();
  app.store->Close();
  log::Info("store closed");
  return 0;
}

}  // namespace rapport::app
