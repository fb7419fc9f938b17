// One membership change as stored: the segment_members row, the segment's member_count and
// the segment_entered / segment_exited activity on the contact's timeline, all in the
// caller's write transaction. Shared by the service (static lists, rule edits) and the
// live index (changes found by re-evaluation).
#pragma once

#include <cstdint>
#include <string_view>

#include "activity/activity.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "store/store.h"

namespace rapport::segments {

// Returns false (and changes nothing) when the contact already is / is not a member, or no
// longer exists.
Result<bool> WriteMembershipChange(store::Txn& txn, activity::ActivityService& activities,
                                   WorkspaceId ws, int64_t segment_id,
                                   std::string_view segment_name, int64_t contact_id, bool entered,
                                   Micros now);

}  // namespace rapport::segments
