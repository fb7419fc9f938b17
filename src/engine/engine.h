// The engine: an in-memory, columnar index of one workspace's contacts that answers checked
// segment rules in milliseconds. Contacts are dense indexes into typed columns (standard
// and custom fields, company fields through the contact's company), tags and segment
// memberships are roaring bitmaps, and activities are compact per-contact, per-type arrays
// (day, channel, amount, ...) so windowed counts and sums stream over contiguous memory
// instead of scanning rows. It is a cache: Build() recreates it from the store, and Apply()
// keeps it current from the change feed. Evaluate() must return exactly what the SQL
// compiler (segments/sql.h) returns on the same store for the same rule and day.
//
// Thread-safe: evaluations share a lock; Apply() and segment updates take it exclusively.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "segments/rule.h"
#include "store/change_feed.h"
#include "store/store.h"

namespace rapport::engine {

struct EngineStats {
  int64_t contacts = 0;
  int64_t activities = 0;
  size_t memory_bytes = 0;  // owned heap memory of all columns and bitmaps
  int64_t applied_seq = 0;  // last change-feed sequence number applied
};

class Engine {
 public:
  virtual ~Engine() = default;

  // Reads the workspace from the store in one read transaction; the engine is then current
  // up to the change feed's last sequence number at that moment.
  static Result<std::unique_ptr<Engine>> Build(store::Store& store, WorkspaceId ws);

  // Members (contact ids, ascending) of a checked rule on `today` (days since 1970-01-01).
  virtual Result<std::vector<int64_t>> Evaluate(const segments::Rule& checked,
                                                int32_t today) const = 0;
  virtual Result<int64_t> Count(const segments::Rule& checked, int32_t today) const = 0;
  // One contact only (the incremental path); false for an unknown contact.
  virtual Result<bool> Matches(const segments::Rule& checked, int64_t contact_id,
                               int32_t today) const = 0;

  // Applies changes of this workspace (others are ignored) read in `txn` after they
  // committed: reloads each changed contact, company, tag, custom field or activity.
  // Returns the contact ids whose data changed (for re-evaluating segments).
  virtual Result<std::vector<int64_t>> Apply(store::Txn& txn,
                                             const std::vector<store::Change>& changes) = 0;

  // Replaces / drops the member bitmap `in_segment(id)` reads.
  virtual void SetSegmentMembers(int64_t segment_id, const std::vector<int64_t>& contact_ids) = 0;
  virtual void SetSegmentMember(int64_t segment_id, int64_t contact_id, bool member) = 0;
  virtual void DropSegment(int64_t segment_id) = 0;

  virtual EngineStats Stats() const = 0;
};

}  // namespace rapport::engine
