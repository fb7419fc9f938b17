#include <gtest/gtest.h>

#include <set>

#include "activity/activity.h"
#include "activity/activity_test_fixture.h"
#include "common/time_format.h"
#include "store/keyset.h"
#include "testing/temp_store.h"

namespace rapport::activity {
namespace {

// The fixture's first two contacts with 23 activities: ties on occurred_at, amounts,
// sources and client ids on some.
class VisitTimelineTest : public ActivityServiceTest {
 protected:
  void SetUp() override {
    ActivityServiceTest::SetUp();
    std::vector<ActivityInput> items;
    for (int i = 0; i < 23; ++i) {
      ActivityInput in;
      in.contact_id = ids_[i % 5 == 4 ? 1 : 0];
      in.type = i % 4 == 0 ? "purchase" : "web_visit";
      if (i % 4 == 0) in.amount = Money{1000 + i, "EUR"};
      if (i % 3 == 0) in.source = "import";
      if (i % 2 == 0) in.client_id = "v-" + std::to_string(i);
      in.properties = i % 4 == 0 ? "{\"order\":\"o-" + std::to_string(i) + "\"}" : "{}";
      // Ties on occurred_at, so the id breaks them across pages.
      in.occurred_at = FormatTimestamp(kTestNow - (i / 3) * kMicrosPerSecond);
      items.push_back(in);
    }
    auto recorded = activities_.RecordBatch(ws_, items);
    ASSERT_TRUE(recorded.has_value()) << recorded.error().message();
    for (const auto& r : *recorded) ASSERT_TRUE(r.has_value()) << r.error().message();
  }
};

// The streamed rows, copied, next to the page Timeline returns for the same query.
TEST_F(VisitTimelineTest, VisitsWhatTimelineReturnsWithTheSameCursors) {
  TimelineQuery q;
  q.contact_id = ids_[0];
  q.limit = 4;
  std::set<int64_t> seen;
  int pages = 0;
  for (;; ++pages) {
    auto page = activities_.Timeline(ws_, q);
    ASSERT_TRUE(page.has_value()) << page.error().message();
    std::vector<ActivityView> views;
    std::vector<std::string> texts;  // the views' text, kept past the visitor
    auto next = activities_.VisitTimeline(ws_, q, [&](const ActivityView& v) {
      views.push_back(v);
      texts.push_back(std::string(v.type) + "|" + std::string(v.channel) + "|" +
                      std::string(v.properties) + "|" + std::string(v.currency) + "|" +
                      std::string(v.source.value_or("-")) + "|" +
                      std::string(v.client_id.value_or("-")));
      return Status::Ok();
    });
    ASSERT_TRUE(next.has_value()) << next.error().message();
    EXPECT_EQ(*next, page->next_cursor);
    ASSERT_EQ(views.size(), page->data.size());
    for (size_t i = 0; i < views.size(); ++i) {
      const Activity& a = page->data[i];
      const ActivityView& v = views[i];
      EXPECT_EQ(v.id, a.id.value);
      EXPECT_EQ(v.contact_id, a.contact_id);
      EXPECT_EQ(v.company_id, a.company_id);
      EXPECT_EQ(v.author_id, a.author_id);
      EXPECT_EQ(v.occurred_at, a.occurred_at);
      EXPECT_EQ(v.recorded_at, a.recorded_at);
      EXPECT_EQ(v.amount.has_value(), a.amount.has_value());
      if (a.amount) {
        EXPECT_EQ(*v.amount, a.amount->value);
      }
      EXPECT_EQ(texts[i], a.type + "|" + a.channel + "|" + a.properties + "|" +
                              (a.amount ? a.amount->currency : "") + "|" + a.source.value_or("-") +
                              "|" + a.client_id.value_or("-"));
      EXPECT_TRUE(seen.insert(v.id).second) << v.id;
    }
    if (!*next) break;
    q.cursor = **next;
  }
  EXPECT_EQ(seen.size(), 19u);  // contact 0's activities, each once
  EXPECT_EQ(pages, 4);          // 4 + 4 + 4 + 4 + 3
}

TEST_F(VisitTimelineTest, ALastFullPageHasNoCursor) {
  TimelineQuery q;
  q.contact_id = ids_[1];
  q.limit = 4;  // contact 1 has exactly 4 activities
  int n = 0;
  auto next = activities_.VisitTimeline(ws_, q, [&](const ActivityView&) {
    ++n;
    return Status::Ok();
  });
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(n, 4);
  EXPECT_FALSE(next->has_value());
}

TEST_F(VisitTimelineTest, StopsAtTheVisitorsErrorAndChecksTheRecord) {
  TimelineQuery q;
  q.contact_id = ids_[0];
  int n = 0;
  auto stopped = activities_.VisitTimeline(ws_, q, [&](const ActivityView&) -> Status {
    if (++n == 2) return Internal("visitor failed");
    return Status::Ok();
  });
  ASSERT_FALSE(stopped.has_value());
  EXPECT_EQ(stopped.error().message(), "visitor failed");
  EXPECT_EQ(n, 2);

  q.contact_id = 987654;
  auto missing =
      activities_.VisitTimeline(ws_, q, [](const ActivityView&) { return Status::Ok(); });
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);

  q.contact_id = ids_[0];
  q.cursor = "not-a-cursor";
  auto bad = activities_.VisitTimeline(ws_, q, [](const ActivityView&) { return Status::Ok(); });
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rapport::activity
