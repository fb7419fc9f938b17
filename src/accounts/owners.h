// Record owners are users who are members of the workspace.
#pragma once

#include <cstdint>

#include "common/ids.h"
#include "common/status.h"
#include "store/store.h"

namespace rapport::accounts {

// Validation error on `field` unless `user_id` is a member of `ws`.
Status CheckOwner(store::Txn& txn, WorkspaceId ws, int64_t user_id, const char* field = "owner_id");

}  // namespace rapport::accounts
