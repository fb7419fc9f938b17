#include "segments/membership.h"

#include <boost/json.hpp>

#include "common/time_format.h"

namespace rapport::segments {

Result<bool> WriteMembershipChange(store::Txn& txn, activity::ActivityService& activities,
                                   WorkspaceId ws, int64_t segment_id,
                                   std::string_view segment_name, int64_t contact_id, bool entered,
                                   Micros now) {
  ASSIGN_OR_RETURN(auto exists,
                   txn.QueryOne("SELECT 1 FROM contacts WHERE workspace_id = $1 AND id = $2",
                                {ws.value, contact_id}));
  if (!exists) return false;
  int64_t changed = 0;
  if (entered) {
    ASSIGN_OR_RETURN(changed,
                     txn.Exec("INSERT OR IGNORE INTO segment_members (segment_id, "
                              "contact_id, workspace_id, entered_at) VALUES ($1, $2, $3, $4)",
                              {segment_id, contact_id, ws.value, now}));
  } else {
    ASSIGN_OR_RETURN(
        changed, txn.Exec("DELETE FROM segment_members WHERE segment_id = $1 AND contact_id = $2",
                          {segment_id, contact_id}));
  }
  if (changed == 0) return false;
  RETURN_IF_ERROR(txn.Exec("UPDATE segments SET member_count = member_count + $2 WHERE id = $1",
                           {segment_id, int64_t{entered ? 1 : -1}})
                      .status());
  activity::ActivityInput in;
  in.contact_id = contact_id;
  in.type = entered ? "segment_entered" : "segment_exited";
  in.channel = "other";
  in.occurred_at = FormatTimestamp(now);
  in.source = "segments";
  boost::json::object props;
  props["segment_id"] = segment_id;
  props["segment"] = segment_name;
  in.properties = boost::json::serialize(props);
  RETURN_IF_ERROR(activities.RecordIn(txn, ws, in).status());
  return true;
}

}  // namespace rapport::segments
