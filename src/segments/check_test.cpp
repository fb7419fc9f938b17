#include "segments/check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "segments/catalog.h"
#include "testing/temp_store.h"

namespace rapport::segments {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Rules are built by hand so these tests depend on the tree alone, not on the parser.
Rule Field(std::string field, Op op, std::vector<Literal> values = {}, int32_t days = 0,
           Pos pos = {1, 1}) {
  Rule r;
  r.kind = Rule::Kind::kField;
  r.field = std::move(field);
  r.op = op;
  r.values = std::move(values);
  r.days = days;
  r.pos = pos;
  return r;
}

Rule Named(Rule::Kind kind, std::string name, Pos pos = {1, 1}) {
  Rule r;
  r.kind = kind;
  r.name = std::move(name);
  r.pos = pos;
  return r;
}

Rule Act(Aggregate agg, std::string type, Op op = Op::kEq, std::vector<Literal> values = {},
         std::string attribute = "", Pos pos = {1, 1}) {
  Rule r;
  r.kind = Rule::Kind::kActivity;
  r.aggregate = agg;
  r.activity_type = std::move(type);
  r.attribute = std::move(attribute);
  r.op = op;
  r.values = std::move(values);
  r.pos = pos;
  return r;
}

Rule Join(Rule::Kind kind, std::vector<Rule> children) {
  Rule r;
  r.kind = kind;
  r.children = std::move(children);
  if (!r.children.empty()) r.pos = r.children[0].pos;
  return r;
}

ActivityFilter Filter(std::string key, Op op, std::vector<Literal> values, Pos pos = {1, 1}) {
  return ActivityFilter{std::move(key), op, std::move(values), pos};
}

Decimal Num(int64_t units, int scale = 0) { return Decimal{units, scale}; }
Literal Str(const char* s) { return std::string(s); }

fields::FieldDef Def(std::string key, fields::FieldType type,
                     std::vector<std::string> options = {}) {
  fields::FieldDef d;
  d.key = key;
  d.type = type;
  d.options = std::move(options);
  return d;
}

Catalog TestCatalog() {
  Catalog c;
  for (auto d : {Def("tier", fields::FieldType::kEnum, {"gold", "silver"}),
                 Def("score", fields::FieldType::kNumber), Def("vip", fields::FieldType::kBoolean),
                 Def("renewal", fields::FieldType::kDate), Def("note", fields::FieldType::kText)}) {
    c.contact_fields.emplace(d.key, d);
  }
  for (auto d :
       {Def("region", fields::FieldType::kText), Def("founded", fields::FieldType::kDate)}) {
    d.entity = fields::Entity::kCompany;
    c.company_fields.emplace(d.key, d);
  }
  c.tags = {{"vip", 7}, {"newsletter", 8}};
  c.segments = {{"loyal", {3, true}}, {"list", {4, false}}};
  c.custom_activity_types = {"webinar"};
  return c;
}

class CheckTest : public ::testing::Test {
 protected:
  // Checks `r` and returns the errors' messages.
  std::vector<std::string> Messages(Rule& r) {
    std::vector<std::string> out;
    for (const auto& e : Check(r, catalog_)) out.push_back(e.message);
    return out;
  }
  // Expects exactly one error and returns its message.
  std::string OneError(Rule r) {
    auto errors = Check(r, catalog_);
    EXPECT_EQ(errors.size(), 1u);
    return errors.empty() ? "" : errors[0].message;
  }
  BoundField Resolved(std::string field, Op op = Op::kIsSet, std::vector<Literal> values = {},
                      int32_t days = 0) {
    Rule r = Field(std::move(field), op, std::move(values), days);
    auto errors = Check(r, catalog_);
    EXPECT_TRUE(errors.empty()) << errors[0].message;
    return r.bound.field;
  }

  Catalog catalog_ = TestCatalog();
};

TEST_F(CheckTest, ResolvesEveryContactStandardField) {
  const std::pair<const char*, ValueType> fields[] = {
      {"email", ValueType::kText},           {"phone", ValueType::kText},
      {"first_name", ValueType::kText},      {"last_name", ValueType::kText},
      {"source", ValueType::kText},          {"external_id", ValueType::kText},
      {"timezone", ValueType::kText},        {"lifecycle_stage", ValueType::kEnum},
      {"birthday", ValueType::kDate},        {"created_at", ValueType::kTimestamp},
      {"updated_at", ValueType::kTimestamp}, {"owner_id", ValueType::kId},
      {"company_id", ValueType::kId}};
  for (const auto& [name, type] : fields) {
    BoundField f = Resolved(name);
    EXPECT_EQ(f.source, FieldSource::kContact) << name;
    EXPECT_EQ(f.column, name);
    EXPECT_EQ(f.type, type) << name;
    EXPECT_FALSE(f.anniversary);
  }
}

TEST_F(CheckTest, ResolvesCompanyStandardAndCustomFields) {
  const std::pair<const char*, ValueType> fields[] = {
      {"name", ValueType::kText},         {"domain", ValueType::kText},
      {"industry", ValueType::kText},     {"country", ValueType::kText},
      {"relationship", ValueType::kEnum}, {"size", ValueType::kNumber},
      {"owner_id", ValueType::kId},       {"created_at", ValueType::kTimestamp}};
  for (const auto& [name, type] : fields) {
    BoundField f = Resolved(std::string("company.") + name);
    EXPECT_EQ(f.source, FieldSource::kCompany) << name;
    EXPECT_EQ(f.column, name);
    EXPECT_EQ(f.type, type) << name;
  }
  for (const char* path : {"company.custom.region", "company.region"}) {
    BoundField f = Resolved(path);
    EXPECT_EQ(f.source, FieldSource::kCompanyCustom) << path;
    EXPECT_EQ(f.column, "region");
    EXPECT_EQ(f.type, ValueType::kText);
  }
  EXPECT_EQ(Resolved("company.founded").type, ValueType::kDate);
}

TEST_F(CheckTest, ResolvesContactCustomFieldsWithAndWithoutPrefix) {
  const std::pair<const char*, ValueType> fields[] = {{"tier", ValueType::kEnum},
                                                      {"score", ValueType::kNumber},
                                                      {"vip", ValueType::kBoolean},
                                                      {"renewal", ValueType::kDate},
                                                      {"note", ValueType::kText}};
  for (const auto& [key, type] : fields) {
    for (const std::string& path : {std::string("custom.") + key, std::string(key)}) {
      BoundField f = Resolved(path);
      EXPECT_EQ(f.source, FieldSource::kContactCustom) << path;
      EXPECT_EQ(f.column, key);
      EXPECT_EQ(f.type, type) << path;
    }
  }
}

TEST_F(CheckTest, ResolvesScoresToTheScoreSource) {
  catalog_.scores = {"churn_risk"};
  Rule r = Field("churn_risk", Op::kGt, {Num(7, 1)});
  ASSERT_TRUE(Check(r, catalog_).empty());
  EXPECT_EQ(r.bound.field.source, FieldSource::kScore);
  EXPECT_EQ(r.bound.field.column, "churn_risk");
  EXPECT_EQ(r.bound.field.type, ValueType::kNumber);
}

TEST_F(CheckTest, UnknownFieldsNameWhatWasExpected) {
  EXPECT_THAT(OneError(Field("foo", Op::kIsSet)),
              StartsWith("unknown field \"foo\"; expected a contact field (email, phone, "));
  EXPECT_THAT(OneError(Field("foo", Op::kIsSet)),
              HasSubstr("), custom.<key>, company.<field> or a score"));
  EXPECT_THAT(OneError(Field("custom.plan", Op::kIsSet)),
              AllOf(HasSubstr("unknown custom field \"custom.plan\""),
                    HasSubstr("defined: note, renewal, score, tier, vip")));
  EXPECT_THAT(OneError(Field("company.plan", Op::kIsSet)),
              AllOf(HasSubstr("unknown company field \"company.plan\""),
                    HasSubstr("name, domain, industry"), HasSubstr("defined: founded, region")));
  EXPECT_THAT(OneError(Field("company.custom.tier", Op::kIsSet)),
              HasSubstr("unknown company custom field \"company.custom.tier\""));
  // A company field is not a contact field, and a contact custom field is not a company one.
  EXPECT_THAT(OneError(Field("relationship", Op::kIsSet)), HasSubstr("unknown field"));
  EXPECT_THAT(OneError(Field("custom.region", Op::kIsSet)), HasSubstr("unknown custom field"));
  // Scores exist only when the catalog lists them.
  EXPECT_THAT(OneError(Field("churn_risk", Op::kIsSet)), HasSubstr("unknown field"));
}

TEST_F(CheckTest, OperatorsMustFitTheFieldType) {
  EXPECT_EQ(OneError(Field("custom.score", Op::kContains, {Str("1")})),
            "operator contains does not apply to number field \"custom.score\"; expected one of: "
            "=, !=, <, <=, >, >=, in, between, is_set, is_not_set");
  EXPECT_THAT(OneError(Field("lifecycle_stage", Op::kLt, {Str("lead")})),
              AllOf(HasSubstr("operator < does not apply to enum field \"lifecycle_stage\""),
                    HasSubstr("expected one of: =, !=, in, is_set, is_not_set")));
  EXPECT_THAT(OneError(Field("custom.vip", Op::kIn, {true})),
              HasSubstr("expected one of: =, !=, is_set, is_not_set"));
  EXPECT_THAT(OneError(Field("email", Op::kBetween, {Str("a"), Str("b")})),
              HasSubstr("does not apply to text field \"email\""));
  EXPECT_THAT(OneError(Field("email", Op::kWithinLast, {}, 3)),
              HasSubstr("operator within_last does not apply to text field"));
  // Timestamps take date conditions only; dates also take comparisons.
  EXPECT_THAT(OneError(Field("created_at", Op::kLt, {Date{100}})),
              HasSubstr("operator < does not apply to timestamp field \"created_at\""));
  EXPECT_TRUE(Resolved("birthday", Op::kLt, {Date{100}}).type == ValueType::kDate);
  EXPECT_THAT(OneError(Field("custom.renewal", Op::kContains, {Str("2024")})),
              HasSubstr("does not apply to date field"));
}

TEST_F(CheckTest, EveryAllowedOperatorChecks) {
  for (Op op :
       {Op::kEq, Op::kNe, Op::kLt, Op::kLe, Op::kGt, Op::kGe, Op::kContains, Op::kStartsWith}) {
    Resolved("email", op, {Str("x")});
  }
  Resolved("email", Op::kIn, {Str("x"), Str("y")});
  Resolved("email", Op::kIsNotSet);
  Resolved("custom.tier", Op::kIn, {Str("gold"), Str("silver")});
  Resolved("company.relationship", Op::kEq, {Str("distributor")});
  Resolved("custom.score", Op::kBetween, {Num(1), Num(25, 1)});
  Resolved("owner_id", Op::kIn, {Num(1), Num(2)});
  Resolved("custom.vip", Op::kNe, {false});
  for (Op op : {Op::kWithinLast, Op::kWithinNext, Op::kBeforeDaysAgo, Op::kAfterDaysAgo}) {
    Resolved("created_at", op, {}, 30);
    Resolved("custom.renewal", op, {}, 30);
  }
  for (Op op : {Op::kBefore, Op::kAfter, Op::kOn, Op::kEq, Op::kGe}) {
    Resolved("custom.renewal", op, {Date{20000}});
  }
  Resolved("company.created_at", Op::kBetween, {Date{1}, Date{2}});
}

TEST_F(CheckTest, EnumValuesMustBeOptions) {
  EXPECT_EQ(OneError(Field("lifecycle_stage", Op::kEq, {Str("vip")})),
            "expected one of: lead, subscriber, customer, advocate, at_risk, churned, other; found "
            "the string \"vip\" for enum field \"lifecycle_stage\"");
  EXPECT_THAT(OneError(Field("company.relationship", Op::kIn, {Str("customer"), Str("friend")})),
              HasSubstr("expected one of: customer, prospect, vendor, supplier, distributor, "
                        "partner, other; found the string \"friend\""));
  EXPECT_THAT(OneError(Field("tier", Op::kNe, {Str("bronze")})),
              HasSubstr("expected one of: gold, silver; found the string \"bronze\""));
}

TEST_F(CheckTest, LiteralTypesMustMatch) {
  EXPECT_EQ(OneError(Field("email", Op::kEq, {Num(5)})),
            "expected a string; found the number 5 for text field \"email\"");
  EXPECT_THAT(OneError(Field("custom.score", Op::kGt, {Str("5")})),
              HasSubstr("expected a number; found the string \"5\""));
  EXPECT_THAT(OneError(Field("owner_id", Op::kEq, {Num(15, 1)})),
              HasSubstr("expected a whole number (an id); found the number 1.5"));
  EXPECT_THAT(OneError(Field("custom.vip", Op::kEq, {Num(1)})),
              HasSubstr("expected true or false; found the number 1"));
  EXPECT_THAT(OneError(Field("birthday", Op::kBefore, {Str("2020-01-01")})),
              HasSubstr("expected a date (YYYY-MM-DD); found the string \"2020-01-01\""));
}

TEST_F(CheckTest, OperandCountsAndDaysAreChecked) {
  EXPECT_THAT(OneError(Field("email", Op::kEq, {})), HasSubstr("= takes one value; found 0"));
  EXPECT_THAT(OneError(Field("custom.score", Op::kBetween, {Num(1)})),
              HasSubstr("between takes two values; found 1"));
  EXPECT_THAT(OneError(Field("email", Op::kIn, {})), HasSubstr("one or more values"));
  EXPECT_THAT(OneError(Field("created_at", Op::kWithinLast, {}, 0)),
              HasSubstr("the number of days must be between 1 and 36600, found 0"));
}

TEST_F(CheckTest, BirthdayWithinIsAnAnniversary) {
  EXPECT_TRUE(Resolved("birthday", Op::kWithinNext, {}, 7).anniversary);
  EXPECT_TRUE(Resolved("birthday", Op::kWithinLast, {}, 7).anniversary);
  EXPECT_FALSE(Resolved("birthday", Op::kBeforeDaysAgo, {}, 7).anniversary);
  EXPECT_FALSE(Resolved("birthday", Op::kOn, {Date{0}}).anniversary);
  // Other date fields compare absolute days unless written as anniversary(...).
  EXPECT_FALSE(Resolved("custom.renewal", Op::kWithinNext, {}, 7).anniversary);
  Rule r = Field("custom.renewal", Op::kWithinNext, {}, 30);
  r.anniversary = true;
  ASSERT_TRUE(Check(r, catalog_).empty());
  EXPECT_TRUE(r.bound.field.anniversary);
  Rule company = Field("company.founded", Op::kWithinLast, {}, 30);
  company.anniversary = true;
  ASSERT_TRUE(Check(company, catalog_).empty());
  EXPECT_TRUE(company.bound.field.anniversary);
}

TEST_F(CheckTest, AnniversaryNeedsADateFieldAndAWithinCondition) {
  Rule text = Field("email", Op::kWithinNext, {}, 7);
  text.anniversary = true;
  EXPECT_EQ(OneError(text), "anniversary(...) needs a date field; found text field \"email\"");
  Rule ts = Field("created_at", Op::kWithinNext, {}, 7);
  ts.anniversary = true;
  EXPECT_THAT(OneError(ts), HasSubstr("found timestamp field \"created_at\""));
  Rule on = Field("birthday", Op::kOn, {Date{0}});
  on.anniversary = true;
  EXPECT_THAT(OneError(on), HasSubstr("takes within_last or within_next N days; found on"));
}

TEST_F(CheckTest, TagsAndSegmentsResolveToIds) {
  Rule tag = Named(Rule::Kind::kTag, "vip");
  ASSERT_TRUE(Check(tag, catalog_).empty());
  EXPECT_EQ(tag.bound.id, 7);
  Rule seg = Named(Rule::Kind::kInSegment, "list");
  ASSERT_TRUE(Check(seg, catalog_).empty());
  EXPECT_EQ(seg.bound.id, 4);
  EXPECT_EQ(OneError(Named(Rule::Kind::kTag, "VIP")),
            "unknown tag \"VIP\"; expected an existing tag");
  EXPECT_EQ(OneError(Named(Rule::Kind::kInSegment, "nope")),
            "unknown segment \"nope\"; expected an existing segment");
}

TEST_F(CheckTest, ActivityTypesMustExist) {
  Rule builtin = Act(Aggregate::kExists, "email_opened");
  EXPECT_TRUE(Check(builtin, catalog_).empty());
  Rule custom = Act(Aggregate::kCount, "webinar", Op::kGe, {Num(1)});
  EXPECT_TRUE(Check(custom, catalog_).empty());
  EXPECT_THAT(OneError(Act(Aggregate::kExists, "purchased")),
              AllOf(StartsWith("unknown activity type \"purchased\"; expected a built-in type "
                               "(email_sent, email_opened, "),
                    HasSubstr("or a custom type (webinar)")));
}

TEST_F(CheckTest, AttributesBelongToSumOnly) {
  Rule sum = Act(Aggregate::kSum, "purchase", Op::kGt, {Num(20000, 2)}, "amount");
  ASSERT_TRUE(Check(sum, catalog_).empty());
  EXPECT_EQ(sum.bound.minor, 20000);
  EXPECT_THAT(OneError(Act(Aggregate::kSum, "purchase", Op::kGt, {Num(1)})),
              HasSubstr("sum(...) needs the attribute to add up: sum(purchase.amount)"));
  EXPECT_THAT(OneError(Act(Aggregate::kSum, "purchase", Op::kGt, {Num(1)}, "price")),
              HasSubstr("unknown attribute \"price\" for sum(...); expected \"amount\""));
  EXPECT_THAT(OneError(Act(Aggregate::kCount, "purchase", Op::kGt, {Num(1)}, "amount")),
              HasSubstr("count(...) takes no attribute; found \"amount\""));
}

TEST_F(CheckTest, SumLiteralsBecomeMinorUnits) {
  struct Case {
    Decimal value;
    int64_t minor;
  } cases[] = {{Num(200), 20000}, {Num(20000, 2), 20000}, {Num(200000, 3), 20000},
               {Num(5, 1), 50},   {Num(-1234, 2), -1234}, {Num(0), 0},
               {Num(1, 2), 1}};
  for (const auto& c : cases) {
    Rule r = Act(Aggregate::kSum, "purchase", Op::kGe, {c.value}, "amount");
    ASSERT_TRUE(Check(r, catalog_).empty());
    EXPECT_EQ(r.bound.minor, c.minor) << c.value.units << "e-" << c.value.scale;
  }
  Rule between = Act(Aggregate::kSum, "purchase", Op::kBetween, {Num(1050, 2), Num(99)}, "amount");
  ASSERT_TRUE(Check(between, catalog_).empty());
  EXPECT_EQ(between.bound.minor, 1050);
  EXPECT_EQ(between.bound.minor_hi, 9900);
}

TEST_F(CheckTest, SumRejectsMoreThanTwoDecimalsAndOverflow) {
  EXPECT_EQ(OneError(Act(Aggregate::kSum, "purchase", Op::kGt, {Num(1005, 3)}, "amount")),
            "amounts have at most 2 decimal places; found 1.005");
  EXPECT_THAT(OneError(Act(Aggregate::kSum, "purchase", Op::kGt, {Num(INT64_MAX / 10)}, "amount")),
              HasSubstr("is too large"));
  EXPECT_THAT(OneError(Act(Aggregate::kSum, "purchase", Op::kGt, {Str("5")}, "amount")),
              HasSubstr("sum(...) compares with an amount; found the string \"5\""));
}

TEST_F(CheckTest, CountComparesWithNonNegativeWholeNumbers) {
  Rule ok = Act(Aggregate::kCount, "purchase", Op::kBetween, {Num(0), Num(300, 2)});
  EXPECT_TRUE(Check(ok, catalog_).empty());
  EXPECT_EQ(OneError(Act(Aggregate::kCount, "purchase", Op::kGe, {Num(15, 1)})),
            "count(...) compares with a whole number of activities (0 or more); found the number "
            "1.5");
  EXPECT_THAT(OneError(Act(Aggregate::kCount, "purchase", Op::kGe, {Num(-1)})),
              HasSubstr("found the number -1"));
  EXPECT_THAT(OneError(Act(Aggregate::kCount, "purchase", Op::kIn, {Num(1)})),
              HasSubstr("operator in does not apply to count(...); expected one of: =, !=, <, <=, "
                        ">, >=, between"));
}

TEST_F(CheckTest, FirstLastNeedADateConditionAndExistsNone) {
  for (Op op : {Op::kWithinLast, Op::kBeforeDaysAgo}) {
    Rule r = Act(Aggregate::kLast, "purchase", op);
    r.days = 30;
    EXPECT_TRUE(Check(r, catalog_).empty());
  }
  Rule on = Act(Aggregate::kFirst, "purchase", Op::kOn, {Date{5}});
  EXPECT_TRUE(Check(on, catalog_).empty());
  EXPECT_THAT(OneError(Act(Aggregate::kFirst, "purchase", Op::kGt, {Num(3)})),
              HasSubstr("operator > does not apply to first(...); expected a date condition: "
                        "within_last, within_next"));
  EXPECT_THAT(OneError(Act(Aggregate::kLast, "purchase", Op::kBefore, {Num(3)})),
              HasSubstr("expected a date (YYYY-MM-DD); found the number 3 for last(...)"));
  EXPECT_THAT(OneError(Act(Aggregate::kExists, "purchase", Op::kEq, {Num(3)})),
              HasSubstr("exists(...) takes no comparison"));
}

TEST_F(CheckTest, ActivityFiltersAreChecked) {
  Rule ok = Act(Aggregate::kCount, "web_visit", Op::kGe, {Num(2)});
  ok.filters = {Filter("channel", Op::kIn, {Str("web"), Str("email")}),
                Filter("currency", Op::kNe, {Str("EUR")}),
                Filter("properties.page", Op::kEq, {Str("/pricing")}),
                Filter("properties.trial", Op::kEq, {true}),
                Filter("properties.n", Op::kIn, {Num(1), Date{3}})};
  EXPECT_TRUE(Check(ok, catalog_).empty());

  auto one = [&](ActivityFilter f) {
    Rule r = Act(Aggregate::kExists, "web_visit");
    r.filters = {std::move(f)};
    return OneError(r);
  };
  EXPECT_THAT(one(Filter("channel", Op::kEq, {Str("fax")})),
              HasSubstr("expected a channel (email, phone, sms, web, chat, in_person, social, "
                        "support, store, other); found the string \"fax\""));
  EXPECT_THAT(one(Filter("currency", Op::kEq, {Str("eur")})),
              HasSubstr("expected an ISO 4217 currency code in upper case (\"EUR\"); found the "
                        "string \"eur\""));
  EXPECT_THAT(one(Filter("currency", Op::kIn, {Str("EUR"), Num(1)})), HasSubstr("the number 1"));
  EXPECT_THAT(one(Filter("source", Op::kEq, {Str("x")})),
              HasSubstr("unknown filter \"source\"; expected channel, currency or "
                        "properties.<name>"));
  EXPECT_THAT(one(Filter("properties.a-b", Op::kEq, {Str("x")})),
              HasSubstr("invalid property name"));
  EXPECT_THAT(one(Filter("channel", Op::kLt, {Str("web")})),
              HasSubstr("operator < does not apply to the filter \"channel\"; expected one of: =, "
                        "!=, in"));
  EXPECT_THAT(one(Filter("properties.page", Op::kEq, {})), HasSubstr("takes one value; found 0"));
}

TEST_F(CheckTest, WindowDaysAreChecked) {
  Rule r = Act(Aggregate::kExists, "purchase");
  r.window.kind = Window::Kind::kLastDays;
  r.window.days = 0;
  EXPECT_THAT(OneError(r), HasSubstr("between 1 and 36600, found 0"));
}

TEST_F(CheckTest, ReportsAllErrorsInSourceOrderAndFillsNestedBounds) {
  Rule filtered = Act(Aggregate::kCount, "nope", Op::kGe, {Num(1)}, "", {2, 5});
  filtered.filters = {Filter("channel", Op::kEq, {Str("fax")}, {2, 20})};
  Rule rule =
      Join(Rule::Kind::kOr, {Join(Rule::Kind::kAnd, {Named(Rule::Kind::kTag, "vip", {1, 1}),
                                                     Field("foo", Op::kIsSet, {}, 0, {1, 15})}),
                             Join(Rule::Kind::kNot, {Named(Rule::Kind::kTag, "gone", {1, 40})}),
                             filtered, Field("custom.score", Op::kGt, {Num(3)}, 0, {3, 1})});
  // Out of order in the tree on purpose: the result is sorted by position.
  std::swap(rule.children[1], rule.children[2]);
  auto errors = Check(rule, catalog_);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(std::pair(errors[0].line, errors[0].column), std::pair(1, 15));
  EXPECT_THAT(errors[0].message, StartsWith("unknown field \"foo\""));
  EXPECT_EQ(std::pair(errors[1].line, errors[1].column), std::pair(1, 40));
  EXPECT_THAT(errors[1].message, StartsWith("unknown tag \"gone\""));
  EXPECT_EQ(std::pair(errors[2].line, errors[2].column), std::pair(2, 5));
  EXPECT_THAT(errors[2].message, StartsWith("unknown activity type \"nope\""));
  EXPECT_EQ(std::pair(errors[3].line, errors[3].column), std::pair(2, 20));
  EXPECT_THAT(errors[3].message, HasSubstr("expected a channel"));
  // The valid nodes are bound even though others failed.
  EXPECT_EQ(rule.children[0].children[0].bound.id, 7);
  EXPECT_EQ(rule.children[3].bound.field.column, "score");
}

TEST_F(CheckTest, JsonFormErrorsNameTheJsonPath) {
  Rule filtered = Act(Aggregate::kExists, "purchase", Op::kEq, {}, "", {0, 0});
  filtered.filters = {Filter("channel", Op::kEq, {Str("fax")}, {0, 0})};
  Rule rule = Join(Rule::Kind::kAnd, {Named(Rule::Kind::kTag, "vip", {0, 0}),
                                      Field("email", Op::kEq, {Num(1)}, 0, {0, 0}),
                                      Join(Rule::Kind::kNot, {filtered})});
  auto errors = Check(rule, catalog_);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].line, 0);
  EXPECT_THAT(errors[0].message, StartsWith("rule.and[1].value: expected a string"));
  EXPECT_THAT(errors[1].message, StartsWith("rule.and[2].not.where[0].value: expected a channel"));
}

TEST_F(CheckTest, CheckingAgainClearsStaleBounds) {
  Rule r = Named(Rule::Kind::kTag, "vip");
  ASSERT_TRUE(Check(r, catalog_).empty());
  catalog_.tags.erase("vip");
  EXPECT_EQ(Check(r, catalog_).size(), 1u);
  EXPECT_EQ(r.bound.id, 0);
}

TEST(LoadCatalogTest, ReadsFieldsTagsSegmentsAndTypesOfOneWorkspace) {
  testing::TempStore ts;
  Status s = ts.store().Write([](store::Txn& t) -> Status {
    RETURN_IF_ERROR(
        t.Exec("INSERT INTO workspaces (id, name, created_at) VALUES (2, 'other', 0)").status());
    const char* fields =
        "INSERT INTO custom_fields (workspace_id, entity, key, label, type, options, created_at, "
        "updated_at) VALUES ($1, $2, $3, 'L', $4, $5, 0, 0)";
    RETURN_IF_ERROR(
        t.Exec(fields, {int64_t{1}, "contact", "tier", "enum", R"(["gold","silver"])"}).status());
    RETURN_IF_ERROR(
        t.Exec(fields, {int64_t{1}, "company", "region", "text", store::Null{}}).status());
    RETURN_IF_ERROR(
        t.Exec(fields, {int64_t{2}, "contact", "other_ws", "text", store::Null{}}).status());
    RETURN_IF_ERROR(t.Exec("INSERT INTO tags (id, workspace_id, name, created_at) VALUES "
                           "(11, 1, 'vip', 0), (12, 2, 'other', 0)")
                        .status());
    RETURN_IF_ERROR(t.Exec("INSERT INTO segments (id, workspace_id, name, kind, rule, created_at, "
                           "updated_at) VALUES (21, 1, 'loyal', 'dynamic', 'tag \"vip\"', 0, 0), "
                           "(22, 1, 'list', 'static', NULL, 0, 0)")
                        .status());
    return t
        .Exec(
            "INSERT INTO activity_types (workspace_id, name, label, schema, created_at) "
            "VALUES (1, 'webinar', 'Webinar', '{}', 0), (2, 'other', 'Other', '{}', 0)")
        .status();
  });
  ASSERT_TRUE(s.ok()) << s.message();
  auto catalog = ts.store().Read([](store::Txn& t) { return LoadCatalog(t, WorkspaceId(1)); });
  ASSERT_TRUE(catalog.has_value()) << catalog.error().message();
  const Catalog& c = *catalog;
  ASSERT_EQ(c.contact_fields.size(), 1u);
  EXPECT_EQ(c.contact_fields.at("tier").type, fields::FieldType::kEnum);
  EXPECT_EQ(c.contact_fields.at("tier").options, (std::vector<std::string>{"gold", "silver"}));
  ASSERT_EQ(c.company_fields.size(), 1u);
  EXPECT_EQ(c.company_fields.count("region"), 1u);
  EXPECT_EQ(c.tags, (std::map<std::string, int64_t>{{"vip", 11}}));
  ASSERT_EQ(c.segments.size(), 2u);
  EXPECT_EQ(c.segments.at("loyal").id, 21);
  EXPECT_TRUE(c.segments.at("loyal").dynamic);
  EXPECT_FALSE(c.segments.at("list").dynamic);
  EXPECT_EQ(c.custom_activity_types, std::vector<std::string>{"webinar"});
  EXPECT_TRUE(c.scores.empty());
}

}  // namespace
}  // namespace rapport::segments
