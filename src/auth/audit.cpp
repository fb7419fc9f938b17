#include "auth/audit.h"

#include <charconv>

namespace rapport::auth {
namespace {

constexpr std::string_view kInsert =
    "INSERT INTO audit_log (workspace_id, at, actor_type, actor_id, action, entity, entity_id, "
    "entity_id_last, changes, request_id, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
    "$11)";

}  // namespace

std::string Actor::ToString() const { return id ? type + ":" + std::to_string(*id) : type; }

std::optional<Actor> ParseActor(std::string_view text) {
  Actor a;
  size_t colon = text.find(':');
  a.type = std::string(text.substr(0, colon));
  if (a.type != "user" && a.type != "api_key" && a.type != "system" && a.type != "anonymous") {
    return std::nullopt;
  }
  if (colon != std::string_view::npos) {
    std::string_view num = text.substr(colon + 1);
    int64_t v = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
    if (ec != std::errc() || p != num.data() + num.size() || v <= 0) return std::nullopt;
    a.id = v;
  }
  return a;
}

Status RecordAudit(store::Txn& txn, const AuditEntry& e, Micros now) {
  return txn
      .Exec(kInsert, {e.workspace.value, e.at ? e.at : now, e.actor.type, store::Opt(e.actor.id),
                      e.action, e.entity, store::Opt(e.entity_id), store::Opt(e.entity_id_last),
                      store::Opt(e.changes), store::Opt(e.request_id), store::Opt(e.ip)})
      .status();
}

Status RecordAudit(store::Store& store, const AuditEntry& e, Micros now) {
  return store.Write([&](store::Txn& t) { return RecordAudit(t, e, now); });
}

Result<std::vector<AuditEntry>> QueryAudit(store::Store& store, WorkspaceId ws,
                                           const AuditQuery& q) {
  // The conditions, after "WHERE"; the table is audit_log, or the entries about one id
  // joined to it (below).
  std::string from = "audit_log", sql = "workspace_id = $1";
  store::Params params{ws.value};
  auto bind = [&](std::string_view cond, store::Value v) {
    params.push_back(std::move(v));
    sql += " AND " + std::string(cond) + " $" + std::to_string(params.size());
  };
  std::string entity_param;  // "$N", the parameter bound to q.entity
  if (q.entity) {
    bind("entity =", *q.entity);
    entity_param = "$" + std::to_string(params.size());
  }
  if (q.entity_id) {
    params.emplace_back(std::in_place_type<int64_t>, *q.entity_id);
    std::string id = "$" + std::to_string(params.size());
    if (q.entity) {
      // The entries about the id, and the run that holds it: runs of one entity do not
      // overlap, so that is the first run to end at or after the id, if it starts before.
      // Two index seeks drive the query (CROSS JOIN keeps them outermost); an OR of the
      // two conditions scanned every entry with a smaller entity_id.
      from = "(SELECT e.id AS hit FROM audit_log e WHERE e.workspace_id = $1 AND e.entity = " +
             entity_param + " AND e.entity_id = " + id +
             " UNION ALL SELECT id FROM (SELECT r.id, r.entity_id FROM audit_log r WHERE "
             "r.workspace_id = $1 AND r.entity = " +
             entity_param + " AND r.entity_id_last >= " + id +
             " ORDER BY r.entity_id_last LIMIT 1) WHERE entity_id < " + id +
             ") AS hits CROSS JOIN audit_log ON audit_log.id = hits.hit";
    } else {
      sql += " AND (entity_id = " + id + " OR (entity_id_last >= " + id + " AND entity_id < " + id +
             "))";
    }
  }
  if (q.actor) {
    bind("actor_type =", q.actor->type);
    if (q.actor->id) bind("actor_id =", *q.actor->id);
  }
  if (q.since) bind("at >=", *q.since);
  if (q.before_id) bind("id <", *q.before_id);
  sql =
      "SELECT id, workspace_id, at, actor_type, actor_id, action, entity, entity_id, "
      "entity_id_last, changes, request_id, ip FROM " +
      from + " WHERE " + sql + " ORDER BY id DESC LIMIT " + std::to_string(q.limit + 1);
  return store.Read([&](store::Txn& t) -> Result<std::vector<AuditEntry>> {
    ASSIGN_OR_RETURN(auto rows, t.Query(sql, params));
    std::vector<AuditEntry> out;
    for (const auto& r : rows) {
      AuditEntry e;
      e.id = r.Int(0);
      e.workspace = WorkspaceId(r.Int(1));
      e.at = r.Int(2);
      e.actor.type = r.Text(3);
      e.actor.id = r.OptInt(4);
      e.action = r.Text(5);
      e.entity = r.Text(6);
      e.entity_id = r.OptInt(7);
      e.entity_id_last = r.OptInt(8);
      e.changes = r.OptText(9);
      e.request_id = r.OptText(10);
      e.ip = r.OptText(11);
      out.push_back(std::move(e));
    }
    return out;
  });
}

}  // namespace rapport::auth
