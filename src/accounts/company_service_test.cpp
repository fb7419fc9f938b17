#include <gtest/gtest.h>

#include <set>

#include "accounts/company.h"
#include "testing/temp_store.h"

namespace rapport::accounts {
namespace {

template <typename T>
Field<T> Set(T v) {
  return std::optional<T>(std::move(v));
}

class CompanyServiceTest : public ::testing::Test {
 protected:
  CompanyFields Acme() {
    CompanyFields f;
    f.name = Set<std::string>("  Acme Ltd ");
    f.domain = Set<std::string>("ACME.co.nz");
    f.country = Set<std::string>("nz");
    f.relationship = Set<std::string>("distributor");
    f.size = Set<int64_t>(120);
    f.tags = std::vector<std::string>{"Key", "b2b"};
    return f;
  }
  int64_t CountCompanies() {
    return db_.store().Read([](store::Txn& t) { return t.QueryOne("SELECT COUNT(*) FROM companies"); })
        .value()
        ->Int(0);
  }

  rapport::testing::TempStore db_;
  FakeClock clock_{rapport::testing::kTestNow};
  CompanyService companies_{db_.store(), clock_};
  WorkspaceId ws_ = kDefaultWorkspace;
};

TEST_F(CompanyServiceTest, CreateNormalisesAndReadsBack) {
  auto c = companies_.Create(ws_, Acme());
  ASSERT_TRUE(c.has_value()) << c.error().message();
  EXPECT_EQ(c->name, "Acme Ltd");
  EXPECT_EQ(c->domain.value(), "acme.co.nz");
  EXPECT_EQ(c->country.value(), "NZ");
  EXPECT_EQ(c->tags, (std::vector<std::string>{"b2b", "key"}));
  auto read = companies_.Get(ws_, c->id);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->relationship, "distributor");
  EXPECT_EQ(read->size.value(), 120);
  EXPECT_EQ(read->tags, c->tags);
  EXPECT_EQ(read->created_at, rapport::testing::kTestNow);
}

TEST_F(CompanyServiceTest, InvalidInputStoresNothing) {
  CompanyFields f;
  f.domain = Set<std::string>("https://acme.com/x");
  f.country = Set<std::string>("XX");
  f.relationship = Set<std::string>("friend");
  f.size = Set<int64_t>(-1);
  f.owner_id = Set<int64_t>(99);
  f.custom = fields::CustomValues{{"unknown", true}};
  auto r = companies_.Create(ws_, f);
  ASSERT_FALSE(r.has_value());
  std::set<std::string> names;
  for (const auto& e : r.error().fields()) names.insert(e.field);
  EXPECT_EQ(names, (std::set<std::string>{"name", "domain", "country", "relationship", "size",
                                          "owner_id", "custom.unknown"}));
  EXPECT_EQ(CountCompanies(), 0);
}

TEST_F(CompanyServiceTest, DomainIsUniquePerWorkspace) {
  auto a = companies_.Create(ws_, Acme());
  ASSERT_TRUE(a.has_value());
  auto b = companies_.Create(ws_, Acme());
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(b.error().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(b.error().conflicting_id.value(), a->id.value);
  EXPECT_EQ(CountCompanies(), 1);
}

TEST_F(CompanyServiceTest, PatchMergesAndChecksVersion) {
  auto c = companies_.Create(ws_, Acme()).value();
  CompanyFields patch;
  patch.industry = Set<std::string>("Wholesale");
  patch.size = Field<int64_t>(std::optional<int64_t>());  // null clears
  EXPECT_EQ(companies_.Update(ws_, c.id, patch, 7).error().code(), StatusCode::kFailedPrecondition);
  auto u = companies_.Update(ws_, c.id, patch, 1);
  ASSERT_TRUE(u.has_value()) << u.error().message();
  EXPECT_EQ(u->industry.value(), "Wholesale");
  EXPECT_FALSE(u->size.has_value());
  EXPECT_EQ(u->domain.value(), "acme.co.nz");
  EXPECT_EQ(u->version, 2);
  EXPECT_EQ(companies_.Get(ws_, c.id)->version, 2);
}

TEST_F(CompanyServiceTest, DeleteUnlinksContacts) {
  auto c = companies_.Create(ws_, Acme()).value();
  ASSERT_TRUE(db_.store().Write([&](store::Txn& t) {
    return t.Exec("INSERT INTO contacts (workspace_id, email, lifecycle_stage, company_id, created_at, "
                  "updated_at) VALUES (1, 'a@b.co', 'lead', $1, 0, 0)",
                  {c.id.value})
        .status();
  }).ok());
  EXPECT_EQ(companies_.Get(ws_, c.id)->contact_count, 1);
  ASSERT_TRUE(companies_.Delete(ws_, c.id, std::nullopt).ok());
  auto row = db_.store().Read([](store::Txn& t) { return t.QueryOne("SELECT company_id, version FROM contacts"); });
  EXPECT_TRUE((*row)->IsNull(0));
  EXPECT_EQ((*row)->Int(1), 2);
  EXPECT_EQ(companies_.Get(ws_, c.id).error().code(), StatusCode::kNotFound);
}

TEST_F(CompanyServiceTest, ListPagesEachRowOnceInOrder) {
  for (int i = 0; i < 57; ++i) {
    CompanyFields f;
    f.name = Set<std::string>("Company " + std::to_string((i * 37) % 57));
    f.relationship = Set<std::string>(i % 2 ? "vendor" : "customer");
    ASSERT_TRUE(companies_.Create(ws_, f).has_value());
  }
  for (std::string sort : {"id", "-id", "name", "-name", "created_at"}) {
    CompanyQuery q;
    q.limit = 10;
    q.sort = sort;
    std::vector<std::string> seen;
    std::set<int64_t> ids;
    for (;;) {
      auto page = companies_.List(ws_, q);
      ASSERT_TRUE(page.has_value()) << page.error().message();
      for (const auto& c : page->data) {
        seen.push_back(c.name);
        ids.insert(c.id.value);
      }
      if (!page->next_cursor) break;
      q.cursor = page->next_cursor;
    }
    EXPECT_EQ(seen.size(), 57u) << sort;
    EXPECT_EQ(ids.size(), 57u) << sort;
    if (sort == "name") {
      EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    }
    if (sort == "-name") {
      EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend()));
    }
  }
  CompanyQuery vendors;
  vendors.relationship = "vendor";
  vendors.limit = 100;
  EXPECT_EQ(companies_.List(ws_, vendors)->data.size(), 28u);
  CompanyQuery search;
  search.q = "company 5";
  EXPECT_EQ(companies_.List(ws_, search)->data.size(), 8u);  // 5, 50..56
  CompanyQuery bad;
  bad.sort = "colour";
  EXPECT_EQ(companies_.List(ws_, bad).error().code(), StatusCode::kInvalidArgument);
  CompanyQuery bad_cursor;
  bad_cursor.cursor = "nonsense!";
  EXPECT_EQ(companies_.List(ws_, bad_cursor).error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rapport::accounts
