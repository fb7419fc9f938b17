// Interned values: every field column, company column and activity property column stores
// one small code per row into a dictionary of distinct values, so a predicate is evaluated
// once per distinct value and the rows are then a scan over codes. Code 0 is "unset".
// The value kinds mirror what the SQL evaluator sees (SQLite storage classes plus the JSON
// kinds json_type reports), so comparisons can follow the same rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace rapport::engine {

enum class Kind : uint8_t { kUnset = 0, kText, kInt, kReal, kBool, kDay, kOther };

struct ValueView {
  Kind kind = Kind::kUnset;
  int64_t num = 0;        // kInt, kBool (0/1), kDay (days since 1970-01-01)
  double real = 0;        // kReal
  std::string_view text;  // kText; kOther holds the JSON text of an array or object
};

ValueView TextValue(std::string_view s);
ValueView IntValue(int64_t v);
ValueView DayValue(int32_t day);
// A store column value as SQL sees it: NULL, INTEGER, REAL or TEXT.
ValueView FromStore(const store::Value& v);

// Distinct values with their codes. Strings live in one arena; the index is an open
// addressing table of codes, so interning needs no allocation per value.
class ValueDict {
 public:
  ValueDict();
  uint32_t Intern(const ValueView& v);
  std::optional<uint32_t> Find(const ValueView& v) const;
  ValueView Get(uint32_t code) const;
  uint32_t size() const { return static_cast<uint32_t>(entries_.size()); }
  size_t MemoryBytes() const;

 private:
  struct Entry {
    Kind kind;
    uint32_t len;
    uint64_t off;
    int64_t num;  // kReal: the double's bits
  };
  static uint64_t Hash(const ValueView& v);
  bool Equal(const Entry& e, const ValueView& v) const;
  void Grow();

  std::vector<Entry> entries_;
  std::string arena_;
  std::vector<uint32_t> slots_;  // code + 1; 0 = empty
};

// One code per row (contact, company or activity); rows past the end are unset.
struct ValueColumn {
  ValueDict dict;
  std::vector<uint32_t> codes;

  uint32_t Code(size_t row) const { return row < codes.size() ? codes[row] : 0; }
  void Set(size_t row, const ValueView& v);
  size_t MemoryBytes() const { return dict.MemoryBytes() + codes.capacity() * sizeof(uint32_t); }
};

// Calendar helpers (proleptic Gregorian, UTC).
int32_t DaysFromCivil(int y, unsigned m, unsigned d);
void CivilFromDays(int32_t days, int& y, unsigned& m, unsigned& d);
// A strict "YYYY-MM-DD" with a real calendar date.
std::optional<int32_t> ParseDay(std::string_view s);
std::string FormatDay(int32_t day);
// floor(micros / 86400e6): the UTC day of a timestamp.
int32_t DayOfMicros(int64_t micros);

}  // namespace rapport::engine
