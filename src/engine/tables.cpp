// Contact and company rows into columns.
#include <algorithm>
#include <utility>

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

using CustomPairs = std::vector<std::pair<std::string_view, ValueView>>;

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A string without escapes, control characters or non-ASCII bytes (which the full parser
// would have to validate); `p` is past the opening quote.
bool ScanPlainString(std::string_view json, size_t& p, std::string_view& out) {
  size_t start = p;
  for (; p < json.size(); ++p) {
    auto c = static_cast<unsigned char>(json[p]);
    if (c == '"') {
      out = json.substr(start, p - start);
      ++p;
      return true;
    }
    if (c == '\\' || c < 0x20 || c >= 0x80) return false;
  }
  return false;
}

// The `custom` objects the services write are flat, with plain strings, small integers and
// booleans, and decoding them through a JSON document and a std::map dominated loading
// contacts. This reads exactly that shape, with the values DecodeCustom would give (null
// members are skipped); anything else (escapes, non-ASCII, fractions, exponents, integers
// that might not fit int64, nesting, duplicate keys) returns false for the full parser.
bool DecodeSimpleCustom(std::string_view json, CustomPairs& out) {
  out.clear();
  size_t p = 0;
  auto skip = [&] {
    while (p < json.size() && IsJsonSpace(json[p])) ++p;
  };
  auto at = [&](char c) { return p < json.size() && json[p] == c; };
  skip();
  if (!at('{')) return false;
  ++p;
  skip();
  if (at('}')) {
    ++p;
  } else {
    for (;;) {
      if (!at('"')) return false;
      ++p;
      std::string_view key;
      if (!ScanPlainString(json, p, key)) return false;
      for (const auto& [k, v] : out) {
        if (k == key) return false;
      }
      skip();
      if (!at(':')) return false;
      ++p;
      skip();
      if (p >= json.size()) return false;
      char c = json[p];
      if (c == '"') {
        ++p;
        std::string_view text;
        if (!ScanPlainString(json, p, text)) return false;
        out.emplace_back(key, TextValue(text));
      } else if (json.compare(p, 4, "true") == 0) {
        p += 4;
        out.emplace_back(key, ValueView{Kind::kBool, 1, 0, {}});
      } else if (json.compare(p, 5, "false") == 0) {
        p += 5;
        out.emplace_back(key, ValueView{Kind::kBool, 0, 0, {}});
      } else if (json.compare(p, 4, "null") == 0) {
        p += 4;
        out.emplace_back(key, ValueView{});  // a duplicate check entry; not set
      } else {
        bool negative = c == '-';
        if (negative) ++p;
        size_t digits = p;
        int64_t v = 0;
        while (p < json.size() && json[p] >= '0' && json[p] <= '9') v = v * 10 + (json[p++] - '0');
        size_t n = p - digits;
        // Leading zeros are invalid JSON; -0 and 19 digits are left to the full parser.
        if (n == 0 || n > 18 || (json[digits] == '0' && (n > 1 || negative))) return false;
        if (p < json.size() && (json[p] == '.' || json[p] == 'e' || json[p] == 'E')) return false;
        out.emplace_back(key, IntValue(negative ? -v : v));
      }
      skip();
      if (at(',')) {
        ++p;
        skip();
        continue;
      }
      if (!at('}')) return false;
      ++p;
      break;
    }
  }
  skip();
  return p == json.size();
}

// Decodes the `custom` JSON once; keys missing from it are cleared.
void SetCustom(ColumnMap& custom, uint32_t index, std::string_view json) {
  // Reused across rows: building the engine decodes a million of these on one thread.
  thread_local CustomPairs values;
  if (json == "{}") {
    values.clear();
  } else if (!DecodeSimpleCustom(json, values)) {
    // The full parser's strings are copied into the map, which outlives the views below.
    thread_local fields::CustomValues decoded;
    decoded = fields::DecodeCustom(json);
    values.clear();
    for (const auto& [key, v] : decoded) values.emplace_back(key, FromCustom(v));
  }
  auto has = [&](std::string_view key) {
    for (const auto& [k, v] : values) {
      if (k == key && v.kind != Kind::kUnset) return true;
    }
    return false;
  };
  for (auto& [key, col] : custom) {
    if (col.Code(index) != 0 && !has(key)) col.codes[index] = 0;
  }
  for (const auto& [key, v] : values) {
    if (v.kind == Kind::kUnset) continue;
    auto it = custom.find(key);
    if (it == custom.end()) it = custom.emplace(std::string(key), ValueColumn{}).first;
    it->second.Set(index, v);
  }
}

ValueView FromCell(const store::RowView& row, size_t i) {
  switch (row.type(i)) {
    case store::Cell::Type::kInt:
      return IntValue(row.Int(i));
    case store::Cell::Type::kReal:
      return ValueView{Kind::kReal, 0, row.Real(i), {}};
    case store::Cell::Type::kText:
      return TextValue(row.Text(i));
    case store::Cell::Type::kNull:
      break;
  }
  return {};
}
ValueView FromCell(const store::Row& row, size_t i) { return FromStore(row.at(i)); }

bool IsInt(const store::Row& row, size_t i) { return std::holds_alternative<int64_t>(row.at(i)); }
bool IsInt(const store::RowView& row, size_t i) { return row.type(i) == store::Cell::Type::kInt; }

template <typename R>
void SetColumns(const std::vector<ValueColumn*>& standard, size_t timestamps, uint32_t index,
                const R& row) {
  for (size_t k = 0; k < timestamps; ++k) standard[k]->Set(index, FromCell(row, k + 1));
  for (size_t k = timestamps; k < standard.size(); ++k) {
    standard[k]->Set(index,
                     IsInt(row, k + 1) ? DayValue(DayOfMicros(row.Int(k + 1))) : ValueView{});
  }
}

template <typename R>
void SetContact(State& state, uint32_t index, const R& row) {
  ContactTable& t = state.contacts;
  SetColumns(t.standard, kContactTimestamps, index, row);
  std::optional<int64_t> company = row.OptInt(9);
  t.company[index] = company ? static_cast<int32_t>(state.companies.IndexOrAdd(*company)) : -1;
  SetCustom(t.custom, index, row.Text(14));
}

template <typename R>
void SetCompany(State& state, uint32_t index, const R& row) {
  CompanyTable& t = state.companies;
  SetColumns(t.standard, kCompanyTimestamps, index, row);
  SetCustom(t.custom, index, row.Text(10));
}

}  // namespace

ContactTable::ContactTable() : standard(MakeColumns(fields, kContactColumns)) {}
CompanyTable::CompanyTable() : standard(MakeColumns(fields, kCompanyColumns)) {}

std::optional<uint32_t> ContactTable::IndexOf(int64_t id) const {
  // Ids are distinct and ascending, so ids[i] >= ids[0] + i: the index of `id` is at most
  // id - ids[0], and exactly that while no contact before it was skipped or deleted from
  // the store (the usual case, one probe instead of a cold binary search).
  if (ids.empty() || id < ids.front()) return std::nullopt;
  const uint64_t gap = static_cast<uint64_t>(id) - static_cast<uint64_t>(ids.front());
  const size_t end = gap >= ids.size() ? ids.size() : static_cast<size_t>(gap) + 1;
  if (ids[end - 1] == id) return static_cast<uint32_t>(end - 1);
  auto it = std::lower_bound(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(end), id);
  if (it == ids.begin() + static_cast<std::ptrdiff_t>(end) || *it != id) return std::nullopt;
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
  SetContact(state, index, row);
}
void SetContactRow(State& state, uint32_t index, const store::RowView& row) {
  SetContact(state, index, row);
}

void SetCompanyRow(State& state, uint32_t index, const store::Row& row) {
  SetCompany(state, index, row);
}
void SetCompanyRow(State& state, uint32_t index, const store::RowView& row) {
  SetCompany(state, index, row);
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
