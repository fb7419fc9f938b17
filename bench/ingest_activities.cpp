// ingest_activities: how fast does a running Rapport server ingest activities through
// POST /api/v1/activities/batch, compared with a plain SQLite program (the "peer") that
// inserts the same activity rows with the same schema and durability settings?
//
//   ingest_activities --url http://127.0.0.1:PORT [--activities 5000000] [--contacts 200000]
//                     [--connections 4] [--batch 5000] [--seed 1] [--years 5]
//                     [--hot-activities 10000] [--no-client-ids] [--peer-db /tmp/x.db]
//                     [--peer-txn 100000] [--no-peer | --peer-only] [--api-key KEY] [--json]
//
// Setup (untimed): --contacts contacts (names from rapport_demo) are created through
// POST /api/v1/contacts/batch; every activity batch body is serialised. Then (timed)
// --connections keep-alive connections (one thread each, synchronous Beast) take the next
// batch and POST it until none is left; every item of every response must be 201. Then
// (untimed) one more contact gets --hot-activities activities, for the read benchmarks
// (wrk on its overview and timeline; see run_ingest_activities.sh).
//
// The workload (seeded; the same on every machine, relative to the wall clock at start):
// activities over --years years, more of them recently; contacts drawn with a heavy-tailed
// popularity; email sends/opens/clicks/bounces, web visits, tickets, chats, calls, and
// purchases whose frequency per contact is heavy-tailed (most contacts never buy, a few buy
// very often) with log-normal amounts in the contact's currency, plus a few refunds.
//
// The peer: a fresh SQLite database migrated with the server's own migrations, WAL and
// synchronous=FULL (the server's pragmas), the same contacts pre-created (untimed); then
// transactions of --peer-txn rows with one prepared INSERT into `activities` per activity
// (the activities table only, with its indexes). See bench/README.md.
#include <sqlite3.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_common.h"
#include "demo/generator.h"

namespace {

using namespace bench;

constexpr std::string_view kUsage =
    "usage: ingest_activities --url http://HOST:PORT [--activities N] [--contacts N]\n"
    "                         [--connections N] [--batch N] [--seed N] [--years N]\n"
    "                         [--hot-activities N] [--no-client-ids] [--peer-db PATH]\n"
    "                         [--peer-txn N] [--no-peer | --peer-only] [--api-key KEY] [--json]\n";

constexpr int64_t kMicrosPerDay = 86'400'000'000;

struct Options : CommonOptions {
  int64_t activities = 5'000'000;
  int64_t contacts = 200'000;
  int connections = 4;
  int batch = 5000;
  uint64_t seed = 1;
  int years = 5;
  int64_t hot_activities = 10'000;
  bool client_ids = true;
  int64_t peer_txn = 100'000;
};

Options ParseOptions(int argc, char** argv) {
  Options o;
  ParseCommonOptions(argc, argv, &o, [&](const std::string& flag, const auto& value) {
    if (flag == "--activities") {
      o.activities = ParseInt(flag, value(), 1, 1'000'000'000);
    } else if (flag == "--contacts") {
      o.contacts = ParseInt(flag, value(), 1, 100'000'000);
    } else if (flag == "--connections") {
      o.connections = static_cast<int>(ParseInt(flag, value(), 1, 1024));
    } else if (flag == "--batch") {
      o.batch = static_cast<int>(ParseInt(flag, value(), 1, 10000));
    } else if (flag == "--seed") {
      o.seed = static_cast<uint64_t>(ParseInt(flag, value(), 0, INT64_MAX));
    } else if (flag == "--years") {
      o.years = static_cast<int>(ParseInt(flag, value(), 1, 100));
    } else if (flag == "--hot-activities") {
      o.hot_activities = ParseInt(flag, value(), 0, 10'000'000);
    } else if (flag == "--no-client-ids") {
      o.client_ids = false;
    } else if (flag == "--peer-txn") {
      o.peer_txn = ParseInt(flag, value(), 1, 1'000'000'000);
    } else {
      return false;
    }
    return true;
  });
  return o;
}

// ---------------------------------------------------------------------------------------
// Workload

enum Type : uint8_t {
  kEmailSent,
  kEmailOpened,
  kEmailClicked,
  kEmailBounced,
  kUnsubscribed,
  kWebVisit,
  kTicketOpened,
  kTicketClosed,
  kChat,
  kCall,
  kPurchase,
  kRefund,
  kTypeCount
};
constexpr const char* kTypeNames[kTypeCount] = {
    "email_sent",    "email_opened",  "email_clicked", "email_bounced", "unsubscribed", "web_visit",
    "ticket_opened", "ticket_closed", "chat",          "call",          "purchase",     "refund"};
// The server's default channel for each type (purchases and refunds send theirs).
constexpr const char* kDefaultChannel[kTypeCount] = {"email", "email", "email",   "email",
                                                     "email", "web",   "support", "support",
                                                     "chat",  "phone", "other",   "other"};
// Relative weights of the non-purchase types, per mille.
constexpr int kTouchWeights[kPurchase] = {390, 190, 60, 10, 5, 260, 30, 28, 17, 10};
constexpr const char* kCurrencies[] = {"EUR", "USD", "GBP"};

struct Activity {
  int64_t occurred_at = 0;  // micros since the epoch
  int64_t amount = 0;       // minor units, as sent (refunds positive; stored negative)
  int32_t contact = 0;      // index into the contacts
  int32_t param = 0;        // campaign / page / order / ticket number for the properties
  uint8_t type = 0;
  uint8_t currency = 0;
  bool store_channel = false;  // purchases and refunds: "store" (else "web")
};

struct Workload {
  std::vector<rapport::demo::DemoContact> contacts;
  std::vector<Activity> activities;
  int64_t now = 0;  // micros; every occurred_at is before it
};

// Deterministic helpers over mt19937_64 (no std::*_distribution: their output is not fixed).
class Random {
 public:
  explicit Random(uint64_t seed) : rng_(seed) {}
  double Unit() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }  // [0, 1)
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>(Unit() * static_cast<double>(n)); }
  double Normal() {  // Box-Muller
    double u1 = 1.0 - Unit(), u2 = Unit();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.141592653589793 * u2);
  }

 private:
  std::mt19937_64 rng_;
};

// Contact traits: how much they buy (heavy tail: most never, a few very often) and their
// currency.
struct ContactTraits {
  double buy_rate = 0;  // probability that an activity of theirs is a purchase
  uint8_t currency = 0;
};

// The contacts are shuffled by a fixed permutation so that popularity does not follow ids.
size_t Scatter(size_t i, size_t n) { return static_cast<size_t>((i * 2654435761ULL) % n); }

// The same data for the same seed: contacts, their traits, then the activities.
Workload Generate(const Options& o, std::vector<ContactTraits>* traits_out) {
  Workload w;
  w.now = NowMicros() - 60'000'000;  // a minute of slack for clock differences
  rapport::demo::DemoGenerator gen(o.seed);
  w.contacts.reserve(o.contacts);
  for (int64_t i = 0; i < o.contacts; ++i) w.contacts.push_back(gen.NextContact(0));

  Random r(o.seed * 7919 + 17);
  std::vector<ContactTraits> traits(o.contacts);
  for (auto& t : traits) {
    double u = r.Unit();
    t.currency = u < 0.80 ? 0 : u < 0.95 ? 1 : 2;
    // 65% never buy; the rest with a Pareto(1.2) propensity, capped at half their activity.
    if (r.Unit() >= 0.65) t.buy_rate = std::min(0.5, 0.02 * std::pow(1.0 - r.Unit(), -1.0 / 1.2));
  }
  // Scatter() is a permutation: its multiplier is a prime larger than any contact count.
  const size_t n = static_cast<size_t>(o.contacts);
  const int64_t span = static_cast<int64_t>(o.years) * 365 * kMicrosPerDay;
  int touch_total = 0;
  for (int x : kTouchWeights) touch_total += x;
  w.activities.resize(o.activities);
  for (auto& a : w.activities) {
    // Heavy-tailed popularity: the index is n * u^2 (dense near 0), then scattered.
    double u = r.Unit();
    size_t rank = std::min(n - 1, static_cast<size_t>(static_cast<double>(n) * u * u));
    a.contact = static_cast<int32_t>(n == 1 ? 0 : Scatter(rank, n));
    const ContactTraits& t = traits[a.contact];
    // More activity recently: age = span * v^1.6.
    a.occurred_at = w.now -
                    static_cast<int64_t>(static_cast<double>(span) * std::pow(r.Unit(), 1.6)) -
                    static_cast<int64_t>(r.Below(1000)) * 1000;
    a.param = static_cast<int32_t>(r.Below(100000));
    a.currency = t.currency;
    if (r.Unit() < t.buy_rate) {
      // 4% of purchases come back as refunds.
      a.type = r.Unit() < 0.04 ? kRefund : kPurchase;
      // Log-normal amounts in minor units: median ~40.00, a long tail; prices end in .99.
      a.amount = std::max<int64_t>(
          99, static_cast<int64_t>(std::exp(8.3 + 1.1 * r.Normal())) / 100 * 100 + 99);
      a.store_channel = r.Unit() < 0.3;
    } else {
      int pick = static_cast<int>(r.Below(touch_total));
      int type = 0;
      while (pick >= kTouchWeights[type]) pick -= kTouchWeights[type++];
      a.type = static_cast<uint8_t>(type);
    }
  }
  if (traits_out) *traits_out = std::move(traits);
  return w;
}

// The activity's channel as the server stores it.
const char* ChannelOf(const Activity& a) {
  if (a.type == kPurchase || a.type == kRefund) return a.store_channel ? "store" : "web";
  return kDefaultChannel[a.type];
}

// The properties object as JSON text.
void AppendProperties(std::string& out, const Activity& a) {
  switch (a.type) {
    case kEmailSent:
    case kEmailOpened:
    case kEmailClicked:
    case kEmailBounced:
    case kUnsubscribed:
      out += "{\"campaign\":\"c";
      out += std::to_string(a.param % 400);
      out += "\"}";
      break;
    case kWebVisit:
      out += "{\"path\":\"/products/";
      out += std::to_string(a.param);
      out += "\"}";
      break;
    case kTicketOpened:
    case kTicketClosed:
      out += "{\"ticket\":\"T-";
      out += std::to_string(a.param);
      out += "\"}";
      break;
    case kPurchase:
    case kRefund:
      out += "{\"order\":\"o-";
      out += std::to_string(a.param);
      out += "\"}";
      break;
    case kCall:
      out += "{\"duration_seconds\":";
      out += std::to_string(a.param % 1800);
      out += ",\"outcome\":\"connected\"}";
      break;
    default:
      out += "{}";
  }
}

std::string FormatTimestamp(int64_t micros) {
  using namespace std::chrono;
  auto tp = sys_time<microseconds>{microseconds{micros}};
  auto day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss<microseconds> hms{tp - day};
  char buf[48];
  std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02lld.%06ldZ", static_cast<int>(ymd.year()),
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
      static_cast<long long>(hms.seconds().count()), static_cast<long>(hms.subseconds().count()));
  return buf;
}

std::string ClientId(const Options& o, size_t i) {
  return "b" + std::to_string(o.seed) + "-" + std::to_string(i);
}

// One activity as JSON (all strings are ASCII without quotes or backslashes).
void AppendActivityJson(std::string& out, const Options& o, const Activity& a, size_t index,
                        int64_t contact_id, bool client_id) {
  out += '{';
  if (client_id) {
    out += "\"id\":\"";
    out += ClientId(o, index);
    out += "\",";
  }
  out += "\"contact_id\":";
  out += std::to_string(contact_id);
  out += ",\"type\":\"";
  out += kTypeNames[a.type];
  out += "\",\"occurred_at\":\"";
  out += FormatTimestamp(a.occurred_at);
  out += '"';
  if (a.type == kPurchase || a.type == kRefund) {
    out += ",\"channel\":\"";
    out += ChannelOf(a);
    out += "\",\"amount\":{\"value\":";
    out += std::to_string(a.amount);
    out += ",\"currency\":\"";
    out += kCurrencies[a.currency];
    out += "\"}";
  }
  out += ",\"source\":\"bench\",\"properties\":";
  AppendProperties(out, a);
  out += '}';
}

// ---------------------------------------------------------------------------------------
// HTTP

// Creates the contacts through POST /api/v1/contacts/batch (untimed); returns their ids.
std::vector<int64_t> CreateContacts(const Options& o, const Workload& w) {
  std::vector<std::string> bodies;
  std::vector<size_t> sizes;
  for (size_t begin = 0; begin < w.contacts.size(); begin += 1000) {
    size_t end = std::min(w.contacts.size(), begin + 1000);
    json::array items;
    for (size_t i = begin; i < end; ++i) {
      const auto& c = w.contacts[i];
      items.push_back(json::object{{"email", c.email},
                                   {"first_name", c.first_name},
                                   {"last_name", c.last_name},
                                   {"lifecycle_stage", c.lifecycle_stage},
                                   {"source", "bench"}});
    }
    bodies.push_back(json::serialize(json::object{{"contacts", std::move(items)}}));
    sizes.push_back(end - begin);
  }
  IngestResult r =
      PostAll(o, o.connections, "/api/v1/contacts/batch", bodies, sizes, 201, true, "items");
  if (r.failed != 0 || !r.errors.empty() || r.items.size() != w.contacts.size()) {
    std::string message = "creating the contacts failed:";
    for (const auto& e : r.errors) message += "\n  " + e;
    throw std::runtime_error(message);
  }
  std::vector<int64_t> ids;
  ids.reserve(r.items.size());
  for (const auto& item : r.items) ids.push_back(item.at("id").to_number<int64_t>());
  return ids;
}

// A contact with `count` activities for the read benchmarks (untimed). Returns its id.
int64_t CreateHotContact(const Options& o, int64_t now) {
  Connection conn(o);
  std::string email =
      "hot-" + std::to_string(o.seed) + "-" + std::to_string(now) + "@bench.example";
  auto res = conn.Send(http::verb::post, "/api/v1/contacts",
                       json::serialize(json::object{{"email", email}, {"first_name", "Hot"}}));
  if (res.result_int() != 201) {
    throw std::runtime_error("POST /api/v1/contacts answered " + std::to_string(res.result_int()) +
                             ": " + Excerpt(res.body()));
  }
  const int64_t id = json::parse(res.body()).at("id").to_number<int64_t>();
  Options hot = o;
  hot.contacts = 1;
  hot.activities = o.hot_activities;
  hot.seed = o.seed + 1;
  Workload w = Generate(hot, nullptr);
  // Make this contact a buyer: every 8th activity a purchase in EUR.
  for (size_t i = 0; i < w.activities.size(); i += 8) {
    w.activities[i].type = kPurchase;
    w.activities[i].amount = 1999 + static_cast<int64_t>(i % 50) * 100;
  }
  for (size_t begin = 0; begin < w.activities.size(); begin += 5000) {
    size_t end = std::min(w.activities.size(), begin + 5000);
    std::string body = "{\"activities\":[";
    for (size_t i = begin; i < end; ++i) {
      if (i != begin) body += ',';
      AppendActivityJson(body, hot, w.activities[i], i, id, false);
    }
    body += "]}";
    auto r = conn.Send(http::verb::post, "/api/v1/activities/batch", std::move(body));
    auto parsed = json::parse(r.body());
    if (r.result_int() != 200 ||
        parsed.at("created").to_number<int64_t>() != static_cast<int64_t>(end - begin)) {
      throw std::runtime_error("hot contact batch: HTTP " + std::to_string(r.result_int()) + ": " +
                               Excerpt(r.body()));
    }
  }
  return id;
}

// ---------------------------------------------------------------------------------------
// The peer: plain SQLite.

void BindText(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

// Waits until the server has folded every activity into its aggregates (its
// rapport_activities_unfolded gauge reads 0; see activity/folder.h); returns the seconds
// waited.
double WaitForFold(const Options& o) {
  auto t0 = SteadyClock::now();
  Connection conn(o);
  for (;;) {
    auto r = conn.Send(http::verb::get, "/metrics", "");
    if (r.result_int() != 200)
      throw std::runtime_error("GET /metrics: HTTP " + std::to_string(r.result_int()));
    const std::string& text = r.body();
    const std::string_view name = "\nrapport_activities_unfolded ";
    size_t at = text.find(name);
    if (at == std::string::npos || std::strtod(text.c_str() + at + name.size(), nullptr) == 0)
      break;
    if (SteadyClock::now() - t0 > std::chrono::minutes(10))
      throw std::runtime_error("the server did not fold its activities within 10 minutes");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// Returns the seconds from the first BEGIN to the end of the last COMMIT.
double RunPeer(const Options& o, const std::string& path, const Workload& w) {
  RemoveDatabase(path);
  Sqlite db(path);
  SetUpPeerSchema(db);

  // Untimed: the contacts the activities refer to.
  const int64_t setup_at = NowMicros();
  std::vector<int64_t> contact_ids;
  contact_ids.reserve(w.contacts.size());
  db.Exec("BEGIN");
  {
    sqlite3_stmt* contact = db.Prepare(
        "INSERT INTO contacts (workspace_id, email, first_name, last_name, lifecycle_stage, "
        "source, created_at, updated_at) VALUES (1, ?1, ?2, ?3, ?4, 'bench', ?5, ?5)");
    for (const auto& c : w.contacts) {
      BindText(contact, 1, c.email);
      BindText(contact, 2, c.first_name);
      BindText(contact, 3, c.last_name);
      BindText(contact, 4, c.lifecycle_stage);
      sqlite3_bind_int64(contact, 5, setup_at);
      db.Run(contact);
      contact_ids.push_back(db.LastId());
    }
  }
  db.Exec("COMMIT");

  sqlite3_stmt* insert = db.Prepare(
      "INSERT INTO activities (workspace_id, contact_id, company_id, type, channel, occurred_at, "
      "amount, currency, properties, source, author_id, client_id, recorded_at) "
      "VALUES (1, ?1, NULL, ?2, ?3, ?4, ?5, ?6, ?7, 'bench', NULL, ?8, ?9)");
  std::string properties, client_id;
  auto t0 = SteadyClock::now();
  int64_t in_txn = 0;
  db.Exec("BEGIN");
  for (size_t i = 0; i < w.activities.size(); ++i) {
    const Activity& a = w.activities[i];
    sqlite3_bind_int64(insert, 1, contact_ids[a.contact]);
    sqlite3_bind_text(insert, 2, kTypeNames[a.type], -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 3, ChannelOf(a), -1, SQLITE_STATIC);
    sqlite3_bind_int64(insert, 4, a.occurred_at);
    if (a.type == kPurchase || a.type == kRefund) {
      sqlite3_bind_int64(insert, 5, a.type == kRefund ? -a.amount : a.amount);
      sqlite3_bind_text(insert, 6, kCurrencies[a.currency], -1, SQLITE_STATIC);
    } else {
      sqlite3_bind_null(insert, 5);
      sqlite3_bind_null(insert, 6);
    }
    properties.clear();
    AppendProperties(properties, a);
    BindText(insert, 7, properties);
    if (o.client_ids) {
      client_id = ClientId(o, i);
      BindText(insert, 8, client_id);
    } else {
      sqlite3_bind_null(insert, 8);
    }
    sqlite3_bind_int64(insert, 9, NowMicros());
    db.Run(insert);
    if (++in_txn == o.peer_txn) {
      db.Exec("COMMIT");
      db.Exec("BEGIN");
      in_txn = 0;
    }
  }
  db.Exec("COMMIT");
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

double RunPeerDatabase(const Options& o, const Workload& w) {
  return WithPeerDatabase(o.peer_db, [&](const std::string& path) { return RunPeer(o, path, w); });
}

// ---------------------------------------------------------------------------------------
// Report

// The width of the label column of the results table.
constexpr int kLabelWidth = 40;

void PrintMix(const Workload& w, std::ostream& out) {
  std::vector<int64_t> by_type(kTypeCount, 0);
  std::vector<int64_t> per_contact(w.contacts.size(), 0);
  for (const auto& a : w.activities) {
    ++by_type[a.type];
    ++per_contact[a.contact];
  }
  out << "  mix:";
  for (int t = 0; t < kTypeCount; ++t) {
    out << " " << kTypeNames[t] << " "
        << Fixed(100.0 * static_cast<double>(by_type[t]) /
                     static_cast<double>(std::max<size_t>(1, w.activities.size())),
                 1)
        << "%";
  }
  std::sort(per_contact.begin(), per_contact.end());
  out << "\n  activities per contact: median " << per_contact[per_contact.size() / 2] << ", p99 "
      << per_contact[static_cast<size_t>(0.99 * static_cast<double>(per_contact.size() - 1))]
      << ", max " << per_contact.back() << "\n";
}

int Main(int argc, char** argv) {
  const Options o = ParseOptions(argc, argv);
  std::ostream& out = o.json_only ? std::cerr : std::cout;
  const int64_t n = o.activities;

  auto g0 = SteadyClock::now();
  Workload w = Generate(o, nullptr);
  out << "ingest_activities: " << n << " activities over " << w.contacts.size() << " contacts, "
      << o.years << " years, batch " << o.batch << ", " << o.connections << " connections, seed "
      << o.seed << (o.client_ids ? ", with client ids" : ", no client ids") << "\n";
  PrintMix(w, out);
  out.flush();

  if (o.peer_only) {
    const double seconds = RunPeerDatabase(o, w);
    const double per_s = static_cast<double>(n) / seconds;
    out << "  sqlite peer: " << n << " rows in " << Fixed(seconds, 3) << " s = " << Fixed(per_s, 0)
        << " /s\n";
    out.flush();
    std::cout << "{\"bench\":\"ingest_activities\",\"activities\":" << n
              << ",\"contacts\":" << w.contacts.size()
              << ",\"rapport_per_s\":null,\"sqlite_per_s\":" << JsonNumber(per_s, 1)
              << ",\"ratio\":null}" << std::endl;
    return 0;
  }

  auto c0 = SteadyClock::now();
  std::vector<int64_t> contact_ids = CreateContacts(o, w);
  const double contacts_seconds = std::chrono::duration<double>(SteadyClock::now() - c0).count();

  // Serialise every batch before the clock starts.
  std::vector<std::string> bodies;
  std::vector<size_t> batch_sizes;
  for (size_t begin = 0; begin < w.activities.size(); begin += o.batch) {
    size_t end = std::min(w.activities.size(), begin + static_cast<size_t>(o.batch));
    std::string body = "{\"activities\":[";
    body.reserve(static_cast<size_t>(o.batch) * 230);
    for (size_t i = begin; i < end; ++i) {
      if (i != begin) body += ',';
      AppendActivityJson(body, o, w.activities[i], i, contact_ids[w.activities[i].contact],
                         o.client_ids);
    }
    body += "]}";
    bodies.push_back(std::move(body));
    batch_sizes.push_back(end - begin);
  }
  size_t bytes = 0;
  for (const auto& b : bodies) bytes += b.size();
  out << "  setup: generated in " << Fixed(std::chrono::duration<double>(c0 - g0).count(), 1)
      << " s, " << w.contacts.size() << " contacts created in " << Fixed(contacts_seconds, 1)
      << " s, " << bodies.size() << " request bodies ("
      << Fixed(static_cast<double>(bytes) / 1e6, 0) << " MB)\n";
  out.flush();

  IngestResult r = PostAll(o, o.connections, "/api/v1/activities/batch", bodies, batch_sizes, 201,
                           false, "items");
  bodies.clear();
  bodies.shrink_to_fit();
  const double rapport_per_s = static_cast<double>(r.ok) / r.seconds;
  const bool ok = r.failed == 0 && r.errors.empty() && r.ok == n;
  // What the server still folds after the last acknowledgement, timed, so that the peer
  // (and the read benchmarks) run on a quiet machine.
  const double fold_seconds = ok ? WaitForFold(o) : 0;
  const double folded_per_s = static_cast<double>(r.ok) / (r.seconds + fold_seconds);

  std::optional<int64_t> hot_id;
  if (ok && o.hot_activities > 0) {
    hot_id = CreateHotContact(o, w.now);
    WaitForFold(o);
  }

  std::optional<double> peer_seconds;
  if (o.peer && ok) peer_seconds = RunPeerDatabase(o, w);
  std::optional<double> sqlite_per_s;
  if (peer_seconds) sqlite_per_s = static_cast<double>(n) / *peer_seconds;

  PrintTableHeader(out, kLabelWidth, "activities", "activities/s");
  PrintTableRow(out, kLabelWidth, "rapport  POST /api/v1/activities/batch",
                static_cast<long long>(r.ok), r.seconds, rapport_per_s);
  PrintTableRow(out, kLabelWidth, "rapport  ... and all folded", static_cast<long long>(r.ok),
                r.seconds + fold_seconds, folded_per_s);
  if (peer_seconds) {
    PrintTableRow(out, kLabelWidth, "sqlite   peer, txn of " + std::to_string(o.peer_txn) + " rows",
                  static_cast<long long>(n), *peer_seconds, *sqlite_per_s);
    PrintRatioRow(out, kLabelWidth, rapport_per_s / *sqlite_per_s);
    out << "  ratio with the fold: " << Fixed(folded_per_s / *sqlite_per_s, 3) << "\n";
  } else if (o.peer) {
    out << "  sqlite   peer skipped: the rapport run failed\n";
  }
  out << "  goal: >= 200000 activities/s acknowledged: "
      << (rapport_per_s >= 200000 ? "met" : "not met") << "\n";
  PrintRoundTrip(out, r.batch_ms);
  if (hot_id) {
    out << "  hot contact " << *hot_id << ": " << o.hot_activities << " activities (untimed)\n";
  }
  if (!ok) {
    out << "  FAILED: " << n - r.ok << " of " << n << " activities were not created\n";
    for (const auto& e : r.errors) out << "    " << e << "\n";
  }
  out.flush();

  std::string summary =
      "{\"bench\":\"ingest_activities\",\"activities\":" + std::to_string(n) +
      ",\"contacts\":" + std::to_string(w.contacts.size()) +
      ",\"connections\":" + std::to_string(o.connections) +
      ",\"batch\":" + std::to_string(o.batch) +
      ",\"rapport_per_s\":" + JsonNumber(rapport_per_s, 1) +
      ",\"sqlite_per_s\":" + (sqlite_per_s ? JsonNumber(*sqlite_per_s, 1) : "null") +
      ",\"ratio\":" + (sqlite_per_s ? JsonNumber(rapport_per_s / *sqlite_per_s, 3) : "null") +
      ",\"fold_s\":" + JsonNumber(fold_seconds, 2) +
      ",\"folded_ratio\":" + (sqlite_per_s ? JsonNumber(folded_per_s / *sqlite_per_s, 3) : "null") +
      ",\"batch_p99_ms\":" + JsonNumber(Percentile(r.batch_ms, 0.99), 1) +
      ",\"hot_contact_id\":" + (hot_id ? std::to_string(*hot_id) : "null") + "}";
  std::cout << summary << std::endl;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  SetProgram("ingest_activities", kUsage);
  return RunMain([&] { return Main(argc, argv); });
}
