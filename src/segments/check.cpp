#include "segments/check.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <variant>

#include "accounts/company.h"
#include "activity/activity.h"
#include "contacts/contact.h"

namespace rapport::segments {
namespace {

constexpr int32_t kMinDays = 1;
constexpr int32_t kMaxDays = 36600;

struct StandardField {
  const char* name;
  ValueType type;
};

constexpr StandardField kContactFields[] = {
    {"email", ValueType::kText},           {"phone", ValueType::kText},
    {"first_name", ValueType::kText},      {"last_name", ValueType::kText},
    {"source", ValueType::kText},          {"external_id", ValueType::kText},
    {"timezone", ValueType::kText},        {"lifecycle_stage", ValueType::kEnum},
    {"birthday", ValueType::kDate},        {"created_at", ValueType::kTimestamp},
    {"updated_at", ValueType::kTimestamp}, {"owner_id", ValueType::kId},
    {"company_id", ValueType::kId},
};

constexpr StandardField kCompanyFields[] = {
    {"name", ValueType::kText},         {"domain", ValueType::kText},
    {"industry", ValueType::kText},     {"country", ValueType::kText},
    {"relationship", ValueType::kEnum}, {"size", ValueType::kNumber},
    {"owner_id", ValueType::kId},       {"created_at", ValueType::kTimestamp},
};

const char* TypeName(ValueType t) {
  switch (t) {
    case ValueType::kText:
      return "text";
    case ValueType::kNumber:
      return "number";
    case ValueType::kBoolean:
      return "boolean";
    case ValueType::kDate:
      return "date";
    case ValueType::kTimestamp:
      return "timestamp";
    case ValueType::kEnum:
      return "enum";
    case ValueType::kId:
      return "id";
  }
  return "?";
}

std::vector<Op> AllowedOps(ValueType t) {
  using enum Op;
  switch (t) {
    case ValueType::kText:
      return {kEq, kNe, kLt, kLe, kGt, kGe, kIn, kContains, kStartsWith, kIsSet, kIsNotSet};
    case ValueType::kEnum:
      return {kEq, kNe, kIn, kIsSet, kIsNotSet};
    case ValueType::kNumber:
    case ValueType::kId:
      return {kEq, kNe, kLt, kLe, kGt, kGe, kIn, kBetween, kIsSet, kIsNotSet};
    case ValueType::kBoolean:
      return {kEq, kNe, kIsSet, kIsNotSet};
    case ValueType::kDate:
      return {kEq,           kNe,         kLt,
              kLe,           kGt,         kGe,
              kWithinLast,   kWithinNext, kBeforeDaysAgo,
              kAfterDaysAgo, kBefore,     kAfter,
              kOn,           kBetween,    kIsSet,
              kIsNotSet};
    case ValueType::kTimestamp:
      return {kWithinLast, kWithinNext, kBeforeDaysAgo, kAfterDaysAgo, kBefore,
              kAfter,      kOn,         kBetween,       kIsSet,        kIsNotSet};
  }
  return {};
}

const std::vector<Op>& DateConditionOps() {
  using enum Op;
  static const std::vector<Op> kOps = {
      kWithinLast, kWithinNext, kBeforeDaysAgo, kAfterDaysAgo, kBefore, kAfter, kOn, kBetween};
  return kOps;
}

const std::vector<Op>& AggregateCompareOps() {
  using enum Op;
  static const std::vector<Op> kOps = {kEq, kNe, kLt, kLe, kGt, kGe, kBetween};
  return kOps;
}

bool Contains(const std::vector<Op>& ops, Op op) {
  return std::find(ops.begin(), ops.end(), op) != ops.end();
}

bool IsDaysOp(Op op) {
  return op == Op::kWithinLast || op == Op::kWithinNext || op == Op::kBeforeDaysAgo ||
         op == Op::kAfterDaysAgo;
}

std::string OpList(const std::vector<Op>& ops) {
  std::string out;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (i > 0) out += ", ";
    out += OpName(ops[i]);
  }
  return out;
}

template <typename Range>
std::string NameList(const Range& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

std::string Quoted(std::string_view s) {
  constexpr size_t kMaxShown = 60;
  std::string out = "\"";
  out += s.size() > kMaxShown ? std::string(s.substr(0, kMaxShown)) + "..." : std::string(s);
  return out + "\"";
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
  }
  return negative ? "-" + digits : digits;
}

std::string DateText(Date date) {
  // Civil date from days since 1970-01-01 (proleptic Gregorian).
  int64_t z = static_cast<int64_t>(date.days) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d));
  return buf;
}

std::string Describe(const Literal& lit) {
  if (const auto* s = std::get_if<std::string>(&lit)) return "the string " + Quoted(*s);
  if (const auto* d = std::get_if<Decimal>(&lit)) return "the number " + DecimalText(*d);
  if (const auto* b = std::get_if<bool>(&lit)) return *b ? "true" : "false";
  return "the date " + DateText(std::get<Date>(lit));
}

// "200.00" is 200: trailing zeros of the fraction say nothing about the value.
Decimal Minimal(Decimal d) {
  if (d.units == 0) return {};
  while (d.scale > 0 && d.units % 10 == 0) {
    d.units /= 10;
    --d.scale;
  }
  return d;
}

bool IsWholeNumber(const Literal& lit) {
  const auto* d = std::get_if<Decimal>(&lit);
  if (!d) return false;
  const Decimal m = Minimal(*d);
  return m.scale <= 0 && m.scale > -19;
}

bool IsPropertyName(std::string_view s) {
  if (s.empty()) return false;
  auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!start(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return start(c) || (c >= '0' && c <= '9'); });
}

// A field path resolved against the catalog, with what the checker needs beyond
// BoundField: the allowed values of an enum.
struct Resolved {
  BoundField field;
  std::vector<std::string> options;
  std::string shown;  // how messages name the field
};

class Checker {
 public:
  explicit Checker(const Catalog& catalog) : catalog_(catalog) {}

  void Visit(Rule& r, const std::string& path) {
    r.bound = {};
    switch (r.kind) {
      case Rule::Kind::kAnd:
      case Rule::Kind::kOr: {
        const char* member = r.kind == Rule::Kind::kAnd ? ".and[" : ".or[";
        for (size_t i = 0; i < r.children.size(); ++i) {
          Visit(r.children[i], path + member + std::to_string(i) + "]");
        }
        return;
      }
      case Rule::Kind::kNot:
        for (Rule& c : r.children) Visit(c, path + ".not");
        return;
      case Rule::Kind::kTag: {
        auto it = catalog_.tags.find(r.name);
        if (it == catalog_.tags.end()) {
          Error(r.pos, path + ".tag",
                "unknown tag " + Quoted(r.name) + "; expected an existing tag");
        } else {
          r.bound.id = it->second;
        }
        return;
      }
      case Rule::Kind::kInSegment: {
        auto it = catalog_.segments.find(r.name);
        if (it == catalog_.segments.end()) {
          Error(r.pos, path + ".in_segment",
                "unknown segment " + Quoted(r.name) + "; expected an existing segment");
        } else {
          r.bound.id = it->second.id;
        }
        return;
      }
      case Rule::Kind::kField:
        CheckField(r, path);
        return;
      case Rule::Kind::kActivity:
        CheckActivity(r, path);
        return;
    }
  }

  std::vector<RuleError> Take() {
    // Errors are collected node by node; a node's own errors carry its start position
    // while its filters carry theirs, so a stable sort restores source order.
    std::stable_sort(errors_.begin(), errors_.end(), [](const RuleError& a, const RuleError& b) {
      return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    return std::move(errors_);
  }

 private:
  // Text-form nodes carry a position; JSON-form nodes (line 0) name their JSON path.
  void Error(Pos pos, const std::string& json_path, std::string message) {
    if (pos.line == 0) message = json_path + ": " + message;
    errors_.push_back({pos.line, pos.column, std::move(message)});
  }

  static std::string ValuePath(const std::string& path, Op op, size_t i) {
    if (op == Op::kIn || op == Op::kBetween) return path + ".values[" + std::to_string(i) + "]";
    return path + ".value";
  }

  std::optional<Resolved> ResolveCustom(const std::map<std::string, fields::FieldDef>& defs,
                                        std::string_view key, FieldSource source) {
    auto it = defs.find(std::string(key));
    if (it == defs.end()) return std::nullopt;
    Resolved out;
    out.field.source = source;
    out.field.column = it->second.key;
    switch (it->second.type) {
      case fields::FieldType::kText:
        out.field.type = ValueType::kText;
        break;
      case fields::FieldType::kNumber:
        out.field.type = ValueType::kNumber;
        break;
      case fields::FieldType::kBoolean:
        out.field.type = ValueType::kBoolean;
        break;
      case fields::FieldType::kDate:
        out.field.type = ValueType::kDate;
        break;
      case fields::FieldType::kEnum:
        out.field.type = ValueType::kEnum;
        out.options = it->second.options;
        break;
    }
    return out;
  }

  static std::optional<Resolved> ResolveStandard(std::string_view name,
                                                 std::span<const StandardField> list,
                                                 FieldSource source) {
    for (const StandardField& f : list) {
      if (name != f.name) continue;
      Resolved out;
      out.field.source = source;
      out.field.column = f.name;
      out.field.type = f.type;
      if (f.type == ValueType::kEnum) {
        if (source == FieldSource::kContact) {
          for (const char* s : contacts::kLifecycleStages) out.options.push_back(s);
        } else {
          for (const char* s : accounts::kRelationships) out.options.push_back(s);
        }
      }
      return out;
    }
    return std::nullopt;
  }

  static std::string CustomKeys(const std::map<std::string, fields::FieldDef>& defs) {
    if (defs.empty()) return "none are defined";
    std::vector<std::string> keys;
    for (const auto& [k, _] : defs) keys.push_back(k);
    return "defined: " + NameList(keys);
  }

  // Returns the resolution, or the message saying what was found and what was expected.
  std::variant<Resolved, std::string> Resolve(const std::string& path) {
    constexpr std::string_view kCustom = "custom.";
    constexpr std::string_view kCompany = "company.";
    std::string_view p = path;
    if (p.starts_with(kCompany)) {
      std::string_view rest = p.substr(kCompany.size());
      if (rest.starts_with(kCustom)) {
        std::string_view key = rest.substr(kCustom.size());
        if (auto r = ResolveCustom(catalog_.company_fields, key, FieldSource::kCompanyCustom)) {
          return *r;
        }
        return "unknown company custom field " + Quoted(path) + "; expected one of the " +
               "workspace's company custom fields (" + CustomKeys(catalog_.company_fields) + ")";
      }
      if (auto r = ResolveStandard(rest, kCompanyFields, FieldSource::kCompany)) {
        return *r;
      }
      if (auto r = ResolveCustom(catalog_.company_fields, rest, FieldSource::kCompanyCustom)) {
        return *r;
      }
      std::vector<std::string> names;
      for (const auto& f : kCompanyFields) names.push_back(f.name);
      return "unknown company field " + Quoted(path) + "; expected a company field (" +
             NameList(names) + ") or company.custom.<key> (" + CustomKeys(catalog_.company_fields) +
             ")";
    }
    if (p.starts_with(kCustom)) {
      std::string_view key = p.substr(kCustom.size());
      if (auto r = ResolveCustom(catalog_.contact_fields, key, FieldSource::kContactCustom)) {
        return *r;
      }
      return "unknown custom field " + Quoted(path) + "; expected one of the workspace's " +
             "contact custom fields (" + CustomKeys(catalog_.contact_fields) + ")";
    }
    if (auto r = ResolveStandard(p, kContactFields, FieldSource::kContact)) {
      return *r;
    }
    if (auto r = ResolveCustom(catalog_.contact_fields, p, FieldSource::kContactCustom)) {
      return *r;
    }
    if (std::find(catalog_.scores.begin(), catalog_.scores.end(), path) != catalog_.scores.end()) {
      Resolved r;
      r.field.source = FieldSource::kScore;
      r.field.column = path;
      r.field.type = ValueType::kNumber;
      return r;
    }
    std::vector<std::string> names;
    for (const auto& f : kContactFields) names.push_back(f.name);
    return "unknown field " + Quoted(path) + "; expected a contact field (" + NameList(names) +
           "), custom.<key>, company.<field> or a score";
  }

  // Checks the operand count and, for day-count operators, the number of days.
  bool CheckArity(const Rule& r, const std::string& path, const std::string& what) {
    size_t want_min = 1, want_max = 1;
    if (r.op == Op::kIsSet || r.op == Op::kIsNotSet || IsDaysOp(r.op)) {
      want_min = want_max = 0;
    } else if (r.op == Op::kIn) {
      want_max = SIZE_MAX;
    } else if (r.op == Op::kBetween) {
      want_min = want_max = 2;
    }
    const size_t n = r.values.size();
    if (n < want_min || n > want_max) {
      std::string expected = want_max == 0          ? "no values"
                             : want_max == SIZE_MAX ? "one or more values"
                             : want_min == 2        ? "two values"
                                                    : "one value";
      Error(r.pos, path + ".op",
            what + " " + OpName(r.op) + " takes " + expected + "; found " + std::to_string(n));
      return false;
    }
    if (IsDaysOp(r.op) && (r.days < kMinDays || r.days > kMaxDays)) {
      Error(r.pos, path + ".days",
            "the number of days must be between 1 and 36600, found " + std::to_string(r.days));
      return false;
    }
    return true;
  }

  void CheckField(Rule& r, const std::string& path) {
    auto resolved = Resolve(r.field);
    if (auto* msg = std::get_if<std::string>(&resolved)) {
      Error(r.pos, path + ".field", *msg);
      return;
    }
    Resolved& f = std::get<Resolved>(resolved);
    const std::string what = TypeName(f.field.type) + std::string(" field ") + Quoted(r.field);
    if (r.anniversary) {
      if (f.field.type != ValueType::kDate) {
        Error(r.pos, path + ".field",
              "anniversary(...) needs a date field; found " + std::string(TypeName(f.field.type)) +
                  " field " + Quoted(r.field));
        return;
      }
      if (r.op != Op::kWithinLast && r.op != Op::kWithinNext) {
        Error(r.pos, path + ".op",
              std::string("anniversary(...) takes within_last or within_next N days; found ") +
                  OpName(r.op));
        return;
      }
    }
    const std::vector<Op> allowed = AllowedOps(f.field.type);
    if (!Contains(allowed, r.op)) {
      Error(r.pos, path + ".op",
            std::string("operator ") + OpName(r.op) + " does not apply to " + what +
                "; expected one of: " + OpList(allowed));
      return;
    }
    if (!CheckArity(r, path, what)) return;
    bool ok = true;
    for (size_t i = 0; i < r.values.size(); ++i) {
      if (std::string msg = CheckFieldLiteral(f, r.values[i]); !msg.empty()) {
        Error(r.pos, ValuePath(path, r.op, i), msg + " for " + what);
        ok = false;
      }
    }
    if (!ok) return;
    f.field.anniversary =
        r.anniversary || (f.field.source == FieldSource::kContact && f.field.column == "birthday" &&
                          (r.op == Op::kWithinLast || r.op == Op::kWithinNext));
    r.bound.field = std::move(f.field);
  }

  // Returns "" when the literal fits the field, else "expected X; found Y".
  static std::string CheckFieldLiteral(const Resolved& f, const Literal& lit) {
    switch (f.field.type) {
      case ValueType::kText:
        if (std::holds_alternative<std::string>(lit)) return "";
        return "expected a string; found " + Describe(lit);
      case ValueType::kEnum: {
        const auto* s = std::get_if<std::string>(&lit);
        if (s && std::find(f.options.begin(), f.options.end(), *s) != f.options.end()) return "";
        return "expected one of: " + NameList(f.options) + "; found " + Describe(lit);
      }
      case ValueType::kNumber:
        if (std::holds_alternative<Decimal>(lit)) return "";
        return "expected a number; found " + Describe(lit);
      case ValueType::kId:
        if (IsWholeNumber(lit)) return "";
        return "expected a whole number (an id); found " + Describe(lit);
      case ValueType::kBoolean:
        if (std::holds_alternative<bool>(lit)) return "";
        return "expected true or false; found " + Describe(lit);
      case ValueType::kDate:
      case ValueType::kTimestamp:
        if (std::holds_alternative<Date>(lit)) return "";
        return "expected a date (YYYY-MM-DD); found " + Describe(lit);
    }
    return "unsupported field type";
  }

  bool KnownActivityType(const std::string& type) const {
    for (const char* t : activity::kBuiltInTypes) {
      if (type == t) return true;
    }
    return std::find(catalog_.custom_activity_types.begin(), catalog_.custom_activity_types.end(),
                     type) != catalog_.custom_activity_types.end();
  }

  void CheckActivity(Rule& r, const std::string& path) {
    const std::string agg = AggregateName(r.aggregate) + std::string("(...)");
    if (!KnownActivityType(r.activity_type)) {
      std::string custom = catalog_.custom_activity_types.empty()
                               ? "none are defined"
                               : NameList(catalog_.custom_activity_types);
      Error(r.pos, path + ".type",
            "unknown activity type " + Quoted(r.activity_type) + "; expected a built-in type (" +
                NameList(activity::kBuiltInTypes) + ") or a custom type (" + custom + ")");
    }
    if (r.aggregate == Aggregate::kSum) {
      if (r.attribute.empty()) {
        Error(r.pos, path + ".attribute",
              "sum(...) needs the attribute to add up: sum(" + r.activity_type + ".amount)");
      } else if (r.attribute != "amount") {
        Error(r.pos, path + ".attribute",
              "unknown attribute " + Quoted(r.attribute) + " for sum(...); expected \"amount\"");
      }
    } else if (!r.attribute.empty()) {
      Error(r.pos, path + ".attribute", agg + " takes no attribute; found " + Quoted(r.attribute));
    }
    if (r.window.kind == Window::Kind::kLastDays &&
        (r.window.days < kMinDays || r.window.days > kMaxDays)) {
      Error(
          r.pos, path + ".window",
          "the number of days must be between 1 and 36600, found " + std::to_string(r.window.days));
    }
    CheckComparisonOfAggregate(r, path, agg);
    for (size_t i = 0; i < r.filters.size(); ++i) {
      CheckFilter(r.filters[i], path + ".where[" + std::to_string(i) + "]");
    }
  }

  void CheckComparisonOfAggregate(Rule& r, const std::string& path, const std::string& agg) {
    switch (r.aggregate) {
      case Aggregate::kExists:
        if (!r.values.empty()) {
          Error(
              r.pos, path + ".op",
              agg + " takes no comparison; found " + std::to_string(r.values.size()) + " value(s)");
        }
        return;
      case Aggregate::kFirst:
      case Aggregate::kLast: {
        if (!Contains(DateConditionOps(), r.op)) {
          Error(r.pos, path + ".op",
                std::string("operator ") + OpName(r.op) + " does not apply to " + agg +
                    "; expected a date condition: " + OpList(DateConditionOps()));
          return;
        }
        if (!CheckArity(r, path, agg)) return;
        for (size_t i = 0; i < r.values.size(); ++i) {
          if (!std::holds_alternative<Date>(r.values[i])) {
            Error(r.pos, ValuePath(path, r.op, i),
                  "expected a date (YYYY-MM-DD); found " + Describe(r.values[i]) + " for " + agg);
          }
        }
        return;
      }
      case Aggregate::kCount:
      case Aggregate::kSum:
        break;
    }
    if (!Contains(AggregateCompareOps(), r.op)) {
      Error(r.pos, path + ".op",
            std::string("operator ") + OpName(r.op) + " does not apply to " + agg +
                "; expected one of: " + OpList(AggregateCompareOps()));
      return;
    }
    if (!CheckArity(r, path, agg)) return;
    for (size_t i = 0; i < r.values.size(); ++i) {
      const Literal& lit = r.values[i];
      const std::string at = ValuePath(path, r.op, i);
      if (r.aggregate == Aggregate::kCount) {
        if (!IsWholeNumber(lit) || std::get<Decimal>(lit).units < 0) {
          Error(r.pos, at,
                "count(...) compares with a whole number of activities (0 or more); found " +
                    Describe(lit));
        }
        continue;
      }
      const auto* d = std::get_if<Decimal>(&lit);
      if (!d) {
        Error(r.pos, at, "sum(...) compares with an amount; found " + Describe(lit));
        continue;
      }
      const Decimal m = Minimal(*d);
      if (m.scale > 2) {
        Error(r.pos, at, "amounts have at most 2 decimal places; found " + DecimalText(*d));
        continue;
      }
      __int128 minor = m.units;
      for (int s = m.scale; s < 2; ++s) minor *= 10;
      if (minor > INT64_MAX || minor < INT64_MIN) {
        Error(r.pos, at, "the amount " + DecimalText(*d) + " is too large");
        continue;
      }
      (i == 0 ? r.bound.minor : r.bound.minor_hi) = static_cast<int64_t>(minor);
    }
  }

  void CheckFilter(const ActivityFilter& f, const std::string& path) {
    constexpr std::string_view kProps = "properties.";
    const bool channel = f.key == "channel", currency = f.key == "currency";
    const bool property = f.key.starts_with(kProps);
    if (!channel && !currency && !property) {
      Error(
          f.pos, path + ".key",
          "unknown filter " + Quoted(f.key) + "; expected channel, currency or properties.<name>");
      return;
    }
    if (property && !IsPropertyName(std::string_view(f.key).substr(kProps.size()))) {
      Error(f.pos, path + ".key",
            "invalid property name in " + Quoted(f.key) +
                "; expected letters, digits and _ (not starting with a digit)");
      return;
    }
    if (f.op != Op::kEq && f.op != Op::kNe && f.op != Op::kIn) {
      Error(f.pos, path + ".op",
            std::string("operator ") + OpName(f.op) + " does not apply to the filter " +
                Quoted(f.key) + "; expected one of: =, !=, in");
      return;
    }
    const bool list = f.op == Op::kIn;
    if (list ? f.values.empty() : f.values.size() != 1) {
      Error(f.pos, path + ".op",
            std::string("filter ") + Quoted(f.key) + " " + OpName(f.op) + " takes " +
                (list ? "one or more values" : "one value") + "; found " +
                std::to_string(f.values.size()));
      return;
    }
    if (property) return;
    for (size_t i = 0; i < f.values.size(); ++i) {
      const std::string at = list ? path + ".values[" + std::to_string(i) + "]" : path + ".value";
      const auto* s = std::get_if<std::string>(&f.values[i]);
      if (channel) {
        const bool known =
            s && std::any_of(std::begin(activity::kChannels), std::end(activity::kChannels),
                             [&](const char* c) { return *s == c; });
        if (!known) {
          Error(f.pos, at,
                "expected a channel (" + NameList(activity::kChannels) + "); found " +
                    Describe(f.values[i]));
        }
      } else if (!s || !activity::IsCurrency(*s)) {
        Error(f.pos, at,
              "expected an ISO 4217 currency code in upper case (\"EUR\"); found " +
                  Describe(f.values[i]));
      }
    }
  }

  const Catalog& catalog_;
  std::vector<RuleError> errors_;
};

}  // namespace

std::vector<RuleError> Check(Rule& rule, const Catalog& catalog) {
  Checker checker(catalog);
  checker.Visit(rule, "rule");
  return checker.Take();
}

}  // namespace rapport::segments
