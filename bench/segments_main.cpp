// segments: how fast does the engine answer segment rules, compared with the same rules
// compiled to SQL and run on SQLite and on PostgreSQL 15, and do all three agree?
//
//   segments [--small] [--contacts N] [--activities N] [--seed N] [--db PATH [--reuse]]
//            [--pg CONNINFO] [--engine-runs N] [--sql-runs N] [--updates N] [--json]
//
// 1. A seeded workspace (segments_generator.h) is written into a fresh Rapport SQLite
//    database created by the store's own migrations (--db keeps it; --reuse skips the
//    generation when it exists). With --pg the same tables and indexes are copied into
//    PostgreSQL (run_segments.sh starts a throwaway server and passes its connection).
// 2. Six reference rules, from one tag to the combined rule of ARCHITECTURE.md section 4
//    (without `churn_risk > 0.7`: no scores exist yet), are parsed, checked against the
//    workspace's catalog and evaluated on one fixed day by the engine (built from the
//    store; timed and measured), by the SQL compiler on SQLite through the store, and by
//    the same compiler's PostgreSQL SQL through libpq. The member lists must be equal.
// 3. Incremental updates: 100 dynamic rules; for each of --updates single activities,
//    written through ActivityService::Record, the engine applies the change feed and
//    re-evaluates the contact against all 100 rules (timed), sampled against SQL.
//
// Prints a table with the goals of the issue and one JSON line per rule plus a summary
// line. Exits 1 when the evaluators disagree (naming them) or anything fails.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "activity/activity.h"
#include "bench_common.h"
#include "common/clock.h"
#include "contacts/contact.h"
#include "engine/engine.h"
#include "engine/values.h"
#include "segments/catalog.h"
#include "segments/check.h"
#include "segments/sql.h"
#include "segments/text.h"
#include "segments_generator.h"
#include "segments_postgres.h"
#include "store/change_feed.h"
#include "store/migration.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using namespace bench;
using namespace rapport;
namespace json = boost::json;

constexpr std::string_view kUsage =
    "usage: segments [--small] [--contacts N] [--activities N] [--seed N]\n"
    "                [--db PATH [--reuse]] [--pg CONNINFO] [--engine-runs N] [--sql-runs N]\n"
    "                [--updates N] [--json]\n";

constexpr WorkspaceId kWs = kDefaultWorkspace;

// The goals of the issue.
constexpr double kGoalEngineMs = 20;
constexpr double kGoalRatio = 50;
constexpr double kGoalMemoryMb = 400;  // MiB, as the engine's own figure is reported
constexpr double kGoalBuildS = 10;
constexpr double kGoalIncrementalUs = 50;

struct Options {
  bool small = false;
  seg::GeneratorOptions gen;
  std::string db;
  bool reuse = false;
  std::string pg;
  int engine_runs = 11;
  int sql_runs = 3;
  int updates = 2000;
  bool json_only = false;
};

Options ParseOptions(int argc, char** argv) {
  Options o;
  std::optional<int64_t> contacts, activities, sql_runs, updates;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) UsageError(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--small") {
      o.small = true;
    } else if (flag == "--contacts") {
      contacts = ParseInt(flag, value(), 10, 100'000'000);
    } else if (flag == "--activities") {
      activities = ParseInt(flag, value(), 0, 2'000'000'000);
    } else if (flag == "--seed") {
      o.gen.seed = static_cast<uint64_t>(ParseInt(flag, value(), 0, INT64_MAX));
    } else if (flag == "--db") {
      o.db = value();
    } else if (flag == "--reuse") {
      o.reuse = true;
    } else if (flag == "--pg") {
      o.pg = value();
    } else if (flag == "--engine-runs") {
      o.engine_runs = static_cast<int>(ParseInt(flag, value(), 1, 1000));
    } else if (flag == "--sql-runs") {
      sql_runs = ParseInt(flag, value(), 1, 100);
    } else if (flag == "--updates") {
      updates = ParseInt(flag, value(), 0, 1'000'000);
    } else if (flag == "--json") {
      o.json_only = true;
    } else if (flag == "--help" || flag == "-h") {
      PrintUsageAndExit();
    } else {
      UsageError("unknown argument '" + flag + "'");
    }
  }
  if (o.small) {
    o.gen.contacts = 10'000;
    o.gen.activities = 200'000;
    o.sql_runs = 5;
    o.updates = 300;
  }
  if (contacts) o.gen.contacts = *contacts;
  if (activities) o.gen.activities = *activities;
  if (sql_runs) o.sql_runs = static_cast<int>(*sql_runs);
  if (updates) o.updates = static_cast<int>(*updates);
  if (o.reuse && o.db.empty()) UsageError("--reuse needs --db");
  return o;
}

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r) throw std::runtime_error(what + ": " + r.error().message());
  return std::move(r).value();
}

void Must(const Status& s, const std::string& what) {
  if (!s.ok()) throw std::runtime_error(what + ": " + s.message());
}

double Ms(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return Percentile(v, 0.5);
}

int64_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

// ---------------------------------------------------------------------------------------
// Rules

struct RuleSpec {
  std::string name;
  std::string text;
};

const std::vector<RuleSpec>& ReferenceRules() {
  static const std::vector<RuleSpec> kRules = {
      {"tag", R"(tag "vip")"},
      {"stage_country", R"(lifecycle_stage in ("customer", "advocate") and country = "NZ")"},
      {"purchase_count", "count(purchase, last 365 days) >= 3"},
      {"purchase_sum", "sum(purchase.amount, last 90 days) > 200.00"},
      {"engagement", R"(not exists(email_opened, last 30 days) and )"
                     R"(count(web_visit where properties.page = "/pricing", last 7 days) >= 2)"},
      // ARCHITECTURE.md section 4 without `and churn_risk > 0.7`: scores do not exist yet.
      {"combined",
       R"(tag "vip" and lifecycle_stage in ("customer", "advocate") and country = "NZ")"
       "\nand count(purchase, last 365 days) >= 3 and sum(purchase.amount, last 365 days) > "
       "200.00\nand not exists(email_opened, last 30 days)\n"
       R"(and birthday within next 7 days and company.relationship = "distributor")"
       "\n"
       R"(and in_segment("newsletter-subscribers"))"},
  };
  return kRules;
}

// The 100 dynamic segments of the incremental phase: the reference rules with other
// thresholds, windows and values, and the other kinds of conditions.
std::vector<std::string> DynamicRules() {
  std::vector<std::string> r;
  const char* tags[] = {"vip",        "newsletter", "beta-tester", "wholesale",  "partner",
                        "event-2025", "webinar",    "trial",       "enterprise", "smb"};
  for (const char* t : tags) r.push_back("tag \"" + std::string(t) + "\"");
  const char* countries[] = {"NZ", "US", "GB", "DE", "FR", "AU", "CA", "NL", "ES", "IT"};
  for (size_t i = 0; i < std::size(countries); ++i) {
    r.push_back(std::string(i % 2 ? R"(lifecycle_stage in ("at_risk", "churned"))"
                                  : R"(lifecycle_stage in ("customer", "advocate"))") +
                " and country = \"" + countries[i] + "\"");
  }
  const int windows[] = {30, 90, 180, 365, 730};
  for (int w : windows) {
    for (int k : {1, 3}) {
      r.push_back("count(purchase, last " + std::to_string(w) + " days) >= " + std::to_string(k));
    }
  }
  for (int w : windows) {
    for (const char* t : {"50.00", "200.00"}) {
      r.push_back("sum(purchase.amount, last " + std::to_string(w) + " days) > " + t);
    }
  }
  for (int w : {7, 14, 30, 60, 90}) {
    for (int m : {7, 30}) {
      r.push_back("not exists(email_opened, last " + std::to_string(w) +
                  " days) and count(web_visit where properties.page = \"/pricing\", last " +
                  std::to_string(m) + " days) >= " + (m == 7 ? "2" : "3"));
    }
  }
  for (int i = 0; i < 10; ++i) {
    r.push_back("tag \"" + std::string(tags[i % 3]) + "\" and lifecycle_stage in (\"customer\", " +
                "\"advocate\") and country = \"" + countries[i] + "\" and count(purchase, last " +
                std::to_string(windows[i % 5]) + " days) >= " + std::to_string(1 + i % 3) +
                " and sum(purchase.amount, last 365 days) > " + (i % 2 ? "100.00" : "200.00") +
                " and not exists(email_opened, last 30 days) and birthday within next " +
                std::to_string(7 + 7 * (i % 4)) +
                " days and company.relationship = \"distributor\" and "
                "in_segment(\"newsletter-subscribers\")");
  }
  for (int n : {1, 7, 14, 30, 60})
    r.push_back("birthday within next " + std::to_string(n) + " days");
  for (int n : windows) r.push_back("last(purchase) before " + std::to_string(n) + " days ago");
  for (int n : {7, 30, 90, 180, 365}) {
    r.push_back("first(purchase) within last " + std::to_string(n) + " days");
  }
  for (int n : {7, 14, 30, 90, 180}) {
    r.push_back("in_segment(\"newsletter-subscribers\") and exists(email_clicked, last " +
                std::to_string(n) + " days)");
  }
  for (int i = 0; i < 5; ++i) {
    r.push_back("company.relationship = \"distributor\" and count(email_opened, last " +
                std::to_string(windows[i]) + " days) >= " + std::to_string(1 + 2 * i));
  }
  for (int n : {0, 100, 500, 1000, 5000}) r.push_back("loyalty_points > " + std::to_string(n));
  for (int n : {7, 14, 30, 60, 90}) {
    r.push_back("exists(ticket_opened, last " + std::to_string(n) +
                " days) and not exists(ticket_closed, last " + std::to_string(n) + " days)");
  }
  for (int n : windows) {
    r.push_back("count(purchase where channel = \"store\", last " + std::to_string(n) +
                " days) >= 1");
  }
  return r;
}

segments::Rule ParseAndCheck(const std::string& text, const segments::Catalog& catalog) {
  segments::Parsed parsed = segments::ParseText(text);
  std::vector<segments::RuleError> errors = parsed.errors;
  if (parsed.rule && errors.empty()) errors = segments::Check(*parsed.rule, catalog);
  if (!errors.empty() || !parsed.rule) {
    std::string message = "rule does not check: " + text;
    for (const auto& e : errors) {
      message +=
          "\n  " + std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message;
    }
    throw std::runtime_error(message);
  }
  return std::move(*parsed.rule);
}

// ---------------------------------------------------------------------------------------
// Evaluation

std::vector<int64_t> SqliteIds(store::Store& store, const segments::SqlPredicate& q) {
  std::vector<int64_t> ids;
  Must(store.Read([&](store::Txn& t) -> Status {
    ASSIGN_OR_RETURN(auto rows, t.Query(q.sql, q.params));
    ids.reserve(rows.size());
    for (const auto& row : rows) ids.push_back(row.Int(0));
    return Status::Ok();
  }),
       "sqlite query");
  return ids;
}

// "" when equal, else where the lists differ first.
std::string Difference(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  if (a == b) return "";
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  std::string where = "first difference at position " + std::to_string(i) + ": ";
  where += i < a.size() ? "contact " + std::to_string(a[i]) : "(end)";
  where += " vs ";
  where += i < b.size() ? "contact " + std::to_string(b[i]) : "(end)";
  return std::to_string(a.size()) + " vs " + std::to_string(b.size()) + " members, " + where;
}

struct RuleResult {
  std::string name, text;
  int64_t count = 0;
  double engine_ms = 0, engine_count_ms = 0;
  double sqlite_ms = NAN, postgres_ms = NAN;
  std::vector<std::string> disagreements;
};

std::string Goal(bool met) { return met ? "met" : "NOT met"; }

// One JSON object on one line, numbers with fixed decimals (null when not finite) so runs
// compare as text.
class JsonLine {
 public:
  JsonLine& Str(std::string_view key, std::string_view v) {
    Key(key);
    s_ += json::serialize(json::string(v));
    return *this;
  }
  JsonLine& Num(std::string_view key, double v, int decimals) {
    Key(key);
    s_ += JsonNumber(v, decimals);
    return *this;
  }
  JsonLine& Int(std::string_view key, int64_t v) {
    Key(key);
    s_ += std::to_string(v);
    return *this;
  }
  JsonLine& Bool(std::string_view key, bool v) {
    Key(key);
    s_ += v ? "true" : "false";
    return *this;
  }
  JsonLine& Null(std::string_view key) {
    Key(key);
    s_ += "null";
    return *this;
  }
  std::string Line() const { return s_ + "}"; }

 private:
  void Key(std::string_view key) {
    if (s_.size() > 1) s_ += ',';
    s_ += '"';
    s_ += key;
    s_ += "\":";
  }
  std::string s_ = "{";
};

int Main(int argc, char** argv) {
  SetProgram("segments", kUsage);
  Options o = ParseOptions(argc, argv);
  std::ostream& out = o.json_only ? std::cerr : std::cout;
  const int32_t today = seg::BenchToday();
  std::vector<std::string> failures;

  // --- The workspace -------------------------------------------------------------------
  const bool temporary = o.db.empty();
  const std::string path = temporary ? (std::filesystem::temp_directory_path() /
                                        ("segments_bench_" + std::to_string(getpid()) + ".db"))
                                           .string()
                                     : o.db;
  struct Cleanup {
    bool remove;
    std::string path;
    ~Cleanup() {
      if (remove) RemoveDatabase(path);
    }
  } cleanup{temporary, path};

  out << "segments benchmark: evaluation day " << engine::FormatDay(today) << ", database " << path
      << "\n";
  if (o.reuse && std::filesystem::exists(path)) {
    out << "reusing the generated workspace in " << path << "\n";
  } else {
    RemoveDatabase(path);
    {
      auto created =
          Must(store::SqliteStore::Open({.path = path, .readers = 1}, store::SqliteMigrations()),
               "create " + path);
      created->Close();
    }
    out << "generating " << o.gen.contacts << " contacts, ~" << o.gen.activities
        << " activities (seed " << o.gen.seed << ")\n";
    seg::Generated g = seg::Generate(path, o.gen, out);
    out << "  " << g.companies << " companies, " << g.contacts << " contacts, " << g.contact_tags
        << " contact tags, " << g.segment_members << " static segment members, " << g.activities
        << " activities (" << g.purchases << " purchases) in " << Fixed(g.seconds, 1) << " s\n";
  }

  std::unique_ptr<seg::Postgres> pg;
  std::string pg_version;
  if (!o.pg.empty()) {
    pg = std::make_unique<seg::Postgres>(o.pg);
    pg_version = pg->ServerVersion();
    out << "loading PostgreSQL " << pg_version << "\n";
    double s = pg->LoadFrom(path, seg::WorkspaceTables(), out);
    out << "  loaded in " << Fixed(s, 1) << " s\n";
  } else {
    out << "PostgreSQL: no server (--pg not given); postgres_ms is null\n";
  }

  auto store =
      Must(store::SqliteStore::Open({.path = path, .readers = 2}, store::SqliteMigrations()),
           "open " + path);
  int64_t n_contacts = 0, n_activities = 0, start_seq = 0, last_activity = 0;
  std::vector<std::pair<int64_t, std::vector<int64_t>>> static_segments;
  segments::Catalog catalog;
  Must(store->Read([&](store::Txn& t) -> Status {
    ASSIGN_OR_RETURN(catalog, segments::LoadCatalog(t, kWs));
    ASSIGN_OR_RETURN(auto row, t.QueryOne("SELECT (SELECT count(*) FROM contacts), "
                                          "(SELECT count(*) FROM activities), "
                                          "(SELECT COALESCE(MAX(seq), 0) FROM change_feed), "
                                          "(SELECT COALESCE(MAX(id), 0) FROM activities)"));
    n_contacts = row->Int(0);
    n_activities = row->Int(1);
    start_seq = row->Int(2);
    last_activity = row->Int(3);
    ASSIGN_OR_RETURN(auto rows, t.Query("SELECT m.segment_id, m.contact_id FROM segment_members m "
                                        "JOIN segments s ON s.id = m.segment_id "
                                        "WHERE s.workspace_id = $1 AND s.kind = 'static' "
                                        "ORDER BY m.segment_id, m.contact_id",
                                        {kWs.value}));
    for (const auto& r : rows) {
      if (static_segments.empty() || static_segments.back().first != r.Int(0)) {
        static_segments.emplace_back(r.Int(0), std::vector<int64_t>{});
      }
      static_segments.back().second.push_back(r.Int(1));
    }
    return Status::Ok();
  }),
       "read the workspace");

  // --- Rules ---------------------------------------------------------------------------
  struct Prepared {
    RuleSpec spec;
    segments::Rule rule;
    segments::SqlPredicate sqlite, postgres;
  };
  std::vector<Prepared> reference;
  for (const RuleSpec& spec : ReferenceRules()) {
    segments::Rule rule = ParseAndCheck(spec.text, catalog);
    auto sqlite = Must(segments::CompileMembersQuery(rule, store::Dialect::kSqlite, kWs, today),
                       "compile " + spec.name + " for SQLite");
    auto postgres = Must(segments::CompileMembersQuery(rule, store::Dialect::kPostgres, kWs, today),
                         "compile " + spec.name + " for PostgreSQL");
    reference.push_back({spec, std::move(rule), std::move(sqlite), std::move(postgres)});
  }
  std::vector<std::string> dynamic_texts = DynamicRules();
  std::vector<segments::Rule> dynamic;
  std::vector<segments::SqlPredicate> dynamic_sql;
  for (const auto& text : dynamic_texts) {
    dynamic.push_back(ParseAndCheck(text, catalog));
    dynamic_sql.push_back(
        Must(segments::CompileMembersQuery(dynamic.back(), store::Dialect::kSqlite, kWs, today),
             "compile " + text));
  }

  // --- The engine ----------------------------------------------------------------------
  malloc_trim(0);
  const int64_t rss_before = RssBytes();
  auto b0 = SteadyClock::now();
  auto engine = Must(engine::Engine::Build(*store, kWs), "engine build");
  const double build_s = Ms(b0, SteadyClock::now()) / 1000;
  // What LiveSegments does after building: the static lists' members for in_segment().
  for (const auto& [id, members] : static_segments) engine->SetSegmentMembers(id, members);
  malloc_trim(0);
  const int64_t rss_delta = RssBytes() - rss_before;
  const engine::EngineStats stats = engine->Stats();
  const double memory_mb = static_cast<double>(stats.memory_bytes) / (1 << 20);
  out << "engine: " << stats.contacts << " contacts, " << stats.activities
      << " activities; built in " << Fixed(build_s, 2) << " s (goal <= " << kGoalBuildS
      << " s: " << Goal(build_s <= kGoalBuildS) << "); memory " << Fixed(memory_mb, 1)
      << " MiB = " << Fixed(static_cast<double>(stats.memory_bytes) / 1e6, 1)
      << " MB (goal <= " << kGoalMemoryMb << " MiB: " << Goal(memory_mb <= kGoalMemoryMb)
      << "), process RSS +" << Fixed(static_cast<double>(rss_delta) / (1 << 20), 1) << " MiB\n";
  if (stats.contacts != n_contacts) {
    failures.push_back("the engine has " + std::to_string(stats.contacts) +
                       " contacts, the store " + std::to_string(n_contacts));
  }

  // --- Reference rules -----------------------------------------------------------------
  out << "evaluating " << reference.size() << " rules: engine " << o.engine_runs << " runs, SQL "
      << o.sql_runs << " runs each (medians)\n";
  std::vector<RuleResult> results;
  for (size_t i = 0; i < reference.size(); ++i) {
    const Prepared& p = reference[i];
    RuleResult res;
    res.name = p.spec.name;
    res.text = p.spec.text;
    std::vector<int64_t> engine_ids =
        Must(engine->Evaluate(p.rule, today), "engine evaluate " + p.spec.name);
    std::vector<double> times;
    for (int r = 0; r < o.engine_runs; ++r) {
      auto t0 = SteadyClock::now();
      auto ids = Must(engine->Evaluate(p.rule, today), "engine evaluate");
      times.push_back(Ms(t0, SteadyClock::now()));
      if (ids.size() != engine_ids.size()) res.disagreements.push_back("engine runs differ");
    }
    res.engine_ms = Median(times);
    times.clear();
    int64_t engine_count = 0;
    for (int r = 0; r < o.engine_runs; ++r) {
      auto t0 = SteadyClock::now();
      engine_count = Must(engine->Count(p.rule, today), "engine count");
      times.push_back(Ms(t0, SteadyClock::now()));
    }
    res.engine_count_ms = Median(times);
    res.count = static_cast<int64_t>(engine_ids.size());
    if (engine_count != res.count) {
      res.disagreements.push_back("engine Count() " + std::to_string(engine_count) +
                                  " vs Evaluate() " + std::to_string(res.count));
    }

    times.clear();
    std::vector<int64_t> sqlite_ids;
    for (int r = 0; r < o.sql_runs; ++r) {
      auto t0 = SteadyClock::now();
      sqlite_ids = SqliteIds(*store, p.sqlite);
      times.push_back(Ms(t0, SteadyClock::now()));
    }
    res.sqlite_ms = Median(times);
    if (auto d = Difference(engine_ids, sqlite_ids); !d.empty()) {
      res.disagreements.push_back("engine vs sqlite: " + d);
    }
    if (pg) {
      times.clear();
      std::vector<int64_t> pg_ids;
      for (int r = 0; r < o.sql_runs; ++r) {
        auto t0 = SteadyClock::now();
        pg_ids = pg->QueryIds(p.postgres.sql, p.postgres.params);
        times.push_back(Ms(t0, SteadyClock::now()));
      }
      res.postgres_ms = Median(times);
      if (auto d = Difference(engine_ids, pg_ids); !d.empty()) {
        res.disagreements.push_back("engine vs postgres: " + d);
      }
      if (auto d = Difference(sqlite_ids, pg_ids); !d.empty()) {
        res.disagreements.push_back("sqlite vs postgres: " + d);
      }
    }
    out << "  " << i + 1 << " " << res.name << ": " << res.count << " members, engine "
        << Fixed(res.engine_ms, 2) << " ms, sqlite " << Fixed(res.sqlite_ms, 1) << " ms"
        << (pg ? ", postgres " + Fixed(res.postgres_ms, 1) + " ms" : "") << "\n";
    out.flush();
    for (const auto& d : res.disagreements) failures.push_back("rule " + res.name + ": " + d);
    results.push_back(std::move(res));
  }

  // --- Incremental updates -------------------------------------------------------------
  FakeClock clock(seg::BenchNowMicros());
  contacts::ContactService contact_service(*store, clock);
  activity::ActivityService activities(*store, clock, contact_service);
  std::mt19937_64 rng(o.gen.seed + 99);
  std::vector<double> commit_us, apply_us, matches_us, total_us;
  int64_t seq = start_seq, matched = 0;
  for (int u = 0; u < o.updates; ++u) {
    const int64_t contact = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(n_contacts));
    activity::ActivityInput in;
    in.contact_id = contact;
    switch (u % 4) {
      case 0:
        in.type = "purchase";
        in.amount =
            activity::Money{u % 8 == 0 ? 10000 : 500 + static_cast<int64_t>(rng() % 30000), "EUR"};
        in.properties = R"({"order":"O-bench"})";
        break;
      case 1:
        in.type = "web_visit";
        in.properties = R"({"page":"/pricing"})";
        break;
      case 2:
        in.type = "email_opened";
        in.properties = R"({"campaign":"newsletter-2026-06"})";
        break;
      default:
        in.type = "ticket_opened";
        in.properties = R"({"ticket":"T-bench","priority":"high"})";
    }
    clock.Advance(1000);
    auto c0 = SteadyClock::now();
    Must(activities.Record(kWs, in), "record an activity");
    commit_us.push_back(Ms(c0, SteadyClock::now()) * 1000);

    Must(store->Read([&](store::Txn& t) -> Status {
      ASSIGN_OR_RETURN(auto changes, store::ReadChanges(t, seq, 1000));
      if (changes.empty()) return Internal("no change-feed row for the new activity");
      auto t0 = SteadyClock::now();
      ASSIGN_OR_RETURN(auto changed, engine->Apply(t, changes));
      auto t1 = SteadyClock::now();
      for (const segments::Rule& rule : dynamic) {
        ASSIGN_OR_RETURN(bool m, engine->Matches(rule, contact, today));
        matched += m ? 1 : 0;
      }
      auto t2 = SteadyClock::now();
      seq = changes.back().seq;
      apply_us.push_back(Ms(t0, t1) * 1000);
      matches_us.push_back(Ms(t1, t2) * 1000);
      total_us.push_back(Ms(t0, t2) * 1000);
      if (std::find(changed.begin(), changed.end(), contact) == changed.end()) {
        failures.push_back("Apply() did not report contact " + std::to_string(contact) +
                           " as changed");
      }
      return Status::Ok();
    }),
         "apply an update");
  }
  // Apply() must have left the engine equal to the store: every dynamic rule in full, on
  // the engine and on SQLite, after all the updates.
  double verify_s = 0;
  if (o.updates > 0) {
    auto v0 = SteadyClock::now();
    for (size_t r = 0; r < dynamic.size(); ++r) {
      auto engine_ids = Must(engine->Evaluate(dynamic[r], today), "engine evaluate");
      if (auto d = Difference(engine_ids, SqliteIds(*store, dynamic_sql[r])); !d.empty()) {
        failures.push_back("after the updates, engine vs sqlite: " + d +
                           " for: " + dynamic_texts[r]);
      }
    }
    verify_s = Ms(v0, SteadyClock::now()) / 1000;
  }
  // Take the phase's writes out again, so a kept database (--db) stays as generated and a
  // --reuse run measures the same data. The generator writes no aggregates.
  if (o.updates > 0) {
    Must(store->Write([&](store::Txn& t) -> Status {
      RETURN_IF_ERROR(t.Exec("DELETE FROM activities WHERE id > $1", {last_activity}).status());
      RETURN_IF_ERROR(t.Exec("DELETE FROM change_feed WHERE seq > $1", {start_seq}).status());
      for (const char* table :
           {"contact_activity_days", "contact_revenue", "contact_channel_touch"}) {
        RETURN_IF_ERROR(t.Exec(std::string("DELETE FROM ") + table).status());
      }
      return Status::Ok();
    }),
         "remove the incremental phase's activities");
  }
  std::sort(total_us.begin(), total_us.end());
  const double incremental_us = Percentile(total_us, 0.5);
  if (o.updates > 0) {
    out << "incremental: " << o.updates << " single activities, " << dynamic.size()
        << " dynamic segments: Apply + Matches median " << Fixed(incremental_us, 1)
        << " us (goal <= " << kGoalIncrementalUs
        << " us: " << Goal(incremental_us <= kGoalIncrementalUs) << "), p99 "
        << Fixed(Percentile(total_us, 0.99), 1) << " us (Apply " << Fixed(Median(apply_us), 1)
        << " us, 100 x Matches " << Fixed(Median(matches_us), 1)
        << " us); the write's commit, not counted: median " << Fixed(Median(commit_us), 0)
        << " us; " << matched << " memberships found; then all " << dynamic.size()
        << " dynamic rules compared in full with SQLite (" << Fixed(verify_s, 1) << " s)\n";
  }

  // --- Report --------------------------------------------------------------------------
  out << "\n";
  char line[512];
  std::snprintf(line, sizeof line, "  %-16s %9s %11s %11s %12s %10s %10s  %s\n", "rule", "count",
                "engine ms", "sqlite ms", "postgres ms", "sqlite/e", "pg/e", "goals");
  out << line;
  bool all_goals = build_s <= kGoalBuildS && memory_mb <= kGoalMemoryMb &&
                   (o.updates == 0 || incremental_us <= kGoalIncrementalUs);
  std::vector<std::string> json_lines;
  for (const RuleResult& r : results) {
    const double sqlite_ratio = r.sqlite_ms / r.engine_ms;
    const double pg_ratio = r.postgres_ms / r.engine_ms;
    const bool engine_met = r.engine_ms <= kGoalEngineMs;
    const bool ratio_met =
        sqlite_ratio >= kGoalRatio && (!std::isfinite(pg_ratio) || pg_ratio >= kGoalRatio);
    all_goals = all_goals && engine_met && ratio_met;
    std::snprintf(line, sizeof line, "  %-16s %9lld %11.3f %11.1f %12s %9.0fx %10s  %s\n",
                  r.name.c_str(), static_cast<long long>(r.count), r.engine_ms, r.sqlite_ms,
                  std::isfinite(r.postgres_ms) ? Fixed(r.postgres_ms, 1).c_str() : "-",
                  sqlite_ratio, std::isfinite(pg_ratio) ? (Fixed(pg_ratio, 0) + "x").c_str() : "-",
                  (std::string("<=20ms ") + (engine_met ? "met" : "NOT met") + ", >=50x " +
                   (ratio_met ? "met" : "NOT met"))
                      .c_str());
    out << line;
    json_lines.push_back(JsonLine()
                             .Str("bench", "segments")
                             .Str("rule", r.name)
                             .Str("text", r.text)
                             .Int("count", r.count)
                             .Num("engine_ms", r.engine_ms, 3)
                             .Num("engine_count_ms", r.engine_count_ms, 3)
                             .Num("sqlite_ms", r.sqlite_ms, 2)
                             .Num("postgres_ms", r.postgres_ms, 2)
                             .Num("sqlite_ratio", sqlite_ratio, 1)
                             .Num("postgres_ratio", pg_ratio, 1)
                             .Bool("agree", r.disagreements.empty())
                             .Bool("engine_goal_met", engine_met)
                             .Bool("ratio_goal_met", ratio_met)
                             .Line());
  }
  out << "  goals: engine <= " << kGoalEngineMs
      << " ms median per rule (one core), >= " << kGoalRatio
      << "x faster than SQLite and than PostgreSQL, memory <= " << kGoalMemoryMb
      << " MiB, build <= " << kGoalBuildS << " s, incremental <= " << kGoalIncrementalUs
      << " us; all " << (all_goals ? "met" : "NOT met")
      << (o.small ? " (at 1/100 scale: the goals are set for the full size)" : "") << "\n";
  out << "  the combined rule omits `churn_risk > 0.7`: no scores exist yet\n";
  out.flush();

  for (const auto& l : json_lines) std::cout << l << "\n";
  const bool updated = !total_us.empty();
  JsonLine summary;
  summary.Str("bench", "segments_summary")
      .Int("contacts", n_contacts)
      .Int("activities", n_activities)
      .Str("day", engine::FormatDay(today))
      .Num("engine_build_s", build_s, 3)
      .Int("engine_memory_bytes", static_cast<int64_t>(stats.memory_bytes))
      .Int("engine_rss_delta_bytes", rss_delta)
      .Int("dynamic_segments", static_cast<int64_t>(dynamic.size()))
      .Int("updates", o.updates)
      .Num("incremental_us", updated ? incremental_us : NAN, 2)
      .Num("incremental_p99_us", updated ? Percentile(total_us, 0.99) : NAN, 2)
      .Num("apply_us", updated ? Median(apply_us) : NAN, 2)
      .Num("matches_us", updated ? Median(matches_us) : NAN, 2)
      .Num("commit_us", updated ? Median(commit_us) : NAN, 1);
  if (pg) {
    summary.Str("postgres", pg_version);
  } else {
    summary.Null("postgres");
  }
  summary.Bool("goals_met", all_goals).Bool("agree", failures.empty());
  std::cout << summary.Line() << "\n";
  std::cout.flush();

  if (!failures.empty()) {
    std::cerr << "segments: the evaluators disagree or the engine failed:\n";
    for (size_t i = 0; i < failures.size() && i < 20; ++i) std::cerr << "  " << failures[i] << "\n";
    if (failures.size() > 20) std::cerr << "  ... and " << failures.size() - 20 << " more\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return RunMain([&] { return Main(argc, argv); });
}
