// The per-contact aggregates (daily counts per type, windowed counts, revenue per currency,
// last touch per channel) as sums over a set of activities. The fold writes such sums into
// the aggregate tables; the 360° view adds those of the activities not folded yet to what
// the tables say. Internal to src/activity.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "activity/activity.h"
#include "store/store.h"

namespace rapport::activity::internal {

// Days since 1970-01-01 (UTC), rounding down.
int64_t DayOf(Micros t);

// The sum of one (contact, type)'s daily buckets matching `cond` (on d.day).
std::string DaysSum(std::string_view contact, std::string_view type, const std::string& cond);

// The three windows: contact_type_windows column and the window's first day before as_of.
inline constexpr std::pair<std::string_view, std::string_view> kWindowSpans[] = {
    {"c30", "29"}, {"c90", "89"}, {"c365", "364"}};

// Sums per aggregate row, so that each row is upserted once per fold rather than once per
// activity (a contact often has many activities in one).
class AggregateDelta {
 public:
  static constexpr int64_t kClockSlackDays = 31;

  // `now` fixes the day the windows are counted against.
  explicit AggregateDelta(Micros now);

  // An activity of `contact`; `amount` (minor units, negative for refunds) with `currency`.
  void Add(int64_t contact, std::string_view type, std::string_view channel, Micros occurred_at,
           std::optional<int64_t> amount, std::string_view currency);

  // Upserts the sums into the aggregate tables and clears them.
  Status Flush(store::Txn& t, WorkspaceId ws);

  // Adds the sums to a view read from the tables (of one contact, or of a company's
  // contacts: revenue and touches are merged by currency and channel). `now` as above.
  void AddTo(Aggregates& out, Micros now) const;

 private:
  int64_t today_;
  // Ordered maps: the upserts then walk each table's primary key in order.
  std::map<std::tuple<int64_t, std::string, int64_t>, int64_t> days_;
  std::map<std::pair<int64_t, std::string>, std::array<int64_t, 3>> windows_;
  std::map<std::pair<int64_t, std::string>, Micros> touches_;
  std::map<std::pair<int64_t, std::string>, Revenue> revenue_;
};

}  // namespace rapport::activity::internal
