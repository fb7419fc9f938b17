#include "tags/tag_service.h"

#include <algorithm>

#include "common/strings.h"
#include "store/change_feed.h"

namespace rapport::tags {
namespace {

constexpr std::string_view kSelectAll =
    "SELECT t.id, t.name, t.created_at, "
    "(SELECT COUNT(*) FROM contact_tags c WHERE c.tag_id = t.id), "
    "(SELECT COUNT(*) FROM company_tags c WHERE c.tag_id = t.id) "
    "FROM tags t WHERE t.workspace_id = $1 ORDER BY t.name";
constexpr std::string_view kSelectOne =
    "SELECT t.id, t.name, t.created_at, "
    "(SELECT COUNT(*) FROM contact_tags c WHERE c.tag_id = t.id), "
    "(SELECT COUNT(*) FROM company_tags c WHERE c.tag_id = t.id) "
    "FROM tags t WHERE t.workspace_id = $1 AND t.id = $2";
constexpr std::string_view kSelectByName =
    "SELECT id FROM tags WHERE workspace_id = $1 AND name = $2";
constexpr std::string_view kInsert =
    "INSERT INTO tags (workspace_id, name, created_at) VALUES ($1, $2, $3) RETURNING id";
constexpr std::string_view kRename = "UPDATE tags SET name = $3 WHERE workspace_id = $1 AND id = $2";
constexpr std::string_view kDelete = "DELETE FROM tags WHERE workspace_id = $1 AND id = $2";

// Records whose representation changes with the tag (rename/delete): bump their version.
constexpr std::string_view kContactsWithTag = "SELECT contact_id FROM contact_tags WHERE tag_id = $1";
constexpr std::string_view kCompaniesWithTag = "SELECT company_id FROM company_tags WHERE tag_id = $1";
constexpr std::string_view kBumpContacts =
    "UPDATE contacts SET version = version + 1, updated_at = $2 "
    "WHERE id IN (SELECT contact_id FROM contact_tags WHERE tag_id = $1)";
constexpr std::string_view kBumpCompanies =
    "UPDATE companies SET version = version + 1, updated_at = $2 "
    "WHERE id IN (SELECT company_id FROM company_tags WHERE tag_id = $1)";

struct LinkSql {
  std::string_view insert, clear, remove, names;
};
constexpr LinkSql kContactLinks = {
    "INSERT INTO contact_tags (workspace_id, tag_id, contact_id) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING",
    "DELETE FROM contact_tags WHERE contact_id = $1",
    "DELETE FROM contact_tags WHERE contact_id = $1 AND tag_id = "
    "(SELECT id FROM tags WHERE workspace_id = $2 AND name = $3)",
    "SELECT t.name FROM contact_tags l JOIN tags t ON t.id = l.tag_id WHERE l.contact_id = $1 "
    "ORDER BY t.name"};
constexpr LinkSql kCompanyLinks = {
    "INSERT INTO company_tags (workspace_id, tag_id, company_id) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING",
    "DELETE FROM company_tags WHERE company_id = $1",
    "DELETE FROM company_tags WHERE company_id = $1 AND tag_id = "
    "(SELECT id FROM tags WHERE workspace_id = $2 AND name = $3)",
    "SELECT t.name FROM company_tags l JOIN tags t ON t.id = l.tag_id WHERE l.company_id = $1 "
    "ORDER BY t.name"};

const LinkSql& SqlFor(Target t) { return t == Target::kContact ? kContactLinks : kCompanyLinks; }

Tag DecodeTag(const store::Row& r) {
  return Tag{TagId(r.Int(0)), r.Text(1), r.Int(3), r.Int(4), r.Int(2)};
}

Result<int64_t> EnsureTag(store::Txn& txn, WorkspaceId ws, const std::string& name, Micros now,
                          TagIdCache* cache) {
  if (cache) {
    auto it = cache->find(name);
    if (it != cache->end()) return it->second;
  }
  ASSIGN_OR_RETURN(auto row, txn.QueryOne(kSelectByName, {ws.value, name}));
  int64_t id;
  if (row) {
    id = row->Int(0);
  } else {
    ASSIGN_OR_RETURN(auto inserted, txn.QueryOne(kInsert, {ws.value, name, now}));
    id = inserted->Int(0);
    RETURN_IF_ERROR(store::AppendChange(txn, ws, "tag", id, store::ChangeKind::kCreated, now));
  }
  if (cache) cache->emplace(name, id);
  return id;
}

Status TouchLinkedRecords(store::Txn& txn, WorkspaceId ws, int64_t tag_id, Micros now) {
  for (auto [select, bump, entity] :
       {std::tuple{kContactsWithTag, kBumpContacts, "contact"},
        std::tuple{kCompaniesWithTag, kBumpCompanies, "company"}}) {
    ASSIGN_OR_RETURN(auto rows, txn.Query(select, {tag_id}));
    RETURN_IF_ERROR(txn.Exec(bump, {tag_id, now}).status());
    for (const auto& r : rows) {
      RETURN_IF_ERROR(store::AppendChange(txn, ws, entity, r.Int(0), store::ChangeKind::kUpdated, now));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> NormalizeName(std::string_view raw) {
  std::string name = ToLowerAscii(Trim(raw));
  if (name.empty()) return InvalidArgument("must not be empty");
  if (!IsValidUtf8(name)) return InvalidArgument("must be valid UTF-8");
  if (Utf8Length(name) > 64) return InvalidArgument("must be at most 64 characters");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return InvalidArgument("must not contain control characters");
  }
  return name;
}

Result<std::vector<std::string>> NormalizeNames(const std::vector<std::string>& raw,
                                                std::string_view field) {
  std::vector<std::string> out;
  std::vector<FieldError> errors;
  if (raw.size() > 100) return ValidationFailed({{std::string(field), "at most 100 tags"}});
  for (size_t i = 0; i < raw.size(); ++i) {
    auto n = NormalizeName(raw[i]);
    if (!n) {
      errors.push_back({std::string(field) + "[" + std::to_string(i) + "]", n.error().message()});
    } else {
      out.push_back(std::move(n).value());
    }
  }
  if (!errors.empty()) return ValidationFailed(std::move(errors));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::vector<Tag>> TagService::List(WorkspaceId ws) {
  return store_.Read([&](store::Txn& t) -> Result<std::vector<Tag>> {
    ASSIGN_OR_RETURN(auto rows, t.Query(kSelectAll, {ws.value}));
    std::vector<Tag> out;
    for (const auto& r : rows) out.push_back(DecodeTag(r));
    return out;
  });
}

Result<Tag> TagService::Get(WorkspaceId ws, TagId id) {
  return store_.Read([&](store::Txn& t) -> Result<Tag> {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kSelectOne, {ws.value, id.value}));
    if (!row) return NotFound("tag " + std::to_string(id.value) + " not found");
    return DecodeTag(*row);
  });
}

Result<Tag> TagService::Create(WorkspaceId ws, std::string_view raw) {
  auto name = NormalizeName(raw);
  if (!name) return ValidationFailed({{"name", name.error().message()}});
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<Tag> {
    ASSIGN_OR_RETURN(auto existing, t.QueryOne(kSelectByName, {ws.value, *name}));
    if (existing) return AlreadyExists("tag \"" + *name + "\" already exists", existing->Int(0));
    ASSIGN_OR_RETURN(int64_t id, EnsureTag(t, ws, *name, now, nullptr));
    return Tag{TagId(id), *name, 0, 0, now};
  });
}

Result<Tag> TagService::Rename(WorkspaceId ws, TagId id, std::string_view raw) {
  auto name = NormalizeName(raw);
  if (!name) return ValidationFailed({{"name", name.error().message()}});
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<Tag> {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kSelectOne, {ws.value, id.value}));
    if (!row) return NotFound("tag " + std::to_string(id.value) + " not found");
    Tag tag = DecodeTag(*row);
    if (tag.name == *name) return tag;
    ASSIGN_OR_RETURN(auto taken, t.QueryOne(kSelectByName, {ws.value, *name}));
    if (taken) return AlreadyExists("tag \"" + *name + "\" already exists", taken->Int(0));
    RETURN_IF_ERROR(t.Exec(kRename, {ws.value, id.value, *name}).status());
    RETURN_IF_ERROR(store::AppendChange(t, ws, "tag", id.value, store::ChangeKind::kUpdated, now));
    RETURN_IF_ERROR(TouchLinkedRecords(t, ws, id.value, now));
    tag.name = *name;
    return tag;
  });
}

Status TagService::Delete(WorkspaceId ws, TagId id) {
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Status {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kSelectOne, {ws.value, id.value}));
    if (!row) return NotFound("tag " + std::to_string(id.value) + " not found");
    RETURN_IF_ERROR(TouchLinkedRecords(t, ws, id.value, now));
    RETURN_IF_ERROR(t.Exec(kDelete, {ws.value, id.value}).status());
    return store::AppendChange(t, ws, "tag", id.value, store::ChangeKind::kDeleted, now);
  });
}

Status TagService::Set(store::Txn& txn, WorkspaceId ws, Target target, int64_t record_id,
                       const std::vector<std::string>& names, Micros now, TagIdCache* cache) {
  RETURN_IF_ERROR(txn.Exec(SqlFor(target).clear, {record_id}).status());
  return Add(txn, ws, target, record_id, names, now, cache);
}

Status TagService::Add(store::Txn& txn, WorkspaceId ws, Target target, int64_t record_id,
                       const std::vector<std::string>& names, Micros now, TagIdCache* cache) {
  for (const auto& name : names) {
    ASSIGN_OR_RETURN(int64_t tag_id, EnsureTag(txn, ws, name, now, cache));
    RETURN_IF_ERROR(txn.Exec(SqlFor(target).insert, {ws.value, tag_id, record_id}).status());
  }
  return Status::Ok();
}

Status TagService::Remove(store::Txn& txn, WorkspaceId ws, Target target, int64_t record_id,
                          std::string_view name) {
  ASSIGN_OR_RETURN(int64_t n, txn.Exec(SqlFor(target).remove, {record_id, ws.value, std::string(name)}));
  if (n == 0) return NotFound("the record has no tag \"" + std::string(name) + "\"");
  return Status::Ok();
}

Result<std::vector<std::string>> TagService::NamesOf(store::Txn& txn, Target target, int64_t record_id) {
  ASSIGN_OR_RETURN(auto rows, txn.Query(SqlFor(target).names, {record_id}));
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r.Text(0));
  return out;
}

}  // namespace rapport::tags
