// The segment rule language: one tree (Rule) with a text form and an equivalent JSON form.
// Parsing produces an unchecked tree; Check() (check.h) resolves names against a workspace's
// catalog and fills each node's `bound` part. Both evaluators — the SQL compiler and the
// in-memory engine — read only checked trees, and they must agree on every rule, so the
// semantics below are the contract (docs/segment-language.md is the user-facing version):
//
// - Two-valued logic: a comparison with an unset field is false (also for `!=`); `not`
//   is the plain complement. `is not set` selects the unset ones.
// - Days are UTC days; `today` is the UTC day of the evaluation time.
//   `last N days` / `within last N days` = days [today-N+1, today];
//   `within next N days` = [today, today+N-1]; `before N days ago` = day < today-N;
//   `after N days ago` = day > today-N; `before D` = day < D; `after D` = day > D;
//   `on D` = day == D; date `between A and B` = [A, B].
// - `birthday` with within last/next, and `anniversary(date field)`, match the yearly
//   anniversary (month and day); a 29 February date matches 28 February in common years.
// - Text `=`/`!=`/`in`/`<`... compare exactly (bytes); `contains`/`starts_with` ignore ASCII
//   case.
// - Money is exact: amount literals are decimals in major units with at most 2 decimal
//   places, compared as integer minor units (x100) against integer sums.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace rapport::segments {

// Where a node came from in the text form (1-based); line 0 when it came from JSON.
struct Pos {
  int line = 0, column = 0;
  friend bool operator==(const Pos&, const Pos&) = default;
};

// An exact decimal: value = units / 10^scale. "200.00" is {20000, 2}; printed minimally.
struct Decimal {
  int64_t units = 0;
  int scale = 0;
  friend bool operator==(const Decimal&, const Decimal&) = default;
};

// A calendar date as days since 1970-01-01.
struct Date {
  int32_t days = 0;
  friend bool operator==(const Date&, const Date&) = default;
};

using Literal = std::variant<std::string, Decimal, bool, Date>;

enum class Op {
  // Comparisons (fields, count/sum results, activity filters).
  kEq, kNe, kLt, kLe, kGt, kGe,
  kIn,          // values: one or more
  kBetween,     // values: exactly two, inclusive
  kContains,    // text
  kStartsWith,  // text
  kIsSet,
  kIsNotSet,
  // Date conditions (date fields, first()/last()); `days` or values[0..1] hold the operand.
  kWithinLast,    // days
  kWithinNext,    // days
  kBeforeDaysAgo, // days
  kAfterDaysAgo,  // days
  kBefore,        // values[0]: Date
  kAfter,         // values[0]: Date
  kOn,            // values[0]: Date
  // kBetween with two Dates is the absolute date range.
};

enum class Aggregate { kCount, kSum, kExists, kFirst, kLast };

// The type of a field or expression once resolved by the checker.
enum class ValueType { kText, kNumber, kBoolean, kDate, kTimestamp, kEnum, kId };

// Which stored thing a field path names (filled by the checker).
enum class FieldSource {
  kContact,         // a column of contacts: `column`
  kContactCustom,   // contacts.custom JSON: key in `column`
  kCompany,         // a column of the contact's company
  kCompanyCustom,   // the company's custom JSON
  kScore,           // reserved for per-contact scores (churn risk, CLV); none exist yet
};

struct BoundField {
  FieldSource source = FieldSource::kContact;
  std::string column;  // column name or custom key
  ValueType type = ValueType::kText;
  bool anniversary = false;  // match month/day yearly (birthday within..., anniversary(...))
};

// A filter inside an activity condition: channel, currency or properties.<key>.
struct ActivityFilter {
  std::string key;  // "channel", "currency" or "properties.<name>"
  Op op = Op::kEq;  // kEq, kNe or kIn
  std::vector<Literal> values;
  Pos pos;
  friend bool operator==(const ActivityFilter&, const ActivityFilter&) = default;
};

struct Window {
  enum class Kind { kAllTime, kLastDays, kBetween };
  Kind kind = Kind::kAllTime;
  int32_t days = 0;  // kLastDays
  Date from, to;     // kBetween, inclusive
  friend bool operator==(const Window&, const Window&) = default;
};

struct Rule {
  enum class Kind { kAnd, kOr, kNot, kField, kTag, kInSegment, kActivity };
  Kind kind = Kind::kAnd;
  Pos pos;

  std::vector<Rule> children;  // kAnd, kOr (two or more), kNot (exactly one)

  // kField: `field` is a path ("email", "custom.tier", "company.relationship",
  // "company.custom.region", or a bare custom key). `anniversary` is set when written as
  // anniversary(field). The comparison is `op` with `values` / `days`.
  // kActivity: `op`/`values`/`days` compare the aggregate's result (count/sum: a
  // comparison; first/last: a date condition; exists: unused).
  std::string field;
  bool anniversary = false;
  Op op = Op::kEq;
  std::vector<Literal> values;
  int32_t days = 0;

  // kTag: tag name; kInSegment: segment name. Stored in `name`.
  std::string name;

  // kActivity.
  Aggregate aggregate = Aggregate::kCount;
  std::string activity_type;  // "purchase", or a registered custom type
  std::string attribute;      // sum(): "amount"
  std::vector<ActivityFilter> filters;
  Window window;

  // Filled by Check(); evaluators read only these and the operands above.
  struct Bound {
    BoundField field;      // kField
    int64_t id = 0;        // kTag: tag id; kInSegment: segment id
    int64_t minor = 0;     // kActivity sum with one operand: the literal in minor units
    int64_t minor_hi = 0;  // ... and the upper bound of `between`
  } bound;

  // Structural equality of the written rule (positions and bound parts are ignored).
  bool SameAs(const Rule& other) const;
};

// A parse, decode or check error. Text-form errors name line and column (1-based) and say
// what was found and what was expected; JSON-form errors have line 0 and name the JSON
// path in the message (`rule.and[2].op`).
struct RuleError {
  int line = 0, column = 0;
  std::string message;
};

const char* OpName(Op op);  // JSON spelling: "=", "!=", "<", ..., "in", "within_last", ...
std::optional<Op> ParseOpName(std::string_view s);
const char* AggregateName(Aggregate a);  // "count", "sum", "exists", "first", "last"
std::optional<Aggregate> ParseAggregateName(std::string_view s);

}  // namespace rapport::segments
