#include "engine/predicates.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>

namespace rapport::engine {
namespace {

using segments::Op;
using segments::ValueType;

__int128 Pow10(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

bool Numeric(Kind k) {
  return k == Kind::kInt || k == Kind::kReal || k == Kind::kBool || k == Kind::kDay;
}

// An integer against a double exactly, as SQLite compares INTEGER with REAL.
int IntRealCompare(int64_t i, double r) {
  if (r < -9223372036854775808.0) return 1;
  if (r >= 9223372036854775808.0) return -1;
  int64_t y = static_cast<int64_t>(r);
  if (i < y) return -1;
  if (i > y) return 1;
  double s = static_cast<double>(i);
  return s < r ? -1 : (s > r ? 1 : 0);
}

// SQLite's ordering of a stored value against a bound literal.
int Compare(const ValueView& v, const Lit& l) {
  bool lit_numeric = l.k == Lit::K::kNum || l.k == Lit::K::kBool;
  bool v_numeric = Numeric(v.kind);
  if (lit_numeric != v_numeric) return v_numeric ? -1 : 1;
  if (!v_numeric) {
    std::string date;
    std::string_view s = l.text;
    if (l.k == Lit::K::kDate) s = date = FormatDay(l.day);
    int c = v.text.compare(s);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  int64_t i = l.k == Lit::K::kBool ? l.units : l.whole_value;
  bool lit_int = l.k == Lit::K::kBool || l.whole;
  if (v.kind == Kind::kReal) {
    if (lit_int) return -IntRealCompare(i, v.real);
    return v.real < l.real ? -1 : (v.real > l.real ? 1 : 0);
  }
  if (lit_int) return v.num < i ? -1 : (v.num > i ? 1 : 0);
  return IntRealCompare(v.num, l.real);
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool ContainsIgnoreCase(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (EqualsIgnoreCase(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int MonthDay(int32_t day) {
  int y;
  unsigned m, d;
  CivilFromDays(day, y, m, d);
  return static_cast<int>(m * 32 + d);
}

bool TypedEqual(const ValueView& v, const Lit& l) {
  switch (l.k) {
    case Lit::K::kText:
      return v.kind == Kind::kText && v.text == l.text;
    case Lit::K::kDate:
      return v.kind == Kind::kText && v.text == FormatDay(l.day);
    case Lit::K::kBool:
      return v.kind == Kind::kBool && v.num == l.units;
    case Lit::K::kNum:
      return (v.kind == Kind::kInt || v.kind == Kind::kReal) && Compare(v, l) == 0;
  }
  return false;
}

// The literal's nearest double, parsed from its decimal text as SQLite binds it.
double NearestDouble(segments::Decimal d) {
  char buf[64];
  unsigned long long mag = d.units < 0 ? 0ULL - static_cast<unsigned long long>(d.units)
                                       : static_cast<unsigned long long>(d.units);
  std::snprintf(buf, sizeof buf, "%s%llue%d", d.units < 0 ? "-" : "", mag, -d.scale);
  return std::strtod(buf, nullptr);
}

}  // namespace

Lit ToLit(const segments::Literal& l) {
  Lit out;
  if (const auto* s = std::get_if<std::string>(&l)) {
    out.k = Lit::K::kText;
    out.text = *s;
  } else if (const auto* d = std::get_if<segments::Decimal>(&l)) {
    out.k = Lit::K::kNum;
    out.units = d->units;
    out.scale = d->scale;
    segments::Decimal m = *d;
    while (m.scale > 0 && m.units % 10 == 0) {
      m.units /= 10;
      --m.scale;
    }
    if (m.units == 0) m.scale = 0;
    __int128 w = m.units;
    for (int s = m.scale; s < 0; ++s) w *= 10;
    if (m.scale <= 0 && m.scale > -19 && w <= INT64_MAX && w >= INT64_MIN) {
      out.whole = true;
      out.whole_value = static_cast<int64_t>(w);
    }
    out.real = NearestDouble(*d);
  } else if (const auto* b = std::get_if<bool>(&l)) {
    out.k = Lit::K::kBool;
    out.units = *b ? 1 : 0;
  } else if (const auto* dt = std::get_if<segments::Date>(&l)) {
    out.k = Lit::K::kDate;
    out.day = dt->days;
  }
  return out;
}

Result<FieldPred> FieldPred::Make(Op op, ValueType type, bool anniversary,
                                  const std::vector<segments::Literal>& values, int32_t days,
                                  int32_t today) {
  FieldPred p;
  p.op_ = op;
  p.date_ = type == ValueType::kDate || type == ValueType::kTimestamp;
  p.anniversary_ = anniversary;
  p.days_ = days;
  p.today_ = today;
  for (const auto& v : values) {
    p.lits_.push_back(ToLit(v));
    const Lit& l = p.lits_.back();
    int32_t day = INT32_MIN;
    if (l.k == Lit::K::kDate) day = l.day;
    if (l.k == Lit::K::kText) day = ParseDay(l.text).value_or(INT32_MIN);
    p.lit_days_.push_back(day);
  }
  if (anniversary && op != Op::kIsSet && op != Op::kIsNotSet) {
    int64_t from, to;
    auto lit_day = [&](size_t i) -> int64_t {
      return i < p.lit_days_.size() ? p.lit_days_[i] : INT32_MIN;
    };
    switch (op) {
      case Op::kWithinLast:
        from = int64_t{today} - days + 1, to = today;
        break;
      case Op::kWithinNext:
        from = today, to = int64_t{today} + days - 1;
        break;
      case Op::kOn:
      case Op::kEq:
        from = to = lit_day(0);
        break;
      case Op::kBetween:
        from = lit_day(0), to = lit_day(1);
        break;
      default:
        return InvalidArgument(std::string("engine: anniversary does not support ") +
                               segments::OpName(op));
    }
    p.md_ok_.assign(13 * 32, 0);
    if (from != INT32_MIN && to != INT32_MIN && from <= to) {
      if (to - from >= 366) {
        std::fill(p.md_ok_.begin(), p.md_ok_.end(), 1);
      } else {
        for (int64_t d = from; d <= to; ++d) {
          int y;
          unsigned m, dd;
          CivilFromDays(static_cast<int32_t>(d), y, m, dd);
          p.md_ok_[m * 32 + dd] = 1;
          // 29 February falls on 28 February in common years.
          if (m == 2 && dd == 28 && !IsLeap(y)) p.md_ok_[2 * 32 + 29] = 1;
        }
      }
    }
  }
  return p;
}

bool FieldPred::MatchDay(int32_t d) const {
  if (anniversary_) return md_ok_[MonthDay(d)] != 0;
  int64_t day = d, today = today_, n = days_;
  auto lit = [&](size_t i) -> int64_t {
    return i < lit_days_.size() ? lit_days_[i] : int64_t{INT32_MIN};
  };
  auto valid = [&](size_t i) { return lit(i) != INT32_MIN; };
  switch (op_) {
    case Op::kWithinLast:
      return day >= today - n + 1 && day <= today;
    case Op::kWithinNext:
      return day >= today && day <= today + n - 1;
    case Op::kBeforeDaysAgo:
      return day < today - n;
    case Op::kAfterDaysAgo:
      return day > today - n;
    case Op::kBefore:
    case Op::kLt:
      return valid(0) && day < lit(0);
    case Op::kLe:
      return valid(0) && day <= lit(0);
    case Op::kAfter:
    case Op::kGt:
      return valid(0) && day > lit(0);
    case Op::kGe:
      return valid(0) && day >= lit(0);
    case Op::kOn:
    case Op::kEq:
      return valid(0) && day == lit(0);
    case Op::kNe:
      return valid(0) && day != lit(0);
    case Op::kBetween:
      return valid(0) && valid(1) && day >= lit(0) && day <= lit(1);
    case Op::kIn:
      for (size_t i = 0; i < lit_days_.size(); ++i) {
        if (valid(i) && day == lit(i)) return true;
      }
      return false;
    default:
      return false;
  }
}

bool FieldPred::MatchOrdered(const ValueView& v) const {
  auto cmp = [&](size_t i) { return Compare(v, lits_[i]); };
  if (lits_.empty() && op_ != Op::kIn) return false;
  switch (op_) {
    case Op::kEq:
      return cmp(0) == 0;
    case Op::kNe:
      return cmp(0) != 0;
    case Op::kLt:
      return cmp(0) < 0;
    case Op::kLe:
      return cmp(0) <= 0;
    case Op::kGt:
      return cmp(0) > 0;
    case Op::kGe:
      return cmp(0) >= 0;
    case Op::kIn:
      for (size_t i = 0; i < lits_.size(); ++i) {
        if (cmp(i) == 0) return true;
      }
      return false;
    case Op::kBetween:
      return lits_.size() == 2 && cmp(0) >= 0 && cmp(1) <= 0;
    case Op::kContains:
    case Op::kStartsWith: {
      if (v.kind != Kind::kText || lits_[0].k != Lit::K::kText) return false;
      const std::string& needle = lits_[0].text;
      if (op_ == Op::kContains) return ContainsIgnoreCase(v.text, needle);
      return v.text.size() >= needle.size() &&
             EqualsIgnoreCase(v.text.substr(0, needle.size()), needle);
    }
    default:
      return false;
  }
}

bool FieldPred::Match(const ValueView& v) const {
  if (op_ == Op::kIsSet) return v.kind != Kind::kUnset;
  if (op_ == Op::kIsNotSet) return v.kind == Kind::kUnset;
  if (v.kind == Kind::kUnset) return false;
  if (date_) {
    if (v.kind == Kind::kDay) return MatchDay(static_cast<int32_t>(v.num));
    if (v.kind == Kind::kText) {
      if (auto d = ParseDay(v.text)) return MatchDay(*d);
    }
    return false;
  }
  return MatchOrdered(v);
}

bool MatchName(Op op, const std::vector<Lit>& lits, std::string_view name) {
  ValueView v = TextValue(name);
  switch (op) {
    case Op::kEq:
    case Op::kIn:
      for (const Lit& l : lits) {
        if (Compare(v, l) == 0) return true;
      }
      return false;
    case Op::kNe:
      return !lits.empty() && Compare(v, lits[0]) != 0;
    default:
      return false;
  }
}

bool MatchProperty(Op op, const std::vector<Lit>& lits, const ValueView& v) {
  if (v.kind == Kind::kUnset) return false;
  switch (op) {
    case Op::kEq:
    case Op::kIn:
      for (const Lit& l : lits) {
        if (TypedEqual(v, l)) return true;
      }
      return false;
    case Op::kNe:
      return !lits.empty() && !TypedEqual(v, lits[0]);
    default:
      return false;
  }
}

bool MatchSum(const segments::Rule& rule, __int128 sum) {
  __int128 m = rule.bound.minor, hi = rule.bound.minor_hi;
  switch (rule.op) {
    case Op::kEq:
      return sum == m;
    case Op::kNe:
      return sum != m;
    case Op::kLt:
      return sum < m;
    case Op::kLe:
      return sum <= m;
    case Op::kGt:
      return sum > m;
    case Op::kGe:
      return sum >= m;
    case Op::kBetween:
      return sum >= m && sum <= hi;
    case Op::kIn:
      for (const auto& v : rule.values) {
        const auto* d = std::get_if<segments::Decimal>(&v);
        if (!d) continue;
        // Minor units are hundredths; a literal with more decimals matches only exactly.
        __int128 scaled = static_cast<__int128>(sum) * Pow10(d->scale);
        if (scaled == static_cast<__int128>(d->units) * 100) return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace rapport::engine
