// Contact and company rows into columns.
#include <algorithm>

#include "engine/state.h"
#include "fields/custom_field.h"

namespace rapport::engine {

const char* const kSelectContacts =
    "SELECT id, email, phone, first_name, last_name, birthday, timezone, lifecycle_stage, "
    "owner_id, company_id, source, external_id, created_at, updated_at, custom FROM contacts "
    "WHERE +workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3";
const char* const kSelectContact =
    "SELECT id, email, phone, first_name, last_name, birthday, timezone, lifecycle_stage, "
    "owner_id, company_id, source, external_id, created_at, updated_at, custom FROM contacts "
    "WHERE workspace_id = $1 AND id = $2";
const char* const kSelectCompanies =
    "SELECT id, name, domain, industry, size, country, relationship, owner_id, created_at, "
    "updated_at, custom FROM companies WHERE +workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3";
const char* const kSelectCompany =
    "SELECT id, name, domain, industry, size, country, relationship, owner_id, created_at, "
    "updated_at, custom FROM companies WHERE workspace_id = $1 AND id = $2";

// Chunked reads say `+workspace_id` so the planner walks the primary key (a range scan in
// id order) instead of a workspace index followed by a sort of the whole table per chunk.

namespace {

constexpr size_t kContactTimestamps = 11;  // created_at, updated_at follow the plain columns
constexpr size_t kCompanyTimestamps = 7;

template <size_t N>
std::vector<ValueColumn*> MakeColumns(ColumnMap& fields, const char* const (&names)[N]) {
  std::vector<ValueColumn*> out;
  for (const char* n : names) out.push_back(&fields[n]);
  return out;
}

ValueView FromCustom(const fields::CustomValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return TextValue(*s);
  if (const auto* i = std::get_if<int64_t>(&v)) return IntValue(*i);
  if (const auto* d = std::get_if<double>(&v)) return ValueView{Kind::kReal, 0, *d, {}};
  if (const auto* b = std::get_if<bool>(&v)) return ValueView{Kind::kBool, *b ? 1 : 0, 0, {}};
  return {};
}

// Decodes the `custom` JSON once; keys missing from it are cleared.
void SetCustom(ColumnMap& custom, uint32_t index, const std::string& json) {
  fields::CustomValues values;
  if (json != "{}") values = fields::DecodeCustom(json);
  for (auto& [key, col] : custom) {
    if (!values.count(key) && col.Code(index) != 0) col.codes[index] = 0;
  }
  for (const auto& [key, v] : values) {
    auto it = custom.find(key);
    if (it == custom.end()) it = custom.emplace(key, ValueColumn{}).first;
    it->second.Set(index, FromCustom(v));
  }
}

void SetColumns(const std::vector<ValueColumn*>& standard, size_t timestamps, uint32_t index,
                const store::Row& row) {
  for (size_t k = 0; k < timestamps; ++k) standard[k]->Set(index, FromStore(row.at(k + 1)));
  for (size_t k = timestamps; k < standard.size(); ++k) {
    const store::Value& v = row.at(k + 1);
    standard[k]->Set(index, std::holds_alternative<int64_t>(v)
                                ? DayValue(DayOfMicros(std::get<int64_t>(v)))
                                : ValueView{});
  }
}

}  // namespace

ContactTable::ContactTable() : standard(MakeColumns(fields, kContactColumns)) {}
CompanyTable::CompanyTable() : standard(MakeColumns(fields, kCompanyColumns)) {}

std::optional<uint32_t> ContactTable::IndexOf(int64_t id) const {
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it == ids.end() || *it != id) return std::nullopt;
  return static_cast<uint32_t>(it - ids.begin());
}

uint32_t ContactTable::Append(int64_t id) {
  ids.push_back(id);
  alive.push_back(1);
  company.push_back(-1);
  return static_cast<uint32_t>(ids.size() - 1);
}

uint32_t CompanyTable::IndexOrAdd(int64_t id) {
  auto [it, added] = index.emplace(id, static_cast<uint32_t>(ids.size()));
  if (added) ids.push_back(id);
  return it->second;
}

void SetContactRow(State& state, uint32_t index, const store::Row& row) {
  ContactTable& t = state.contacts;
  SetColumns(t.standard, kContactTimestamps, index, row);
  std::optional<int64_t> company = row.OptInt(9);
  t.company[index] = company ? static_cast<int32_t>(state.companies.IndexOrAdd(*company)) : -1;
  SetCustom(t.custom, index, row.Text(14));
}

void SetCompanyRow(State& state, uint32_t index, const store::Row& row) {
  CompanyTable& t = state.companies;
  SetColumns(t.standard, kCompanyTimestamps, index, row);
  SetCustom(t.custom, index, row.Text(10));
}

void ClearContact(State& state, uint32_t index) {
  ContactTable& t = state.contacts;
  for (auto* col : t.standard) col->Set(index, {});
  for (auto& [key, col] : t.custom) col.Set(index, {});
  t.company[index] = -1;
}

void ClearCompany(State& state, uint32_t index) {
  CompanyTable& t = state.companies;
  for (auto* col : t.standard) col->Set(index, {});
  for (auto& [key, col] : t.custom) col.Set(index, {});
}

}  // namespace rapport::engine
