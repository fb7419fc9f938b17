#include "auth/roles.h"

#include <array>

namespace rapport::auth {
namespace {

constexpr Grant A = Grant::kAllow;
constexpr Grant D = Grant::kDeny;
constexpr Grant O = Grant::kOwn;

using R = Resource;
using X = Action;

// clang-format off
// resource × action → grant per role:      owner admin manager member viewer
constexpr MatrixRow kMatrix[] = {
    {R::kContact,     X::kRead,   {A, A, A, A, A}},
    {R::kContact,     X::kCreate, {A, A, A, A, D}},
    {R::kContact,     X::kUpdate, {A, A, A, O, D}},
    {R::kContact,     X::kDelete, {A, A, A, O, D}},
    {R::kCompany,     X::kRead,   {A, A, A, A, A}},
    {R::kCompany,     X::kCreate, {A, A, A, A, D}},
    {R::kCompany,     X::kUpdate, {A, A, A, O, D}},
    {R::kCompany,     X::kDelete, {A, A, A, O, D}},
    {R::kActivity,    X::kRead,   {A, A, A, A, A}},
    {R::kActivity,    X::kCreate, {A, A, A, A, D}},
    {R::kActivity,    X::kUpdate, {A, A, A, D, D}},
    {R::kActivity,    X::kDelete, {A, A, A, D, D}},
    {R::kTag,         X::kRead,   {A, A, A, A, A}},
    {R::kTag,         X::kCreate, {A, A, A, A, D}},
    {R::kTag,         X::kUpdate, {A, A, A, D, D}},
    {R::kTag,         X::kDelete, {A, A, A, D, D}},
    {R::kCustomField, X::kRead,   {A, A, A, A, A}},
    {R::kCustomField, X::kCreate, {A, A, D, D, D}},
    {R::kCustomField, X::kUpdate, {A, A, D, D, D}},
    {R::kCustomField, X::kDelete, {A, A, D, D, D}},
    {R::kApiKey,      X::kRead,   {A, A, D, D, D}},
    {R::kApiKey,      X::kCreate, {A, A, D, D, D}},
    {R::kApiKey,      X::kUpdate, {A, A, D, D, D}},
    {R::kApiKey,      X::kDelete, {A, A, D, D, D}},
    {R::kUser,        X::kRead,   {A, A, A, A, A}},
    {R::kUser,        X::kCreate, {A, A, D, D, D}},
    {R::kUser,        X::kUpdate, {A, A, D, D, D}},
    {R::kUser,        X::kDelete, {A, A, D, D, D}},
    {R::kAudit,       X::kRead,   {A, A, D, D, D}},
    {R::kSettings,    X::kRead,   {A, A, A, A, A}},
    {R::kSettings,    X::kUpdate, {A, A, D, D, D}},
    {R::kProduct,     X::kRead,   {A, A, A, A, A}},
    {R::kProduct,     X::kCreate, {A, A, D, D, D}},
    {R::kProduct,     X::kUpdate, {A, A, D, D, D}},
    {R::kProduct,     X::kDelete, {A, A, D, D, D}},
    {R::kOrder,       X::kRead,   {A, A, A, A, A}},
    {R::kOrder,       X::kCreate, {A, A, A, A, D}},
    {R::kOrder,       X::kUpdate, {A, A, A, D, D}},
    {R::kOrder,       X::kDelete, {A, A, A, D, D}},
    {R::kSegment,     X::kRead,   {A, A, A, A, A}},
    {R::kSegment,     X::kCreate, {A, A, A, A, D}},
    {R::kSegment,     X::kUpdate, {A, A, A, D, D}},
    {R::kSegment,     X::kDelete, {A, A, A, D, D}},
};
// clang-format on

constexpr const char* kRoleNames[] = {"owner", "admin", "manager", "member", "viewer"};

}  // namespace

std::optional<Role> ParseRole(std::string_view name) {
  for (size_t i = 0; i < std::size(kRoleNames); ++i) {
    if (name == kRoleNames[i]) return kAllRoles[i];
  }
  return std::nullopt;
}

const char* RoleName(Role role) { return kRoleNames[static_cast<size_t>(role)]; }

bool AtLeast(Role a, Role b) { return static_cast<int>(a) <= static_cast<int>(b); }

std::span<const MatrixRow> PermissionMatrix() { return kMatrix; }

Grant Decide(Role role, Resource resource, Action action) {
  for (const MatrixRow& row : kMatrix) {
    if (row.resource == resource && row.action == action)
      return row.grants[static_cast<size_t>(role)];
  }
  return Grant::kDeny;
}

const char* ResourceName(Resource r) {
  switch (r) {
    case Resource::kContact:
      return "contact";
    case Resource::kCompany:
      return "company";
    case Resource::kTag:
      return "tag";
    case Resource::kCustomField:
      return "custom_field";
    case Resource::kActivity:
      return "activity";
    case Resource::kApiKey:
      return "api_key";
    case Resource::kUser:
      return "user";
    case Resource::kAudit:
      return "audit";
    case Resource::kSettings:
      return "settings";
    case Resource::kProduct:
      return "product";
    case Resource::kOrder:
      return "order";
    case Resource::kSegment:
      return "segment";
  }
  return "?";
}

const char* ActionName(Action a) {
  switch (a) {
    case Action::kRead:
      return "read";
    case Action::kCreate:
      return "create";
    case Action::kUpdate:
      return "update";
    case Action::kDelete:
      return "delete";
  }
  return "?";
}

}  // namespace rapport::auth
