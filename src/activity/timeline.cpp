// Timelines: a keyset-paged, newest-first read of a contact's or company's activities,
// streamed from the store so a page costs no Row per activity (see VisitTimeline).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "activity/activity.h"
#include "activity/activity_rows.h"
#include "store/keyset.h"

namespace rapport::activity {
namespace {

constexpr store::SortColumn kTimelineSort[] = {{"occurred_at", "occurred_at", false}};
constexpr std::string_view kTimelineOrder = "-occurred_at";

struct Statement {
  std::string sql;
  store::Params params;
};

// Newest first: the keyset runs over occurred_at descending, ties by id. The statement
// selects one row more than a page (which tells that another page follows).
Result<Statement> TimelineStatement(WorkspaceId ws, const TimelineQuery& q,
                                    const store::SortKey& sort) {
  std::optional<store::Cursor> after;
  if (q.cursor) {
    ASSIGN_OR_RETURN(after, store::DecodeCursor(*q.cursor, kTimelineOrder));
  }
  Statement st{std::string(internal::kSelectActivities), {ws.value}};
  store::Params& params = st.params;
  auto bind = [&](store::Value v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  // Filters on the activity's row, and on its time (which contact_activities has too).
  std::string row_filters, time_filters;
  auto in_list = [&](const char* column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    row_filters += std::string(" AND ") + column + " IN (";
    for (size_t i = 0; i < values.size(); ++i) row_filters += (i ? ", " : "") + bind(values[i]);
    row_filters += ")";
  };
  in_list("type", q.types);
  in_list("channel", q.channels);
  if (q.since) time_filters += " AND occurred_at >= " + bind(*q.since);
  if (q.until) time_filters += " AND occurred_at < " + bind(*q.until);
  const std::string filters = row_filters + time_filters;

  // Each arm is an index range read cut at one page (index-only unless filtered); the
  // page's rows are then read by id. One OR over the arms would scan the workspace's log.
  std::vector<std::string> arms;
  auto arm = [&](std::string a) {
    store::AppendKeyset(a, params, sort, after, q.limit);
    arms.push_back(std::move(a));
  };
  // A contact's activities are in two tables: contact_activities (folded, by contact and
  // time: index-only unless filtered by type or channel) and activities_unfolded (a few
  // per contact, by contact alone: read and sorted). See ActivityService::Fold.
  auto contact_arms = [&](const std::string& contact) {
    std::string folded =
        "SELECT id FROM contact_activities WHERE workspace_id = $1 AND " + contact + time_filters;
    if (!row_filters.empty())
      folded += " AND EXISTS (SELECT 1 FROM activities a WHERE a.id = contact_activities.id" +
                row_filters + ")";
    arm(std::move(folded));
    arm("SELECT id FROM activities WHERE workspace_id = $1 AND id IN (SELECT id FROM "
        "activities_unfolded WHERE " +
        contact + ")" + filters);
  };
  if (q.company_id) {
    // The company's own activities and its contacts'.
    std::string c = bind(*q.company_id);
    arm("SELECT id FROM activities WHERE workspace_id = $1 AND company_id = " + c + filters);
    contact_arms(
        "contact_id IN (SELECT id FROM contacts WHERE workspace_id = $1 AND company_id = " + c +
        ")");
  } else if (q.contact_id) {
    contact_arms("contact_id = " + bind(*q.contact_id));
  }
  std::string& sql = st.sql;
  if (arms.empty()) {
    sql += "workspace_id = $1" + filters;
    store::AppendKeyset(sql, params, sort, after, q.limit);
    return st;
  }
  sql += "id IN (";
  for (size_t i = 0; i < arms.size(); ++i)
    sql += (i ? " UNION ALL SELECT id FROM (" : "SELECT id FROM (") + arms[i] + ")";
  sql += ")";
  store::AppendKeyset(sql, params, sort, std::nullopt, q.limit);
  return st;
}

}  // namespace

Result<std::optional<std::string>> ActivityService::VisitTimeline(
    WorkspaceId ws, const TimelineQuery& q,
    const std::function<Status(const ActivityView&)>& visit) {
  ASSIGN_OR_RETURN(store::SortKey sort, store::ParseSort(kTimelineOrder, kTimelineSort));
  ASSIGN_OR_RETURN(Statement st, TimelineStatement(ws, q, sort));
  return store_.Read([&](store::Txn& t) -> Result<std::optional<std::string>> {
    // The record must exist in this workspace: an empty timeline is not a missing record.
    if (q.contact_id) {
      ASSIGN_OR_RETURN(auto c, t.QueryOne(internal::kCompanyOfContact, {ws.value, *q.contact_id}));
      if (!c) return NotFound("contact " + std::to_string(*q.contact_id) + " not found");
    } else if (q.company_id) {
      ASSIGN_OR_RETURN(auto c, t.QueryOne(internal::kCompanyExists, {ws.value, *q.company_id}));
      if (!c) return NotFound("company " + std::to_string(*q.company_id) + " not found");
    }
    // The row after the page only tells that another page follows; the cursor points at the
    // page's last row, as store::NextCursor's does.
    int seen = 0;
    bool more = false;
    int64_t last_id = 0;
    Micros last_key = 0;
    RETURN_IF_ERROR(t.QueryEach(st.sql, st.params, [&](const store::RowView& r) -> Status {
      if (seen == q.limit) {
        more = true;
        return Status::Ok();
      }
      ++seen;
      ActivityView a = internal::ViewOf(r);
      last_id = a.id;
      last_key = a.occurred_at;
      return visit(a);
    }));
    if (!more) return std::optional<std::string>();
    store::Cursor c;
    c.sort = std::string(kTimelineOrder);
    c.key = last_key;
    c.id = last_id;
    return std::optional<std::string>(store::EncodeCursor(c));
  });
}

Result<TimelinePage> ActivityService::Timeline(WorkspaceId ws, const TimelineQuery& q) {
  TimelinePage page;
  ASSIGN_OR_RETURN(page.next_cursor, VisitTimeline(ws, q, [&](const ActivityView& v) {
                     page.data.push_back(internal::ToActivity(v));
                     return Status::Ok();
                   }));
  return page;
}

}  // namespace rapport::activity
