// The activities table as the activity service's files read it (activity_service.cpp,
// timeline.cpp): one column list, one decoding of its rows, and the existence checks both
// make. Internal to src/activity (and its tests).
#pragma once

#include <optional>
#include <string_view>

#include "activity/activity.h"
#include "store/store.h"

namespace rapport::activity::internal {

// Followed by a condition on `activities`; ViewOf decodes its rows.
inline constexpr std::string_view kSelectActivities =
    "SELECT id, contact_id, company_id, type, channel, occurred_at, amount, currency, properties, "
    "source, author_id, client_id, recorded_at FROM activities WHERE ";
// No row when the contact is not in the workspace; else its company (NULL for none).
inline constexpr std::string_view kCompanyOfContact =
    "SELECT company_id FROM contacts WHERE workspace_id = $1 AND id = $2";
inline constexpr std::string_view kCompanyExists =
    "SELECT 1 FROM companies WHERE workspace_id = $1 AND id = $2";

// A row of kSelectActivities; the views die with the row.
ActivityView ViewOf(const store::RowView& r);
// The view's activity, with its own copies of the text.
Activity ToActivity(const ActivityView& v);
// The activity `sql` (kSelectActivities and a condition) finds, if any.
Result<std::optional<Activity>> QueryActivity(store::Txn& t, std::string_view sql,
                                              const store::Params& params);

}  // namespace rapport::activity::internal
