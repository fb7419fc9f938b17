#include "fields/custom_field.h"

#include <gtest/gtest.h>

#include "testing/temp_store.h"

namespace rapport::fields {
namespace {

FieldInput Input(std::string entity, std::string key, std::string type,
                 std::optional<std::vector<std::string>> options = std::nullopt, bool required = false) {
  FieldInput in;
  in.entity = std::optional<std::string>(entity);
  in.key = std::optional<std::string>(key);
  in.type = std::optional<std::string>(type);
  if (options) in.options = std::optional<std::vector<std::string>>(*options);
  in.required = std::optional<bool>(required);
  return in;
}

class FieldServiceTest : public ::testing::Test {
 protected:
  rapport::testing::TempStore db_;
  FakeClock clock_{rapport::testing::kTestNow};
  FieldService fields_{db_.store(), clock_};
  WorkspaceId ws_ = kDefaultWorkspace;
};

TEST_F(FieldServiceTest, CreatesAndRejectsDuplicateKeys) {
  auto plan = fields_.Create(ws_, Input("contact", "plan", "enum", std::vector<std::string>{"free", "pro"}));
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  EXPECT_EQ(plan->label, "plan");
  EXPECT_EQ(plan->options.size(), 2u);
  auto dup = fields_.Create(ws_, Input("contact", "plan", "text"));
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().code(), StatusCode::kAlreadyExists);
  // The same key on the other entity is fine.
  EXPECT_TRUE(fields_.Create(ws_, Input("company", "plan", "text")).has_value());
  EXPECT_EQ(fields_.List(ws_, Entity::kContact)->size(), 1u);
  EXPECT_EQ(fields_.List(ws_, std::nullopt)->size(), 2u);
}

TEST_F(FieldServiceTest, ValidationNamesEveryBadField) {
  auto r = fields_.Create(ws_, Input("person", "Bad Key", "colour"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kValidation);
  std::vector<std::string> names;
  for (const auto& f : r.error().fields()) names.push_back(f.field);
  EXPECT_EQ(names, (std::vector<std::string>{"entity", "key", "type"}));
  auto e = fields_.Create(ws_, Input("contact", "tier", "enum", std::vector<std::string>{"a", "a"}));
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().fields()[0].field, "options[1]");
  EXPECT_EQ(fields_.List(ws_, std::nullopt)->size(), 0u);
}

TEST_F(FieldServiceTest, ValuesAreValidatedByType) {
  std::vector<FieldDef> defs(5);
  defs[0].key = "note";
  defs[1].key = "score", defs[1].type = FieldType::kNumber;
  defs[2].key = "active", defs[2].type = FieldType::kBoolean;
  defs[3].key = "since", defs[3].type = FieldType::kDate;
  defs[4].key = "plan", defs[4].type = FieldType::kEnum, defs[4].options = {"free", "pro"},
  defs[4].required = true;

  CustomValues good = {{"note", std::string("hi")}, {"score", 4.5}, {"active", true},
                       {"since", std::string("2020-02-29")}, {"plan", std::string("pro")}};
  auto ok = MergeAndValidate(defs, {}, good, true);
  ASSERT_TRUE(ok.has_value()) << ok.error().message();
  EXPECT_EQ(ok->size(), 5u);

  CustomValues bad = {{"note", int64_t{1}}, {"score", std::string("x")}, {"active", std::string("yes")},
                      {"since", std::string("2021-02-29")}, {"nope", true}};
  auto r = MergeAndValidate(defs, {}, bad, true);
  ASSERT_FALSE(r.has_value());
  std::map<std::string, std::string> errs;
  for (const auto& f : r.error().fields()) errs[f.field] = f.message;
  EXPECT_EQ(errs.size(), 6u);
  EXPECT_EQ(errs["custom.nope"], "unknown custom field");
  EXPECT_EQ(errs["custom.plan"], "is required");
  EXPECT_EQ(errs["custom.since"], "must be a date YYYY-MM-DD");

  // In a patch, null removes a value; required values cannot be removed.
  auto patched = MergeAndValidate(defs, *ok, {{"note", std::monostate{}}}, false);
  ASSERT_TRUE(patched.has_value());
  EXPECT_EQ(patched->count("note"), 0u);
  EXPECT_FALSE(MergeAndValidate(defs, *ok, {{"plan", std::monostate{}}}, false).has_value());
  EXPECT_FALSE(MergeAndValidate(defs, *ok, {{"plan", std::string("gold")}}, false).has_value());
}

TEST_F(FieldServiceTest, CustomValuesRoundTripThroughJson) {
  CustomValues v = {{"a", std::string("x\"y")}, {"b", int64_t{9007199254740993}}, {"c", 1.25}, {"d", false}};
  EXPECT_EQ(DecodeCustom(EncodeCustom(v)), v);
}

TEST_F(FieldServiceTest, OptionsInUseCannotBeRemovedAndDeleteStripsValues) {
  auto plan = fields_.Create(ws_, Input("contact", "plan", "enum", std::vector<std::string>{"free", "pro"}));
  ASSERT_TRUE(plan.has_value());
  ASSERT_TRUE(db_.store().Write([](store::Txn& t) {
    return t.Exec("INSERT INTO contacts (workspace_id, email, lifecycle_stage, custom, created_at, "
                  "updated_at) VALUES (1, 'a@b.co', 'lead', '{\"plan\":\"pro\"}', 0, 0)")
        .status();
  }).ok());

  FieldInput drop_pro;
  drop_pro.options = std::optional<std::vector<std::string>>(std::vector<std::string>{"free"});
  auto r = fields_.Update(ws_, plan->id, drop_pro, std::nullopt);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kValidation);

  FieldInput relabel;
  relabel.label = std::optional<std::string>("Plan");
  EXPECT_EQ(fields_.Update(ws_, plan->id, relabel, 99).error().code(), StatusCode::kFailedPrecondition);
  auto relabeled = fields_.Update(ws_, plan->id, relabel, 1);
  ASSERT_TRUE(relabeled.has_value());
  EXPECT_EQ(relabeled->label, "Plan");
  EXPECT_EQ(relabeled->version, 2);

  FieldInput change_type;
  change_type.type = std::optional<std::string>("text");
  EXPECT_EQ(fields_.Update(ws_, plan->id, change_type, std::nullopt).error().fields()[0].field, "type");

  ASSERT_TRUE(fields_.Delete(ws_, plan->id, std::nullopt).ok());
  auto custom = db_.store().Read([](store::Txn& t) { return t.QueryOne("SELECT custom, version FROM contacts"); });
  EXPECT_EQ((*custom)->Text(0), "{}");
  EXPECT_EQ((*custom)->Int(1), 2);
  EXPECT_EQ(fields_.Get(ws_, plan->id).error().code(), StatusCode::kNotFound);
}

TEST_F(FieldServiceTest, WorkspacesAreIsolated) {
  ASSERT_TRUE(db_.store().Write([](store::Txn& t) {
    return t.Exec("INSERT INTO workspaces (id, name, created_at) VALUES (2, 'other', 0)").status();
  }).ok());
  auto f = fields_.Create(ws_, Input("contact", "plan", "text"));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(fields_.Get(WorkspaceId(2), f->id).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(fields_.Delete(WorkspaceId(2), f->id, std::nullopt).code(), StatusCode::kNotFound);
  EXPECT_TRUE(fields_.Get(ws_, f->id).has_value());
}

}  // namespace
}  // namespace rapport::fields
