// Live membership: owns one engine per workspace and keeps every dynamic segment's members
// current. After commits it tails the change feed, applies the changes to the engine,
// re-evaluates the changed contacts against every dynamic segment (in in_segment
// dependency order) and writes the differences: segment_members rows, a segment_entered /
// segment_exited activity per change, and a MembershipEvent to subscribers after commit.
// When the UTC day changes (and at start) every dynamic segment is re-evaluated in full,
// so a rule such as "no purchase in the last 90 days" admits a contact on the right day
// without any write.
//
// Locking: Sync() and Tick() hold sync_mu_ across store writes, so code running on the
// store's writer thread (inside Store::Write: every audited API write) must never take it
// and must not call Sync()/Tick(). It may call Evaluate(), which takes only state_mu_ (held
// for in-memory work and store reads, never while waiting for the writer). Segment changes
// made in write transactions reach this class through Enqueue* from OnCommit callbacks.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "activity/activity.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "engine/engine.h"
#include "segments/rule.h"
#include "store/store.h"

namespace rapport::segments {

struct MembershipEvent {
  WorkspaceId workspace;
  int64_t segment_id = 0;
  int64_t contact_id = 0;
  bool entered = true;  // false: exited
  Micros at = 0;
};

// A committed definition change, queued for the live index.
struct SegmentDefinition {
  WorkspaceId workspace;
  int64_t segment_id = 0;
  std::string name;
  bool dynamic = true;
  bool deleted = false;
  std::optional<Rule> rule;      // checked; dynamic only
  std::vector<int64_t> members;  // as committed with the definition
};

class LiveSegments {
 public:
  LiveSegments(store::Store& store, Clock& clock, activity::ActivityService& activities);
  ~LiveSegments();

  // Builds the engines, loads segments and members, re-evaluates everything once.
  Status Load();
  // Starts / stops the background thread that runs Sync() and Tick().
  void Start(std::chrono::milliseconds poll = std::chrono::milliseconds(20));
  void Stop();

  // Applies every committed change and queued definition; afterwards evaluations and the
  // segment_members table reflect all writes committed before the call.
  Status Sync();
  // Full re-evaluation of every dynamic segment when the day changed since the last one.
  Status Tick();

  // Evaluations on the current engine state (call Sync() first for read-your-writes).
  Result<std::vector<int64_t>> Evaluate(WorkspaceId ws, const Rule& checked);
  int32_t Today() const;
  // The change-feed sequence number every engine has applied up to.
  int64_t SyncedSeq() const { return synced_seq_.load(); }

  // Called from write transactions' OnCommit: never blocks on sync_mu_.
  void EnqueueDefinition(SegmentDefinition def);
  void EnqueueStaticChange(WorkspaceId ws, int64_t segment_id, std::vector<int64_t> contacts,
                           bool member);

  void Subscribe(std::function<void(const MembershipEvent&)> fn);

  // Test hooks.
  engine::EngineStats Stats(WorkspaceId ws);

 private:
  struct SegmentState {
    std::string name;
    bool dynamic = true;
    std::optional<Rule> rule;
    std::unordered_set<int64_t> members;
  };
  struct Workspace {
    std::unique_ptr<engine::Engine> engine;
    std::map<int64_t, SegmentState> segments;
    std::vector<int64_t> order;  // dynamic segments, dependencies first
    int64_t applied_seq = 0;     // change feed applied to this engine
  };
  struct Diff {
    WorkspaceId ws;
    int64_t segment_id;
    int64_t contact_id;
    bool entered;
  };

  // Builds the workspace's engine on first use; state_mu_ held exclusively.
  Result<Workspace*> WorkspaceFor(WorkspaceId ws);
  void Reorder(Workspace& w);
  // Re-evaluates `contacts` (all members when null) of every dynamic segment.
  Status Reevaluate(WorkspaceId ws, Workspace& w, const std::vector<int64_t>* contacts,
                    std::vector<Diff>& out);
  Status FullEvaluate(WorkspaceId ws, Workspace& w, int64_t segment_id, std::vector<Diff>& out);
  // Stores the diffs in one transaction and tells subscribers; on failure undoes them in
  // memory so the next Sync finds them again.
  Status WriteDiffs(std::vector<Diff> diffs, bool mark_evaluated);
  void Undo(const std::vector<Diff>& diffs);
  Status SyncLocked();

  store::Store& store_;
  Clock& clock_;
  activity::ActivityService& activities_;

  std::mutex sync_mu_;
  std::shared_mutex state_mu_;               // guards workspaces_ and their segments
  std::map<int64_t, Workspace> workspaces_;  // by workspace id
  int32_t evaluated_day_ = 0;
  std::atomic<int64_t> synced_seq_{0};

  std::mutex pending_mu_;
  std::vector<SegmentDefinition> pending_defs_;
  std::vector<std::tuple<WorkspaceId, int64_t, std::vector<int64_t>, bool>> pending_static_;

  std::mutex subscribers_mu_;
  std::vector<std::function<void(const MembershipEvent&)>> subscribers_;

  std::mutex thread_mu_;
  std::condition_variable thread_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rapport::segments
