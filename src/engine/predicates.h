// Comparisons of one stored value against a rule's literals, as the SQL evaluator makes
// them: SQLite's ordering of storage classes (numbers before text, integers and reals
// compared numerically, text by bytes), UTC days for dates, month-day for anniversaries,
// and JSON-kind-sensitive equality for activity properties.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/values.h"
#include "segments/rule.h"

namespace rapport::engine {

struct Lit {
  enum class K { kText, kNum, kBool, kDate } k = K::kText;
  std::string text;
  int64_t units = 0;  // kNum: units / 10^scale; kBool: 0/1
  int scale = 0;
  bool whole = false;  // kNum: an integer that fits int64 (`whole_value`); else `real`
  int64_t whole_value = 0;
  double real = 0;  // the nearest double, as SQLite binds a fraction
  int32_t day = 0;  // kDate
};

Lit ToLit(const segments::Literal& l);

// A comparison of a field (or of count()/first()/last()) with `op`.
class FieldPred {
 public:
  static Result<FieldPred> Make(segments::Op op, segments::ValueType type, bool anniversary,
                                const std::vector<segments::Literal>& values, int32_t days,
                                int32_t today);
  bool Match(const ValueView& v) const;

 private:
  bool MatchDay(int32_t day) const;
  bool MatchOrdered(const ValueView& v) const;

  segments::Op op_ = segments::Op::kEq;
  bool date_ = false, anniversary_ = false;
  int32_t days_ = 0, today_ = 0;
  std::vector<Lit> lits_;
  std::vector<int32_t> lit_days_;  // date literals as days (INT32_MIN when not a date)
  std::vector<uint8_t> md_ok_;     // anniversary: accepted month * 32 + day
};

// A channel or currency filter on a name: two-valued, `!=` is "set and different".
bool MatchName(segments::Op op, const std::vector<Lit>& lits, std::string_view name);
// A properties.<key> filter: equality is kind-sensitive (true != 1, 2 == 2.0).
bool MatchProperty(segments::Op op, const std::vector<Lit>& lits, const ValueView& v);

// sum() against the checker's minor units.
bool MatchSum(const segments::Rule& rule, __int128 sum);

}  // namespace rapport::engine
