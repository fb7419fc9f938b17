#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "accounts/company.h"
#include "activity/activity.h"
#include "activity/activity_rows.h"
#include "activity/aggregate_delta.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "store/change_feed.h"
#include "store/keyset.h"

namespace rapport::activity {
namespace {

constexpr std::string_view kInsertInto =
    " INTO activities (workspace_id, contact_id, company_id, type, channel, occurred_at, "
    "amount, currency, properties, source, author_id, client_id, recorded_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";
const std::string kInsert = "INSERT" + std::string(kInsertInto);
// With a client id: a retry's INSERT is ignored on the unique (workspace, client id) index,
// which the INSERT searches anyway; the stored activity is then read by its client id.
const std::string kInsertOnce = "INSERT OR IGNORE" + std::string(kInsertInto);
const std::string kSelectOne =
    std::string(internal::kSelectActivities) + "workspace_id = $1 AND id = $2";
const std::string kByClientId =
    std::string(internal::kSelectActivities) + "workspace_id = $1 AND client_id = $2";
using internal::AggregateDelta;
using internal::DayOf;
using internal::DaysSum;
using internal::kCompanyExists;
using internal::kCompanyOfContact;
using internal::kWindowSpans;
// The contacts among a JSON array of ids (CROSS JOIN: the array drives the seeks).
constexpr std::string_view kContactsIn =
    "SELECT c.id FROM json_each($2) j CROSS JOIN contacts c ON c.id = j.value "
    "WHERE c.workspace_id = $1";

// The windows of contact_type_windows rows `w` as of the reader's day `today`: buckets that
// left a window since as_of are subtracted (a range of at most the days elapsed); a row
// ahead of the reader (written after midnight) is recomputed from the buckets.
std::string WindowColumns(std::string_view today) {
  std::string t(today), s;
  for (const auto& [col, span] : kWindowSpans) {
    std::string c(col), n(span);
    if (!s.empty()) s += ", ";
    s += "CASE WHEN w.as_of = " + t + " THEN w." + c + " WHEN w.as_of < " + t + " THEN w." + c +
         " - " +
         DaysSum("w.contact_id", "w.type",
                 "d.day >= w.as_of - " + n + " AND d.day < " + t + " - " + n) +
         " ELSE " + DaysSum("w.contact_id", "w.type", "d.day >= " + t + " - " + n) + " END AS " + c;
  }
  return s;
}

constexpr std::string_view kRevenueOf =
    "SELECT currency, purchase_count, purchase_total, refund_count, refund_total, "
    "first_purchase_at, "
    "last_purchase_at FROM contact_revenue WHERE contact_id = $1 ORDER BY currency";
// The activities the fold has not reached yet (see ActivityService::Fold): a range of the
// small activities_unfolded table per contact.
constexpr std::string_view kUnfoldedOfContact =
    "SELECT a.contact_id, a.type, a.channel, a.occurred_at, a.amount, a.currency "
    "FROM activities_unfolded u CROSS JOIN activities a ON a.id = u.id "
    "WHERE u.contact_id = $2 AND a.workspace_id = $1";
constexpr std::string_view kUnfoldedOfCompany =
    "SELECT a.contact_id, a.type, a.channel, a.occurred_at, a.amount, a.currency "
    "FROM contacts c CROSS JOIN activities_unfolded u ON u.contact_id = c.id "
    "CROSS JOIN activities a ON a.id = u.id "
    "WHERE c.workspace_id = $1 AND c.company_id = $2 AND a.workspace_id = $1";
constexpr std::string_view kTouchesOf =
    "SELECT channel, last_at FROM contact_channel_touch WHERE contact_id = $1";
// One row per type the contact ever had; types with nothing in 365 days are dropped after.
const std::string& CountsOf() {
  static const std::string sql = "SELECT w.type, " + WindowColumns("$2") +
                                 " FROM contact_type_windows w WHERE w.contact_id = $1";
  return sql;
}

// Company roll-ups: the same aggregates summed over the company's contacts.
constexpr std::string_view kCompanyRevenue =
    "SELECT r.currency, SUM(r.purchase_count), SUM(r.purchase_total), SUM(r.refund_count), "
    "SUM(r.refund_total), MIN(r.first_purchase_at), MAX(r.last_purchase_at) FROM contact_revenue r "
    "JOIN contacts c ON c.id = r.contact_id WHERE c.workspace_id = $1 AND c.company_id = $2 "
    "GROUP BY r.currency ORDER BY r.currency";
constexpr std::string_view kCompanyTouches =
    "SELECT channel, MAX(last_at) FROM ("
    " SELECT t.channel, t.last_at FROM contact_channel_touch t JOIN contacts c ON c.id = "
    "t.contact_id"
    " WHERE c.workspace_id = $1 AND c.company_id = $2"
    " UNION ALL SELECT channel, MAX(occurred_at) FROM activities WHERE workspace_id = $1"
    " AND company_id = $2 AND contact_id IS NULL GROUP BY channel) GROUP BY channel";
// Contacts' windows plus the company's own activities (those without a contact, which have
// no buckets; companies have few of them).
const std::string& CompanyCounts() {
  static const std::string sql =
      "SELECT type, SUM(c30), SUM(c90), SUM(c365) FROM (SELECT w.type, " + WindowColumns("$3") +
      " FROM contacts c JOIN contact_type_windows w ON w.contact_id = c.id"
      " WHERE c.workspace_id = $1 AND c.company_id = $2"
      " UNION ALL SELECT type, occurred_at >= ($3 - 29) * 86400000000,"
      " occurred_at >= ($3 - 89) * 86400000000, 1"
      " FROM activities WHERE workspace_id = $1 AND company_id = $2 AND contact_id IS NULL"
      " AND occurred_at >= ($3 - 364) * 86400000000) GROUP BY type HAVING SUM(c365) > 0"
      " ORDER BY type";
  return sql;
}
// The contacts' activities are covered by their touches; this adds those logged on the
// company (with or without a contact of another company): a min/max read of the index.
constexpr std::string_view kCompanyLastOwn =
    "SELECT MAX(occurred_at) FROM activities WHERE workspace_id = $1 AND company_id = $2";

constexpr std::string_view kInsertType =
    "INSERT INTO activity_types (workspace_id, name, label, schema, created_at) VALUES ($1, $2, "
    "$3, $4, $5) "
    "RETURNING id";
constexpr std::string_view kTypes =
    "SELECT id, name, label, schema, created_at FROM activity_types WHERE workspace_id = $1 ORDER "
    "BY name";

template <size_t N>
bool OneOf(std::string_view s, const char* const (&list)[N]) {
  return std::any_of(std::begin(list), std::end(list), [&](const char* x) { return s == x; });
}

std::string DefaultChannel(std::string_view type) {
  if (type.starts_with("email_") || type == "unsubscribed") return "email";
  if (type == "call") return "phone";
  if (type == "meeting") return "in_person";
  if (type == "web_visit") return "web";
  if (type == "chat") return "chat";
  if (type.starts_with("ticket_")) return "support";
  return "other";
}

CustomType DecodeType(const store::Row& r) {
  CustomType t;
  t.id = r.Int(0);
  t.name = r.Text(1);
  t.label = r.Text(2);
  t.created_at = r.Int(4);
  boost::system::error_code ec;
  auto v = boost::json::parse(r.Text(3), ec);
  if (!ec && v.is_object()) {
    if (auto* p = v.as_object().if_contains("properties"); p && p->is_object()) {
      for (const auto& [k, x] : p->as_object()) {
        if (x.is_string()) t.properties[std::string(k)] = std::string(x.as_string());
      }
    }
    if (auto* req = v.as_object().if_contains("required"); req && req->is_array()) {
      for (const auto& x : req->as_array()) {
        if (x.is_string()) t.required.emplace_back(x.as_string());
      }
    }
  }
  return t;
}

// Checks properties against what the type requires; appends errors.
void CheckProperties(const ActivityInput& in, const std::string& type, const CustomType* custom,
                     std::vector<FieldError>& errors) {
  if (in.properties.size() > kMaxPropertiesBytes) {
    errors.push_back({"properties", "must be at most 16 KiB of JSON"});
    return;
  }
  boost::system::error_code ec;
  auto v = boost::json::parse(in.properties, ec);
  if (ec || !v.is_object()) {
    errors.push_back({"properties", "must be a JSON object"});
    return;
  }
  const auto& p = v.as_object();
  auto text = [&](const char* key, bool required) {
    const auto* x = p.if_contains(key);
    if (!x) {
      if (required) errors.push_back({std::string("properties.") + key, "is required for " + type});
    } else if (!x->is_string() || (required && x->as_string().empty())) {
      errors.push_back({std::string("properties.") + key, "must be a non-empty string"});
    }
  };
  if (type == "note") text("body", true);
  if (type == "call" || type == "meeting") {
    if (const auto* d = p.if_contains("duration_seconds");
        d && (!d->is_int64() || d->as_int64() < 0)) {
      errors.push_back(
          {"properties.duration_seconds", "must be a whole number of seconds, 0 or more"});
    }
    for (const char* key : {"outcome", "next_step", "body"}) {
      if (p.contains(key)) text(key, false);
    }
  }
  if (custom) {
    for (const auto& name : custom->required) {
      if (!p.contains(name)) errors.push_back({"properties." + name, "is required for " + type});
    }
    for (const auto& [name, kind] : custom->properties) {
      const auto* x = p.if_contains(name);
      if (!x || x->is_null()) continue;
      bool ok = (kind == "string" && x->is_string()) || (kind == "number" && x->is_number()) ||
                (kind == "boolean" && x->is_bool()) ||
                (kind == "date" && x->is_string() && ParseDate(std::string(x->as_string())));
      if (!ok) errors.push_back({"properties." + name, "must be a " + kind});
    }
  }
}

}  // namespace

struct ActivityService::Cache {
  std::optional<std::map<std::string, CustomType>> types;
  // Contacts found earlier in the transaction, which deletes none: a batch often names a
  // contact many times. By id, and by email as the item gave it.
  std::unordered_set<int64_t> contact_ids;
  std::unordered_map<std::string, int64_t> contact_emails;

  Result<ContactId> Resolve(store::Txn& t, WorkspaceId ws, const contacts::ContactRef& ref) {
    if (ref.id && contact_ids.contains(*ref.id)) return ContactId(*ref.id);
    if (!ref.id && ref.email) {
      if (auto it = contact_emails.find(*ref.email); it != contact_emails.end())
        return ContactId(it->second);
    }
    auto id = contacts::ContactService::Resolve(t, ws, ref);
    if (id) Remember(ref, *id);
    return id;
  }
  // Looks up every contact the items name by id in one statement (one statement per item
  // cost more than its index seek), each id once and in ascending order: a batch names its
  // busiest contacts many times, and ascending seeks reuse the pages the previous one walked.
  Status FindContacts(store::Txn& t, WorkspaceId ws, const std::vector<ActivityInput>& items) {
    std::vector<int64_t> wanted;
    wanted.reserve(items.size());
    for (const ActivityInput& in : items) {
      if (in.contact_id) wanted.push_back(*in.contact_id);
    }
    if (wanted.empty()) return Status::Ok();
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    std::string ids = "[";
    for (int64_t id : wanted) {
      if (ids.size() > 1) ids += ',';
      ids += std::to_string(id);
    }
    ids += ']';
    return t.QueryEach(kContactsIn, {ws.value, ids}, [&](const store::RowView& r) {
      contact_ids.insert(r.Int(0));
      return Status::Ok();
    });
  }
  void Remember(const contacts::ContactRef& ref, ContactId id) {
    if (ref.id) {
      contact_ids.insert(id.value);
    } else if (ref.email) {
      contact_emails.emplace(*ref.email, id.value);
    }
  }
};

Result<Recorded> ActivityService::RecordOne(store::Txn& t, WorkspaceId ws, const ActivityInput& in,
                                            Micros now, Cache& cache) {
  std::vector<FieldError> errors;
  Activity a;
  a.recorded_at = now;
  a.client_id = in.client_id;
  a.source = in.source;
  a.author_id = in.author_id;
  a.properties = in.properties;

  if (in.client_id && (in.client_id->empty() || in.client_id->size() > 255))
    errors.push_back({"id", "must be 1 to 255 characters"});
  // A retry (a client id already stored) is found by the INSERT below, unless it would
  // create a contact first: then it is looked up before anything is written.
  auto stored = [&]() -> Result<std::optional<Recorded>> {
    ASSIGN_OR_RETURN(auto existing,
                     internal::QueryActivity(t, kByClientId, {ws.value, *in.client_id}));
    if (!existing) return std::optional<Recorded>();
    return std::optional<Recorded>(Recorded{std::move(*existing), true});
  };
  if (!cache.types) {
    ASSIGN_OR_RETURN(auto rows, t.Query(kTypes, {ws.value}));
    cache.types.emplace();
    for (const auto& r : rows) {
      CustomType ct = DecodeType(r);
      cache.types->emplace(ct.name, std::move(ct));
    }
  }
  const CustomType* custom = nullptr;
  if (!in.type || in.type->empty()) {
    errors.push_back({"type", "is required"});
  } else if (OneOf(*in.type, kBuiltInTypes)) {
    a.type = *in.type;
  } else if (auto it = cache.types->find(*in.type); it != cache.types->end()) {
    a.type = *in.type;
    custom = &it->second;
  } else {
    errors.push_back(
        {"type", "unknown activity type \"" + *in.type + "\" (register custom types first)"});
  }
  a.channel = in.channel ? *in.channel : DefaultChannel(a.type);
  if (!OneOf(a.channel, kChannels)) {
    errors.push_back({"channel",
                      "must be one of: email, phone, sms, web, chat, in_person, social, support, "
                      "store, other"});
  }
  a.occurred_at = now;
  if (in.occurred_at) {
    auto ts = ParseTimestamp(*in.occurred_at);
    if (!ts) {
      errors.push_back(
          {"occurred_at", "must be an RFC 3339 timestamp such as 2026-11-23T15:04:05Z"});
    } else if (*ts > now + kFutureTolerance) {
      errors.push_back({"occurred_at", "must not be more than 5 minutes in the future"});
    } else if (*ts < -2208988800LL * kMicrosPerSecond) {
      errors.push_back({"occurred_at", "must not be before 1900"});
    } else {
      a.occurred_at = *ts;
    }
  }
  if (in.amount) {
    Money m = *in.amount;
    if (!IsCurrency(m.currency))
      errors.push_back({"amount.currency", "must be an ISO 4217 code such as EUR"});
    if (m.value > kMaxAmount || m.value < -kMaxAmount) {
      errors.push_back({"amount.value", "must be within ±1e15 minor units"});
    }
    if (a.type == "refund" && m.value > 0) m.value = -m.value;  // refunds are stored negative
    if (a.type == "purchase" && m.value < 0)
      errors.push_back({"amount.value", "must not be negative for a purchase"});
    a.amount = m;
  } else if (a.type == "purchase" || a.type == "refund") {
    errors.push_back({"amount", "is required for " + a.type});
  }
  if (!a.type.empty()) CheckProperties(in, a.type, custom, errors);

  // The contact: by id, email or external id; optionally created from the email.
  bool names_contact = in.contact_id || in.contact_email || in.contact_external_id;
  if (!names_contact && !in.company_id) {
    errors.push_back({"contact_id",
                      "an activity needs a contact (contact_id, contact_email or "
                      "contact_external_id) or a company_id"});
  }
  if (!errors.empty()) return ValidationFailed(std::move(errors));

  // Every check that can reject the item runs before its first write; the contact upsert
  // undoes itself if it fails. So a rejected item has written nothing, and a batch needs no
  // savepoint per item (each copied the pages its item touched into a statement journal).
  if (in.company_id) {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kCompanyExists, {ws.value, *in.company_id}));
    if (!row) return ValidationFailed({{"company_id", "no company with this id"}});
    a.company_id = *in.company_id;
  }
  if (names_contact) {
    contacts::ContactRef ref{in.contact_id, in.contact_email, in.contact_external_id};
    auto id = cache.Resolve(t, ws, ref);
    if (!id && id.error().code() == StatusCode::kNotFound && in.upsert_contact &&
        in.contact_email) {
      if (in.client_id) {
        ASSIGN_OR_RETURN(auto retry, stored());
        if (retry) return std::move(*retry);
      }
      contacts::ContactFields f;
      f.email = std::optional<std::string>(*in.contact_email);
      if (in.contact_external_id)
        f.external_id = std::optional<std::string>(*in.contact_external_id);
      if (in.source) f.source = std::optional<std::string>(*in.source);
      auto created = contacts_.Create(ws, f);  // joins this transaction
      if (!created) {
        std::vector<FieldError> fe;
        for (const auto& e : created.error().fields())
          fe.push_back({"contact_" + e.field, e.message});
        if (fe.empty()) fe.push_back({"contact_email", created.error().message()});
        return ValidationFailed(std::move(fe));
      }
      id = created->id;
      cache.Remember(ref, *id);
    }
    if (!id) {
      if (id.error().code() != StatusCode::kNotFound) return id.error();
      const char* field = in.contact_id      ? "contact_id"
                          : in.contact_email ? "contact_email"
                                             : "contact_external_id";
      return ValidationFailed({{field, id.error().message()}});
    }
    a.contact_id = id->value;
  }

  store::Value amount = store::Null{}, currency = store::Null{};
  if (a.amount) {
    amount = a.amount->value;
    currency = a.amount->currency;
  }
  auto row =
      t.QueryOne(a.client_id ? kInsertOnce : kInsert,
                 {ws.value, store::Opt(a.contact_id), store::Opt(a.company_id), a.type, a.channel,
                  a.occurred_at, amount, currency, a.properties, store::Opt(a.source),
                  store::Opt(a.author_id), store::Opt(a.client_id), now});
  // The references were checked above, so a failure from here on is the store's, and it
  // fails the whole batch (see RecordBatch).
  if (!row) return Internal("recording an activity failed: " + row.error().message());
  if (!*row) {  // ignored: the client id is stored already
    ASSIGN_OR_RETURN(auto retry, stored());
    if (retry) return std::move(*retry);
    return Internal("recording an activity failed: the insert was ignored");
  }
  a.id = ActivityId((*row)->Int(0));
  return Recorded{std::move(a), false};
}

Result<Recorded> ActivityService::RecordIn(store::Txn& txn, WorkspaceId ws,
                                           const ActivityInput& in) {
  Micros now = clock_.Now();
  Cache cache;
  ASSIGN_OR_RETURN(Recorded r, RecordOne(txn, ws, in, now, cache));
  if (!r.duplicate) {
    RETURN_IF_ERROR(store::AppendChange(txn, ws, "activity", r.activity.id.value,
                                        store::ChangeKind::kCreated, now));
    // Only once committed: the write function may run twice, or roll back with its caller.
    txn.OnCommit([this] { Written(1); });
  }
  return r;
}

Result<Recorded> ActivityService::Record(WorkspaceId ws, const ActivityInput& in) {
  return store_.Write([&](store::Txn& t) { return RecordIn(t, ws, in); });
}

Result<std::vector<Result<Recorded>>> ActivityService::RecordBatch(
    WorkspaceId ws, const std::vector<ActivityInput>& items) {
  if (items.size() > kMaxBatch) {
    return InvalidArgument("a batch holds at most 10000 activities",
                           {{"activities", "must hold at most 10000 items"}});
  }
  Micros now = clock_.Now();
  std::vector<Result<Recorded>> results(items.size(), Result<Recorded>(Internal("not written")));
  std::vector<int64_t> created;
  Status s = store_.Write([&](store::Txn& outer) -> Status {
    Cache cache;
    RETURN_IF_ERROR(cache.FindContacts(outer, ws, items));
    created.clear();
    for (size_t i = 0; i < items.size(); ++i) {
      // A rejected item has written nothing (see RecordOne); an internal error fails the
      // batch. The new activities go to the change feed as runs of consecutive ids.
      results[i] = RecordOne(outer, ws, items[i], now, cache);
      if (!results[i] && results[i].error().code() == StatusCode::kInternal)
        return results[i].error();
      if (results[i] && !results[i]->duplicate) created.push_back(results[i]->activity.id.value);
    }
    return store::AppendChanges(outer, ws, "activity", created, store::ChangeKind::kCreated, now);
  });
  if (!s.ok()) return s;
  Written(static_cast<int64_t>(created.size()));
  return results;
}

Result<Activity> ActivityService::Get(WorkspaceId ws, ActivityId id) {
  return store_.Read([&](store::Txn& t) -> Result<Activity> {
    ASSIGN_OR_RETURN(auto a, internal::QueryActivity(t, kSelectOne, {ws.value, id.value}));
    if (!a) return NotFound("activity " + std::to_string(id.value) + " not found");
    return std::move(*a);
  });
}

namespace {

// `last` is the latest activity not already covered by a touch (companies only).
Status FillAggregates(Micros now, Aggregates& out, std::vector<store::Row> revenue,
                      std::vector<store::Row> touches, std::vector<store::Row> counts,
                      std::optional<Micros> last) {
  for (const auto& r : revenue) {
    Revenue rev{r.Text(0), r.Int(1),    r.Int(2),    r.Int(3),
                r.Int(4),  r.OptInt(5), r.OptInt(6), std::nullopt};
    if (rev.last_purchase_at)
      rev.days_since_last_purchase = (now - *rev.last_purchase_at) / kMicrosPerDay;
    out.revenue.push_back(std::move(rev));
  }
  // Every activity of a contact touches its channel, so the latest touch is the latest
  // activity.
  out.last_activity_at = last;
  for (const auto& r : touches) {
    Micros at = r.Int(1);
    out.last_touch[r.Text(0)] = at;
    out.last_activity_at = std::max(out.last_activity_at.value_or(at), at);
  }
  for (const auto& r : counts) {
    // A type with nothing in the last 365 days is left out, as if it had no buckets there.
    if (r.Int(3) != 0) out.counts[r.Text(0)] = {r.Int(1), r.Int(2), r.Int(3)};
  }
  return Status::Ok();
}

// Adds the activities not folded into the aggregate tables yet (rows of kUnfoldedOf...).
Status AddUnfolded(store::Txn& t, std::string_view sql, const store::Params& params, Micros now,
                   Aggregates& out) {
  AggregateDelta unfolded(now);
  RETURN_IF_ERROR(t.QueryEach(sql, params, [&](const store::RowView& r) {
    unfolded.Add(r.Int(0), r.Text(1), r.Text(2), r.Int(3), r.OptInt(4), r.Text(5));
    return Status::Ok();
  }));
  unfolded.AddTo(out, now);
  return Status::Ok();
}

}  // namespace

Result<Aggregates> ActivityService::ContactAggregates(WorkspaceId ws, ContactId id) {
  Micros now = clock_.Now();
  int64_t today = DayOf(now);
  return store_.Read([&](store::Txn& t) -> Result<Aggregates> {
    ASSIGN_OR_RETURN(auto exists, t.QueryOne(kCompanyOfContact, {ws.value, id.value}));
    if (!exists) return NotFound("contact " + std::to_string(id.value) + " not found");
    Aggregates out;
    ASSIGN_OR_RETURN(auto revenue, t.Query(kRevenueOf, {id.value}));
    ASSIGN_OR_RETURN(auto touches, t.Query(kTouchesOf, {id.value}));
    ASSIGN_OR_RETURN(auto counts, t.Query(CountsOf(), {id.value, today}));
    RETURN_IF_ERROR(FillAggregates(now, out, std::move(revenue), std::move(touches),
                                   std::move(counts), std::nullopt));
    RETURN_IF_ERROR(AddUnfolded(t, kUnfoldedOfContact, {ws.value, id.value}, now, out));
    return out;
  });
}

Result<Aggregates> ActivityService::CompanyAggregates(WorkspaceId ws, CompanyId id) {
  Micros now = clock_.Now();
  int64_t today = DayOf(now);
  return store_.Read([&](store::Txn& t) -> Result<Aggregates> {
    ASSIGN_OR_RETURN(auto exists, t.QueryOne(kCompanyExists, {ws.value, id.value}));
    if (!exists) return NotFound("company " + std::to_string(id.value) + " not found");
    Aggregates out;
    ASSIGN_OR_RETURN(auto revenue, t.Query(kCompanyRevenue, {ws.value, id.value}));
    ASSIGN_OR_RETURN(auto touches, t.Query(kCompanyTouches, {ws.value, id.value}));
    ASSIGN_OR_RETURN(auto counts, t.Query(CompanyCounts(), {ws.value, id.value, today}));
    ASSIGN_OR_RETURN(auto last, t.QueryOne(kCompanyLastOwn, {ws.value, id.value}));
    RETURN_IF_ERROR(FillAggregates(now, out, std::move(revenue), std::move(touches),
                                   std::move(counts), last ? last->OptInt(0) : std::nullopt));
    RETURN_IF_ERROR(AddUnfolded(t, kUnfoldedOfCompany, {ws.value, id.value}, now, out));
    return out;
  });
}

Result<CustomType> ActivityService::CreateType(WorkspaceId ws, const CustomType& in) {
  std::vector<FieldError> errors;
  static const auto valid_name = [](const std::string& n) {
    if (n.empty() || n.size() > 64 || !(n[0] >= 'a' && n[0] <= 'z')) return false;
    return std::all_of(n.begin(), n.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
  };
  if (!valid_name(in.name)) errors.push_back({"name", "must match [a-z][a-z0-9_]{0,63}"});
  if (OneOf(in.name, kBuiltInTypes)) errors.push_back({"name", "is a built-in type"});
  for (const auto& [k, kind] : in.properties) {
    if (kind != "string" && kind != "number" && kind != "boolean" && kind != "date") {
      errors.push_back({"schema.properties." + k, "must be string, number, boolean or date"});
    }
  }
  for (const auto& r : in.required) {
    if (!in.properties.count(r))
      errors.push_back({"schema.required", "names an undeclared property " + r});
  }
  if (!errors.empty()) return ValidationFailed(std::move(errors));
  CustomType out = in;
  if (out.label.empty()) out.label = out.name;
  out.created_at = clock_.Now();
  boost::json::object props;
  for (const auto& [k, kind] : in.properties) props[k] = kind;
  boost::json::array req;
  for (const auto& r : in.required) req.emplace_back(r);
  std::string schema =
      boost::json::serialize(boost::json::object{{"properties", props}, {"required", req}});
  return store_.Write([&](store::Txn& t) -> Result<CustomType> {
    auto row = t.QueryOne(kInsertType, {ws.value, out.name, out.label, schema, out.created_at});
    if (!row) {
      if (row.error().code() == StatusCode::kAlreadyExists) {
        return AlreadyExists("activity type \"" + out.name + "\" already exists");
      }
      return row.error();
    }
    out.id = (*row)->Int(0);
    RETURN_IF_ERROR(store::AppendChange(t, ws, "activity_type", out.id, store::ChangeKind::kCreated,
                                        out.created_at));
    return out;
  });
}

Result<std::vector<CustomType>> ActivityService::ListTypes(WorkspaceId ws) {
  return store_.Read([&](store::Txn& t) -> Result<std::vector<CustomType>> {
    ASSIGN_OR_RETURN(auto rows, t.Query(kTypes, {ws.value}));
    std::vector<CustomType> out;
    for (const auto& r : rows) out.push_back(DecodeType(r));
    return out;
  });
}

}  // namespace rapport::activity
