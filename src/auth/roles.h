// Roles and the permission matrix: for every resource and action, what each role may do.
// This table is the one place that decides authorisation; the HTTP layer (http/api/policy)
// enforces it before any handler runs, and docs/security.md documents it. Pure functions,
// thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace rapport::auth {

// Ordered from most to least privileged.
enum class Role { kOwner, kAdmin, kManager, kMember, kViewer };
inline constexpr Role kAllRoles[] = {Role::kOwner, Role::kAdmin, Role::kManager, Role::kMember,
                                     Role::kViewer};

std::optional<Role> ParseRole(std::string_view name);
const char* RoleName(Role role);
// True if `a` has at least the privileges of `b`.
bool AtLeast(Role a, Role b);

enum class Resource {
  kContact,
  kCompany,
  kTag,
  kCustomField,
  kActivity,
  kApiKey,
  kUser,  // workspace members and their roles
  kAudit,
  kSettings,  // workspace settings
  kProduct,   // the product catalogue
  kOrder,     // orders (refunds are updates)
  kSegment,   // segments and their members
};
enum class Action { kRead, kCreate, kUpdate, kDelete };

enum class Grant {
  kDeny,
  kAllow,
  kOwn,  // only records the actor owns (owner_id) or that are unassigned
};

struct MatrixRow {
  Resource resource;
  Action action;
  Grant grants[5];  // by Role, in kAllRoles order
};

// The whole matrix, one row per (resource, action).
std::span<const MatrixRow> PermissionMatrix();

// What `role` may do; kDeny for a pair missing from the matrix.
Grant Decide(Role role, Resource resource, Action action);

const char* ResourceName(Resource r);
const char* ActionName(Action a);

}  // namespace rapport::auth
