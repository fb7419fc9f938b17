// Tags: workspace-wide labels on contacts and companies. Names are trimmed and lower-cased
// (1-64 characters, no control characters), so `tag "VIP"` and `tag "vip"` are one tag.
// TagService manages the tags themselves; the static link functions run inside a caller's
// write transaction (the contact and company services use them). Thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "store/store.h"

namespace rapport::tags {

enum class Target { kContact, kCompany };

struct Tag {
  TagId id;
  std::string name;
  int64_t contact_count = 0;
  int64_t company_count = 0;
  Micros created_at = 0;
};

// Normalises one name; the error message says why it is not a valid tag name.
Result<std::string> NormalizeName(std::string_view raw);
// Normalises a list; errors name "<field>[i]". Returns the names sorted and de-duplicated.
Result<std::vector<std::string>> NormalizeNames(const std::vector<std::string>& raw,
                                                std::string_view field = "tags");

// Tag ids by name, reused across the items of one batch.
using TagIdCache = std::map<std::string, int64_t, std::less<>>;

class TagService {
 public:
  TagService(store::Store& store, Clock& clock) : store_(store), clock_(clock) {}

  Result<std::vector<Tag>> List(WorkspaceId ws);
  Result<Tag> Get(WorkspaceId ws, TagId id);
  // 409 if the name exists.
  Result<Tag> Create(WorkspaceId ws, std::string_view name);
  // Renames everywhere; 409 if the new name is taken by another tag.
  Result<Tag> Rename(WorkspaceId ws, TagId id, std::string_view name);
  // Removes the tag from every contact and company.
  Status Delete(WorkspaceId ws, TagId id);

  // --- Links, inside the caller's write transaction. Names must be normalised. ---
  // Replaces the record's tag set.
  static Status Set(store::Txn& txn, WorkspaceId ws, Target target, int64_t record_id,
                    const std::vector<std::string>& names, Micros now, TagIdCache* cache = nullptr);
  static Status Add(store::Txn& txn, WorkspaceId ws, Target target, int64_t record_id,
                    const std::vector<std::string>& names, Micros now, TagIdCache* cache = nullptr);
  // NotFound if the record does not carry the tag.
  static Status Remove(store::Txn& txn, WorkspaceId ws, Target target, int64_t record_id,
                       std::string_view name);
  // The record's tag names, sorted.
  static Result<std::vector<std::string>> NamesOf(store::Txn& txn, Target target, int64_t record_id);

 private:
  store::Store& store_;
  Clock& clock_;
};

}  // namespace rapport::tags
