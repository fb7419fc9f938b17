#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "common/time_format.h"
#include "orders/order.h"
#include "testing/temp_store.h"

namespace rapport::orders {
namespace {

using rapport::testing::kTestNow;

class OrderServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 2; ++i) {
      contacts::ContactFields f;
      f.email = std::optional<std::string>("c" + std::to_string(i) + "@example.com");
      if (i == 1) f.external_id = std::optional<std::string>("ext-1");
      contact_ids_.push_back(contacts_.Create(ws_, f).value().id.value);
    }
    tee_ = AddProduct("TEE-M", "T-shirt M", 1999, "EUR");
    mug_ = AddProduct("MUG", "Mug", 850, "EUR");
    cap_ = AddProduct("CAP-US", "Cap", 2500, "USD");
  }
  int64_t AddProduct(std::string sku, std::string name, int64_t price, std::string currency) {
    ProductFields f;
    f.sku = std::optional<std::string>(std::move(sku));
    f.name = std::optional<std::string>(std::move(name));
    f.price = std::optional<activity::Money>(activity::Money{price, std::move(currency)});
    auto p = products_.Create(ws_, f);
    EXPECT_TRUE(p.has_value()) << p.error().message();
    return p->id.value;
  }
  static ItemInput Line(int64_t product, int64_t quantity, std::optional<int64_t> unit_price = {},
                        std::optional<int64_t> discount = {}) {
    return ItemInput{product, quantity, unit_price, discount};
  }
  OrderInput Input(std::vector<ItemInput> items, int contact = 0) {
    OrderInput in;
    in.contact_id = contact_ids_[contact];
    in.items = std::move(items);
    return in;
  }
  activity::Revenue RevenueOf(int contact, const std::string& currency = "EUR") {
    auto agg = activities_.ContactAggregates(ws_, ContactId(contact_ids_[contact])).value();
    for (const auto& r : agg.revenue) {
      if (r.currency == currency) return r;
    }
    return activity::Revenue{};
  }

  rapport::testing::TempStore db_;
  FakeClock clock_{kTestNow};
  contacts::ContactService contacts_{db_.store(), clock_};
  activity::ActivityService activities_{db_.store(), clock_, contacts_};
  ProductService products_{db_.store(), clock_};
  OrderService orders_{db_.store(), clock_, contacts_, activities_};
  WorkspaceId ws_ = kDefaultWorkspace;
  std::vector<int64_t> contact_ids_;
  int64_t tee_ = 0, mug_ = 0, cap_ = 0;
};

TEST_F(OrderServiceTest, ProductsValidateAndKeepSkusUnique) {
  ProductFields bad;
  bad.sku = std::optional<std::string>("  ");
  bad.price = std::optional<activity::Money>(activity::Money{-1, "eur"});
  auto r = products_.Create(ws_, bad);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(testing::ErrorFields(r.error()),
            (std::set<std::string>{"sku", "name", "price.value", "price.currency"}));

  ProductFields dup;
  dup.sku = std::optional<std::string>(" TEE-M ");
  dup.name = std::optional<std::string>("Another tee");
  dup.price = std::optional<activity::Money>(activity::Money{100, "EUR"});
  auto conflict = products_.Create(ws_, dup);
  ASSERT_FALSE(conflict.has_value());
  EXPECT_EQ(conflict.error().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(conflict.error().conflicting_id, tee_);

  ProductFields patch;
  patch.name = std::optional<std::string>("Mug, large");
  patch.category = std::optional<std::string>("kitchen");
  auto updated = products_.Update(ws_, ProductId(mug_), patch, 1);
  ASSERT_TRUE(updated.has_value()) << updated.error().message();
  EXPECT_EQ(updated->version, 2);
  EXPECT_EQ(updated->sku, "MUG");
  EXPECT_EQ(products_.Update(ws_, ProductId(mug_), patch, 1).error().code(),
            StatusCode::kFailedPrecondition);
  ProductFields taken;
  taken.sku = std::optional<std::string>("TEE-M");
  EXPECT_EQ(products_.Update(ws_, ProductId(mug_), taken, std::nullopt).error().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(products_.Get(ws_, ProductId(999)).error().code(), StatusCode::kNotFound);

  ProductQuery q;
  q.q = "mug";
  auto page = products_.List(ws_, q).value();
  ASSERT_EQ(page.data.size(), 1u);
  EXPECT_EQ(page.data[0].id.value, mug_);
  ProductQuery paged;
  paged.limit = 2;
  auto first = products_.List(ws_, paged).value();
  ASSERT_EQ(first.data.size(), 2u);
  ASSERT_TRUE(first.next_cursor.has_value());
  paged.cursor = first.next_cursor;
  auto second = products_.List(ws_, paged).value();
  ASSERT_EQ(second.data.size(), 1u);
  EXPECT_EQ(second.data[0].id.value, cap_);
  EXPECT_FALSE(second.next_cursor.has_value());
}

TEST_F(OrderServiceTest, TotalsApplyPricesQuantitiesAndDiscounts) {
  // 3 × 1999 − 500 + 2 × 700 (given price) = 6897.
  auto placed = orders_.Place(ws_, Input({Line(tee_, 3, {}, 500), Line(mug_, 2, 700)}));
  ASSERT_TRUE(placed.has_value()) << placed.error().message();
  const Order& o = placed->order;
  EXPECT_FALSE(placed->duplicate);
  EXPECT_EQ(o.total, 6897);
  EXPECT_EQ(o.currency, "EUR");
  EXPECT_EQ(o.status, "paid");
  EXPECT_EQ(o.channel, "store");
  EXPECT_EQ(o.placed_at, kTestNow);
  ASSERT_EQ(o.items.size(), 2u);
  EXPECT_EQ(o.items[0].unit_price, 1999);
  EXPECT_EQ(o.items[0].total, 5497);
  EXPECT_EQ(o.items[1].unit_price, 700);
  EXPECT_EQ(o.items[1].sku, "MUG");

  auto got = orders_.Get(ws_, o.id).value();
  EXPECT_EQ(got.total, 6897);
  ASSERT_EQ(got.items.size(), 2u);
  EXPECT_EQ(got.items[0].discount, 500);
  EXPECT_EQ(got.items[1].total, 1400);
  EXPECT_EQ(got.purchase_activity_id, o.purchase_activity_id);

  // A product's later price change does not touch the order.
  ProductFields patch;
  patch.price = std::optional<activity::Money>(activity::Money{2999, "EUR"});
  ASSERT_TRUE(products_.Update(ws_, ProductId(tee_), patch, std::nullopt).has_value());
  EXPECT_EQ(orders_.Get(ws_, o.id)->items[0].unit_price, 1999);
}

TEST_F(OrderServiceTest, CurrencyMismatchIsRejectedUnlessUnitPriceGiven) {
  auto mixed = orders_.Place(ws_, Input({Line(tee_, 1), Line(cap_, 1)}));
  ASSERT_FALSE(mixed.has_value());
  EXPECT_EQ(mixed.error().code(), StatusCode::kValidation);
  EXPECT_EQ(testing::ErrorFields(mixed.error()), std::set<std::string>{"items[1].product_id"});

  OrderInput usd = Input({Line(tee_, 1)});
  usd.currency = "USD";
  EXPECT_EQ(testing::ErrorFields(orders_.Place(ws_, usd).error()),
            std::set<std::string>{"items[0].product_id"});

  auto priced = orders_.Place(ws_, Input({Line(tee_, 1), Line(cap_, 1, 2300)}));
  ASSERT_TRUE(priced.has_value()) << priced.error().message();
  EXPECT_EQ(priced->order.currency, "EUR");
  EXPECT_EQ(priced->order.total, 1999 + 2300);
  EXPECT_EQ(db_.Count("orders"), 1);
}

TEST_F(OrderServiceTest, OverflowAndNegativeTotalsAreRejected) {
  auto huge = orders_.Place(ws_, Input({Line(tee_, kMaxQuantity, activity::kMaxAmount)}));
  ASSERT_FALSE(huge.has_value());
  EXPECT_TRUE(testing::ErrorFields(huge.error()).count("items[0].quantity"));
  EXPECT_TRUE(testing::ErrorFields(huge.error()).count("total"));

  // Each line fits; the sum does not.
  std::vector<ItemInput> lines(3, Line(tee_, 1, activity::kMaxAmount / 2));
  auto sum = orders_.Place(ws_, Input(lines));
  ASSERT_FALSE(sum.has_value());
  EXPECT_EQ(testing::ErrorFields(sum.error()), std::set<std::string>{"total"});

  auto over_discount = orders_.Place(ws_, Input({Line(tee_, 1, {}, 5000)}));
  ASSERT_FALSE(over_discount.has_value());
  EXPECT_EQ(testing::ErrorFields(over_discount.error()),
            (std::set<std::string>{"items[0].discount", "total"}));

  auto free = orders_.Place(ws_, Input({Line(tee_, 2, {}, 3998)}));
  ASSERT_TRUE(free.has_value()) << free.error().message();
  EXPECT_EQ(free->order.total, 0);
  EXPECT_EQ(db_.Count("orders"), 1);
}

TEST_F(OrderServiceTest, BadInputNamesEveryFieldAndStoresNothing) {
  OrderInput in = Input({Line(tee_, 1), Line(999, 1), Line(mug_, 0), Line(mug_, 1, -5, -1)});
  in.status = "shipped";
  in.channel = "fax";
  in.placed_at = FormatTimestamp(kTestNow + 10 * 60 * kMicrosPerSecond);
  in.currency = "euro";
  in.client_id = "";
  auto r = orders_.Place(ws_, in);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kValidation);
  EXPECT_EQ(testing::ErrorFields(r.error()),
            (std::set<std::string>{"id", "status", "channel", "placed_at", "currency",
                                   "items[1].product_id", "items[2].quantity",
                                   "items[3].unit_price", "items[3].discount"}));

  OrderInput none;
  none.contact_email = "nobody@example.com";
  none.items = std::vector<ItemInput>{};
  EXPECT_EQ(testing::ErrorFields(orders_.Place(ws_, none).error()),
            (std::set<std::string>{"contact_email", "items"}));
  OrderInput no_contact;
  no_contact.items = std::vector<ItemInput>{Line(tee_, 1)};
  EXPECT_EQ(testing::ErrorFields(orders_.Place(ws_, no_contact).error()),
            std::set<std::string>{"contact_id"});

  EXPECT_EQ(db_.Count("orders"), 0);
  EXPECT_EQ(db_.Count("order_items"), 0);
  EXPECT_EQ(db_.Count("activities"), 0);
  EXPECT_EQ(db_.Count("contact_revenue"), 0);
  EXPECT_EQ(db_.Count("contacts"), 2);
}

TEST_F(OrderServiceTest, PaidOrderRecordsPurchaseActivityAndAggregates) {
  OrderInput in = Input({Line(tee_, 2), Line(mug_, 1)}, 1);
  in.contact_id.reset();
  in.contact_external_id = "ext-1";
  in.placed_at = "2026-10-01T09:30:00Z";
  in.channel = "web";
  auto placed = orders_.Place(ws_, in);
  ASSERT_TRUE(placed.has_value()) << placed.error().message();
  const Order& o = placed->order;
  EXPECT_EQ(o.contact_id.value, contact_ids_[1]);
  ASSERT_TRUE(o.purchase_activity_id.has_value());

  auto a = activities_.Get(ws_, activity::ActivityId(*o.purchase_activity_id)).value();
  EXPECT_EQ(a.type, "purchase");
  EXPECT_EQ(a.channel, "web");
  EXPECT_EQ(a.contact_id, contact_ids_[1]);
  EXPECT_EQ(a.occurred_at, o.placed_at);
  EXPECT_EQ(FormatTimestamp(a.occurred_at), "2026-10-01T09:30:00Z");
  ASSERT_TRUE(a.amount.has_value());
  EXPECT_EQ(a.amount->value, 2 * 1999 + 850);
  EXPECT_EQ(a.amount->currency, "EUR");
  auto props = boost::json::parse(a.properties).as_object();
  EXPECT_EQ(props.at("order_id").as_int64(), o.id.value);
  EXPECT_EQ(boost::json::serialize(props.at("items")),
            R"([{"sku":"TEE-M","quantity":2},{"sku":"MUG","quantity":1}])");

  // In the overview before and after the fold.
  for (bool folded : {false, true}) {
    if (folded) {
      ASSERT_EQ(activities_.Fold(10).value(), 1);
    }
    activity::Revenue rev = RevenueOf(1);
    EXPECT_EQ(rev.order_count, 1) << folded;
    EXPECT_EQ(rev.total, 2 * 1999 + 850) << folded;
    EXPECT_EQ(rev.last_purchase_at, o.placed_at) << folded;
  }
  EXPECT_EQ(db_.Count("contact_revenue"), 1);
}

TEST_F(OrderServiceTest, OrderAndItsActivityShareOneTransaction) {
  // Inside one write: the order and its purchase (unfolded: the aggregates get it when it is
  // folded) are visible; when the transaction fails, nothing is kept.
  Status s = db_.store().Write([&](store::Txn& t) -> Status {
    auto placed = orders_.Place(ws_, Input({Line(tee_, 1)}));
    if (!placed) return placed.error();
    auto n = t.QueryOne(
        "SELECT COUNT(*), SUM(a.amount) FROM activities a CROSS JOIN activities_unfolded u "
        "ON u.id = a.id WHERE a.type = 'purchase'");
    EXPECT_EQ(n.value()->Int(0), 1);
    EXPECT_EQ(n.value()->Int(1), 1999);
    return Aborted("roll back");
  });
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  EXPECT_EQ(db_.Count("orders"), 0);
  EXPECT_EQ(db_.Count("order_items"), 0);
  EXPECT_EQ(db_.Count("activities"), 0);
  EXPECT_EQ(db_.Count("contact_revenue"), 0);
  EXPECT_EQ(db_.Count("contact_activity_days"), 0);
}

TEST_F(OrderServiceTest, ClientIdStoresOneOrder) {
  OrderInput in = Input({Line(tee_, 1)});
  in.client_id = "shop-1001";
  auto first = orders_.Place(ws_, in);
  ASSERT_TRUE(first.has_value()) << first.error().message();
  in.items = std::vector<ItemInput>{Line(mug_, 5)};  // a retry is answered with the stored one
  auto second = orders_.Place(ws_, in);
  ASSERT_TRUE(second.has_value()) << second.error().message();
  EXPECT_TRUE(second->duplicate);
  EXPECT_EQ(second->order.id, first->order.id);
  EXPECT_EQ(second->order.total, 1999);
  EXPECT_EQ(second->order.client_id, "shop-1001");
  EXPECT_EQ(db_.Count("orders"), 1);
  EXPECT_EQ(db_.Count("activities"), 1);
  EXPECT_EQ(RevenueOf(0).order_count, 1);
}

TEST_F(OrderServiceTest, RefundRecordsNegativeRefundActivity) {
  auto placed = orders_.Place(ws_, Input({Line(tee_, 2)}));
  ASSERT_TRUE(placed.has_value());
  OrderId id = placed->order.id;
  clock_.Advance(kMicrosPerDay);
  EXPECT_EQ(orders_.SetStatus(ws_, id, "cancelled", std::nullopt).error().code(),
            StatusCode::kValidation);
  EXPECT_EQ(orders_.Refund(ws_, id, 7).error().code(), StatusCode::kFailedPrecondition);
  auto refunded = orders_.Refund(ws_, id, 1);
  ASSERT_TRUE(refunded.has_value()) << refunded.error().message();
  EXPECT_EQ(refunded->status, "refunded");
  EXPECT_EQ(refunded->version, 2);
  ASSERT_TRUE(refunded->refund_activity_id.has_value());
  auto a = activities_.Get(ws_, activity::ActivityId(*refunded->refund_activity_id)).value();
  EXPECT_EQ(a.type, "refund");
  EXPECT_EQ(a.amount->value, -3998);
  EXPECT_EQ(a.occurred_at, kTestNow + kMicrosPerDay);

  activity::Revenue rev = RevenueOf(0);
  EXPECT_EQ(rev.order_count, 1);
  EXPECT_EQ(rev.total, 3998);
  EXPECT_EQ(rev.refund_count, 1);
  EXPECT_EQ(rev.refund_total, 3998);

  // Refunded is final: a second refund, or any other status, is 422 and records nothing.
  EXPECT_EQ(orders_.Refund(ws_, id, std::nullopt).error().code(), StatusCode::kValidation);
  EXPECT_EQ(orders_.SetStatus(ws_, id, "paid", std::nullopt).error().code(),
            StatusCode::kValidation);
  EXPECT_EQ(orders_.SetStatus(ws_, id, "refunded", std::nullopt)->version, 2);  // no-op
  EXPECT_EQ(db_.Count("activities"), 2);
  EXPECT_EQ(orders_.Refund(ws_, OrderId(999), std::nullopt).error().code(), StatusCode::kNotFound);
}

TEST_F(OrderServiceTest, CancelledOrderRecordsNothing) {
  OrderInput in = Input({Line(tee_, 1)});
  in.status = "cancelled";
  auto placed = orders_.Place(ws_, in);
  ASSERT_TRUE(placed.has_value()) << placed.error().message();
  EXPECT_FALSE(placed->order.purchase_activity_id.has_value());
  EXPECT_EQ(db_.Count("activities"), 0);
  EXPECT_EQ(db_.Count("contact_revenue"), 0);
  EXPECT_EQ(orders_.Refund(ws_, placed->order.id, std::nullopt).error().code(),
            StatusCode::kValidation);
  EXPECT_EQ(orders_.SetStatus(ws_, placed->order.id, "paid", std::nullopt).error().code(),
            StatusCode::kValidation);
  EXPECT_EQ(db_.Count("activities"), 0);
}

TEST_F(OrderServiceTest, ImportedRefundedOrderRecordsPurchaseAndRefund) {
  OrderInput in = Input({Line(mug_, 2)});
  in.status = "refunded";
  in.placed_at = "2025-05-01T08:00:00Z";
  auto placed = orders_.Place(ws_, in);
  ASSERT_TRUE(placed.has_value()) << placed.error().message();
  ASSERT_TRUE(placed->order.purchase_activity_id && placed->order.refund_activity_id);
  auto refund =
      activities_.Get(ws_, activity::ActivityId(*placed->order.refund_activity_id)).value();
  EXPECT_EQ(refund.amount->value, -1700);
  EXPECT_EQ(refund.occurred_at, placed->order.placed_at);
  activity::Revenue rev = RevenueOf(0);
  EXPECT_EQ(rev.total, 1700);
  EXPECT_EQ(rev.refund_total, 1700);
  auto got = orders_.Get(ws_, placed->order.id).value();
  EXPECT_EQ(got.refund_activity_id, placed->order.refund_activity_id);
  EXPECT_EQ(got.version, 1);
}

TEST_F(OrderServiceTest, ListsNewestFirstAndUpsertsContacts) {
  for (int i = 0; i < 3; ++i) {
    OrderInput in = Input({Line(mug_, i + 1)});
    in.placed_at = FormatTimestamp(kTestNow - (3 - i) * kMicrosPerDay);
    ASSERT_TRUE(orders_.Place(ws_, in).has_value());
  }
  OrderQuery q;
  q.contact_id = contact_ids_[0];
  q.limit = 2;
  auto first = orders_.List(ws_, q).value();
  ASSERT_EQ(first.data.size(), 2u);
  EXPECT_EQ(first.data[0].items[0].quantity, 3);
  EXPECT_EQ(first.data[1].items[0].quantity, 2);
  q.cursor = first.next_cursor;
  auto second = orders_.List(ws_, q).value();
  ASSERT_EQ(second.data.size(), 1u);
  EXPECT_EQ(second.data[0].items[0].quantity, 1);
  EXPECT_FALSE(second.next_cursor.has_value());
  OrderQuery unknown;
  unknown.contact_id = 999;
  EXPECT_EQ(orders_.List(ws_, unknown).error().code(), StatusCode::kNotFound);

  OrderInput in;
  in.contact_email = "new@example.com";
  in.upsert_contact = true;
  in.items = std::vector<ItemInput>{Line(tee_, 1)};
  auto placed = orders_.Place(ws_, in);
  ASSERT_TRUE(placed.has_value()) << placed.error().message();
  EXPECT_EQ(contacts_.Get(ws_, placed->order.contact_id)->email, "new@example.com");
}

}  // namespace
}  // namespace rapport::orders
