#include "http/api/order_codec.h"

#include <gtest/gtest.h>

#include <set>

namespace rapport::http::api {
namespace {

namespace json = boost::json;

std::set<std::string> Fields(const Status& s) {
  std::set<std::string> out;
  for (const auto& f : s.fields()) out.insert(f.field);
  return out;
}

TEST(OrderCodecTest, ProductRoundTrip) {
  orders::ProductFields in;
  ASSERT_TRUE(DecodeProduct(json::parse(R"({"sku": "TEE", "name": "Tee", "category": null,
                                            "price": {"value": 1999, "currency": "EUR"}})")
                                .as_object(),
                            in)
                  .ok());
  ASSERT_TRUE(IsSet(in.price));
  orders::Product p;
  p.id = orders::ProductId(3);
  p.sku = **in.sku;
  p.name = **in.name;
  p.price = **in.price;
  json::object out = EncodeProduct(p);
  orders::ProductFields again;
  json::object body{{"sku", out["sku"]}, {"name", out["name"]}, {"price", out["price"]}};
  ASSERT_TRUE(DecodeProduct(body, again).ok());
  EXPECT_EQ((**again.price).value, 1999);
  EXPECT_EQ((**again.price).currency, "EUR");
  EXPECT_EQ(out["category"], nullptr);

  orders::ProductFields bad;
  Status s = DecodeProduct(
      json::parse(R"({"sku": 1, "price": {"value": "x", "currency": "EUR"}, "x": 1})").as_object(),
      bad);
  EXPECT_EQ(Fields(s), (std::set<std::string>{"sku", "price.value", "x"}));
}

TEST(OrderCodecTest, OrderDecodeNamesLineFields) {
  orders::OrderInput in;
  Status s = DecodeOrder(json::parse(R"({"contact_id": 4, "id": "c-1", "items": [
      {"product_id": 1, "quantity": 2, "unit_price": 500, "discount": 10},
      {"product_id": 2, "quantity": "three", "extra": true}, 7]})")
                             .as_object(),
                         in);
  EXPECT_EQ(Fields(s), (std::set<std::string>{"items[1].quantity", "items[1].extra", "items[2]"}));
  ASSERT_TRUE(in.items.has_value());
  ASSERT_EQ(in.items->size(), 3u);
  EXPECT_EQ((*in.items)[0].discount, 10);
  EXPECT_EQ(in.client_id, "c-1");
  EXPECT_EQ(in.contact_id, 4);

  std::optional<std::string> status;
  EXPECT_TRUE(DecodeOrderPatch(json::parse(R"({"status": "refunded"})").as_object(), status).ok());
  EXPECT_EQ(status, "refunded");
  EXPECT_EQ(Fields(DecodeOrderPatch(json::parse(R"({"total": 1, "foo": 2})").as_object(), status)),
            (std::set<std::string>{"total", "foo", "status"}));
}

TEST(OrderCodecTest, OrderEncodesTotals) {
  orders::Order o;
  o.id = orders::OrderId(7);
  o.contact_id = ContactId(4);
  o.status = "paid";
  o.currency = "EUR";
  o.total = 3498;
  o.items.push_back({1, orders::ProductId(3), "TEE", "Tee", 2, 1999, 500, 3498});
  json::object out = EncodeOrder(o);
  EXPECT_EQ(out["subtotal"], 3998);
  EXPECT_EQ(out["discount"], 500);
  EXPECT_EQ(out["total"], 3498);
  EXPECT_EQ(out["items"].as_array()[0].as_object()["sku"], "TEE");
  EXPECT_EQ(out["purchase_activity_id"], nullptr);
}

}  // namespace
}  // namespace rapport::http::api
