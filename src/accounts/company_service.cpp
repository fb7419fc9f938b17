#include <algorithm>

#include "accounts/company.h"
#include "accounts/countries.h"
#include "accounts/owners.h"
#include "common/strings.h"
#include "store/change_feed.h"
#include "store/keyset.h"
#include "tags/tag_service.h"

namespace rapport::accounts {
namespace {

constexpr std::string_view kCols =
    "id, name, domain, industry, size, country, relationship, owner_id, custom, version, "
    "created_at, updated_at, "
    "(SELECT COUNT(*) FROM contacts c WHERE c.workspace_id = companies.workspace_id "
    "AND c.company_id = companies.id)";
constexpr std::string_view kSelectOne =
    "SELECT id, name, domain, industry, size, country, relationship, owner_id, custom, version, "
    "created_at, updated_at, "
    "(SELECT COUNT(*) FROM contacts c WHERE c.workspace_id = companies.workspace_id "
    "AND c.company_id = companies.id) FROM companies WHERE workspace_id = $1 AND id = $2";
constexpr std::string_view kInsert =
    "INSERT INTO companies (workspace_id, name, domain, industry, size, country, relationship, "
    "owner_id, custom, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
    "$10) "
    "RETURNING id";
constexpr std::string_view kUpdate =
    "UPDATE companies SET name = $3, domain = $4, industry = $5, size = $6, country = $7, "
    "relationship = $8, owner_id = $9, custom = $10, version = version + 1, updated_at = $11 "
    "WHERE workspace_id = $1 AND id = $2";
constexpr std::string_view kTouch =
    "UPDATE companies SET version = version + 1, updated_at = $3 WHERE workspace_id = $1 AND id = "
    "$2";
constexpr std::string_view kDelete = "DELETE FROM companies WHERE workspace_id = $1 AND id = $2";
constexpr std::string_view kByDomain =
    "SELECT id FROM companies WHERE workspace_id = $1 AND domain = $2";
constexpr std::string_view kName = "SELECT name FROM companies WHERE workspace_id = $1 AND id = $2";
constexpr std::string_view kContactsOf =
    "SELECT id FROM contacts WHERE workspace_id = $1 AND company_id = $2";
constexpr std::string_view kUnlinkContacts =
    "UPDATE contacts SET company_id = NULL, version = version + 1, updated_at = $3 "
    "WHERE workspace_id = $1 AND company_id = $2";
// The contacts search index carries the company name (SQLite FTS5).
constexpr std::string_view kReindexContacts =
    "UPDATE contacts_fts SET company = $3 WHERE rowid IN "
    "(SELECT id FROM contacts WHERE workspace_id = $1 AND company_id = $2)";

constexpr store::SortColumn kSorts[] = {
    {"id", "id", false},
    {"name", "name", true},
    {"created_at", "created_at", false},
    {"updated_at", "updated_at", false},
};

bool IsRelationship(std::string_view s) {
  return std::any_of(std::begin(kRelationships), std::end(kRelationships),
                     [&](const char* r) { return s == r; });
}

// Applies `in` to `c`, collecting every validation error. Pure: no store access.
void ApplyFields(const CompanyFields& in, Company& c, bool creating,
                 std::vector<FieldError>& errors) {
  if (in.name || creating) {
    auto name = in.name ? TrimmedOrNull(*in.name) : std::nullopt;
    if (!name) {
      errors.push_back({"name", "is required"});
    } else {
      c.name = *name;
      CheckMaxLength(c.name, "name", 200, errors);
    }
  }
  if (in.domain) {
    c.domain = TrimmedOrNull(*in.domain);
    if (c.domain) {
      *c.domain = ToLowerAscii(*c.domain);
      if (!IsValidHostname(*c.domain)) {
        errors.push_back({"domain", "must be a host name like example.com (no scheme or path)"});
      }
    }
  }
  if (in.industry) {
    c.industry = TrimmedOrNull(*in.industry);
    CheckMaxLength(c.industry, "industry", 100, errors);
  }
  if (in.size) {
    c.size = *in.size;
    if (c.size && *c.size < 0) errors.push_back({"size", "must be 0 or more"});
  }
  if (in.country) {
    c.country = TrimmedOrNull(*in.country);
    if (c.country) {
      std::string upper = *c.country;
      for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      c.country = upper;
      if (!IsCountryCode(upper))
        errors.push_back({"country", "must be an ISO 3166-1 alpha-2 code"});
    }
  }
  if (in.relationship) {
    if (!in.relationship->has_value() || !IsRelationship(**in.relationship)) {
      errors.push_back({"relationship",
                        "must be one of: customer, prospect, vendor, supplier, "
                        "distributor, partner, other"});
    } else {
      c.relationship = **in.relationship;
    }
  }
  if (in.owner_id) c.owner_id = *in.owner_id;
}

Company Decode(const store::Row& r) {
  Company c;
  c.id = CompanyId(r.Int(0));
  c.name = r.Text(1);
  c.domain = r.OptText(2);
  c.industry = r.OptText(3);
  c.size = r.OptInt(4);
  c.country = r.OptText(5);
  c.relationship = r.Text(6);
  c.owner_id = r.OptInt(7);
  c.custom = fields::DecodeCustom(r.Text(8));
  c.version = r.Int(9);
  c.created_at = r.Int(10);
  c.updated_at = r.Int(11);
  c.contact_count = r.Int(12);
  return c;
}

Status CheckVersion(const Company& c, std::optional<int64_t> if_version) {
  if (if_version && *if_version != c.version) {
    return FailedPrecondition("company " + std::to_string(c.id.value) + " has changed (version " +
                              std::to_string(c.version) + "); reload and retry");
  }
  return Status::Ok();
}

Status CheckDomainFree(store::Txn& t, WorkspaceId ws, const Company& c) {
  if (!c.domain) return Status::Ok();
  ASSIGN_OR_RETURN(auto row, t.QueryOne(kByDomain, {ws.value, *c.domain}));
  if (row && row->Int(0) != c.id.value) {
    Status s = AlreadyExists("a company with domain " + *c.domain + " already exists", row->Int(0));
    return s;
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> CompanyService::NameOf(store::Txn& txn, WorkspaceId ws, CompanyId id) {
  ASSIGN_OR_RETURN(auto row, txn.QueryOne(kName, {ws.value, id.value}));
  if (!row) return NotFound("company " + std::to_string(id.value) + " not found");
  return row->Text(0);
}

Result<Company> CompanyService::Load(store::Txn& txn, WorkspaceId ws, CompanyId id) {
  ASSIGN_OR_RETURN(auto row, txn.QueryOne(kSelectOne, {ws.value, id.value}));
  if (!row) return NotFound("company " + std::to_string(id.value) + " not found");
  Company c = Decode(*row);
  ASSIGN_OR_RETURN(c.tags, tags::TagService::NamesOf(txn, tags::Target::kCompany, id.value));
  return c;
}

Status CompanyService::Check(const CompanyFields& in, bool creating) const {
  Company scratch;
  std::vector<FieldError> errors;
  ApplyFields(in, scratch, creating, errors);
  if (in.tags) {
    auto n = tags::NormalizeNames(*in.tags);
    if (!n) errors.insert(errors.end(), n.error().fields().begin(), n.error().fields().end());
  }
  if (!errors.empty()) return ValidationFailed(std::move(errors));
  return Status::Ok();
}

Result<Company> CompanyService::Create(WorkspaceId ws, const CompanyFields& in) {
  Company c;
  std::vector<FieldError> errors;
  ApplyFields(in, c, true, errors);
  std::vector<std::string> tag_names;
  if (in.tags) {
    auto n = tags::NormalizeNames(*in.tags);
    if (!n) {
      for (const auto& f : n.error().fields()) errors.push_back(f);
    } else {
      tag_names = *n;
    }
  }
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<Company> {
    ASSIGN_OR_RETURN(auto defs, fields::FieldService::DefsFor(t, ws, fields::Entity::kCompany));
    auto custom =
        fields::MergeAndValidate(defs, {}, in.custom.value_or(fields::CustomValues{}), true);
    if (!custom) {
      for (const auto& f : custom.error().fields()) errors.push_back(f);
    }
    if (c.owner_id) {
      Status s = CheckOwner(t, ws, *c.owner_id);
      if (!s.ok()) errors.push_back(s.fields()[0]);
    }
    if (!errors.empty()) return ValidationFailed(errors);
    c.custom = *custom;
    RETURN_IF_ERROR(CheckDomainFree(t, ws, c));
    ASSIGN_OR_RETURN(
        auto row,
        t.QueryOne(kInsert, {ws.value, c.name, store::Opt(c.domain), store::Opt(c.industry),
                             store::Opt(c.size), store::Opt(c.country), c.relationship,
                             store::Opt(c.owner_id), fields::EncodeCustom(c.custom), now}));
    c.id = CompanyId(row->Int(0));
    c.created_at = c.updated_at = now;
    RETURN_IF_ERROR(
        tags::TagService::Set(t, ws, tags::Target::kCompany, c.id.value, tag_names, now));
    c.tags = tag_names;
    RETURN_IF_ERROR(
        store::AppendChange(t, ws, "company", c.id.value, store::ChangeKind::kCreated, now));
    return c;
  });
}

Result<Company> CompanyService::Get(WorkspaceId ws, CompanyId id) {
  return store_.Read([&](store::Txn& t) { return Load(t, ws, id); });
}

Result<Company> CompanyService::Update(WorkspaceId ws, CompanyId id, const CompanyFields& patch,
                                       std::optional<int64_t> if_version) {
  std::vector<std::string> tag_names;
  if (patch.tags) {
    ASSIGN_OR_RETURN(tag_names, tags::NormalizeNames(*patch.tags));
  }
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<Company> {
    ASSIGN_OR_RETURN(Company c, Load(t, ws, id));
    RETURN_IF_ERROR(CheckVersion(c, if_version));
    std::string old_name = c.name;
    std::vector<FieldError> errors;
    ApplyFields(patch, c, false, errors);
    if (patch.custom) {
      ASSIGN_OR_RETURN(auto defs, fields::FieldService::DefsFor(t, ws, fields::Entity::kCompany));
      auto custom = fields::MergeAndValidate(defs, c.custom, *patch.custom, false);
      if (!custom) {
        for (const auto& f : custom.error().fields()) errors.push_back(f);
      } else {
        c.custom = *custom;
      }
    }
    if (patch.owner_id && c.owner_id) {
      Status s = CheckOwner(t, ws, *c.owner_id);
      if (!s.ok()) errors.push_back(s.fields()[0]);
    }
    if (!errors.empty()) return ValidationFailed(errors);
    RETURN_IF_ERROR(CheckDomainFree(t, ws, c));
    RETURN_IF_ERROR(
        t.Exec(kUpdate, {ws.value, id.value, c.name, store::Opt(c.domain), store::Opt(c.industry),
                         store::Opt(c.size), store::Opt(c.country), c.relationship,
                         store::Opt(c.owner_id), fields::EncodeCustom(c.custom), now})
            .status());
    if (patch.tags) {
      RETURN_IF_ERROR(
          tags::TagService::Set(t, ws, tags::Target::kCompany, id.value, tag_names, now));
      c.tags = tag_names;
    }
    if (c.name != old_name)
      RETURN_IF_ERROR(t.Exec(kReindexContacts, {ws.value, id.value, c.name}).status());
    RETURN_IF_ERROR(
        store::AppendChange(t, ws, "company", id.value, store::ChangeKind::kUpdated, now));
    c.version += 1;
    c.updated_at = now;
    return c;
  });
}

Status CompanyService::Delete(WorkspaceId ws, CompanyId id, std::optional<int64_t> if_version) {
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Status {
    ASSIGN_OR_RETURN(Company c, Load(t, ws, id));
    RETURN_IF_ERROR(CheckVersion(c, if_version));
    ASSIGN_OR_RETURN(auto contacts, t.Query(kContactsOf, {ws.value, id.value}));
    RETURN_IF_ERROR(t.Exec(kReindexContacts, {ws.value, id.value, std::string()}).status());
    RETURN_IF_ERROR(t.Exec(kUnlinkContacts, {ws.value, id.value, now}).status());
    for (const auto& r : contacts) {
      RETURN_IF_ERROR(
          store::AppendChange(t, ws, "contact", r.Int(0), store::ChangeKind::kUpdated, now));
    }
    RETURN_IF_ERROR(t.Exec(kDelete, {ws.value, id.value}).status());
    return store::AppendChange(t, ws, "company", id.value, store::ChangeKind::kDeleted, now);
  });
}

Result<CompanyPage> CompanyService::List(WorkspaceId ws, const CompanyQuery& query) {
  ASSIGN_OR_RETURN(auto list, store::ListStatement::Begin(kCols, "companies", ws.value, query.sort,
                                                          query.cursor, kSorts));
  if (query.relationship) list.And("relationship = " + list.Bind(*query.relationship));
  if (query.country) list.And("country = " + list.Bind(*query.country));
  if (query.tag) {
    auto name = tags::NormalizeName(*query.tag);
    if (!name)
      return InvalidArgument("tag " + name.error().message(), {{"tag", name.error().message()}});
    list.And(
        "id IN (SELECT l.company_id FROM company_tags l JOIN tags t ON t.id = l.tag_id "
        "WHERE t.workspace_id = $1 AND t.name = " +
        list.Bind(*name) + ")");
  }
  if (query.q && !Trim(*query.q).empty()) {
    std::string p = list.Bind(store::ContainsPattern(Trim(*query.q)));
    list.And("(name LIKE " + p + " ESCAPE '\\' OR domain LIKE " + p + " ESCAPE '\\')");
  }
  return store_.Read([&](store::Txn& t) -> Result<CompanyPage> {
    ASSIGN_OR_RETURN(auto rows, list.Run(t, query.limit));
    CompanyPage page;
    page.next_cursor = list.NextCursor(rows, query.limit);
    for (const auto& r : rows) {
      Company c = Decode(r);
      ASSIGN_OR_RETURN(c.tags, tags::TagService::NamesOf(t, tags::Target::kCompany, c.id.value));
      page.data.push_back(std::move(c));
    }
    return page;
  });
}

Result<Company> CompanyService::AddTags(WorkspaceId ws, CompanyId id,
                                        const std::vector<std::string>& raw) {
  ASSIGN_OR_RETURN(auto names, tags::NormalizeNames(raw));
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<Company> {
    ASSIGN_OR_RETURN(Company c, Load(t, ws, id));
    RETURN_IF_ERROR(tags::TagService::Add(t, ws, tags::Target::kCompany, id.value, names, now));
    RETURN_IF_ERROR(t.Exec(kTouch, {ws.value, id.value, now}).status());
    RETURN_IF_ERROR(
        store::AppendChange(t, ws, "company", id.value, store::ChangeKind::kUpdated, now));
    return Load(t, ws, id);
  });
}

Result<Company> CompanyService::RemoveTag(WorkspaceId ws, CompanyId id, std::string_view raw) {
  auto name = tags::NormalizeName(raw);
  if (!name) return NotFound("the company has no tag \"" + std::string(raw) + "\"");
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<Company> {
    ASSIGN_OR_RETURN(Company c, Load(t, ws, id));
    RETURN_IF_ERROR(tags::TagService::Remove(t, ws, tags::Target::kCompany, id.value, *name));
    RETURN_IF_ERROR(t.Exec(kTouch, {ws.value, id.value, now}).status());
    RETURN_IF_ERROR(
        store::AppendChange(t, ws, "company", id.value, store::ChangeKind::kUpdated, now));
    return Load(t, ws, id);
  });
}

}  // namespace rapport::accounts
