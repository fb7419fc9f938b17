// The engine against the SQL reference evaluator on seeded random data and thousands of
// seeded random rules: both must return exactly the same members, before and after
// incremental Apply (which exercises the delta rows, their compaction and property columns
// kept current).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "accounts/company.h"
#include "activity/activity.h"
#include "contacts/contact.h"
#include "engine/engine.h"
#include "segments/catalog.h"
#include "segments/check.h"
#include "segments/sql.h"
#include "segments/text.h"
#include "store/change_feed.h"
#include "testing/temp_store.h"

namespace rapport::engine {
namespace {

using segments::Aggregate;
using segments::Date;
using segments::Decimal;
using segments::Literal;
using segments::Op;
using segments::Rule;

constexpr int64_t kDay = 86'400'000'000;
constexpr WorkspaceId kWs{1};
constexpr int32_t kToday = static_cast<int32_t>(testing::kTestNow / kDay);

const char* const kTypes[] = {"purchase",  "refund",  "email_opened",
                              "web_visit", "webinar", "ticket_opened"};
const char* const kChannelsUsed[] = {"web", "email", "store", "phone"};
const char* const kCurrencies[] = {"EUR", "USD"};
const char* const kTagNames[] = {"vip", "newsletter", "churn-risk", "b2b", "beta"};
const char* const kFirstNames[] = {"Ann", "ann", "Bob", "Zoë", "Carl", "Anna", ""};
const char* const kSources[] = {"import", "web", "Web", "api"};

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Int(0, 99) < percent; }
  template <typename T, size_t N>
  const T& Pick(const T (&a)[N]) {
    return a[Int(0, N - 1)];
  }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Int(0, static_cast<int>(v.size()) - 1)];
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

std::string DateText(int32_t day) {
  int64_t z = day + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
  int64_t y = yoe + era * 400 + (m <= 2);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d));
  return buf;
}

// Days near the edges of the windows rules use, so off-by-one errors show.
int32_t EdgyDay(Gen& g) {
  static const int kOffsets[] = {0, 1, 6, 7, 29, 30, 89, 90, 91, 179, 180, 181, 364, 365, 366};
  if (g.Chance(60)) return kToday - kOffsets[g.Int(0, 14)] + (g.Chance(10) ? 1 : 0);
  return kToday - g.Int(-3, 800);
}

int64_t EdgyMicros(Gen& g, int32_t day) {
  int64_t base = int64_t{day} * kDay;
  switch (g.Int(0, 3)) {
    case 0:
      return base;
    case 1:
      return base + kDay - 1;
    default:
      return base + std::uniform_int_distribution<int64_t>(0, kDay - 1)(g.rng());
  }
}

store::Value MaybeText(Gen& g, int percent_null, const std::string& v) {
  if (g.Chance(percent_null)) return store::Null{};
  return v;
}

class DifferentialTest : public ::testing::Test {
 protected:
  store::Store& store() { return ts_.store(); }

  void Exec(store::Txn& t, const std::string& sql, const store::Params& p = {}) {
    auto r = t.Exec(sql, p);
    ASSERT_TRUE(r.has_value()) << r.error().message() << "\n" << sql;
  }

  std::string RandomBirthday(Gen& g) {
    if (g.Chance(10)) return "2000-02-29";
    if (g.Chance(10)) return DateText(kToday + g.Int(-3, 10) - 365 * g.Int(20, 40));
    return DateText(g.Int(-20000, 15000));
  }

  std::string RandomCustom(Gen& g) {
    std::string out = "{";
    auto add = [&](const std::string& kv) {
      if (out.size() > 1) out += ",";
      out += kv;
    };
    static const char* const kTiers[] = {"bronze", "silver", "gold"};
    if (g.Chance(70)) add(std::string("\"tier\":\"") + g.Pick(kTiers) + "\"");
    if (g.Chance(70)) {
      static const char* const kScores[] = {"0",  "1",   "2",     "2.0",    "2.5", "-1",
                                            "10", "1e1", "\"2\"", "100.25", "true"};
      add(std::string("\"score\":") + g.Pick(kScores));
    }
    if (g.Chance(60))
      add(std::string("\"vip\":") + (g.Chance(50) ? "true" : (g.Chance(50) ? "false" : "1")));
    if (g.Chance(50)) add("\"signed_on\":\"" + RandomBirthday(g) + "\"");
    static const char* const kNotes[] = {"hello", "Hello world", "", "ümlaut", "HELLO"};
    if (g.Chance(50)) {
      add(std::string("\"note\":\"") + g.Pick(kNotes) + "\"");
    } else if (g.Chance(10)) {
      add("\"note\":null");
    }
    return out + "}";
  }

  void Populate(Gen& g, int contacts, int activities) {
    Status s = store().Write([&](store::Txn& t) -> Status {
      Exec(t,
           "INSERT INTO users (id, email, created_at) VALUES (1, 'u1@x.io', 0), (2, 'u2@x.io', 0)");
      Exec(t,
           "INSERT INTO custom_fields (workspace_id, entity, key, label, type, options, "
           "created_at, updated_at) VALUES "
           "(1, 'contact', 'tier', 'Tier', 'enum', '[\"bronze\",\"silver\",\"gold\"]', 0, 0), "
           "(1, 'contact', 'score', 'Score', 'number', NULL, 0, 0), "
           "(1, 'contact', 'vip', 'VIP', 'boolean', NULL, 0, 0), "
           "(1, 'contact', 'signed_on', 'Signed', 'date', NULL, 0, 0), "
           "(1, 'contact', 'note', 'Note', 'text', NULL, 0, 0), "
           "(1, 'company', 'region', 'Region', 'text', NULL, 0, 0), "
           "(1, 'company', 'employees', 'Employees', 'number', NULL, 0, 0)");
      Exec(t,
           "INSERT INTO activity_types (workspace_id, name, label, schema, created_at) VALUES "
           "(1, 'webinar', 'Webinar', '{}', 0)");
      for (int i = 0; i < 8; ++i) {
        static const char* const kIndustries[] = {"retail", "Retail", "software"};
        static const char* const kCountries[] = {"NZ", "DE", "nz"};
        std::string custom = "{";
        if (g.Chance(60))
          custom += std::string("\"region\":\"") + (g.Chance(50) ? "EU" : "APAC") + "\"";
        if (g.Chance(60))
          custom += std::string(custom.size() > 1 ? "," : "") +
                    "\"employees\":" + std::to_string(g.Int(0, 3) * 50);
        custom += "}";
        Exec(t,
             "INSERT INTO companies (workspace_id, name, domain, industry, size, country, "
             "relationship, owner_id, custom, created_at, updated_at) VALUES (1, $1, $2, $3, $4, "
             "$5, $6, $7, $8, $9, $9)",
             {std::string(g.Chance(50) ? "Acme " : "Beta ") + std::to_string(i),
              MaybeText(g, 30, "d" + std::to_string(i) + ".com"),
              MaybeText(g, 30, g.Pick(kIndustries)),
              g.Chance(30) ? store::Value(store::Null{}) : store::Value(int64_t{g.Int(0, 4) * 25}),
              MaybeText(g, 20, g.Pick(kCountries)), std::string(g.Pick(accounts::kRelationships)),
              g.Chance(50) ? store::Value(store::Null{}) : store::Value(int64_t{g.Int(1, 2)}),
              custom, EdgyMicros(g, EdgyDay(g))});
      }
      for (int i = 0; i < contacts; ++i) RETURN_IF_ERROR(InsertContact(t, g, i));
      for (int tag = 1; tag <= 5; ++tag) {
        Exec(t, "INSERT INTO tags (id, workspace_id, name, created_at) VALUES ($1, 1, $2, 0)",
             {int64_t{tag}, std::string(kTagNames[tag - 1])});
      }
      Exec(t,
           "INSERT INTO segments (id, workspace_id, name, kind, created_at, updated_at) VALUES "
           "(1, 1, 'list-a', 'static', 0, 0), (2, 1, 'list-b', 'dynamic', 0, 0)");
      for (int i = 1; i <= contacts; ++i) {
        for (int tag = 1; tag <= 5; ++tag) {
          if (g.Chance(tag * 8)) {
            Exec(t,
                 "INSERT INTO contact_tags (tag_id, contact_id, workspace_id) VALUES ($1, $2, 1)",
                 {int64_t{tag}, int64_t{i}});
          }
        }
        for (int seg = 1; seg <= 2; ++seg) {
          if (g.Chance(20)) {
            Exec(t,
                 "INSERT INTO segment_members (segment_id, contact_id, workspace_id, entered_at) "
                 "VALUES ($1, $2, 1, 0)",
                 {int64_t{seg}, int64_t{i}});
          }
        }
      }
      for (int i = 0; i < activities; ++i) {
        RETURN_IF_ERROR(InsertActivity(t, g, g.Int(1, contacts), nullptr).status());
      }
      return Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.message();
  }

  Status InsertContact(store::Txn& t, Gen& g, int i) {
    static const char* const kTz[] = {"Europe/Berlin", "Pacific/Auckland"};
    auto r = t.Exec(
        "INSERT INTO contacts (workspace_id, email, phone, first_name, last_name, birthday, "
        "timezone, lifecycle_stage, owner_id, company_id, source, external_id, custom, "
        "created_at, updated_at) VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
        "$13, $14)",
        {MaybeText(g, 20,
                   (g.Chance(30) ? "User" : "user") + std::to_string(i) +
                       (g.Chance(50) ? "@Example.com" : "@test.org")),
         MaybeText(g, 50, "+64 21 " + std::to_string(g.Int(100, 999))),
         MaybeText(g, 20, g.Pick(kFirstNames)),
         MaybeText(g, 30, g.Chance(50) ? "Smith" : "smithers"), MaybeText(g, 30, RandomBirthday(g)),
         MaybeText(g, 50, g.Pick(kTz)), std::string(g.Pick(contacts::kLifecycleStages)),
         g.Chance(40) ? store::Value(store::Null{}) : store::Value(int64_t{g.Int(1, 2)}),
         g.Chance(30) ? store::Value(store::Null{}) : store::Value(int64_t{g.Int(1, 8)}),
         MaybeText(g, 20, g.Pick(kSources)), MaybeText(g, 70, "ext-" + std::to_string(i)),
         RandomCustom(g), EdgyMicros(g, EdgyDay(g)), EdgyMicros(g, EdgyDay(g))});
    return r.status();
  }

  Result<int64_t> InsertActivity(store::Txn& t, Gen& g, int64_t contact, const char* type_in) {
    std::string type = type_in ? type_in : g.Pick(kTypes);
    bool money = type == "purchase" || type == "refund" || (type == "webinar" && g.Chance(30));
    static const int64_t kAmounts[] = {0, 1, 9999, 10000, 10001, 19999, 20000, 20001, 50000};
    store::Value amount = store::Null{}, currency = store::Null{};
    if (money && g.Chance(90)) {
      int64_t a = g.Chance(70) ? kAmounts[g.Int(0, 8)] : g.Int(0, 100000);
      amount = type == "refund" ? -a : a;
      currency = std::string(g.Pick(kCurrencies));
    }
    std::string props = "{";
    static const char* const kPages[] = {"\"/pricing\"", "\"/Pricing\"", "\"/home\"", "null",
                                         "[1,2]"};
    static const char* const kNs[] = {"2", "2.0", "\"2\"", "true", "3", "2.5", "-1"};
    static const char* const kOks[] = {"true", "false", "1", "0", "\"true\""};
    if (g.Chance(60)) props += std::string("\"page\":") + g.Pick(kPages);
    if (g.Chance(50)) props += std::string(props.size() > 1 ? "," : "") + "\"n\":" + g.Pick(kNs);
    if (g.Chance(40)) props += std::string(props.size() > 1 ? "," : "") + "\"ok\":" + g.Pick(kOks);
    if (g.Chance(20)) {
      props += std::string(props.size() > 1 ? "," : "") + "\"day\":\"" +
               DateText(kToday - g.Int(0, 3)) + "\"";
    }
    props += "}";
    int32_t day = EdgyDay(g);
    ASSIGN_OR_RETURN(
        auto row,
        t.QueryOne("INSERT INTO activities (workspace_id, contact_id, type, channel, occurred_at, "
                   "amount, currency, properties, recorded_at) VALUES (1, $1, $2, $3, $4, $5, $6, "
                   "$7, 0) RETURNING id",
                   {contact, type, std::string(g.Pick(kChannelsUsed)), EdgyMicros(g, day), amount,
                    currency, props}));
    return row->Int(0);
  }

  // Changes after Build: new activities (incl. a type the build never saw), edits, tags,
  // new and deleted contacts, a company edit; each with its change-feed entry.
  void Mutate(Gen& g, int contacts, int activities) {
    Status s = store().Write([&](store::Txn& t) -> Status {
      auto change = [&](const char* entity, int64_t id, store::ChangeKind k) {
        return store::AppendChange(t, kWs, entity, id, k, testing::kTestNow);
      };
      for (int i = 0; i < activities; ++i) {
        const char* type = g.Chance(5) ? "survey_response" : (g.Chance(70) ? "web_visit" : nullptr);
        ASSIGN_OR_RETURN(int64_t id, InsertActivity(t, g, g.Int(1, contacts), type));
        RETURN_IF_ERROR(change("activity", id, store::ChangeKind::kCreated));
      }
      for (int i = 0; i < contacts / 10; ++i) {
        int64_t id = g.Int(1, contacts);
        RETURN_IF_ERROR(t.Exec("UPDATE contacts SET lifecycle_stage = $2, custom = $3, birthday = "
                               "$4, company_id = $5 WHERE id = $1",
                               {id, std::string(g.Pick(contacts::kLifecycleStages)),
                                RandomCustom(g), MaybeText(g, 30, RandomBirthday(g)),
                                g.Chance(30) ? store::Value(store::Null{})
                                             : store::Value(int64_t{g.Int(1, 8)})})
                            .status());
        int64_t tag = g.Int(1, 5);
        RETURN_IF_ERROR(t.Exec(g.Chance(50) ? "DELETE FROM contact_tags WHERE tag_id = $1 AND "
                                              "contact_id = $2"
                                            : "INSERT OR IGNORE INTO contact_tags (tag_id, "
                                              "contact_id, workspace_id) VALUES ($1, $2, 1)",
                               {tag, id})
                            .status());
        RETURN_IF_ERROR(change("contact", id, store::ChangeKind::kUpdated));
      }
      for (int i = 0; i < 5; ++i) {
        RETURN_IF_ERROR(InsertContact(t, g, contacts + i));
        ASSIGN_OR_RETURN(auto row, t.QueryOne("SELECT MAX(id) FROM contacts"));
        RETURN_IF_ERROR(change("contact", row->Int(0), store::ChangeKind::kCreated));
        ASSIGN_OR_RETURN(int64_t act, InsertActivity(t, g, row->Int(0), "purchase"));
        RETURN_IF_ERROR(change("activity", act, store::ChangeKind::kCreated));
      }
      for (int i = 0; i < 3; ++i) {
        int64_t id = g.Int(1, contacts);
        RETURN_IF_ERROR(t.Exec("DELETE FROM contacts WHERE id = $1", {id}).status());
        RETURN_IF_ERROR(change("contact", id, store::ChangeKind::kDeleted));
      }
      int64_t company = g.Int(1, 8);
      RETURN_IF_ERROR(t.Exec("UPDATE companies SET relationship = 'distributor', size = 75, "
                             "custom = '{\"region\":\"EU\"}' WHERE id = $1",
                             {company})
                          .status());
      return change("company", company, store::ChangeKind::kUpdated);
    });
    ASSERT_TRUE(s.ok()) << s.message();
  }

  // ---- random rules ----

  Literal RandomText(Gen& g) {
    static const char* const kTexts[] = {
        "Ann",     "ann",    "a",   "",       "Smith", "smith",  "user1",    "@example.com",
        "EXAMPLE", "import", "Web", "web",    "NZ",    "retail", "Acme 1",   "hello",
        "+64",     "ext-1",  "Zoë", "bronze", "gold",  "lead",   "customer", "distributor"};
    return std::string(g.Pick(kTexts));
  }
  Literal RandomNumber(Gen& g) {
    static const Decimal kNums[] = {{0, 0},  {1, 0},  {2, 0},  {200, 2},   {25, 1}, {-1, 0},
                                    {10, 0}, {50, 0}, {75, 0}, {10025, 2}, {1, 1},  {100, 0}};
    return g.Pick(kNums);
  }
  Literal RandomDate(Gen& g) { return Date{EdgyDay(g) + (g.Chance(20) ? -365 * g.Int(1, 40) : 0)}; }

  struct FieldSpec {
    const char* path;
    char kind;  // t text, e enum, n number, i id, b bool, d date, s timestamp
  };

  Rule RandomField(Gen& g) {
    static const FieldSpec kFields[] = {{"email", 't'},
                                        {"phone", 't'},
                                        {"first_name", 't'},
                                        {"last_name", 't'},
                                        {"source", 't'},
                                        {"external_id", 't'},
                                        {"timezone", 't'},
                                        {"lifecycle_stage", 'e'},
                                        {"birthday", 'd'},
                                        {"created_at", 's'},
                                        {"updated_at", 's'},
                                        {"owner_id", 'i'},
                                        {"company_id", 'i'},
                                        {"company.name", 't'},
                                        {"company.domain", 't'},
                                        {"company.industry", 't'},
                                        {"company.country", 't'},
                                        {"company.relationship", 'e'},
                                        {"company.size", 'n'},
                                        {"company.owner_id", 'i'},
                                        {"company.created_at", 's'},
                                        {"custom.tier", 'e'},
                                        {"score", 'n'},
                                        {"custom.vip", 'b'},
                                        {"custom.signed_on", 'd'},
                                        {"note", 't'},
                                        {"company.custom.region", 't'},
                                        {"company.employees", 'n'}};
    const FieldSpec& f = g.Pick(kFields);
    Rule r;
    r.kind = Rule::Kind::kField;
    r.field = f.path;
    std::vector<Op> ops;
    switch (f.kind) {
      case 't':
        ops = {Op::kEq,       Op::kNe,         Op::kLt,    Op::kGe,      Op::kIn,
               Op::kContains, Op::kStartsWith, Op::kIsSet, Op::kIsNotSet};
        break;
      case 'e':
        ops = {Op::kEq, Op::kNe, Op::kIn, Op::kIsSet, Op::kIsNotSet};
        break;
      case 'n':
      case 'i':
        ops = {Op::kEq, Op::kNe, Op::kLt,      Op::kLe,      Op::kGt,
               Op::kGe, Op::kIn, Op::kBetween, Op::kIsNotSet};
        break;
      case 'b':
        ops = {Op::kEq, Op::kNe, Op::kIsSet, Op::kIsNotSet};
        break;
      case 'd':
        ops = {Op::kEq,
               Op::kNe,
               Op::kLt,
               Op::kGe,
               Op::kWithinLast,
               Op::kWithinNext,
               Op::kBeforeDaysAgo,
               Op::kAfterDaysAgo,
               Op::kBefore,
               Op::kAfter,
               Op::kOn,
               Op::kBetween,
               Op::kIsNotSet};
        if (g.Chance(20)) r.anniversary = true;
        break;
      case 's':
        ops = {Op::kWithinLast, Op::kWithinNext, Op::kBeforeDaysAgo, Op::kAfterDaysAgo, Op::kBefore,
               Op::kAfter,      Op::kOn,         Op::kBetween,       Op::kIsSet};
        break;
    }
    r.op = g.Pick(ops);
    if (r.anniversary && r.op != Op::kWithinLast && r.op != Op::kWithinNext) {
      r.op = g.Chance(50) ? Op::kWithinLast : Op::kWithinNext;
    }
    auto lit = [&]() -> Literal {
      switch (f.kind) {
        case 't':
        case 'e':
          return RandomText(g);
        case 'n':
          return RandomNumber(g);
        case 'i':
          return Decimal{g.Int(0, 9), 0};
        case 'b':
          return g.Chance(50);
        default:
          return RandomDate(g);
      }
    };
    static const int kDays[] = {1, 2, 7, 30, 90, 365, 366, 800};
    switch (r.op) {
      case Op::kIsSet:
      case Op::kIsNotSet:
        break;
      case Op::kWithinLast:
      case Op::kWithinNext:
      case Op::kBeforeDaysAgo:
      case Op::kAfterDaysAgo:
        r.days = g.Pick(kDays);
        break;
      case Op::kIn:
        for (int i = g.Int(1, 3); i > 0; --i) r.values.push_back(lit());
        break;
      case Op::kBetween:
        r.values = {lit(), lit()};
        if (f.kind == 's') {
          // Ordered bounds only: the MicrosRange bug (see RandomActivity).
          int32_t from = std::get<Date>(r.values[0]).days;
          r.values[1] = Date{from + g.Int(0, 100)};
        }
        break;
      default:
        r.values = {lit()};
    }
    return r;
  }

  Rule RandomActivity(Gen& g) {
    Rule r;
    r.kind = Rule::Kind::kActivity;
    static const Aggregate kAggs[] = {Aggregate::kCount, Aggregate::kSum, Aggregate::kExists,
                                      Aggregate::kFirst, Aggregate::kLast};
    r.aggregate = g.Pick(kAggs);
    static const char* const kRuleTypes[] = {"purchase",       "refund",  "email_opened",
                                             "web_visit",      "webinar", "ticket_opened",
                                             "survey_response"};
    r.activity_type = g.Pick(kRuleTypes);
    if (r.aggregate == Aggregate::kSum) r.attribute = "amount";
    static const int kWindows[] = {1, 7, 30, 90, 180, 365};
    switch (g.Int(0, 2)) {
      case 0:
        break;
      case 1:
        r.window.kind = segments::Window::Kind::kLastDays;
        r.window.days = g.Pick(kWindows);
        break;
      default:
        r.window.kind = segments::Window::Kind::kBetween;
        // Never an empty range: sql.cpp's MicrosRange binds its bounds before it returns
        // "1 = 0" for lo > hi, leaving unreferenced parameters that SQLite rejects
        // ("bind: column index out of range"). Reported; excluded until fixed.
        r.window.from = Date{EdgyDay(g)};
        r.window.to = Date{r.window.from.days + g.Int(0, 200)};
    }
    for (int i = g.Chance(50) ? g.Int(1, 2) : 0; i > 0; --i) {
      segments::ActivityFilter f;
      static const Op kFilterOps[] = {Op::kEq, Op::kNe, Op::kIn};
      f.op = g.Pick(kFilterOps);
      int n = f.op == Op::kIn ? g.Int(1, 3) : 1;
      switch (g.Int(0, 2)) {
        case 0:
          f.key = "channel";
          for (int k = 0; k < n; ++k) f.values.push_back(std::string(g.Pick(kChannelsUsed)));
          break;
        case 1:
          f.key = "currency";
          for (int k = 0; k < n; ++k) f.values.push_back(std::string(g.Pick(kCurrencies)));
          break;
        default: {
          static const char* const kKeys[] = {"page", "n", "ok", "day", "missing"};
          f.key = std::string("properties.") + g.Pick(kKeys);
          for (int k = 0; k < n; ++k) {
            switch (g.Int(0, 4)) {
              case 0:
                f.values.push_back(std::string(g.Chance(50) ? "/pricing" : "2"));
                break;
              case 1:
                f.values.push_back(Decimal{g.Chance(50) ? 2 : 20, g.Chance(50) ? 0 : 1});
                break;
              case 2:
                f.values.push_back(g.Chance(50));
                break;
              case 3:
                f.values.push_back(Date{kToday - g.Int(0, 3)});
                break;
              default:
                f.values.push_back(std::string("true"));
            }
          }
        }
      }
      r.filters.push_back(std::move(f));
    }
    static const Op kCmp[] = {Op::kEq, Op::kNe, Op::kLt, Op::kLe, Op::kGt, Op::kGe, Op::kBetween};
    static const Op kDateOps[] = {Op::kWithinLast,   Op::kWithinNext, Op::kBeforeDaysAgo,
                                  Op::kAfterDaysAgo, Op::kBefore,     Op::kAfter,
                                  Op::kOn,           Op::kBetween};
    switch (r.aggregate) {
      case Aggregate::kExists:
        break;
      case Aggregate::kCount:
        r.op = g.Pick(kCmp);
        r.values.push_back(Decimal{g.Int(0, 4), 0});
        if (r.op == Op::kBetween) r.values.push_back(Decimal{g.Int(0, 6), 0});
        break;
      case Aggregate::kSum: {
        static const Decimal kSums[] = {{0, 0},    {20000, 2}, {200, 0}, {2000001, 4}, {10000, 2},
                                        {-100, 0}, {1, 2},     {500, 0}, {99999, 2}};
        r.op = g.Pick(kCmp);
        r.values.push_back(g.Pick(kSums));
        if (r.op == Op::kBetween) r.values.push_back(g.Pick(kSums));
        break;
      }
      default: {
        r.op = g.Pick(kDateOps);
        static const int kDays[] = {1, 7, 30, 90, 180, 365};
        if (r.op == Op::kWithinLast || r.op == Op::kWithinNext || r.op == Op::kBeforeDaysAgo ||
            r.op == Op::kAfterDaysAgo) {
          r.days = g.Pick(kDays);
        } else {
          int32_t from = EdgyDay(g);
          r.values.push_back(Date{from});
          // Ordered bounds only (the MicrosRange bug above).
          if (r.op == Op::kBetween) r.values.push_back(Date{from + g.Int(0, 100)});
        }
      }
    }
    return r;
  }

  Rule RandomRule(Gen& g, int depth) {
    int pick = depth > 0 ? g.Int(0, 9) : g.Int(3, 9);
    Rule r;
    if (pick <= 1) {
      r.kind = pick == 0 ? Rule::Kind::kAnd : Rule::Kind::kOr;
      for (int i = g.Int(2, 3); i > 0; --i) r.children.push_back(RandomRule(g, depth - 1));
      return r;
    }
    if (pick == 2) {
      r.kind = Rule::Kind::kNot;
      r.children.push_back(RandomRule(g, depth - 1));
      return r;
    }
    if (pick == 3) {
      r.kind = Rule::Kind::kTag;
      r.name = g.Pick(kTagNames);
      return r;
    }
    if (pick == 4) {
      r.kind = Rule::Kind::kInSegment;
      r.name = g.Chance(50) ? "list-a" : "list-b";
      return r;
    }
    if (pick <= 6) return RandomField(g);
    return RandomActivity(g);
  }

  // Evaluates `rules` random rules with both evaluators; returns how many were compared.
  int Compare(Gen& g, uint64_t seed, int rules, const Engine& engine) {
    int discriminating = 0;  // neither empty nor every contact
    auto catalog = store().Read([&](store::Txn& t) { return segments::LoadCatalog(t, kWs); });
    EXPECT_TRUE(catalog.has_value());
    int compared = 0;
    for (int i = 0; i < rules; ++i) {
      Rule rule = RandomRule(g, 3);
      if (!segments::Check(rule, *catalog).empty()) continue;
      int32_t today = kToday + (g.Chance(20) ? g.Int(-2, 2) : 0);
      // After every activity's day, exists() is answered from each contact's latest day.
      if (g.Chance(10)) today = kToday + 4;
      auto query = segments::CompileMembersQuery(rule, store::Dialect::kSqlite, kWs, today);
      EXPECT_TRUE(query.has_value()) << query.error().message();
      if (!query.has_value()) continue;
      auto expected = store().Read([&](store::Txn& t) -> Result<std::vector<int64_t>> {
        ASSIGN_OR_RETURN(auto rows, t.Query(query->sql, query->params));
        std::vector<int64_t> ids;
        for (const auto& r : rows) ids.push_back(r.Int(0));
        return ids;
      });
      EXPECT_TRUE(expected.has_value()) << expected.error().message() << "\n" << query->sql;
      auto actual = engine.Evaluate(rule, today);
      EXPECT_TRUE(actual.has_value()) << actual.error().message() << "\n" << segments::ToText(rule);
      if (!expected.has_value() || !actual.has_value()) return compared;
      if (*expected != *actual) {
        ADD_FAILURE() << "seed " << seed << " rule #" << i << " today " << today << ": "
                      << segments::ToText(rule) << "\nsql " << expected->size()
                      << " members, engine " << actual->size() << "\n"
                      << query->sql;
        return compared;
      }
      // The one-contact path agrees on a few members and a few other contacts.
      for (int k = 0; k < 3 && !expected->empty(); ++k) {
        int64_t id = g.Pick(*expected);
        EXPECT_TRUE(*engine.Matches(rule, id, today)) << segments::ToText(rule) << " #" << id;
      }
      for (int k = 0; k < 3; ++k) {
        int64_t id = g.Int(1, static_cast<int>(engine.Stats().contacts));
        bool member = std::binary_search(expected->begin(), expected->end(), id);
        EXPECT_EQ(*engine.Matches(rule, id, today), member) << segments::ToText(rule) << " #" << id;
      }
      ++compared;
      if (!expected->empty() && expected->size() < static_cast<size_t>(engine.Stats().contacts)) {
        ++discriminating;
      }
    }
    EXPECT_GT(discriminating, compared / 3) << "the random rules select too little";
    return compared;
  }

  testing::TempStore ts_;
};

TEST_F(DifferentialTest, EngineEqualsSqlOnRandomRules) {
  const uint64_t seed = 20261123;
  Gen g(seed);
  constexpr int kContacts = 300;
  Populate(g, kContacts, 2500);
  auto engine = Engine::Build(store(), kWs);
  ASSERT_TRUE(engine.has_value()) << engine.error().message();
  int compared = Compare(g, seed, 2500, **engine);
  EXPECT_GT(compared, 1500);

  // The incremental path: enough new activities to compact one type's delta.
  Mutate(g, kContacts, 2000);
  auto applied = store().Read([&](store::Txn& t) -> Result<std::vector<int64_t>> {
    ASSIGN_OR_RETURN(auto changes, store::ReadChanges(t, (*engine)->Stats().applied_seq, 1000000));
    return (*engine)->Apply(t, changes);
  });
  ASSERT_TRUE(applied.has_value()) << applied.error().message();
  EXPECT_FALSE(applied->empty());
  compared = Compare(g, seed + 1, 1200, **engine);
  EXPECT_GT(compared, 700);
}

}  // namespace
}  // namespace rapport::engine
