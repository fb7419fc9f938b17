#include "http/api/codec.h"

#include <gtest/gtest.h>

#include <iterator>
#include <random>

#include "http/api/codecs.h"

namespace rapport::http::api {
namespace {

json::object Parse(std::string_view text) { return json::parse(text).as_object(); }

TEST(ObjectReaderTest, ReadsAbsentNullAndValues) {
  auto o = Parse(R"({"a": "x", "b": null, "n": 3, "f": 2.0, "t": true, "l": ["p", "q"]})");
  ObjectReader r(o);
  Field<std::string> a, b, missing;
  Field<int64_t> n, f;
  Field<bool> t;
  std::optional<std::vector<std::string>> l;
  r.Text("a", a);
  r.Text("b", b);
  r.Text("missing", missing);
  r.Int("n", n);
  r.Int("f", f);
  r.Bool("t", t);
  r.TextList("l", l);
  ASSERT_TRUE(r.Finish().ok());
  EXPECT_EQ(**a, "x");
  EXPECT_TRUE(b.has_value() && !b->has_value());
  EXPECT_FALSE(missing.has_value());
  EXPECT_EQ(**n, 3);
  EXPECT_EQ(**f, 2);
  EXPECT_TRUE(**t);
  EXPECT_EQ(l->size(), 2u);
}

TEST(ObjectReaderTest, NamesMistypedAndUnknownFields) {
  auto o = Parse(R"({"email": 5, "tags": ["a", 1], "nickname": "z", "company_id": 1.5,
                     "custom": {"x": [1]}})");
  contacts::ContactFields f;
  Status r = DecodeContact(o, f, "contacts[2].");
  ASSERT_FALSE(r.ok());
  std::map<std::string, std::string> errs;
  for (const auto& e : r.fields()) errs[e.field] = e.message;
  EXPECT_EQ(errs["contacts[2].email"], "must be a string");
  EXPECT_EQ(errs["contacts[2].tags[1]"], "must be a string");
  EXPECT_EQ(errs["contacts[2].nickname"], "unknown field");
  EXPECT_EQ(errs["contacts[2].company_id"], "must be an integer");
  EXPECT_EQ(errs["contacts[2].custom.x"], "must be a string, number, boolean or null");
}

TEST(ContactCodecTest, EncodesEveryFieldWithNulls) {
  contacts::Contact c;
  c.id = ContactId(7);
  c.email = "ana@example.com";
  c.tags = {"a", "b"};
  c.custom = {{"plan", std::string("pro")}, {"seats", int64_t{3}}};
  c.created_at = c.updated_at = 1795446245LL * kMicrosPerSecond;
  auto o = EncodeContact(c);
  EXPECT_EQ(o["id"].as_int64(), 7);
  EXPECT_EQ(o["email"].as_string(), "ana@example.com");
  EXPECT_TRUE(o["phone"].is_null());
  EXPECT_EQ(o["lifecycle_stage"].as_string(), "lead");
  EXPECT_EQ(o["custom"].as_object().at("seats").as_int64(), 3);
  EXPECT_EQ(o["tags"].as_array().size(), 2u);
  EXPECT_EQ(o["created_at"].as_string(), "2026-11-23T15:04:05Z");
  // Decoding what we encode (minus read-only fields) gives the same values back.
  json::object writable = o;
  for (const char* k : {"id", "version", "created_at", "updated_at"}) writable.erase(k);
  contacts::ContactFields back;
  Status s = DecodeContact(writable, back);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(**back.email, "ana@example.com");
  EXPECT_EQ(std::get<int64_t>(back.custom->at("seats")), 3);
  EXPECT_EQ(*back.tags, c.tags);
}

TEST(ContactCodecTest, WrittenTextEqualsTheSerializedTree) {
  std::mt19937_64 rng(11);
  const std::string pieces[] = {"ana",  "Zoë", "\"quoted\"", "back\\slash", "tab\there", "\x01\x1f",
                                "日本", "😀",   "",           "</script>"};
  auto text = [&] {
    std::string s;
    for (int i = static_cast<int>(rng() % 3); i >= 0; --i) s += pieces[rng() % std::size(pieces)];
    return s;
  };
  auto opt_text = [&]() -> std::optional<std::string> {
    if (rng() % 3 == 0) return std::nullopt;
    return text();
  };
  for (int round = 0; round < 2000; ++round) {
    contacts::Contact c;
    c.id = ContactId(static_cast<int64_t>(rng() >> 1));
    c.email = opt_text();
    c.phone = opt_text();
    c.first_name = opt_text();
    c.last_name = opt_text();
    c.birthday = opt_text();
    c.timezone = opt_text();
    c.lifecycle_stage = text();
    if (rng() % 2) c.owner_id = static_cast<int64_t>(rng() % 1000);
    if (rng() % 2) c.company_id = -static_cast<int64_t>(rng() % 1000);
    c.source = opt_text();
    c.external_id = opt_text();
    for (int i = static_cast<int>(rng() % 4); i > 0; --i) {
      fields::CustomValue v;
      switch (rng() % 5) {
        case 0:
          v = std::monostate{};
          break;
        case 1:
          v = text();
          break;
        case 2:
          v = static_cast<int64_t>(rng());
          break;
        case 3:
          v = static_cast<double>(rng() % 100000) / 7.0;
          break;
        default:
          v = rng() % 2 == 0;
      }
      c.custom["k" + std::to_string(rng() % 10) + text()] = v;
    }
    for (int i = static_cast<int>(rng() % 3); i > 0; --i) c.tags.push_back(text());
    c.version = static_cast<int64_t>(rng() % 50);
    c.created_at = static_cast<Micros>(rng() % (4'000'000'000'000'000ULL)) - 1'000'000'000'000'000;
    c.updated_at = c.created_at + static_cast<Micros>(rng() % 1'000'000'000);
    JsonText out;
    WriteContact(out, c);
    ASSERT_EQ(std::move(out).Take(), json::serialize(EncodeContact(c))) << "round " << round;
  }
}

TEST(CompanyCodecTest, RoundTrips) {
  accounts::Company c;
  c.id = CompanyId(3);
  c.name = "Acme";
  c.size = 12;
  c.relationship = "vendor";
  auto o = EncodeCompany(c);
  EXPECT_EQ(o["size"].as_int64(), 12);
  EXPECT_TRUE(o["domain"].is_null());
  for (const char* k : {"id", "version", "created_at", "updated_at", "contact_count"}) o.erase(k);
  accounts::CompanyFields back;
  Status s = DecodeCompany(o, back);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(**back.name, "Acme");
  EXPECT_EQ(**back.relationship, "vendor");
}

}  // namespace
}  // namespace rapport::http::api
