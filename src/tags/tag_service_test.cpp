#include "tags/tag_service.h"

#include <gtest/gtest.h>

#include "testing/temp_store.h"

namespace rapport::tags {
namespace {

class TagServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.store().Write([](store::Txn& t) {
      return t.Exec("INSERT INTO contacts (id, workspace_id, email, lifecycle_stage, created_at, "
                    "updated_at) VALUES (10, 1, 'a@b.co', 'lead', 0, 0), (11, 1, 'c@d.co', 'lead', 0, 0)")
          .status();
    }).ok());
  }
  Status Link(int64_t contact, std::vector<std::string> names) {
    return db_.store().Write([&](store::Txn& t) {
      return TagService::Add(t, ws_, Target::kContact, contact, names, 0);
    });
  }
  std::vector<std::string> NamesOf(int64_t contact) {
    return db_.store().Read([&](store::Txn& t) { return TagService::NamesOf(t, Target::kContact, contact); }).value();
  }

  rapport::testing::TempStore db_;
  FakeClock clock_{rapport::testing::kTestNow};
  TagService tags_{db_.store(), clock_};
  WorkspaceId ws_ = kDefaultWorkspace;
};

TEST(TagNamesTest, NormalisesAndRejects) {
  EXPECT_EQ(NormalizeName("  VIP ").value(), "vip");
  EXPECT_FALSE(NormalizeName("   ").has_value());
  EXPECT_FALSE(NormalizeName(std::string(65, 'a')).has_value());
  EXPECT_FALSE(NormalizeName("a\x01").has_value());
  auto list = NormalizeNames({"b", "A", "a"});
  EXPECT_EQ(list.value(), (std::vector<std::string>{"a", "b"}));
  auto bad = NormalizeNames({"ok", ""});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().fields()[0].field, "tags[1]");
}

TEST_F(TagServiceTest, LinksCountRenameAndDelete) {
  ASSERT_TRUE(Link(10, {"vip", "newsletter"}).ok());
  ASSERT_TRUE(Link(11, {"vip"}).ok());
  ASSERT_TRUE(Link(11, {"vip"}).ok());  // adding twice is a no-op
  auto list = tags_.List(ws_).value();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "newsletter");
  EXPECT_EQ(list[1].contact_count, 2);

  EXPECT_EQ(tags_.Create(ws_, "VIP").error().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(tags_.Rename(ws_, list[1].id, "newsletter").error().code(), StatusCode::kAlreadyExists);
  auto renamed = tags_.Rename(ws_, list[1].id, "Gold");
  ASSERT_TRUE(renamed.has_value());
  EXPECT_EQ(renamed->name, "gold");
  EXPECT_EQ(NamesOf(10), (std::vector<std::string>{"gold", "newsletter"}));

  ASSERT_TRUE(tags_.Delete(ws_, list[1].id).ok());
  EXPECT_EQ(NamesOf(11), std::vector<std::string>{});
  EXPECT_EQ(tags_.Get(ws_, list[1].id).error().code(), StatusCode::kNotFound);
  // Rename and delete touched the linked contacts (their representation changed).
  auto versions = db_.store().Read([](store::Txn& t) {
    return t.QueryOne("SELECT version FROM contacts WHERE id = 11");
  });
  EXPECT_EQ((*versions)->Int(0), 3);
}

TEST_F(TagServiceTest, RemoveAndReplace) {
  ASSERT_TRUE(Link(10, {"a", "b"}).ok());
  Status removed = db_.store().Write([&](store::Txn& t) { return TagService::Remove(t, ws_, Target::kContact, 10, "a"); });
  EXPECT_TRUE(removed.ok());
  Status again = db_.store().Write([&](store::Txn& t) { return TagService::Remove(t, ws_, Target::kContact, 10, "a"); });
  EXPECT_EQ(again.code(), StatusCode::kNotFound);
  ASSERT_TRUE(db_.store().Write([&](store::Txn& t) {
    return TagService::Set(t, ws_, Target::kContact, 10, {"c"}, 0);
  }).ok());
  EXPECT_EQ(NamesOf(10), std::vector<std::string>{"c"});
}

}  // namespace
}  // namespace rapport::tags
