// Segments: saved audiences. A dynamic segment is a rule whose members the live index
// (live.h) keeps current on every change and as days pass; a static segment is a list
// edited by id, by upload or by freezing a dynamic segment's members. Every membership
// change records a segment_entered / segment_exited activity and a domain event.
// SegmentService is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "activity/activity.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/patch.h"
#include "common/status.h"
#include "contacts/contact.h"
#include "segments/live.h"
#include "segments/rule.h"
#include "store/store.h"

namespace rapport::segments {

enum class SegmentKind { kDynamic, kStatic };
const char* SegmentKindName(SegmentKind k);

inline constexpr size_t kMaxSegmentNameLength = 200;
inline constexpr size_t kMaxMembersPerRequest = 10000;

struct Segment {
  int64_t id = 0;
  std::string name;
  std::optional<std::string> description;
  SegmentKind kind = SegmentKind::kDynamic;
  std::optional<Rule> rule;  // dynamic only; the canonical text is ToText(*rule)
  int64_t member_count = 0;
  std::optional<Micros> evaluated_at;
  int64_t version = 1;
  Micros created_at = 0, updated_at = 0;
};

struct SegmentInput {
  Field<std::string> name, description, kind;
  std::optional<Rule> rule;  // parsed (text or JSON) by the caller; checked here
};

struct SegmentPage {
  std::vector<Segment> data;
  std::optional<std::string> next_cursor;
};

struct MemberPage {
  std::vector<int64_t> contact_ids;
  std::optional<std::string> next_cursor;
};

struct PreviewResult {
  std::vector<RuleError> errors;  // empty when the rule is valid
  std::optional<Rule> rule;       // checked
  int64_t count = 0;
  std::vector<int64_t> sample;  // the first members by id
};

class SegmentService {
 public:
  SegmentService(store::Store& store, Clock& clock, activity::ActivityService& activities,
                 LiveSegments& live)
      : store_(store), clock_(clock), activities_(activities), live_(live) {}

  // 422 with the rule's errors (line and column in each message); 409 on a taken name.
  Result<Segment> Create(WorkspaceId ws, const SegmentInput& in);
  Result<SegmentPage> List(WorkspaceId ws, int limit, const std::optional<std::string>& cursor);
  Result<Segment> Get(WorkspaceId ws, int64_t id);
  // Name, description and (dynamic) rule; 412 on a stale version.
  Result<Segment> Update(WorkspaceId ws, int64_t id, const SegmentInput& in,
                         std::optional<int64_t> if_version);
  // 409 while another segment's rule uses it (in_segment).
  Status Delete(WorkspaceId ws, int64_t id, std::optional<int64_t> if_version);

  // Current members, ascending contact id, keyset-paged.
  Result<MemberPage> Members(WorkspaceId ws, int64_t id, int limit,
                             const std::optional<std::string>& cursor);
  // Static segments only. Contacts are named by id, email or external id; returns how many
  // were added (already members don't count) or removed. 422 names unknown contacts.
  Result<int64_t> AddMembers(WorkspaceId ws, int64_t id,
                             const std::vector<contacts::ContactRef>& refs);
  Result<int64_t> RemoveMembers(WorkspaceId ws, int64_t id,
                                const std::vector<contacts::ContactRef>& refs);
  // A new static segment holding the dynamic segment's current members.
  Result<Segment> Freeze(WorkspaceId ws, int64_t id, const std::string& name);

  // Checks and evaluates an unsaved rule (the builder's live count).
  Result<PreviewResult> Preview(WorkspaceId ws, Rule rule, int sample_size);
  // Members of an ad-hoc rule (GET /contacts?where=); 422 with the rule's errors.
  Result<std::vector<int64_t>> Evaluate(WorkspaceId ws, Rule rule);

 private:
  Result<int64_t> ChangeMembers(WorkspaceId ws, int64_t id,
                                const std::vector<contacts::ContactRef>& refs, bool add);

  store::Store& store_;
  Clock& clock_;
  activity::ActivityService& activities_;
  LiveSegments& live_;
};

}  // namespace rapport::segments
