#include <algorithm>
#include <functional>
#include <set>

#include "common/strings.h"
#include "common/time_format.h"
#include "segments/catalog.h"
#include "segments/check.h"
#include "segments/membership.h"
#include "segments/segment.h"
#include "segments/sql.h"
#include "segments/text.h"
#include "store/change_feed.h"
#include "store/keyset.h"

namespace rapport::segments {
namespace {

constexpr std::string_view kCols =
    "id, name, description, kind, rule, member_count, evaluated_at, version, created_at, "
    "updated_at";

Result<Segment> Decode(const store::Row& r) {
  Segment s;
  s.id = r.Int(0);
  s.name = r.Text(1);
  s.description = r.OptText(2);
  s.kind = r.Text(3) == "static" ? SegmentKind::kStatic : SegmentKind::kDynamic;
  if (auto text = r.OptText(4)) {
    Parsed p = ParseText(*text);
    if (!p.rule)
      return Internal("stored rule of segment " + std::to_string(s.id) + " does not parse");
    s.rule = std::move(p.rule);
  }
  s.member_count = r.Int(5);
  if (!r.IsNull(6)) s.evaluated_at = r.Int(6);
  s.version = r.Int(7);
  s.created_at = r.Int(8);
  s.updated_at = r.Int(9);
  return s;
}

Result<Segment> Load(store::Txn& t, WorkspaceId ws, int64_t id) {
  ASSIGN_OR_RETURN(auto row, t.QueryOne("SELECT " + std::string(kCols) +
                                            " FROM segments WHERE workspace_id = $1 AND id = $2",
                                        {ws.value, id}));
  if (!row) return NotFound("segment " + std::to_string(id) + " not found");
  return Decode(*row);
}

Status CheckVersion(const Segment& s, std::optional<int64_t> if_version) {
  if (if_version && *if_version != s.version) {
    return FailedPrecondition("segment " + std::to_string(s.id) + " has changed (version " +
                              std::to_string(s.version) + "); reload and retry");
  }
  return Status::Ok();
}

Status RuleErrors(const std::vector<RuleError>& errors) {
  std::vector<FieldError> fields;
  for (const auto& e : errors) {
    std::string where = e.line > 0 ? "line " + std::to_string(e.line) + ", column " +
                                         std::to_string(e.column) + ": "
                                   : "";
    fields.push_back({"rule", where + e.message});
  }
  return ValidationFailed(std::move(fields));
}

Result<std::string> ValidName(const std::string& raw) {
  std::optional<std::string> name = TrimmedOrNull(raw);
  if (!name) return ValidationFailed({{"name", "must not be empty"}});
  if (name->size() > kMaxSegmentNameLength) {
    return ValidationFailed({{"name", "must be at most 200 characters"}});
  }
  return *name;
}

Status TakenName(store::Txn& t, WorkspaceId ws, const std::string& name, int64_t self) {
  ASSIGN_OR_RETURN(auto row,
                   t.QueryOne("SELECT id FROM segments WHERE workspace_id = $1 AND name = $2",
                              {ws.value, name}));
  if (row && row->Int(0) != self) {
    return AlreadyExists("a segment named \"" + name + "\" exists", row->Int(0));
  }
  return Status::Ok();
}

// Names of the segments whose rules name `name` in in_segment(...).
Result<std::vector<std::string>> Dependents(store::Txn& t, WorkspaceId ws, const std::string& name,
                                            int64_t self) {
  ASSIGN_OR_RETURN(auto rows, t.Query("SELECT id, name, rule FROM segments WHERE workspace_id = $1 "
                                      "AND kind = 'dynamic' ORDER BY id",
                                      {ws.value}));
  std::vector<std::string> out;
  std::function<bool(const Rule&)> uses = [&](const Rule& r) {
    if (r.kind == Rule::Kind::kInSegment && r.name == name) return true;
    return std::any_of(r.children.begin(), r.children.end(), uses);
  };
  for (const auto& row : rows) {
    if (row.Int(0) == self) continue;
    Parsed p = ParseText(row.Text(2));
    if (p.rule && uses(*p.rule)) out.push_back(row.Text(1));
  }
  return out;
}

// True if following in_segment references from `rule` reaches the segment `name`.
Result<bool> ReachesSelf(store::Txn& t, WorkspaceId ws, const Rule& rule, const std::string& name) {
  ASSIGN_OR_RETURN(auto rows, t.Query("SELECT name, rule FROM segments WHERE workspace_id = $1 "
                                      "AND kind = 'dynamic'",
                                      {ws.value}));
  std::map<std::string, Rule> rules;
  for (const auto& row : rows) {
    Parsed p = ParseText(row.Text(1));
    if (p.rule) rules.emplace(row.Text(0), std::move(*p.rule));
  }
  std::set<std::string> seen;
  std::function<bool(const Rule&)> walk = [&](const Rule& r) -> bool {
    if (r.kind == Rule::Kind::kInSegment) {
      if (r.name == name) return true;
      if (!seen.insert(r.name).second) return false;
      auto it = rules.find(r.name);
      if (it != rules.end() && walk(it->second)) return true;
    }
    return std::any_of(r.children.begin(), r.children.end(), walk);
  };
  return walk(rule);
}

Status InsertMembers(store::Txn& t, WorkspaceId ws, int64_t id, const std::vector<int64_t>& members,
                     Micros now) {
  for (int64_t c : members) {
    RETURN_IF_ERROR(t.Exec("INSERT INTO segment_members (segment_id, contact_id, workspace_id, "
                           "entered_at) VALUES ($1, $2, $3, $4)",
                           {id, c, ws.value, now})
                        .status());
  }
  return t
      .Exec("UPDATE segments SET member_count = $2 WHERE id = $1",
            {id, static_cast<int64_t>(members.size())})
      .status();
}

// Members of `rule` as the writing transaction sees them: from the engine when it has applied
// every change in the feed, else (it lags the commit by milliseconds) from the SQL
// reference evaluator inside the transaction, so a new segment starts exactly right.
Result<std::vector<int64_t>> MembersIn(store::Txn& t, LiveSegments& live, WorkspaceId ws,
                                       const Rule& rule, int32_t today) {
  ASSIGN_OR_RETURN(auto row, t.QueryOne("SELECT COALESCE(MAX(seq), 0) FROM change_feed"));
  if (live.SyncedSeq() >= row->Int(0)) {
    return live.Evaluate(ws, rule);
  }
  ASSIGN_OR_RETURN(auto query, CompileMembersQuery(rule, store::Dialect::kSqlite, ws, today));
  ASSIGN_OR_RETURN(auto rows, t.Query(query.sql, query.params));
  std::vector<int64_t> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r.Int(0));
  return out;
}

Result<std::vector<int64_t>> StoredMembers(store::Txn& t, int64_t id) {
  ASSIGN_OR_RETURN(auto rows,
                   t.Query("SELECT contact_id FROM segment_members WHERE segment_id = $1 "
                           "ORDER BY contact_id",
                           {id}));
  std::vector<int64_t> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r.Int(0));
  return out;
}

}  // namespace

const char* SegmentKindName(SegmentKind k) {
  return k == SegmentKind::kStatic ? "static" : "dynamic";
}

Result<Segment> SegmentService::Create(WorkspaceId ws, const SegmentInput& in) {
  if (!IsSet(in.name)) return ValidationFailed({{"name", "is required"}});
  ASSIGN_OR_RETURN(std::string name, ValidName(**in.name));
  SegmentKind kind = SegmentKind::kDynamic;
  if (IsSet(in.kind)) {
    if (**in.kind == "static") {
      kind = SegmentKind::kStatic;
    } else if (**in.kind != "dynamic") {
      return ValidationFailed({{"kind", "must be \"dynamic\" or \"static\""}});
    }
  }
  if (kind == SegmentKind::kDynamic && !in.rule) {
    return ValidationFailed({{"rule", "is required for a dynamic segment"}});
  }
  if (kind == SegmentKind::kStatic && in.rule) {
    return ValidationFailed({{"rule", "a static segment has no rule; add members instead"}});
  }
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<Segment> {
    RETURN_IF_ERROR(TakenName(t, ws, name, 0));
    std::optional<Rule> rule = in.rule;
    if (rule) {
      ASSIGN_OR_RETURN(Catalog catalog, LoadCatalog(t, ws));
      auto errors = Check(*rule, catalog);
      if (!errors.empty()) return RuleErrors(errors);
    }
    std::optional<std::string> description =
        IsSet(in.description) ? TrimmedOrNull(**in.description) : std::nullopt;
    ASSIGN_OR_RETURN(
        auto row,
        t.QueryOne("INSERT INTO segments (workspace_id, name, description, kind, rule, "
                   "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) "
                   "RETURNING id",
                   {ws.value, name, store::Opt(description), SegmentKindName(kind),
                    rule ? store::Value(ToText(*rule)) : store::Value(store::Null{}), now}));
    int64_t id = row->Int(0);
    std::vector<int64_t> members;
    if (rule) {
      ASSIGN_OR_RETURN(members, MembersIn(t, live_, ws, *rule, live_.Today()));
      RETURN_IF_ERROR(InsertMembers(t, ws, id, members, now));
      RETURN_IF_ERROR(
          t.Exec("UPDATE segments SET evaluated_at = $2 WHERE id = $1", {id, now}).status());
    }
    RETURN_IF_ERROR(store::AppendChange(t, ws, "segment", id, store::ChangeKind::kCreated, now));
    SegmentDefinition def{ws, id, name, kind == SegmentKind::kDynamic, false, rule, members};
    t.OnCommit([this, def = std::move(def)]() mutable { live_.EnqueueDefinition(std::move(def)); });
    ASSIGN_OR_RETURN(Segment s, Load(t, ws, id));
    s.rule = std::move(rule);
    return s;
  });
}

Result<SegmentPage> SegmentService::List(WorkspaceId ws, int limit,
                                         const std::optional<std::string>& cursor) {
  static constexpr store::SortColumn kSorts[] = {{"id", "id", false}};
  ASSIGN_OR_RETURN(auto list,
                   store::ListStatement::Begin(kCols, "segments", ws.value, "id", cursor, kSorts));
  return store_.Read([&](store::Txn& t) -> Result<SegmentPage> {
    ASSIGN_OR_RETURN(auto rows, list.Run(t, limit));
    SegmentPage page;
    page.next_cursor = list.NextCursor(rows, limit);
    for (const auto& r : rows) {
      ASSIGN_OR_RETURN(Segment s, Decode(r));
      page.data.push_back(std::move(s));
    }
    return page;
  });
}

Result<Segment> SegmentService::Get(WorkspaceId ws, int64_t id) {
  return store_.Read([&](store::Txn& t) { return Load(t, ws, id); });
}

Result<Segment> SegmentService::Update(WorkspaceId ws, int64_t id, const SegmentInput& in,
                                       std::optional<int64_t> if_version) {
  if (IsSet(in.kind))
    return ValidationFailed({{"kind", "cannot change; freeze a dynamic segment"}});
  std::optional<std::string> name;
  if (IsSet(in.name)) {
    ASSIGN_OR_RETURN(name, ValidName(**in.name));
  } else if (in.name.has_value()) {
    return ValidationFailed({{"name", "must not be empty"}});
  }
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<Segment> {
    ASSIGN_OR_RETURN(Segment s, Load(t, ws, id));
    RETURN_IF_ERROR(CheckVersion(s, if_version));
    if (name && *name != s.name) {
      RETURN_IF_ERROR(TakenName(t, ws, *name, id));
      ASSIGN_OR_RETURN(auto users, Dependents(t, ws, s.name, id));
      if (!users.empty()) {
        return FailedPrecondition("segment \"" + s.name + "\" is used by the rule of \"" +
                                  users.front() + "\"; change that rule before renaming");
      }
      s.name = *name;
    }
    if (in.description.has_value()) {
      s.description = IsSet(in.description) ? TrimmedOrNull(**in.description) : std::nullopt;
    }
    std::optional<std::vector<int64_t>> members;
    if (in.rule) {
      if (s.kind == SegmentKind::kStatic) {
        return ValidationFailed({{"rule", "a static segment has no rule; add members instead"}});
      }
      Rule rule = *in.rule;
      ASSIGN_OR_RETURN(Catalog catalog, LoadCatalog(t, ws));
      auto errors = Check(rule, catalog);
      if (!errors.empty()) return RuleErrors(errors);
      ASSIGN_OR_RETURN(bool cycle, ReachesSelf(t, ws, rule, s.name));
      if (cycle) {
        return ValidationFailed(
            {{"rule", "the rule would make segment \"" + s.name + "\" depend on itself"}});
      }
      ASSIGN_OR_RETURN(auto next, MembersIn(t, live_, ws, rule, live_.Today()));
      ASSIGN_OR_RETURN(auto current, StoredMembers(t, id));
      std::vector<int64_t> entered, exited;
      std::set_difference(next.begin(), next.end(), current.begin(), current.end(),
                          std::back_inserter(entered));
      std::set_difference(current.begin(), current.end(), next.begin(), next.end(),
                          std::back_inserter(exited));
      for (int64_t c : entered) {
        RETURN_IF_ERROR(
            WriteMembershipChange(t, activities_, ws, id, s.name, c, true, now).status());
      }
      for (int64_t c : exited) {
        RETURN_IF_ERROR(
            WriteMembershipChange(t, activities_, ws, id, s.name, c, false, now).status());
      }
      s.rule = std::move(rule);
      members = std::move(next);
    }
    RETURN_IF_ERROR(
        t.Exec("UPDATE segments SET name = $2, description = $3, rule = $4, "
               "version = version + 1, updated_at = $5" +
                   std::string(members ? ", evaluated_at = $5" : "") + " WHERE id = $1",
               {id, s.name, store::Opt(s.description),
                s.rule ? store::Value(ToText(*s.rule)) : store::Value(store::Null{}), now})
            .status());
    RETURN_IF_ERROR(store::AppendChange(t, ws, "segment", id, store::ChangeKind::kUpdated, now));
    if (members) {
      SegmentDefinition def{ws, id, s.name, true, false, s.rule, *members};
      t.OnCommit(
          [this, def = std::move(def)]() mutable { live_.EnqueueDefinition(std::move(def)); });
    }
    std::optional<Rule> rule = std::move(s.rule);
    ASSIGN_OR_RETURN(Segment out, Load(t, ws, id));
    out.rule = std::move(rule);
    return out;
  });
}

Status SegmentService::Delete(WorkspaceId ws, int64_t id, std::optional<int64_t> if_version) {
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Status {
    ASSIGN_OR_RETURN(Segment s, Load(t, ws, id));
    RETURN_IF_ERROR(CheckVersion(s, if_version));
    ASSIGN_OR_RETURN(auto users, Dependents(t, ws, s.name, id));
    if (!users.empty()) {
      return FailedPrecondition("segment \"" + s.name + "\" is used by the rule of \"" +
                                users.front() + "\"; change that rule first");
    }
    RETURN_IF_ERROR(t.Exec("DELETE FROM segments WHERE id = $1", {id}).status());
    RETURN_IF_ERROR(store::AppendChange(t, ws, "segment", id, store::ChangeKind::kDeleted, now));
    SegmentDefinition def{ws, id, s.name, s.kind == SegmentKind::kDynamic, true, std::nullopt, {}};
    t.OnCommit([this, def = std::move(def)]() mutable { live_.EnqueueDefinition(std::move(def)); });
    return Status::Ok();
  });
}

Result<MemberPage> SegmentService::Members(WorkspaceId ws, int64_t id, int limit,
                                           const std::optional<std::string>& cursor) {
  int64_t after = 0;
  if (cursor) {
    ASSIGN_OR_RETURN(store::Cursor c, store::DecodeCursor(*cursor, "contact_id"));
    after = c.id;
  }
  return store_.Read([&](store::Txn& t) -> Result<MemberPage> {
    RETURN_IF_ERROR(Load(t, ws, id).status());
    ASSIGN_OR_RETURN(auto rows, t.Query("SELECT contact_id FROM segment_members WHERE segment_id "
                                        "= $1 AND contact_id > $2 ORDER BY contact_id LIMIT $3",
                                        {id, after, int64_t{limit} + 1}));
    MemberPage page;
    for (const auto& r : rows) page.contact_ids.push_back(r.Int(0));
    if (static_cast<int>(page.contact_ids.size()) > limit) {
      page.contact_ids.resize(limit);
      page.next_cursor =
          store::EncodeCursor({"contact_id", page.contact_ids.back(), page.contact_ids.back()});
    }
    return page;
  });
}

Result<int64_t> SegmentService::AddMembers(WorkspaceId ws, int64_t id,
                                           const std::vector<contacts::ContactRef>& refs) {
  return ChangeMembers(ws, id, refs, true);
}

Result<int64_t> SegmentService::RemoveMembers(WorkspaceId ws, int64_t id,
                                              const std::vector<contacts::ContactRef>& refs) {
  return ChangeMembers(ws, id, refs, false);
}

Result<int64_t> SegmentService::ChangeMembers(WorkspaceId ws, int64_t id,
                                              const std::vector<contacts::ContactRef>& refs,
                                              bool add) {
  if (refs.empty()) return ValidationFailed({{"contacts", "must name at least one contact"}});
  if (refs.size() > kMaxMembersPerRequest) {
    return ValidationFailed({{"contacts", "must name at most 10000 contacts"}});
  }
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<int64_t> {
    ASSIGN_OR_RETURN(Segment s, Load(t, ws, id));
    if (s.kind != SegmentKind::kStatic) {
      return FailedPrecondition("segment \"" + s.name +
                                "\" is dynamic: its rule decides its members");
    }
    std::vector<FieldError> errors;
    std::vector<int64_t> ids;
    for (size_t i = 0; i < refs.size(); ++i) {
      auto c = contacts::ContactService::Resolve(t, ws, refs[i]);
      if (!c) {
        errors.push_back({"contacts[" + std::to_string(i) + "]", c.error().message()});
        continue;
      }
      ids.push_back(c->value);
    }
    if (!errors.empty()) return ValidationFailed(std::move(errors));
    std::vector<int64_t> changed;
    for (int64_t c : ids) {
      ASSIGN_OR_RETURN(bool did,
                       WriteMembershipChange(t, activities_, ws, id, s.name, c, add, now));
      if (did) changed.push_back(c);
    }
    if (!changed.empty()) {
      RETURN_IF_ERROR(t.Exec("UPDATE segments SET version = version + 1, updated_at = $2 "
                             "WHERE id = $1",
                             {id, now})
                          .status());
      RETURN_IF_ERROR(store::AppendChange(t, ws, "segment", id, store::ChangeKind::kUpdated, now));
    }
    int64_t n = static_cast<int64_t>(changed.size());
    t.OnCommit([this, ws, id, changed = std::move(changed), add]() mutable {
      live_.EnqueueStaticChange(ws, id, std::move(changed), add);
    });
    return n;
  });
}

Result<Segment> SegmentService::Freeze(WorkspaceId ws, int64_t id, const std::string& raw_name) {
  ASSIGN_OR_RETURN(std::string name, ValidName(raw_name));
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<Segment> {
    ASSIGN_OR_RETURN(Segment source, Load(t, ws, id));
    if (source.kind != SegmentKind::kDynamic) {
      return FailedPrecondition("segment \"" + source.name + "\" is already a static list");
    }
    RETURN_IF_ERROR(TakenName(t, ws, name, 0));
    std::string description = "Members of \"" + source.name + "\" on " + FormatTimestamp(now);
    ASSIGN_OR_RETURN(auto row, t.QueryOne("INSERT INTO segments (workspace_id, name, description, "
                                          "kind, created_at, updated_at) VALUES ($1, $2, $3, "
                                          "'static', $4, $4) RETURNING id",
                                          {ws.value, name, description, now}));
    int64_t frozen = row->Int(0);
    ASSIGN_OR_RETURN(auto members, StoredMembers(t, id));
    RETURN_IF_ERROR(InsertMembers(t, ws, frozen, members, now));
    RETURN_IF_ERROR(
        store::AppendChange(t, ws, "segment", frozen, store::ChangeKind::kCreated, now));
    SegmentDefinition def{ws, frozen, name, false, false, std::nullopt, members};
    t.OnCommit([this, def = std::move(def)]() mutable { live_.EnqueueDefinition(std::move(def)); });
    return Load(t, ws, frozen);
  });
}

Result<PreviewResult> SegmentService::Preview(WorkspaceId ws, Rule rule, int sample_size) {
  PreviewResult out;
  ASSIGN_OR_RETURN(Catalog catalog, store_.Read([&](store::Txn& t) { return LoadCatalog(t, ws); }));
  out.errors = Check(rule, catalog);
  if (!out.errors.empty()) {
    out.rule = std::move(rule);
    return out;
  }
  RETURN_IF_ERROR(live_.Sync());
  ASSIGN_OR_RETURN(auto ids, live_.Evaluate(ws, rule));
  out.count = static_cast<int64_t>(ids.size());
  if (static_cast<int>(ids.size()) > sample_size) ids.resize(sample_size);
  out.sample = std::move(ids);
  out.rule = std::move(rule);
  return out;
}

Result<std::vector<int64_t>> SegmentService::Evaluate(WorkspaceId ws, Rule rule) {
  ASSIGN_OR_RETURN(Catalog catalog, store_.Read([&](store::Txn& t) { return LoadCatalog(t, ws); }));
  auto errors = Check(rule, catalog);
  if (!errors.empty()) return RuleErrors(errors);
  RETURN_IF_ERROR(live_.Sync());
  return live_.Evaluate(ws, rule);
}

}  // namespace rapport::segments
