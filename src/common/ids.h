// Strong id types: two swapped ids do not compile. Ids are positive 64-bit integers
// assigned by the store.
#pragma once

#include <cstdint>
#include <functional>

namespace rapport {

template <typename Tag>
struct Id {
  int64_t value = 0;
  constexpr Id() = default;
  constexpr explicit Id(int64_t v) : value(v) {}
  friend constexpr bool operator==(Id a, Id b) { return a.value == b.value; }
  friend constexpr auto operator<=>(Id a, Id b) { return a.value <=> b.value; }
};

using WorkspaceId = Id<struct WorkspaceTag>;
using ContactId = Id<struct ContactTag>;
using CompanyId = Id<struct CompanyTag>;
using TagId = Id<struct TagTag>;
using CustomFieldId = Id<struct CustomFieldTag>;
using UserId = Id<struct UserTag>;
using ApiKeyId = Id<struct ApiKeyTag>;

// The workspace created on first start; every request uses it until auth scopes requests.
inline constexpr WorkspaceId kDefaultWorkspace{1};

}  // namespace rapport

template <typename Tag>
struct std::hash<rapport::Id<Tag>> {
  size_t operator()(rapport::Id<Tag> id) const noexcept { return std::hash<int64_t>{}(id.value); }
};
