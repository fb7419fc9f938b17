// Products and orders. A product is a sellable item (sku unique per workspace, price in
// minor units of one currency). An order is a contact's purchase of line items in one
// currency; it is immutable except for its status. A paid order records a `purchase`
// activity and refunding it a `refund` activity, each through ActivityService::RecordIn in
// the order's own write transaction, so the contact's revenue aggregates never disagree
// with the orders. Both services are thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "activity/activity.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/patch.h"
#include "common/status.h"
#include "contacts/contact.h"
#include "store/store.h"

namespace rapport::orders {

using ProductId = Id<struct ProductTag>;
using OrderId = Id<struct OrderTag>;

inline constexpr const char* kStatuses[] = {"paid", "refunded", "cancelled"};
inline constexpr size_t kMaxItems = 1000;
inline constexpr int64_t kMaxQuantity = 1'000'000'000;

struct Product {
  ProductId id;
  std::string sku, name;
  std::optional<std::string> category;
  activity::Money price;
  int64_t version = 1;
  Micros created_at = 0, updated_at = 0;
};
// Create or merge-patch input: absent fields are untouched, null clears (category only).
struct ProductFields {
  Field<std::string> sku, name, category;
  Field<activity::Money> price;
};
struct ProductQuery {
  int limit = 50;
  std::optional<std::string> cursor, q, category;
};
struct ProductPage {
  std::vector<Product> data;
  std::optional<std::string> next_cursor;
};

class ProductService {
 public:
  ProductService(store::Store& store, Clock& clock) : store_(store), clock_(clock) {}

  // 422 naming every bad field; 409 if the sku is taken (the error carries the existing id).
  Result<Product> Create(WorkspaceId ws, const ProductFields& in);
  // The validation that needs no store, for a create or a patch: every bad field.
  Status Check(const ProductFields& in, bool creating) const;
  Result<Product> Get(WorkspaceId ws, ProductId id);
  // 412 when if_version is stale; 409 if the new sku is taken. Orders keep their prices.
  Result<Product> Update(WorkspaceId ws, ProductId id, const ProductFields& patch,
                         std::optional<int64_t> if_version);
  // By id; `q` matches sku or name (substring); 400 for a bad cursor.
  Result<ProductPage> List(WorkspaceId ws, const ProductQuery& query);

 private:
  store::Store& store_;
  Clock& clock_;
};

struct OrderItem {
  int64_t line = 0;  // 1-based position in the order
  ProductId product_id;
  std::string sku, name;  // the product's when ordered
  int64_t quantity = 0, unit_price = 0, discount = 0;
  int64_t total = 0;  // quantity × unit_price − discount
};

struct Order {
  OrderId id;
  ContactId contact_id;
  std::string status, channel, currency;
  Micros placed_at = 0;
  int64_t total = 0;  // minor units, after line discounts
  std::optional<std::string> client_id;
  std::vector<OrderItem> items;
  std::optional<int64_t> purchase_activity_id, refund_activity_id;
  int64_t version = 1;
  Micros created_at = 0, updated_at = 0;
};

struct ItemInput {
  std::optional<int64_t> product_id, quantity, unit_price, discount;
};
// One order to place. The contact is named like an activity's (id, email or external id).
struct OrderInput {
  std::optional<std::string> client_id, status, placed_at, channel, currency;
  std::optional<int64_t> contact_id;
  std::optional<std::string> contact_email, contact_external_id;
  bool upsert_contact = false;  // create an unknown contact from contact_email
  std::optional<std::vector<ItemInput>> items;
};

struct Placed {
  Order order;
  bool duplicate = false;  // the client id was placed before; nothing new was stored
};
struct OrderQuery {
  std::optional<int64_t> contact_id;
  std::optional<std::string> status, cursor;
  int limit = 50;
};
struct OrderPage {
  std::vector<Order> data;
  std::optional<std::string> next_cursor;
};

class OrderService {
 public:
  OrderService(store::Store& store, Clock& clock, contacts::ContactService& contacts,
               activity::ActivityService& activities)
      : store_(store), clock_(clock), contacts_(contacts), activities_(activities) {}

  // 422 naming every bad field (`items[2].quantity`); nothing is stored then. A paid order
  // records its purchase activity in the same transaction; a client id seen before returns
  // the stored order.
  Result<Placed> Place(WorkspaceId ws, const OrderInput& in);
  // The validation that needs no store: every bad field.
  Status Check(const OrderInput& in) const;
  Result<Order> Get(WorkspaceId ws, OrderId id);
  // Newest first (placed_at, then id). NotFound for an unknown contact_id.
  Result<OrderPage> List(WorkspaceId ws, const OrderQuery& query);
  // paid → refunded records a refund activity (the negative total). Any other change is
  // 422 (a paid order is refunded, not cancelled); the same status is a no-op. NotFound for
  // an unknown id, 412 when if_version is stale.
  Result<Order> SetStatus(WorkspaceId ws, OrderId id, std::string_view status,
                          std::optional<int64_t> if_version);
  // SetStatus(refunded), but 422 if the order is already refunded.
  Result<Order> Refund(WorkspaceId ws, OrderId id, std::optional<int64_t> if_version);

 private:
  store::Store& store_;
  Clock& clock_;
  contacts::ContactService& contacts_;
  activity::ActivityService& activities_;
};

}  // namespace rapport::orders
