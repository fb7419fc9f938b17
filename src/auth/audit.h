// The audit log: who (a user, an API key, the system, or an anonymous client) did what to
// which record and when, with the before/after values of the changed fields as JSON text.
// Entries are written with Record() inside the transaction of the write they describe, so
// a write and its audit entry commit or roll back together. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "store/store.h"

namespace rapport::auth {

struct Actor {
  std::string type = "system";  // user | api_key | system | anonymous
  std::optional<int64_t> id;
  // "user:3", "api_key:5", "system"; ParseActor reads the same form.
  std::string ToString() const;
};
std::optional<Actor> ParseActor(std::string_view text);

struct AuditEntry {
  int64_t id = 0;
  WorkspaceId workspace;
  Micros at = 0;
  Actor actor;
  std::string action;  // create | update | delete | login | login_failed | logout | ...
  std::string entity;  // contact | company | api_key | user | session | ...
  std::optional<int64_t> entity_id;
  // Set on an entry for a run of records one request created (by reference, without
  // changes): it covers entity_id through entity_id_last.
  std::optional<int64_t> entity_id_last;
  std::optional<std::string> changes;  // JSON {"before": {...}|null, "after": {...}|null}
  std::optional<std::string> request_id, ip;
};

// Appends `e` (its id and, when 0, its time are filled in by the store and `now`).
Status RecordAudit(store::Txn& txn, const AuditEntry& e, Micros now);

// Appends `e` in a transaction of its own (events that are not part of another write, such
// as command-line actions).
Status RecordAudit(store::Store& store, const AuditEntry& e, Micros now);

struct AuditQuery {
  std::optional<std::string> entity;
  std::optional<int64_t> entity_id;  // also matches a run that covers it
  std::optional<Actor> actor;
  std::optional<Micros> since;
  std::optional<int64_t> before_id;  // keyset cursor: entries with a smaller id
  int limit = 50;
};

// Newest first; at most limit + 1 entries (the extra one says there is a next page).
Result<std::vector<AuditEntry>> QueryAudit(store::Store& store, WorkspaceId ws,
                                           const AuditQuery& q);

}  // namespace rapport::auth
