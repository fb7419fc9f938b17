// Saved segments and live membership over a real SQLite store, the real engine and a fake
// clock: membership follows writes and the passing of days, and every change leaves a
// segment_entered / segment_exited activity and a domain event.
#include <gtest/gtest.h>

#include "activity/activity.h"
#include "common/time_format.h"
#include "contacts/contact.h"
#include "segments/live.h"
#include "segments/segment.h"
#include "segments/text.h"
#include "testing/temp_store.h"

namespace rapport::segments {
namespace {

using testing::kTestNow;
constexpr WorkspaceId kWs = kDefaultWorkspace;

class SegmentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(live.Load().ok());
    live.Subscribe([this](const MembershipEvent& e) { events.push_back(e); });
  }

  int64_t NewContact(const std::string& email, std::vector<std::string> tags = {}) {
    contacts::ContactFields f;
    f.email = std::optional<std::string>(email);
    if (!tags.empty()) f.tags = tags;
    auto c = people.Create(kWs, f);
    EXPECT_TRUE(c.has_value()) << c.error().message();
    return c->id.value;
  }

  void Purchase(int64_t contact, Micros at, int64_t amount = 5000) {
    activity::ActivityInput in;
    in.contact_id = contact;
    in.type = "purchase";
    in.channel = "web";
    in.occurred_at = FormatTimestamp(at);
    in.amount = activity::Money{amount, "EUR"};
    auto r = activities.Record(kWs, in);
    ASSERT_TRUE(r.has_value()) << r.error().message();
  }

  Rule R(std::string_view text) {
    Parsed p = ParseText(text);
    EXPECT_TRUE(p.rule.has_value()) << (p.errors.empty() ? "" : p.errors.front().message);
    return p.rule ? *p.rule : Rule{};
  }

  Segment Dynamic(const std::string& name, std::string_view rule) {
    SegmentInput in;
    in.name = std::optional<std::string>(name);
    in.rule = R(rule);
    auto s = svc.Create(kWs, in);
    EXPECT_TRUE(s.has_value()) << s.error().message();
    EXPECT_TRUE(live.Sync().ok());
    return s.has_value() ? *s : Segment{};
  }

  std::vector<int64_t> MembersOf(int64_t segment) {
    auto page = svc.Members(kWs, segment, 1000, std::nullopt);
    EXPECT_TRUE(page.has_value());
    return page.has_value() ? page->contact_ids : std::vector<int64_t>{};
  }

  int64_t CountActivities(int64_t contact, const char* type) {
    auto n = db.store().Read([&](store::Txn& t) {
      return t.QueryOne("SELECT COUNT(*) FROM activities WHERE contact_id = $1 AND type = $2",
                        {contact, std::string(type)});
    });
    return n.has_value() && *n ? (*n)->Int(0) : -1;
  }

  rapport::testing::TempStore db;
  FakeClock clock{kTestNow};
  contacts::ContactService people{db.store(), clock};
  activity::ActivityService activities{db.store(), clock, people};
  LiveSegments live{db.store(), clock, activities};
  SegmentService svc{db.store(), clock, activities, live};
  std::vector<MembershipEvent> events;
};

TEST_F(SegmentServiceTest, DynamicSegmentFollowsWrites) {
  int64_t a = NewContact("a@example.com", {"vip"});
  NewContact("b@example.com");
  int64_t c = NewContact("c@example.com");
  ASSERT_TRUE(live.Sync().ok());
  Segment vip = Dynamic("VIPs", R"(tag "vip")");
  EXPECT_EQ(vip.member_count, 1);
  EXPECT_EQ(MembersOf(vip.id), std::vector<int64_t>({a}));
  // The initial population is not a change anyone entered through.
  EXPECT_EQ(CountActivities(a, "segment_entered"), 0);

  ASSERT_TRUE(people.AddTags(kWs, ContactId(c), {"vip"}).has_value());
  ASSERT_TRUE(live.Sync().ok());
  EXPECT_EQ(MembersOf(vip.id), std::vector<int64_t>({a, c}));
  EXPECT_EQ(CountActivities(c, "segment_entered"), 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].contact_id, c);
  EXPECT_TRUE(events[0].entered);
  EXPECT_EQ(events[0].segment_id, vip.id);

  ASSERT_TRUE(people.RemoveTag(kWs, ContactId(a), "vip").has_value());
  ASSERT_TRUE(live.Sync().ok());
  EXPECT_EQ(MembersOf(vip.id), std::vector<int64_t>({c}));
  EXPECT_EQ(CountActivities(a, "segment_exited"), 1);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(events[1].entered);
  auto got = svc.Get(kWs, vip.id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->member_count, 1);
}

TEST_F(SegmentServiceTest, ActivityConditionsReactToNewActivities) {
  int64_t a = NewContact("a@example.com");
  Segment loyal = Dynamic("Loyal", "count(purchase, last 365 days) >= 2");
  EXPECT_EQ(loyal.member_count, 0);
  Purchase(a, kTestNow - 10 * kMicrosPerDay);
  ASSERT_TRUE(live.Sync().ok());
  EXPECT_TRUE(MembersOf(loyal.id).empty());
  Purchase(a, kTestNow - 5 * kMicrosPerDay);
  ASSERT_TRUE(live.Sync().ok());
  EXPECT_EQ(MembersOf(loyal.id), std::vector<int64_t>({a}));
}

TEST_F(SegmentServiceTest, TimeWindowsAdmitContactsOnTheRightDayWithoutWrites) {
  int64_t a = NewContact("a@example.com");
  // Bought 80 days ago: at risk once 90 days pass without another purchase.
  Purchase(a, kTestNow - 80 * kMicrosPerDay);
  ASSERT_TRUE(live.Sync().ok());
  Segment risk = Dynamic("At risk", "exists(purchase) and not exists(purchase, last 90 days)");
  EXPECT_TRUE(MembersOf(risk.id).empty());

  clock.Advance(9 * kMicrosPerDay);  // 89 days since the purchase
  ASSERT_TRUE(live.Tick().ok());
  EXPECT_TRUE(MembersOf(risk.id).empty());

  clock.Advance(1 * kMicrosPerDay);  // 90 days: the purchase left the window
  ASSERT_TRUE(live.Tick().ok());
  EXPECT_EQ(MembersOf(risk.id), std::vector<int64_t>({a}));
  EXPECT_EQ(CountActivities(a, "segment_entered"), 1);

  // A new purchase takes the contact out again, at once.
  Purchase(a, clock.Now());
  ASSERT_TRUE(live.Sync().ok());
  EXPECT_TRUE(MembersOf(risk.id).empty());
  EXPECT_EQ(CountActivities(a, "segment_exited"), 1);
}

TEST_F(SegmentServiceTest, StaticListsAndDependentSegments) {
  int64_t a = NewContact("a@example.com", {"vip"});
  int64_t b = NewContact("b@example.com", {"vip"});
  SegmentInput in;
  in.name = std::optional<std::string>("newsletter-subscribers");
  in.kind = std::optional<std::string>("static");
  auto list = svc.Create(kWs, in);
  ASSERT_TRUE(list.has_value()) << list.error().message();
  Segment both =
      Dynamic("VIP subscribers", R"(tag "vip" and in_segment("newsletter-subscribers"))");
  EXPECT_EQ(both.member_count, 0);

  contacts::ContactRef by_email;
  by_email.email = "b@example.com";
  auto added = svc.AddMembers(kWs, list->id, {by_email});
  ASSERT_TRUE(added.has_value()) << added.error().message();
  EXPECT_EQ(*added, 1);
  EXPECT_EQ(CountActivities(b, "segment_entered"), 1);  // entered the list
  ASSERT_TRUE(live.Sync().ok());
  EXPECT_EQ(MembersOf(list->id), std::vector<int64_t>({b}));
  EXPECT_EQ(MembersOf(both.id), std::vector<int64_t>({b}));
  EXPECT_EQ(CountActivities(b, "segment_entered"), 2);  // and the dependent segment

  // Adding again changes nothing; an unknown contact is named.
  EXPECT_EQ(*svc.AddMembers(kWs, list->id, {by_email}), 0);
  contacts::ContactRef unknown;
  unknown.email = "nobody@example.com";
  auto bad = svc.AddMembers(kWs, list->id, {unknown});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), StatusCode::kValidation);
  ASSERT_FALSE(bad.error().fields().empty());
  EXPECT_EQ(bad.error().fields()[0].field, "contacts[0]");

  // A dynamic segment takes no members by hand; the list cannot go while a rule uses it.
  EXPECT_EQ(svc.AddMembers(kWs, both.id, {by_email}).error().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(svc.Delete(kWs, list->id, std::nullopt).code(), StatusCode::kFailedPrecondition);

  contacts::ContactRef by_id;
  by_id.id = b;
  ASSERT_EQ(*svc.RemoveMembers(kWs, list->id, {by_id}), 1);
  ASSERT_TRUE(live.Sync().ok());
  EXPECT_TRUE(MembersOf(both.id).empty());
  (void)a;
}

TEST_F(SegmentServiceTest, FreezeCopiesTheCurrentMembers) {
  int64_t a = NewContact("a@example.com", {"vip"});
  Segment vip = Dynamic("VIPs", R"(tag "vip")");
  auto frozen = svc.Freeze(kWs, vip.id, "VIPs on launch day");
  ASSERT_TRUE(frozen.has_value()) << frozen.error().message();
  EXPECT_EQ(frozen->kind, SegmentKind::kStatic);
  EXPECT_EQ(frozen->member_count, 1);
  ASSERT_TRUE(live.Sync().ok());
  NewContact("b@example.com", {"vip"});
  ASSERT_TRUE(live.Sync().ok());
  EXPECT_EQ(MembersOf(frozen->id), std::vector<int64_t>({a}));
  EXPECT_EQ(MembersOf(vip.id).size(), 2u);
}

TEST_F(SegmentServiceTest, RuleEditsRecordTheDifference) {
  int64_t a = NewContact("a@example.com", {"vip"});
  int64_t b = NewContact("b@example.com", {"gold"});
  Segment s = Dynamic("Tagged", R"(tag "vip")");
  SegmentInput patch;
  patch.rule = R(R"(tag "gold")");
  auto updated = svc.Update(kWs, s.id, patch, s.version);
  ASSERT_TRUE(updated.has_value()) << updated.error().message();
  EXPECT_EQ(updated->version, s.version + 1);
  EXPECT_EQ(ToText(*updated->rule), R"(tag "gold")");
  EXPECT_EQ(MembersOf(s.id), std::vector<int64_t>({b}));
  EXPECT_EQ(CountActivities(a, "segment_exited"), 1);
  EXPECT_EQ(CountActivities(b, "segment_entered"), 1);
  // A stale version is refused.
  EXPECT_EQ(svc.Update(kWs, s.id, patch, s.version).error().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(SegmentServiceTest, BadRulesAndNamesAreRefusedWithPositions) {
  NewContact("a@example.com");
  SegmentInput in;
  in.name = std::optional<std::string>("Bad");
  in.rule = R(R"(tag "missing")");
  auto s = svc.Create(kWs, in);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code(), StatusCode::kValidation);
  ASSERT_FALSE(s.error().fields().empty());
  EXPECT_EQ(s.error().fields()[0].field, "rule");
  EXPECT_NE(s.error().fields()[0].message.find("line 1, column 1"), std::string::npos)
      << s.error().fields()[0].message;

  Dynamic("A", "lifecycle_stage = \"customer\"");
  SegmentInput dup;
  dup.name = std::optional<std::string>("A");
  dup.rule = R("lifecycle_stage = \"lead\"");
  EXPECT_EQ(svc.Create(kWs, dup).error().code(), StatusCode::kAlreadyExists);

  // B uses A; A may then not use B (a cycle), be renamed or be deleted.
  Segment b = Dynamic("B", R"(in_segment("A"))");
  auto a = svc.List(kWs, 50, std::nullopt)->data.front();
  SegmentInput cycle;
  cycle.rule = R(R"(in_segment("B"))");
  auto refused = svc.Update(kWs, a.id, cycle, std::nullopt);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().fields().at(0).message.find("depend on itself"), std::string::npos);
  SegmentInput rename;
  rename.name = std::optional<std::string>("A2");
  EXPECT_EQ(svc.Update(kWs, a.id, rename, std::nullopt).error().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(svc.Delete(kWs, a.id, std::nullopt).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(svc.Delete(kWs, b.id, std::nullopt).ok());
  EXPECT_TRUE(svc.Delete(kWs, a.id, std::nullopt).ok());
}

TEST_F(SegmentServiceTest, PreviewCountsWithoutSaving) {
  for (int i = 0; i < 30; ++i) NewContact("p" + std::to_string(i) + "@example.com", {"vip"});
  auto p = svc.Preview(kWs, R(R"(tag "vip")"), 5);
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->errors.empty());
  EXPECT_EQ(p->count, 30);
  EXPECT_EQ(p->sample.size(), 5u);
  auto bad = svc.Preview(kWs, R("nosuchfield = 1"), 5);
  ASSERT_TRUE(bad.has_value());
  ASSERT_FALSE(bad->errors.empty());
  EXPECT_EQ(bad->errors[0].line, 1);
  EXPECT_EQ(bad->errors[0].column, 1);
  EXPECT_TRUE(svc.List(kWs, 50, std::nullopt)->data.empty());
}

TEST_F(SegmentServiceTest, MembersArePagedByContactId) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 7; ++i)
    ids.push_back(NewContact("m" + std::to_string(i) + "@x.com", {"vip"}));
  Segment s = Dynamic("Paged", R"(tag "vip")");
  std::vector<int64_t> seen;
  std::optional<std::string> cursor;
  do {
    auto page = svc.Members(kWs, s.id, 3, cursor);
    ASSERT_TRUE(page.has_value());
    seen.insert(seen.end(), page->contact_ids.begin(), page->contact_ids.end());
    cursor = page->next_cursor;
  } while (cursor);
  EXPECT_EQ(seen, ids);
}

}  // namespace
}  // namespace rapport::segments
