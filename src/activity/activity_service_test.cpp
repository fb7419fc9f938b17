#include <gtest/gtest.h>

#include <random>
#include <set>

#include "accounts/company.h"
#include "activity/activity.h"
#include "activity/activity_test_fixture.h"
#include "common/time_format.h"
#include "testing/temp_store.h"

namespace rapport::activity {
namespace {

TEST_F(ActivityServiceTest, RecordsWithDefaultsAndResolvesContacts) {
  auto a = activities_.Record(ws_, Input("call"));
  ASSERT_TRUE(a.has_value()) << a.error().message();
  EXPECT_EQ(a->activity.channel, "phone");
  EXPECT_EQ(a->activity.occurred_at, kTestNow);

  ActivityInput by_email;
  by_email.type = "web_visit";
  by_email.contact_email = "C1@Example.com";
  EXPECT_EQ(activities_.Record(ws_, by_email)->activity.contact_id.value(), ids_[1]);
  ActivityInput by_ext;
  by_ext.type = "email_opened";
  by_ext.contact_external_id = "ext-4";
  EXPECT_EQ(activities_.Record(ws_, by_ext)->activity.contact_id.value(), ids_[4]);

  ActivityInput unknown;
  unknown.type = "chat";
  unknown.contact_email = "new@example.com";
  auto missing = activities_.Record(ws_, unknown);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(testing::ErrorFields(missing.error()), std::set<std::string>{"contact_email"});
  unknown.upsert_contact = true;
  auto upserted = activities_.Record(ws_, unknown);
  ASSERT_TRUE(upserted.has_value()) << upserted.error().message();
  EXPECT_EQ(contacts_.Get(ws_, ContactId(*upserted->activity.contact_id))->email.value(),
            "new@example.com");
}

TEST_F(ActivityServiceTest, ClientIdMakesRetriesIdempotent) {
  ActivityInput in = Input("note");
  in.client_id = "evt-1";
  in.properties = R"({"body": "Called about renewal"})";
  auto first = activities_.Record(ws_, in);
  ASSERT_TRUE(first.has_value()) << first.error().message();
  auto again = activities_.Record(ws_, in);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->activity.id, first->activity.id);
  EXPECT_EQ(db_.Count("activities"), 1);
  // The aggregate tables get it when it is folded, once, retry or not.
  EXPECT_EQ(db_.Count("contact_activity_days"), 0);
  EXPECT_EQ(FoldAll(), 1);
  EXPECT_EQ(db_.Count("contact_activity_days"), 1);
  EXPECT_TRUE(activities_.Record(ws_, in)->duplicate);
  EXPECT_EQ(FoldAll(), 0);

  // A retry that would create its contact (the email moved to nobody since) is found
  // before the contact is created; one batch holding an id twice stores it once.
  ActivityInput upsert;
  upsert.type = "web_visit";
  upsert.client_id = "evt-2";
  upsert.contact_email = "walk-in@example.com";
  upsert.upsert_contact = true;
  auto stored = activities_.Record(ws_, upsert);
  ASSERT_TRUE(stored.has_value()) << stored.error().message();
  contacts::ContactFields moved;
  moved.email = std::optional<std::string>("moved@example.com");
  ASSERT_TRUE(contacts_.Update(ws_, ContactId(*stored->activity.contact_id), moved, std::nullopt)
                  .has_value());
  int64_t contacts_before = db_.Count("contacts");
  auto retry = activities_.Record(ws_, upsert);
  ASSERT_TRUE(retry.has_value()) << retry.error().message();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->activity.id, stored->activity.id);
  EXPECT_EQ(db_.Count("contacts"), contacts_before);

  ActivityInput twice = Input("call", 2);
  twice.client_id = "evt-3";
  auto batch = activities_.RecordBatch(ws_, {twice, twice, in});
  ASSERT_TRUE(batch.has_value()) << batch.error().message();
  ASSERT_TRUE((*batch)[0].has_value() && (*batch)[1].has_value() && (*batch)[2].has_value());
  EXPECT_FALSE((*batch)[0]->duplicate);
  EXPECT_TRUE((*batch)[1]->duplicate);
  EXPECT_EQ((*batch)[1]->activity.id, (*batch)[0]->activity.id);
  EXPECT_TRUE((*batch)[2]->duplicate);
  EXPECT_EQ((*batch)[2]->activity.id, first->activity.id);
  EXPECT_EQ(db_.Count("activities"), 3);
}

TEST_F(ActivityServiceTest, BadInputIsNamedAndStoresNothing) {
  ActivityInput in = Input("teleport");
  in.channel = "pigeon";
  in.occurred_at = FormatTimestamp(kTestNow + 3600 * kMicrosPerSecond);
  in.amount = Money{kMaxAmount + 1, "EURO"};
  auto r = activities_.Record(ws_, in);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(
      testing::ErrorFields(r.error()),
      (std::set<std::string>{"type", "channel", "occurred_at", "amount.currency", "amount.value"}));
  ActivityInput big = Input("custom");
  big.properties = "{\"x\": \"" + std::string(kMaxPropertiesBytes, 'a') + "\"}";
  EXPECT_EQ(testing::ErrorFields(activities_.Record(ws_, big).error()),
            std::set<std::string>{"properties"});
  EXPECT_EQ(testing::ErrorFields(activities_.Record(ws_, Input("note")).error()),
            std::set<std::string>{"properties.body"});
  EXPECT_EQ(testing::ErrorFields(activities_.Record(ws_, Input("purchase")).error()),
            std::set<std::string>{"amount"});
  ActivityInput nobody;
  nobody.type = "call";
  EXPECT_EQ(testing::ErrorFields(activities_.Record(ws_, nobody).error()),
            std::set<std::string>{"contact_id"});
  EXPECT_EQ(db_.Count("activities"), 0);
  EXPECT_EQ(db_.Count("contact_activity_days"), 0);
  EXPECT_EQ(db_.Count("change_feed"), 5);  // the fixture's contacts only
}

TEST_F(ActivityServiceTest, CustomTypesValidateTheirProperties) {
  CustomType demo;
  demo.name = "demo_booked";
  demo.properties = {{"product", "string"}, {"seats", "number"}};
  demo.required = {"product"};
  ASSERT_TRUE(activities_.CreateType(ws_, demo).has_value());
  EXPECT_EQ(activities_.CreateType(ws_, demo).error().code(), StatusCode::kAlreadyExists);
  ActivityInput in = Input("demo_booked");
  in.properties = R"({"seats": "ten"})";
  EXPECT_EQ(testing::ErrorFields(activities_.Record(ws_, in).error()),
            (std::set<std::string>{"properties.product", "properties.seats"}));
  in.properties = R"({"product": "CRM", "seats": 10})";
  EXPECT_TRUE(activities_.Record(ws_, in).has_value());
}

TEST_F(ActivityServiceTest, BatchFeedsItsNewActivitiesAsRunsOfIds) {
  ActivityInput retried = Input("chat", 1);
  retried.client_id = "retried";
  ASSERT_TRUE(activities_.Record(ws_, retried).has_value());
  ActivityInput upsert = Input("call");
  upsert.contact_id.reset();
  upsert.contact_email = "brand.new@example.com";
  upsert.upsert_contact = true;
  // A rejected item and a new contact in the middle leave the new ids consecutive; the
  // retry's ignored insert takes an id (AUTOINCREMENT), so a run ends there.
  auto r = activities_.RecordBatch(ws_, {Input("call"), Input("nonsense"), upsert, Input("note"),
                                         retried, Input("meeting", 2), Input("email_opened")});
  ASSERT_TRUE(r.has_value());
  std::vector<int64_t> created;
  for (const auto& item : *r) {
    if (item && !item->duplicate) created.push_back(item->activity.id.value);
  }
  ASSERT_EQ(created.size(), 4u);
  EXPECT_EQ(created[1], created[0] + 1);
  EXPECT_EQ(created[3], created[2] + 1);
  auto feed = db_.store().Read([](store::Txn& t) {
    return t.Query(
        "SELECT entity_id, entity_id_last FROM change_feed WHERE entity = 'activity' ORDER BY seq");
  });
  ASSERT_TRUE(feed.has_value());
  std::vector<IdRun> runs;
  for (const auto& row : *feed) runs.push_back({row.Int(0), row.OptInt(1).value_or(row.Int(0))});
  std::vector<IdRun> want{{created[0] - 1, created[0] - 1}};  // the single record before
  for (const IdRun& run : ConsecutiveRuns(created)) want.push_back(run);
  EXPECT_EQ(runs, want);
  EXPECT_LE(runs.size(), 3u);
  EXPECT_TRUE((*feed)[0].IsNull(1));  // one record: no run
}

TEST_F(ActivityServiceTest, BatchKeepsGoodItems) {
  std::vector<ActivityInput> items = {Input("call"), Input("nonsense"), Input("meeting", 1)};
  auto r = activities_.RecordBatch(ws_, items);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE((*r)[0].has_value());
  EXPECT_FALSE((*r)[1].has_value());
  EXPECT_TRUE((*r)[2].has_value());
  EXPECT_EQ(db_.Count("activities"), 2);
  // A rejected item writes nothing, not even the contact it would have created.
  int64_t contacts_before = db_.Count("contacts"), feed_before = db_.Count("change_feed");
  ActivityInput upsert = Input("call");
  upsert.contact_id.reset();
  upsert.contact_email = "new.person@example.com";
  upsert.upsert_contact = true;
  upsert.company_id = 999999;  // no such company
  ActivityInput bad_email = Input("call");
  bad_email.contact_id.reset();
  bad_email.contact_email = "not an email";
  bad_email.upsert_contact = true;
  auto rejected = activities_.RecordBatch(ws_, {upsert, bad_email, Input("note")});
  ASSERT_TRUE(rejected.has_value());
  EXPECT_EQ((*rejected)[0].error().fields().at(0).field, "company_id");
  EXPECT_EQ((*rejected)[1].error().code(), StatusCode::kValidation);
  EXPECT_EQ((*rejected)[2].error().fields().at(0).field, "properties.body");
  EXPECT_EQ(db_.Count("contacts"), contacts_before);
  EXPECT_EQ(db_.Count("change_feed"), feed_before);
  EXPECT_EQ(db_.Count("activities"), 2);
  std::vector<ActivityInput> too_many(kMaxBatch + 1, Input("call"));
  EXPECT_EQ(activities_.RecordBatch(ws_, too_many).error().code(), StatusCode::kInvalidArgument);
}

std::map<std::string, std::array<int64_t, 3>> CountsFromLog(store::Store& store, int64_t contact,
                                                            Micros now) {
  int64_t today = now / kMicrosPerDay;
  auto rows = store
                  .Read([&](store::Txn& t) {
                    return t.Query(
                        "SELECT type, SUM(occurred_at / 86400000000 >= $2 - 29), "
                        "SUM(occurred_at / 86400000000 >= $2 - 89), "
                        "SUM(occurred_at / 86400000000 >= $2 - 364) FROM activities "
                        "WHERE contact_id = $1 GROUP BY type",
                        {contact, today});
                  })
                  .value();
  std::map<std::string, std::array<int64_t, 3>> out;
  for (const auto& r : rows) {
    if (r.Int(3) != 0) out[r.Text(0)] = {r.Int(1), r.Int(2), r.Int(3)};
  }
  return out;
}

// The whole overview recomputed from the raw log.
Aggregates OverviewFromLog(store::Store& store, int64_t contact, Micros now) {
  Aggregates out;
  out.counts = CountsFromLog(store, contact, now);
  Status read = store.Read([&](store::Txn& t) -> Status {
    ASSIGN_OR_RETURN(auto touches, t.Query("SELECT channel, MAX(occurred_at) FROM activities "
                                           "WHERE contact_id = $1 GROUP BY channel",
                                           {contact}));
    for (const auto& r : touches) {
      out.last_touch[r.Text(0)] = r.Int(1);
      out.last_activity_at = std::max(out.last_activity_at.value_or(r.Int(1)), r.Int(1));
    }
    ASSIGN_OR_RETURN(
        auto revenue,
        t.Query("SELECT currency, SUM(type = 'purchase'), "
                "SUM(CASE WHEN type = 'purchase' THEN amount ELSE 0 END), "
                "SUM(type = 'refund'), SUM(CASE WHEN type = 'refund' THEN -amount ELSE 0 END), "
                "MIN(CASE WHEN type = 'purchase' THEN occurred_at END), "
                "MAX(CASE WHEN type = 'purchase' THEN occurred_at END) FROM activities "
                "WHERE contact_id = $1 AND amount IS NOT NULL AND type IN ('purchase', "
                "'refund') GROUP BY currency ORDER BY currency",
                {contact}));
    for (const auto& r : revenue) {
      Revenue rev{r.Text(0), r.Int(1),    r.Int(2),    r.Int(3),
                  r.Int(4),  r.OptInt(5), r.OptInt(6), std::nullopt};
      if (rev.last_purchase_at)
        rev.days_since_last_purchase = (now - *rev.last_purchase_at) / kMicrosPerDay;
      out.revenue.push_back(rev);
    }
    return Status::Ok();
  });
  EXPECT_TRUE(read.ok()) << read.message();
  return out;
}

void ExpectSameOverview(const Aggregates& got, const Aggregates& want, const std::string& what) {
  EXPECT_EQ(got.counts, want.counts) << what;
  EXPECT_EQ(got.last_touch, want.last_touch) << what;
  EXPECT_EQ(got.last_activity_at, want.last_activity_at) << what;
  ASSERT_EQ(got.revenue.size(), want.revenue.size()) << what;
  for (size_t i = 0; i < got.revenue.size(); ++i) {
    const Revenue &g = got.revenue[i], &w = want.revenue[i];
    EXPECT_EQ(std::tie(g.currency, g.order_count, g.total, g.refund_count, g.refund_total,
                       g.first_purchase_at, g.last_purchase_at, g.days_since_last_purchase),
              std::tie(w.currency, w.order_count, w.total, w.refund_count, w.refund_total,
                       w.first_purchase_at, w.last_purchase_at, w.days_since_last_purchase))
        << what << ", " << g.currency;
  }
}

// The incrementally maintained aggregates equal a recomputation from the raw log: the
// overview at any mix of folded and unfolded activities, and the tables once all are folded.
TEST_F(ActivityServiceTest, AggregatesEqualRecomputationOnRandomData) {
  std::mt19937_64 rng(42);
  const char* types[] = {"purchase", "refund", "email_opened", "web_visit", "call", "chat"};
  const char* currencies[] = {"EUR", "USD"};
  std::vector<ActivityInput> items;
  for (int batch = 0; batch < 5; ++batch) {
    std::vector<ActivityInput> some;
    for (int i = 0; i < 600; ++i) {
      ActivityInput in = Input(types[rng() % 6], static_cast<int>(rng() % 5));
      in.occurred_at = FormatTimestamp(kTestNow - static_cast<Micros>(rng() % (800LL * 86400)) *
                                                      kMicrosPerSecond);
      if (*in.type == "purchase" || *in.type == "refund") {
        in.amount = Money{static_cast<int64_t>(rng() % 100000), currencies[rng() % 2]};
      }
      some.push_back(in);
    }
    ASSERT_TRUE(activities_.RecordBatch(ws_, some).has_value());
    items.insert(items.end(), some.begin(), some.end());
    // Part of what is unfolded, so a contact's activities are split between both.
    ASSERT_TRUE(activities_.Fold(static_cast<int64_t>(rng() % 900)).has_value());
    for (int c = 0; c < 5; ++c) {
      ExpectSameOverview(activities_.ContactAggregates(ws_, ContactId(ids_[c])).value(),
                         OverviewFromLog(db_.store(), ids_[c], kTestNow),
                         "batch " + std::to_string(batch) + ", contact " + std::to_string(c));
    }
  }
  EXPECT_GT(db_.Count("contact_channel_touch"), 0);
  FoldAll();
  EXPECT_EQ(db_.Count("activities_unfolded"), 0);
  for (int c = 0; c < 5; ++c) {
    ExpectSameOverview(activities_.ContactAggregates(ws_, ContactId(ids_[c])).value(),
                       OverviewFromLog(db_.store(), ids_[c], kTestNow),
                       "all folded, contact " + std::to_string(c));
  }
  auto query = [&](const std::string& sql) {
    return db_.store().Read([&](store::Txn& t) { return t.Query(sql); }).value();
  };
  auto rows_text = [](const std::vector<store::Row>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) line += r.Text(i) + "|";
      out.push_back(line);
    }
    return out;
  };
  EXPECT_EQ(
      rows_text(
          query("SELECT contact_id, type, day, count FROM contact_activity_days ORDER BY 1, 2, 3")),
      rows_text(query(
          "SELECT contact_id, type, CAST(occurred_at / 86400000000 AS INTEGER) AS d, COUNT(*) "
          "FROM activities WHERE occurred_at / 86400000000 >= recorded_at / 86400000000 - 395 "
          "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")));
  EXPECT_EQ(rows_text(query(
                "SELECT contact_id, channel, last_at FROM contact_channel_touch ORDER BY 1, 2")),
            rows_text(query("SELECT contact_id, channel, MAX(occurred_at) FROM activities GROUP BY "
                            "1, 2 ORDER BY 1, 2")));
  EXPECT_EQ(
      rows_text(query(
          "SELECT contact_id, currency, purchase_count, purchase_total, refund_count, "
          "refund_total, first_purchase_at, last_purchase_at FROM contact_revenue ORDER BY 1, 2")),
      rows_text(
          query("SELECT contact_id, currency, SUM(type = 'purchase'), "
                "SUM(CASE WHEN type = 'purchase' THEN amount ELSE 0 END), SUM(type = 'refund'), "
                "SUM(CASE WHEN type = 'refund' THEN -amount ELSE 0 END), "
                "MIN(CASE WHEN type = 'purchase' THEN occurred_at END), "
                "MAX(CASE WHEN type = 'purchase' THEN occurred_at END) "
                "FROM activities WHERE amount IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2")));
  const std::string as_of = std::to_string(kTestNow / kMicrosPerDay);
  EXPECT_EQ(rows_text(query("SELECT contact_id, type, as_of, c30, c90, c365 FROM "
                            "contact_type_windows ORDER BY 1, 2")),
            rows_text(query("SELECT contact_id, type, " + as_of +
                            ", SUM(occurred_at / 86400000000 >= " + as_of +
                            " - 29), SUM(occurred_at / 86400000000 >= " + as_of +
                            " - 89), SUM(occurred_at / 86400000000 >= " + as_of +
                            " - 364) FROM activities GROUP BY 1, 2 HAVING SUM(occurred_at / "
                            "86400000000 >= " +
                            as_of + " - 395) > 0 ORDER BY 1, 2")));
  // Windowed counts in the overview equal a count over the raw items.
  auto agg = activities_.ContactAggregates(ws_, ContactId(ids_[2])).value();
  int64_t today = kTestNow / kMicrosPerDay;
  std::map<std::string, std::array<int64_t, 3>> expected;
  for (const auto& in : items) {
    if (*in.contact_id != ids_[2]) continue;
    int64_t day = *ParseTimestamp(*in.occurred_at) / kMicrosPerDay;
    auto& e = expected[*in.type];
    e[0] += day >= today - 29;
    e[1] += day >= today - 89;
    e[2] += day >= today - 364;
  }
  for (auto it = expected.begin(); it != expected.end();) {
    it = it->second[2] == 0 ? expected.erase(it) : std::next(it);
  }
  EXPECT_EQ(agg.counts, expected);
}

TEST_F(ActivityServiceTest, TimelineIsNewestFirstFilteredAndPaged) {
  std::vector<ActivityInput> items;
  for (int i = 0; i < 120; ++i) {
    ActivityInput in = Input(i % 3 == 0 ? "email_opened" : "web_visit");
    in.occurred_at = FormatTimestamp(kTestNow - (i % 40) * 3600 * kMicrosPerSecond);  // many ties
    items.push_back(in);
  }
  items.push_back(Input("call", 1));
  ASSERT_TRUE(activities_.RecordBatch(ws_, items).has_value());
  TimelineQuery q;
  q.contact_id = ids_[0];
  q.limit = 7;
  std::set<int64_t> seen;
  Micros last = std::numeric_limits<Micros>::max();
  for (;;) {
    auto page = activities_.Timeline(ws_, q);
    ASSERT_TRUE(page.has_value()) << page.error().message();
    for (const auto& a : page->data) {
      EXPECT_LE(a.occurred_at, last);
      last = a.occurred_at;
      EXPECT_TRUE(seen.insert(a.id.value).second);
    }
    if (!page->next_cursor) break;
    q.cursor = page->next_cursor;
  }
  EXPECT_EQ(seen.size(), 120u);
  TimelineQuery opened;
  opened.contact_id = ids_[0];
  opened.types = {"email_opened"};
  opened.since = kTestNow - 10 * 3600 * kMicrosPerSecond;
  opened.limit = 1000;
  auto page = activities_.Timeline(ws_, opened).value();
  for (const auto& a : page.data) EXPECT_EQ(a.type, "email_opened");
  size_t expected = 0;
  for (int i = 0; i < 120; ++i) expected += i % 3 == 0 && i % 40 <= 10;
  EXPECT_EQ(page.data.size(), expected);
}

// Windowed counts relative to the reader's day, recomputed from the raw log.
// The windows stay exact when days pass without writes (the reader slides them), when a
// write comes on a later day (the writer slides them), and when the clock goes back.
TEST_F(ActivityServiceTest, WindowedCountsFollowTheClockForReadersAndWriters) {
  std::mt19937_64 rng(7);
  const char* types[] = {"email_opened", "web_visit", "call"};
  auto record_some = [&](int n) {
    std::vector<ActivityInput> items;
    for (int i = 0; i < n; ++i) {
      ActivityInput in = Input(types[rng() % 3], static_cast<int>(rng() % 2));
      in.occurred_at = FormatTimestamp(clock_.Now() - static_cast<Micros>(rng() % (400LL * 86400)) *
                                                          kMicrosPerSecond);
      items.push_back(in);
    }
    ASSERT_TRUE(activities_.RecordBatch(ws_, items).has_value());
    // Folded on the writer's day, or left for a reader or a fold on a later day.
    ASSERT_TRUE(activities_.Fold(static_cast<int64_t>(rng() % (n + 1))).has_value());
  };
  auto check = [&](const std::string& when) {
    for (int c = 0; c < 2; ++c) {
      auto agg = activities_.ContactAggregates(ws_, ContactId(ids_[c]));
      ASSERT_TRUE(agg.has_value()) << agg.error().message();
      EXPECT_EQ(agg->counts, CountsFromLog(db_.store(), ids_[c], clock_.Now()))
          << when << ", contact " << c;
    }
  };
  record_some(600);
  check("same day");
  for (int days : {1, 13, 40, 100, 300}) {
    clock_.Advance(days * kMicrosPerDay);
    check("after " + std::to_string(days) + " more days, read only");
    record_some(50);
    check("after a write " + std::to_string(days) + " days later");
  }
  clock_.Advance(-20 * kMicrosPerDay);
  check("clock 20 days back, read only");
  record_some(50);
  check("clock 20 days back, after a write");
  clock_.Advance(30 * kMicrosPerDay);
  check("clock forward again");
  FoldAll();
  check("all folded");
}

TEST_F(ActivityServiceTest, CompanyTimelineAndOverviewCoverItsContactsAndItsOwnActivities) {
  accounts::CompanyService companies(db_.store(), clock_);
  accounts::CompanyFields cf;
  cf.name = std::optional<std::string>("Acme");
  int64_t co = companies.Create(ws_, cf).value().id.value;
  for (int i : {0, 1}) {
    contacts::ContactFields f;
    f.company_id = std::optional<int64_t>(co);
    ASSERT_TRUE(contacts_.Update(ws_, ContactId(ids_[i]), f, std::nullopt).has_value());
  }
  std::mt19937_64 rng(3);
  const char* types[] = {"email_opened", "web_visit", "call", "chat"};
  std::vector<ActivityInput> items;
  for (int i = 0; i < 200; ++i) {
    // Members, an outsider, the company alone, and both (the same row on two paths).
    int who = static_cast<int>(rng() % 4);
    ActivityInput in = Input(types[rng() % 4], who == 3 ? 2 : who);
    if (who == 2) in.contact_id.reset();
    if (who >= 2 || rng() % 5 == 0) in.company_id = co;
    // Many ties on occurred_at, so the id tiebreak is exercised across both paths.
    in.occurred_at = FormatTimestamp(kTestNow - static_cast<Micros>(rng() % 30) * kMicrosPerDay);
    items.push_back(in);
  }
  ASSERT_TRUE(activities_.RecordBatch(ws_, items).has_value());
  // Half of them folded: each contact's are in both indexes.
  ASSERT_EQ(activities_.Fold(100).value(), 100);
  auto ids_from_log = [&](const std::string& filter) {
    std::vector<int64_t> out;
    auto rows = db_.store()
                    .Read([&](store::Txn& t) {
                      return t.Query(
                          "SELECT id FROM activities WHERE (company_id = $1 OR contact_id IN "
                          "($2, $3))" +
                              filter + " ORDER BY occurred_at DESC, id DESC",
                          {co, ids_[0], ids_[1]});
                    })
                    .value();
    for (const auto& r : rows) out.push_back(r.Int(0));
    return out;
  };
  auto page_through = [&](TimelineQuery q) {
    std::vector<int64_t> out;
    for (;;) {
      auto page = activities_.Timeline(ws_, q);
      EXPECT_TRUE(page.has_value()) << page.error().message();
      if (!page) break;
      for (const auto& a : page->data) out.push_back(a.id.value);
      if (!page->next_cursor) break;
      q.cursor = page->next_cursor;
    }
    return out;
  };
  TimelineQuery q;
  q.company_id = co;
  q.limit = 7;
  EXPECT_EQ(page_through(q), ids_from_log(""));
  q.types = {"call", "chat"};
  q.since = kTestNow - 20 * kMicrosPerDay;
  EXPECT_EQ(page_through(q), ids_from_log(" AND type IN ('call', 'chat') AND occurred_at >= " +
                                          std::to_string(kTestNow - 20 * kMicrosPerDay)));

  auto check_overview = [&](const std::string& when) {
    SCOPED_TRACE(when);
    auto agg = activities_.CompanyAggregates(ws_, CompanyId(co)).value();
    auto last = db_.store()
                    .Read([&](store::Txn& t) {
                      return t.QueryOne(
                          "SELECT MAX(occurred_at) FROM activities WHERE company_id = $1 OR "
                          "contact_id IN ($2, $3)",
                          {co, ids_[0], ids_[1]});
                    })
                    .value();
    EXPECT_EQ(agg.last_activity_at, last->OptInt(0));
    // Counts: the members' activities plus the company's own contactless ones.
    auto expected = CountsFromLog(db_.store(), ids_[0], kTestNow);
    for (const auto& [type, c] : CountsFromLog(db_.store(), ids_[1], kTestNow)) {
      for (int i = 0; i < 3; ++i) expected[type][i] += c[i];
    }
    for (const auto& in : items) {
      if (in.contact_id) continue;
      for (int i = 0; i < 3; ++i) ++expected[*in.type][i];  // all within 30 days
    }
    EXPECT_EQ(agg.counts, expected);
  };
  check_overview("half folded");
  FoldAll();
  check_overview("all folded");
  q = TimelineQuery{};
  q.company_id = co;
  q.limit = 9;
  EXPECT_EQ(page_through(q), ids_from_log(""));
}

// A service started over activities an earlier run left unfolded estimates them once it
// counts them, and then follows its own writes and folds.
TEST_F(ActivityServiceTest, UnfoldedEstimateStartsFromWhatIsUnfolded) {
  std::vector<ActivityInput> items(12, Input("call"));
  ASSERT_TRUE(activities_.RecordBatch(ws_, items).has_value());
  ActivityService restarted(db_.store(), clock_, contacts_);
  EXPECT_EQ(restarted.unfolded_estimate(), 0);
  ASSERT_TRUE(restarted.CountUnfolded().ok());
  EXPECT_EQ(restarted.unfolded_estimate(), 12);
  ASSERT_TRUE(restarted.Record(ws_, Input("call")).has_value());
  EXPECT_EQ(restarted.unfolded_estimate(), 13);
  EXPECT_EQ(restarted.Fold(5).value(), 5);
  EXPECT_EQ(restarted.unfolded_estimate(), 8);
}

// Deleting a contact deletes its activities, folded or not, and its aggregates.
TEST_F(ActivityServiceTest, DeletingAContactDeletesItsActivities) {
  std::vector<ActivityInput> items;
  for (int i = 0; i < 40; ++i) items.push_back(Input(i % 2 ? "call" : "web_visit", i % 3 ? 0 : 1));
  ASSERT_TRUE(activities_.RecordBatch(ws_, items).has_value());
  ASSERT_GT(activities_.Fold(15).value(), 0);
  const int64_t of_first = db_.Count("activities WHERE contact_id = " + std::to_string(ids_[0]));
  ASSERT_GT(db_.Count("contact_activities WHERE contact_id = " + std::to_string(ids_[0])), 0);
  ASSERT_GT(db_.Count("activities_unfolded WHERE contact_id = " + std::to_string(ids_[0])), 0);
  ASSERT_TRUE(contacts_.Delete(ws_, ContactId(ids_[0]), std::nullopt).ok());
  EXPECT_EQ(db_.Count("activities WHERE contact_id = " + std::to_string(ids_[0])), 0);
  EXPECT_EQ(db_.Count("activities"), 40 - of_first);
  EXPECT_EQ(db_.Count("contact_channel_touch WHERE contact_id = " + std::to_string(ids_[0])), 0);
  FoldAll();
  EXPECT_EQ(db_.Count("contact_channel_touch WHERE contact_id = " + std::to_string(ids_[0])), 0);
  ExpectSameOverview(activities_.ContactAggregates(ws_, ContactId(ids_[1])).value(),
                     OverviewFromLog(db_.store(), ids_[1], kTestNow), "the other contact");
}

}  // namespace
}  // namespace rapport::activity
