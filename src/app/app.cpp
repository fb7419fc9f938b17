#include "app/app.h"

#include <cstdlib>
#include <filesystem>

#include "store/migration.h"

namespace rapport::app {

Result<std::unique_ptr<App>> OpenApp(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Unavailable("cannot create data directory " + data_dir + ": " + ec.message());
  auto app = std::make_unique<App>();
  app->metrics.Describe("rapport_store_commit_seconds", "Time to commit one group of writes.");
  app->metrics.Describe("rapport_store_writes_total", "Write transactions committed.");
  app->metrics.Describe("rapport_store_commits_total", "Group commits.");
  app->metrics.Describe("rapport_store_batch_retries_total",
                        "Write batches rolled back and run again because a write in them failed.");
  store::SqliteOptions options;
  options.path = (std::filesystem::path(data_dir) / "rapport.db").string();
  options.metrics = &app->metrics;
  // The API tests set it: every write then runs twice (see SqliteOptions::replay_writes).
  options.replay_writes = std::getenv("RAPPORT_TEST_REPLAY_WRITES") != nullptr;
  ASSIGN_OR_RETURN(app->store, store::SqliteStore::Open(options, store::SqliteMigrations()));
  store::Store& s = *app->store;
  app->fields = std::make_unique<fields::FieldService>(s, app->clock);
  app->tags = std::make_unique<tags::TagService>(s, app->clock);
  app->companies = std::make_unique<accounts::CompanyService>(s, app->clock);
  app->contacts = std::make_unique<contacts::ContactService>(s, app->clock);
  app->activities = std::make_unique<activity::ActivityService>(s, app->clock, *app->contacts);
  app->products = std::make_unique<orders::ProductService>(s, app->clock);
  app->orders =
      std::make_unique<orders::OrderService>(s, app->clock, *app->contacts, *app->activities);
  app->live_segments = std::make_unique<segments::LiveSegments>(s, app->clock, *app->activities);
  app->segments = std::make_unique<segments::SegmentService>(s, app->clock, *app->activities,
                                                             *app->live_segments);
  app->idempotency = std::make_unique<idempotency::IdempotencyService>(s, app->clock);
  app->api_keys = std::make_unique<auth::ApiKeyService>(s, app->clock);
  app->users = std::make_unique<auth::UserService>(s, app->clock);
  app->sessions = std::make_unique<auth::SessionService>(s, app->clock);
  return app;
}

}  // namespace rapport::app
