#include <gtest/gtest.h>

#include "activity/activity.h"
#include "activity/activity_test_fixture.h"
#include "store/migration.h"

namespace rapport::activity {
namespace {

// A database from before V009: its activities arrive folded, in the contact index, and the
// id sequence goes on after the last id ever given (not the last row).
TEST(FoldMigrationTest, ExistingActivitiesAreFoldedAndIdsAreNotReused) {
  rapport::testing::TempStore scratch;
  const std::string path = (scratch.dir() / "v8.db").string();
  std::vector<store::Migration> before;
  for (const auto& m : store::SqliteMigrations()) {
    if (m.version < 9) before.push_back(m);
  }
  {
    auto old = store::SqliteStore::Open({.path = path}, before).value();
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
  auto folded = store->Read(
      [](store::Txn& t) { return t.QueryOne("SELECT COUNT(*), MIN(folded) FROM activities"); });
  EXPECT_EQ((*folded)->Int(0), 2);
  EXPECT_EQ((*folded)->Int(1), 1);
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

}  // namespace
}  // namespace rapport::activity
