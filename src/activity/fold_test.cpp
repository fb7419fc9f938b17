#include <gtest/gtest.h>

#include "activity/activity.h"
#include "activity/activity_test_fixture.h"
#include "store/migration.h"

namespace rapport::activity {
namespace {

// The migrations a database had before `version`.
std::vector<store::Migration> MigrationsBefore(int version) {
  std::vector<store::Migration> before;
  for (const auto& m : store::SqliteMigrations()) {
    if (m.version < version) before.push_back(m);
  }
  return before;
}

// A database from before V009: its activities arrive folded, in the contact index, and the
// id sequence goes on after the last id ever given (not the last row).
TEST(FoldMigrationTest, ExistingActivitiesAreFoldedAndIdsAreNotReused) {
  rapport::testing::TempStore scratch;
  const std::string path = (scratch.dir() / "v8.db").string();
  {
    auto old = store::SqliteStore::Open({.path = path}, MigrationsBefore(9)).value();
    ASSERT_TRUE(
        old->Write([](store::Txn& t) -> Status {
             RETURN_IF_ERROR(
                 t.Exec("INSERT INTO contacts (id, workspace_id, lifecycle_stage, created_at, "
                        "updated_at) VALUES (7, 1, 'lead', 0, 0)")
                     .status());
             for (int i = 1; i <= 3; ++i) {
               RETURN_IF_ERROR(t.Exec("INSERT INTO activities (workspace_id, contact_id, "
                                      "type, channel, occurred_at, recorded_at) VALUES "
                                      "(1, 7, 'call', 'phone', $1, 0)",
                                      {int64_t{i}})
                                   .status());
             }
             return t.Exec("DELETE FROM activities WHERE id = 3").status();
           })
            .ok());
  }
  auto opened = store::SqliteStore::Open({.path = path}, store::SqliteMigrations());
  ASSERT_TRUE(opened.has_value()) << opened.error().message();
  auto store = std::move(opened).value();
  FakeClock clock(rapport::testing::kTestNow);
  contacts::ContactService contacts(*store, clock);
  ActivityService activities(*store, clock, contacts);
  auto folded = store->Read([](store::Txn& t) {
    return t.QueryOne(
        "SELECT (SELECT COUNT(*) FROM activities), (SELECT COUNT(*) FROM contact_activities), "
        "(SELECT COUNT(*) FROM activities_unfolded)");
  });
  EXPECT_EQ((*folded)->Int(0), 2);
  EXPECT_EQ((*folded)->Int(1), 2);
  EXPECT_EQ((*folded)->Int(2), 0);
  EXPECT_EQ(activities.Fold(10).value(), 0);

  ActivityInput in;
  in.type = "note";
  in.contact_id = 7;
  in.properties = R"({"body": "after the upgrade"})";
  auto added = activities.Record(kDefaultWorkspace, in);
  ASSERT_TRUE(added.has_value()) << added.error().message();
  EXPECT_EQ(added->activity.id.value, 4);
  TimelineQuery q;
  q.contact_id = 7;
  auto page = activities.Timeline(kDefaultWorkspace, q).value();
  ASSERT_EQ(page.data.size(), 3u);
  EXPECT_EQ(page.data[0].id.value, 4);
  EXPECT_EQ(page.data[2].id.value, 1);
  ASSERT_TRUE(contacts.Delete(kDefaultWorkspace, ContactId(7), std::nullopt).ok());
  auto left =
      store->Read([](store::Txn& t) { return t.QueryOne("SELECT COUNT(*) FROM activities"); });
  EXPECT_EQ((*left)->Int(0), 0);
}

// A database from before V010: its folded activities move to contact_activities, those not
// folded yet (that name a contact) to activities_unfolded, and the next fold takes them.
TEST(FoldMigrationTest, FoldedAndUnfoldedActivitiesMoveToTheirTables) {
  rapport::testing::TempStore scratch;
  const std::string path = (scratch.dir() / "v9.db").string();
  {
    auto old = store::SqliteStore::Open({.path = path}, MigrationsBefore(10)).value();
    ASSERT_TRUE(
        old->Write([](store::Txn& t) -> Status {
             RETURN_IF_ERROR(t.Exec("INSERT INTO contacts (id, workspace_id, lifecycle_stage, "
                                    "created_at, updated_at) VALUES (7, 1, 'lead', 0, 0)")
                                 .status());
             RETURN_IF_ERROR(
                 t.Exec("INSERT INTO companies (id, workspace_id, name, relationship, created_at, "
                        "updated_at) VALUES (3, 1, 'Acme', 'customer', 0, 0)")
                     .status());
             // Ids 1-2 folded, 3-4 not, 5 names only a company.
             return t
                 .Exec(
                     "INSERT INTO activities (workspace_id, contact_id, company_id, "
                     "type, channel, occurred_at, recorded_at, folded) VALUES "
                     "(1, 7, NULL, 'call', 'phone', 1, 0, 1), "
                     "(1, 7, NULL, 'call', 'phone', 2, 0, 1), "
                     "(1, 7, NULL, 'note', 'other', 3, 0, 0), "
                     "(1, 7, NULL, 'note', 'other', 4, 0, 0), "
                     "(1, NULL, 3, 'meeting', 'in_person', 5, 0, 0)")
                 .status();
           })
            .ok());
  }
  auto opened = store::SqliteStore::Open({.path = path}, store::SqliteMigrations());
  ASSERT_TRUE(opened.has_value()) << opened.error().message();
  auto store = std::move(opened).value();
  auto ids = [&](std::string_view table) {
    std::vector<int64_t> out;
    EXPECT_TRUE(store
                    ->Read([&](store::Txn& t) {
                      return t.QueryEach("SELECT id FROM " + std::string(table) + " ORDER BY id",
                                         {}, [&](const store::RowView& r) {
                                           out.push_back(r.Int(0));
                                           return Status::Ok();
                                         });
                    })
                    .ok());
    return out;
  };
  EXPECT_EQ(ids("contact_activities"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(ids("activities_unfolded"), (std::vector<int64_t>{3, 4}));
  FakeClock clock(rapport::testing::kTestNow);
  contacts::ContactService contacts(*store, clock);
  ActivityService activities(*store, clock, contacts);
  EXPECT_EQ(activities.ContactAggregates(kDefaultWorkspace, ContactId(7)).value().counts.size(),
            0u);  // all older than a year
  EXPECT_EQ(activities.Fold(10).value(), 2);
  EXPECT_EQ(ids("contact_activities"), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(ids("activities_unfolded"), (std::vector<int64_t>{}));
  TimelineQuery q;
  q.company_id = 3;
  EXPECT_EQ(activities.Timeline(kDefaultWorkspace, q).value().data.size(), 1u);
  q.company_id.reset();
  q.contact_id = 7;
  EXPECT_EQ(activities.Timeline(kDefaultWorkspace, q).value().data.size(), 4u);
}

}  // namespace
}  // namespace rapport::activity
