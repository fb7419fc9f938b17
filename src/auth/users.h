// Users, workspaces and memberships: a user belongs to one or more workspaces with one role
// in each. Passwords are stored only as argon2id strings; Authenticate costs the same for an
// unknown email as for a wrong password. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/roles.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "store/store.h"

namespace rapport::auth {

struct User {
  UserId id;
  std::string email;
  std::optional<std::string> name;
  Micros created_at = 0;
};

struct Membership {
  WorkspaceId workspace;
  std::string workspace_name;
  Role role = Role::kViewer;
};

struct Member {
  User user;
  Role role = Role::kViewer;
};

struct AddedUser {
  User user;
  bool created = false;  // false: an existing user got (or kept) the membership
};

class UserService {
 public:
  UserService(store::Store& store, Clock& clock) : store_(store), clock_(clock) {}

  // Creates the user (with `password` when given, else none: they cannot log in until one
  // is set) or finds the existing one by email, and makes them a member of `ws` with
  // `role` (changing the role of an existing member). Validation errors name "email",
  // "password". Runs inside the caller's transaction when there is one.
  Result<AddedUser> Add(WorkspaceId ws, std::string_view email, std::optional<std::string> name,
                        Role role, const std::optional<std::string>& password);

  Result<User> Get(UserId id);
  // Oldest membership first.
  Result<std::vector<Membership>> Memberships(UserId id);
  // NotFound when the user is not a member of `ws`.
  Result<Member> GetMember(WorkspaceId ws, UserId id);
  Result<std::vector<Member>> Members(WorkspaceId ws);
  // NotFound when not a member; FailedPrecondition (422) when it would leave the workspace
  // without an owner.
  Status SetRole(WorkspaceId ws, UserId id, Role role);
  Status RemoveMember(WorkspaceId ws, UserId id);

  // The user for a correct email and password; Unauthenticated otherwise (one message for
  // both cases).
  Result<User> Authenticate(std::string_view email, std::string_view password);
  // Checks the rules and stores a new hash. Validation error on "new_password".
  Status SetPassword(UserId id, std::string_view password);
  // True if `password` is the user's current password.
  Result<bool> CheckPassword(UserId id, std::string_view password);

 private:
  store::Store& store_;
  Clock& clock_;
};

// The workspace named `name`, created when missing.
Result<WorkspaceId> EnsureWorkspace(store::Store& store, Clock& clock, std::string_view name);
// The workspace's name; NotFound when there is none.
Result<std::string> WorkspaceName(store::Store& store, WorkspaceId ws);

}  // namespace rapport::auth
