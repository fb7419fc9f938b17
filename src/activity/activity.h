// The activity log: every touchpoint with a contact or company (emails, calls, meetings,
// notes, web visits, tickets, purchases, refunds, survey answers, custom types). Append-only
// and immutable: corrections are new activities. The contact's aggregates (daily counts per
// type, revenue per currency, last touch per channel) are maintained incrementally: a write
// adds activities unfolded, a fold adds many at once to the aggregate tables, and the 360°
// view adds a contact's few unfolded activities to them, so it never scans the log.
// Thread-safe.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <compare>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "contacts/contact.h"
#include "store/store.h"

namespace rapport::activity {

using ActivityId = Id<struct ActivityTag>;

inline constexpr const char* kBuiltInTypes[] = {
    "email_sent",     "email_opened", "email_clicked",   "email_bounced",
    "unsubscribed",   "call",         "meeting",         "note",
    "web_visit",      "chat",         "ticket_opened",   "ticket_closed",
    "purchase",       "refund",       "survey_response", "segment_entered",
    "segment_exited", "custom"};
inline constexpr const char* kChannels[] = {"email",     "phone",  "sms",     "web",   "chat",
                                            "in_person", "social", "support", "store", "other"};

inline constexpr size_t kMaxBatch = 10000;
// Largest |amount| in minor units (keeps sums far from int64 overflow).
inline constexpr int64_t kMaxAmount = 1'000'000'000'000'000;
inline constexpr size_t kMaxPropertiesBytes = 16 * 1024;
// How far in the future occurred_at may be (clock skew between systems).
inline constexpr Micros kFutureTolerance = 5 * 60 * kMicrosPerSecond;

struct Money {
  int64_t value = 0;  // minor units
  std::string currency;
};

struct Activity {
  ActivityId id;
  std::optional<int64_t> contact_id, company_id;
  std::string type, channel;
  Micros occurred_at = 0;
  std::optional<Money> amount;
  std::string properties = "{}";  // JSON object text
  std::optional<std::string> source, client_id;
  std::optional<int64_t> author_id;
  Micros recorded_at = 0;
};

// One activity to record. The contact is given by id, email or external id;
// `upsert_contact` creates an unknown contact from the email.
struct ActivityInput {
  std::optional<std::string> client_id;
  std::optional<int64_t> contact_id, company_id, author_id;
  std::optional<std::string> contact_email, contact_external_id;
  bool upsert_contact = false;
  std::optional<std::string> type, channel, occurred_at, source;
  std::optional<Money> amount;
  std::string properties = "{}";  // a JSON object (the codec guarantees the shape)
};

struct Recorded {
  Activity activity;
  bool duplicate = false;  // the client id was recorded before; nothing new was stored
};

struct TimelineQuery {
  std::optional<int64_t> contact_id, company_id;
  std::vector<std::string> types, channels;
  std::optional<Micros> since, until;
  int limit = 50;
  std::optional<std::string> cursor;
};

struct TimelinePage {
  std::vector<Activity> data;
  std::optional<std::string> next_cursor;
};

// One activity of a timeline as the store hands it over (see VisitTimeline): the views point
// into the driver's row and die when the visitor returns.
struct ActivityView {
  int64_t id = 0;
  std::optional<int64_t> contact_id, company_id, author_id;
  std::string_view type, channel;
  Micros occurred_at = 0, recorded_at = 0;
  std::optional<int64_t> amount;  // minor units
  std::string_view currency;      // set with amount
  std::string_view properties;    // JSON object text
  std::optional<std::string_view> source, client_id;
};

struct Revenue {
  std::string currency;
  int64_t order_count = 0, total = 0, refund_count = 0, refund_total = 0;
  std::optional<Micros> first_purchase_at, last_purchase_at;
  std::optional<int64_t> days_since_last_purchase;  // by the service's clock
};

struct Aggregates {
  std::vector<Revenue> revenue;                          // by currency
  std::map<std::string, Micros> last_touch;              // by channel
  std::map<std::string, std::array<int64_t, 3>> counts;  // by type: last 30, 90, 365 days
  std::optional<Micros> last_activity_at;
};

struct CustomType {
  int64_t id = 0;
  std::string name, label;
  std::map<std::string, std::string> properties;  // name -> string|number|boolean|date
  std::vector<std::string> required;
  Micros created_at = 0;
};

class ActivityService {
 public:
  ActivityService(store::Store& store, Clock& clock, contacts::ContactService& contacts)
      : store_(store), clock_(clock), contacts_(contacts) {}

  // 422 naming every bad field; a client id seen before returns the stored activity.
  Result<Recorded> Record(WorkspaceId ws, const ActivityInput& in);
  // Each item independently, in one transaction; at most kMaxBatch items.
  Result<std::vector<Result<Recorded>>> RecordBatch(WorkspaceId ws,
                                                    const std::vector<ActivityInput>& items);
  // Inside the caller's write transaction (orders use it).
  Result<Recorded> RecordIn(store::Txn& txn, WorkspaceId ws, const ActivityInput& in);

  Result<Activity> Get(WorkspaceId ws, ActivityId id);
  // Newest first. A company's timeline includes its contacts' activities.
  Result<TimelinePage> Timeline(WorkspaceId ws, const TimelineQuery& query);
  // The same page without copying it: calls `visit` on each of its activities in order, in
  // the read transaction, and returns the next cursor. Stops at the first error of `visit`.
  Result<std::optional<std::string>> VisitTimeline(
      WorkspaceId ws, const TimelineQuery& query,
      const std::function<Status(const ActivityView&)>& visit);
  Result<Aggregates> ContactAggregates(WorkspaceId ws, ContactId id);
  // Sums of the company's contacts' aggregates plus its own activities' touches.
  Result<Aggregates> CompanyAggregates(WorkspaceId ws, CompanyId id);

  Result<CustomType> CreateType(WorkspaceId ws, const CustomType& type);
  Result<std::vector<CustomType>> ListTypes(WorkspaceId ws);

  // Folds up to `max_rows` activities into the aggregate tables and the contact index, in
  // one write transaction, in index order (contact, id) from where the last fold stopped,
  // so that successive folds sweep the contacts (see V010). Returns how many it
  // folded: 0 when every activity is folded. Reads never wait for it: they add what is
  // not folded yet. Folder (folder.h) calls it in the background.
  Result<int64_t> Fold(int64_t max_rows);
  // An estimate of the activities not folded yet: those counted by CountUnfolded (or 0)
  // plus those committed since, less those folded.
  int64_t unfolded_estimate() const { return std::max<int64_t>(0, unfolded_.load()); }
  // Starts the estimate from what is unfolded now, such as what an earlier run left.
  Status CountUnfolded();
  // Counts activity writes: unchanged over a while means no activities came in.
  uint64_t writes() const { return writes_.load(); }

 private:
  struct Cache;
  // Where the last fold stopped: a key of activities_unfolded.
  struct FoldKey {
    int64_t contact_id = 0;
    int64_t id = 0;
    auto operator<=>(const FoldKey&) const = default;
  };
  Result<Recorded> RecordOne(store::Txn& txn, WorkspaceId ws, const ActivityInput& in, Micros now,
                             Cache& cache);
  void Written(int64_t n) {
    unfolded_ += n;
    ++writes_;
  }

  store::Store& store_;
  Clock& clock_;
  contacts::ContactService& contacts_;
  std::mutex fold_mu_;  // one fold at a time; guards fold_after_
  std::optional<FoldKey> fold_after_;
  std::atomic<int64_t> unfolded_{0};
  std::atomic<uint64_t> writes_{0};
};

// ISO 4217 currency code in upper case ("EUR").
bool IsCurrency(std::string_view code);

}  // namespace rapport::activity
