#include "segments/text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "segment_rule_checks.h"
#include "segments/rule_json.h"

namespace rapport::segments {
namespace {

using K = Rule::Kind;

constexpr std::string_view kCombined =
    "tag \"vip\" and lifecycle_stage in (\"customer\", \"advocate\") and country = \"NZ\"\n"
    "and count(purchase, last 365 days) >= 3 and sum(purchase.amount, last 365 days) > 200.00\n"
    "and not exists(email_opened, last 30 days)\n"
    "and birthday within next 7 days and company.relationship = \"distributor\"\n"
    "and in_segment(\"newsletter-subscribers\") and churn_risk > 0.7";

Rule MustParse(std::string_view text) {
  Parsed p = ParseText(text);
  EXPECT_TRUE(p.rule.has_value()) << text << "\n  -> "
                                  << (p.errors.empty() ? "" : p.errors[0].message);
  EXPECT_TRUE(p.errors.empty());
  return p.rule ? *p.rule : Rule{};
}

RuleError MustFail(std::string_view text) {
  Parsed p = ParseText(text);
  EXPECT_FALSE(p.rule.has_value()) << text << " parsed as " << (p.rule ? ToText(*p.rule) : "");
  EXPECT_EQ(p.errors.size(), 1u) << text;
  return p.errors.empty() ? RuleError{} : p.errors[0];
}

Date D(int y, int m, int d) {
  // Independent of the parser: count days with the C library's timegm-free arithmetic.
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  tm.tm_hour = 12;
  return Date{static_cast<int32_t>(timegm(&tm) / 86400)};
}

Literal Str(std::string s) { return Literal(std::move(s)); }
Literal Num(int64_t units, int scale = 0) { return Literal(Decimal{units, scale}); }

// ---------------------------------------------------------------------------------------
// Every construct parses to the expected tree.

TEST(ParseText, Tag) {
  Rule r = MustParse("tag \"vip\"");
  EXPECT_EQ(r.kind, K::kTag);
  EXPECT_EQ(r.name, "vip");
  EXPECT_EQ(r.pos.line, 1);
  EXPECT_EQ(r.pos.column, 1);
}

TEST(ParseText, InSegment) {
  Rule r = MustParse("in_segment ( \"newsletter-subscribers\" )");
  EXPECT_EQ(r.kind, K::kInSegment);
  EXPECT_EQ(r.name, "newsletter-subscribers");
}

TEST(ParseText, Comparisons) {
  const std::pair<const char*, Op> cases[] = {{"=", Op::kEq},  {"!=", Op::kNe}, {"<", Op::kLt},
                                              {"<=", Op::kLe}, {">", Op::kGt},  {">=", Op::kGe}};
  for (const auto& [spelling, op] : cases) {
    Rule r = MustParse(std::string("company.custom.region ") + spelling + " \"EU\"");
    EXPECT_EQ(r.kind, K::kField);
    EXPECT_EQ(r.field, "company.custom.region");
    EXPECT_EQ(r.op, op) << spelling;
    ASSERT_EQ(r.values.size(), 1u);
    EXPECT_EQ(r.values[0], Str("EU"));
  }
}

TEST(ParseText, LiteralKinds) {
  EXPECT_EQ(MustParse("a = \"x\"").values[0], Str("x"));
  EXPECT_EQ(MustParse("a = 200.00").values[0], Num(20000, 2));
  EXPECT_EQ(MustParse("a = -3").values[0], Num(-3));
  EXPECT_EQ(MustParse("a = 0.7").values[0], Num(7, 1));
  EXPECT_EQ(MustParse("a = 007").values[0], Num(7));
  EXPECT_EQ(MustParse("a = true").values[0], Literal(true));
  EXPECT_EQ(MustParse("a = false").values[0], Literal(false));
  EXPECT_EQ(MustParse("a = 2024-02-29").values[0], Literal(D(2024, 2, 29)));
  EXPECT_EQ(MustParse("a = 1970-01-01").values[0], Literal(Date{0}));
  EXPECT_EQ(MustParse("a = 9223372036854775807").values[0],
            Num(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(MustParse("a = -9223372036854775808").values[0],
            Num(std::numeric_limits<int64_t>::min()));
  // Trailing zeros that would overflow are dropped rather than rejected.
  EXPECT_EQ(MustParse("a = 9223372036854775807.000").values[0],
            Num(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(MustParse("a = 0.000000000000001").values[0], Num(1, 15));
}

TEST(ParseText, StringEscapes) {
  EXPECT_EQ(MustParse(R"(a = "q\"b\\s\/n\nt\tr\rb\bf\f")").values[0],
            Str("q\"b\\s/n\nt\tr\rb\bf\f"));
  EXPECT_EQ(MustParse(R"(a = "\u00e9\u65E5")").values[0], Str("é日"));
  EXPECT_EQ(MustParse(R"(a = "\ud83d\ude00")").values[0], Str("😀"));
  EXPECT_EQ(MustParse("a = \"日本 😀\"").values[0], Str("日本 😀"));
  EXPECT_EQ(MustParse("a = \"\"").values[0], Str(""));
  EXPECT_EQ(MustParse("a = \"#not a comment\"").values[0], Str("#not a comment"));
}

TEST(ParseText, InBetweenContainsIsSet) {
  Rule in = MustParse("lifecycle_stage in (\"customer\", \"advocate\")");
  EXPECT_EQ(in.op, Op::kIn);
  EXPECT_EQ(in.values, (std::vector<Literal>{Str("customer"), Str("advocate")}));
  EXPECT_EQ(MustParse("x in (1)").values, std::vector<Literal>{Num(1)});

  Rule between = MustParse("score between 1.5 and 3");
  EXPECT_EQ(between.op, Op::kBetween);
  EXPECT_EQ(between.values, (std::vector<Literal>{Num(15, 1), Num(3)}));
  Rule dates = MustParse("signed_up between 2024-01-01 and 2024-12-31");
  EXPECT_EQ(dates.op, Op::kBetween);
  EXPECT_EQ(dates.values, (std::vector<Literal>{D(2024, 1, 1), D(2024, 12, 31)}));

  Rule contains = MustParse("email contains \"gmail\"");
  EXPECT_EQ(contains.op, Op::kContains);
  EXPECT_EQ(contains.values, std::vector<Literal>{Str("gmail")});
  EXPECT_EQ(MustParse("name starts_with \"Jo\"").op, Op::kStartsWith);
  Rule set = MustParse("phone is set");
  EXPECT_EQ(set.op, Op::kIsSet);
  EXPECT_TRUE(set.values.empty());
  EXPECT_EQ(MustParse("phone is not set").op, Op::kIsNotSet);
}

TEST(ParseText, DateConditions) {
  Rule r = MustParse("birthday within next 7 days");
  EXPECT_EQ(r.kind, K::kField);
  EXPECT_EQ(r.field, "birthday");
  EXPECT_EQ(r.op, Op::kWithinNext);
  EXPECT_EQ(r.days, 7);
  EXPECT_TRUE(r.values.empty());
  EXPECT_EQ(MustParse("x within last 1 day").op, Op::kWithinLast);
  EXPECT_EQ(MustParse("x within last 1 day").days, 1);
  Rule ago = MustParse("x before 180 days ago");
  EXPECT_EQ(ago.op, Op::kBeforeDaysAgo);
  EXPECT_EQ(ago.days, 180);
  EXPECT_EQ(MustParse("x after 36600 days ago").op, Op::kAfterDaysAgo);
  Rule before = MustParse("x before 2024-01-01");
  EXPECT_EQ(before.op, Op::kBefore);
  EXPECT_EQ(before.values, std::vector<Literal>{D(2024, 1, 1)});
  EXPECT_EQ(MustParse("x after 2024-01-01").op, Op::kAfter);
  EXPECT_EQ(MustParse("x on 2024-01-01").op, Op::kOn);
}

TEST(ParseText, Anniversary) {
  Rule r = MustParse("anniversary(custom.signed_on) within next 14 days");
  EXPECT_EQ(r.kind, K::kField);
  EXPECT_TRUE(r.anniversary);
  EXPECT_EQ(r.field, "custom.signed_on");
  EXPECT_EQ(r.op, Op::kWithinNext);
  EXPECT_EQ(r.days, 14);
  EXPECT_EQ(MustParse("anniversary(x) on 2024-02-29").op, Op::kOn);
  EXPECT_EQ(MustParse("anniversary(x) between 2024-01-01 and 2024-02-01").op, Op::kBetween);
}

TEST(ParseText, CountWithWindow) {
  Rule r = MustParse("count(purchase, last 365 days) >= 3");
  EXPECT_EQ(r.kind, K::kActivity);
  EXPECT_EQ(r.aggregate, Aggregate::kCount);
  EXPECT_EQ(r.activity_type, "purchase");
  EXPECT_EQ(r.attribute, "");
  EXPECT_TRUE(r.filters.empty());
  EXPECT_EQ(r.window.kind, Window::Kind::kLastDays);
  EXPECT_EQ(r.window.days, 365);
  EXPECT_EQ(r.op, Op::kGe);
  EXPECT_EQ(r.values, std::vector<Literal>{Num(3)});
}

TEST(ParseText, SumOfAmount) {
  Rule r = MustParse("sum(purchase.amount, last 90 days) > 200.00");
  EXPECT_EQ(r.aggregate, Aggregate::kSum);
  EXPECT_EQ(r.attribute, "amount");
  EXPECT_EQ(r.op, Op::kGt);
  EXPECT_EQ(r.values, std::vector<Literal>{Num(20000, 2)});
  Rule between = MustParse("sum(purchase.amount) between 10 and 20.5");
  EXPECT_EQ(between.window.kind, Window::Kind::kAllTime);
  EXPECT_EQ(between.op, Op::kBetween);
  EXPECT_EQ(between.values, (std::vector<Literal>{Num(10), Num(205, 1)}));
}

TEST(ParseText, ExistsFirstLast) {
  Rule e = MustParse("exists(email_opened, last 30 days)");
  EXPECT_EQ(e.aggregate, Aggregate::kExists);
  EXPECT_EQ(e.window.days, 30);
  EXPECT_TRUE(e.values.empty());
  Rule last = MustParse("last(purchase) before 180 days ago");
  EXPECT_EQ(last.aggregate, Aggregate::kLast);
  EXPECT_EQ(last.window.kind, Window::Kind::kAllTime);
  EXPECT_EQ(last.op, Op::kBeforeDaysAgo);
  EXPECT_EQ(last.days, 180);
  Rule first = MustParse("first(purchase) within last 30 days");
  EXPECT_EQ(first.aggregate, Aggregate::kFirst);
  EXPECT_EQ(first.op, Op::kWithinLast);
  EXPECT_EQ(first.days, 30);
  Rule on = MustParse("first(purchase) on 2024-03-01");
  EXPECT_EQ(on.op, Op::kOn);
  EXPECT_EQ(on.values, std::vector<Literal>{D(2024, 3, 1)});
}

TEST(ParseText, FiltersAndAbsoluteWindow) {
  Rule r = MustParse("count(web_visit where properties.page = \"/pricing\", last 7 days) >= 2");
  ASSERT_EQ(r.filters.size(), 1u);
  EXPECT_EQ(r.filters[0].key, "properties.page");
  EXPECT_EQ(r.filters[0].op, Op::kEq);
  EXPECT_EQ(r.filters[0].values, std::vector<Literal>{Str("/pricing")});
  EXPECT_EQ(r.filters[0].pos.column, 23);

  Rule many = MustParse(
      "count(purchase where channel in (\"web\", \"pos\") and currency != \"USD\" and "
      "properties.items = 3, between 2024-01-01 and 2024-12-31) = 1");
  ASSERT_EQ(many.filters.size(), 3u);
  EXPECT_EQ(many.filters[0].key, "channel");
  EXPECT_EQ(many.filters[0].op, Op::kIn);
  EXPECT_EQ(many.filters[0].values, (std::vector<Literal>{Str("web"), Str("pos")}));
  EXPECT_EQ(many.filters[1].key, "currency");
  EXPECT_EQ(many.filters[1].op, Op::kNe);
  EXPECT_EQ(many.filters[2].values, std::vector<Literal>{Num(3)});
  EXPECT_EQ(many.window.kind, Window::Kind::kBetween);
  EXPECT_EQ(many.window.from, D(2024, 1, 1));
  EXPECT_EQ(many.window.to, D(2024, 12, 31));
}

TEST(ParseText, KeywordsMayFollowADot) {
  Rule r = MustParse("company.count = 1 and custom.last is set and custom.and = 2");
  EXPECT_EQ(r.children[0].field, "company.count");
  EXPECT_EQ(r.children[1].field, "custom.last");
  EXPECT_EQ(r.children[2].field, "custom.and");
  // Words that are not keywords at the start of a condition are field names.
  EXPECT_EQ(MustParse("true = false").field, "true");
  EXPECT_EQ(MustParse("where = 1").field, "where");
}

TEST(ParseText, Precedence) {
  Rule r = MustParse("a = 1 or b = 2 and c = 3");
  ASSERT_EQ(r.kind, K::kOr);
  ASSERT_EQ(r.children.size(), 2u);
  EXPECT_EQ(r.children[0].field, "a");
  ASSERT_EQ(r.children[1].kind, K::kAnd);
  EXPECT_EQ(r.children[1].children[1].field, "c");

  Rule n = MustParse("not a = 1 and b = 2");
  ASSERT_EQ(n.kind, K::kAnd);
  EXPECT_EQ(n.children[0].kind, K::kNot);
  EXPECT_EQ(n.children[0].children[0].field, "a");

  Rule g = MustParse("not (a = 1 or b = 2)");
  ASSERT_EQ(g.kind, K::kNot);
  EXPECT_EQ(g.children[0].kind, K::kOr);

  Rule nn = MustParse("not not tag \"x\"");
  ASSERT_EQ(nn.kind, K::kNot);
  ASSERT_EQ(nn.children[0].kind, K::kNot);
  EXPECT_EQ(nn.children[0].children[0].kind, K::kTag);
}

TEST(ParseText, FlattensAndOr) {
  Rule r = MustParse("a = 1 and b = 2 and c = 3");
  ASSERT_EQ(r.kind, K::kAnd);
  EXPECT_EQ(r.children.size(), 3u);
  Rule p = MustParse("(a = 1 and b = 2) and (c = 3 and (d = 4))");
  ASSERT_EQ(p.kind, K::kAnd);
  EXPECT_EQ(p.children.size(), 4u);
  Rule o = MustParse("a = 1 or (b = 2 or c = 3) or d = 4");
  ASSERT_EQ(o.kind, K::kOr);
  EXPECT_EQ(o.children.size(), 4u);
  Rule single = MustParse("((tag \"x\"))");
  EXPECT_EQ(single.kind, K::kTag);
}

TEST(ParseText, CombinedRule) {
  Rule r = MustParse(kCombined);
  ASSERT_EQ(r.kind, K::kAnd);
  ASSERT_EQ(r.children.size(), 10u);
  EXPECT_EQ(r.children[0].kind, K::kTag);
  EXPECT_EQ(r.children[1].op, Op::kIn);
  EXPECT_EQ(r.children[2].field, "country");
  EXPECT_EQ(r.children[3].aggregate, Aggregate::kCount);
  EXPECT_EQ(r.children[4].aggregate, Aggregate::kSum);
  EXPECT_EQ(r.children[4].pos.line, 2);
  EXPECT_EQ(r.children[4].pos.column, 45);
  ASSERT_EQ(r.children[5].kind, K::kNot);
  EXPECT_EQ(r.children[5].children[0].aggregate, Aggregate::kExists);
  EXPECT_EQ(r.children[6].op, Op::kWithinNext);
  EXPECT_EQ(r.children[7].field, "company.relationship");
  EXPECT_EQ(r.children[8].kind, K::kInSegment);
  EXPECT_EQ(r.children[9].values, std::vector<Literal>{Num(7, 1)});
}

TEST(ParseText, WhitespaceCommentsAndPositions) {
  Rule r = MustParse("# people to call\n  tag \"vip\"   # the best ones\n\tor\r\n  x=1#done");
  ASSERT_EQ(r.kind, K::kOr);
  EXPECT_EQ(r.children[0].pos.line, 2);
  EXPECT_EQ(r.children[0].pos.column, 3);
  EXPECT_EQ(r.children[1].pos.line, 4);
  EXPECT_EQ(r.children[1].pos.column, 3);
  EXPECT_EQ(r.children[1].values[0], Num(1));
  // Columns count code points.
  Rule u = MustParse("a = \"日本\" or b = 1");
  EXPECT_EQ(u.children[1].pos.column, 13);
}

// ---------------------------------------------------------------------------------------
// Canonical printing.

TEST(ToText, Canonical) {
  const std::pair<const char*, const char*> cases[] = {
      {"tag   \"vip\"", "tag \"vip\""},
      {"in_segment( \"a\" )", "in_segment(\"a\")"},
      {"a=1", "a = 1"},
      {"a = 200.00", "a = 200"},
      {"a = 19.90", "a = 19.9"},
      {"a = -0.50", "a = -0.5"},
      {"a = -0.0", "a = 0"},
      {"a = 0.05", "a = 0.05"},
      {"a = 1000", "a = 1000"},
      {"a = -9223372036854775808", "a = -9223372036854775808"},
      {"a in(\"x\",\"y\")", "a in (\"x\", \"y\")"},
      {"a between 1.0 and 2", "a between 1 and 2"},
      {"d between 2024-01-01 and 2024-01-01", "d between 2024-01-01 and 2024-01-01"},
      {"x within last 1 day", "x within last 1 days"},
      {"x before 3 day ago", "x before 3 days ago"},
      {"x is not set", "x is not set"},
      {"s = \"a\\u0041\\/\\u0001\\u007f\"", "s = \"aA/\\u0001\x7f\""},
      {"s = \"tab\\there\"", "s = \"tab\\there\""},
      {"(a = 1 or b = 2) and c = 3", "(a = 1 or b = 2) and c = 3"},
      {"(a = 1 and b = 2) or c = 3", "a = 1 and b = 2 or c = 3"},
      {"((a = 1))", "a = 1"},
      {"not (a = 1)", "not a = 1"},
      {"not (a = 1 and b = 2)", "not (a = 1 and b = 2)"},
      {"not(not(a = 1))", "not not a = 1"},
      {"not (a = 1 or b = 2) or c = 3", "not (a = 1 or b = 2) or c = 3"},
      {"a = 1 and (b = 2 or (c = 3 and (d = 4 or e = 5)))",
       "a = 1 and (b = 2 or c = 3 and (d = 4 or e = 5))"},
      {"count( purchase ,last 365 day )>=3", "count(purchase, last 365 days) >= 3"},
      {"sum(purchase.amount,last 90 days)>200.00", "sum(purchase.amount, last 90 days) > 200"},
      {"exists(email_opened)", "exists(email_opened)"},
      {"count(web_visit where properties . page = \"/pricing\" and channel in(\"web\"),"
       "between 2024-01-01 and 2024-02-01) between 1 and 5",
       "count(web_visit where properties.page = \"/pricing\" and channel in (\"web\"), "
       "between 2024-01-01 and 2024-02-01) between 1 and 5"},
      {"last(purchase)before 180 days ago", "last(purchase) before 180 days ago"},
      {"anniversary( signed_on )within next 7 days", "anniversary(signed_on) within next 7 days"},
      {"company . custom . region = \"EU\"", "company.custom.region = \"EU\""},
  };
  for (const auto& [in, want] : cases) {
    Rule r = MustParse(in);
    EXPECT_EQ(ToText(r), want) << in;
  }
  EXPECT_EQ(ToText(MustParse(kCombined)),
            "tag \"vip\" and lifecycle_stage in (\"customer\", \"advocate\") and country = \"NZ\" "
            "and count(purchase, last 365 days) >= 3 and sum(purchase.amount, last 365 days) > "
            "200 and not exists(email_opened, last 30 days) and birthday within next 7 days and "
            "company.relationship = \"distributor\" and in_segment(\"newsletter-subscribers\") "
            "and churn_risk > 0.7");
}

TEST(ToText, HandBuiltNestedGroupsKeepTheirParentheses) {
  Rule inner;
  inner.kind = K::kAnd;
  inner.children = {MustParse("a = 1"), MustParse("b = 2")};
  Rule outer;
  outer.kind = K::kAnd;
  outer.children = {inner, MustParse("c = 3")};
  EXPECT_EQ(ToText(outer), "(a = 1 and b = 2) and c = 3");
}

// ---------------------------------------------------------------------------------------
// Round trips: text -> tree -> text, text -> JSON -> text.

const char* const kRoundTripRules[] = {
    "tag \"vip\"",
    "in_segment(\"newsletter-subscribers\")",
    "count(web_visit where properties.page = \"/pricing\", last 7 days) >= 2",
    "last(purchase) before 180 days ago",
    "first(purchase) within last 30 days",
    "first(purchase) after 2024-01-01",
    "last(ticket where channel != \"phone\") between 2024-01-01 and 2024-06-30",
    "sum(purchase.amount where currency = \"NZD\", last 90 days) > 200.00",
    "sum(purchase.amount) between 0.01 and 99.99",
    "count(purchase) = 0",
    "count(email_sent where properties.campaign in (\"a\", \"b\", 3, true, 2024-01-01)) != 1",
    "exists(email_clicked, between 2023-01-01 and 2023-12-31)",
    "email contains \"gmail\"",
    "email starts_with \"Jo\\\"hn\\\\\"",
    "phone is set",
    "phone is not set",
    "score between -1.5 and 2.25",
    "created between 2020-02-29 and 2024-02-29",
    "birthday within next 7 days",
    "birthday within last 365 days",
    "last_seen before 30 days ago",
    "last_seen after 1 days ago",
    "signed_up before 2000-01-01",
    "signed_up after 1999-12-31",
    "signed_up on 0001-01-01",
    "signed_up on 9999-12-31",
    "anniversary(custom.wedding) within next 30 days",
    "vip = true",
    "vip != false",
    "balance < -10.5",
    "balance <= 9223372036854775807",
    "balance > -9223372036854775808",
    "ratio >= 0.123456789012345",
    "ratio >= 123456789012345",
    "name = \"日本語 😀 é\"",
    "name = \"line\\nbreak\\ttab\\u0001ctl\"",
    "a = 1 or b = 2 and c = 3",
    "(a = 1 or b = 2) and c = 3",
    "not (a = 1 or b = 2)",
    "not (a = 1 and b = 2) or not not c = 3",
    "a = 1 and (b = 2 or (c = 3 and (d = 4 or not e is set)))",
};

TEST(RoundTrip, ListedRulesAndCombinedRule) {
  std::vector<std::string> rules(std::begin(kRoundTripRules), std::end(kRoundTripRules));
  rules.emplace_back(kCombined);
  for (const std::string& text : rules) {
    Rule r = MustParse(text);
    const std::string canonical = ToText(r);
    Rule again = MustParse(canonical);
    EXPECT_TRUE(again.SameAs(r)) << text;
    EXPECT_EQ(ToText(again), canonical);
    Parsed from_json = FromJson(ToJson(r));
    ASSERT_TRUE(from_json.rule) << text << ": " << from_json.errors[0].message;
    EXPECT_TRUE(from_json.rule->SameAs(r)) << text;
    EXPECT_EQ(ToText(*from_json.rule), canonical) << text;
    EXPECT_EQ(fuzzing::CheckRoundTrips(text), "") << text;
  }
}

// Random rules built directly as trees (in the normal form the parsers produce).
class RuleGenerator {
 public:
  explicit RuleGenerator(uint32_t seed) : rng_(seed) {}

  Rule Generate(int depth) {
    const int pick = Uniform(0, depth <= 1 ? 3 : 6);
    if (pick >= 4) return Group(depth, pick == 4 ? K::kAnd : pick == 5 ? K::kOr : K::kNot);
    switch (pick) {
      case 0:
        return Field();
      case 1:
        return Activity();
      case 2: {
        Rule r;
        r.kind = Uniform(0, 1) ? K::kTag : K::kInSegment;
        r.name = Text();
        return r;
      }
      default:
        return Activity();
    }
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  int64_t Uniform64(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }

  Rule Group(int depth, K kind) {
    Rule r;
    r.kind = kind;
    const int n = kind == K::kNot ? 1 : Uniform(2, 4);
    while (static_cast<int>(r.children.size()) < n) {
      Rule c = Generate(depth - 1);
      if (c.kind == kind && kind != K::kNot) continue;  // would be flattened
      r.children.push_back(std::move(c));
    }
    return r;
  }

  std::string Text() {
    static const char* const kPieces[] = {"a",    "Z", " ",    "\"", "\\", "\n", "\t",  "\x01",
                                          "\x7f", "é", "日本", "😀",  "#",  "/",  "vip", "-"};
    std::string s;
    const int n = Uniform(0, 5);
    for (int i = 0; i < n; ++i) s += kPieces[Uniform(0, std::size(kPieces) - 1)];
    return s;
  }

  std::string Ident() {
    static const char* const kNames[] = {"purchase", "email_opened", "web_visit", "x",    "_y2",
                                         "count",    "where",        "and",       "last", "Amount"};
    return kNames[Uniform(0, std::size(kNames) - 1)];
  }

  std::string Path() {
    static const char* const kPaths[] = {"email",
                                         "country",
                                         "custom.tier",
                                         "company.relationship",
                                         "company.custom.region",
                                         "birthday",
                                         "company.count",
                                         "custom.and",
                                         "true",
                                         "where",
                                         "churn_risk",
                                         "a.b.c.d"};
    return kPaths[Uniform(0, std::size(kPaths) - 1)];
  }

  Decimal Number() {
    switch (Uniform(0, 4)) {
      case 0:
        return {Uniform64(-1000, 1000), 0};
      case 1:
        return {Uniform64(-99999, 99999), 2};
      case 2:
        return {Uniform64(-999999999999999, 999999999999999), Uniform(0, 15)};
      case 3:
        return {Uniform(0, 1) ? std::numeric_limits<int64_t>::max()
                              : std::numeric_limits<int64_t>::min(),
                0};
      default:
        return {Uniform64(-1000000, 1000000) * 1000, 3};  // trailing zeros
    }
  }

  Date RandomDate() { return Date{static_cast<int32_t>(Uniform64(-719162, 2932896))}; }

  Literal AnyLiteral() {
    switch (Uniform(0, 3)) {
      case 0:
        return Text();
      case 1:
        return Number();
      case 2:
        return Uniform(0, 1) == 1;
      default:
        return RandomDate();
    }
  }

  std::vector<Literal> OrderedPair(bool dates) {
    if (dates) {
      Date a = RandomDate(), b = RandomDate();
      if (a.days > b.days) std::swap(a, b);
      return {a, b};
    }
    const int64_t a = Uniform64(-100000, 100000), b = Uniform64(-100000, 100000);
    // The same values in different spellings: 5 and 5.00.
    return {Decimal{std::min(a, b) * 100, 2}, Decimal{std::max(a, b), 0}};
  }

  // A date condition into op/values/days.
  void DateCondition(Rule& r) {
    static constexpr Op kOps[] = {Op::kWithinLast,   Op::kWithinNext, Op::kBeforeDaysAgo,
                                  Op::kAfterDaysAgo, Op::kBefore,     Op::kAfter,
                                  Op::kOn,           Op::kBetween};
    r.op = kOps[Uniform(0, std::size(kOps) - 1)];
    if (r.op == Op::kBetween) {
      r.values = OrderedPair(true);
    } else if (r.op == Op::kBefore || r.op == Op::kAfter || r.op == Op::kOn) {
      r.values = {RandomDate()};
    } else {
      r.days = Uniform(1, 36600);
    }
  }

  Rule Field() {
    Rule r;
    r.kind = K::kField;
    r.field = Path();
    if (Uniform(0, 5) == 0) {
      r.anniversary = true;
      DateCondition(r);
      return r;
    }
    const int op = Uniform(0, 12);
    if (op <= 5) {
      r.op = static_cast<Op>(op);
      r.values = {AnyLiteral()};
    } else if (op == 6) {
      r.op = Op::kIn;
      for (int i = Uniform(1, 4); i > 0; --i) r.values.push_back(AnyLiteral());
    } else if (op == 7) {
      r.op = Op::kBetween;
      r.values = Uniform(0, 2) == 0 ? std::vector<Literal>{Text(), Text()}
                                    : OrderedPair(Uniform(0, 1) == 0);
    } else if (op == 8) {
      r.op = Uniform(0, 1) ? Op::kContains : Op::kStartsWith;
      r.values = {Text()};
    } else if (op == 9) {
      r.op = Uniform(0, 1) ? Op::kIsSet : Op::kIsNotSet;
    } else {
      DateCondition(r);
    }
    return r;
  }

  Rule Activity() {
    Rule r;
    r.kind = K::kActivity;
    r.aggregate = static_cast<Aggregate>(Uniform(0, 4));
    r.activity_type = Ident();
    if (Uniform(0, 2) == 0) r.attribute = Uniform(0, 1) ? "amount" : Ident();
    for (int i = Uniform(0, 3) == 0 ? Uniform(1, 3) : 0; i > 0; --i) {
      ActivityFilter f;
      const int key = Uniform(0, 2);
      f.key = key == 0 ? "channel" : key == 1 ? "currency" : "properties." + Ident();
      const int op = Uniform(0, 2);
      f.op = op == 0 ? Op::kEq : op == 1 ? Op::kNe : Op::kIn;
      for (int n = f.op == Op::kIn ? Uniform(1, 3) : 1; n > 0; --n) {
        f.values.push_back(AnyLiteral());
      }
      r.filters.push_back(std::move(f));
    }
    const int window = Uniform(0, 2);
    if (window == 1) {
      r.window.kind = Window::Kind::kLastDays;
      r.window.days = Uniform(1, 36600);
    } else if (window == 2) {
      auto pair = OrderedPair(true);
      r.window.kind = Window::Kind::kBetween;
      r.window.from = std::get<Date>(pair[0]);
      r.window.to = std::get<Date>(pair[1]);
    }
    switch (r.aggregate) {
      case Aggregate::kExists:
        break;
      case Aggregate::kFirst:
      case Aggregate::kLast:
        DateCondition(r);
        break;
      case Aggregate::kCount:
      case Aggregate::kSum:
        if (Uniform(0, 4) == 0) {
          r.op = Op::kBetween;
          r.values = OrderedPair(false);
        } else {
          r.op = static_cast<Op>(Uniform(0, 5));
          r.values = {Number()};
        }
        break;
    }
    return r;
  }

  std::mt19937 rng_;
};

TEST(RoundTrip, RandomTrees) {
  RuleGenerator gen(20240601);
  for (int i = 0; i < 3000; ++i) {
    const Rule r = gen.Generate(1 + i % 5);
    const std::string text = ToText(r);
    Parsed parsed = ParseText(text);
    ASSERT_TRUE(parsed.rule) << "case " << i << ": " << text << "\n  " << parsed.errors[0].line
                             << ":" << parsed.errors[0].column << " " << parsed.errors[0].message;
    ASSERT_TRUE(parsed.rule->SameAs(r))
        << "case " << i << ": " << text << "\n  reparsed as " << ToText(*parsed.rule);
    ASSERT_EQ(ToText(*parsed.rule), text) << "case " << i;

    const boost::json::value json = ToJson(r);
    Parsed decoded = FromJson(json);
    ASSERT_TRUE(decoded.rule) << "case " << i << ": " << boost::json::serialize(json) << "\n  "
                              << decoded.errors[0].message;
    ASSERT_TRUE(decoded.rule->SameAs(r)) << "case " << i << ": " << boost::json::serialize(json);
    ASSERT_EQ(ToJson(*decoded.rule), json) << "case " << i;
    ASSERT_EQ(fuzzing::CheckRoundTrips(text), "") << "case " << i;
  }
}

TEST(RoundTrip, SameAsComparesValuesNotSpellings) {
  EXPECT_TRUE(MustParse("a = 200.00").SameAs(MustParse("a = 200")));
  EXPECT_TRUE(MustParse("a = -1.50").SameAs(MustParse("a = -1.5")));
  EXPECT_FALSE(MustParse("a = 1.5").SameAs(MustParse("a = 15")));
  EXPECT_FALSE(MustParse("a = 1").SameAs(MustParse("a = \"1\"")));
  EXPECT_FALSE(MustParse("a = 1").SameAs(MustParse("a != 1")));
  EXPECT_FALSE(MustParse("a = 1").SameAs(MustParse("b = 1")));
  EXPECT_TRUE(MustParse("a = 1 and b = 2").SameAs(MustParse("(a = 1)\nand b=2")));
  EXPECT_FALSE(MustParse("a = 1 and b = 2").SameAs(MustParse("b = 2 and a = 1")));
  EXPECT_FALSE(MustParse("count(p where channel = \"a\") > 1")
                   .SameAs(MustParse("count(p where channel = \"b\") > 1")));
  EXPECT_FALSE(MustParse("count(p, last 2 days) > 1").SameAs(MustParse("count(p) > 1")));
  EXPECT_FALSE(MustParse("x within last 2 days").SameAs(MustParse("x within last 3 days")));
}

// ---------------------------------------------------------------------------------------
// Errors: position, what was found, what was expected.

struct ErrorCase {
  const char* text;
  int line, column;
  const char* message;
};

TEST(ParseTextErrors, PositionsAndMessages) {
  const ErrorCase cases[] = {
      {"email foo", 1, 7,
       "expected a comparison (=, !=, <, <=, >, >=), \"in\", \"between\", \"contains\", "
       "\"starts_with\", \"is\" or a date condition after \"email\", found \"foo\""},
      {"tag \"vip", 1, 5, "unterminated string (a string ends with \" on the same line)"},
      {"a = 1 and (b = 2", 1, 17,
       "expected \"and\", \"or\" or \")\" to close \"(\" at 1:11, found end of rule"},
      {"", 1, 1,
       "expected a condition (a field comparison, tag \"...\", in_segment(\"...\"), "
       "count/sum/exists/first/last(...), anniversary(...), \"not\" or \"(\"), found end of "
       "rule"},
      {"a = 1 and", 1, 10,
       "expected a condition (a field comparison, tag \"...\", in_segment(\"...\"), "
       "count/sum/exists/first/last(...), anniversary(...), \"not\" or \"(\") after \"and\", "
       "found end of rule"},
      {"tag \"vip\" tag \"x\"", 1, 11,
       "expected \"and\", \"or\" or end of rule after \"vip\", found \"tag\""},
      {"country = NZ", 1, 11,
       "expected a value (a string, number, date, true or false) after \"=\", found \"NZ\"; "
       "text is written in double quotes"},
      {"a == 1", 1, 3, "\"==\" is not an operator; use \"=\""},
      {"a = 1 AND b = 2", 1, 7,
       "expected \"and\", \"or\" or end of rule after \"1\", found \"AND\" (keywords are "
       "lowercase)"},
      {"tag vip", 1, 5, "expected a tag name in double quotes after \"tag\", found \"vip\""},
      {"in_segment \"x\"", 1, 12, "expected \"(\" after \"in_segment\", found the string \"x\""},
      {"count(purchase) >= x", 1, 20, "expected a number after \">=\", found \"x\""},
      {"count(purchase)", 1, 16,
       "expected a comparison (=, !=, <, <=, >, >=) or \"between\" after \"count(...)\", "
       "found end of rule"},
      {"count(purchase, last 7 weeks) > 1", 1, 24,
       "expected \"days\" after \"7\", found \"weeks\""},
      {"count(purchase last 7 days) > 1", 1, 16,
       "expected \"where\", \",\" or \")\" to close \"count(\" at 1:6 after \"purchase\", "
       "found \"last\""},
      {"count(purchase where page = 1) > 1", 1, 22,
       "expected a filter (channel, currency or properties.NAME) after \"where\", found "
       "\"page\""},
      {"count(purchase where channel > \"x\") > 1", 1, 30,
       "expected \"=\", \"!=\" or \"in\" after \"channel\", found \">\""},
      {"last(purchase) > 3", 1, 16,
       "expected a date condition (within last/next N days, before/after N days ago, "
       "before/after/on a date, between two dates) after \"last(...)\", found \">\""},
      {"birthday within 7 days", 1, 17,
       "expected \"last\" or \"next\" after \"within\", found the number \"7\""},
      {"x before yesterday", 1, 10,
       "expected a date (YYYY-MM-DD) or a number of days after \"before\", found "
       "\"yesterday\""},
      {"x before 3 days", 1, 16, "expected \"ago\" after \"days\", found end of rule"},
      {"x is", 1, 5, "expected \"set\" or \"not set\" after \"is\", found end of rule"},
      {"x in ()", 1, 7,
       "expected a value (a string, number, date, true or false) after \"(\", found \")\""},
      {"x in (1 2)", 1, 9,
       "expected \",\" or \")\" to end the list after \"1\", found the number \"2\""},
      {"x contains 5", 1, 12, "expected a string after \"contains\", found the number \"5\""},
      {"x between 1 or 2", 1, 13, "expected \"and\" after \"1\", found \"or\""},
      {"x between 5 and 1", 1, 11, "the range is empty: 5 is greater than 1"},
      {"x between 2024-02-01 and 2024-01-01", 1, 11,
       "the range is empty: 2024-02-01 is after 2024-01-01"},
      {"a = 1 and\n  b = \"x\\q\"", 2, 9,
       "invalid escape in string; use \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX"},
      {"a = \"\\u12\"", 1, 6, "invalid \\u escape: expected four hex digits"},
      {"a = \"\\ud800\"", 1, 6, "invalid \\u escape: unpaired surrogate"},
      {"a = \"\\udc00\"", 1, 6, "invalid \\u escape: unpaired surrogate"},
      {"a = \"\\u0000\"", 1, 6, "strings cannot contain U+0000"},
      {"a = \"x\ty\"", 1, 7,
       "control character U+0009 in string; write it as an escape such as \\n, \\t or "
       "\\u0009"},
      {"a = \"\xff\"", 1, 6, "invalid UTF-8 in string"},
      {"a = \"\xc3\"", 1, 6, "invalid UTF-8 in string"},
      {"é = 1", 1, 1, "unexpected character \"é\""},
      {"a = 1 ; b", 1, 7, "unexpected character \";\""},
      {"a = 1 \x80", 1, 7, "unexpected character byte 0x80 (not valid UTF-8)"},
      {"a = 1e5", 1, 5, "invalid number \"1e5\""},
      {"a = 1.", 1, 5, "invalid number \"1.\""},
      {"a = 1.2.3", 1, 5, "invalid number \"1.2.3\""},
      {"a = 3days", 1, 5, "invalid number \"3days\""},
      {"a = 2024-1-1", 1, 5, "invalid date \"2024-1-1\"; expected YYYY-MM-DD"},
      {"a = 2023-02-29", 1, 5, "invalid date \"2023-02-29\": that month has 28 days"},
      {"a = 2024-13-01", 1, 5, "invalid date \"2024-13-01\": no month 13"},
      {"a = 2024-04-31", 1, 5, "invalid date \"2024-04-31\": that month has 30 days"},
      {"a = 0000-01-01", 1, 5, "invalid date \"0000-01-01\": the year must be 0001 to 9999"},
      {"x within last 0 days", 1, 15, "the number of days must be between 1 and 36600, found 0"},
      {"x within last 36601 days", 1, 15,
       "the number of days must be between 1 and 36600, found 36601"},
      {"count(p, last 0 days) > 1", 1, 15,
       "the number of days must be between 1 and 36600, found 0"},
      {"x within last 1.5 days", 1, 15,
       "expected a number of days (1 to 36600) after \"last\", found the number \"1.5\""},
      {"x within last -3 days", 1, 15,
       "expected a number of days (1 to 36600) after \"last\", found the number \"-3\""},
      {"a = 9223372036854775808", 1, 5,
       "number \"9223372036854775808\" is out of range (at most 9223372036854775807 without "
       "the decimal point)"},
      {"a = -9223372036854775809", 1, 5,
       "number \"-9223372036854775809\" is out of range (at most 9223372036854775807 without "
       "the decimal point)"},
      {"a = 92233720368547758.08", 1, 5,
       "number \"92233720368547758.08\" is out of range (at most 9223372036854775807 without "
       "the decimal point)"},
      {"a = 1234567890.123456", 1, 5,
       "number \"1234567890.123456\" is too precise: a number with a fractional part has at "
       "most 15 significant digits and 15 decimal places"},
      {"a = 0.0000000000000001", 1, 5,
       "number \"0.0000000000000001\" is too precise: a number with a fractional part has at "
       "most 15 significant digits and 15 decimal places"},
      {"first = 1", 1, 7, "expected \"(\" after \"first\", found \"=\""},
      {"anniversary(count) within next 3 days", 1, 13,
       "expected a field name after \"(\", found \"count\""},
      {"anniversary(x) = 1", 1, 16,
       "expected a date condition (within last/next N days, before/after N days ago, "
       "before/after/on a date, between two dates) after \")\", found \"=\""},
      {"company. = 1", 1, 10, "expected a name after \".\", found \"=\""},
      {"not", 1, 4,
       "expected a condition (a field comparison, tag \"...\", in_segment(\"...\"), "
       "count/sum/exists/first/last(...), anniversary(...), \"not\" or \"(\") after \"not\", "
       "found end of rule"},
      {"a = 1 or or b = 1", 1, 10,
       "expected a condition (a field comparison, tag \"...\", in_segment(\"...\"), "
       "count/sum/exists/first/last(...), anniversary(...), \"not\" or \"(\") after \"or\", "
       "found \"or\""},
      {"a = 1)", 1, 6, "expected \"and\", \"or\" or end of rule after \"1\", found \")\""},
  };
  for (const ErrorCase& c : cases) {
    RuleError e = MustFail(c.text);
    EXPECT_EQ(e.line, c.line) << c.text;
    EXPECT_EQ(e.column, c.column) << c.text;
    EXPECT_EQ(e.message, c.message) << c.text;
  }
}

TEST(ParseTextErrors, FirstErrorWinsOverLaterLexicalErrors) {
  RuleError e = MustFail("tag 5 \"unterminated");
  EXPECT_EQ(e.column, 5);
  EXPECT_EQ(e.message,
            "expected a tag name in double quotes after \"tag\", found the number \"5\"");
}

TEST(ParseTextErrors, LongTokensAreShortenedInMessages) {
  const std::string name(100, 'x');
  RuleError e = MustFail(name + " ~");
  EXPECT_EQ(e.message, "unexpected character \"~\"");
  RuleError f = MustFail("a = 1 " + name);
  EXPECT_EQ(f.message, "expected \"and\", \"or\" or end of rule after \"1\", found \"" +
                           std::string(40, 'x') + "...\"");
}

// ---------------------------------------------------------------------------------------
// Limits.

TEST(Limits, Parentheses) {
  const int n = kMaxRuleDepth;
  MustParse(std::string(n, '(') + "a = 1" + std::string(n, ')'));
  RuleError e = MustFail(std::string(n + 1, '(') + "a = 1" + std::string(n + 1, ')'));
  EXPECT_EQ(e.column, n + 1);
  EXPECT_EQ(e.message,
            "the rule is nested too deeply: at most 64 levels of parentheses and "
            "\"not\"");
  // Far beyond the limit: an error, not a stack overflow.
  MustFail(std::string(1000000, '('));
  MustFail(std::string(60000, '('));
}

TEST(Limits, Not) {
  std::string nots;
  for (int i = 0; i < kMaxRuleDepth - 1; ++i) nots += "not ";
  MustParse(nots + "a = 1");
  RuleError e = MustFail(nots + "not not a = 1");
  EXPECT_EQ(e.message,
            "the rule is nested too deeply: at most 64 levels of parentheses and "
            "\"not\"");
  std::string many;
  for (int i = 0; i < 16000; ++i) many += "not ";
  MustFail(many + "a = 1");
}

TEST(Limits, TreeDepth) {
  // The first parenthesis adds nothing (a and (a) is one group); each further one adds a level.
  std::string text = "a = 1";
  for (int i = 0; i < kMaxRuleDepth; ++i) {
    text = (i % 2 ? "a = 1 or (" : "a = 1 and (") + text + ")";
  }
  RuleError e = MustFail(text);
  EXPECT_EQ(e.message, "the rule is nested too deeply: at most 64 levels of and/or/not");
  std::string ok = "a = 1";
  for (int i = 0; i < kMaxRuleDepth - 1; ++i) {
    ok = (i % 2 ? "a = 1 or (" : "a = 1 and (") + ok + ")";
  }
  EXPECT_EQ(fuzzing::CheckRoundTrips(ok), "");
}

TEST(Limits, Size) {
  std::string big = "a = 1";
  while (big.size() <= kMaxRuleTextBytes) big += " or a = 1";
  RuleError e = MustFail(big);
  EXPECT_EQ(e.line, 1);
  EXPECT_EQ(e.column, 1);
  EXPECT_EQ(e.message,
            "the rule is too long: " + std::to_string(big.size()) + " bytes; at most 65536");
  // A dense rule that fits but grows past the limit once printed canonically.
  std::string dense = "a=1";
  while (dense.size() + 7 <= kMaxRuleTextBytes) dense += " or a=1";
  RuleError d = MustFail(dense);
  EXPECT_NE(d.message.find("once written in canonical form"), std::string::npos);
  std::string fits = "a = 1";
  while (fits.size() + 9 <= kMaxRuleTextBytes) fits += " or a = 1";
  EXPECT_EQ(ToText(MustParse(fits)), fits);
}

// ---------------------------------------------------------------------------------------
// Inputs the fuzzer found (or that guard the same properties), replayed on every test run.

// Every regular file directly in `dir`, in name order.
std::vector<std::pair<std::string, std::string>> ReadInputs(const std::filesystem::path& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename().string().starts_with(".")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    out.emplace_back(entry.path().string(), buf.str());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(FuzzRegressions, TextInputsPassTheFuzzChecks) {
  const std::filesystem::path dir = RAPPORT_FUZZ_REGRESSIONS_DIR;
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  const auto inputs = ReadInputs(dir);
  EXPECT_FALSE(inputs.empty());
  for (const auto& [name, input] : inputs) {
    EXPECT_EQ(fuzzing::CheckRoundTrips(input), "") << name;
  }
}

TEST(FuzzRegressions, JsonInputsPassTheFuzzChecks) {
  const std::filesystem::path dir = std::filesystem::path(RAPPORT_FUZZ_REGRESSIONS_DIR) / "json";
  for (const auto& [name, input] : ReadInputs(dir)) {
    EXPECT_EQ(fuzzing::CheckJsonRoundTrips(input), "") << name;
  }
}

}  // namespace
}  // namespace rapport::segments
