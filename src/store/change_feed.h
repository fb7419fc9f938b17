// The change feed: every committed change appends one row (sequence number, workspace,
// entity, id, kind) in the same transaction as the change. The engine and other nodes
// tail it in sequence order. Records created in a row by one request share a row: a run
// of ids (AppendChanges).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "store/store.h"

namespace rapport::store {

enum class ChangeKind { kCreated, kUpdated, kDeleted };

struct Change {
  int64_t seq;
  WorkspaceId workspace;
  std::string entity;  // "contact", "company", "tag", "custom_field", ...
  int64_t entity_id;
  int64_t entity_id_last;  // the run's last id: entity_id itself for one record
  ChangeKind kind;
  Micros at;
};

Status AppendChange(Txn& txn, WorkspaceId ws, std::string_view entity, int64_t entity_id,
                    ChangeKind kind, Micros at);

// One row per run of consecutive ids in `ids` (see ConsecutiveRuns).
Status AppendChanges(Txn& txn, WorkspaceId ws, std::string_view entity,
                     std::span<const int64_t> ids, ChangeKind kind, Micros at);

// Changes with seq > after_seq, oldest first, at most `limit`.
Result<std::vector<Change>> ReadChanges(Txn& txn, int64_t after_seq, int limit);

const char* ChangeKindName(ChangeKind kind);

}  // namespace rapport::store
