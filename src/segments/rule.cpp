#include "segments/rule.h"

#include <array>
#include <utility>

namespace rapport::segments {

namespace {

constexpr std::array<std::pair<Op, const char*>, 19> kOpNames = {{
    {Op::kEq, "="},
    {Op::kNe, "!="},
    {Op::kLt, "<"},
    {Op::kLe, "<="},
    {Op::kGt, ">"},
    {Op::kGe, ">="},
    {Op::kIn, "in"},
    {Op::kBetween, "between"},
    {Op::kContains, "contains"},
    {Op::kStartsWith, "starts_with"},
    {Op::kIsSet, "is_set"},
    {Op::kIsNotSet, "is_not_set"},
    {Op::kWithinLast, "within_last"},
    {Op::kWithinNext, "within_next"},
    {Op::kBeforeDaysAgo, "before_days_ago"},
    {Op::kAfterDaysAgo, "after_days_ago"},
    {Op::kBefore, "before"},
    {Op::kAfter, "after"},
    {Op::kOn, "on"},
}};

constexpr std::array<std::pair<Aggregate, const char*>, 5> kAggregateNames = {{
    {Aggregate::kCount, "count"},
    {Aggregate::kSum, "sum"},
    {Aggregate::kExists, "exists"},
    {Aggregate::kFirst, "first"},
    {Aggregate::kLast, "last"},
}};

// "200.00" and "200" are the same number: the printer writes the minimal form, so equality
// of written rules has to compare values, not spellings.
Decimal Minimal(Decimal d) {
  if (d.units == 0) return {};
  while (d.scale > 0 && d.units % 10 == 0) {
    d.units /= 10;
    --d.scale;
  }
  return d;
}

bool SameLiteral(const Literal& a, const Literal& b) {
  if (a.index() != b.index()) return false;
  if (const auto* da = std::get_if<Decimal>(&a)) {
    return Minimal(*da) == Minimal(std::get<Decimal>(b));
  }
  return a == b;
}

bool SameLiterals(const std::vector<Literal>& a, const std::vector<Literal>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameLiteral(a[i], b[i])) return false;
  }
  return true;
}

bool SameFilter(const ActivityFilter& a, const ActivityFilter& b) {
  return a.key == b.key && a.op == b.op && SameLiterals(a.values, b.values);
}

}  // namespace

const char* OpName(Op op) {
  for (const auto& [o, name] : kOpNames) {
    if (o == op) return name;
  }
  return "?";
}

std::optional<Op> ParseOpName(std::string_view s) {
  for (const auto& [o, name] : kOpNames) {
    if (s == name) return o;
  }
  return std::nullopt;
}

const char* AggregateName(Aggregate a) {
  for (const auto& [g, name] : kAggregateNames) {
    if (g == a) return name;
  }
  return "?";
}

std::optional<Aggregate> ParseAggregateName(std::string_view s) {
  for (const auto& [g, name] : kAggregateNames) {
    if (s == name) return g;
  }
  return std::nullopt;
}

bool Rule::SameAs(const Rule& other) const {
  if (kind != other.kind || children.size() != other.children.size()) return false;
  if (field != other.field || anniversary != other.anniversary || op != other.op ||
      days != other.days || name != other.name || aggregate != other.aggregate ||
      activity_type != other.activity_type || attribute != other.attribute ||
      !(window == other.window) || filters.size() != other.filters.size() ||
      !SameLiterals(values, other.values)) {
    return false;
  }
  for (size_t i = 0; i < filters.size(); ++i) {
    if (!SameFilter(filters[i], other.filters[i])) return false;
  }
  for (size_t i = 0; i < children.size(); ++i) {
    if (!children[i].SameAs(other.children[i])) return false;
  }
  return true;
}

}  // namespace rapport::segments
