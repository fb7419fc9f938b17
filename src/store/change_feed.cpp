#include "store/change_feed.h"

namespace rapport::store {
namespace {

constexpr std::string_view kAppend =
    "INSERT INTO change_feed (workspace_id, entity, entity_id, entity_id_last, kind, at) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
constexpr std::string_view kRead =
    "SELECT seq, workspace_id, entity, entity_id, COALESCE(entity_id_last, entity_id), kind, at "
    "FROM change_feed WHERE seq > $1 ORDER BY seq LIMIT $2";

ChangeKind KindFromName(const std::string& s) {
  if (s == "created") return ChangeKind::kCreated;
  if (s == "deleted") return ChangeKind::kDeleted;
  return ChangeKind::kUpdated;
}

}  // namespace

const char* ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kCreated:
      return "created";
    case ChangeKind::kUpdated:
      return "updated";
    case ChangeKind::kDeleted:
      return "deleted";
  }
  return "updated";
}

Status AppendChange(Txn& txn, WorkspaceId ws, std::string_view entity, int64_t entity_id,
                    ChangeKind kind, Micros at) {
  return AppendChanges(txn, ws, entity, std::span(&entity_id, 1), kind, at);
}

Status AppendChanges(Txn& txn, WorkspaceId ws, std::string_view entity,
                     std::span<const int64_t> ids, ChangeKind kind, Micros at) {
  for (const IdRun& run : ConsecutiveRuns(ids)) {
    Value last = run.last == run.first ? Value(Null{}) : Value(run.last);
    RETURN_IF_ERROR(txn.Exec(kAppend, {ws.value, std::string(entity), run.first, std::move(last),
                                       std::string(ChangeKindName(kind)), at})
                        .status());
  }
  return Status::Ok();
}

Result<std::vector<Change>> ReadChanges(Txn& txn, int64_t after_seq, int limit) {
  ASSIGN_OR_RETURN(auto rows, txn.Query(kRead, {after_seq, int64_t{limit}}));
  std::vector<Change> out;
  out.reserve(rows.size());
  for (const Row& r : rows) {
    out.push_back({r.Int(0), WorkspaceId(r.Int(1)), r.Text(2), r.Int(3), r.Int(4),
                   KindFromName(r.Text(5)), r.Int(6)});
  }
  return out;
}

}  // namespace rapport::store
