// The one place that knows the concrete types: opens the store and builds the services
// over it. Every command of the `rapport` binary starts from an App.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "accounts/company.h"
#include "activity/activity.h"
#include "auth/api_keys.h"
#include "auth/rate_limit.h"
#include "auth/sessions.h"
#include "auth/users.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "contacts/contact.h"
#include "fields/custom_field.h"
#include "idempotency/idempotency.h"
#include "orders/order.h"
#include "segments/live.h"
#include "segments/segment.h"
#include "store/sqlite/sqlite_store.h"
#include "tags/tag_service.h"

namespace rapport::app {

struct App {
  SystemClock clock;
  Metrics metrics;
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<fields::FieldService> fields;
  std::unique_ptr<tags::TagService> tags;
  std::unique_ptr<accounts::CompanyService> companies;
  std::unique_ptr<contacts::ContactService> contacts;
  std::unique_ptr<activity::ActivityService> activities;
  std::unique_ptr<orders::ProductService> products;
  std::unique_ptr<orders::OrderService> orders;
  std::unique_ptr<segments::LiveSegments> live_segments;
  std::unique_ptr<segments::SegmentService> segments;
  std::unique_ptr<idempotency::IdempotencyService> idempotency;
  std::unique_ptr<auth::ApiKeyService> api_keys;
  std::unique_ptr<auth::UserService> users;
  std::unique_ptr<auth::SessionService> sessions;
};

// Creates `data_dir` if needed, opens and migrates `<data_dir>/rapport.db`.
Result<std::unique_ptr<App>> OpenApp(const std::string& data_dir);

struct ServeOptions {
  std::string data_dir;
  std::string listen = "127.0.0.1:8080";
  int threads = 0;
  bool trust_proxy = false;  // honour X-Forwarded-Proto/-For (https cookies, client address)
  // The built web UI (index.html + assets/). Empty: web/dist of the source tree the binary
  // was built in (<binary dir>/../web/dist), else ./web/dist.
  std::string web_dir;
};

struct UserAddOptions {
  std::string data_dir;
  std::string email, name, role = "owner", workspace = "default";
  bool password_stdin = false;
};

// `rapport user add`: creates the user (or adds an existing one to the workspace, which is
// created when missing) and prints a one-time password unless one is read from stdin.
int UserAdd(const UserAddOptions& options);

// Serves until SIGINT/SIGTERM, then shuts down cleanly. Returns the process exit code.
int Serve(const ServeOptions& options);

struct DemoOptions {
  std::string data_dir;
  int64_t contacts = 1000;
  int64_t companies = -1;  // -1: one company per 20 contacts
  uint64_t seed = 1;
};

struct SegmentEvalOptions {
  std::string data_dir;
  std::string workspace = "default";
  std::string rule;
  std::string format = "ids";  // ids | count | json
  bool sql = false;            // the SQL reference evaluator instead of the engine
};

// `rapport segment eval`: prints the members of a rule (one contact id per line, the count,
// or JSON). Parse and check errors go to stderr as rule:LINE:COLUMN: message, exit code 2.
int SegmentEval(const SegmentEvalOptions& options);

// Fills the default workspace with generated companies and contacts, printing progress.
int Demo(const DemoOptions& options);

}  // namespace rapport::app
