#include "segments/rule_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace rapport::segments {
namespace {

namespace json = boost::json;

Rule Text(std::string_view text) {
  Parsed p = ParseText(text);
  EXPECT_TRUE(p.rule) << text << ": " << (p.errors.empty() ? "" : p.errors[0].message);
  return p.rule ? *p.rule : Rule{};
}

json::value J(std::string_view s) {
  json::parse_options options;
  options.max_depth = 1000;
  return json::parse(s, {}, options);
}

Rule Decode(std::string_view s) {
  Parsed p = FromJson(J(s));
  EXPECT_TRUE(p.rule) << s << ": " << (p.errors.empty() ? "" : p.errors[0].message);
  return p.rule ? *p.rule : Rule{};
}

std::vector<std::string> Errors(std::string_view s) {
  Parsed p = FromJson(J(s));
  EXPECT_FALSE(p.rule) << s;
  std::vector<std::string> out;
  for (const RuleError& e : p.errors) {
    EXPECT_EQ(e.line, 0);
    EXPECT_EQ(e.column, 0);
    out.push_back(e.message);
  }
  return out;
}

TEST(ToJson, ShapeOfEveryNode) {
  const std::pair<const char*, const char*> cases[] = {
      {"tag \"vip\"", R"({"tag":"vip"})"},
      {"in_segment(\"newsletter\")", R"({"in_segment":"newsletter"})"},
      {"email contains \"gmail\"", R"({"field":"email","op":"contains","value":"gmail"})"},
      {"email starts_with \"jo\"", R"({"field":"email","op":"starts_with","value":"jo"})"},
      {"lifecycle_stage in (\"customer\", \"advocate\")",
       R"({"field":"lifecycle_stage","op":"in","values":["customer","advocate"]})"},
      {"score between 1 and 2.5", R"({"field":"score","op":"between","values":[1,2.5]})"},
      {"d between 2024-01-01 and 2024-12-31",
       R"({"field":"d","op":"between","values":[{"date":"2024-01-01"},{"date":"2024-12-31"}]})"},
      {"phone is set", R"({"field":"phone","op":"is_set"})"},
      {"phone is not set", R"({"field":"phone","op":"is_not_set"})"},
      {"vip = true", R"({"field":"vip","op":"=","value":true})"},
      {"churn_risk > 0.7", R"({"field":"churn_risk","op":">","value":0.7})"},
      {"x != -3", R"({"field":"x","op":"!=","value":-3})"},
      {"x <= 19.90", R"({"field":"x","op":"<=","value":19.9})"},
      {"x < 200.00", R"({"field":"x","op":"<","value":200})"},
      {"x >= 2024-01-01", R"({"field":"x","op":">=","value":{"date":"2024-01-01"}})"},
      {"birthday within next 7 days", R"({"field":"birthday","op":"within_next","days":7})"},
      {"x within last 3 days", R"({"field":"x","op":"within_last","days":3})"},
      {"x before 180 days ago", R"({"field":"x","op":"before_days_ago","days":180})"},
      {"x after 2 days ago", R"({"field":"x","op":"after_days_ago","days":2})"},
      {"x before 2024-01-01", R"({"field":"x","op":"before","value":{"date":"2024-01-01"}})"},
      {"x after 2024-01-01", R"({"field":"x","op":"after","value":{"date":"2024-01-01"}})"},
      {"x on 2024-01-01", R"({"field":"x","op":"on","value":{"date":"2024-01-01"}})"},
      {"anniversary(custom.wed) within next 30 days",
       R"({"field":"custom.wed","anniversary":true,"op":"within_next","days":30})"},
      {"count(purchase, last 365 days) >= 3",
       R"({"activity":"count","type":"purchase","window":{"last_days":365},"op":">=","value":3})"},
      {"count(web_visit where channel = \"web\", last 7 days) >= 2",
       R"({"activity":"count","type":"web_visit","where":[{"key":"channel","op":"=","value":"web"}],"window":{"last_days":7},"op":">=","value":2})"},
      {"sum(purchase.amount, between 2024-01-01 and 2024-12-31) > 200.00",
       R"({"activity":"sum","type":"purchase","attribute":"amount","window":{"from":"2024-01-01","to":"2024-12-31"},"op":">","value":200})"},
      {"sum(purchase.amount) between 10 and 20",
       R"({"activity":"sum","type":"purchase","attribute":"amount","op":"between","values":[10,20]})"},
      {"exists(email_opened, last 30 days)",
       R"({"activity":"exists","type":"email_opened","window":{"last_days":30}})"},
      {"last(purchase) before 180 days ago",
       R"({"activity":"last","type":"purchase","op":"before_days_ago","days":180})"},
      {"first(purchase where properties.sku in (\"a\", 2)) on 2024-02-29",
       R"({"activity":"first","type":"purchase","where":[{"key":"properties.sku","op":"in","values":["a",2]}],"op":"on","value":{"date":"2024-02-29"}})"},
      {"a = 1 and b = 2",
       R"({"and":[{"field":"a","op":"=","value":1},{"field":"b","op":"=","value":2}]})"},
      {"a = 1 or not b = 2",
       R"({"or":[{"field":"a","op":"=","value":1},{"not":{"field":"b","op":"=","value":2}}]})"},
  };
  for (const auto& [text, want] : cases) {
    const json::value got = ToJson(Text(text));
    EXPECT_EQ(got, J(want)) << text << "\n  got " << json::serialize(got);
    Rule back = Decode(want);
    EXPECT_TRUE(back.SameAs(Text(text))) << text;
    EXPECT_EQ(ToText(back), ToText(Text(text)));
  }
}

TEST(ToJson, DecimalsAreExactNumbers) {
  EXPECT_TRUE(ToJson(Text("x = 19.99")).at("value").is_double());
  EXPECT_EQ(ToJson(Text("x = 19.99")).at("value").get_double(), 19.99);
  EXPECT_TRUE(ToJson(Text("x = 200.00")).at("value").is_int64());
  EXPECT_EQ(ToJson(Text("x = -9223372036854775808")).at("value").get_int64(),
            std::numeric_limits<int64_t>::min());
  // Through serialized JSON (as the API sends it) and back: still exactly 19.99.
  const json::value reread = J(json::serialize(ToJson(Text("x = 19.99"))));
  Rule r = Decode(json::serialize(reread));
  EXPECT_EQ(r.values[0], Literal(Decimal{1999, 2}));
  EXPECT_EQ(ToText(r), "x = 19.99");
  EXPECT_EQ(ToText(Decode(R"({"field":"x","op":"=","value":0.1})")), "x = 0.1");
  EXPECT_EQ(ToText(Decode(R"({"field":"x","op":"=","value":1e2})")), "x = 100");
  EXPECT_EQ(ToText(Decode(R"({"field":"x","op":"=","value":-0.0})")), "x = 0");
  EXPECT_EQ(ToText(Decode(R"({"field":"x","op":"=","value":123456789012.345})")),
            "x = 123456789012.345");
  EXPECT_EQ(ToText(Decode(R"({"field":"x","op":"=","value":9223372036854775807})")),
            "x = 9223372036854775807");
}

TEST(FromJson, NormalisesGroupsLikeTheTextParser) {
  Rule nested =
      Decode(R"({"and":[{"and":[{"tag":"a"},{"tag":"b"}]},{"tag":"c"},{"or":[{"tag":"d"}]}]})");
  EXPECT_EQ(ToText(nested), "tag \"a\" and tag \"b\" and tag \"c\" and tag \"d\"");
  EXPECT_TRUE(nested.SameAs(Text("tag \"a\" and tag \"b\" and tag \"c\" and tag \"d\"")));
  Rule single = Decode(R"({"or":[{"tag":"a"}]})");
  EXPECT_EQ(single.kind, Rule::Kind::kTag);
  EXPECT_FALSE(Decode(R"({"field":"d","anniversary":false,"op":"is_set"})").anniversary);
  EXPECT_EQ(
      Decode(R"({"activity":"count","type":"p","where":[],"op":">","value":1})").filters.size(),
      0u);
}

TEST(FromJson, ErrorsNameTheJsonPath) {
  const std::pair<const char*, const char*> cases[] = {
      {R"([])", "rule: expected a rule object, found an array"},
      {R"({})",
       "rule: expected one of \"and\", \"or\", \"not\", \"field\", \"tag\", \"in_segment\" or "
       "\"activity\" in the rule object"},
      {R"({"tag":"a","field":"b"})",
       "rule: a rule has exactly one of \"and\", \"or\", \"not\", \"field\", \"tag\", "
       "\"in_segment\" or \"activity\"; found both \"field\" and \"tag\""},
      {R"({"and":[{"tag":"a"},{"tag":"b"},{"field":"x","op":"==","value":1}]})",
       "rule.and[2].op: unknown operator \"==\"; expected one of \"=\", \"!=\", \"<\", \"<=\", "
       "\">\", \">=\", \"in\", \"between\", \"contains\", \"starts_with\", \"is_set\", "
       "\"is_not_set\", \"within_last\", \"within_next\", \"before_days_ago\", "
       "\"after_days_ago\", \"before\", \"after\", \"on\""},
      {R"({"and":[]})", "rule.and: expected at least one rule"},
      {R"({"or":{"tag":"a"}})", "rule.or: expected an array of rules, found an object"},
      {R"({"not":{"tag":1}})", "rule.not.tag: expected a string, found a number"},
      {R"({"tag":"a","extra":1})", "rule.extra: unknown member \"extra\"; this rule has \"tag\""},
      {R"({"field":"x","op":"="})", "rule: operator \"=\" needs \"value\""},
      {R"({"field":"x","value":1})", "rule: missing \"op\""},
      {R"({"field":"x","op":"=","value":1,"values":[1]})",
       "rule.values: operator \"=\" takes \"value\", not \"values\""},
      {R"({"field":"x","op":"is_set","value":1})",
       "rule.value: operator \"is_set\" takes no operand, not \"value\""},
      {R"({"field":"x","op":"in","values":[]})", "rule.values: \"in\" takes at least one value"},
      {R"({"field":"x","op":"between","values":[1]})",
       "rule.values: \"between\" takes exactly two values, found 1"},
      {R"({"field":"x","op":"between","values":[3,2]})",
       "rule.values: the range is empty: 3 is greater than 2"},
      {R"({"field":"x","op":"in","values":[1,null]})",
       "rule.values[1]: expected a string, number, true, false or {\"date\": \"YYYY-MM-DD\"}, "
       "found null"},
      {R"({"field":"x","op":"contains","value":5})", "rule.value: expected a string"},
      {R"({"field":"x","op":"before","value":"2024-01-01"})",
       "rule.value: expected a date {\"date\": \"YYYY-MM-DD\"}"},
      {R"({"field":"x","op":"=","value":{"date":"2023-02-29"}})",
       "rule.value.date: invalid date \"2023-02-29\": that month has 28 days"},
      {R"({"field":"x","op":"=","value":{"date":"2023-02-28","x":1}})",
       "rule.value: expected a string, number, true, false or {\"date\": \"YYYY-MM-DD\"}, "
       "found an object"},
      {R"({"field":"x","op":"within_last","days":0})",
       "rule.days: the number of days must be between 1 and 36600, found 0"},
      {R"({"field":"x","op":"within_last","days":36601})",
       "rule.days: the number of days must be between 1 and 36600, found 36601"},
      {R"({"field":"x","op":"within_last","days":1.5})",
       "rule.days: expected a whole number of days, found a number"},
      {R"({"field":"x","op":"within_last","days":18446744073709551615})",
       "rule.days: the number of days must be between 1 and 36600, found 18446744073709551615"},
      {R"({"field":"x","op":"=","value":9223372036854775808})",
       "rule.value: number 9223372036854775808 is out of range"},
      {R"({"field":"x","op":"=","value":1e300})",
       "rule.value: number \"1000000000000000052504760255204420248704...\" is out of range (at "
       "most 9223372036854775807 without the decimal point)"},
      {R"({"field":"x","op":"=","value":0.30000000000000004})",
       "rule.value: number \"0.30000000000000004\" is too precise: a number with a fractional "
       "part has at most 15 significant digits and 15 decimal places"},
      {R"({"field":"","op":"is_set"})",
       "rule.field: expected a field path such as \"email\" or \"company.custom.region\" "
       "(names of letters, digits and _ joined by dots), found \"\""},
      {R"({"field":"a..b","op":"is_set"})",
       "rule.field: expected a field path such as \"email\" or \"company.custom.region\" "
       "(names of letters, digits and _ joined by dots), found \"a..b\""},
      {R"({"field":"count","op":"is_set"})",
       "rule.field: \"count\" is a keyword and cannot begin a field path; write custom.count"},
      {R"({"field":"x","anniversary":"yes","op":"is_set"})",
       "rule.anniversary: expected true or false, found a string"},
      {R"({"field":"x","anniversary":true,"op":"=","value":1})",
       "rule.op: operator \"=\" cannot be used with anniversary; expected one of "
       "\"between\", \"within_last\", \"within_next\", \"before_days_ago\", "
       "\"after_days_ago\", \"before\", \"after\", \"on\""},
      {R"({"activity":"avg","type":"purchase","op":">","value":1})",
       "rule.activity: unknown aggregate \"avg\"; expected one of \"count\", \"sum\", "
       "\"exists\", \"first\" or \"last\""},
      {R"({"activity":"count","type":"web visit","op":">","value":1})",
       "rule.type: expected an activity type (letters, digits and _), found \"web visit\""},
      {R"({"activity":"count","op":">","value":1})", "rule: missing \"type\""},
      {R"({"activity":"count","type":"p","op":"contains","value":"x"})",
       "rule.op: operator \"contains\" cannot be used with count(); expected one of \"=\", "
       "\"!=\", \"<\", \"<=\", \">\", \">=\", \"between\""},
      {R"({"activity":"sum","type":"p","attribute":"amount","op":">","value":"200"})",
       "rule.value: expected a number"},
      {R"({"activity":"exists","type":"p","op":">"})", "rule.op: exists() takes no comparison"},
      {R"({"activity":"last","type":"p","op":">","value":1})",
       "rule.op: operator \">\" cannot be used with last(); expected one of \"between\", "
       "\"within_last\", \"within_next\", \"before_days_ago\", \"after_days_ago\", \"before\", "
       "\"after\", \"on\""},
      {R"({"activity":"first","type":"p","op":"between","values":[1,{"date":"2024-01-01"}]})",
       "rule.values[0]: expected a date {\"date\": \"YYYY-MM-DD\"}"},
      {R"({"activity":"count","type":"p","where":[{"key":"page","op":"=","value":"/"}],"op":">","value":1})",
       "rule.where[0].key: unknown filter key \"page\"; expected \"channel\", \"currency\" or "
       "\"properties.NAME\""},
      {R"({"activity":"count","type":"p","where":[{"key":"channel","op":">","value":"/"}],"op":">","value":1})",
       "rule.where[0].op: operator \">\" cannot be used in a filter; expected one of \"=\", "
       "\"!=\", \"in\""},
      {R"({"activity":"count","type":"p","where":{},"op":">","value":1})",
       "rule.where: expected an array of filters, found an object"},
      {R"({"activity":"count","type":"p","window":{"last_days":0},"op":">","value":1})",
       "rule.window.last_days: the number of days must be between 1 and 36600, found 0"},
      {R"({"activity":"count","type":"p","window":{"from":"2024-02-01","to":"2024-01-01"},"op":">","value":1})",
       "rule.window: the range is empty: 2024-02-01 is after 2024-01-01"},
      {R"({"activity":"count","type":"p","window":{"from":"2024-02-01"},"op":">","value":1})",
       "rule.window: expected {\"last_days\": N} or {\"from\": \"YYYY-MM-DD\", \"to\": "
       "\"YYYY-MM-DD\"}"},
      {R"({"activity":"count","type":"p","window":{"last_days":3,"from":"2024-01-01"},"op":">","value":1})",
       "rule.window.from: unknown member \"from\"; this rule has \"last_days\""},
      {R"({"activity":"count","type":"p","window":{"from":"2024-1-1","to":"2024-01-01"},"op":">","value":1})",
       "rule.window.from: invalid date \"2024-1-1\"; expected YYYY-MM-DD"},
      {R"({"tag":"a\u0000b"})", "rule.tag: strings cannot contain U+0000"},
  };
  for (const auto& [in, want] : cases) {
    std::vector<std::string> errors = Errors(in);
    ASSERT_EQ(errors.size(), 1u) << in << "\n  first: " << (errors.empty() ? "" : errors[0]);
    EXPECT_EQ(errors[0], want) << in;
  }
}

TEST(FromJson, CollectsEveryError) {
  std::vector<std::string> errors = Errors(
      R"({"or":[{"field":"x","op":"~"},{"tag":5},{"and":[{"field":"y","op":"in","values":[1,[]]},{"bogus":1}]}]})");
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].substr(0, 26), "rule.or[0].op: unknown ope");
  EXPECT_EQ(errors[1], "rule.or[1].tag: expected a string, found a number");
  EXPECT_EQ(errors[2].substr(0, 33), "rule.or[2].and[0].values[1]: expe");
  EXPECT_EQ(errors[3].substr(0, 20), "rule.or[2].and[1]: e");

  std::vector<std::string> several = Errors(
      R"({"activity":"count","type":"bad type","where":[{"key":"x","op":"="}],"window":{"last_days":-1},"op":"=","value":"3","extra":true})");
  EXPECT_EQ(several.size(), 6u);
}

TEST(FromJson, TextStringsMustBeValidUtf8) {
  json::object o;
  o["tag"] = json::string("\xff");
  Parsed p = FromJson(o);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].message, "rule.tag: the string is not valid UTF-8");
}

TEST(FromJson, DepthLimit) {
  auto nested = [](int nots) {
    std::string s;
    for (int i = 0; i < nots; ++i) s += "{\"not\":";
    s += "{\"tag\":\"a\"}";
    s += std::string(nots, '}');
    return s;
  };
  Rule ok = Decode(nested(kMaxRuleDepth - 1));
  EXPECT_EQ(FromJson(ToJson(ok)).errors.size(), 0u);
  EXPECT_TRUE(ParseText(ToText(ok)).rule.has_value());
  std::vector<std::string> errors = Errors(nested(kMaxRuleDepth));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].substr(errors[0].find(": ")),
            ": the rule is nested too deeply: at most 64 levels of and/or/not");
  EXPECT_EQ(Errors(nested(500)).size(), 1u);
}

TEST(FromJson, SizeLimitOfTheTextForm) {
  json::array many;
  for (int i = 0; i < 8000; ++i) many.push_back(json::object{{"tag", "abcdefgh"}});
  json::object o;
  o["or"] = std::move(many);
  Parsed p = FromJson(o);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].message.substr(0, 28), "rule: the rule is too long: ");
}

}  // namespace
}  // namespace rapport::segments
