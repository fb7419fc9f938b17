#include <gtest/gtest.h>

#include <set>

#include "accounts/company.h"
#include "contacts/contact.h"
#include "fields/custom_field.h"
#include "store/keyset.h"
#include "testing/temp_store.h"

namespace rapport::contacts {
namespace {

template <typename T>
Field<T> Set(T v) {
  return std::optional<T>(std::move(v));
}
Field<std::string> Text(std::string v) { return Set<std::string>(std::move(v)); }

ContactFields Person(std::string email) {
  ContactFields f;
  f.email = Text(std::move(email));
  f.first_name = Text("Ana");
  f.last_name = Text("Silva");
  return f;
}

class ContactServiceTest : public ::testing::Test {
 protected:
  int64_t Count(const char* table = "contacts") {
    return db_.store()
        .Read(
            [&](store::Txn& t) { return t.QueryOne(std::string("SELECT COUNT(*) FROM ") + table); })
        .value()
        ->Int(0);
  }

  rapport::testing::TempStore db_;
  FakeClock clock_{rapport::testing::kTestNow};
  ContactService contacts_{db_.store(), clock_};
  accounts::CompanyService companies_{db_.store(), clock_};
  WorkspaceId ws_ = kDefaultWorkspace;
};

TEST_F(ContactServiceTest, CreatesWithEveryField) {
  accounts::CompanyFields acme;
  acme.name = Text("Acme");
  auto company = companies_.Create(ws_, acme).value();
  ContactFields f = Person(" Ana@Example.com ");
  f.phone = Text("+351 912 345 678");
  f.birthday = Text("1990-04-01");
  f.timezone = Text("Europe/Lisbon");
  f.lifecycle_stage = Text("customer");
  f.company_id = Set<int64_t>(company.id.value);
  f.source = Text("import");
  f.external_id = Text("crm-1");
  f.tags = std::vector<std::string>{"VIP", "newsletter", "vip"};
  auto c = contacts_.Create(ws_, f);
  ASSERT_TRUE(c.has_value()) << c.error().message();
  auto read = contacts_.Get(ws_, c->id).value();
  EXPECT_EQ(read.email.value(), "ana@example.com");
  EXPECT_EQ(read.phone.value(), "+351912345678");
  EXPECT_EQ(read.lifecycle_stage, "customer");
  EXPECT_EQ(read.company_id.value(), company.id.value);
  EXPECT_EQ(read.tags, (std::vector<std::string>{"newsletter", "vip"}));
  EXPECT_EQ(read.version, 1);
  EXPECT_EQ(Count("change_feed"), 1 + 1 + 2);  // company, contact, two new tags
}

TEST_F(ContactServiceTest, InvalidFieldsAreAllNamedAndNothingIsStored) {
  ContactFields f;
  f.email = Text("not-an-email");
  f.phone = Text("12");
  f.birthday = Text("2030-01-01");
  f.timezone = Text("Mars/Base");
  f.lifecycle_stage = Text("vip");
  f.company_id = Set<int64_t>(999);
  f.custom = fields::CustomValues{{"plan", std::string("pro")}};
  f.tags = std::vector<std::string>{""};
  auto r = contacts_.Create(ws_, f);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kValidation);
  std::set<std::string> names;
  for (const auto& e : r.error().fields()) names.insert(e.field);
  // Store-independent errors are reported first; company and custom need the store.
  EXPECT_EQ(names, (std::set<std::string>{"email", "phone", "birthday", "timezone",
                                          "lifecycle_stage", "tags[0]"}));
  ContactFields refs = Person("ok@example.com");
  refs.company_id = Set<int64_t>(999);
  refs.custom = fields::CustomValues{{"plan", std::string("pro")}};
  auto r2 = contacts_.Create(ws_, refs);
  ASSERT_FALSE(r2.has_value());
  names.clear();
  for (const auto& e : r2.error().fields()) names.insert(e.field);
  EXPECT_EQ(names, (std::set<std::string>{"company_id", "custom.plan"}));
  EXPECT_EQ(Count(), 0);
  EXPECT_EQ(Count("contacts_fts"), 0);
  EXPECT_EQ(Count("change_feed"), 0);
}

TEST_F(ContactServiceTest, EmptyContactIsRejected) {
  auto r = contacts_.Create(ws_, ContactFields{});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().fields()[0].field, "email");
}

TEST_F(ContactServiceTest, DuplicateEmailAndExternalIdNameTheExistingContact) {
  ContactFields a = Person("ana@example.com");
  a.external_id = Text("x-1");
  auto first = contacts_.Create(ws_, a).value();
  auto dup = contacts_.Create(ws_, Person("ANA@example.com"));
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.error().conflicting_id.value(), first.id.value);
  EXPECT_EQ(dup.error().fields()[0].field, "email");
  ContactFields b = Person("bob@example.com");
  b.external_id = Text("x-1");
  auto dup2 = contacts_.Create(ws_, b);
  ASSERT_FALSE(dup2.has_value());
  EXPECT_EQ(dup2.error().fields()[0].field, "external_id");
  EXPECT_EQ(Count(), 1);
  EXPECT_EQ(Count("contacts_fts"), 1);
}

TEST_F(ContactServiceTest, BatchKeepsGoodItemsAndReportsBadOnes) {
  std::vector<ContactFields> items = {Person("a@example.com"), Person("bad"),
                                      Person("b@example.com"), Person("a@example.com")};
  items[2].tags = std::vector<std::string>{"x"};
  auto r = contacts_.CreateBatch(ws_, items);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 4u);
  EXPECT_TRUE((*r)[0].has_value());
  EXPECT_EQ((*r)[1].error().code(), StatusCode::kValidation);
  EXPECT_TRUE((*r)[2].has_value());
  EXPECT_EQ((*r)[3].error().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Count(), 2);
  EXPECT_EQ(Count("contact_tags"), 1);
  std::vector<ContactFields> too_many(kMaxBatch + 1, Person("x@example.com"));
  EXPECT_EQ(contacts_.CreateBatch(ws_, too_many).error().code(), StatusCode::kInvalidArgument);
}

// The audit records a batch's contacts from what CreateBatch returns instead of reading
// each back, so the two must be the same record.
TEST_F(ContactServiceTest, BatchReturnsTheContactsAsStored) {
  fields::FieldService defs(db_.store(), clock_);
  for (auto [key, type] : {std::pair{"plan", "text"},
                           {"seats", "number"},
                           {"trial", "boolean"},
                           {"renewal", "date"}}) {
    fields::FieldInput in;
    in.entity = Text("contact");
    in.key = Text(key);
    in.label = Text(key);
    in.type = Text(type);
    ASSERT_TRUE(defs.Create(ws_, in).has_value()) << key;
  }
  accounts::CompanyFields acme;
  acme.name = Text("Acme");
  auto company = companies_.Create(ws_, acme);
  ASSERT_TRUE(company.has_value());
  ContactFields f = Person(" Mixed.Case@Example.COM ");
  f.phone = Text("+351 912 345 678");
  f.birthday = Text("1990-04-01");
  f.timezone = Text("Europe/Lisbon");
  f.company_id = Set<int64_t>(company->id.value);
  f.custom = fields::CustomValues{{"plan", std::string("pro")},
                                  {"seats", int64_t{12}},
                                  {"trial", true},
                                  {"renewal", std::string("2027-01-31")}};
  f.tags = std::vector<std::string>{"Zeta", "alpha", "zeta", "Beta"};
  ContactFields g = Person("second@example.com");
  g.custom = fields::CustomValues{{"seats", 2.5}};
  auto r = contacts_.CreateBatch(ws_, {f, g});
  ASSERT_TRUE(r.has_value());
  for (const auto& created : *r) {
    ASSERT_TRUE(created.has_value()) << created.error().message();
    auto read = contacts_.Get(ws_, created->id);
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(created->email, read->email);
    EXPECT_EQ(created->phone, read->phone);
    EXPECT_EQ(created->first_name, read->first_name);
    EXPECT_EQ(created->last_name, read->last_name);
    EXPECT_EQ(created->birthday, read->birthday);
    EXPECT_EQ(created->timezone, read->timezone);
    EXPECT_EQ(created->lifecycle_stage, read->lifecycle_stage);
    EXPECT_EQ(created->owner_id, read->owner_id);
    EXPECT_EQ(created->company_id, read->company_id);
    EXPECT_EQ(created->source, read->source);
    EXPECT_EQ(created->external_id, read->external_id);
    EXPECT_EQ(created->custom, read->custom);
    EXPECT_EQ(created->tags, read->tags);
    EXPECT_EQ(created->version, read->version);
    EXPECT_EQ(created->created_at, read->created_at);
    EXPECT_EQ(created->updated_at, read->updated_at);
  }
  EXPECT_EQ((*r)[0]->tags, (std::vector<std::string>{"alpha", "beta", "zeta"}));
}

TEST_F(ContactServiceTest, PatchMergesClearsAndChecksVersion) {
  ContactFields f = Person("ana@example.com");
  f.phone = Text("+4915112345678");
  f.tags = std::vector<std::string>{"a"};
  auto c = contacts_.Create(ws_, f).value();

  ContactFields patch;
  patch.phone = Field<std::string>(std::optional<std::string>());
  patch.first_name = Text("Anna");
  patch.tags = std::vector<std::string>{"b", "c"};
  EXPECT_EQ(contacts_.Update(ws_, c.id, patch, 5).error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(contacts_.Get(ws_, c.id)->first_name.value(), "Ana");
  auto u = contacts_.Update(ws_, c.id, patch, 1);
  ASSERT_TRUE(u.has_value()) << u.error().message();
  EXPECT_FALSE(u->phone.has_value());
  EXPECT_EQ(u->first_name.value(), "Anna");
  EXPECT_EQ(u->last_name.value(), "Silva");
  EXPECT_EQ(u->version, 2);
  EXPECT_EQ(contacts_.Get(ws_, c.id)->tags, (std::vector<std::string>{"b", "c"}));

  auto other = contacts_.Create(ws_, Person("bob@example.com")).value();
  ContactFields steal;
  steal.email = Text("ana@example.com");
  auto conflict = contacts_.Update(ws_, other.id, steal, std::nullopt);
  EXPECT_EQ(conflict.error().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(conflict.error().conflicting_id.value(), c.id.value);
}

// Contacts without an email sort first by email (last with -email), by id among
// themselves; pages of every size cross the boundary, and each contact comes exactly once.
TEST_F(ContactServiceTest, EmailSortPagesThroughContactsWithoutEmail) {
  std::vector<ContactFields> items;
  std::vector<int64_t> no_email;
  for (int i = 0; i < 60; ++i) {
    ContactFields f;
    f.first_name = Text("P" + std::to_string(i));
    // Every third contact has no email; the others are not in id order by email.
    if (i % 3) f.email = Text("m" + std::to_string((i * 37) % 100) + "@example.com");
    items.push_back(f);
  }
  auto created = contacts_.CreateBatch(ws_, items);
  ASSERT_TRUE(created.has_value());
  std::vector<std::pair<std::string, int64_t>> with_email;
  for (int i = 0; i < 60; ++i) {
    const Contact& c = *(*created)[i];
    if (c.email) {
      with_email.emplace_back(*c.email, c.id.value);
    } else {
      no_email.push_back(c.id.value);
    }
  }
  std::sort(with_email.begin(), with_email.end());
  std::vector<int64_t> ascending = no_email;
  for (const auto& [email, id] : with_email) ascending.push_back(id);
  std::vector<int64_t> descending;
  for (auto it = with_email.rbegin(); it != with_email.rend(); ++it)
    descending.push_back(it->second);
  descending.insert(descending.end(), no_email.rbegin(), no_email.rend());

  for (int limit : {1, 7, 20, 21, 59, 60, 1000}) {
    for (const auto& [sort, expected] :
         {std::pair<std::string, const std::vector<int64_t>*>{"email", &ascending},
          {"-email", &descending}}) {
      ContactQuery q;
      q.sort = sort;
      q.limit = limit;
      std::vector<int64_t> got;
      for (int pages = 0; pages < 100; ++pages) {
        auto page = contacts_.List(ws_, q);
        ASSERT_TRUE(page.has_value()) << page.error().message();
        for (const auto& c : page->data) got.push_back(c.id.value);
        if (!page->next_cursor) break;
        q.cursor = page->next_cursor;
      }
      EXPECT_EQ(got, *expected) << sort << " limit " << limit;
    }
  }
  // A NULL cursor key is only valid for a sort that has NULLs to page through.
  ContactQuery forged;
  forged.sort = "first_name";
  forged.cursor = store::EncodeCursor({.sort = "first_name", .key = store::Null{}, .id = 1});
  EXPECT_EQ(contacts_.List(ws_, forged).error().code(), StatusCode::kInvalidArgument);
}

TEST_F(ContactServiceTest, SearchPaginationAndFilters) {
  std::vector<ContactFields> items;
  for (int i = 0; i < 250; ++i) {
    ContactFields f;
    f.email = Text("user" + std::to_string(i) + "@" + (i % 5 == 0 ? "zeta.io" : "example.com"));
    f.first_name = Text(i % 2 ? "Alice" : "Bruno");
    f.last_name = Text("N" + std::to_string((i * 7919) % 250));
    if (i % 10 == 0) f.tags = std::vector<std::string>{"vip"};
    items.push_back(f);
  }
  ASSERT_TRUE(contacts_.CreateBatch(ws_, items).has_value());
  for (std::string sort : {"id", "-id", "last_name", "-email", "created_at"}) {
    ContactQuery q;
    q.sort = sort;
    q.limit = 33;
    std::set<int64_t> ids;
    std::vector<std::string> keys;
    for (;;) {
      auto page = contacts_.List(ws_, q);
      ASSERT_TRUE(page.has_value()) << page.error().message();
      for (const auto& c : page->data) {
        ids.insert(c.id.value);
        keys.push_back(sort == "last_name" ? *c.last_name : *c.email);
      }
      if (!page->next_cursor) break;
      q.cursor = page->next_cursor;
    }
    EXPECT_EQ(ids.size(), 250u) << sort;
    EXPECT_EQ(keys.size(), 250u) << sort;
    if (sort == "last_name") {
      EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
    }
    if (sort == "-email") {
      EXPECT_TRUE(std::is_sorted(keys.rbegin(), keys.rend()));
    }
  }
  ContactQuery search;
  search.q = "ali zet";
  search.limit = 1000;
  EXPECT_EQ(contacts_.List(ws_, search)->data.size(), 25u);  // odd i and i % 5 == 0
  ContactQuery tagged;
  tagged.tag = "VIP";
  tagged.limit = 1000;
  EXPECT_EQ(contacts_.List(ws_, tagged)->data.size(), 25u);
  ContactQuery bad;
  bad.lifecycle_stage = "royalty";
  EXPECT_EQ(contacts_.List(ws_, bad).error().code(), StatusCode::kInvalidArgument);
}

TEST_F(ContactServiceTest, TagsAddRemoveAndDelete) {
  auto c = contacts_.Create(ws_, Person("ana@example.com")).value();
  auto tagged = contacts_.AddTags(ws_, c.id, {"Gold", "b2b"});
  ASSERT_TRUE(tagged.has_value());
  EXPECT_EQ(tagged->tags, (std::vector<std::string>{"b2b", "gold"}));
  EXPECT_EQ(tagged->version, 2);
  EXPECT_EQ(contacts_.RemoveTag(ws_, c.id, "GOLD")->tags, std::vector<std::string>{"b2b"});
  EXPECT_EQ(contacts_.RemoveTag(ws_, c.id, "gold").error().code(), StatusCode::kNotFound);
  EXPECT_EQ(contacts_.Delete(ws_, c.id, 1).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(contacts_.Delete(ws_, c.id, std::nullopt).ok());
  EXPECT_EQ(contacts_.Get(ws_, c.id).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(Count("contact_tags"), 0);
  EXPECT_EQ(Count("contacts_fts"), 0);
}

}  // namespace
}  // namespace rapport::contacts
