#include <algorithm>
#include <map>

#include "accounts/company.h"
#include "accounts/owners.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "common/timezones.h"
#include "contacts/contact.h"
#include "store/change_feed.h"
#include "store/keyset.h"
#include "tags/tag_service.h"

namespace rapport::contacts {
namespace {

constexpr std::string_view kCols =
    "id, email, phone, first_name, last_name, birthday, timezone, lifecycle_stage, owner_id, "
    "company_id, source, external_id, custom, version, created_at, updated_at";
constexpr std::string_view kSelectOne =
    "SELECT id, email, phone, first_name, last_name, birthday, timezone, lifecycle_stage, "
    "owner_id, company_id, source, external_id, custom, version, created_at, updated_at "
    "FROM contacts WHERE workspace_id = $1 AND id = $2";
constexpr std::string_view kInsert =
    "INSERT INTO contacts (workspace_id, email, phone, first_name, last_name, birthday, timezone, "
    "lifecycle_stage, owner_id, company_id, source, external_id, custom, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id";
constexpr std::string_view kUpdate =
    "UPDATE contacts SET email = $3, phone = $4, first_name = $5, last_name = $6, birthday = $7, "
    "timezone = $8, lifecycle_stage = $9, owner_id = $10, company_id = $11, source = $12, "
    "external_id = $13, custom = $14, version = version + 1, updated_at = $15 "
    "WHERE workspace_id = $1 AND id = $2";
constexpr std::string_view kTouch =
    "UPDATE contacts SET version = version + 1, updated_at = $3 WHERE workspace_id = $1 AND id = "
    "$2";
constexpr std::string_view kDelete = "DELETE FROM contacts WHERE workspace_id = $1 AND id = $2";
constexpr std::string_view kByEmail =
    "SELECT id FROM contacts WHERE workspace_id = $1 AND email = $2";
constexpr std::string_view kByExternalId =
    "SELECT id FROM contacts WHERE workspace_id = $1 AND external_id = $2";
// Search index (SQLite FTS5; rowid = contact id).
constexpr std::string_view kFtsInsert =
    "INSERT INTO contacts_fts (rowid, name, email, company) VALUES ($1, $2, $3, $4)";
constexpr std::string_view kFtsUpdate =
    "UPDATE contacts_fts SET name = $2, email = $3, company = $4 WHERE rowid = $1";
constexpr std::string_view kFtsDelete = "DELETE FROM contacts_fts WHERE rowid = $1";

// Name sorts use COALESCE(col, '') so NULLs sort first and keyset comparisons stay total;
// the expressions match the indexes in V001. Email sorts on the unique email index itself
// (V006), NULLs first: one random-order index less for every contact written.
constexpr store::SortColumn kSorts[] = {
    {"id", "id", false},
    {"created_at", "created_at", false},
    {"updated_at", "updated_at", false},
    {"email", "email", true, true},
    {"first_name", "COALESCE(first_name, '')", true},
    {"last_name", "COALESCE(last_name, '')", true},
};

bool IsLifecycleStage(std::string_view s) {
  return std::any_of(std::begin(kLifecycleStages), std::end(kLifecycleStages),
                     [&](const char* r) { return s == r; });
}

void SetText(const Field<std::string>& in, std::optional<std::string>& out, const char* field,
             size_t max, std::vector<FieldError>& errors) {
  if (!in) return;
  out = TrimmedOrNull(*in);
  CheckMaxLength(out, field, max, errors);
}

// Applies `in` to `c` and collects every validation error. Pure: no store access.
void ApplyFields(const ContactFields& in, Contact& c, bool creating, Micros now,
                 std::vector<FieldError>& errors) {
  if (in.email) {
    c.email = TrimmedOrNull(*in.email);
    if (c.email) {
      auto e = NormalizeEmail(*c.email);
      if (e) {
        c.email = *e;
      } else {
        errors.push_back({"email", e.error().message()});
      }
    }
  }
  if (in.phone) {
    c.phone = TrimmedOrNull(*in.phone);
    if (c.phone) {
      auto p = NormalizePhone(*c.phone);
      if (p) {
        c.phone = *p;
      } else {
        errors.push_back({"phone", p.error().message()});
      }
    }
  }
  SetText(in.first_name, c.first_name, "first_name", 200, errors);
  SetText(in.last_name, c.last_name, "last_name", 200, errors);
  SetText(in.source, c.source, "source", 200, errors);
  SetText(in.external_id, c.external_id, "external_id", 255, errors);
  if (in.birthday) {
    c.birthday = TrimmedOrNull(*in.birthday);
    if (c.birthday) {
      auto d = ParseDate(*c.birthday);
      if (!d) {
        errors.push_back({"birthday", "must be a date YYYY-MM-DD"});
      } else if (*d > FormatTimestamp(now).substr(0, 10)) {
        errors.push_back({"birthday", "must not be in the future"});
      }
    }
  }
  if (in.timezone) {
    c.timezone = TrimmedOrNull(*in.timezone);
    if (c.timezone && !IsKnownTimeZone(*c.timezone)) {
      errors.push_back({"timezone", "must be an IANA time zone name such as Europe/Berlin"});
    }
  }
  if (in.lifecycle_stage) {
    if (!in.lifecycle_stage->has_value() || !IsLifecycleStage(**in.lifecycle_stage)) {
      errors.push_back({"lifecycle_stage",
                        "must be one of: lead, subscriber, customer, advocate, "
                        "at_risk, churned, other"});
    } else {
      c.lifecycle_stage = **in.lifecycle_stage;
    }
  }
  if (in.owner_id) c.owner_id = *in.owner_id;
  if (in.company_id) c.company_id = *in.company_id;
  if (creating && !c.email && !c.phone && !c.first_name && !c.last_name && !c.external_id &&
      errors.empty()) {
    errors.push_back({"email",
                      "a contact needs at least one of email, phone, first_name, "
                      "last_name, external_id"});
  }
}

Contact Decode(const store::Row& r) {
  Contact c;
  c.id = ContactId(r.Int(0));
  c.email = r.OptText(1);
  c.phone = r.OptText(2);
  c.first_name = r.OptText(3);
  c.last_name = r.OptText(4);
  c.birthday = r.OptText(5);
  c.timezone = r.OptText(6);
  c.lifecycle_stage = r.Text(7);
  c.owner_id = r.OptInt(8);
  c.company_id = r.OptInt(9);
  c.source = r.OptText(10);
  c.external_id = r.OptText(11);
  c.custom = fields::DecodeCustom(r.Text(12));
  c.version = r.Int(13);
  c.created_at = r.Int(14);
  c.updated_at = r.Int(15);
  return c;
}

std::string FullName(const Contact& c) {
  std::string n = c.first_name.value_or("");
  if (c.last_name) n += (n.empty() ? "" : " ") + *c.last_name;
  return n;
}

using Prepared = PreparedContact;

Result<Prepared> Prepare(const ContactFields& in, Micros now) {
  Prepared p;
  std::vector<FieldError> errors;
  ApplyFields(in, p.contact, true, now, errors);
  if (in.tags) {
    auto n = tags::NormalizeNames(*in.tags);
    if (!n) {
      for (const auto& f : n.error().fields()) errors.push_back(f);
    } else {
      p.tags = *n;
    }
  }
  if (!errors.empty()) return ValidationFailed(std::move(errors));
  p.custom = in.custom;
  return p;
}

// What one write transaction reads once and reuses for every item of a batch.
struct WriteCache {
  std::optional<std::vector<fields::FieldDef>> defs;
  std::map<int64_t, std::string> company_names;
  tags::TagIdCache tag_ids;
};

// Validates the parts that need the store (custom fields, owner, company); returns the
// company name for the search index.
Result<std::string> CheckReferences(store::Txn& t, WorkspaceId ws, Contact& c,
                                    const fields::CustomValues& current,
                                    const std::optional<fields::CustomValues>& changes,
                                    bool creating, bool check_owner, WriteCache& cache) {
  std::vector<FieldError> errors;
  if (changes || creating) {
    if (!cache.defs) {
      ASSIGN_OR_RETURN(cache.defs, fields::FieldService::DefsFor(t, ws, fields::Entity::kContact));
    }
    auto merged = fields::MergeAndValidate(*cache.defs, current,
                                           changes.value_or(fields::CustomValues{}), creating);
    if (merged) {
      c.custom = *merged;
    } else {
      for (const auto& f : merged.error().fields()) errors.push_back(f);
    }
  }
  if (check_owner && c.owner_id) {
    Status s = accounts::CheckOwner(t, ws, *c.owner_id);
    if (!s.ok()) errors.push_back(s.fields()[0]);
  }
  std::string company_name;
  if (c.company_id) {
    auto it = cache.company_names.find(*c.company_id);
    if (it != cache.company_names.end()) {
      company_name = it->second;
    } else {
      auto name = accounts::CompanyService::NameOf(t, ws, CompanyId(*c.company_id));
      if (name) {
        company_name = *name;
        cache.company_names.emplace(*c.company_id, company_name);
      } else if (name.error().code() == StatusCode::kNotFound) {
        errors.push_back({"company_id", "no company with this id"});
      } else {
        return name.error();
      }
    }
  }
  if (!errors.empty()) return ValidationFailed(std::move(errors));
  return company_name;
}

// Turns a unique-index violation into a 409 naming the field and the existing contact.
Status ExplainConflict(store::Txn& t, WorkspaceId ws, const Contact& c, const Status& original) {
  if (c.email) {
    auto row = t.QueryOne(kByEmail, {ws.value, *c.email});
    if (row && *row && (**row).Int(0) != c.id.value) {
      Status s(StatusCode::kAlreadyExists,
               "a contact with email " + *c.email + " already exists (id " +
                   std::to_string((**row).Int(0)) + ")",
               {{"email", "is already used by contact " + std::to_string((**row).Int(0))}});
      s.conflicting_id = (**row).Int(0);
      return s;
    }
  }
  if (c.external_id) {
    auto row = t.QueryOne(kByExternalId, {ws.value, *c.external_id});
    if (row && *row && (**row).Int(0) != c.id.value) {
      Status s(StatusCode::kAlreadyExists,
               "a contact with external_id " + *c.external_id + " already exists (id " +
                   std::to_string((**row).Int(0)) + ")",
               {{"external_id", "is already used by contact " + std::to_string((**row).Int(0))}});
      s.conflicting_id = (**row).Int(0);
      return s;
    }
  }
  return original;
}

// Everything that can reject the contact except uniqueness, read-only. Uniqueness is left
// to the contact INSERT, the first write: a failed INSERT undoes only itself, so an item is
// either rejected with nothing written or written whole. That lets a batch skip a
// savepoint per item (with FTS5, every savepoint flushes a tiny index segment, which made
// large batches crawl).
Result<std::string> CheckInsert(store::Txn& t, WorkspaceId ws, Prepared& p, WriteCache& cache) {
  return CheckReferences(t, ws, p.contact, {}, p.custom, true, true, cache);
}

Result<Contact> WriteInsert(store::Txn& t, WorkspaceId ws, Prepared& p,
                            const std::string& company_name, Micros now, WriteCache& cache) {
  Contact& c = p.contact;
  auto row =
      t.QueryOne(kInsert, {ws.value, store::Opt(c.email), store::Opt(c.phone),
                           store::Opt(c.first_name), store::Opt(c.last_name),
                           store::Opt(c.birthday), store::Opt(c.timezone), c.lifecycle_stage,
                           store::Opt(c.owner_id), store::Opt(c.company_id), store::Opt(c.source),
                           store::Opt(c.external_id), fields::EncodeCustom(c.custom), now});
  if (!row) {
    if (row.error().code() == StatusCode::kAlreadyExists)
      return ExplainConflict(t, ws, c, row.error());
    return row.error();
  }
  c.id = ContactId((*row)->Int(0));
  c.created_at = c.updated_at = now;
  RETURN_IF_ERROR(
      t.Exec(kFtsInsert, {c.id.value, FullName(c), c.email.value_or(""), company_name}).status());
  if (!p.tags.empty()) {
    RETURN_IF_ERROR(tags::TagService::Add(t, ws, tags::Target::kContact, c.id.value, p.tags, now,
                                          &cache.tag_ids));
  }
  c.tags = p.tags;
  RETURN_IF_ERROR(
      store::AppendChange(t, ws, "contact", c.id.value, store::ChangeKind::kCreated, now));
  return c;
}

Result<Contact> Insert(store::Txn& t, WorkspaceId ws, Prepared& p, Micros now, WriteCache& cache) {
  ASSIGN_OR_RETURN(std::string company_name, CheckInsert(t, ws, p, cache));
  return WriteInsert(t, ws, p, company_name, now, cache);
}

Result<Contact> Load(store::Txn& t, WorkspaceId ws, ContactId id) {
  ASSIGN_OR_RETURN(auto row, t.QueryOne(kSelectOne, {ws.value, id.value}));
  if (!row) return NotFound("contact " + std::to_string(id.value) + " not found");
  Contact c = Decode(*row);
  ASSIGN_OR_RETURN(c.tags, tags::TagService::NamesOf(t, tags::Target::kContact, id.value));
  return c;
}

Status CheckVersion(const Contact& c, std::optional<int64_t> if_version) {
  if (if_version && *if_version != c.version) {
    return FailedPrecondition("contact " + std::to_string(c.id.value) + " has changed (version " +
                              std::to_string(c.version) + "); reload and retry");
  }
  return Status::Ok();
}

// FTS5 query: every word must match as a prefix ("ali exa" finds alice@example.com).
std::string SearchExpression(std::string_view q) {
  std::string expr;
  size_t i = 0;
  while (i < q.size()) {
    while (i < q.size() && std::isspace(static_cast<unsigned char>(q[i]))) ++i;
    size_t start = i;
    while (i < q.size() && !std::isspace(static_cast<unsigned char>(q[i]))) ++i;
    if (i == start) break;
    std::string word;
    for (char c : q.substr(start, i - start)) {
      if (c == '"') word += '"';
      word += c;
    }
    expr += (expr.empty() ? "" : " ") + std::string("\"") + word + "\"*";
  }
  return expr;
}

}  // namespace

Result<ContactId> ContactService::Resolve(store::Txn& t, WorkspaceId ws, const ContactRef& ref) {
  std::optional<store::Row> row;
  std::string what;
  if (ref.id) {
    ASSIGN_OR_RETURN(row, t.QueryOne("SELECT id FROM contacts WHERE workspace_id = $1 AND id = $2",
                                     {ws.value, *ref.id}));
    what = "id " + std::to_string(*ref.id);
  } else if (ref.email) {
    ASSIGN_OR_RETURN(row, t.QueryOne(kByEmail, {ws.value, ToLowerAscii(Trim(*ref.email))}));
    what = "email " + *ref.email;
  } else if (ref.external_id) {
    ASSIGN_OR_RETURN(row, t.QueryOne(kByExternalId, {ws.value, *ref.external_id}));
    what = "external_id " + *ref.external_id;
  } else {
    return InvalidArgument("no contact given");
  }
  if (!row) return NotFound("no contact with " + what);
  return ContactId(row->Int(0));
}

Status ContactService::Check(const ContactFields& in, bool creating) const {
  if (creating) return Prepare(in, clock_.Now()).status();
  Contact scratch;
  std::vector<FieldError> errors;
  ApplyFields(in, scratch, false, clock_.Now(), errors);
  if (in.tags) {
    auto n = tags::NormalizeNames(*in.tags);
    if (!n) errors.insert(errors.end(), n.error().fields().begin(), n.error().fields().end());
  }
  if (!errors.empty()) return ValidationFailed(std::move(errors));
  return Status::Ok();
}

Result<Contact> ContactService::Create(WorkspaceId ws, const ContactFields& in) {
  Micros now = clock_.Now();
  ASSIGN_OR_RETURN(Prepared p, Prepare(in, now));
  return store_.Write([&](store::Txn& t) {
    WriteCache cache;
    return Insert(t, ws, p, now, cache);
  });
}

Result<std::vector<Result<Contact>>> ContactService::CreateBatch(
    WorkspaceId ws, const std::vector<ContactFields>& items) {
  ASSIGN_OR_RETURN(auto prepared, PrepareBatch(items));
  return WriteBatch(ws, prepared);
}

Result<std::vector<Result<PreparedContact>>> ContactService::PrepareBatch(
    const std::vector<ContactFields>& items) const {
  if (items.size() > kMaxBatch) {
    return InvalidArgument("a batch holds at most 1000 contacts",
                           {{"contacts", "must hold at most 1000 items"}});
  }
  Micros now = clock_.Now();
  std::vector<Result<Prepared>> prepared;
  prepared.reserve(items.size());
  for (const auto& in : items) prepared.push_back(Prepare(in, now));
  return prepared;
}

Result<std::vector<Result<Contact>>> ContactService::WriteBatch(
    WorkspaceId ws, std::vector<Result<PreparedContact>>& prepared) {
  Micros now = clock_.Now();
  std::vector<Result<Contact>> results(prepared.size(), Result<Contact>(Internal("not written")));
  Status s = store_.Write([&](store::Txn& t) -> Status {
    WriteCache cache;
    for (size_t i = 0; i < prepared.size(); ++i) {
      if (!prepared[i]) {
        results[i] = prepared[i].error();
        continue;
      }
      // A rejected item is rejected before it writes anything, so items need no savepoint
      // of their own; a failure while writing is internal and fails the whole batch.
      auto company_name = CheckInsert(t, ws, *prepared[i], cache);
      if (!company_name) {
        if (company_name.error().code() == StatusCode::kInternal) return company_name.error();
        results[i] = company_name.error();
        continue;
      }
      auto c = WriteInsert(t, ws, *prepared[i], *company_name, now, cache);
      if (!c) {
        // A uniqueness conflict is found by the INSERT itself, which then wrote nothing.
        if (c.error().code() != StatusCode::kAlreadyExists) return c.error();
        results[i] = c.error();
        continue;
      }
      results[i] = std::move(c).value();
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return results;
}

Result<Contact> ContactService::Get(WorkspaceId ws, ContactId id) {
  return store_.Read([&](store::Txn& t) { return Load(t, ws, id); });
}

Result<Contact> ContactService::Update(WorkspaceId ws, ContactId id, const ContactFields& patch,
                                       std::optional<int64_t> if_version) {
  Micros now = clock_.Now();
  std::vector<std::string> tag_names;
  if (patch.tags) {
    ASSIGN_OR_RETURN(tag_names, tags::NormalizeNames(*patch.tags));
  }
  return store_.Write([&](store::Txn& t) -> Result<Contact> {
    ASSIGN_OR_RETURN(Contact c, Load(t, ws, id));
    RETURN_IF_ERROR(CheckVersion(c, if_version));
    std::vector<FieldError> errors;
    ApplyFields(patch, c, false, now, errors);
    if (!errors.empty()) return ValidationFailed(std::move(errors));
    if (!c.email && !c.phone && !c.first_name && !c.last_name && !c.external_id) {
      return ValidationFailed({{"email",
                                "a contact needs at least one of email, phone, "
                                "first_name, last_name, external_id"}});
    }
    WriteCache cache;
    fields::CustomValues current = c.custom;
    ASSIGN_OR_RETURN(
        std::string company_name,
        CheckReferences(t, ws, c, current, patch.custom, false, patch.owner_id.has_value(), cache));
    auto updated =
        t.Exec(kUpdate, {ws.value, id.value, store::Opt(c.email), store::Opt(c.phone),
                         store::Opt(c.first_name), store::Opt(c.last_name), store::Opt(c.birthday),
                         store::Opt(c.timezone), c.lifecycle_stage, store::Opt(c.owner_id),
                         store::Opt(c.company_id), store::Opt(c.source), store::Opt(c.external_id),
                         fields::EncodeCustom(c.custom), now});
    if (!updated) {
      if (updated.error().code() == StatusCode::kAlreadyExists) {
        return ExplainConflict(t, ws, c, updated.error());
      }
      return updated.error();
    }
    RETURN_IF_ERROR(
        t.Exec(kFtsUpdate, {id.value, FullName(c), c.email.value_or(""), company_name}).status());
    if (patch.tags) {
      RETURN_IF_ERROR(tags::TagService::Set(t, ws, tags::Target::kContact, id.value, tag_names, now,
                                            &cache.tag_ids));
      c.tags = tag_names;
    }
    RETURN_IF_ERROR(
        store::AppendChange(t, ws, "contact", id.value, store::ChangeKind::kUpdated, now));
    c.version += 1;
    c.updated_at = now;
    return c;
  });
}

Status ContactService::Delete(WorkspaceId ws, ContactId id, std::optional<int64_t> if_version) {
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Status {
    ASSIGN_OR_RETURN(Contact c, Load(t, ws, id));
    RETURN_IF_ERROR(CheckVersion(c, if_version));
    RETURN_IF_ERROR(t.Exec(kFtsDelete, {id.value}).status());
    RETURN_IF_ERROR(t.Exec(kDelete, {ws.value, id.value}).status());
    return store::AppendChange(t, ws, "contact", id.value, store::ChangeKind::kDeleted, now);
  });
}

Result<ContactPage> ContactService::List(WorkspaceId ws, const ContactQuery& query) {
  ASSIGN_OR_RETURN(auto list, store::ListStatement::Begin(kCols, "contacts", ws.value, query.sort,
                                                          query.cursor, kSorts));
  auto bad_filter = [](const char* field, const std::string& why) {
    return InvalidArgument(std::string(field) + " " + why, {{field, why}});
  };
  if (query.company_id) list.And("company_id = " + list.Bind(*query.company_id));
  if (query.lifecycle_stage) {
    if (!IsLifecycleStage(*query.lifecycle_stage)) {
      return bad_filter("lifecycle_stage", "is not a lifecycle stage");
    }
    list.And("lifecycle_stage = " + list.Bind(*query.lifecycle_stage));
  }
  if (query.email) list.And("email = " + list.Bind(ToLowerAscii(Trim(*query.email))));
  if (query.external_id) list.And("external_id = " + list.Bind(*query.external_id));
  if (query.tag) {
    auto name = tags::NormalizeName(*query.tag);
    if (!name) return bad_filter("tag", name.error().message());
    list.And(
        "id IN (SELECT l.contact_id FROM contact_tags l JOIN tags t ON t.id = l.tag_id "
        "WHERE t.workspace_id = $1 AND t.name = " +
        list.Bind(*name) + ")");
  }
  if (query.ids) {
    // One JSON array parameter instead of thousands of placeholders.
    std::string array = "[";
    for (size_t i = 0; i < query.ids->size(); ++i) {
      if (i) array += ',';
      array += std::to_string((*query.ids)[i]);
    }
    array += ']';
    list.And("id IN (SELECT value FROM json_each(" + list.Bind(array) + "))");
  }
  if (query.q) {
    std::string expr = SearchExpression(*query.q);
    if (!expr.empty()) {
      list.And("id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH " + list.Bind(expr) +
               ")");
    }
  }
  return store_.Read([&](store::Txn& t) -> Result<ContactPage> {
    ASSIGN_OR_RETURN(auto rows, list.Run(t, query.limit));
    ContactPage page;
    page.next_cursor = list.NextCursor(rows, query.limit);
    page.data.reserve(rows.size());
    for (const auto& r : rows) {
      Contact c = Decode(r);
      ASSIGN_OR_RETURN(c.tags, tags::TagService::NamesOf(t, tags::Target::kContact, c.id.value));
      page.data.push_back(std::move(c));
    }
    return page;
  });
}

Result<Contact> ContactService::AddTags(WorkspaceId ws, ContactId id,
                                        const std::vector<std::string>& raw) {
  ASSIGN_OR_RETURN(auto names, tags::NormalizeNames(raw));
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<Contact> {
    RETURN_IF_ERROR(Load(t, ws, id).status());
    RETURN_IF_ERROR(tags::TagService::Add(t, ws, tags::Target::kContact, id.value, names, now));
    RETURN_IF_ERROR(t.Exec(kTouch, {ws.value, id.value, now}).status());
    RETURN_IF_ERROR(
        store::AppendChange(t, ws, "contact", id.value, store::ChangeKind::kUpdated, now));
    return Load(t, ws, id);
  });
}

Result<Contact> ContactService::RemoveTag(WorkspaceId ws, ContactId id, std::string_view raw) {
  auto name = tags::NormalizeName(raw);
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<Contact> {
    RETURN_IF_ERROR(Load(t, ws, id).status());
    if (!name) return NotFound("the contact has no tag \"" + std::string(raw) + "\"");
    RETURN_IF_ERROR(tags::TagService::Remove(t, ws, tags::Target::kContact, id.value, *name));
    RETURN_IF_ERROR(t.Exec(kTouch, {ws.value, id.value, now}).status());
    RETURN_IF_ERROR(
        store::AppendChange(t, ws, "contact", id.value, store::ChangeKind::kUpdated, now));
    return Load(t, ws, id);
  });
}

}  // namespace rapport::contacts
