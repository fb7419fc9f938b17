#include "auth/users.h"

#include "auth/passwords.h"
#include "common/strings.h"
#include "store/change_feed.h"

namespace rapport::auth {
namespace {

constexpr std::string_view kUserByEmail =
    "SELECT id, email, name, created_at, password_hash FROM users WHERE email = $1";
constexpr std::string_view kUserById =
    "SELECT id, email, name, created_at, password_hash FROM users WHERE id = $1";
constexpr std::string_view kInsertUser =
    "INSERT INTO users (email, name, created_at, password_hash, password_changed_at) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING id";
constexpr std::string_view kUpsertMember =
    "INSERT INTO workspace_members (workspace_id, user_id, role) VALUES ($1, $2, $3) "
    "ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role";
constexpr std::string_view kMemberships =
    "SELECT m.workspace_id, w.name, m.role FROM workspace_members m "
    "JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = $1 ORDER BY m.workspace_id";
constexpr std::string_view kMember =
    "SELECT u.id, u.email, u.name, u.created_at, m.role FROM workspace_members m "
    "JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 AND m.user_id = $2";
constexpr std::string_view kMembers =
    "SELECT u.id, u.email, u.name, u.created_at, m.role FROM workspace_members m "
    "JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 ORDER BY u.id";
constexpr std::string_view kOwnerCount =
    "SELECT COUNT(*) FROM workspace_members WHERE workspace_id = $1 AND role = 'owner' AND user_id "
    "<> $2";
constexpr std::string_view kSetRole =
    "UPDATE workspace_members SET role = $3 WHERE workspace_id = $1 AND user_id = $2";
constexpr std::string_view kRemove =
    "DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2";
constexpr std::string_view kSetPassword =
    "UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE id = $1";
constexpr std::string_view kPasswordHash = "SELECT password_hash FROM users WHERE id = $1";
constexpr std::string_view kWorkspaceByName = "SELECT id FROM workspaces WHERE name = $1";
constexpr std::string_view kWorkspaceName = "SELECT name FROM workspaces WHERE id = $1";
constexpr std::string_view kInsertWorkspace =
    "INSERT INTO workspaces (name, created_at) VALUES ($1, $2) RETURNING id";

User DecodeUser(const store::Row& r) {
  return User{UserId(r.Int(0)), r.Text(1), r.OptText(2), r.Int(3)};
}

Role RoleOf(const std::string& s) { return ParseRole(s).value_or(Role::kViewer); }

Result<std::string> NormalizeUserEmail(std::string_view raw) {
  std::string email = ToLowerAscii(Trim(raw));
  size_t at = email.find('@');
  if (email.empty() || email.size() > 254 || at == std::string::npos || at == 0 ||
      !IsValidHostname(email.substr(at + 1)) ||
      email.find_first_of(" \t\r\n<>,;\"") != std::string::npos) {
    return ValidationFailed({{"email", "is not a valid email address"}});
  }
  return email;
}

}  // namespace

Result<AddedUser> UserService::Add(WorkspaceId ws, std::string_view raw_email,
                                   std::optional<std::string> name, Role role,
                                   const std::optional<std::string>& password) {
  ASSIGN_OR_RETURN(std::string email, NormalizeUserEmail(raw_email));
  std::optional<std::string> hash;
  if (password) {
    RETURN_IF_ERROR(CheckPasswordRules(*password, email));
    ASSIGN_OR_RETURN(hash, HashPassword(*password));
  }
  if (name) {
    std::string trimmed(Trim(*name));
    if (trimmed.empty()) {
      name.reset();
    } else if (!IsValidUtf8(trimmed) || Utf8Length(trimmed) > 200) {
      return ValidationFailed({{"name", "must be at most 200 characters of valid UTF-8"}});
    } else {
      name = trimmed;
    }
  }
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<AddedUser> {
    AddedUser out;
    ASSIGN_OR_RETURN(auto existing, t.QueryOne(kUserByEmail, {email}));
    if (existing) {
      out.user = DecodeUser(*existing);
    } else {
      ASSIGN_OR_RETURN(
          auto row,
          t.QueryOne(kInsertUser, {email, store::Opt(name), now, store::Opt(hash),
                                   hash ? store::Value(now) : store::Value(store::Null{})}));
      out.user = User{UserId(row->Int(0)), email, name, now};
      out.created = true;
    }
    RETURN_IF_ERROR(
        t.Exec(kUpsertMember, {ws.value, out.user.id.value, std::string(RoleName(role))}).status());
    RETURN_IF_ERROR(store::AppendChange(
        t, ws, "user", out.user.id.value,
        out.created ? store::ChangeKind::kCreated : store::ChangeKind::kUpdated, now));
    return out;
  });
}

Result<User> UserService::Get(UserId id) {
  return store_.Read([&](store::Txn& t) -> Result<User> {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kUserById, {id.value}));
    if (!row) return NotFound("user " + std::to_string(id.value) + " not found");
    return DecodeUser(*row);
  });
}

Result<std::vector<Membership>> UserService::Memberships(UserId id) {
  return store_.Read([&](store::Txn& t) -> Result<std::vector<Membership>> {
    ASSIGN_OR_RETURN(auto rows, t.Query(kMemberships, {id.value}));
    std::vector<Membership> out;
    for (const auto& r : rows) out.push_back({WorkspaceId(r.Int(0)), r.Text(1), RoleOf(r.Text(2))});
    return out;
  });
}

Result<Member> UserService::GetMember(WorkspaceId ws, UserId id) {
  return store_.Read([&](store::Txn& t) -> Result<Member> {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kMember, {ws.value, id.value}));
    if (!row) return NotFound("user " + std::to_string(id.value) + " not found");
    return Member{DecodeUser(*row), RoleOf(row->Text(4))};
  });
}

Result<std::vector<Member>> UserService::Members(WorkspaceId ws) {
  return store_.Read([&](store::Txn& t) -> Result<std::vector<Member>> {
    ASSIGN_OR_RETURN(auto rows, t.Query(kMembers, {ws.value}));
    std::vector<Member> out;
    for (const auto& r : rows) out.push_back({DecodeUser(r), RoleOf(r.Text(4))});
    return out;
  });
}

Status UserService::SetRole(WorkspaceId ws, UserId id, Role role) {
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Status {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kMember, {ws.value, id.value}));
    if (!row) return NotFound("user " + std::to_string(id.value) + " not found");
    if (row->Text(4) == "owner" && role != Role::kOwner) {
      ASSIGN_OR_RETURN(auto owners, t.QueryOne(kOwnerCount, {ws.value, id.value}));
      if (owners->Int(0) == 0)
        return ValidationFailed({{"role", "the workspace needs at least one owner"}});
    }
    RETURN_IF_ERROR(t.Exec(kSetRole, {ws.value, id.value, std::string(RoleName(role))}).status());
    return store::AppendChange(t, ws, "user", id.value, store::ChangeKind::kUpdated, now);
  });
}

Status UserService::RemoveMember(WorkspaceId ws, UserId id) {
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Status {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kMember, {ws.value, id.value}));
    if (!row) return NotFound("user " + std::to_string(id.value) + " not found");
    if (row->Text(4) == "owner") {
      ASSIGN_OR_RETURN(auto owners, t.QueryOne(kOwnerCount, {ws.value, id.value}));
      if (owners->Int(0) == 0)
        return ValidationFailed({{"role", "the workspace needs at least one owner"}});
    }
    RETURN_IF_ERROR(t.Exec(kRemove, {ws.value, id.value}).status());
    return store::AppendChange(t, ws, "user", id.value, store::ChangeKind::kDeleted, now);
  });
}

Result<User> UserService::Authenticate(std::string_view raw_email, std::string_view password) {
  Status denied(StatusCode::kUnauthenticated, "email or password is wrong");
  std::string email = ToLowerAscii(Trim(raw_email));
  ASSIGN_OR_RETURN(auto row,
                   store_.Read([&](store::Txn& t) { return t.QueryOne(kUserByEmail, {email}); }));
  std::string hash = row ? row->Text(4) : std::string();
  bool ok = password.size() <= kMaxPasswordLength && VerifyPassword(hash, password);
  if (!ok || !row) return denied;
  return DecodeUser(*row);
}

Status UserService::SetPassword(UserId id, std::string_view password) {
  ASSIGN_OR_RETURN(User user, Get(id));
  RETURN_IF_ERROR(CheckPasswordRules(password, user.email, "new_password"));
  ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) {
    return t.Exec(kSetPassword, {id.value, hash, now}).status();
  });
}

Result<bool> UserService::CheckPassword(UserId id, std::string_view password) {
  ASSIGN_OR_RETURN(
      auto row, store_.Read([&](store::Txn& t) { return t.QueryOne(kPasswordHash, {id.value}); }));
  if (!row) return NotFound("user not found");
  return password.size() <= kMaxPasswordLength && VerifyPassword(row->Text(0), password);
}

Result<WorkspaceId> EnsureWorkspace(store::Store& store, Clock& clock, std::string_view raw_name) {
  std::string name(Trim(raw_name));
  if (name.empty() || name.size() > 100 || !IsValidUtf8(name)) {
    return ValidationFailed({{"workspace", "must be 1-100 characters"}});
  }
  return store.Write([&](store::Txn& t) -> Result<WorkspaceId> {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kWorkspaceByName, {name}));
    if (row) return WorkspaceId(row->Int(0));
    ASSIGN_OR_RETURN(auto created, t.QueryOne(kInsertWorkspace, {name, clock.Now()}));
    return WorkspaceId(created->Int(0));
  });
}

Result<std::string> WorkspaceName(store::Store& store, WorkspaceId ws) {
  return store.Read([&](store::Txn& t) -> Result<std::string> {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kWorkspaceName, {ws.value}));
    if (!row) return NotFound("workspace not found");
    return row->Text(0);
  });
}

}  // namespace rapport::auth
