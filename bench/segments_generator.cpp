#include "segments_generator.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <span>
#include <string_view>

#include "bench_common.h"
#include "demo/generator.h"
#include "engine/values.h"

namespace bench::seg {

namespace {

constexpr int64_t kDay = 86'400'000'000;
constexpr int64_t kHour = 3'600'000'000;

// Uniform doubles and the few distributions the workload needs, all from one mt19937_64 so
// a seed gives the same workspace everywhere (libstdc++'s distributions are not portable).
class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  double U() { return static_cast<double>(g_() >> 11) * 0x1.0p-53; }
  uint64_t Below(uint64_t n) { return g_() % n; }
  bool P(double p) { return U() < p; }
  double Normal() {
    double u1 = 1.0 - U(), u2 = U();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // Pareto with minimum 1: heavy tail, mean alpha / (alpha - 1).
  double Pareto(double alpha) { return std::pow(1.0 - U(), -1.0 / alpha); }

 private:
  std::mt19937_64 g_;
};

template <typename T>
struct Weighted {
  T value;
  int weight;
};

template <typename T, size_t N>
const T& PickWeighted(Rng& rng, const std::array<Weighted<T>, N>& items) {
  int total = 0;
  for (const auto& i : items) total += i.weight;
  int r = static_cast<int>(rng.Below(static_cast<uint64_t>(total)));
  for (const auto& i : items) {
    if (r < i.weight) return i.value;
    r -= i.weight;
  }
  return items.back().value;
}

constexpr std::array<const char*, 50> kTags = {
    "vip",          "newsletter",      "beta-tester",   "wholesale",        "partner",
    "event-2025",   "webinar",         "trial",         "enterprise",       "smb",
    "churn-risk",   "high-value",      "early-adopter", "referral",         "influencer",
    "press",        "investor",        "student",       "nonprofit",        "government",
    "reseller",     "affiliate",       "ambassador",    "survey-responder", "support-priority",
    "do-not-call",  "gdpr-consent",    "loyalty-gold",  "loyalty-silver",   "loyalty-bronze",
    "black-friday", "holiday-shopper", "mobile-app",    "desktop",          "api-user",
    "integrations", "onboarding",      "upsell",        "cross-sell",       "winback",
    "lapsed",       "reactivated",     "birthday-club", "sms-opt-in",       "whatsapp",
    "instagram",    "linkedin",        "trade-show",    "cold-lead",        "warm-lead"};

// Countries of contacts without a company (those at a company take the company's).
constexpr std::array<Weighted<const char*>, 15> kCountries = {{{"US", 20},
                                                               {"GB", 10},
                                                               {"DE", 9},
                                                               {"FR", 7},
                                                               {"NZ", 6},
                                                               {"AU", 7},
                                                               {"CA", 6},
                                                               {"NL", 4},
                                                               {"ES", 5},
                                                               {"IT", 5},
                                                               {"SE", 3},
                                                               {"JP", 4},
                                                               {"BR", 5},
                                                               {"IN", 6},
                                                               {"MX", 3}}};

constexpr std::array<Weighted<const char*>, 4> kBuyerStages = {
    {{"customer", 70}, {"advocate", 12}, {"at_risk", 10}, {"churned", 8}}};
constexpr std::array<Weighted<const char*>, 3> kPlans = {
    {{"free", 70}, {"pro", 25}, {"enterprise", 5}}};
constexpr std::array<Weighted<const char*>, 12> kPages = {{{"/", 30},
                                                           {"/pricing", 8},
                                                           {"/features", 10},
                                                           {"/blog/segments-101", 6},
                                                           {"/blog/loyalty", 5},
                                                           {"/blog/release-notes", 8},
                                                           {"/docs/getting-started", 6},
                                                           {"/docs/api", 4},
                                                           {"/contact", 3},
                                                           {"/checkout", 4},
                                                           {"/account", 12},
                                                           {"/careers", 1}}};
constexpr std::array<const char*, 4> kRegions = {"EMEA", "AMER", "APAC", "LATAM"};
// Round purchase amounts (minor units): a share of purchases are exactly these, so sums
// land exactly on thresholds such as 200.00.
constexpr std::array<int64_t, 6> kRoundAmounts = {1000, 2000, 2500, 5000, 10000, 20000};

enum Type : uint8_t {
  kEmailSent,
  kEmailOpened,
  kEmailClicked,
  kWebVisit,
  kTicketOpened,
  kTicketClosed,
  kChat,
  kPurchase,
  kRefund,
  kTypeCount
};
constexpr const char* kTypeNames[kTypeCount] = {"email_sent", "email_opened",  "email_clicked",
                                                "web_visit",  "ticket_opened", "ticket_closed",
                                                "chat",       "purchase",      "refund"};

struct Act {
  int64_t at = 0;
  int64_t amount = 0;
  int32_t param = 0;  // page index, ticket number, order number
  uint8_t type = 0;
  uint8_t flag = 0;  // purchases: 1 = in store; tickets: priority
};

// Per-contact behaviour drawn once and used by the activity pass.
struct Profile {
  int32_t created_day = 0;
  int32_t active_until = 0;  // lapsed contacts stop before today
  float buy_share = 0;       // 0 for contacts who never buy
  float open_rate = 0;
  float web_share = 0;
  uint32_t count = 0;
  uint8_t boundary = 0;  // 1: exactly 200.00 spent in the last 90 days; 2: 200.01
};

void Progress(std::ostream& log, const char* what, int64_t done, int64_t total,
              SteadyClock::time_point t0) {
  double s = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  log << "  " << what << ": " << done << " / " << total << " (" << Fixed(s, 1) << " s)\n";
  log.flush();
}

std::string DayText(int32_t day) { return rapport::engine::FormatDay(day); }

}  // namespace

int32_t BenchToday() { return rapport::engine::DaysFromCivil(2026, 6, 30); }
int64_t BenchNowMicros() { return BenchToday() * kDay + 12 * kHour; }

const std::vector<BenchIndex>& BenchIndexes() {
  // The SQL compiler turns an activity condition into `c.id IN (SELECT a.contact_id FROM
  // activities a WHERE workspace, type, time range [, filters] GROUP BY a.contact_id
  // HAVING ...)`: this index answers it without touching the table, except for property
  // filters. Tags and segment members are served by their primary keys.
  static const std::vector<BenchIndex> kIndexes = {
      {"bench_activities_type_time",
       "CREATE INDEX bench_activities_type_time ON activities "
       "(workspace_id, type, occurred_at, contact_id, amount)"},
      {"bench_contacts_stage",
       "CREATE INDEX bench_contacts_stage ON contacts (workspace_id, lifecycle_stage)"},
  };
  return kIndexes;
}

const std::vector<std::string>& WorkspaceTables() {
  static const std::vector<std::string> kTables = {
      "workspaces",    "companies",      "contacts",   "tags",     "contact_tags",   "company_tags",
      "custom_fields", "activity_types", "activities", "segments", "segment_members"};
  return kTables;
}

Generated Generate(const std::string& path, const GeneratorOptions& o, std::ostream& log) {
  auto t0 = SteadyClock::now();
  Generated g;
  Rng rng(o.seed * 0x9e3779b97f4a7c15ULL + 17);
  rapport::demo::DemoGenerator demo(o.seed);
  const int32_t today = BenchToday();
  const int64_t now = BenchNowMicros();
  const int32_t span = o.years * 365;

  Sqlite db(path);
  // Bench data only: nothing to protect from a crash, and WAL would copy every page once
  // more. The store sets its own pragmas again when it opens the file.
  db.Exec(
      "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; "
      "PRAGMA cache_size=-1048576; PRAGMA foreign_keys=OFF; PRAGMA temp_store=MEMORY;");

  // The indexes of the big tables are rebuilt after the load: one sort is much cheaper than
  // millions of random inserts into each B-tree. activities_unfolded (contact, id; filled by
  // a trigger, folded by the server) is a table: activities are written contact by contact,
  // so its inserts only append.
  std::vector<std::string> big_indexes;
  {
    sqlite3_stmt* s = db.Prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND "
        "tbl_name IN ('activities', 'contacts')");
    std::vector<std::string> names;
    while (sqlite3_step(s) == SQLITE_ROW) {
      names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
      big_indexes.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 1)));
    }
    sqlite3_reset(s);
    for (const auto& n : names) db.Exec("DROP INDEX " + n);
  }

  db.Exec("BEGIN");
  const int64_t created_base = now - static_cast<int64_t>(span) * kDay;

  // Custom field definitions: the rules compare `country`, `loyalty_points`, `signup_date`.
  {
    sqlite3_stmt* s = db.Prepare(
        "INSERT INTO custom_fields (workspace_id, entity, key, label, type, options, required, "
        "created_at, updated_at) VALUES (1, ?1, ?2, ?3, ?4, ?5, 0, ?6, ?6)");
    struct Def {
      const char *entity, *key, *label, *type, *options;
    };
    const Def defs[] = {
        {"contact", "country", "Country", "text", nullptr},
        {"contact", "loyalty_points", "Loyalty points", "number", nullptr},
        {"contact", "signup_date", "Signed up", "date", nullptr},
        {"contact", "newsletter_opt_in", "Newsletter opt-in", "boolean", nullptr},
        {"contact", "plan", "Plan", "enum", "[\"free\",\"pro\",\"enterprise\"]"},
        {"company", "region", "Region", "text", nullptr},
    };
    for (const Def& d : defs) {
      sqlite3_bind_text(s, 1, d.entity, -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 2, d.key, -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 3, d.label, -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 4, d.type, -1, SQLITE_STATIC);
      if (d.options) {
        sqlite3_bind_text(s, 5, d.options, -1, SQLITE_STATIC);
      } else {
        sqlite3_bind_null(s, 5);
      }
      sqlite3_bind_int64(s, 6, created_base);
      db.Run(s);
    }
  }

  {
    sqlite3_stmt* s =
        db.Prepare("INSERT INTO tags (id, workspace_id, name, created_at) VALUES (?1, 1, ?2, ?3)");
    for (size_t i = 0; i < kTags.size(); ++i) {
      sqlite3_bind_int64(s, 1, static_cast<int64_t>(i + 1));
      sqlite3_bind_text(s, 2, kTags[i], -1, SQLITE_STATIC);
      sqlite3_bind_int64(s, 3, created_base);
      db.Run(s);
    }
  }

  // Companies: one per 50 contacts.
  const int64_t n_companies = std::max<int64_t>(10, o.contacts / 50);
  std::vector<std::string> company_country;
  company_country.reserve(static_cast<size_t>(n_companies));
  {
    sqlite3_stmt* s = db.Prepare(
        "INSERT INTO companies (id, workspace_id, name, domain, industry, size, country, "
        "relationship, custom, created_at, updated_at) "
        "VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)");
    char custom[64];
    for (int64_t i = 0; i < n_companies; ++i) {
      rapport::demo::DemoCompany c = demo.NextCompany();
      sqlite3_bind_int64(s, 1, i + 1);
      sqlite3_bind_text(s, 2, c.name.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 3, c.domain.c_str(), -1, SQLITE_STATIC);
      if (c.industry.empty()) {
        sqlite3_bind_null(s, 4);
      } else {
        sqlite3_bind_text(s, 4, c.industry.c_str(), -1, SQLITE_STATIC);
      }
      sqlite3_bind_int64(s, 5, c.size);
      sqlite3_bind_text(s, 6, c.country.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 7, c.relationship.c_str(), -1, SQLITE_STATIC);
      if (rng.P(0.8)) {
        std::snprintf(custom, sizeof custom, "{\"region\":\"%s\"}",
                      kRegions[rng.Below(kRegions.size())]);
      } else {
        std::snprintf(custom, sizeof custom, "{}");
      }
      sqlite3_bind_text(s, 8, custom, -1, SQLITE_STATIC);
      sqlite3_bind_int64(s, 9, created_base + static_cast<int64_t>(rng.U() * span) * kDay);
      db.Run(s);
      company_country.push_back(std::move(c.country));
    }
    g.companies = n_companies;
  }

  // Contacts, their tags and their behaviour profile.
  std::vector<Profile> profiles(static_cast<size_t>(o.contacts));
  std::vector<int64_t> newsletter_members;
  std::vector<int64_t> vip_list, webinar_list;
  {
    sqlite3_stmt* s = db.Prepare(
        "INSERT INTO contacts (id, workspace_id, email, phone, first_name, last_name, birthday, "
        "timezone, lifecycle_stage, company_id, source, external_id, custom, created_at, "
        "updated_at) VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)");
    sqlite3_stmt* tag = db.Prepare(
        "INSERT INTO contact_tags (tag_id, contact_id, workspace_id) VALUES (?1, ?2, 1)");
    std::string custom;
    char buf[96];
    for (int64_t i = 0; i < o.contacts; ++i) {
      const int64_t id = i + 1;
      rapport::demo::DemoContact c = demo.NextContact(static_cast<int>(n_companies));
      Profile& p = profiles[static_cast<size_t>(i)];
      // More contacts joined recently (a growing business).
      int32_t age = static_cast<int32_t>(span * std::pow(rng.U(), 1.3));
      p.created_day = today - age;
      p.active_until = rng.P(0.3) ? p.created_day + static_cast<int32_t>(age * rng.U()) : today;
      const bool buyer = rng.P(0.35);
      if (buyer) p.buy_share = static_cast<float>(std::min(0.4, 0.02 * rng.Pareto(1.2)));
      p.open_rate = rng.P(0.2) ? 0.0f : static_cast<float>(0.6 * rng.U());
      p.web_share = static_cast<float>(0.1 + 0.3 * rng.U());
      if (buyer && rng.P(0.02)) p.boundary = rng.P(0.5) ? 1 : 2;

      const char* stage = c.lifecycle_stage.c_str();
      if (buyer) {
        stage = PickWeighted(rng, kBuyerStages);
      } else if (c.lifecycle_stage == "customer" || c.lifecycle_stage == "advocate") {
        stage = rng.P(0.5) ? "lead" : "subscriber";
      }

      custom = "{";
      auto add = [&](const char* text) {
        if (custom.size() > 1) custom += ',';
        custom += text;
      };
      if (!rng.P(0.06)) {
        const char* country = c.company_index >= 0
                                  ? company_country[static_cast<size_t>(c.company_index)].c_str()
                                  : PickWeighted(rng, kCountries);
        std::snprintf(buf, sizeof buf, "\"country\":\"%s\"", country);
        add(buf);
      }
      if (rng.P(0.65)) {
        std::snprintf(buf, sizeof buf, "\"loyalty_points\":%lld",
                      static_cast<long long>(std::min(50000.0, 10 * rng.Pareto(1.1)) - 10));
        add(buf);
      }
      if (rng.P(0.8)) {
        std::snprintf(buf, sizeof buf, "\"signup_date\":\"%s\"", DayText(p.created_day).c_str());
        add(buf);
      }
      bool opt_in = rng.P(0.55);
      if (rng.P(0.7)) add(opt_in ? "\"newsletter_opt_in\":true" : "\"newsletter_opt_in\":false");
      std::snprintf(buf, sizeof buf, "\"plan\":\"%s\"", PickWeighted(rng, kPlans));
      add(buf);
      custom += '}';

      sqlite3_bind_int64(s, 1, id);
      // A few contacts are known only by phone or by their external id.
      if (rng.P(0.03)) {
        sqlite3_bind_null(s, 2);
      } else {
        sqlite3_bind_text(s, 2, c.email.c_str(), -1, SQLITE_STATIC);
      }
      auto text_or_null = [&](int col, const std::string& v) {
        if (v.empty()) {
          sqlite3_bind_null(s, col);
        } else {
          sqlite3_bind_text(s, col, v.c_str(), -1, SQLITE_STATIC);
        }
      };
      text_or_null(3, c.phone);
      text_or_null(4, c.first_name);
      text_or_null(5, c.last_name);
      text_or_null(6, c.birthday);
      text_or_null(7, c.timezone);
      sqlite3_bind_text(s, 8, stage, -1, SQLITE_STATIC);
      if (c.company_index >= 0) {
        sqlite3_bind_int64(s, 9, c.company_index + 1);
      } else {
        sqlite3_bind_null(s, 9);
      }
      text_or_null(10, c.source);
      text_or_null(11, c.external_id);
      sqlite3_bind_text(s, 12, custom.c_str(), static_cast<int>(custom.size()), SQLITE_STATIC);
      sqlite3_bind_int64(s, 13, p.created_day * kDay + static_cast<int64_t>(rng.U() * (kDay - 1)));
      db.Run(s);

      // Tags: "vip" for 3%, the rest with falling popularity (about one tag per contact).
      for (size_t t = 0; t < kTags.size(); ++t) {
        double prob = t == 0 ? 0.03 : 0.25 / (1.0 + 0.4 * static_cast<double>(t));
        if (!rng.P(prob)) continue;
        sqlite3_bind_int64(tag, 1, static_cast<int64_t>(t + 1));
        sqlite3_bind_int64(tag, 2, id);
        db.Run(tag);
        ++g.contact_tags;
      }
      if (opt_in ? rng.P(0.8) : rng.P(0.05)) newsletter_members.push_back(id);
      if (buyer && rng.P(0.05)) vip_list.push_back(id);
      if (rng.P(0.04)) webinar_list.push_back(id);
      if ((i + 1) % 250000 == 0) Progress(log, "contacts", i + 1, o.contacts, t0);
    }
    g.contacts = o.contacts;
  }

  // Static segments (lists) with members.
  {
    sqlite3_stmt* seg = db.Prepare(
        "INSERT INTO segments (id, workspace_id, name, description, kind, member_count, "
        "created_at, updated_at) VALUES (?1, 1, ?2, ?3, 'static', ?4, ?5, ?5)");
    sqlite3_stmt* mem = db.Prepare(
        "INSERT INTO segment_members (segment_id, contact_id, workspace_id, entered_at) "
        "VALUES (?1, ?2, 1, ?3)");
    struct List {
      const char* name;
      const char* description;
      const std::vector<int64_t>* members;
    };
    const List lists[] = {
        {kNewsletterSegment, "Double opt-in newsletter list", &newsletter_members},
        {"vip-list", "Hand-picked VIP customers", &vip_list},
        {"webinar-2026-q1", "Registered for the Q1 webinar", &webinar_list}};
    int64_t sid = 0;
    for (const List& l : lists) {
      ++sid;
      sqlite3_bind_int64(seg, 1, sid);
      sqlite3_bind_text(seg, 2, l.name, -1, SQLITE_STATIC);
      sqlite3_bind_text(seg, 3, l.description, -1, SQLITE_STATIC);
      sqlite3_bind_int64(seg, 4, static_cast<int64_t>(l.members->size()));
      sqlite3_bind_int64(seg, 5, now - 30 * kDay);
      db.Run(seg);
      for (int64_t c : *l.members) {
        sqlite3_bind_int64(mem, 1, sid);
        sqlite3_bind_int64(mem, 2, c);
        sqlite3_bind_int64(mem, 3, now - 30 * kDay);
        db.Run(mem);
        ++g.segment_members;
      }
    }
  }

  // Activities per contact: a heavy-tailed engagement times the days the contact was
  // active, scaled to the target total.
  {
    std::vector<double> weight(profiles.size());
    double total = 0;
    for (size_t i = 0; i < profiles.size(); ++i) {
      const Profile& p = profiles[i];
      weight[i] = std::min(300.0, rng.Pareto(1.5)) * (p.active_until - p.created_day + 1);
      total += weight[i];
    }
    const double scale = static_cast<double>(o.activities) / total;
    for (size_t i = 0; i < profiles.size(); ++i) {
      profiles[i].count = static_cast<uint32_t>(std::floor(weight[i] * scale + rng.U()));
    }
  }

  sqlite3_stmt* ins = db.Prepare(
      "INSERT INTO activities (workspace_id, contact_id, type, channel, occurred_at, amount, "
      "currency, properties, recorded_at) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?4)");
  std::vector<Act> acts;
  char props[128];
  int32_t order_no = 100000, ticket_no = 5000;
  int64_t next_report = 2'000'000;
  const int32_t window90 = today - 89;  // first day of `last 90 days`
  for (size_t i = 0; i < profiles.size(); ++i) {
    const Profile& p = profiles[i];
    if (p.count == 0 && p.boundary == 0) continue;
    acts.clear();
    const int32_t days = p.active_until - p.created_day + 1;
    auto time_on = [&](int32_t day) {
      int64_t tod = static_cast<int64_t>(rng.U() * static_cast<double>(kDay - 1));
      if (day == today) tod /= 2;  // before 12:00, the benchmark's "now"
      return day * kDay + tod;
    };
    auto purchase_amount = [&] {
      if (rng.P(0.15)) return kRoundAmounts[rng.Below(kRoundAmounts.size())];
      // Log-normal around 40.00 with a long tail.
      return std::max<int64_t>(
          99, static_cast<int64_t>(std::exp(std::log(4000.0) + 0.9 * rng.Normal())));
    };
    while (acts.size() < p.count) {
      // Activity clusters in the recent part of the contact's active time.
      int32_t day = p.active_until - static_cast<int32_t>(days * std::pow(rng.U(), 1.4) * 0.999999);
      int64_t at = time_on(day);
      double r = rng.U();
      Act a;
      a.at = at;
      if (r < p.buy_share) {
        a.type = rng.P(0.03) ? kRefund : kPurchase;
        a.amount = purchase_amount();
        if (a.type == kRefund) a.amount = -a.amount;
        a.param = ++order_no;
        a.flag = rng.P(0.3) ? 1 : 0;
      } else if (r < p.buy_share + p.web_share) {
        a.type = kWebVisit;
        int total = 0;
        for (const auto& pg : kPages) total += pg.weight;
        int pick = static_cast<int>(rng.Below(static_cast<uint64_t>(total)));
        a.param = 0;
        while (pick >= kPages[static_cast<size_t>(a.param)].weight) {
          pick -= kPages[static_cast<size_t>(a.param)].weight;
          ++a.param;
        }
      } else if (r < p.buy_share + p.web_share + 0.03) {
        a.type = kTicketOpened;
        a.param = ++ticket_no;
        a.flag = static_cast<uint8_t>(rng.Below(3));
        acts.push_back(a);
        int64_t closed = at + static_cast<int64_t>(rng.U() * 72) * kHour;
        if (rng.P(0.85) && closed <= now) {
          a.type = kTicketClosed;
          a.at = closed;
        } else {
          continue;
        }
      } else if (r < p.buy_share + p.web_share + 0.04) {
        a.type = kChat;
      } else {
        a.type = kEmailSent;
        acts.push_back(a);
        if (!rng.P(p.open_rate)) continue;
        a.type = kEmailOpened;
        a.at = at + static_cast<int64_t>(rng.U() * 48 * static_cast<double>(kHour));
        if (a.at > now) continue;
        if (rng.P(0.25)) {
          acts.push_back(a);
          a.type = kEmailClicked;
          a.at += static_cast<int64_t>(rng.U() * 600e6);
          if (a.at > now) continue;
        }
      }
      acts.push_back(a);
    }
    if (p.boundary != 0) {
      // Purchases in the last 90 days worth exactly 200.00 (or 200.01): `> 200.00` must
      // split these contacts exactly, which a float sum can get wrong.
      std::erase_if(acts, [&](const Act& a) {
        return (a.type == kPurchase || a.type == kRefund) && a.at >= window90 * kDay;
      });
      for (int k = 0; k < 2; ++k) {
        Act a;
        a.type = kPurchase;
        a.at = time_on(today - static_cast<int32_t>(rng.Below(80)));
        a.amount = 10000 + (k == 1 && p.boundary == 2 ? 1 : 0);
        a.param = ++order_no;
        acts.push_back(a);
      }
    }
    std::sort(acts.begin(), acts.end(), [](const Act& a, const Act& b) { return a.at < b.at; });

    const int64_t contact_id = static_cast<int64_t>(i + 1);
    for (const Act& a : acts) {
      const char* channel = "email";
      switch (a.type) {
        case kEmailSent:
        case kEmailOpened:
        case kEmailClicked: {
          int y;
          unsigned m, d;
          rapport::engine::CivilFromDays(static_cast<int32_t>(a.at / kDay), y, m, d);
          std::snprintf(props, sizeof props, "{\"campaign\":\"newsletter-%04d-%02u\"}", y, m);
          break;
        }
        case kWebVisit:
          channel = "web";
          std::snprintf(props, sizeof props, "{\"page\":\"%s\"}",
                        kPages[static_cast<size_t>(a.param)].value);
          break;
        case kTicketOpened:
        case kTicketClosed:
          channel = "support";
          std::snprintf(props, sizeof props, "{\"ticket\":\"T-%d\",\"priority\":\"%s\"}", a.param,
                        a.flag == 0   ? "low"
                        : a.flag == 1 ? "normal"
                                      : "high");
          break;
        case kChat:
          channel = "chat";
          std::snprintf(props, sizeof props, "{}");
          break;
        case kPurchase:
          channel = a.flag ? "store" : "web";
          std::snprintf(props, sizeof props, "{\"order\":\"O-%d\",\"items\":%d}", a.param,
                        1 + a.param % 4);
          ++g.purchases;
          break;
        case kRefund:
          channel = "other";
          std::snprintf(props, sizeof props, "{\"order\":\"O-%d\"}", a.param);
          break;
      }
      sqlite3_bind_int64(ins, 1, contact_id);
      sqlite3_bind_text(ins, 2, kTypeNames[a.type], -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 3, channel, -1, SQLITE_STATIC);
      sqlite3_bind_int64(ins, 4, a.at);
      if (a.type == kPurchase || a.type == kRefund) {
        sqlite3_bind_int64(ins, 5, a.amount);
        sqlite3_bind_text(ins, 6, "EUR", 3, SQLITE_STATIC);
      } else {
        sqlite3_bind_null(ins, 5);
        sqlite3_bind_null(ins, 6);
      }
      sqlite3_bind_text(ins, 7, props, -1, SQLITE_STATIC);
      db.Run(ins);
    }
    g.activities += static_cast<int64_t>(acts.size());
    if (g.activities >= next_report) {
      Progress(log, "activities", g.activities, o.activities, t0);
      next_report += 2'000'000;
    }
  }
  db.Exec("COMMIT");

  log << "  indexes and ANALYZE ("
      << Fixed(std::chrono::duration<double>(SteadyClock::now() - t0).count(), 1) << " s)\n";
  log.flush();
  // Sorter worker threads for CREATE INDEX; ANALYZE samples each index instead of reading
  // all of it (the planner needs the shape of the data, not exact counts).
  db.Exec("PRAGMA threads=2; PRAGMA analysis_limit=2000;");
  for (const auto& sql : big_indexes) db.Exec(sql);
  for (const BenchIndex& ix : BenchIndexes()) db.Exec(ix.sql);
  db.Exec("ANALYZE");
  db.Exec("PRAGMA journal_mode=WAL");
  g.seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  return g;
}

}  // namespace bench::seg
