#include "engine/values.h"

#include <bit>
#include <cstring>
#include <functional>

namespace rapport::engine {

ValueView TextValue(std::string_view s) { return ValueView{Kind::kText, 0, 0, s}; }
ValueView IntValue(int64_t v) { return ValueView{Kind::kInt, v, 0, {}}; }
ValueView DayValue(int32_t day) { return ValueView{Kind::kDay, day, 0, {}}; }

ValueView FromStore(const store::Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return IntValue(*i);
  if (const auto* d = std::get_if<double>(&v)) return ValueView{Kind::kReal, 0, *d, {}};
  if (const auto* s = std::get_if<std::string>(&v)) return TextValue(*s);
  return {};
}

ValueDict::ValueDict() {
  entries_.push_back(Entry{Kind::kUnset, 0, 0, 0});
  slots_.assign(16, 0);
}

uint64_t ValueDict::Hash(const ValueView& v) {
  uint64_t h = static_cast<uint64_t>(v.kind) * 0x9E3779B97F4A7C15ull;
  switch (v.kind) {
    case Kind::kText:
    case Kind::kOther:
      h ^= std::hash<std::string_view>{}(v.text);
      break;
    case Kind::kReal:
      h ^= std::bit_cast<uint64_t>(v.real) * 0xC2B2AE3D27D4EB4Full;
      break;
    default:
      h ^= static_cast<uint64_t>(v.num) * 0xC2B2AE3D27D4EB4Full;
  }
  return h ^ (h >> 29);
}

bool ValueDict::Equal(const Entry& e, const ValueView& v) const {
  if (e.kind != v.kind) return false;
  switch (v.kind) {
    case Kind::kText:
    case Kind::kOther:
      return e.len == v.text.size() &&
             std::memcmp(arena_.data() + e.off, v.text.data(), e.len) == 0;
    case Kind::kReal:
      return e.num == std::bit_cast<int64_t>(v.real);
    default:
      return e.num == v.num;
  }
}

std::optional<uint32_t> ValueDict::Find(const ValueView& v) const {
  if (v.kind == Kind::kUnset) return 0;
  size_t mask = slots_.size() - 1;
  for (size_t i = Hash(v) & mask;; i = (i + 1) & mask) {
    uint32_t s = slots_[i];
    if (s == 0) return std::nullopt;
    if (Equal(entries_[s - 1], v)) return s - 1;
  }
}

void ValueDict::Grow() {
  std::vector<uint32_t> slots(slots_.size() * 2, 0);
  size_t mask = slots.size() - 1;
  for (uint32_t code = 1; code < entries_.size(); ++code) {
    size_t i = Hash(Get(code)) & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = code + 1;
  }
  slots_.swap(slots);
}

uint32_t ValueDict::Intern(const ValueView& v) {
  if (v.kind == Kind::kUnset) return 0;
  size_t mask = slots_.size() - 1;
  size_t i = Hash(v) & mask;
  for (;; i = (i + 1) & mask) {
    uint32_t s = slots_[i];
    if (s == 0) break;
    if (Equal(entries_[s - 1], v)) return s - 1;
  }
  Entry e{v.kind, 0, 0, v.num};
  if (v.kind == Kind::kText || v.kind == Kind::kOther) {
    e.off = arena_.size();
    e.len = static_cast<uint32_t>(v.text.size());
    arena_.append(v.text);
    e.num = 0;
  } else if (v.kind == Kind::kReal) {
    e.num = std::bit_cast<int64_t>(v.real);
  }
  uint32_t code = static_cast<uint32_t>(entries_.size());
  entries_.push_back(e);
  slots_[i] = code + 1;
  if (entries_.size() * 2 > slots_.size()) Grow();
  return code;
}

ValueView ValueDict::Get(uint32_t code) const {
  const Entry& e = entries_[code];
  ValueView v;
  v.kind = e.kind;
  switch (e.kind) {
    case Kind::kText:
    case Kind::kOther:
      v.text = std::string_view(arena_.data() + e.off, e.len);
      break;
    case Kind::kReal:
      v.real = std::bit_cast<double>(e.num);
      break;
    default:
      v.num = e.num;
  }
  return v;
}

size_t ValueDict::MemoryBytes() const {
  return entries_.capacity() * sizeof(Entry) + arena_.capacity() +
         slots_.capacity() * sizeof(uint32_t);
}

void ValueColumn::Set(size_t row, const ValueView& v) {
  uint32_t code = dict.Intern(v);
  if (row >= codes.size()) {
    if (code == 0) return;
    codes.resize(row + 1, 0);
  }
  codes[row] = code;
}

// Howard Hinnant's civil calendar algorithms.
int32_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void CivilFromDays(int32_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

std::optional<int32_t> ParseDay(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int v[3] = {0, 0, 0};
  size_t starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
  for (int k = 0; k < 3; ++k) {
    for (size_t i = 0; i < lens[k]; ++i) {
      char c = s[starts[k] + i];
      if (c < '0' || c > '9') return std::nullopt;
      v[k] = v[k] * 10 + (c - '0');
    }
  }
  if (v[1] < 1 || v[1] > 12 || v[2] < 1) return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0;
  int max = kDays[v[1] - 1] + (v[1] == 2 && leap ? 1 : 0);
  if (v[2] > max) return std::nullopt;
  return DaysFromCivil(v[0], static_cast<unsigned>(v[1]), static_cast<unsigned>(v[2]));
}

std::string FormatDay(int32_t day) {
  int y;
  unsigned m, d;
  CivilFromDays(day, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

int32_t DayOfMicros(int64_t micros) {
  constexpr int64_t kDay = 86'400'000'000;
  int64_t q = micros / kDay;
  if (micros % kDay < 0) --q;
  return static_cast<int32_t>(q);
}

}  // namespace rapport::engine
