#include "engine/engine.h"

#include <gtest/gtest.h>

#include "engine/state.h"
#include "segments/catalog.h"
#include "segments/check.h"
#include "segments/text.h"
#include "store/change_feed.h"
#include "testing/temp_store.h"

namespace rapport::engine {
namespace {

constexpr int64_t kDay = 86'400'000'000;
constexpr WorkspaceId kWs{1};
// 2026-11-23, the day of testing::kTestNow.
constexpr int32_t kToday = static_cast<int32_t>(testing::kTestNow / kDay);

class EngineTest : public ::testing::Test {
 protected:
  void Exec(const std::string& sql, const store::Params& params = {}) {
    Status s = store().Write([&](store::Txn& t) { return t.Exec(sql, params).status(); });
    ASSERT_TRUE(s.ok()) << s.message() << "\n" << sql;
  }
  // Writes in one transaction with a change-feed entry, like a service does.
  void Change(const std::string& sql, const store::Params& params, const char* entity, int64_t id,
              store::ChangeKind kind) {
    Status s = store().Write([&](store::Txn& t) -> Status {
      if (!sql.empty()) RETURN_IF_ERROR(t.Exec(sql, params).status());
      return store::AppendChange(t, kWs, entity, id, kind, testing::kTestNow);
    });
    ASSERT_TRUE(s.ok()) << s.message();
  }
  int64_t Contact(const std::string& email, const std::string& extra_cols = "",
                  const std::string& extra_vals = "") {
    auto r = store().Write([&](store::Txn& t) -> Result<int64_t> {
      ASSIGN_OR_RETURN(auto row,
                       t.QueryOne("INSERT INTO contacts (workspace_id, email, lifecycle_stage, "
                                  "created_at, updated_at" +
                                      extra_cols + ") VALUES (1, $1, 'lead', $2, $2" + extra_vals +
                                      ") RETURNING id",
                                  {email, testing::kTestNow - 10 * kDay}));
      return row->Int(0);
    });
    EXPECT_TRUE(r.has_value());
    return r.value();
  }
  void Activity(int64_t contact, const std::string& type, int32_t day,
                std::optional<int64_t> amount = std::nullopt, const std::string& props = "{}",
                const std::string& channel = "web") {
    Exec(
        "INSERT INTO activities (workspace_id, contact_id, type, channel, occurred_at, amount, "
        "currency, properties, recorded_at) VALUES (1, $1, $2, $3, $4, $5, $6, $7, 0)",
        {contact, type, channel, int64_t{day} * kDay + 3600'000'000,
         amount ? store::Value(*amount) : store::Null{},
         amount ? store::Value(std::string("EUR")) : store::Null{}, props});
  }
  void AddActivityLive(int64_t contact, const std::string& type, int32_t day,
                       std::optional<int64_t> amount = std::nullopt,
                       const std::string& props = "{}") {
    auto id = store().Write([&](store::Txn& t) -> Result<int64_t> {
      ASSIGN_OR_RETURN(
          auto row,
          t.QueryOne(
              "INSERT INTO activities (workspace_id, contact_id, type, channel, occurred_at, "
              "amount, currency, properties, recorded_at) VALUES (1, $1, $2, 'web', $3, $4, "
              "$5, $6, 0) RETURNING id",
              {contact, type, int64_t{day} * kDay, amount ? store::Value(*amount) : store::Null{},
               amount ? store::Value(std::string("EUR")) : store::Null{}, props}));
      RETURN_IF_ERROR(store::AppendChange(t, kWs, "activity", row->Int(0),
                                          store::ChangeKind::kCreated, testing::kTestNow));
      return row->Int(0);
    });
    ASSERT_TRUE(id.has_value());
  }
  // n purchases of 0.01 on the last 50 days, in one transaction, fed as one run of ids
  // (as a batch is).
  void AddManyLive(int64_t contact, int n) {
    Status s = store().Write([&](store::Txn& t) -> Status {
      std::vector<int64_t> ids;
      for (int i = 0; i < n; ++i) {
        ASSIGN_OR_RETURN(
            auto row,
            t.QueryOne("INSERT INTO activities (workspace_id, contact_id, type, channel, "
                       "occurred_at, amount, currency, recorded_at) VALUES (1, $1, 'purchase', "
                       "'web', $2, 1, 'EUR', 0) RETURNING id",
                       {contact, int64_t{kToday - (i % 50)} * kDay}));
        ids.push_back(row->Int(0));
      }
      return store::AppendChanges(t, kWs, "activity", ids, store::ChangeKind::kCreated,
                                  testing::kTestNow);
    });
    ASSERT_TRUE(s.ok()) << s.message();
  }
  std::vector<int64_t> ApplyAll() {
    auto r = store().Read([&](store::Txn& t) -> Result<std::vector<int64_t>> {
      ASSIGN_OR_RETURN(auto changes, store::ReadChanges(t, engine_->Stats().applied_seq, 100000));
      return engine_->Apply(t, changes);
    });
    EXPECT_TRUE(r.has_value()) << r.error().message();
    return r.has_value() ? r.value() : std::vector<int64_t>{};
  }
  void Build() {
    auto e = Engine::Build(store(), kWs);
    ASSERT_TRUE(e.has_value()) << e.error().message();
    engine_ = std::move(e).value();
  }
  segments::Rule Checked(const std::string& text) {
    auto parsed = segments::ParseText(text);
    EXPECT_TRUE(parsed.errors.empty()) << text << ": " << parsed.errors[0].message;
    segments::Rule rule = *parsed.rule;
    auto cat = store().Read([&](store::Txn& t) { return segments::LoadCatalog(t, kWs); });
    EXPECT_TRUE(cat.has_value());
    auto errors = segments::Check(rule, *cat);
    EXPECT_TRUE(errors.empty()) << text << ": " << errors[0].message;
    return rule;
  }
  std::vector<int64_t> Members(const std::string& text, int32_t today = kToday) {
    segments::Rule rule = Checked(text);
    auto r = engine_->Evaluate(rule, today);
    EXPECT_TRUE(r.has_value()) << text << ": " << r.error().message();
    if (!r.has_value()) return {};
    auto count = engine_->Count(rule, today);
    EXPECT_EQ(*count, static_cast<int64_t>(r->size())) << text;
    // The one-contact path agrees with the bulk path for every contact.
    auto all = store().Read([&](store::Txn& t) { return t.Query("SELECT id FROM contacts"); });
    for (const auto& row : *all) {
      bool member = std::binary_search(r->begin(), r->end(), row.Int(0));
      EXPECT_EQ(*engine_->Matches(rule, row.Int(0), today), member) << text << " #" << row.Int(0);
    }
    return *r;
  }
  store::Store& store() { return ts_.store(); }

  testing::TempStore ts_;
  std::unique_ptr<Engine> engine_;
};

using Ids = std::vector<int64_t>;

TEST_F(EngineTest, FieldsTagsAndCompanies) {
  Exec(
      "INSERT INTO custom_fields (workspace_id, entity, key, label, type, created_at, updated_at) "
      "VALUES (1, 'contact', 'score', 'Score', 'number', 0, 0), "
      "(1, 'contact', 'vip', 'VIP', 'boolean', 0, 0), "
      "(1, 'company', 'region', 'Region', 'text', 0, 0)");
  Exec(
      "INSERT INTO companies (id, workspace_id, name, relationship, size, custom, created_at, "
      "updated_at) VALUES (7, 1, 'Acme', 'distributor', 50, '{\"region\":\"EU\"}', 0, 0)");
  int64_t a = Contact("Ann@Example.com", ", company_id, custom, last_name",
                      ", 7, '{\"score\":2,\"vip\":true}', 'Zed'");
  int64_t b = Contact("bob@test.org", ", custom", ", '{\"score\":2.5}'");
  int64_t c = Contact("carl@example.net");
  Exec("INSERT INTO tags (id, workspace_id, name, created_at) VALUES (3, 1, 'vip', 0)");
  Exec("INSERT INTO contact_tags (tag_id, contact_id, workspace_id) VALUES (3, $1, 1)", {b});
  Build();

  EXPECT_EQ(Members("email contains \"EXAMPLE\""), (Ids{a, c}));
  EXPECT_EQ(Members("email starts_with \"BOB\""), (Ids{b}));
  EXPECT_EQ(Members("email = \"ann@example.com\""), Ids{});  // exact bytes
  EXPECT_EQ(Members("last_name != \"Zed\""), Ids{});         // unset is never !=
  EXPECT_EQ(Members("last_name is not set"), (Ids{b, c}));
  EXPECT_EQ(Members("tag \"vip\""), (Ids{b}));
  EXPECT_EQ(Members("not tag \"vip\""), (Ids{a, c}));
  EXPECT_EQ(Members("company.relationship = \"distributor\" and company.size >= 50"), (Ids{a}));
  EXPECT_EQ(Members("company.custom.region = \"EU\""), (Ids{a}));
  EXPECT_EQ(Members("company.size is not set"), (Ids{b, c}));
  EXPECT_EQ(Members("custom.score > 2"), (Ids{b}));
  EXPECT_EQ(Members("custom.score = 2.0"), (Ids{a}));
  EXPECT_EQ(Members("custom.score between 2 and 2.5"), (Ids{a, b}));
  EXPECT_EQ(Members("custom.vip = true"), (Ids{a}));
  EXPECT_EQ(Members("created_at within last 10 days"), Ids{});
  EXPECT_EQ(Members("created_at within last 11 days"), (Ids{a, b, c}));
  EXPECT_EQ(Members("company_id = 7 or lifecycle_stage in (\"customer\")"), (Ids{a}));
}

TEST_F(EngineTest, ActivityWindowsAndExactMoney) {
  int64_t a = Contact("a@x.io"), b = Contact("b@x.io"), c = Contact("c@x.io");
  Activity(a, "purchase", kToday - 89, 10000);
  Activity(a, "purchase", kToday - 10, 10000);  // exactly 200.00 in the last 90 days
  Activity(b, "purchase", kToday - 90, 50000);  // one day outside the window
  Activity(b, "purchase", kToday, 20001);
  Activity(b, "purchase", kToday + 1, 99999);  // future-dated: outside last N days
  Activity(c, "email_opened", kToday - 29);
  Build();

  EXPECT_EQ(Members("sum(purchase.amount, last 90 days) > 200.00"), (Ids{b}));
  EXPECT_EQ(Members("sum(purchase.amount, last 90 days) >= 200.00"), (Ids{a, b}));
  EXPECT_EQ(Members("sum(purchase.amount, last 90 days) = 200"), (Ids{a}));
  EXPECT_EQ(Members("count(purchase, last 90 days) < 2"), (Ids{b, c}));  // none counts as 0
  EXPECT_EQ(Members("count(purchase) = 3"), (Ids{b}));
  EXPECT_EQ(Members("exists(email_opened, last 30 days)"), (Ids{c}));
  EXPECT_EQ(Members("exists(email_opened, last 29 days)"), Ids{});
  EXPECT_EQ(Members("last(purchase) before 80 days ago"), Ids{});
  EXPECT_EQ(Members("first(purchase) before 89 days ago"), (Ids{b}));
  EXPECT_EQ(Members("first(purchase) within last 90 days"), (Ids{a}));
  EXPECT_EQ(Members("not exists(purchase)"), (Ids{c}));
  EXPECT_EQ(Members("count(purchase where channel = \"web\" and currency = \"EUR\") >= 2"),
            (Ids{a, b}));
  EXPECT_EQ(Members("count(purchase where channel != \"web\") = 0"), (Ids{a, b, c}));
}

TEST_F(EngineTest, BirthdaysAndAnniversaries) {
  int64_t leap = Contact("leap@x.io", ", birthday", ", '2000-02-29'");
  int64_t march = Contact("march@x.io", ", birthday", ", '1990-03-01'");
  Contact("none@x.io");
  Build();
  int32_t feb27_2027 = kToday + 96;  // 2026-11-23 + 96 days = 2027-02-27
  EXPECT_EQ(Members("birthday within next 2 days", feb27_2027), (Ids{leap}));
  EXPECT_EQ(Members("birthday within next 1 days", feb27_2027 + 1), (Ids{leap}));
  EXPECT_EQ(Members("birthday within next 1 days", feb27_2027 + 2), (Ids{march}));
  EXPECT_EQ(Members("birthday within last 400 days"), (Ids{leap, march}));
  EXPECT_EQ(Members("birthday before 2000-01-01"), (Ids{march}));
  EXPECT_EQ(Members("birthday is set"), (Ids{leap, march}));
}

TEST_F(EngineTest, PropertyFiltersAreKindSensitive) {
  int64_t a = Contact("a@x.io"), b = Contact("b@x.io"), c = Contact("c@x.io");
  Activity(a, "web_visit", kToday, std::nullopt, R"({"page":"/pricing","n":2,"ok":true})");
  Activity(b, "web_visit", kToday, std::nullopt, R"({"page":"/Pricing","n":2.0,"ok":1})");
  Activity(c, "web_visit", kToday, std::nullopt, R"({"n":null})");
  Build();
  EXPECT_EQ(Members("exists(web_visit where properties.page = \"/pricing\")"), (Ids{a}));
  EXPECT_EQ(Members("exists(web_visit where properties.page != \"/pricing\")"), (Ids{b}));
  EXPECT_EQ(Members("exists(web_visit where properties.n = 2)"), (Ids{a, b}));
  EXPECT_EQ(Members("exists(web_visit where properties.ok = true)"), (Ids{a}));
  EXPECT_EQ(Members("exists(web_visit where properties.ok != true)"), (Ids{b}));
  EXPECT_EQ(Members("exists(web_visit where properties.n in (1, 3))"), Ids{});

  // New activities keep a built property column current (delta path).
  AddActivityLive(c, "web_visit", kToday, std::nullopt, R"({"page":"/pricing"})");
  EXPECT_EQ(ApplyAll(), (Ids{c}));
  EXPECT_EQ(Members("exists(web_visit where properties.page = \"/pricing\")"), (Ids{a, c}));
}

TEST_F(EngineTest, ApplyKeepsTheIndexCurrent) {
  int64_t a = Contact("a@x.io"), b = Contact("b@x.io");
  Activity(a, "purchase", kToday - 5, 100);
  Exec("INSERT INTO tags (id, workspace_id, name, created_at) VALUES (3, 1, 'vip', 0)");
  Build();
  EXPECT_EQ(engine_->Stats().contacts, 2);
  EXPECT_EQ(engine_->Stats().activities, 1);

  AddActivityLive(b, "purchase", kToday - 1, 500);
  EXPECT_EQ(ApplyAll(), (Ids{b}));
  EXPECT_EQ(Members("count(purchase, last 7 days) >= 1"), (Ids{a, b}));
  EXPECT_EQ(Members("sum(purchase.amount) = 5.00"), (Ids{b}));

  Change("UPDATE contacts SET lifecycle_stage = 'customer' WHERE id = $1", {a}, "contact", a,
         store::ChangeKind::kUpdated);
  Change("INSERT INTO contact_tags (tag_id, contact_id, workspace_id) VALUES (3, $1, 1)", {b},
         "contact", b, store::ChangeKind::kUpdated);
  int64_t c = Contact("c@x.io");
  Change("", {}, "contact", c, store::ChangeKind::kCreated);
  EXPECT_EQ(ApplyAll(), (Ids{a, b, c}));
  EXPECT_EQ(Members("lifecycle_stage = \"customer\""), (Ids{a}));
  EXPECT_EQ(Members("tag \"vip\""), (Ids{b}));
  EXPECT_EQ(Members("not exists(purchase)"), (Ids{c}));

  Change("DELETE FROM contact_tags WHERE contact_id = $1", {b}, "contact", b,
         store::ChangeKind::kUpdated);
  Change("DELETE FROM contacts WHERE id = $1", {a}, "contact", a, store::ChangeKind::kDeleted);
  EXPECT_EQ(ApplyAll(), (Ids{a, b}));
  EXPECT_EQ(Members("tag \"vip\""), Ids{});
  EXPECT_EQ(Members("lifecycle_stage = \"lead\""), (Ids{b, c}));
  EXPECT_EQ(Members("exists(purchase)"), (Ids{b}));
  EXPECT_FALSE(*engine_->Matches(Checked("lifecycle_stage = \"customer\""), a, kToday));

  // Enough new activities to compact the delta into the arrays; results are unchanged.
  AddManyLive(c, 1100);
  EXPECT_EQ(ApplyAll(), (Ids{c}));
  EXPECT_EQ(Members("count(purchase, last 10 days) = 220"), (Ids{c}));
  EXPECT_EQ(Members("sum(purchase.amount) >= 5.00"), (Ids{b, c}));
  EngineStats st = engine_->Stats();
  EXPECT_EQ(st.contacts, 2);
  EXPECT_EQ(st.activities, 1102);
  EXPECT_GT(st.memory_bytes, 1000u);
  EXPECT_LT(st.memory_bytes, 10u << 20);
}

TEST_F(EngineTest, CandidateRestrictionUnderNotAndOr) {
  int64_t a = Contact("a@x.io"), b = Contact("b@x.io"), c = Contact("c@x.io"),
          d = Contact("d@x.io");
  Exec("INSERT INTO tags (id, workspace_id, name, created_at) VALUES (3, 1, 'vip', 0)");
  Exec("INSERT INTO contact_tags (tag_id, contact_id, workspace_id) VALUES (3, $1, 1), (3, $2, 1)",
       {a, b});
  Activity(a, "purchase", kToday - 3, 100);
  Activity(c, "purchase", kToday - 40, 100);
  Activity(d, "email_opened", kToday - 1);
  Build();
  EXPECT_EQ(Members("tag \"vip\" and exists(purchase, last 7 days)"), (Ids{a}));
  EXPECT_EQ(Members("not (tag \"vip\" and exists(purchase, last 7 days))"), (Ids{b, c, d}));
  EXPECT_EQ(Members("tag \"vip\" or exists(purchase, last 60 days)"), (Ids{a, b, c}));
  EXPECT_EQ(Members("not exists(purchase, last 7 days) or tag \"vip\""), (Ids{a, b, c, d}));
  EXPECT_EQ(Members("tag \"vip\" and not exists(purchase, last 60 days)"), (Ids{b}));
  EXPECT_EQ(Members("count(purchase, last 60 days) < 1 and not tag \"vip\""), (Ids{d}));
  // exists() answered from each contact's latest day: no row lies after the window.
  EXPECT_EQ(Members("exists(email_opened, last 2 days)"), (Ids{d}));
  EXPECT_EQ(Members("exists(email_opened, last 1 days)"), Ids{});
  EXPECT_EQ(Members("not exists(email_opened, last 1 days)"), (Ids{a, b, c, d}));
  EXPECT_EQ(Members("exists(email_opened, last 2 days)", kToday - 1), (Ids{d}));
  EXPECT_EQ(Members("exists(email_opened, last 1 days)", kToday - 2), Ids{});

  // New rows move a contact's latest day forward (delta), including a future-dated one.
  AddActivityLive(b, "email_opened", kToday);
  AddActivityLive(c, "email_opened", kToday + 5);
  EXPECT_EQ(ApplyAll(), (Ids{b, c}));
  EXPECT_EQ(Members("exists(email_opened, last 1 days)"), (Ids{b}));
  EXPECT_EQ(Members("exists(email_opened, last 2 days)"), (Ids{b, d}));
  EXPECT_EQ(Members("exists(email_opened)"), (Ids{b, c, d}));
  EXPECT_EQ(Members("count(email_opened, last 10 days) >= 1 and not tag \"vip\""), (Ids{d}));
}

TEST_F(EngineTest, DaysFarApartAndWindowsAtTheEdges) {
  int64_t a = Contact("a@x.io"), b = Contact("b@x.io"), c = Contact("c@x.io");
  // More than 65535 days between a type's first and last row: plain day layout.
  Activity(a, "purchase", 0, 100);
  Activity(a, "purchase", 70000, 200);
  Activity(b, "purchase", kToday - 1, 300);
  // A compact layout; windows that start before its first row or end after its last.
  Activity(b, "web_visit", kToday - 30, std::nullopt, R"({"page":"/pricing"})");
  Activity(b, "web_visit", kToday - 29, std::nullopt, R"({"page":"/pricing"})");
  Activity(c, "web_visit", kToday, std::nullopt, R"({"page":"/home"})");
  Build();
  EXPECT_EQ(Members("count(purchase) = 2"), (Ids{a}));
  EXPECT_EQ(Members("exists(purchase, between 1970-01-01 and 1970-01-01)"), (Ids{a}));
  EXPECT_EQ(Members("exists(purchase, last 3 days)"), (Ids{b}));
  EXPECT_EQ(Members("sum(purchase.amount, last 36600 days) = 1"), (Ids{a}));  // not day 70000
  EXPECT_EQ(Members("last(purchase) after 2100-01-01"), (Ids{a}));
  EXPECT_EQ(Members("count(web_visit, last 31 days) >= 2"), (Ids{b}));
  EXPECT_EQ(Members("count(web_visit, last 30 days) >= 2"), Ids{});
  EXPECT_EQ(Members("count(web_visit where properties.page = \"/pricing\", last 31 days) >= 2"),
            (Ids{b}));
  EXPECT_EQ(Members("count(web_visit where properties.page = \"/pricing\", last 30 days) < 2"),
            (Ids{a, b, c}));
  EXPECT_EQ(Members("exists(web_visit, between 1900-01-01 and 2200-01-01)"), (Ids{b, c}));
  EXPECT_EQ(Members("first(web_visit) within last 30 days"), (Ids{c}));

  // Delta rows outside the arrays' day range, then a compaction that must widen the days.
  AddActivityLive(b, "web_visit", 10, std::nullopt, R"({"page":"/pricing"})");
  AddActivityLive(c, "web_visit", kToday + 70000);
  EXPECT_EQ(ApplyAll(), (Ids{b, c}));
  EXPECT_EQ(Members("count(web_visit where properties.page = \"/pricing\") >= 3"), (Ids{b}));
  EXPECT_EQ(Members("last(web_visit) after 2100-01-01"), (Ids{c}));
  EXPECT_EQ(Members("exists(web_visit, last 1 days)"), (Ids{c}));
  AddManyLive(a, 1100);
  EXPECT_EQ(ApplyAll(), (Ids{a}));
  AddActivityLive(a, "purchase", -5, 7);
  EXPECT_EQ(ApplyAll(), (Ids{a}));
  EXPECT_EQ(Members("count(purchase) >= 1103"), (Ids{a}));
  EXPECT_EQ(Members("first(purchase) before 1970-01-01"), (Ids{a}));
  EXPECT_EQ(Members("count(purchase, last 50 days) = 1100"), (Ids{a}));
}

// Short unfiltered windows over a type with amounts read the type's recent view: windows
// at and across its first day, sums past int64, empty aggregates, delta rows, later days.
TEST_F(EngineTest, RecentViewWindows) {
  // More contacts than rows in the windows, so the view is the cheaper path.
  Ids all;
  for (int i = 0; i < 8; ++i) all.push_back(Contact("c" + std::to_string(i) + "@x.io"));
  const int64_t a = all[0], b = all[1], c = all[2], e = all[3];
  Activity(a, "purchase", kToday - 5, 100);
  Activity(a, "purchase", kToday - 100, 200);
  Activity(a, "purchase", kToday - 450, 5000);
  Activity(b, "purchase", kToday - 1, INT64_MAX);
  Activity(b, "purchase", kToday - 2, 1);
  Activity(e, "purchase", kToday - 400, 7);   // the view's first day: the latest day - 399
  Activity(e, "purchase", kToday - 401, 11);  // the day before
  Build();
  // b's sum exceeds int64 and is decided in 128 bits.
  EXPECT_EQ(Members("sum(purchase.amount, last 10 days) > 1.00"), (Ids{b}));
  EXPECT_EQ(Members("sum(purchase.amount, last 10 days) > 0.50"), (Ids{a, b}));
  EXPECT_EQ(Members("count(purchase, last 10 days) = 2"), (Ids{b}));
  EXPECT_EQ(Members("exists(purchase, last 10 days)"), (Ids{a, b}));
  Ids not_b = all;
  not_b.erase(not_b.begin() + 1);
  EXPECT_EQ(Members("sum(purchase.amount, last 10 days) < 1.01"), not_b);
  EXPECT_EQ(Members("count(purchase, last 10 days) <= 1"), not_b);
  Ids not_a(all.begin() + 1, all.end());
  EXPECT_EQ(Members("sum(purchase.amount, last 10 days) != 1.00"), not_a);
  EXPECT_EQ(Members("sum(purchase.amount, last 10 days) between 0.50 and 1.00"), (Ids{a}));
  EXPECT_EQ(Members("sum(purchase.amount, last 10 days) >= 1.00"), (Ids{a, b}));
  EXPECT_EQ(Members("sum(purchase.amount, last 10 days) <= 0.99"), Ids(all.begin() + 2, all.end()));
  EXPECT_EQ(Members("sum(purchase.amount, last 399 days) = 3.00"), (Ids{a}));
  EXPECT_EQ(Members("sum(purchase.amount, last 401 days) = 0.07"), (Ids{e}));
  EXPECT_EQ(Members("sum(purchase.amount, last 402 days) = 0.18"), (Ids{e}));
  EXPECT_EQ(Members("sum(purchase.amount, last 500 days) = 53.00"), (Ids{a}));
  EXPECT_EQ(Members("count(purchase, last 401 days) = 1 and sum(purchase.amount) > 0.10"),
            (Ids{e}));

  // Delta rows: for a contact without rows in the arrays and for one with rows there.
  AddActivityLive(c, "purchase", kToday, 300);
  AddActivityLive(a, "purchase", kToday - 3, 150);
  EXPECT_EQ(ApplyAll(), (Ids{a, c}));
  EXPECT_EQ(Members("sum(purchase.amount, last 10 days) > 2.00"), (Ids{a, b, c}));
  EXPECT_EQ(Members("count(purchase, last 10 days) >= 2"), (Ids{a, b}));
  EXPECT_EQ(Members("count(purchase, last 10 days) = 0"),
            (Ids{all[3], all[4], all[5], all[6], all[7]}));
  // Later days: the view still holds every row of the arrays since its first day.
  EXPECT_EQ(Members("sum(purchase.amount, last 10 days) > 0.00", kToday + 8), (Ids{b, c}));
  EXPECT_EQ(Members("sum(purchase.amount, last 30 days) > 0.00", kToday + 100), Ids{});
  EXPECT_EQ(Members("count(purchase, last 30 days) = 0", kToday + 100), all);
}

TEST(ContactTableTest, IndexOfWithGapsInTheIds) {
  ContactTable t;
  EXPECT_EQ(t.IndexOf(1), std::nullopt);
  for (int64_t id : {3, 4, 7, 8, 20}) t.Append(id);
  EXPECT_EQ(t.IndexOf(3), 0u);
  EXPECT_EQ(t.IndexOf(4), 1u);
  EXPECT_EQ(t.IndexOf(7), 2u);
  EXPECT_EQ(t.IndexOf(8), 3u);
  EXPECT_EQ(t.IndexOf(20), 4u);
  for (int64_t id :
       {INT64_MIN, int64_t{0}, int64_t{2}, int64_t{5}, int64_t{9}, int64_t{21}, INT64_MAX}) {
    EXPECT_EQ(t.IndexOf(id), std::nullopt) << id;
  }
}

TEST_F(EngineTest, MatchesRecompilesARuleAtARecycledAddress) {
  int64_t a = Contact("a@x.io"), b = Contact("b@x.io");
  Activity(a, "purchase", kToday, 100);
  Build();
  segments::Rule rule = Checked("exists(purchase)");
  EXPECT_TRUE(*engine_->Matches(rule, a, kToday));
  EXPECT_FALSE(*engine_->Matches(rule, b, kToday));
  rule = Checked("not exists(purchase)");  // same object, another rule
  EXPECT_FALSE(*engine_->Matches(rule, a, kToday));
  EXPECT_TRUE(*engine_->Matches(rule, b, kToday));
  rule = Checked("exists(purchase, last 1 days)");
  EXPECT_TRUE(*engine_->Matches(rule, a, kToday));
  EXPECT_FALSE(*engine_->Matches(rule, a, kToday + 1));  // another day
  // A type and a channel the plan has not seen: the cached plan is rebuilt.
  segments::Rule visits = Checked("count(web_visit where channel != \"web\") >= 1");
  EXPECT_FALSE(*engine_->Matches(visits, b, kToday));
  Status s = store().Write([&](store::Txn& t) -> Status {
    ASSIGN_OR_RETURN(auto row, t.QueryOne("INSERT INTO activities (workspace_id, contact_id, "
                                          "type, channel, occurred_at, recorded_at) VALUES (1, $1, "
                                          "'web_visit', 'app', $2, 0) RETURNING id",
                                          {b, int64_t{kToday} * kDay}));
    return store::AppendChange(t, kWs, "activity", row->Int(0), store::ChangeKind::kCreated,
                               testing::kTestNow);
  });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(ApplyAll(), (Ids{b}));
  EXPECT_TRUE(*engine_->Matches(visits, b, kToday));
}

TEST_F(EngineTest, SegmentMembership) {
  int64_t a = Contact("a@x.io"), b = Contact("b@x.io");
  Exec(
      "INSERT INTO segments (id, workspace_id, name, kind, created_at, updated_at) VALUES "
      "(4, 1, 'vips', 'static', 0, 0)");
  Exec(
      "INSERT INTO segment_members (segment_id, contact_id, workspace_id, entered_at) VALUES "
      "(4, $1, 1, 0)",
      {a});
  Build();
  EXPECT_EQ(Members("in_segment(\"vips\")"), (Ids{a}));
  engine_->SetSegmentMember(4, b, true);
  EXPECT_EQ(Members("in_segment(\"vips\")"), (Ids{a, b}));
  engine_->SetSegmentMembers(4, {b});
  EXPECT_EQ(Members("in_segment(\"vips\")"), (Ids{b}));
  engine_->DropSegment(4);
  EXPECT_EQ(Members("in_segment(\"vips\")"), Ids{});
}

}  // namespace
}  // namespace rapport::engine
