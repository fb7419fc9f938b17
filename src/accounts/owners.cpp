#include "accounts/owners.h"

namespace rapport::accounts {

Status CheckOwner(store::Txn& txn, WorkspaceId ws, int64_t user_id, const char* field) {
  ASSIGN_OR_RETURN(auto row, txn.QueryOne("SELECT 1 FROM workspace_members WHERE workspace_id = $1 "
                                          "AND user_id = $2",
                                          {ws.value, user_id}));
  if (!row) return ValidationFailed({{field, "is not a user of this workspace"}});
  return Status::Ok();
}

}  // namespace rapport::accounts
