#include "fields/custom_field.h"

#include <boost/json.hpp>
#include <algorithm>
#include <regex>
#include <set>

#include "common/strings.h"
#include "store/change_feed.h"

namespace rapport::fields {
namespace {

constexpr std::string_view kInsert =
    "INSERT INTO custom_fields (workspace_id, entity, key, label, type, options, required, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
constexpr std::string_view kSelectOne =
    "SELECT id, entity, key, label, type, options, required, version, created_at, updated_at "
    "FROM custom_fields WHERE workspace_id = $1 AND id = $2";
constexpr std::string_view kSelectAll =
    "SELECT id, entity, key, label, type, options, required, version, created_at, updated_at "
    "FROM custom_fields WHERE workspace_id = $1 ORDER BY entity, key";
constexpr std::string_view kSelectForEntity =
    "SELECT id, entity, key, label, type, options, required, version, created_at, updated_at "
    "FROM custom_fields WHERE workspace_id = $1 AND entity = $2 ORDER BY key";
constexpr std::string_view kSelectKey =
    "SELECT id FROM custom_fields WHERE workspace_id = $1 AND entity = $2 AND key = $3";
constexpr std::string_view kUpdate =
    "UPDATE custom_fields SET label = $3, options = $4, required = $5, version = version + 1, "
    "updated_at = $6 WHERE workspace_id = $1 AND id = $2";
constexpr std::string_view kDelete = "DELETE FROM custom_fields WHERE workspace_id = $1 AND id = $2";

// SQLite dialect: values live in a JSON text column.
constexpr std::string_view kContactsUsingValue =
    "SELECT COUNT(*) FROM contacts WHERE workspace_id = $1 AND json_extract(custom, $2) = $3";
constexpr std::string_view kCompaniesUsingValue =
    "SELECT COUNT(*) FROM companies WHERE workspace_id = $1 AND json_extract(custom, $2) = $3";
constexpr std::string_view kContactsWithKey =
    "SELECT id FROM contacts WHERE workspace_id = $1 AND json_type(custom, $2) IS NOT NULL";
constexpr std::string_view kCompaniesWithKey =
    "SELECT id FROM companies WHERE workspace_id = $1 AND json_type(custom, $2) IS NOT NULL";
constexpr std::string_view kContactsRemoveKey =
    "UPDATE contacts SET custom = json_remove(custom, $2), version = version + 1, "
    "updated_at = $3 WHERE workspace_id = $1 AND json_type(custom, $2) IS NOT NULL";
constexpr std::string_view kCompaniesRemoveKey =
    "UPDATE companies SET custom = json_remove(custom, $2), version = version + 1, "
    "updated_at = $3 WHERE workspace_id = $1 AND json_type(custom, $2) IS NOT NULL";

constexpr size_t kMaxOptions = 200;

FieldDef DecodeRow(const store::Row& r) {
  FieldDef d;
  d.id = CustomFieldId(r.Int(0));
  d.entity = ParseEntity(r.Text(1)).value_or(Entity::kContact);
  d.key = r.Text(2);
  d.label = r.Text(3);
  d.type = ParseFieldType(r.Text(4)).value_or(FieldType::kText);
  if (auto opts = r.OptText(5)) {
    boost::system::error_code ec;
    auto v = boost::json::parse(*opts, ec);
    if (!ec && v.is_array()) {
      for (const auto& o : v.as_array()) {
        if (o.is_string()) d.options.emplace_back(o.as_string());
      }
    }
  }
  d.required = r.Int(6) != 0;
  d.version = r.Int(7);
  d.created_at = r.Int(8);
  d.updated_at = r.Int(9);
  return d;
}

store::Value EncodeOptions(const FieldDef& d) {
  if (d.type != FieldType::kEnum) return store::Null{};
  boost::json::array a;
  for (const auto& o : d.options) a.emplace_back(o);
  return boost::json::serialize(a);
}

// Checks enum options; appends errors.
void CheckOptions(const std::vector<std::string>& options, std::vector<FieldError>& errors) {
  if (options.empty() || options.size() > kMaxOptions) {
    errors.push_back({"options", "must list 1 to 200 options"});
    return;
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < options.size(); ++i) {
    std::string_view o = Trim(options[i]);
    if (o.empty() || o.size() > 200) {
      errors.push_back({"options[" + std::to_string(i) + "]", "must be 1 to 200 characters"});
    } else if (!seen.insert(std::string(o)).second) {
      errors.push_back({"options[" + std::to_string(i) + "]", "is listed twice"});
    }
  }
}

std::string JsonPath(const std::string& key) { return "$.\"" + key + "\""; }

}  // namespace

const char* EntityName(Entity e) { return e == Entity::kContact ? "contact" : "company"; }

std::optional<Entity> ParseEntity(std::string_view s) {
  if (s == "contact") return Entity::kContact;
  if (s == "company") return Entity::kCompany;
  return std::nullopt;
}

const char* FieldTypeName(FieldType t) {
  switch (t) {
    case FieldType::kText: return "text";
    case FieldType::kNumber: return "number";
    case FieldType::kBoolean: return "boolean";
    case FieldType::kDate: return "date";
    case FieldType::kEnum: return "enum";
  }
  return "text";
}

std::optional<FieldType> ParseFieldType(std::string_view s) {
  for (FieldType t : {FieldType::kText, FieldType::kNumber, FieldType::kBoolean, FieldType::kDate,
                      FieldType::kEnum}) {
    if (s == FieldTypeName(t)) return t;
  }
  return std::nullopt;
}

Result<std::vector<FieldDef>> FieldService::DefsFor(store::Txn& txn, WorkspaceId ws, Entity entity) {
  ASSIGN_OR_RETURN(auto rows, txn.Query(kSelectForEntity, {ws.value, std::string(EntityName(entity))}));
  std::vector<FieldDef> out;
  for (const auto& r : rows) out.push_back(DecodeRow(r));
  return out;
}

Result<FieldDef> FieldService::Create(WorkspaceId ws, const FieldInput& in) {
  static const std::regex kKeyPattern("[a-z][a-z0-9_]{0,62}");
  std::vector<FieldError> errors;
  FieldDef d;
  if (!IsSet(in.entity)) {
    errors.push_back({"entity", "is required"});
  } else if (auto e = ParseEntity(**in.entity)) {
    d.entity = *e;
  } else {
    errors.push_back({"entity", "must be contact or company"});
  }
  if (!IsSet(in.key)) {
    errors.push_back({"key", "is required"});
  } else if (!std::regex_match(**in.key, kKeyPattern)) {
    errors.push_back({"key", "must match [a-z][a-z0-9_]{0,62}"});
  } else {
    d.key = **in.key;
  }
  if (!IsSet(in.type)) {
    errors.push_back({"type", "is required"});
  } else if (auto t = ParseFieldType(**in.type)) {
    d.type = *t;
  } else {
    errors.push_back({"type", "must be one of: text, number, boolean, date, enum"});
  }
  d.label = IsSet(in.label) ? std::string(Trim(**in.label)) : d.key;
  if (IsSet(in.label) && (d.label.empty() || Utf8Length(d.label) > 200)) {
    errors.push_back({"label", "must be 1 to 200 characters"});
  }
  if (d.type == FieldType::kEnum) {
    if (!IsSet(in.options)) {
      errors.push_back({"options", "is required for enum fields"});
    } else {
      CheckOptions(**in.options, errors);
      for (const auto& o : **in.options) d.options.emplace_back(Trim(o));
    }
  } else if (IsSet(in.options)) {
    errors.push_back({"options", "only enum fields have options"});
  }
  d.required = IsSet(in.required) && **in.required;
  if (!errors.empty()) return ValidationFailed(std::move(errors));

  d.created_at = d.updated_at = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<FieldDef> {
    ASSIGN_OR_RETURN(auto existing,
                     t.QueryOne(kSelectKey, {ws.value, std::string(EntityName(d.entity)), d.key}));
    if (existing) {
      return AlreadyExists("custom field \"" + d.key + "\" already exists for " +
                               EntityName(d.entity) + "s",
                           existing->Int(0));
    }
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kInsert, {ws.value, std::string(EntityName(d.entity)), d.key,
                                                    d.label, std::string(FieldTypeName(d.type)),
                                                    EncodeOptions(d), int64_t{d.required}, d.created_at}));
    d.id = CustomFieldId(row->Int(0));
    RETURN_IF_ERROR(store::AppendChange(t, ws, "custom_field", d.id.value, store::ChangeKind::kCreated,
                                        d.created_at));
    return d;
  });
}

Result<std::vector<FieldDef>> FieldService::List(WorkspaceId ws, std::optional<Entity> entity) {
  return store_.Read([&](store::Txn& t) -> Result<std::vector<FieldDef>> {
    if (entity) return DefsFor(t, ws, *entity);
    ASSIGN_OR_RETURN(auto rows, t.Query(kSelectAll, {ws.value}));
    std::vector<FieldDef> out;
    for (const auto& r : rows) out.push_back(DecodeRow(r));
    return out;
  });
}

Result<FieldDef> FieldService::Get(WorkspaceId ws, CustomFieldId id) {
  return store_.Read([&](store::Txn& t) -> Result<FieldDef> {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kSelectOne, {ws.value, id.value}));
    if (!row) return NotFound("custom field " + std::to_string(id.value) + " not found");
    return DecodeRow(*row);
  });
}

Result<FieldDef> FieldService::Update(WorkspaceId ws, CustomFieldId id, const FieldInput& in,
                                      std::optional<int64_t> if_version) {
  std::vector<FieldError> errors;
  if (in.entity) errors.push_back({"entity", "cannot be changed"});
  if (in.key) errors.push_back({"key", "cannot be changed"});
  if (in.type) errors.push_back({"type", "cannot be changed"});
  if (in.label && (!in.label->has_value() || Trim(**in.label).empty() || Utf8Length(**in.label) > 200)) {
    errors.push_back({"label", "must be 1 to 200 characters"});
  }
  if (in.required && !in.required->has_value()) errors.push_back({"required", "must be true or false"});
  if (!errors.empty()) return ValidationFailed(std::move(errors));

  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<FieldDef> {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kSelectOne, {ws.value, id.value}));
    if (!row) return NotFound("custom field " + std::to_string(id.value) + " not found");
    FieldDef d = DecodeRow(*row);
    if (if_version && *if_version != d.version) {
      return FailedPrecondition("custom field was changed (version " + std::to_string(d.version) +
                                "); reload and retry");
    }
    std::vector<FieldError> errs;
    if (in.label) d.label = std::string(Trim(**in.label));
    if (in.required) d.required = **in.required;
    if (in.options) {
      if (d.type != FieldType::kEnum) {
        errs.push_back({"options", "only enum fields have options"});
      } else if (!in.options->has_value()) {
        errs.push_back({"options", "is required for enum fields"});
      } else {
        CheckOptions(**in.options, errs);
        std::vector<std::string> next;
        for (const auto& o : **in.options) next.emplace_back(Trim(o));
        for (const auto& old : d.options) {
          if (std::find(next.begin(), next.end(), old) != next.end()) continue;
          auto q = d.entity == Entity::kContact ? kContactsUsingValue : kCompaniesUsingValue;
          ASSIGN_OR_RETURN(auto used, t.QueryOne(q, {ws.value, JsonPath(d.key), old}));
          if (used->Int(0) > 0) {
            errs.push_back({"options", "option \"" + old + "\" is still used by " +
                                           std::to_string(used->Int(0)) + " records"});
          }
        }
        d.options = std::move(next);
      }
    }
    if (!errs.empty()) return ValidationFailed(std::move(errs));
    RETURN_IF_ERROR(t.Exec(kUpdate, {ws.value, id.value, d.label, EncodeOptions(d),
                                     int64_t{d.required}, now})
                        .status());
    RETURN_IF_ERROR(store::AppendChange(t, ws, "custom_field", id.value, store::ChangeKind::kUpdated, now));
    d.version += 1;
    d.updated_at = now;
    return d;
  });
}

Status FieldService::Delete(WorkspaceId ws, CustomFieldId id, std::optional<int64_t> if_version) {
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Status {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kSelectOne, {ws.value, id.value}));
    if (!row) return NotFound("custom field " + std::to_string(id.value) + " not found");
    FieldDef d = DecodeRow(*row);
    if (if_version && *if_version != d.version) {
      return FailedPrecondition("custom field was changed (version " + std::to_string(d.version) +
                                "); reload and retry");
    }
    bool contact = d.entity == Entity::kContact;
    ASSIGN_OR_RETURN(auto affected, t.Query(contact ? kContactsWithKey : kCompaniesWithKey,
                                            {ws.value, JsonPath(d.key)}));
    RETURN_IF_ERROR(t.Exec(contact ? kContactsRemoveKey : kCompaniesRemoveKey,
                           {ws.value, JsonPath(d.key), now})
                        .status());
    for (const auto& r : affected) {
      RETURN_IF_ERROR(store::AppendChange(t, ws, contact ? "contact" : "company", r.Int(0),
                                          store::ChangeKind::kUpdated, now));
    }
    RETURN_IF_ERROR(t.Exec(kDelete, {ws.value, id.value}).status());
    return store::AppendChange(t, ws, "custom_field", id.value, store::ChangeKind::kDeleted, now);
  });
}

}  // namespace rapport::fields
