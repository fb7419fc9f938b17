#include "activity/aggregate_delta.h"

#include <algorithm>

namespace rapport::activity::internal {
namespace {

// MIN/MAX are SQLite's scalar functions here.
constexpr std::string_view kBumpDay =
    "INSERT INTO contact_activity_days (contact_id, type, day, workspace_id, count) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (contact_id, type, day) DO UPDATE SET count = count + "
    "excluded.count";
constexpr std::string_view kTouch =
    "INSERT INTO contact_channel_touch (contact_id, channel, workspace_id, last_at) VALUES ($1, "
    "$2, $3, $4) "
    "ON CONFLICT (contact_id, channel) DO UPDATE SET last_at = excluded.last_at "
    // A past-dated activity (most of a history import) leaves the row, and its page, alone.
    "WHERE excluded.last_at > contact_channel_touch.last_at";
constexpr std::string_view kRevenue =
    "INSERT INTO contact_revenue (contact_id, currency, workspace_id, purchase_count, "
    "purchase_total, refund_count, refund_total, first_purchase_at, last_purchase_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
    "ON CONFLICT (contact_id, currency) DO UPDATE SET "
    "purchase_count = purchase_count + excluded.purchase_count, "
    "purchase_total = purchase_total + excluded.purchase_total, "
    "refund_count = refund_count + excluded.refund_count, "
    "refund_total = refund_total + excluded.refund_total, "
    "first_purchase_at = COALESCE(MIN(first_purchase_at, excluded.first_purchase_at), "
    "first_purchase_at, excluded.first_purchase_at), "
    "last_purchase_at = COALESCE(MAX(last_purchase_at, excluded.last_purchase_at), "
    "last_purchase_at, excluded.last_purchase_at)";

// Moves a contact_type_windows row to the writer's day ($4) and adds the new activities'
// counts ($5..$7, computed against that day). It runs before the day buckets are bumped, so
// what it subtracts is exactly what the row counted. A row ahead of the writer's day (the
// clock went back) is recomputed from the buckets.
const std::string& WindowsUpsert() {
  static const std::string sql = [] {
    std::string s =
        "INSERT INTO contact_type_windows (contact_id, type, workspace_id, as_of, c30, c90, "
        "c365) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (contact_id, type) DO UPDATE SET ";
    for (const auto& [col, span] : kWindowSpans) {
      std::string c(col), n(span);
      s += c + " = excluded." + c + " + CASE WHEN as_of = excluded.as_of THEN " + c +
           " WHEN as_of < excluded.as_of THEN " + c + " - " +
           DaysSum("excluded.contact_id", "excluded.type",
                   "d.day >= contact_type_windows.as_of - " + n + " AND d.day < excluded.as_of - " +
                       n) +
           " ELSE " +
           DaysSum("excluded.contact_id", "excluded.type", "d.day >= excluded.as_of - " + n) +
           " END, ";
    }
    return s + "as_of = excluded.as_of";
  }();
  return sql;
}

template <typename T>
std::optional<T> Earlier(std::optional<T> a, std::optional<T> b) {
  if (!a || !b) return a ? a : b;
  return std::min(*a, *b);
}
template <typename T>
std::optional<T> Later(std::optional<T> a, std::optional<T> b) {
  if (!a || !b) return a ? a : b;
  return std::max(*a, *b);
}

}  // namespace

int64_t DayOf(Micros t) {
  return t >= 0 ? t / kMicrosPerDay : -((-t + kMicrosPerDay - 1) / kMicrosPerDay);
}

std::string DaysSum(std::string_view contact, std::string_view type, const std::string& cond) {
  return "(SELECT COALESCE(SUM(d.count), 0) FROM contact_activity_days d WHERE d.contact_id = " +
         std::string(contact) + " AND d.type = " + std::string(type) + " AND " + cond + ")";
}

AggregateDelta::AggregateDelta(Micros now) : today_(DayOf(now)) {}

void AggregateDelta::Add(int64_t c, std::string_view type, std::string_view channel, Micros at,
                         std::optional<int64_t> amount, std::string_view currency) {
  int64_t day = DayOf(at);
  // Windows only move forward, so an activity older than the longest window is never
  // counted or subtracted again: it needs no bucket and no window write (most of a
  // history import). kClockSlackDays more are kept, so that a reader or writer whose
  // clock is behind ours still finds what it recomputes its windows from.
  if (day >= today_ - 364 - kClockSlackDays) {
    ++days_[{c, std::string(type), day}];
    auto& w = windows_[{c, std::string(type)}];
    w[0] += day >= today_ - 29;
    w[1] += day >= today_ - 89;
    w[2] += day >= today_ - 364;
  }
  auto [touch, fresh] = touches_.try_emplace({c, std::string(channel)}, at);
  if (!fresh) touch->second = std::max(touch->second, at);
  if (!amount || (type != "purchase" && type != "refund")) return;
  Revenue& r = revenue_[{c, std::string(currency)}];
  if (type == "purchase") {
    ++r.order_count;
    r.total += *amount;
    r.first_purchase_at = Earlier(r.first_purchase_at, std::optional<Micros>(at));
    r.last_purchase_at = Later(r.last_purchase_at, std::optional<Micros>(at));
  } else {
    ++r.refund_count;
    r.refund_total -= *amount;  // refunds are stored negative
  }
}

Status AggregateDelta::Flush(store::Txn& t, WorkspaceId ws) {
  // The windows go first (see WindowsUpsert).
  for (const auto& [key, w] : windows_) {
    RETURN_IF_ERROR(
        t.Exec(WindowsUpsert(), {key.first, key.second, ws.value, today_, w[0], w[1], w[2]})
            .status());
  }
  for (const auto& [key, n] : days_) {
    const auto& [c, type, day] = key;
    RETURN_IF_ERROR(t.Exec(kBumpDay, {c, type, day, ws.value, n}).status());
  }
  for (const auto& [key, at] : touches_) {
    RETURN_IF_ERROR(t.Exec(kTouch, {key.first, key.second, ws.value, at}).status());
  }
  for (const auto& [key, r] : revenue_) {
    RETURN_IF_ERROR(
        t.Exec(kRevenue,
               {key.first, key.second, ws.value, r.order_count, r.total, r.refund_count,
                r.refund_total, store::Opt(r.first_purchase_at), store::Opt(r.last_purchase_at)})
            .status());
  }
  days_.clear();
  windows_.clear();
  touches_.clear();
  revenue_.clear();
  return Status::Ok();
}

void AggregateDelta::AddTo(Aggregates& out, Micros now) const {
  for (const auto& [key, r] : revenue_) {
    auto it =
        std::lower_bound(out.revenue.begin(), out.revenue.end(), key.second,
                         [](const Revenue& x, const std::string& c) { return x.currency < c; });
    if (it == out.revenue.end() || it->currency != key.second) {
      it = out.revenue.insert(it, Revenue{});
      it->currency = key.second;
    }
    it->order_count += r.order_count;
    it->total += r.total;
    it->refund_count += r.refund_count;
    it->refund_total += r.refund_total;
    it->first_purchase_at = Earlier(it->first_purchase_at, r.first_purchase_at);
    it->last_purchase_at = Later(it->last_purchase_at, r.last_purchase_at);
    if (it->last_purchase_at)
      it->days_since_last_purchase = (now - *it->last_purchase_at) / kMicrosPerDay;
  }
  for (const auto& [key, at] : touches_) {
    Micros& last = out.last_touch.try_emplace(key.second, at).first->second;
    last = std::max(last, at);
    out.last_activity_at = Later(out.last_activity_at, std::optional<Micros>(at));
  }
  for (const auto& [key, w] : windows_) {
    // As the tables' reader does: nothing in the last 365 days adds no type.
    if (w[2] == 0) continue;
    auto& counts = out.counts[key.second];
    for (size_t i = 0; i < counts.size(); ++i) counts[i] += w[i];
  }
}

}  // namespace rapport::activity::internal
