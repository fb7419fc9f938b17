#include "segments/sql.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "segments/catalog.h"
#include "segments/check.h"
#include "segments/text.h"
#include "testing/temp_store.h"

namespace rapport::segments {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

int32_t Day(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return static_cast<int32_t>(sys_days{year{y} / month{m} / day{d}}.time_since_epoch().count());
}

const int32_t kToday = Day(2026, 11, 23);  // the day of testing::kTestNow
constexpr Micros kNoon = 12LL * 3600 * kMicrosPerSecond;
constexpr Micros kLastMicro = kMicrosPerDay - 1;

Micros At(int32_t day, Micros within_day = kNoon) {
  return static_cast<Micros>(day) * kMicrosPerDay + within_day;
}

const std::string kHostile = "'); DROP TABLE contacts; --";

struct ContactRow {
  int64_t workspace = 1;
  std::string first_name;
  std::optional<std::string> email{}, last_name{}, birthday{};
  std::string stage = "lead";
  std::optional<int64_t> company{};
  std::string custom = "{}";
  Micros created_at = At(kToday - 400);
};

struct ActivityRow {
  std::optional<int64_t> contact{}, company{};
  std::string type, channel = "web";
  Micros at;
  std::optional<int64_t> amount{};
  std::optional<std::string> currency{};
  std::string properties = "{}";
  int64_t workspace = 1;
};

// A small workspace whose every row exists to pin one edge of the semantics in rule.h.
class SqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status s = ts_.store().Write([&](store::Txn& t) -> Status { return Seed(t); });
    ASSERT_TRUE(s.ok()) << s.message();
    auto catalog = ts_.store().Read([](store::Txn& t) { return LoadCatalog(t, WorkspaceId(1)); });
    ASSERT_TRUE(catalog.has_value()) << catalog.error().message();
    catalog_ = *catalog;
  }

  Status Seed(store::Txn& t) {
    RETURN_IF_ERROR(
        t.Exec("INSERT INTO workspaces (id, name, created_at) VALUES (2, 'other', 0)").status());
    const char* field =
        "INSERT INTO custom_fields (workspace_id, entity, key, label, type, options, created_at, "
        "updated_at) VALUES (1, $1, $2, 'L', $3, $4, 0, 0)";
    RETURN_IF_ERROR(t.Exec(field, {"contact", "tier", "enum", R"(["gold","silver"])"}).status());
    RETURN_IF_ERROR(t.Exec(field, {"contact", "score", "number", store::Null{}}).status());
    RETURN_IF_ERROR(t.Exec(field, {"contact", "vip", "boolean", store::Null{}}).status());
    RETURN_IF_ERROR(t.Exec(field, {"contact", "renewal", "date", store::Null{}}).status());
    RETURN_IF_ERROR(t.Exec(field, {"company", "region", "text", store::Null{}}).status());

    ASSIGN_OR_RETURN(int64_t acme,
                     Company(t, "Acme", "distributor", int64_t{50}, R"({"region":"EU"})"));
    ASSIGN_OR_RETURN(int64_t beta, Company(t, "Beta", "prospect", std::nullopt, "{}"));

    ContactRow ann{.first_name = "Ann",
                   .email = "ann@example.com",
                   .last_name = "Smith",
                   .birthday = "1990-11-25",
                   .stage = "customer",
                   .company = acme,
                   .custom = R"({"tier":"gold","score":7.5,"vip":true,"renewal":"2026-12-01"})",
                   .created_at = At(kToday - 10)};
    ContactRow bob{.first_name = "Bob",
                   .email = "BOB@Example.COM",
                   .last_name = "Jones",
                   .custom = R"({"tier":"silver","score":3,"vip":false})",
                   .created_at = At(kToday, 0)};
    ContactRow cat{.first_name = "Cat",
                   .birthday = "2000-02-29",
                   .stage = "churned",
                   .company = beta,
                   .custom = R"({"score":200})"};
    ContactRow dan{.first_name = "Dan",
                   .email = "dan@example.com",
                   .last_name = "ÉLAN",
                   .birthday = "1985-01-02",
                   .created_at = At(kToday - 1, kLastMicro)};
    ContactRow eve{.first_name = "Eve",
                   .email = "eve@example.com",
                   .last_name = kHostile,
                   .birthday = "1980-12-28",
                   .stage = "advocate",
                   .custom = R"({"renewal":"2026-11-15"})"};
    // Another workspace's contact that would match many rules.
    ContactRow zed{.workspace = 2,
                   .first_name = "Zed",
                   .email = "ann@example.com",
                   .stage = "customer",
                   .custom = R"({"tier":"gold"})"};
    for (const ContactRow* c : {&ann, &bob, &cat, &dan, &eve, &zed}) {
      ASSIGN_OR_RETURN(int64_t id, Contact(t, *c));
      names_[id] = c->first_name;
      ids_[c->first_name] = id;
    }

    RETURN_IF_ERROR(t.Exec("INSERT INTO tags (id, workspace_id, name, created_at) VALUES "
                           "(7, 1, 'vip', 0)")
                        .status());
    for (const char* who : {"Ann", "Eve"}) {
      RETURN_IF_ERROR(t.Exec("INSERT INTO contact_tags (tag_id, contact_id, workspace_id) "
                             "VALUES (7, $1, 1)",
                             {ids_[who]})
                          .status());
    }
    RETURN_IF_ERROR(t.Exec("INSERT INTO segments (id, workspace_id, name, kind, created_at, "
                           "updated_at) VALUES (3, 1, 'loyal', 'static', 0, 0)")
                        .status());
    RETURN_IF_ERROR(t.Exec("INSERT INTO segment_members (segment_id, contact_id, workspace_id, "
                           "entered_at) VALUES (3, $1, 1, 0)",
                           {ids_["Bob"]})
                        .status());

    const int64_t a = ids_["Ann"], b = ids_["Bob"], c = ids_["Cat"], d = ids_["Dan"],
                  e = ids_["Eve"], z = ids_["Zed"];
    const ActivityRow activities[] = {
        {.contact = a,
         .type = "purchase",
         .at = At(kToday - 5),
         .amount = 10000,
         .currency = "EUR"},
        {.contact = a,
         .type = "purchase",
         .channel = "store",
         .at = At(kToday - 100),
         .amount = 10000,
         .currency = "EUR"},
        {.contact = a, .type = "email_opened", .channel = "email", .at = At(kToday + 1, 0)},
        {.contact = a,
         .type = "web_visit",
         .at = At(kToday - 1),
         .properties = R"({"page":"/pricing","trial":true})"},
        {.contact = a,
         .type = "web_visit",
         .at = At(kToday - 2),
         .properties = R"({"page":"/pricing"})"},
        {.contact = b,
         .type = "purchase",
         .at = At(kToday - 3),
         .amount = 15000,
         .currency = "USD"},
        {.contact = b,
         .type = "purchase",
         .at = At(kToday - 20),
         .amount = 5000,
         .currency = "USD"},
        {.contact = b, .type = "email_opened", .channel = "email", .at = At(kToday, kLastMicro)},
        {.contact = b,
         .type = "web_visit",
         .at = At(kToday - 1),
         .properties = R"({"page":"/blog","trial":1})"},
        {.contact = c, .type = "purchase", .at = At(kToday - 40), .amount = 10, .currency = "EUR"},
        {.contact = c, .type = "purchase", .at = At(kToday - 45), .amount = 20, .currency = "EUR"},
        {.contact = c,
         .type = "web_visit",
         .at = At(kToday - 1),
         .properties = R"({"trial":"true"})"},
        {.contact = d, .type = "email_opened", .channel = "email", .at = At(kToday - 29, 0)},
        {.contact = e,
         .type = "email_opened",
         .channel = "email",
         .at = At(kToday - 30, kLastMicro)},
        {.contact = e, .type = "web_visit", .at = At(kToday - 1), .properties = R"({"page":null})"},
        // A company's own purchase has no contact: it must not reach any contact, nor put a
        // NULL into a NOT IN list.
        {.company = acme,
         .type = "purchase",
         .at = At(kToday - 1),
         .amount = 100000,
         .currency = "EUR"},
        {.contact = z,
         .type = "purchase",
         .at = At(kToday - 1),
         .amount = 100,
         .currency = "EUR",
         .workspace = 2},
    };
    for (const ActivityRow& row : activities) RETURN_IF_ERROR(Activity(t, row));
    return Status::Ok();
  }

  static Result<int64_t> Company(store::Txn& t, const char* name, const char* relationship,
                                 std::optional<int64_t> size, const char* custom) {
    ASSIGN_OR_RETURN(auto row, t.QueryOne("INSERT INTO companies (workspace_id, name, size, "
                                          "relationship, custom, created_at, updated_at) VALUES "
                                          "(1, $1, $2, $3, $4, 0, 0) RETURNING id",
                                          {name, store::Opt(size), relationship, custom}));
    return row->Int(0);
  }

  static Result<int64_t> Contact(store::Txn& t, const ContactRow& c) {
    ASSIGN_OR_RETURN(
        auto row,
        t.QueryOne(
            "INSERT INTO contacts (workspace_id, first_name, email, last_name, birthday, "
            "lifecycle_stage, company_id, custom, created_at, updated_at) VALUES "
            "($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            {c.workspace, c.first_name, store::Opt(c.email), store::Opt(c.last_name),
             store::Opt(c.birthday), c.stage, store::Opt(c.company), c.custom, c.created_at}));
    return row->Int(0);
  }

  static Status Activity(store::Txn& t, const ActivityRow& a) {
    return t
        .Exec(
            "INSERT INTO activities (workspace_id, contact_id, company_id, type, channel, "
            "occurred_at, amount, currency, properties, recorded_at) VALUES "
            "($1, $2, $3, $4, $5, $6, $7, $8, $9, $6)",
            {a.workspace, store::Opt(a.contact), store::Opt(a.company), a.type, a.channel, a.at,
             store::Opt(a.amount), store::Opt(a.currency), a.properties})
        .status();
  }

  Rule Parse(const std::string& text) {
    Parsed p = ParseText(text);
    EXPECT_TRUE(p.errors.empty()) << text << ": " << p.errors[0].message;
    if (!p.rule) return Rule{};
    auto errors = Check(*p.rule, catalog_);
    EXPECT_TRUE(errors.empty()) << text << ": " << errors[0].message;
    return std::move(*p.rule);
  }

  std::vector<std::string> Members(const Rule& rule, int32_t today) {
    auto q = CompileMembersQuery(rule, store::Dialect::kSqlite, WorkspaceId(1), today);
    EXPECT_TRUE(q.has_value()) << q.error().message();
    if (!q.has_value()) return {"<compile error>"};
    auto rows = ts_.store().Read([&](store::Txn& t) { return t.Query(q->sql, q->params); });
    EXPECT_TRUE(rows.has_value()) << rows.error().message() << "\n" << q->sql;
    if (!rows.has_value()) return {"<query error>"};
    std::vector<std::string> out;
    for (const auto& r : *rows) out.push_back(names_[r.Int(0)]);
    return out;
  }

  std::vector<std::string> Members(const std::string& text, int32_t today = kToday) {
    return Members(Parse(text), today);
  }

  // Rows of workspace 1 for which the predicate is NULL (must be none: two-valued logic).
  int64_t NullRows(const Rule& rule, int32_t today) {
    auto pred = CompileSql(rule, store::Dialect::kSqlite, WorkspaceId(1), today);
    EXPECT_TRUE(pred.has_value());
    if (!pred.has_value()) return -1;
    store::Params params = {int64_t{1}};
    params.insert(params.end(), pred->params.begin(), pred->params.end());
    auto row = ts_.store().Read([&](store::Txn& t) {
      return t.QueryOne("SELECT count(*) FROM contacts c WHERE c.workspace_id = $1 AND (" +
                            pred->sql + ") IS NULL",
                        params);
    });
    EXPECT_TRUE(row.has_value()) << row.error().message();
    return row.has_value() ? (*row)->Int(0) : -1;
  }

  testing::TempStore ts_;
  Catalog catalog_;
  std::map<int64_t, std::string> names_;
  std::map<std::string, int64_t> ids_;
};

using Names = std::vector<std::string>;
const Names kEveryone = {"Ann", "Bob", "Cat", "Dan", "Eve"};

struct Case {
  const char* rule;
  Names members;
  int32_t today = kToday;
};

// Runs each rule; its negation must select exactly the others, and the predicate must never
// be NULL.
class SqlCasesTest : public SqlTest {
 protected:
  void Run(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
      SCOPED_TRACE(c.rule);
      Rule rule = Parse(c.rule);
      EXPECT_EQ(Members(rule, c.today), c.members);
      Rule negated;
      negated.kind = Rule::Kind::kNot;
      negated.children.push_back(rule);
      Names rest;
      for (const auto& n : kEveryone) {
        if (std::find(c.members.begin(), c.members.end(), n) == c.members.end()) rest.push_back(n);
      }
      EXPECT_EQ(Members(negated, c.today), rest) << "not (" << c.rule << ")";
      EXPECT_EQ(NullRows(rule, c.today), 0);
    }
  }
};

TEST_F(SqlCasesTest, TextFieldsCompareBytesAndFoldOnlyAsciiCase) {
  Run({
      {"email = \"ann@example.com\"", {"Ann"}},  // not Zed of workspace 2
      {"email = \"bob@example.com\"", {}},
      {"email != \"ann@example.com\"", {"Bob", "Dan", "Eve"}},  // Cat's email is unset
      {"email is not set", {"Cat"}},
      {"email is set", {"Ann", "Bob", "Dan", "Eve"}},
      {"email contains \"EXAMPLE\"", {"Ann", "Bob", "Dan", "Eve"}},
      {"email starts_with \"bob@\"", {"Bob"}},
      {"email starts_with \"example\"", {}},
      {"last_name contains \"lan\"", {"Dan"}},
      {"last_name contains \"élan\"", {}},  // É is not ASCII: no case folding
      {"first_name < \"Bob\"", {"Ann"}},
      {"first_name < \"b\"", {"Ann", "Bob", "Cat", "Dan", "Eve"}},  // upper case sorts first
      {"first_name >= \"Cat\"", {"Cat", "Dan", "Eve"}},
      {"last_name in (\"Smith\", \"Jones\")", {"Ann", "Bob"}},
      {"lifecycle_stage in (\"customer\", \"advocate\")", {"Ann", "Eve"}},
      {"lifecycle_stage != \"lead\"", {"Ann", "Cat", "Eve"}},
  });
}

TEST_F(SqlCasesTest, HostileStringsStayValues) {
  Run({{"last_name = \"'); DROP TABLE contacts; --\"", {"Eve"}},
       {"last_name contains \"DROP TABLE\"", {"Eve"}}});
  Rule r = Parse("last_name = \"'); DROP TABLE contacts; --\" or email contains \"'\"");
  for (auto dialect : {store::Dialect::kSqlite, store::Dialect::kPostgres}) {
    auto q = CompileMembersQuery(r, dialect, WorkspaceId(1), kToday);
    ASSERT_TRUE(q.has_value());
    EXPECT_THAT(q->sql, Not(HasSubstr("DROP")));
    EXPECT_THAT(q->params, ::testing::Contains(store::Value(kHostile)));
  }
  auto n =
      ts_.store().Read([](store::Txn& t) { return t.QueryOne("SELECT count(*) FROM contacts"); });
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ((*n)->Int(0), 6);
}

TEST_F(SqlCasesTest, CustomFieldsAreUnsetWhenMissing) {
  Run({
      {"custom.tier = \"gold\"", {"Ann"}},  // not Zed of workspace 2
      {"custom.tier != \"gold\"", {"Bob"}},
      {"tier is not set", {"Cat", "Dan", "Eve"}},
      {"custom.score > 7", {"Ann", "Cat"}},
      {"custom.score = 3", {"Bob"}},
      {"custom.score = 3.0", {"Bob"}},
      {"custom.score = 7.5", {"Ann"}},
      {"custom.score between 3 and 7.5", {"Ann", "Bob"}},
      {"custom.score in (200, 3.0)", {"Bob", "Cat"}},
      {"custom.score < 7.5", {"Bob"}},
      {"custom.score != 3", {"Ann", "Cat"}},
      {"custom.vip = true", {"Ann"}},
      {"custom.vip != true", {"Bob"}},
      {"custom.vip = false", {"Bob"}},
      {"vip is not set", {"Cat", "Dan", "Eve"}},
  });
}

TEST_F(SqlCasesTest, DateFieldsCompareDays) {
  // Ann's renewal is 2026-12-01 (today + 8), Eve's 2026-11-15 (today - 8).
  Run({
      {"custom.renewal within next 8 days", {}},
      {"custom.renewal within next 9 days", {"Ann"}},
      {"custom.renewal within last 8 days", {}},
      {"custom.renewal within last 9 days", {"Eve"}},
      {"custom.renewal before 2026-12-01", {"Eve"}},
      {"custom.renewal <= 2026-12-01", {"Ann", "Eve"}},
      {"custom.renewal > 2026-11-15", {"Ann"}},
      {"custom.renewal on 2026-12-01", {"Ann"}},
      {"custom.renewal = 2026-12-01", {"Ann"}},
      {"custom.renewal != 2026-12-01", {"Eve"}},
      {"custom.renewal after 8 days ago", {"Ann"}},
      {"custom.renewal after 9 days ago", {"Ann", "Eve"}},
      {"custom.renewal before 8 days ago", {}},
      {"custom.renewal before 7 days ago", {"Eve"}},
      {"custom.renewal between 2026-11-15 and 2026-11-30", {"Eve"}},
      {"birthday before 1986-01-01", {"Dan", "Eve"}},
      {"birthday is not set", {"Bob"}},
  });
}

TEST_F(SqlCasesTest, TimestampsCompareUtcDays) {
  // Ann was created on today-10 at noon, Bob at 00:00 today, Dan in the last microsecond of
  // yesterday, Cat and Eve 400 days ago.
  Run({
      {"created_at within last 10 days", {"Bob", "Dan"}},
      {"created_at within last 11 days", {"Ann", "Bob", "Dan"}},
      {"created_at within last 1 days", {"Bob"}},
      {"created_at on 2026-11-23", {"Bob"}},
      {"created_at on 2026-11-22", {"Dan"}},
      {"created_at before 2026-11-23", {"Ann", "Cat", "Dan", "Eve"}},
      {"created_at after 2026-11-22", {"Bob"}},
      {"created_at before 400 days ago", {}},
      {"created_at before 399 days ago", {"Cat", "Eve"}},
      {"created_at after 1 days ago", {"Bob"}},
      {"created_at between 2026-11-13 and 2026-11-22", {"Ann", "Dan"}},
      {"created_at within next 1 days", {"Bob"}},
  });
}

TEST_F(SqlCasesTest, CompanyFieldsGoThroughTheContactsCompany) {
  Run({
      {"company.relationship = \"distributor\"", {"Ann"}},
      {"company.relationship != \"distributor\"", {"Cat"}},  // no company: unset
      {"company.size is not set", {"Bob", "Cat", "Dan", "Eve"}},
      {"company.size >= 50", {"Ann"}},
      {"company.size < 50", {}},
      {"company.region = \"EU\"", {"Ann"}},
      {"company.custom.region is set", {"Ann"}},
      {"company.name starts_with \"be\"", {"Cat"}},
  });
}

TEST_F(SqlCasesTest, TagsAndSegments) {
  Run({
      {"tag \"vip\"", {"Ann", "Eve"}},
      {"in_segment(\"loyal\")", {"Bob"}},
      {"tag \"vip\" or in_segment(\"loyal\")", {"Ann", "Bob", "Eve"}},
      {"tag \"vip\" and email contains \"eve\"", {"Eve"}},
  });
}

TEST_F(SqlCasesTest, ActivityWindowsIncludeTheirEdgeDaysAndExcludeTheFuture) {
  // Dan opened in the first microsecond of today-29, Eve in the last one of today-30, Bob in
  // the last microsecond of today, Ann tomorrow.
  Run({
      {"exists(email_opened)", {"Ann", "Bob", "Dan", "Eve"}},
      {"exists(email_opened, last 30 days)", {"Bob", "Dan"}},
      {"exists(email_opened, last 31 days)", {"Bob", "Dan", "Eve"}},
      {"exists(email_opened, between 2026-11-24 and 2026-11-24)", {"Ann"}},
      {"exists(email_opened, between 2026-10-24 and 2026-11-23)", {"Bob", "Dan", "Eve"}},
  });
}

TEST_F(SqlCasesTest, CountsIncludeContactsWithoutActivities) {
  Run({
      {"count(purchase) >= 2", {"Ann", "Bob", "Cat"}},
      {"count(purchase) < 2", {"Dan", "Eve"}},
      {"count(purchase) = 0", {"Dan", "Eve"}},
      {"count(purchase, last 30 days) >= 2", {"Bob"}},
      {"count(purchase, last 30 days) between 1 and 1", {"Ann"}},
      {"count(purchase, last 30 days) between 0 and 1", {"Ann", "Cat", "Dan", "Eve"}},
      {"count(purchase, last 30 days) != 1", {"Bob", "Cat", "Dan", "Eve"}},
      {"count(purchase, last 30 days) > 0", {"Ann", "Bob"}},
  });
}

TEST_F(SqlCasesTest, SumsAreExactMinorUnits) {
  // Bob spent exactly 150.00 + 50.00 in the last 30 days; Cat 0.10 + 0.20.
  Run({
      {"sum(purchase.amount, last 30 days) > 200.00", {}},
      {"sum(purchase.amount, last 30 days) >= 200.00", {"Bob"}},
      {"sum(purchase.amount, last 30 days) = 200", {"Bob"}},
      {"sum(purchase.amount) = 200", {"Ann", "Bob"}},
      {"sum(purchase.amount) = 0.30", {"Cat"}},
      {"sum(purchase.amount) > 0.29", {"Ann", "Bob", "Cat"}},
      {"sum(purchase.amount) <= 100", {"Cat", "Dan", "Eve"}},
      {"sum(purchase.amount) = 0", {"Dan", "Eve"}},
      {"sum(purchase.amount where currency = \"EUR\") > 100", {"Ann"}},
      {"sum(purchase.amount where channel = \"web\") between 100 and 200", {"Ann", "Bob"}},
  });
}

TEST_F(SqlCasesTest, FirstAndLastOfNoneAreUnset) {
  Run({
      {"last(purchase) before 30 days ago", {"Cat"}},
      {"last(purchase) within last 7 days", {"Ann", "Bob"}},
      {"first(purchase) within last 30 days", {"Bob"}},
      {"first(purchase, last 30 days) within last 30 days", {"Ann", "Bob"}},
      {"first(purchase) on 2026-08-15", {"Ann"}},
      {"last(email_opened) after 2026-11-23", {"Ann"}},
  });
}

TEST_F(SqlCasesTest, FiltersOnPropertiesChannelsAndCurrencies) {
  Run({
      {"count(web_visit where properties.page = \"/pricing\", last 7 days) >= 2", {"Ann"}},
      {"exists(web_visit where properties.trial = true)", {"Ann"}},
      {"exists(web_visit where properties.trial = 1)", {"Bob"}},
      {"exists(web_visit where properties.trial = 1.0)", {"Bob"}},
      {"exists(web_visit where properties.trial = \"true\")", {"Cat"}},
      {"exists(web_visit where properties.trial != true)", {"Bob", "Cat"}},
      // Present and different: a missing or null property does not count.
      {"exists(web_visit where properties.page != \"/pricing\")", {"Bob"}},
      {"exists(web_visit where properties.page in (\"/blog\", \"/x\"))", {"Bob"}},
      {"exists(purchase where channel = \"store\")", {"Ann"}},
      {"exists(purchase where channel != \"web\")", {"Ann"}},
      {"exists(purchase where currency in (\"USD\", \"GBP\"))", {"Bob"}},
      {"exists(purchase where currency != \"EUR\")", {"Bob"}},
      {"count(purchase where channel = \"web\" and currency = \"EUR\") = 1", {"Ann"}},
  });
}

TEST_F(SqlCasesTest, BirthdaysMatchYearlyAcrossYearEndAndLeapDays) {
  // Ann 11-25, Cat 2000-02-29, Dan 01-02, Eve 12-28.
  Run({
      {"birthday within next 7 days", {"Ann"}},
      {"birthday within next 2 days", {}},
      {"birthday within next 3 days", {"Ann"}},
      {"birthday within last 3 days", {"Ann"}, kToday + 4},
      {"birthday within last 3 days", {}, kToday + 5},
      {"birthday within next 7 days", {"Dan"}, Day(2026, 12, 30)},
      {"birthday within last 7 days", {"Dan", "Eve"}, Day(2027, 1, 2)},
      {"birthday within last 1 days", {"Dan"}, Day(2027, 1, 2)},
      // 29 February is celebrated on 28 February in common years only.
      {"birthday within next 2 days", {"Cat"}, Day(2027, 2, 27)},
      {"birthday within next 2 days", {}, Day(2028, 2, 27)},
      {"birthday within next 3 days", {"Cat"}, Day(2028, 2, 27)},
      {"birthday within last 1 days", {"Cat"}, Day(2027, 2, 28)},
      {"birthday within last 1 days", {}, Day(2028, 2, 28)},
      {"birthday within last 2 days", {"Cat"}, Day(2027, 3, 1)},
      {"birthday within next 7 days", {}, Day(2027, 3, 1)},
      {"birthday within next 400 days", {"Ann", "Cat", "Dan", "Eve"}},
      {"anniversary(custom.renewal) within next 3 days", {"Ann"}, Day(2027, 11, 29)},
      {"anniversary(custom.renewal) within last 20 days", {"Eve"}, Day(2030, 11, 20)},
  });
}

TEST_F(SqlCasesTest, BooleanStructure) {
  Run({
      {"not (tag \"vip\" or custom.vip = false)", {"Cat", "Dan"}},
      {"not custom.tier = \"gold\" and not email is not set", {"Bob", "Dan", "Eve"}},
      {"(count(purchase) < 2 or company.size >= 50) and not exists(email_opened, last 30 days)",
       {"Ann", "Eve"}},
  });
}

TEST_F(SqlTest, ParametersAreNumberedFromFirstParam) {
  Rule r = Parse("tag \"vip\" and count(purchase, last 30 days) >= 2 and email = \"x\"");
  auto pred = CompileSql(r, store::Dialect::kSqlite, WorkspaceId(1), kToday, 5);
  ASSERT_TRUE(pred.has_value());
  std::set<int> used;
  std::regex placeholder(R"(\$(\d+))");
  for (auto it = std::sregex_iterator(pred->sql.begin(), pred->sql.end(), placeholder);
       it != std::sregex_iterator(); ++it) {
    used.insert(std::stoi((*it)[1]));
  }
  ASSERT_FALSE(used.empty());
  EXPECT_EQ(*used.begin(), 5);
  EXPECT_EQ(*used.rbegin(), 5 + static_cast<int>(pred->params.size()) - 1);
  EXPECT_EQ(used.size(), pred->params.size());
}

TEST_F(SqlTest, ScoresAreNotAvailableYet) {
  catalog_.scores = {"churn_risk"};
  Rule r;
  r.kind = Rule::Kind::kField;
  r.field = "churn_risk";
  r.op = Op::kGt;
  r.values = {Decimal{7, 1}};
  ASSERT_TRUE(Check(r, catalog_).empty());
  auto pred = CompileSql(r, store::Dialect::kSqlite, WorkspaceId(1), kToday);
  ASSERT_FALSE(pred.has_value());
  EXPECT_EQ(pred.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(pred.error().message(), "scores are not available yet");
}

TEST_F(SqlTest, UncheckedTreesAreRefused) {
  Rule r;
  r.kind = Rule::Kind::kField;
  r.field = "email";
  r.op = Op::kEq;
  r.values = {std::string("x")};
  r.bound.field.column = "email; DROP TABLE contacts";
  EXPECT_FALSE(CompileSql(r, store::Dialect::kSqlite, WorkspaceId(1), kToday).has_value());
}

TEST_F(SqlTest, MembersQueryShape) {
  auto q =
      CompileMembersQuery(Parse("tag \"vip\""), store::Dialect::kSqlite, WorkspaceId(1), kToday);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->sql,
            "SELECT c.id FROM contacts c WHERE c.workspace_id = $1 AND (c.id IN (SELECT "
            "ct.contact_id FROM contact_tags ct WHERE ct.tag_id = $2)) ORDER BY c.id");
  EXPECT_EQ(q->params, (store::Params{int64_t{1}, int64_t{7}}));
}

TEST_F(SqlTest, PostgresSqlShape) {
  auto pg = [&](const std::string& text) {
    auto pred = CompileSql(Parse(text), store::Dialect::kPostgres, WorkspaceId(1), kToday);
    EXPECT_TRUE(pred.has_value());
    return pred.has_value() ? pred->sql : "";
  };
  EXPECT_EQ(pg("email < \"b\""), "(c.email IS NOT NULL AND c.email < $2::text COLLATE \"C\")");
  EXPECT_EQ(pg("email = \"b\""), "(c.email IS NOT NULL AND c.email = $2::text)");
  EXPECT_EQ(pg("email contains \"B\""),
            "(c.email IS NOT NULL AND strpos(translate(c.email, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
            "'abcdefghijklmnopqrstuvwxyz'), translate($2::text, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
            "'abcdefghijklmnopqrstuvwxyz')) > 0)");
  EXPECT_EQ(pg("custom.score > 7.5"),
            "(COALESCE(jsonb_typeof(c.custom -> $2::text), '') = 'number' AND (c.custom -> "
            "$2::text) > to_jsonb($3::numeric))");
  EXPECT_EQ(pg("custom.vip = true"),
            "(COALESCE(jsonb_typeof(c.custom -> $2::text), '') = 'boolean' AND (c.custom ->> "
            "$2::text) = $3::text)");
  EXPECT_THAT(pg("custom.renewal before 2026-12-01"),
              HasSubstr("(c.custom ->> $2::text) <= $3::text COLLATE \"C\""));
  EXPECT_THAT(pg("exists(web_visit where properties.trial = 1)"),
              HasSubstr("(a.properties -> $4::text) = to_jsonb($5::numeric)"));
  EXPECT_THAT(pg("exists(web_visit where properties.trial = true)"),
              HasSubstr("jsonb_typeof(a.properties -> $4::text) = 'boolean'"));
  EXPECT_EQ(pg("sum(purchase.amount, last 30 days) <= 100"),
            "c.id NOT IN (SELECT a.contact_id FROM activities a WHERE a.workspace_id = $2::bigint "
            "AND a.contact_id IS NOT NULL AND a.type = $3::text AND a.occurred_at >= $4::bigint "
            "AND a.occurred_at < $5::bigint GROUP BY a.contact_id HAVING NOT "
            "(COALESCE(sum(a.amount), 0) <= $6::bigint))");
  EXPECT_THAT(pg("company.relationship = \"partner\""),
              HasSubstr("c.company_id IN (SELECT co.id FROM companies co WHERE co.workspace_id = "
                        "$2::bigint AND (co.relationship IS NOT NULL AND co.relationship = "
                        "$3::text)))"));
  auto q =
      CompileMembersQuery(Parse("tag \"vip\""), store::Dialect::kPostgres, WorkspaceId(1), kToday);
  ASSERT_TRUE(q.has_value());
  EXPECT_THAT(q->sql, HasSubstr("WHERE c.workspace_id = $1::bigint AND (c.id IN (SELECT"));
}

TEST_F(SqlTest, WindowBoundsAreWholeUtcDays) {
  auto pred = CompileSql(Parse("exists(purchase, last 30 days)"), store::Dialect::kSqlite,
                         WorkspaceId(1), kToday);
  ASSERT_TRUE(pred.has_value());
  // [ws, type, from, to): from the start of today-29 to the start of tomorrow.
  ASSERT_EQ(pred->params.size(), 4u);
  EXPECT_EQ(pred->params[2], store::Value(At(kToday - 29, 0)));
  EXPECT_EQ(pred->params[3], store::Value(At(kToday + 1, 0)));
}

TEST_F(SqlTest, AnniversaryOfAWholeYearNeedsNoDayList) {
  auto pred = CompileSql(Parse("birthday within next 366 days"), store::Dialect::kSqlite,
                         WorkspaceId(1), kToday);
  ASSERT_TRUE(pred.has_value());
  EXPECT_EQ(pred->sql, "(c.birthday IS NOT NULL AND 1 = 1)");
  auto week = CompileSql(Parse("birthday within next 7 days"), store::Dialect::kSqlite,
                         WorkspaceId(1), kToday);
  ASSERT_TRUE(week.has_value());
  EXPECT_THAT(week->sql, HasSubstr("substr(c.birthday, 6, 5) IN ("));
  EXPECT_EQ(week->params.size(), 7u);
}

}  // namespace
}  // namespace rapport::segments
