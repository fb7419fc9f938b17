// Strong id types: two swapped ids do not compile. Ids are positive 64-bit integers
// assigned by the store.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

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

// Consecutive ids, first through last: records one request created in a row, which the
// change feed and the audit log store as one row (see V008__runs.sql).
struct IdRun {
  int64_t first = 0;
  int64_t last = 0;
  friend bool operator==(const IdRun&, const IdRun&) = default;
};

// `ids` cut into runs of consecutive values, in their order.
inline std::vector<IdRun> ConsecutiveRuns(std::span<const int64_t> ids) {
  std::vector<IdRun> runs;
  for (int64_t id : ids) {
    if (!runs.empty() && id == runs.back().last + 1) {
      runs.back().last = id;
    } else {
      runs.push_back({id, id});
    }
  }
  return runs;
}

// The workspace created on first start; every request uses it until auth scopes requests.
inline constexpr WorkspaceId kDefaultWorkspace{1};

}  // namespace rapport

template <typename Tag>
struct std::hash<rapport::Id<Tag>> {
  size_t operator()(rapport::Id<Tag> id) const noexcept { return std::hash<int64_t>{}(id.value); }
};
