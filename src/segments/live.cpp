#include "segments/live.h"

#include <algorithm>
#include <functional>

#include "common/log.h"
#include "segments/catalog.h"
#include "segments/check.h"
#include "segments/membership.h"
#include "segments/text.h"
#include "store/change_feed.h"

namespace rapport::segments {
namespace {

constexpr int kChangeBatch = 10000;

void CollectSegmentRefs(const Rule& r, std::vector<int64_t>& out) {
  if (r.kind == Rule::Kind::kInSegment) out.push_back(r.bound.id);
  for (const Rule& c : r.children) CollectSegmentRefs(c, out);
}

int32_t DayOf(Micros t) {
  Micros d = t / kMicrosPerDay;
  if (t < 0 && d * kMicrosPerDay != t) --d;
  return static_cast<int32_t>(d);
}

}  // namespace

LiveSegments::LiveSegments(store::Store& store, Clock& clock, activity::ActivityService& activities)
    : store_(store), clock_(clock), activities_(activities) {}

LiveSegments::~LiveSegments() { Stop(); }

int32_t LiveSegments::Today() const { return DayOf(clock_.Now()); }

Result<LiveSegments::Workspace*> LiveSegments::WorkspaceFor(WorkspaceId ws) {
  auto it = workspaces_.find(ws.value);
  if (it != workspaces_.end()) return &it->second;
  Workspace w;
  ASSIGN_OR_RETURN(w.engine, engine::Engine::Build(store_, ws));
  w.applied_seq = w.engine->Stats().applied_seq;
  Status s = store_.Read([&](store::Txn& txn) -> Status {
    ASSIGN_OR_RETURN(Catalog catalog, LoadCatalog(txn, ws));
    ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT id, name, kind, rule FROM segments "
                                          "WHERE workspace_id = $1 ORDER BY id",
                                          {ws.value}));
    for (const auto& row : rows) {
      SegmentState st;
      int64_t id = row.Int(0);
      st.name = row.Text(1);
      st.dynamic = row.Text(2) == "dynamic";
      if (st.dynamic) {
        Parsed parsed = ParseText(row.Text(3));
        std::vector<RuleError> errors = parsed.errors;
        if (parsed.rule) errors = Check(*parsed.rule, catalog);
        if (errors.empty()) {
          st.rule = std::move(parsed.rule);
        } else {
          // A tag or field the rule names was removed: keep the last members, stop
          // evaluating until the rule is fixed.
          log::Warn("segment rule no longer checks",
                    {{"segment_id", id}, {"error", errors.front().message}});
        }
      }
      ASSIGN_OR_RETURN(
          auto members,
          txn.Query("SELECT contact_id FROM segment_members WHERE segment_id = $1", {id}));
      std::vector<int64_t> ids;
      ids.reserve(members.size());
      for (const auto& m : members) ids.push_back(m.Int(0));
      st.members.insert(ids.begin(), ids.end());
      w.engine->SetSegmentMembers(id, ids);
      w.segments.emplace(id, std::move(st));
    }
    return Status::Ok();
  });
  RETURN_IF_ERROR(s);
  Reorder(w);
  auto [pos, inserted] = workspaces_.emplace(ws.value, std::move(w));
  (void)inserted;
  return &pos->second;
}

// Dependencies first, so a segment that reads in_segment(x) sees x's new members.
void LiveSegments::Reorder(Workspace& w) {
  w.order.clear();
  std::map<int64_t, int> state;  // 1: visiting, 2: done
  std::function<void(int64_t)> visit = [&](int64_t id) {
    auto it = w.segments.find(id);
    if (it == w.segments.end() || state[id] != 0) return;
    state[id] = 1;
    if (it->second.rule) {
      std::vector<int64_t> refs;
      CollectSegmentRefs(*it->second.rule, refs);
      for (int64_t r : refs) visit(r);
      w.order.push_back(id);
    }
    state[id] = 2;
  };
  for (const auto& [id, st] : w.segments) visit(id);
}

Status LiveSegments::Reevaluate(WorkspaceId ws, Workspace& w, const std::vector<int64_t>* contacts,
                                std::vector<Diff>& out) {
  int32_t today = Today();
  for (int64_t seg : w.order) {
    if (!contacts) {
      RETURN_IF_ERROR(FullEvaluate(ws, w, seg, out));
      continue;
    }
    SegmentState& st = w.segments.at(seg);
    for (int64_t c : *contacts) {
      ASSIGN_OR_RETURN(bool now_member, w.engine->Matches(*st.rule, c, today));
      bool was = st.members.count(c) > 0;
      if (now_member == was) continue;
      if (now_member) {
        st.members.insert(c);
      } else {
        st.members.erase(c);
      }
      w.engine->SetSegmentMember(seg, c, now_member);
      out.push_back({ws, seg, c, now_member});
    }
  }
  return Status::Ok();
}

Status LiveSegments::FullEvaluate(WorkspaceId ws, Workspace& w, int64_t segment_id,
                                  std::vector<Diff>& out) {
  SegmentState& st = w.segments.at(segment_id);
  if (!st.rule) return Status::Ok();
  ASSIGN_OR_RETURN(auto ids, w.engine->Evaluate(*st.rule, Today()));
  std::unordered_set<int64_t> now(ids.begin(), ids.end());
  for (int64_t c : ids) {
    if (!st.members.count(c)) out.push_back({ws, segment_id, c, true});
  }
  for (int64_t c : st.members) {
    if (!now.count(c)) out.push_back({ws, segment_id, c, false});
  }
  st.members = std::move(now);
  w.engine->SetSegmentMembers(segment_id, ids);
  return Status::Ok();
}

void LiveSegments::Undo(const std::vector<Diff>& diffs) {
  std::unique_lock lock(state_mu_);
  for (auto it = diffs.rbegin(); it != diffs.rend(); ++it) {
    auto w = workspaces_.find(it->ws.value);
    if (w == workspaces_.end()) continue;
    auto st = w->second.segments.find(it->segment_id);
    if (st == w->second.segments.end()) continue;
    if (it->entered) {
      st->second.members.erase(it->contact_id);
    } else {
      st->second.members.insert(it->contact_id);
    }
    w->second.engine->SetSegmentMember(it->segment_id, it->contact_id, !it->entered);
  }
}

Status LiveSegments::WriteDiffs(std::vector<Diff> diffs, bool mark_evaluated) {
  if (diffs.empty() && !mark_evaluated) return Status::Ok();
  Micros now = clock_.Now();
  std::vector<MembershipEvent> events;
  Status s = store_.Write([&](store::Txn& txn) -> Status {
    events.clear();
    std::map<int64_t, std::string> names;
    for (const Diff& d : diffs) {
      auto name = names.find(d.segment_id);
      if (name == names.end()) {
        ASSIGN_OR_RETURN(auto row,
                         txn.QueryOne("SELECT name FROM segments WHERE id = $1", {d.segment_id}));
        if (!row) continue;  // deleted meanwhile
        name = names.emplace(d.segment_id, row->Text(0)).first;
      }
      ASSIGN_OR_RETURN(bool changed,
                       WriteMembershipChange(txn, activities_, d.ws, d.segment_id, name->second,
                                             d.contact_id, d.entered, now));
      if (changed) events.push_back({d.ws, d.segment_id, d.contact_id, d.entered, now});
    }
    if (mark_evaluated) {
      RETURN_IF_ERROR(
          txn.Exec("UPDATE segments SET evaluated_at = $1 WHERE kind = 'dynamic'", {now}).status());
    }
    return Status::Ok();
  });
  if (!s.ok()) {
    log::Error("segment membership write failed", {{"error", s.message()}});
    Undo(diffs);
    return s;
  }
  std::vector<std::function<void(const MembershipEvent&)>> subs;
  {
    std::lock_guard lock(subscribers_mu_);
    subs = subscribers_;
  }
  for (const auto& e : events) {
    for (const auto& fn : subs) fn(e);
  }
  return Status::Ok();
}

Status LiveSegments::Load() {
  std::lock_guard sync(sync_mu_);
  ASSIGN_OR_RETURN(auto rows, store_.Read([&](store::Txn& txn) {
    return txn.Query("SELECT id FROM workspaces ORDER BY id");
  }));
  std::vector<Diff> diffs;
  {
    std::unique_lock lock(state_mu_);
    for (const auto& r : rows) {
      WorkspaceId ws(r.Int(0));
      ASSIGN_OR_RETURN(Workspace * w, WorkspaceFor(ws));
      RETURN_IF_ERROR(Reevaluate(ws, *w, nullptr, diffs));
    }
    evaluated_day_ = Today();
  }
  RETURN_IF_ERROR(WriteDiffs(std::move(diffs), true));
  return SyncLocked();
}

Status LiveSegments::Sync() {
  std::lock_guard sync(sync_mu_);
  return SyncLocked();
}

Status LiveSegments::SyncLocked() {
  std::vector<SegmentDefinition> defs;
  std::vector<std::tuple<WorkspaceId, int64_t, std::vector<int64_t>, bool>> statics;
  {
    std::lock_guard lock(pending_mu_);
    defs.swap(pending_defs_);
    statics.swap(pending_static_);
  }
  std::vector<Diff> diffs;
  std::map<int64_t, std::vector<int64_t>> affected;  // by workspace
  {
    std::unique_lock lock(state_mu_);
    // Changes first: definitions evaluated below then see the newest data.
    Status s = store_.Read([&](store::Txn& txn) -> Status {
      int64_t after = INT64_MAX;
      for (const auto& [id, w] : workspaces_) after = std::min(after, w.applied_seq);
      if (workspaces_.empty()) after = 0;
      for (;;) {
        ASSIGN_OR_RETURN(auto changes, store::ReadChanges(txn, after, kChangeBatch));
        if (changes.empty()) break;
        after = changes.back().seq;
        std::map<int64_t, std::vector<store::Change>> by_ws;
        for (auto& c : changes) by_ws[c.workspace.value].push_back(std::move(c));
        for (auto& [ws_id, list] : by_ws) {
          ASSIGN_OR_RETURN(Workspace * w, WorkspaceFor(WorkspaceId(ws_id)));
          std::erase_if(list, [&](const store::Change& c) { return c.seq <= w->applied_seq; });
          if (list.empty()) continue;
          ASSIGN_OR_RETURN(auto ids, w->engine->Apply(txn, list));
          w->applied_seq = list.back().seq;
          auto& dst = affected[ws_id];
          dst.insert(dst.end(), ids.begin(), ids.end());
        }
        if (static_cast<int>(changes.size()) < kChangeBatch) break;
      }
      // Read until nothing newer was left: everything up to `after` is applied.
      synced_seq_ = after;
      return Status::Ok();
    });
    RETURN_IF_ERROR(s);

    for (auto& [ws, seg, contacts, member] : statics) {
      ASSIGN_OR_RETURN(Workspace * w, WorkspaceFor(ws));
      auto st = w->segments.find(seg);
      if (st == w->segments.end()) continue;
      for (int64_t c : contacts) {
        if (member) {
          st->second.members.insert(c);
        } else {
          st->second.members.erase(c);
        }
        w->engine->SetSegmentMember(seg, c, member);
      }
      auto& dst = affected[ws.value];
      dst.insert(dst.end(), contacts.begin(), contacts.end());
    }

    for (auto& def : defs) {
      ASSIGN_OR_RETURN(Workspace * w, WorkspaceFor(def.workspace));
      if (def.deleted) {
        w->segments.erase(def.segment_id);
        w->engine->DropSegment(def.segment_id);
        Reorder(*w);
        continue;
      }
      SegmentState& st = w->segments[def.segment_id];
      st.name = def.name;
      st.dynamic = def.dynamic;
      st.rule = std::move(def.rule);
      st.members = std::unordered_set<int64_t>(def.members.begin(), def.members.end());
      w->engine->SetSegmentMembers(def.segment_id, def.members);
      Reorder(*w);
      // The members were computed in the writing transaction, on an engine that may have
      // lagged behind it: evaluate again and record what differs.
      size_t first = diffs.size();
      RETURN_IF_ERROR(FullEvaluate(def.workspace, *w, def.segment_id, diffs));
      auto& dst = affected[def.workspace.value];
      for (size_t i = first; i < diffs.size(); ++i) dst.push_back(diffs[i].contact_id);
    }

    for (auto& [ws_id, contacts] : affected) {
      std::sort(contacts.begin(), contacts.end());
      contacts.erase(std::unique(contacts.begin(), contacts.end()), contacts.end());
      RETURN_IF_ERROR(Reevaluate(WorkspaceId(ws_id), workspaces_.at(ws_id), &contacts, diffs));
    }
  }
  return WriteDiffs(std::move(diffs), false);
}

Status LiveSegments::Tick() {
  std::lock_guard sync(sync_mu_);
  if (Today() == evaluated_day_) return Status::Ok();
  RETURN_IF_ERROR(SyncLocked());
  std::vector<Diff> diffs;
  {
    std::unique_lock lock(state_mu_);
    for (auto& [ws_id, w] : workspaces_) {
      RETURN_IF_ERROR(Reevaluate(WorkspaceId(ws_id), w, nullptr, diffs));
    }
    evaluated_day_ = Today();
  }
  return WriteDiffs(std::move(diffs), true);
}

Result<std::vector<int64_t>> LiveSegments::Evaluate(WorkspaceId ws, const Rule& checked) {
  {
    std::shared_lock lock(state_mu_);
    auto it = workspaces_.find(ws.value);
    if (it != workspaces_.end()) return it->second.engine->Evaluate(checked, Today());
  }
  std::unique_lock lock(state_mu_);
  ASSIGN_OR_RETURN(Workspace * w, WorkspaceFor(ws));
  return w->engine->Evaluate(checked, Today());
}

void LiveSegments::EnqueueDefinition(SegmentDefinition def) {
  {
    std::lock_guard lock(pending_mu_);
    pending_defs_.push_back(std::move(def));
  }
  thread_cv_.notify_all();
}

void LiveSegments::EnqueueStaticChange(WorkspaceId ws, int64_t segment_id,
                                       std::vector<int64_t> contacts, bool member) {
  {
    std::lock_guard lock(pending_mu_);
    pending_static_.emplace_back(ws, segment_id, std::move(contacts), member);
  }
  thread_cv_.notify_all();
}

void LiveSegments::Subscribe(std::function<void(const MembershipEvent&)> fn) {
  std::lock_guard lock(subscribers_mu_);
  subscribers_.push_back(std::move(fn));
}

engine::EngineStats LiveSegments::Stats(WorkspaceId ws) {
  std::shared_lock lock(state_mu_);
  auto it = workspaces_.find(ws.value);
  if (it == workspaces_.end()) return {};
  return it->second.engine->Stats();
}

void LiveSegments::Start(std::chrono::milliseconds poll) {
  std::lock_guard lock(thread_mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, poll] {
    std::unique_lock lock(thread_mu_);
    while (!stopping_) {
      thread_cv_.wait_for(lock, poll);
      if (stopping_) break;
      lock.unlock();
      Status s = Tick();
      if (s.ok()) s = Sync();
      if (!s.ok()) log::Error("live segments", {{"error", s.message()}});
      lock.lock();
    }
  });
}

void LiveSegments::Stop() {
  {
    std::lock_guard lock(thread_mu_);
    stopping_ = true;
  }
  thread_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace rapport::segments
