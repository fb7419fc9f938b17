#include "segments/rule_json.h"

#include <boost/json.hpp>
#include <charconv>
#include <initializer_list>
#include <limits>
#include <variant>

#include "common/strings.h"

namespace rapport::segments {

// Defined in text.cpp: the literal spellings and limits both forms share.
namespace text_detail {
std::variant<Date, std::string> ParseDateText(std::string_view s);
std::string FormatDate(Date date);
bool IsIdent(std::string_view s);
bool IsReservedWord(std::string_view s);
bool IsValidPath(std::string_view s);
bool IsValidFilterKey(std::string_view key);
std::variant<Decimal, std::string> ParseDecimalText(std::string_view s);
std::string FormatDecimal(Decimal d);
std::string CheckDays(int64_t days);
std::string CheckBetweenOrder(const Literal& lo, const Literal& hi);
std::string TooLongMessage(size_t bytes);
std::string TooDeepMessage();
}  // namespace text_detail

namespace {

namespace json = boost::json;
using namespace text_detail;

// ---------------------------------------------------------------------------------------
// Encoding

json::value DecimalToJson(Decimal d) {
  const std::string text = FormatDecimal(d);
  if (text.find('.') == std::string::npos) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc() && end == text.data() + text.size()) return json::value(v);
  }
  // Correctly rounded, so the shortest round-trip spelling of the double is `text` again
  // (the parser keeps fractional numbers to 15 significant digits for this).
  double v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return json::value(v);
}

json::value LiteralToJson(const Literal& lit) {
  if (const auto* s = std::get_if<std::string>(&lit)) return json::value(*s);
  if (const auto* d = std::get_if<Decimal>(&lit)) return DecimalToJson(*d);
  if (const auto* b = std::get_if<bool>(&lit)) return json::value(*b);
  return json::object{{"date", FormatDate(std::get<Date>(lit))}};
}

enum class Operand { kNone, kValue, kValues, kDays };

Operand OperandOf(Op op) {
  switch (op) {
    case Op::kIn:
    case Op::kBetween:
      return Operand::kValues;
    case Op::kIsSet:
    case Op::kIsNotSet:
      return Operand::kNone;
    case Op::kWithinLast:
    case Op::kWithinNext:
    case Op::kBeforeDaysAgo:
    case Op::kAfterDaysAgo:
      return Operand::kDays;
    default:
      return Operand::kValue;
  }
}

void PutCondition(Op op, const std::vector<Literal>& values, int32_t days, json::object& o) {
  o["op"] = OpName(op);
  switch (OperandOf(op)) {
    case Operand::kNone:
      break;
    case Operand::kDays:
      o["days"] = days;
      break;
    case Operand::kValue:
      if (!values.empty()) o["value"] = LiteralToJson(values[0]);
      break;
    case Operand::kValues: {
      json::array a;
      for (const Literal& v : values) a.push_back(LiteralToJson(v));
      o["values"] = std::move(a);
      break;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Decoding

const char* Kind(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

std::string Quoted(std::string_view s) { return json::serialize(json::value(s)); }

std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// Where a comparison appears decides which operators and operands it may have.
enum class Ctx { kField, kDate, kAmount, kFilter };

bool Allowed(Ctx ctx, Op op) {
  switch (ctx) {
    case Ctx::kField:
      return true;
    case Ctx::kDate:
      return op == Op::kWithinLast || op == Op::kWithinNext || op == Op::kBeforeDaysAgo ||
             op == Op::kAfterDaysAgo || op == Op::kBefore || op == Op::kAfter || op == Op::kOn ||
             op == Op::kBetween;
    case Ctx::kAmount:
      return op == Op::kEq || op == Op::kNe || op == Op::kLt || op == Op::kLe || op == Op::kGt ||
             op == Op::kGe || op == Op::kBetween;
    case Ctx::kFilter:
      return op == Op::kEq || op == Op::kNe || op == Op::kIn;
  }
  return false;
}

std::string AllowedList(Ctx ctx) {
  std::string out;
  for (int i = 0; i <= static_cast<int>(Op::kOn); ++i) {
    const Op op = static_cast<Op>(i);
    if (!Allowed(ctx, op)) continue;
    if (!out.empty()) out += ", ";
    out += Quoted(OpName(op));
  }
  return out;
}

class Decoder {
 public:
  std::vector<RuleError> errors;

  std::optional<Rule> DecodeRule(const json::value& v, const std::string& path, int depth) {
    if (depth > kMaxRuleDepth) return Error(path, TooDeepMessage());
    const json::object* o = v.if_object();
    if (!o) return Error(path, std::string("expected a rule object, found ") + Kind(v));
    static constexpr std::string_view kKinds[] = {"and", "or",         "not",     "field",
                                                  "tag", "in_segment", "activity"};
    std::string_view kind;
    for (std::string_view k : kKinds) {
      if (!o->contains(k)) continue;
      if (!kind.empty()) {
        return Error(path,
                     "a rule has exactly one of \"and\", \"or\", \"not\", \"field\", "
                     "\"tag\", \"in_segment\" or \"activity\"; found both " +
                         Quoted(kind) + " and " + Quoted(k));
      }
      kind = k;
    }
    if (kind.empty()) {
      return Error(path,
                   "expected one of \"and\", \"or\", \"not\", \"field\", \"tag\", "
                   "\"in_segment\" or \"activity\" in the rule object");
    }
    if (kind == "and" || kind == "or") return DecodeGroup(*o, kind, path, depth);
    if (kind == "not") {
      const bool members_ok = CheckMembers(*o, path, {"not"});
      auto child = DecodeRule(o->at("not"), path + ".not", depth + 1);
      if (!child || !members_ok) return std::nullopt;
      Rule r;
      r.kind = Rule::Kind::kNot;
      r.children.push_back(std::move(*child));
      return r;
    }
    if (kind == "tag" || kind == "in_segment") {
      const bool members_ok = CheckMembers(*o, path, {kind});
      Rule r;
      r.kind = kind == "tag" ? Rule::Kind::kTag : Rule::Kind::kInSegment;
      auto name = GetText(*o, kind, path);
      if (!name || !members_ok) return std::nullopt;
      r.name = std::move(*name);
      return r;
    }
    if (kind == "field") return DecodeField(*o, path);
    return DecodeActivity(*o, path);
  }

 private:
  std::nullopt_t Error(const std::string& path, std::string msg) {
    errors.push_back({0, 0, path + ": " + std::move(msg)});
    return std::nullopt;
  }

  bool CheckMembers(const json::object& o, const std::string& path,
                    std::initializer_list<std::string_view> allowed) {
    bool ok = true;
    for (const auto& [key, value] : o) {
      bool known = false;
      for (std::string_view a : allowed) known = known || key == a;
      if (!known) {
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + Quoted(a);
        Error(path + "." + std::string(key),
              "unknown member " + Quoted(key) + "; this rule has " + list);
        ok = false;
      }
    }
    return ok;
  }

  // A string member that is valid UTF-8 without NUL (what a text-form string can hold).
  std::optional<std::string> GetText(const json::object& o, std::string_view key,
                                     const std::string& path) {
    const std::string where = path + "." + std::string(key);
    const json::value* v = o.if_contains(key);
    if (!v) return Error(path, "missing " + Quoted(key));
    const json::string* s = v->if_string();
    if (!s) return Error(where, std::string("expected a string, found ") + Kind(*v));
    if (!IsValidUtf8(*s)) return Error(where, "the string is not valid UTF-8");
    if (s->find('\0') != json::string::npos) {
      return Error(where, "strings cannot contain U+0000");
    }
    return std::string(*s);
  }

  std::optional<std::string> GetIdent(const json::object& o, std::string_view key,
                                      const std::string& path, const char* what) {
    auto s = GetText(o, key, path);
    if (!s) return std::nullopt;
    if (!IsIdent(*s)) {
      return Error(
          path + "." + std::string(key),
          "expected " + std::string(what) + " (letters, digits and _), found " + Quoted(*s));
    }
    return s;
  }

  std::optional<int32_t> DecodeDays(const json::value& v, const std::string& path) {
    if (v.is_uint64()) {
      return Error(path, "the number of days must be between 1 and 36600, found " +
                             std::to_string(v.get_uint64()));
    }
    if (!v.is_int64()) {
      return Error(path, std::string("expected a whole number of days, found ") + Kind(v));
    }
    if (std::string err = CheckDays(v.get_int64()); !err.empty()) return Error(path, err);
    return static_cast<int32_t>(v.get_int64());
  }

  std::optional<Date> DecodeDateString(const json::value& v, const std::string& path) {
    const json::string* s = v.if_string();
    if (!s) {
      return Error(path, std::string("expected a date \"YYYY-MM-DD\", found ") + Kind(v));
    }
    auto parsed = ParseDateText(*s);
    if (auto* err = std::get_if<std::string>(&parsed)) return Error(path, *err);
    return std::get<Date>(parsed);
  }

  std::optional<Literal> DecodeLiteral(const json::value& v, const std::string& path) {
    switch (v.kind()) {
      case json::kind::string: {
        const json::string& s = v.get_string();
        if (!IsValidUtf8(s)) return Error(path, "the string is not valid UTF-8");
        if (s.find('\0') != json::string::npos) {
          return Error(path, "strings cannot contain U+0000");
        }
        return Literal(std::string(s));
      }
      case json::kind::bool_:
        return Literal(v.get_bool());
      case json::kind::int64:
        return Literal(Decimal{v.get_int64(), 0});
      case json::kind::uint64:
        if (v.get_uint64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return Error(path, "number " + std::to_string(v.get_uint64()) + " is out of range");
        }
        return Literal(Decimal{static_cast<int64_t>(v.get_uint64()), 0});
      case json::kind::double_: {
        // The shortest spelling that reads back as the same double: what the sender wrote.
        char buf[400];
        auto [end, ec] =
            std::to_chars(buf, buf + sizeof buf, v.get_double(), std::chars_format::fixed);
        if (ec != std::errc()) return Error(path, "number out of range");
        auto parsed = ParseDecimalText(std::string_view(buf, end - buf));
        if (auto* err = std::get_if<std::string>(&parsed)) return Error(path, *err);
        return Literal(std::get<Decimal>(parsed));
      }
      case json::kind::object: {
        const json::object& o = v.get_object();
        if (o.size() == 1 && o.contains("date")) {
          auto d = DecodeDateString(o.at("date"), path + ".date");
          if (!d) return std::nullopt;
          return Literal(*d);
        }
        break;
      }
      default:
        break;
    }
    return Error(path, std::string("expected a string, number, true, false or ") +
                           "{\"date\": \"YYYY-MM-DD\"}, found " + Kind(v));
  }

  // Decodes "op" and its operand ("value", "values" or "days") as allowed in `ctx`.
  bool DecodeCondition(const json::object& o, const std::string& path, Ctx ctx,
                       const std::string& context, Op& op, std::vector<Literal>& values,
                       int32_t& days) {
    auto name = GetText(o, "op", path);
    if (!name) return false;
    auto parsed = ParseOpName(*name);
    if (!parsed) {
      Error(path + ".op",
            "unknown operator " + Quoted(*name) + "; expected one of " + AllowedList(ctx));
      return false;
    }
    op = *parsed;
    if (!Allowed(ctx, op)) {
      Error(path + ".op", "operator " + Quoted(*name) + " cannot be used " + context +
                              "; expected one of " + AllowedList(ctx));
      return false;
    }
    const Operand want = OperandOf(op);
    bool ok = true;
    const std::pair<const char*, Operand> members[] = {
        {"value", Operand::kValue}, {"values", Operand::kValues}, {"days", Operand::kDays}};
    for (const auto& [member, kind] : members) {
      if (kind != want && o.contains(member)) {
        Error(path + "." + member, "operator " + Quoted(*name) + " takes " +
                                       (want == Operand::kNone     ? std::string("no operand")
                                        : want == Operand::kValue  ? "\"value\""
                                        : want == Operand::kValues ? "\"values\""
                                                                   : "\"days\"") +
                                       ", not " + Quoted(member));
        ok = false;
      }
    }
    const std::string member = want == Operand::kValue    ? "value"
                               : want == Operand::kValues ? "values"
                                                          : "days";
    const json::value* v = want == Operand::kNone ? nullptr : o.if_contains(member);
    if (want != Operand::kNone && !v) {
      Error(path, "operator " + Quoted(*name) + " needs " + Quoted(member));
      return false;
    }
    const std::string where = path + "." + member;
    auto want_type = [&](const Literal& lit, const std::string& at) {
      const bool is_date = std::holds_alternative<Date>(lit);
      const bool date_needed =
          ctx == Ctx::kDate || op == Op::kBefore || op == Op::kAfter || op == Op::kOn;
      if (date_needed && !is_date) {
        Error(at, "expected a date {\"date\": \"YYYY-MM-DD\"}");
        return false;
      }
      if (ctx == Ctx::kAmount && !std::holds_alternative<Decimal>(lit)) {
        Error(at, "expected a number");
        return false;
      }
      if ((op == Op::kContains || op == Op::kStartsWith) &&
          !std::holds_alternative<std::string>(lit)) {
        Error(at, "expected a string");
        return false;
      }
      return true;
    };
    switch (want) {
      case Operand::kNone:
        break;
      case Operand::kDays: {
        auto n = DecodeDays(*v, where);
        if (!n) return false;
        days = *n;
        break;
      }
      case Operand::kValue: {
        auto lit = DecodeLiteral(*v, where);
        if (!lit) return false;
        if (!want_type(*lit, where)) return false;
        values.push_back(std::move(*lit));
        break;
      }
      case Operand::kValues: {
        const json::array* a = v->if_array();
        if (!a) {
          Error(where, std::string("expected an array, found ") + Kind(*v));
          return false;
        }
        if (op == Op::kBetween && a->size() != 2) {
          Error(where, "\"between\" takes exactly two values, found " + std::to_string(a->size()));
          return false;
        }
        if (a->empty()) {
          Error(where, "\"in\" takes at least one value");
          return false;
        }
        for (size_t i = 0; i < a->size(); ++i) {
          auto lit = DecodeLiteral((*a)[i], Index(where, i));
          if (!lit || !want_type(*lit, Index(where, i))) {
            ok = false;
            continue;
          }
          values.push_back(std::move(*lit));
        }
        if (ok && op == Op::kBetween) {
          if (std::string err = CheckBetweenOrder(values[0], values[1]); !err.empty()) {
            Error(where, err);
            ok = false;
          }
        }
        break;
      }
    }
    return ok;
  }

  std::optional<Rule> DecodeGroup(const json::object& o, std::string_view kind,
                                  const std::string& path, int depth) {
    const bool members_ok = CheckMembers(o, path, {kind});
    const std::string where = path + "." + std::string(kind);
    const json::array* a = o.at(kind).if_array();
    if (!a)
      return Error(where, std::string("expected an array of rules, found ") + Kind(o.at(kind)));
    if (a->empty()) return Error(where, "expected at least one rule");
    Rule r;
    r.kind = kind == "and" ? Rule::Kind::kAnd : Rule::Kind::kOr;
    bool ok = members_ok;
    for (size_t i = 0; i < a->size(); ++i) {
      auto child = DecodeRule((*a)[i], Index(where, i), depth + 1);
      if (!child) {
        ok = false;
        continue;
      }
      // The same normal form as the text parser: nested groups of one kind are one group.
      if (child->kind == r.kind) {
        for (Rule& c : child->children) r.children.push_back(std::move(c));
      } else {
        r.children.push_back(std::move(*child));
      }
    }
    if (!ok) return std::nullopt;
    // A one-rule group (the builder's first condition) is that rule.
    if (r.children.size() == 1) return std::move(r.children[0]);
    return r;
  }

  std::optional<Rule> DecodeField(const json::object& o, const std::string& path) {
    bool ok = CheckMembers(o, path, {"field", "anniversary", "op", "value", "values", "days"});
    Rule r;
    r.kind = Rule::Kind::kField;
    if (auto field = GetText(o, "field", path)) {
      if (IsValidPath(*field)) {
        r.field = std::move(*field);
      } else {
        const std::string first = field->substr(0, field->find('.'));
        Error(path + ".field",
              IsReservedWord(first) && IsValidPath("x." + *field)
                  ? Quoted(first) +
                        " is a keyword and cannot begin a field path; write "
                        "custom." +
                        *field
                  : "expected a field path such as \"email\" or \"company.custom.region\" "
                    "(names of letters, digits and _ joined by dots), found " +
                        Quoted(*field));
        ok = false;
      }
    } else {
      ok = false;
    }
    if (const json::value* a = o.if_contains("anniversary")) {
      if (a->is_bool()) {
        r.anniversary = a->get_bool();
      } else {
        Error(path + ".anniversary", std::string("expected true or false, found ") + Kind(*a));
        ok = false;
      }
    }
    const Ctx ctx = r.anniversary ? Ctx::kDate : Ctx::kField;
    if (!DecodeCondition(o, path, ctx, "with anniversary", r.op, r.values, r.days)) ok = false;
    if (!ok) return std::nullopt;
    return r;
  }

  std::optional<Window> DecodeWindow(const json::value& v, const std::string& path) {
    const json::object* o = v.if_object();
    if (!o) return Error(path, std::string("expected an object, found ") + Kind(v));
    Window w;
    if (o->contains("last_days")) {
      if (!CheckMembers(*o, path, {"last_days"})) return std::nullopt;
      auto n = DecodeDays(o->at("last_days"), path + ".last_days");
      if (!n) return std::nullopt;
      w.kind = Window::Kind::kLastDays;
      w.days = *n;
      return w;
    }
    if (!CheckMembers(*o, path, {"from", "to"})) return std::nullopt;
    if (!o->contains("from") || !o->contains("to")) {
      return Error(path,
                   "expected {\"last_days\": N} or {\"from\": \"YYYY-MM-DD\", \"to\": "
                   "\"YYYY-MM-DD\"}");
    }
    auto from = DecodeDateString(o->at("from"), path + ".from");
    auto to = DecodeDateString(o->at("to"), path + ".to");
    if (!from || !to) return std::nullopt;
    if (std::string err = CheckBetweenOrder(*from, *to); !err.empty()) return Error(path, err);
    w.kind = Window::Kind::kBetween;
    w.from = *from;
    w.to = *to;
    return w;
  }

  std::optional<Rule> DecodeActivity(const json::object& o, const std::string& path) {
    bool ok = CheckMembers(
        o, path,
        {"activity", "type", "attribute", "where", "window", "op", "value", "values", "days"});
    Rule r;
    r.kind = Rule::Kind::kActivity;
    std::optional<Aggregate> agg;
    if (auto name = GetText(o, "activity", path)) {
      agg = ParseAggregateName(*name);
      if (!agg) {
        Error(path + ".activity", "unknown aggregate " + Quoted(*name) +
                                      "; expected one of \"count\", \"sum\", \"exists\", "
                                      "\"first\" or \"last\"");
      }
    }
    if (!agg) ok = false;
    if (auto type = GetIdent(o, "type", path, "an activity type")) {
      r.activity_type = std::move(*type);
    } else {
      ok = false;
    }
    if (o.contains("attribute")) {
      if (auto attr = GetIdent(o, "attribute", path, "an attribute name")) {
        r.attribute = std::move(*attr);
      } else {
        ok = false;
      }
    }
    if (const json::value* where = o.if_contains("where")) {
      if (const json::array* a = where->if_array()) {
        for (size_t i = 0; i < a->size(); ++i) {
          auto f = DecodeFilter((*a)[i], Index(path + ".where", i));
          if (f) {
            r.filters.push_back(std::move(*f));
          } else {
            ok = false;
          }
        }
      } else {
        Error(path + ".where", std::string("expected an array of filters, found ") + Kind(*where));
        ok = false;
      }
    }
    if (const json::value* window = o.if_contains("window")) {
      if (auto w = DecodeWindow(*window, path + ".window")) {
        r.window = *w;
      } else {
        ok = false;
      }
    }
    if (!agg) return std::nullopt;
    r.aggregate = *agg;
    const std::string context = "with " + std::string(AggregateName(*agg)) + "()";
    if (*agg == Aggregate::kExists) {
      for (const char* m : {"op", "value", "values", "days"}) {
        if (o.contains(m)) {
          Error(path + "." + m, "exists() takes no comparison");
          ok = false;
        }
      }
    } else {
      const Ctx ctx =
          *agg == Aggregate::kCount || *agg == Aggregate::kSum ? Ctx::kAmount : Ctx::kDate;
      if (!DecodeCondition(o, path, ctx, context, r.op, r.values, r.days)) ok = false;
    }
    if (!ok) return std::nullopt;
    return r;
  }

  std::optional<ActivityFilter> DecodeFilter(const json::value& v, const std::string& path) {
    const json::object* o = v.if_object();
    if (!o) return Error(path, std::string("expected a filter object, found ") + Kind(v));
    bool ok = CheckMembers(*o, path, {"key", "op", "value", "values"});
    ActivityFilter f;
    if (auto key = GetText(*o, "key", path)) {
      if (IsValidFilterKey(*key)) {
        f.key = std::move(*key);
      } else {
        Error(path + ".key", "unknown filter key " + Quoted(*key) +
                                 "; expected \"channel\", \"currency\" or \"properties.NAME\"");
        ok = false;
      }
    } else {
      ok = false;
    }
    int32_t unused_days = 0;
    if (!DecodeCondition(*o, path, Ctx::kFilter, "in a filter", f.op, f.values, unused_days)) {
      ok = false;
    }
    if (!ok) return std::nullopt;
    return f;
  }
};

}  // namespace

json::value ToJson(const Rule& r) {
  using K = Rule::Kind;
  json::object o;
  switch (r.kind) {
    case K::kAnd:
    case K::kOr: {
      json::array a;
      for (const Rule& c : r.children) a.push_back(ToJson(c));
      o[r.kind == K::kAnd ? "and" : "or"] = std::move(a);
      break;
    }
    case K::kNot:
      o["not"] = r.children.empty() ? json::value() : ToJson(r.children[0]);
      break;
    case K::kTag:
      o["tag"] = r.name;
      break;
    case K::kInSegment:
      o["in_segment"] = r.name;
      break;
    case K::kField:
      o["field"] = r.field;
      if (r.anniversary) o["anniversary"] = true;
      PutCondition(r.op, r.values, r.days, o);
      break;
    case K::kActivity: {
      o["activity"] = AggregateName(r.aggregate);
      o["type"] = r.activity_type;
      if (!r.attribute.empty()) o["attribute"] = r.attribute;
      if (!r.filters.empty()) {
        json::array where;
        for (const ActivityFilter& f : r.filters) {
          json::object fo;
          fo["key"] = f.key;
          PutCondition(f.op, f.values, 0, fo);
          where.push_back(std::move(fo));
        }
        o["where"] = std::move(where);
      }
      if (r.window.kind == Window::Kind::kLastDays) {
        o["window"] = json::object{{"last_days", r.window.days}};
      } else if (r.window.kind == Window::Kind::kBetween) {
        o["window"] =
            json::object{{"from", FormatDate(r.window.from)}, {"to", FormatDate(r.window.to)}};
      }
      if (r.aggregate != Aggregate::kExists) PutCondition(r.op, r.values, r.days, o);
      break;
    }
  }
  return o;
}

Parsed FromJson(const json::value& v) {
  Decoder decoder;
  Parsed out;
  std::optional<Rule> rule = decoder.DecodeRule(v, "rule", 1);
  if (!decoder.errors.empty()) {
    out.errors = std::move(decoder.errors);
    return out;
  }
  if (const size_t n = ToText(*rule).size(); n > kMaxRuleTextBytes) {
    out.errors.push_back({0, 0, "rule: " + TooLongMessage(n) + " in text form"});
    return out;
  }
  out.rule = std::move(rule);
  return out;
}

}  // namespace rapport::segments
