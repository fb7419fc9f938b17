#include "auth/api_keys.h"

#include <sodium.h>

#include <algorithm>

#include "store/change_feed.h"

namespace rapport::auth {
namespace {

constexpr std::string_view kInsert =
    "INSERT INTO api_keys (workspace_id, name, prefix, key_hash, role, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
constexpr std::string_view kByPrefix =
    "SELECT id, workspace_id, name, prefix, role, created_at, last_used_at, revoked_at, key_hash "
    "FROM api_keys WHERE prefix = $1";
constexpr std::string_view kList =
    "SELECT id, workspace_id, name, prefix, role, created_at, last_used_at, revoked_at, key_hash "
    "FROM api_keys WHERE workspace_id = $1 ORDER BY id";
constexpr std::string_view kTouch = "UPDATE api_keys SET last_used_at = $2 WHERE id = $1";
constexpr std::string_view kRevoke =
    "UPDATE api_keys SET revoked_at = $3 WHERE workspace_id = $1 AND id = $2 AND revoked_at IS "
    "NULL";
constexpr std::string_view kWorkspace = "SELECT id FROM workspaces WHERE name = $1";

constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr Micros kTouchInterval = 60 * kMicrosPerSecond;

std::string RandomToken(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += kAlphabet[randombytes_uniform(kAlphabet.size())];
  return out;
}

std::string Hash(std::string_view secret) {
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size(), nullptr, 0);
  char hex[crypto_generichash_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

ApiKey Decode(const store::Row& r) {
  ApiKey k;
  k.id = ApiKeyId(r.Int(0));
  k.workspace = WorkspaceId(r.Int(1));
  k.name = r.Text(2);
  k.prefix = r.Text(3);
  k.role = r.Text(4);
  k.created_at = r.Int(5);
  k.last_used_at = r.OptInt(6);
  k.revoked_at = r.OptInt(7);
  return k;
}

}  // namespace

bool IsRole(std::string_view role) {
  return std::any_of(std::begin(kRoles), std::end(kRoles),
                     [&](const char* r) { return role == r; });
}

Result<CreatedKey> ApiKeyService::Create(WorkspaceId ws, std::string_view role,
                                         std::string_view name) {
  if (!IsRole(role)) {
    return ValidationFailed({{"role", "must be one of: owner, admin, manager, member, viewer"}});
  }
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  Micros now = clock_.Now();
  CreatedKey out;
  out.key.workspace = ws;
  out.key.name = std::string(name);
  out.key.role = std::string(role);
  out.key.prefix = "rk_" + RandomToken(8);
  out.key.created_at = now;
  out.secret = out.key.prefix + "_" + RandomToken(40);
  std::string hash = Hash(out.secret);
  return store_.Write([&](store::Txn& t) -> Result<CreatedKey> {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kInsert, {ws.value, out.key.name, out.key.prefix, hash,
                                                    out.key.role, now}));
    out.key.id = ApiKeyId(row->Int(0));
    RETURN_IF_ERROR(
        store::AppendChange(t, ws, "api_key", out.key.id.value, store::ChangeKind::kCreated, now));
    return out;
  });
}

Result<ApiKey> ApiKeyService::Verify(std::string_view secret) {
  Status denied(StatusCode::kUnauthenticated, "invalid or revoked API key");
  if (secret.size() < 12 || secret.substr(0, 3) != "rk_") return denied;
  std::string prefix(secret.substr(0, 11));
  ASSIGN_OR_RETURN(auto row,
                   store_.Read([&](store::Txn& t) { return t.QueryOne(kByPrefix, {prefix}); }));
  if (!row) return denied;
  std::string expected = row->Text(8);
  std::string actual = Hash(secret);
  if (expected.size() != actual.size() ||
      sodium_memcmp(expected.data(), actual.data(), expected.size()) != 0) {
    return denied;
  }
  ApiKey key = Decode(*row);
  if (key.revoked_at) return denied;
  Micros now = clock_.Now();
  // last_used_at is coarse (one write a minute at most) so a busy integration does not turn
  // every read into a write.
  if (!key.last_used_at || now - *key.last_used_at >= kTouchInterval) {
    RETURN_IF_ERROR(store_.Write([&](store::Txn& t) {
      return t.Exec(kTouch, {key.id.value, now}).status();
    }));
    key.last_used_at = now;
  }
  return key;
}

Status ApiKeyService::Revoke(WorkspaceId ws, ApiKeyId id) {
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Status {
    ASSIGN_OR_RETURN(int64_t n, t.Exec(kRevoke, {ws.value, id.value, now}));
    if (n == 0) return NotFound("API key " + std::to_string(id.value) + " not found");
    return store::AppendChange(t, ws, "api_key", id.value, store::ChangeKind::kUpdated, now);
  });
}

Result<std::vector<ApiKey>> ApiKeyService::List(WorkspaceId ws) {
  return store_.Read([&](store::Txn& t) -> Result<std::vector<ApiKey>> {
    ASSIGN_OR_RETURN(auto rows, t.Query(kList, {ws.value}));
    std::vector<ApiKey> out;
    for (const auto& r : rows) out.push_back(Decode(r));
    return out;
  });
}

Result<WorkspaceId> FindWorkspace(store::Store& store, std::string_view name) {
  return store.Read([&](store::Txn& t) -> Result<WorkspaceId> {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kWorkspace, {std::string(name)}));
    if (!row) return NotFound("no workspace named \"" + std::string(name) + "\"");
    return WorkspaceId(row->Int(0));
  });
}

}  // namespace rapport::auth
