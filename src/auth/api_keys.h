// API keys for integrations: one workspace and one role each, shown once at creation and
// stored only as a hash; the visible prefix identifies a key in lists and logs.
// Requests present a key as `Authorization: Bearer <key>`; http/api/policy verifies it.
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "store/store.h"

namespace rapport::auth {

inline constexpr const char* kRoles[] = {"owner", "admin", "manager", "member", "viewer"};
bool IsRole(std::string_view role);

struct ApiKey {
  ApiKeyId id;
  WorkspaceId workspace;
  std::string name, prefix, role;
  Micros created_at = 0;
  std::optional<Micros> last_used_at, revoked_at;
};

struct CreatedKey {
  ApiKey key;
  std::string secret;  // the full key; never stored
};

class ApiKeyService {
 public:
  ApiKeyService(store::Store& store, Clock& clock) : store_(store), clock_(clock) {}

  // Validation error for an unknown role or workspace.
  Result<CreatedKey> Create(WorkspaceId ws, std::string_view role, std::string_view name);
  // The key's record if `secret` is a live key (constant-time hash comparison);
  // Unauthenticated otherwise. Records last_used_at (at most once a minute).
  Result<ApiKey> Verify(std::string_view secret);
  Status Revoke(WorkspaceId ws, ApiKeyId id);
  Result<std::vector<ApiKey>> List(WorkspaceId ws);

 private:
  store::Store& store_;
  Clock& clock_;
};

// The workspace's id by name; NotFound when there is none.
Result<WorkspaceId> FindWorkspace(store::Store& store, std::string_view name);

}  // namespace rapport::auth
