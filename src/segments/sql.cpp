#include "segments/sql.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string_view>

#include "common/clock.h"

namespace rapport::segments {
namespace {

using store::Dialect;

// Standard columns a rule may name; the compiler only ever splices these identifiers.
constexpr std::string_view kContactColumns[] = {
    "email",       "phone",    "first_name",      "last_name", "source",
    "external_id", "timezone", "lifecycle_stage", "birthday",  "created_at",
    "updated_at",  "owner_id", "company_id"};
constexpr std::string_view kCompanyColumns[] = {"name",         "domain", "industry", "country",
                                                "relationship", "size",   "owner_id", "created_at"};

constexpr std::string_view kUpper = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'";
constexpr std::string_view kLower = "'abcdefghijklmnopqrstuvwxyz'";

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year;
  int month, day;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Stored dates are "YYYY-MM-DD" within years 0001..9999, so clamping a computed bound into
// 0000-01-01..9999-12-31 keeps every comparison's outcome while the text stays
// fixed-width (and therefore ordered like the days it names).
std::string DateString(int64_t day) {
  static const int64_t kMin = DaysFromCivil(0, 1, 1);
  static const int64_t kMax = DaysFromCivil(9999, 12, 31);
  const Civil c = CivilFromDays(std::clamp(day, kMin, kMax));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d", static_cast<long long>(c.year), c.month,
                c.day);
  return buf;
}

std::string MonthDay(const Civil& c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d-%02d", c.month, c.day);
  return buf;
}

Decimal Minimal(Decimal d) {
  if (d.units == 0) return {};
  while (d.scale > 0 && d.units % 10 == 0) {
    d.units /= 10;
    --d.scale;
  }
  return d;
}

std::string DecimalText(Decimal d) {
  const bool negative = d.units < 0;
  const unsigned long long mag = negative ? 0ULL - static_cast<unsigned long long>(d.units)
                                          : static_cast<unsigned long long>(d.units);
  std::string digits = std::to_string(mag);
  if (d.scale > 0) {
    const size_t scale = static_cast<size_t>(d.scale);
    if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, ".");
  } else if (d.scale < 0) {
    digits.append(static_cast<size_t>(-d.scale), '0');
  }
  return negative ? "-" + digits : digits;
}

// The integer a whole-number literal names, if it fits in 64 bits.
std::optional<int64_t> WholeValue(Decimal d) {
  d = Minimal(d);
  if (d.scale > 0 || d.scale < -18) return std::nullopt;
  __int128 v = d.units;
  for (int s = d.scale; s < 0; ++s) v *= 10;
  if (v > INT64_MAX || v < INT64_MIN) return std::nullopt;
  return static_cast<int64_t>(v);
}

// Inclusive day bounds; an absent bound is open.
struct DayRange {
  std::optional<int64_t> lo, hi;
};

const Date* DateAt(const std::vector<Literal>& values, size_t i) {
  return i < values.size() ? std::get_if<Date>(&values[i]) : nullptr;
}

// The days a date condition (or a kDate comparison) accepts, per rule.h.
std::optional<DayRange> RangeOf(Op op, const std::vector<Literal>& values, int32_t days,
                                int64_t today) {
  const Date* d0 = DateAt(values, 0);
  const Date* d1 = DateAt(values, 1);
  switch (op) {
    case Op::kWithinLast:
      return DayRange{today - days + 1, today};
    case Op::kWithinNext:
      return DayRange{today, today + days - 1};
    case Op::kBeforeDaysAgo:
      return DayRange{std::nullopt, today - days - 1};
    case Op::kAfterDaysAgo:
      return DayRange{today - days + 1, std::nullopt};
    default:
      break;
  }
  if (!d0) return std::nullopt;
  const int64_t d = d0->days;
  switch (op) {
    case Op::kBefore:
    case Op::kLt:
      return DayRange{std::nullopt, d - 1};
    case Op::kLe:
      return DayRange{std::nullopt, d};
    case Op::kAfter:
    case Op::kGt:
      return DayRange{d + 1, std::nullopt};
    case Op::kGe:
      return DayRange{d, std::nullopt};
    case Op::kOn:
    case Op::kEq:
      return DayRange{d, d};
    case Op::kBetween:
      if (!d1) return std::nullopt;
      return DayRange{d, d1->days};
    default:
      return std::nullopt;
  }
}

bool Compare(__int128 v, Op op, int64_t a, int64_t b) {
  switch (op) {
    case Op::kEq:
      return v == a;
    case Op::kNe:
      return v != a;
    case Op::kLt:
      return v < a;
    case Op::kLe:
      return v <= a;
    case Op::kGt:
      return v > a;
    case Op::kGe:
      return v >= a;
    case Op::kBetween:
      return v >= a && v <= b;
    default:
      return false;
  }
}

const char* CompareSql(Op op) {
  switch (op) {
    case Op::kEq:
      return " = ";
    case Op::kNe:
      return " != ";
    case Op::kLt:
      return " < ";
    case Op::kLe:
      return " <= ";
    case Op::kGt:
      return " > ";
    case Op::kGe:
      return " >= ";
    default:
      return nullptr;
  }
}

Status NotChecked(std::string what) {
  return InvalidArgument("the rule is not checked: " + std::move(what));
}

bool IsKeyName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// How a field reads inside the predicate: `set` is a never-NULL test that the value is
// present (and, for custom values, of the field's JSON kind); `value` is only read where
// `set` holds, so comparisons on it are never NULL either.
struct Access {
  std::string set, value;
  bool jsonb_number = false;  // PostgreSQL custom number: compared as jsonb with to_jsonb()
};

class Compiler {
 public:
  Compiler(Dialect dialect, WorkspaceId ws, int32_t today, int first_param)
      : dialect_(dialect), ws_(ws), today_(today), next_(first_param) {}

  Result<std::string> Compile(const Rule& r) {
    switch (r.kind) {
      case Rule::Kind::kAnd:
      case Rule::Kind::kOr: {
        if (r.children.empty()) return std::string(r.kind == Rule::Kind::kAnd ? "1 = 1" : "1 = 0");
        std::string out = "(";
        for (size_t i = 0; i < r.children.size(); ++i) {
          if (i > 0) out += r.kind == Rule::Kind::kAnd ? " AND " : " OR ";
          ASSIGN_OR_RETURN(std::string c, Compile(r.children[i]));
          out += c;
        }
        return out + ")";
      }
      case Rule::Kind::kNot: {
        if (r.children.size() != 1) return NotChecked("\"not\" needs exactly one condition");
        ASSIGN_OR_RETURN(std::string c, Compile(r.children[0]));
        return "(NOT (" + c + "))";
      }
      case Rule::Kind::kTag:
        return "c.id IN (SELECT ct.contact_id FROM contact_tags ct WHERE ct.tag_id = " +
               Int(r.bound.id) + ")";
      case Rule::Kind::kInSegment:
        return "c.id IN (SELECT sm.contact_id FROM segment_members sm WHERE sm.segment_id = " +
               Int(r.bound.id) + ")";
      case Rule::Kind::kField:
        return Field(r);
      case Rule::Kind::kActivity:
        return Activity(r);
    }
    return NotChecked("unknown node kind");
  }

  store::Params TakeParams() { return std::move(params_); }

 private:
  bool pg() const { return dialect_ == Dialect::kPostgres; }

  // Every user value goes through here: a placeholder, never the value's text. On
  // PostgreSQL the placeholder carries its type so the server never has to guess.
  std::string Bind(store::Value v, std::string_view pg_type) {
    params_.push_back(std::move(v));
    std::string p = "$" + std::to_string(next_++);
    if (pg()) p += "::" + std::string(pg_type);
    return p;
  }
  std::string Text(std::string s) { return Bind(std::move(s), "text"); }
  std::string Int(int64_t v) { return Bind(v, "bigint"); }
  std::string Ws() {
    if (ws_param_.empty()) ws_param_ = Int(ws_.value);
    return ws_param_;
  }

  // A number literal: exact decimal text on PostgreSQL (numeric), an integer or the
  // nearest double on SQLite (which compares integers and reals by value).
  std::string Number(Decimal d, bool jsonb) {
    if (pg()) {
      std::string p = Bind(DecimalText(Minimal(d)), "numeric");
      return jsonb ? "to_jsonb(" + p + ")" : p;
    }
    if (auto w = WholeValue(d)) return Bind(*w, "");
    return Bind(std::strtod(DecimalText(d).c_str(), nullptr), "");
  }

  std::string Ordered(const std::string& p) const { return pg() ? p + " COLLATE \"C\"" : p; }

  std::string Fold(const std::string& e) const {
    if (!pg()) return "lower(" + e + ")";
    return "translate(" + e + ", " + std::string(kUpper) + ", " + std::string(kLower) + ")";
  }

  // `col >= lo*day AND col < (hi+1)*day` on microsecond timestamps, exact at the int64
  // limits (a bound beyond them is either always or never met).
  std::string MicrosRange(const std::string& col, const DayRange& range) {
    // Before binding anything: an unused parameter would be left unbound.
    if (range.lo && range.hi && *range.lo > *range.hi) return "1 = 0";
    std::vector<std::string> parts;
    if (range.lo) {
      const __int128 lo = static_cast<__int128>(*range.lo) * kMicrosPerDay;
      if (lo > INT64_MAX) return "1 = 0";
      if (lo > INT64_MIN) parts.push_back(col + " >= " + Int(static_cast<int64_t>(lo)));
    }
    if (range.hi) {
      const __int128 hi = (static_cast<__int128>(*range.hi) + 1) * kMicrosPerDay;
      if (hi <= INT64_MIN) return "1 = 0";
      if (hi <= INT64_MAX) parts.push_back(col + " < " + Int(static_cast<int64_t>(hi)));
    }
    if (parts.empty()) return "1 = 1";
    std::string out = parts[0];
    for (size_t i = 1; i < parts.size(); ++i) out += " AND " + parts[i];
    return out;
  }

  std::string DateStringRange(const std::string& col, const DayRange& range) {
    if (range.lo && range.hi && *range.lo > *range.hi) return "1 = 0";
    std::vector<std::string> parts;
    if (range.lo) parts.push_back(col + " >= " + Ordered(Text(DateString(*range.lo))));
    if (range.hi) parts.push_back(col + " <= " + Ordered(Text(DateString(*range.hi))));
    if (parts.empty()) return "1 = 1";
    return parts.size() == 1 ? parts[0] : parts[0] + " AND " + parts[1];
  }

  // The month-days whose yearly anniversary falls in [lo, hi]; 29 February counts as 28
  // February in common years. Empty optional when every month-day qualifies.
  static std::optional<std::set<std::string>> AnniversaryDays(int64_t lo, int64_t hi) {
    std::set<std::string> out;
    // Any 800 consecutive days cover all 366 month-days, so longer windows stop early.
    for (int64_t d = lo; d <= hi && d < lo + 800; ++d) {
      const Civil c = CivilFromDays(d);
      out.insert(MonthDay(c));
      if (c.month == 2 && c.day == 28 && !IsLeap(c.year)) out.insert("02-29");
    }
    if (out.size() == 366) return std::nullopt;
    return out;
  }

  Result<Access> AccessFor(const BoundField& f, const std::string& table) {
    Access a;
    if (f.source == FieldSource::kContact || f.source == FieldSource::kCompany) {
      const bool contact = f.source == FieldSource::kContact;
      const auto* begin = contact ? std::begin(kContactColumns) : std::begin(kCompanyColumns);
      const auto* end = contact ? std::end(kContactColumns) : std::end(kCompanyColumns);
      if (std::find(begin, end, f.column) == end) return NotChecked("unknown column " + f.column);
      a.value = table + "." + f.column;
      a.set = a.value + " IS NOT NULL";
      return a;
    }
    if (!IsKeyName(f.column)) return NotChecked("invalid custom field key");
    const std::string doc = table + ".custom";
    if (pg()) {
      const std::string key = Text(f.column);
      const char* kind = f.type == ValueType::kNumber    ? "number"
                         : f.type == ValueType::kBoolean ? "boolean"
                                                         : "string";
      a.set = "COALESCE(jsonb_typeof(" + doc + " -> " + key + "), '') = '" + kind + "'";
      if (f.type == ValueType::kNumber) {
        a.value = "(" + doc + " -> " + key + ")";
        a.jsonb_number = true;
      } else {
        a.value = "(" + doc + " ->> " + key + ")";
      }
      return a;
    }
    const std::string path = Text("$.\"" + f.column + "\"");
    const std::string type = "COALESCE(json_type(" + doc + ", " + path + "), '')";
    switch (f.type) {
      case ValueType::kNumber:
        a.set = type + " IN ('integer', 'real')";
        a.value = "json_extract(" + doc + ", " + path + ")";
        break;
      case ValueType::kBoolean:
        a.set = type + " IN ('true', 'false')";
        a.value = "json_type(" + doc + ", " + path + ")";
        break;
      default:
        a.set = type + " = 'text'";
        a.value = "json_extract(" + doc + ", " + path + ")";
        break;
    }
    return a;
  }

  // The comparison part of a field condition, read only where the value is set.
  Result<std::string> FieldCondition(const Rule& r, const Access& a) {
    const BoundField& f = r.bound.field;
    const std::string& v = a.value;
    switch (f.type) {
      case ValueType::kText:
      case ValueType::kEnum: {
        auto str = [&](size_t i) -> Result<std::string> {
          const auto* s = i < r.values.size() ? std::get_if<std::string>(&r.values[i]) : nullptr;
          if (!s) return NotChecked("text field compared with a non-string");
          return Text(*s);
        };
        if (r.op == Op::kIn) return InList(r, v, str);
        if (r.op == Op::kContains || r.op == Op::kStartsWith) {
          ASSIGN_OR_RETURN(std::string p, str(0));
          const std::string pos = pg() ? "strpos(" + Fold(v) + ", " + Fold(p) + ")"
                                       : "instr(" + Fold(v) + ", " + Fold(p) + ")";
          return pos + (r.op == Op::kContains ? " > 0" : " = 1");
        }
        const char* cmp = CompareSql(r.op);
        if (!cmp) return NotChecked("operator on a text field");
        ASSIGN_OR_RETURN(std::string p, str(0));
        const bool ordering = r.op != Op::kEq && r.op != Op::kNe;
        return v + cmp + (ordering ? Ordered(p) : p);
      }
      case ValueType::kNumber:
      case ValueType::kId: {
        const bool id = f.type == ValueType::kId;
        auto num = [&](size_t i) -> Result<std::string> {
          const auto* d = i < r.values.size() ? std::get_if<Decimal>(&r.values[i]) : nullptr;
          if (!d) return NotChecked("number field compared with a non-number");
          if (id) {
            auto w = WholeValue(*d);
            if (!w) return NotChecked("id compared with a fraction");
            return Int(*w);
          }
          return Number(*d, a.jsonb_number);
        };
        if (r.op == Op::kIn) return InList(r, v, num);
        if (r.op == Op::kBetween) {
          ASSIGN_OR_RETURN(std::string lo, num(0));
          ASSIGN_OR_RETURN(std::string hi, num(1));
          return v + " >= " + lo + " AND " + v + " <= " + hi;
        }
        const char* cmp = CompareSql(r.op);
        if (!cmp) return NotChecked("operator on a number field");
        ASSIGN_OR_RETURN(std::string p, num(0));
        return v + cmp + p;
      }
      case ValueType::kBoolean: {
        const auto* b = r.values.empty() ? nullptr : std::get_if<bool>(&r.values[0]);
        if (!b || (r.op != Op::kEq && r.op != Op::kNe)) return NotChecked("boolean comparison");
        const bool want = r.op == Op::kEq ? *b : !*b;
        return v + " = " + Text(want ? "true" : "false");
      }
      case ValueType::kDate: {
        if (f.anniversary) {
          if (r.op != Op::kWithinLast && r.op != Op::kWithinNext) {
            return NotChecked("anniversary without within last/next");
          }
          const int64_t lo = r.op == Op::kWithinLast ? today_ - r.days + 1 : today_;
          const int64_t hi = r.op == Op::kWithinLast ? today_ : today_ + r.days - 1;
          if (lo > hi) return std::string("1 = 0");
          auto days = AnniversaryDays(lo, hi);
          if (!days) return std::string("1 = 1");
          std::string out = "substr(" + v + ", 6, 5) IN (";
          bool first = true;
          for (const std::string& md : *days) {
            if (!first) out += ", ";
            first = false;
            out += Text(md);
          }
          return out + ")";
        }
        if (r.op == Op::kNe) {
          const Date* d = DateAt(r.values, 0);
          if (!d) return NotChecked("date field compared with a non-date");
          return v + " != " + Text(DateString(d->days));
        }
        auto range = RangeOf(r.op, r.values, r.days, today_);
        if (!range) return NotChecked("operator on a date field");
        return DateStringRange(v, *range);
      }
      case ValueType::kTimestamp: {
        auto range = RangeOf(r.op, r.values, r.days, today_);
        if (!range || r.op == Op::kEq || r.op == Op::kLt || r.op == Op::kLe || r.op == Op::kGt ||
            r.op == Op::kGe) {
          return NotChecked("operator on a timestamp field");
        }
        return MicrosRange(v, *range);
      }
    }
    return NotChecked("field type");
  }

  template <typename F>
  Result<std::string> InList(const Rule& r, const std::string& v, F&& literal) {
    if (r.values.empty()) return NotChecked("\"in\" without values");
    std::string out = v + " IN (";
    for (size_t i = 0; i < r.values.size(); ++i) {
      ASSIGN_OR_RETURN(std::string p, literal(i));
      out += (i > 0 ? ", " : "") + p;
    }
    return out + ")";
  }

  Result<std::string> Field(const Rule& r) {
    const BoundField& f = r.bound.field;
    if (f.source == FieldSource::kScore) return FailedPrecondition("scores are not available yet");
    const bool company =
        f.source == FieldSource::kCompany || f.source == FieldSource::kCompanyCustom;
    const std::string ws = company ? Ws() : "";
    ASSIGN_OR_RETURN(Access a, AccessFor(f, company ? "co" : "c"));
    std::string inner;
    if (r.op == Op::kIsSet || r.op == Op::kIsNotSet) {
      inner = a.set;
    } else {
      ASSIGN_OR_RETURN(std::string cond, FieldCondition(r, a));
      inner = "(" + a.set + " AND " + cond + ")";
    }
    if (company) {
      // No company (or one outside the workspace) leaves every company field unset.
      inner =
          "(c.company_id IS NOT NULL AND c.company_id IN (SELECT co.id FROM companies co "
          "WHERE co.workspace_id = " +
          ws + " AND " + inner + "))";
    }
    return r.op == Op::kIsNotSet ? "(NOT (" + inner + "))" : inner;
  }

  // One activity filter as a WHERE term over `activities a`.
  Result<std::string> Filter(const ActivityFilter& f) {
    constexpr std::string_view kProps = "properties.";
    if (f.values.empty()) return NotChecked("filter without values");
    if (f.key == "channel" || f.key == "currency") {
      const std::string col = "a." + f.key;
      std::vector<std::string> ps;
      for (const Literal& l : f.values) {
        const auto* s = std::get_if<std::string>(&l);
        if (!s) return NotChecked("channel/currency filter with a non-string");
        ps.push_back(Text(*s));
      }
      if (f.op == Op::kIn) {
        std::string out = col + " IN (";
        for (size_t i = 0; i < ps.size(); ++i) out += (i > 0 ? ", " : "") + ps[i];
        return out + ")";
      }
      if (f.op == Op::kEq) return col + " = " + ps[0];
      if (f.op == Op::kNe) return "(" + col + " IS NOT NULL AND " + col + " != " + ps[0] + ")";
      return NotChecked("filter operator");
    }
    if (!f.key.starts_with(kProps) || !IsKeyName(std::string_view(f.key).substr(kProps.size()))) {
      return NotChecked("filter key");
    }
    const std::string name = f.key.substr(kProps.size());
    std::string type, value, present;
    if (pg()) {
      const std::string key = Text(name);
      type = "jsonb_typeof(a.properties -> " + key + ")";
      value = "(a.properties ->> " + key + ")";
      present = "COALESCE(" + type + ", 'null') != 'null'";
      auto eq = [&](const Literal& l) -> std::string {
        if (const auto* s = std::get_if<std::string>(&l)) {
          return "(" + type + " = 'string' AND " + value + " = " + Text(*s) + ")";
        }
        if (const auto* d = std::get_if<Date>(&l)) {
          return "(" + type + " = 'string' AND " + value + " = " + Text(DateString(d->days)) + ")";
        }
        if (const auto* b = std::get_if<bool>(&l)) {
          return "(" + type + " = 'boolean' AND " + value + " = " + Text(*b ? "true" : "false") +
                 ")";
        }
        return "(a.properties -> " + key + ") = " + Number(std::get<Decimal>(l), true);
      };
      return PropertyTerm(f, present, eq);
    }
    const std::string path = Text("$.\"" + name + "\"");
    type = "json_type(a.properties, " + path + ")";
    value = "json_extract(a.properties, " + path + ")";
    present = "COALESCE(" + type + ", 'null') != 'null'";
    auto eq = [&](const Literal& l) -> std::string {
      if (const auto* s = std::get_if<std::string>(&l)) {
        return "(" + type + " = 'text' AND " + value + " = " + Text(*s) + ")";
      }
      if (const auto* d = std::get_if<Date>(&l)) {
        return "(" + type + " = 'text' AND " + value + " = " + Text(DateString(d->days)) + ")";
      }
      if (const auto* b = std::get_if<bool>(&l)) return type + " = " + Text(*b ? "true" : "false");
      return "(" + type + " IN ('integer', 'real') AND " + value + " = " +
             Number(std::get<Decimal>(l), false) + ")";
    };
    return PropertyTerm(f, present, eq);
  }

  template <typename Eq>
  Result<std::string> PropertyTerm(const ActivityFilter& f, const std::string& present, Eq&& eq) {
    switch (f.op) {
      case Op::kEq:
        return eq(f.values[0]);
      case Op::kNe:
        return "(" + present + " AND NOT " + eq(f.values[0]) + ")";
      case Op::kIn: {
        std::string out = "(";
        for (size_t i = 0; i < f.values.size(); ++i) out += (i > 0 ? " OR " : "") + eq(f.values[i]);
        return out + ")";
      }
      default:
        return NotChecked("filter operator");
    }
  }

  Result<std::string> Activity(const Rule& r) {
    if (r.activity_type.empty()) return NotChecked("activity without a type");
    // Placeholders are numbered in the order they are bound: one bind per statement keeps
    // them in text order too.
    std::string where = "a.workspace_id = " + Ws();
    where += " AND a.contact_id IS NOT NULL AND a.type = " + Text(r.activity_type);
    if (r.window.kind == Window::Kind::kLastDays) {
      where += " AND " + MicrosRange("a.occurred_at", DayRange{today_ - r.window.days + 1, today_});
    } else if (r.window.kind == Window::Kind::kBetween) {
      where +=
          " AND " + MicrosRange("a.occurred_at", DayRange{r.window.from.days, r.window.to.days});
    }
    for (const ActivityFilter& f : r.filters) {
      ASSIGN_OR_RETURN(std::string term, Filter(f));
      where += " AND " + term;
    }
    const std::string from = "SELECT a.contact_id FROM activities a WHERE " + where;
    if (r.aggregate == Aggregate::kExists) return "c.id IN (" + from + ")";

    std::string having;
    bool zero_matches = false;
    if (r.aggregate == Aggregate::kFirst || r.aggregate == Aggregate::kLast) {
      auto range = RangeOf(r.op, r.values, r.days, today_);
      if (!range || r.op == Op::kEq || r.op == Op::kLt || r.op == Op::kLe || r.op == Op::kGt ||
          r.op == Op::kGe) {
        return NotChecked("first/last without a date condition");
      }
      having = MicrosRange(
          r.aggregate == Aggregate::kFirst ? "min(a.occurred_at)" : "max(a.occurred_at)", *range);
    } else {
      const bool count = r.aggregate == Aggregate::kCount;
      int64_t lo = 0, hi = 0;
      if (count) {
        for (size_t i = 0; i < r.values.size() && i < 2; ++i) {
          const auto* d = std::get_if<Decimal>(&r.values[i]);
          auto w = d ? WholeValue(*d) : std::nullopt;
          if (!w) return NotChecked("count compared with a non-integer");
          (i == 0 ? lo : hi) = *w;
        }
      } else {
        lo = r.bound.minor;
        hi = r.bound.minor_hi;
      }
      const size_t want = r.op == Op::kBetween ? 2 : 1;
      if (r.values.size() != want || (r.op != Op::kBetween && !CompareSql(r.op))) {
        return NotChecked("count/sum comparison");
      }
      const std::string agg = count ? "count(*)" : "COALESCE(sum(a.amount), 0)";
      if (r.op == Op::kBetween) {
        having = agg + " >= " + Int(lo);
        having += " AND " + agg + " <= " + Int(hi);
      } else {
        having = agg + CompareSql(r.op) + Int(lo);
      }
      // A contact without matching activities has count 0 and sum 0.
      zero_matches = Compare(0, r.op, lo, hi);
    }
    const std::string grouped = from + " GROUP BY a.contact_id HAVING ";
    if (zero_matches) return "c.id NOT IN (" + grouped + "NOT (" + having + "))";
    return "c.id IN (" + grouped + having + ")";
  }

  Dialect dialect_;
  WorkspaceId ws_;
  int64_t today_;
  int next_;
  store::Params params_;
  std::string ws_param_;
};

}  // namespace

Result<SqlPredicate> CompileSql(const Rule& checked, store::Dialect dialect, WorkspaceId ws,
                                int32_t today, int first_param) {
  Compiler compiler(dialect, ws, today, first_param);
  ASSIGN_OR_RETURN(std::string sql, compiler.Compile(checked));
  return SqlPredicate{std::move(sql), compiler.TakeParams()};
}

Result<SqlPredicate> CompileMembersQuery(const Rule& checked, store::Dialect dialect,
                                         WorkspaceId ws, int32_t today) {
  ASSIGN_OR_RETURN(SqlPredicate pred, CompileSql(checked, dialect, ws, today, 2));
  SqlPredicate out;
  out.sql = "SELECT c.id FROM contacts c WHERE c.workspace_id = " +
            std::string(dialect == Dialect::kPostgres ? "$1::bigint" : "$1") + " AND (" + pred.sql +
            ") ORDER BY c.id";
  out.params.reserve(pred.params.size() + 1);
  out.params.push_back(ws.value);
  for (auto& p : pred.params) out.params.push_back(std::move(p));
  return out;
}

}  // namespace rapport::segments
