// Per-type activity arrays: delta rows, compaction, and property columns read on demand.
#include <algorithm>

#include "engine/state.h"

namespace rapport::engine {
namespace {

constexpr int64_t kPropChunk = 200'000;

bool DeltaLess(const DeltaRow& a, const DeltaRow& b) {
  return a.day != b.day ? a.day < b.day : a.id < b.id;
}

std::string JsonPath(const std::string& key) {
  std::string p = "$.\"";
  p += key;
  p += '"';
  return p;
}

// Selects (id, contact_id, occurred_at, kind, value) of one property, in the dialect's JSON
// functions: the kinds are json_type's names on SQLite and jsonb_typeof's on PostgreSQL.
std::string PropSelect(store::Dialect d, std::string_view path, std::string_view where) {
  std::string p(path);
  std::string cols =
      d == store::Dialect::kSqlite
          ? "SELECT id, contact_id, occurred_at, json_type(properties, " + p +
                "), json_extract(properties, " + p + ") FROM activities "
          : "SELECT id, contact_id, occurred_at, jsonb_typeof(properties::jsonb #> " + p +
                "), properties::jsonb #>> " + p + " FROM activities ";
  return cols + std::string(where);
}

store::Value PathParam(store::Dialect d, const std::string& key) {
  if (d == store::Dialect::kSqlite) return JsonPath(key);
  return "{" + key + "}";
}

// The value as the SQL evaluator sees it: JSON null and a missing key are unset.
ValueView PropValue(const store::Row& r, size_t kind_col, std::string& scratch) {
  if (r.IsNull(kind_col)) return {};
  std::string kind = r.Text(kind_col);
  if (kind == "null") return {};
  if (kind == "true") return ValueView{Kind::kBool, 1, 0, {}};
  if (kind == "false") return ValueView{Kind::kBool, 0, 0, {}};
  if (kind == "boolean") return ValueView{Kind::kBool, r.Text(kind_col + 1) == "true", 0, {}};
  if (kind == "integer") return IntValue(r.Int(kind_col + 1));
  if (kind == "real") return ValueView{Kind::kReal, 0, r.Real(kind_col + 1), {}};
  if (kind == "number") {
    scratch = r.Text(kind_col + 1);
    if (scratch.find_first_of(".eE") == std::string::npos) {
      return IntValue(std::stoll(scratch));
    }
    return ValueView{Kind::kReal, 0, std::stod(scratch), {}};
  }
  scratch = r.Text(kind_col + 1);
  if (kind == "text" || kind == "string") return TextValue(scratch);
  return ValueView{Kind::kOther, 0, 0, scratch};
}

}  // namespace

size_t PropColumn::MemoryBytes() const {
  return dict.MemoryBytes() + codes.capacity() * sizeof(uint32_t) + delta.size() * 32;
}

void TypeStore::ExtendTo(size_t contacts) {
  while (offsets.size() < contacts + 1) offsets.push_back(offsets.back());
  if (last.size() < contacts) last.resize(contacts, 0);
}

void TypeStore::AppendDelta(uint32_t contact, const DeltaRow& row, bool has_amount) {
  if (has_amount && amounts.empty()) {
    amounts.assign(rows(), 0);
    currencies.assign(rows(), 0);
  }
  auto& rows = delta[contact];
  rows.insert(std::upper_bound(rows.begin(), rows.end(), row, DeltaLess), row);
  if ((contact >> 6) >= delta_bits.size()) delta_bits.resize((contact >> 6) + 1, 0);
  delta_bits[contact >> 6] |= uint64_t{1} << (contact & 63);
  if (contact >= last.size()) last.resize(contact + 1, 0);
  last[contact] = std::max(last[contact], LastCode(row.day));
  max_day = std::max(max_day, row.day);
  ++delta_rows;
}

void TypeStore::MaybeCompact() {
  if (delta_rows > std::max<size_t>(1024, rows() / 64)) Compact();
}

void TypeStore::Compact() {
  if (delta_rows == 0) return;
  size_t contacts = offsets.size() - 1, total = rows() + delta_rows;
  bool with_amounts = !amounts.empty();
  std::vector<uint32_t> off(contacts + 1);
  std::vector<int32_t> d(total);
  std::vector<uint8_t> ch(total), cur(with_amounts ? total : 0);
  std::vector<int64_t> am(with_amounts ? total : 0);
  std::vector<std::pair<PropColumn*, std::vector<uint32_t>>> props_out;
  for (auto& [key, col] : props) props_out.emplace_back(col.get(), std::vector<uint32_t>(total));

  size_t out = 0;
  for (size_t c = 0; c < contacts; ++c) {
    off[c] = static_cast<uint32_t>(out);
    size_t r = offsets[c], end = offsets[c + 1];
    const std::vector<DeltaRow>* extra = nullptr;
    if (HasDelta(static_cast<uint32_t>(c))) extra = &delta.at(static_cast<uint32_t>(c));
    size_t k = 0, kn = extra ? extra->size() : 0;
    while (r < end || k < kn) {
      // Delta ids exceed every id in the arrays, so a main row goes first on equal days.
      bool take_main = k == kn || (r < end && Day(r) <= (*extra)[k].day);
      if (take_main) {
        d[out] = Day(r);
        ch[out] = channels[r];
        if (with_amounts) {
          cur[out] = currencies[r];
          am[out] = amounts[r];
        }
        for (auto& [col, codes] : props_out) codes[out] = r < col->codes.size() ? col->codes[r] : 0;
        ++r;
      } else {
        const DeltaRow& x = (*extra)[k];
        d[out] = x.day;
        ch[out] = x.channel;
        if (with_amounts) {
          cur[out] = x.currency;
          am[out] = x.amount;
        }
        for (auto& [col, codes] : props_out) {
          auto it = col->delta.find(x.id);
          codes[out] = it == col->delta.end() ? 0 : it->second;
        }
        watermark = std::max(watermark, x.id);
        ++k;
      }
      ++out;
    }
  }
  off[contacts] = static_cast<uint32_t>(out);
  offsets.swap(off);
  days.swap(d);
  narrow = false;
  std::vector<uint16_t>().swap(days16);
  channels.swap(ch);
  currencies.swap(cur);
  amounts.swap(am);
  for (auto& [col, codes] : props_out) {
    col->codes.swap(codes);
    col->delta.clear();
  }
  delta.clear();
  delta_bits.clear();
  delta_rows = 0;
  Finish(contacts);
}

void TypeStore::Finish(size_t contacts) {
  ExtendTo(contacts);
  if (!narrow) {
    int32_t lo = 0, hi = 0;
    if (!days.empty()) {
      auto [mn, mx] = std::minmax_element(days.begin(), days.end());
      lo = *mn;
      hi = *mx;
    }
    if (int64_t{hi} - lo <= 65535) {
      narrow = true;
      day_base = lo;
      days16.resize(days.size());
      for (size_t r = 0; r < days.size(); ++r) days16[r] = static_cast<uint16_t>(days[r] - lo);
      std::vector<int32_t>().swap(days);
    } else {
      day_base = 0;
    }
  }
  last.assign(contacts, 0);
  max_day = INT32_MIN;
  for (size_t c = 0; c < contacts; ++c) {
    if (offsets[c + 1] > offsets[c]) {
      int32_t day = Day(offsets[c + 1] - 1);
      last[c] = LastCode(day);
      max_day = std::max(max_day, day);
    }
  }
  for (const auto& [c, rows] : delta) {
    if (rows.empty()) continue;
    last[c] = std::max(last[c], LastCode(rows.back().day));
    max_day = std::max(max_day, rows.back().day);
  }
  std::vector<uint32_t>().swap(hist);
  if (narrow && !days16.empty()) {
    uint16_t max = *std::max_element(days16.begin(), days16.end());
    hist.assign(max / kHistDays + 1, 0);
    for (uint16_t d : days16) ++hist[d / kHistDays];
  }
  BuildRecent();
}

void TypeStore::BuildRecent() {
  recent = Recent{};
  if (!narrow || days16.empty() || amounts.empty()) return;
  size_t contacts = offsets.size() - 1;
  int64_t top = 0;  // the latest day of the arrays
  for (size_t c = 0; c < contacts; ++c) {
    if (offsets[c + 1] > offsets[c]) top = std::max<int64_t>(top, days16[offsets[c + 1] - 1]);
  }
  const int64_t lo = std::max<int64_t>(0, top - kRecentDays + 1);
  const auto first_recent = [&](size_t c) {
    uint32_t b = offsets[c], e = offsets[c + 1];
    while (e > b && days16[e - 1] >= lo) --e;
    return e;
  };
  // Counting sort by day; contacts are visited in order, so each day's rows are by contact.
  std::vector<uint32_t> start(static_cast<size_t>(top - lo) + 2, 0);
  size_t slots = 0;
  for (size_t c = 0; c < contacts; ++c) {
    uint32_t s = first_recent(c), e = offsets[c + 1];
    if (s == e) continue;
    ++slots;
    for (uint32_t r = s; r < e; ++r) ++start[static_cast<size_t>(days16[r] - lo) + 1];
  }
  for (size_t d = 1; d < start.size(); ++d) start[d] += start[d - 1];
  const size_t n = start.back();
  recent.days.resize(n);
  recent.slots.resize(n);
  recent.amounts.resize(n);
  recent.contacts.reserve(slots);
  for (size_t c = 0; c < contacts; ++c) {
    uint32_t s = first_recent(c), e = offsets[c + 1];
    if (s == e) continue;
    const auto slot = static_cast<uint32_t>(recent.contacts.size());
    recent.contacts.push_back(static_cast<uint32_t>(c));
    for (uint32_t r = s; r < e; ++r) {
      uint32_t pos = start[static_cast<size_t>(days16[r] - lo)]++;
      recent.days[pos] = days16[r];
      recent.slots[pos] = slot;
      recent.amounts[pos] = amounts[r];
    }
  }
  recent.lo = static_cast<int32_t>(day_base + lo);
}

double TypeStore::EstimateRows(int32_t lo, int32_t hi) const {
  double extra = static_cast<double>(delta_rows);
  if (!narrow || hist.empty()) return static_cast<double>(rows()) + extra;
  int64_t a = int64_t{lo} - day_base, b = int64_t{hi} - day_base;
  int64_t span = static_cast<int64_t>(hist.size()) * kHistDays;
  if (b < 0 || a >= span || a > b) return extra;
  a = std::max<int64_t>(a, 0) / kHistDays;
  b = std::min<int64_t>(b, span - 1) / kHistDays;
  double n = 0;
  for (int64_t i = a; i <= b; ++i) n += hist[static_cast<size_t>(i)];
  return n + extra;
}

void FinishState(State& state) {
  for (auto& t : state.activities.types) t->Finish(state.contacts.size());
}

size_t TypeStore::MemoryBytes() const {
  size_t m = offsets.capacity() * 4 + days.capacity() * 4 + days16.capacity() * 2 +
             last.capacity() * 2 + hist.capacity() * 4 + recent.days.capacity() * 2 +
             recent.slots.capacity() * 4 + recent.amounts.capacity() * 8 +
             recent.contacts.capacity() * 4 + channels.capacity() + currencies.capacity() +
             amounts.capacity() * 8 + delta_bits.capacity() * 8;
  for (const auto& [c, rows] : delta) m += 48 + rows.capacity() * sizeof(DeltaRow);
  for (const auto& [k, col] : props) m += col->MemoryBytes();
  return m;
}

const TypeStore* ActivityStore::Find(std::string_view type) const {
  auto it = type_index.find(std::string(type));
  return it == type_index.end() ? nullptr : types[it->second].get();
}

TypeStore& ActivityStore::GetOrAdd(const std::string& type, size_t contacts) {
  auto it = type_index.find(type);
  if (it != type_index.end()) return *types[it->second];
  type_index.emplace(type, static_cast<uint32_t>(types.size()));
  types.push_back(std::make_unique<TypeStore>());
  types.back()->name = type;
  types.back()->ExtendTo(contacts);
  return *types.back();
}

Result<uint8_t> ActivityStore::ChannelCode(const std::string& name) {
  auto it = channel_index.find(name);
  if (it != channel_index.end()) return it->second;
  if (channels.size() >= 255) return Internal("engine: more than 255 activity channels");
  channels.push_back(name);
  channel_index.emplace(name, static_cast<uint8_t>(channels.size() - 1));
  return static_cast<uint8_t>(channels.size() - 1);
}

Result<uint8_t> ActivityStore::CurrencyCode(const std::optional<std::string>& name) {
  if (!name) return uint8_t{0};
  auto it = currency_index.find(*name);
  if (it != currency_index.end()) return it->second;
  if (currencies.size() >= 255) return Internal("engine: more than 254 currencies");
  currencies.push_back(*name);
  currency_index.emplace(*name, static_cast<uint8_t>(currencies.size() - 1));
  return static_cast<uint8_t>(currencies.size() - 1);
}

Result<std::unique_ptr<PropColumn>> LoadPropColumn(store::Txn& txn, const State& state,
                                                   const TypeStore& type, const std::string& key) {
  store::Dialect dialect = state.store->dialect();
  const std::string sql = PropSelect(
      dialect, "$3",
      "WHERE +workspace_id = $1 AND type = $2 AND contact_id IS NOT NULL AND id > $4 ORDER BY id "
      "LIMIT $5");
  auto col = std::make_unique<PropColumn>();
  const ContactTable& contacts = state.contacts;
  size_t n = type.offsets.size() - 1;
  // Rows of the arrays arrive in id order; bucket them by contact, then order each
  // contact's bucket by (day, id) like the arrays.
  std::vector<uint32_t> row_contact;
  std::vector<int32_t> row_day;
  std::vector<uint32_t> row_code;
  row_contact.reserve(type.rows());
  row_day.reserve(type.rows());
  row_code.reserve(type.rows());
  std::string scratch;
  int64_t after = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto rows, txn.Query(sql, {state.ws.value, type.name, PathParam(dialect, key),
                                                after, kPropChunk}));
    for (const auto& r : rows) {
      int64_t id = r.Int(0);
      after = id;
      auto c = contacts.IndexOf(r.Int(1));
      if (!c || *c >= n) continue;
      uint32_t code = col->dict.Intern(PropValue(r, 3, scratch));
      if (id <= type.watermark) {
        row_contact.push_back(*c);
        row_day.push_back(DayOfMicros(r.Int(2)));
        row_code.push_back(code);
      } else if (type.HasDelta(*c)) {
        for (const DeltaRow& x : type.delta.at(*c)) {
          if (x.id == id && code != 0) col->delta[id] = code;
        }
      }
    }
    if (static_cast<int64_t>(rows.size()) < kPropChunk) break;
  }
  std::vector<uint32_t> count(n + 1, 0);
  for (uint32_t c : row_contact) ++count[c + 1];
  for (size_t c = 0; c < n; ++c) count[c + 1] += count[c];
  std::vector<uint32_t> order(row_contact.size());
  {
    std::vector<uint32_t> cursor(count.begin(), count.end() - 1);
    for (uint32_t i = 0; i < row_contact.size(); ++i) order[cursor[row_contact[i]]++] = i;
  }
  col->codes.assign(type.rows(), 0);
  for (size_t c = 0; c < n; ++c) {
    uint32_t b = count[c], e = count[c + 1];
    // A contact deleted since the arrays were built has rows only there: leave it unset.
    if (e - b != type.offsets[c + 1] - type.offsets[c]) continue;
    std::stable_sort(order.begin() + b, order.begin() + e,
                     [&](uint32_t x, uint32_t y) { return row_day[x] < row_day[y]; });
    for (uint32_t k = b; k < e; ++k) col->codes[type.offsets[c] + (k - b)] = row_code[order[k]];
  }
  return col;
}

Result<uint32_t> LoadPropValue(store::Txn& txn, store::Dialect dialect, PropColumn& column,
                               const std::string& key, int64_t activity_id) {
  const std::string sql = PropSelect(dialect, "$2", "WHERE id = $1");
  ASSIGN_OR_RETURN(auto row, txn.QueryOne(sql, {activity_id, PathParam(dialect, key)}));
  if (!row) return uint32_t{0};
  std::string scratch;
  return column.dict.Intern(PropValue(*row, 3, scratch));
}

}  // namespace rapport::engine
