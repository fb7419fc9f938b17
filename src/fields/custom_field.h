// Custom fields: per-workspace definitions of extra fields on contacts and companies, and
// the validation of the values records carry for them. Values are stored in each record's
// `custom` column as a JSON object. Definitions are read inside the caller's transaction,
// so a record is always validated against the definitions it is committed with.
// FieldService is thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/patch.h"
#include "common/status.h"
#include "store/store.h"

namespace rapport::fields {

enum class Entity { kContact, kCompany };
enum class FieldType { kText, kNumber, kBoolean, kDate, kEnum };

const char* EntityName(Entity e);
std::optional<Entity> ParseEntity(std::string_view s);
const char* FieldTypeName(FieldType t);
std::optional<FieldType> ParseFieldType(std::string_view s);

// A custom value as decoded from JSON; monostate is JSON null (removes the key in a patch).
using CustomValue = std::variant<std::monostate, std::string, int64_t, double, bool>;
using CustomValues = std::map<std::string, CustomValue>;

struct FieldDef {
  CustomFieldId id;
  Entity entity = Entity::kContact;
  std::string key;
  std::string label;
  FieldType type = FieldType::kText;
  std::vector<std::string> options;  // enum only
  bool required = false;
  int64_t version = 1;
  Micros created_at = 0;
  Micros updated_at = 0;
};

struct FieldInput {
  Field<std::string> entity, key, label, type;
  Field<std::vector<std::string>> options;
  Field<bool> required;
};

// Merges `changes` into `current` (null removes a key) and validates the result against
// `defs`; `creating` enforces required fields. Errors name "custom.<key>".
Result<CustomValues> MergeAndValidate(const std::vector<FieldDef>& defs, const CustomValues& current,
                                      const CustomValues& changes, bool creating);

// JSON text of the stored `custom` column, and back.
std::string EncodeCustom(const CustomValues& values);
CustomValues DecodeCustom(std::string_view json);

class FieldService {
 public:
  FieldService(store::Store& store, Clock& clock) : store_(store), clock_(clock) {}

  // 422 naming each bad field; 409 if the key exists for the entity.
  Result<FieldDef> Create(WorkspaceId ws, const FieldInput& in);
  Result<std::vector<FieldDef>> List(WorkspaceId ws, std::optional<Entity> entity);
  Result<FieldDef> Get(WorkspaceId ws, CustomFieldId id);
  // Label, required and enum options may change; 422 for key/entity/type or for removing
  // an enum option that records still use; Aborted-like 412 on a stale version.
  Result<FieldDef> Update(WorkspaceId ws, CustomFieldId id, const FieldInput& in,
                          std::optional<int64_t> if_version);
  // Removes the definition and its values from every record.
  Status Delete(WorkspaceId ws, CustomFieldId id, std::optional<int64_t> if_version);

  // Definitions for one entity, read in the caller's transaction.
  static Result<std::vector<FieldDef>> DefsFor(store::Txn& txn, WorkspaceId ws, Entity entity);

 private:
  store::Store& store_;
  Clock& clock_;
};

}  // namespace rapport::fields
