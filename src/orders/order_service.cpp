#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "common/time_format.h"
#include "orders/order.h"
#include "store/change_feed.h"
#include "store/keyset.h"

namespace rapport::orders {
namespace {

constexpr std::string_view kOrderCols =
    "id, contact_id, status, placed_at, channel, currency, total, client_id, "
    "purchase_activity_id, refund_activity_id, version, created_at, updated_at";
constexpr std::string_view kSelectOne =
    "SELECT id, contact_id, status, placed_at, channel, currency, total, client_id, "
    "purchase_activity_id, refund_activity_id, version, created_at, updated_at "
    "FROM orders WHERE workspace_id = $1 AND id = $2";
constexpr std::string_view kByClientId =
    "SELECT id FROM orders WHERE workspace_id = $1 AND client_id = $2";
constexpr std::string_view kItemsOf =
    "SELECT line, product_id, sku, name, quantity, unit_price, discount FROM order_items "
    "WHERE order_id = $1 ORDER BY line";
constexpr std::string_view kInsert =
    "INSERT INTO orders (workspace_id, contact_id, status, placed_at, channel, currency, total, "
    "client_id, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, "
    "$9) RETURNING id";
constexpr std::string_view kInsertItem =
    "INSERT INTO order_items (order_id, line, product_id, workspace_id, quantity, unit_price, "
    "discount, sku, name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
constexpr std::string_view kSetActivities =
    "UPDATE orders SET purchase_activity_id = $2, refund_activity_id = $3 WHERE id = $1";
constexpr std::string_view kSetStatus =
    "UPDATE orders SET status = $3, refund_activity_id = COALESCE($4, refund_activity_id), "
    "version = version + 1, updated_at = $5 WHERE workspace_id = $1 AND id = $2";
constexpr std::string_view kProduct =
    "SELECT sku, name, price, currency FROM products WHERE workspace_id = $1 AND id = $2";
constexpr std::string_view kContactExists =
    "SELECT 1 FROM contacts WHERE workspace_id = $1 AND id = $2";

constexpr store::SortColumn kSorts[] = {{"placed_at", "placed_at", false}};
constexpr Micros kEarliest = -2208988800LL * kMicrosPerSecond;  // 1900-01-01

template <size_t N>
bool OneOf(std::string_view s, const char* const (&list)[N]) {
  return std::any_of(std::begin(list), std::end(list), [&](const char* x) { return s == x; });
}

std::string Item(size_t i, const char* field) {
  return "items[" + std::to_string(i) + "]." + field;
}

Order DecodeOrder(const store::Row& r) {
  Order o;
  o.id = OrderId(r.Int(0));
  o.contact_id = ContactId(r.Int(1));
  o.status = r.Text(2);
  o.placed_at = r.Int(3);
  o.channel = r.Text(4);
  o.currency = r.Text(5);
  o.total = r.Int(6);
  o.client_id = r.OptText(7);
  o.purchase_activity_id = r.OptInt(8);
  o.refund_activity_id = r.OptInt(9);
  o.version = r.Int(10);
  o.created_at = r.Int(11);
  o.updated_at = r.Int(12);
  return o;
}

Result<Order> Load(store::Txn& t, WorkspaceId ws, OrderId id) {
  ASSIGN_OR_RETURN(auto row, t.QueryOne(kSelectOne, {ws.value, id.value}));
  if (!row) return NotFound("order " + std::to_string(id.value) + " not found");
  Order o = DecodeOrder(*row);
  ASSIGN_OR_RETURN(auto items, t.Query(kItemsOf, {id.value}));
  for (const auto& r : items) {
    OrderItem it{r.Int(0), ProductId(r.Int(1)), r.Text(2), r.Text(3), r.Int(4), r.Int(5), r.Int(6),
                 0};
    it.total = it.quantity * it.unit_price - it.discount;  // checked when placed
    o.items.push_back(std::move(it));
  }
  return o;
}

// What Prepare and Resolve work out before anything is written.
struct Draft {
  Order order;
  std::vector<bool> priced;  // per line: unit_price was given
};

// The validation that needs no store; fills what it can of `d`.
void Prepare(const OrderInput& in, Micros now, Draft& d, std::vector<FieldError>& errors) {
  Order& o = d.order;
  if (in.client_id) {
    if (in.client_id->empty() || in.client_id->size() > 255) {
      errors.push_back({"id", "must be 1 to 255 characters"});
    }
    o.client_id = in.client_id;
  }
  o.status = in.status.value_or("paid");
  if (!OneOf(o.status, kStatuses)) {
    errors.push_back({"status", "must be one of: paid, refunded, cancelled"});
  }
  o.channel = in.channel.value_or("store");
  if (!OneOf(o.channel, activity::kChannels)) {
    errors.push_back({"channel",
                      "must be one of: email, phone, sms, web, chat, in_person, social, support, "
                      "store, other"});
  }
  o.placed_at = now;
  if (in.placed_at) {
    auto ts = ParseTimestamp(*in.placed_at);
    if (!ts) {
      errors.push_back({"placed_at", "must be an RFC 3339 timestamp such as 2026-11-23T15:04:05Z"});
    } else if (*ts > now + activity::kFutureTolerance) {
      errors.push_back({"placed_at", "must not be more than 5 minutes in the future"});
    } else if (*ts < kEarliest) {
      errors.push_back({"placed_at", "must not be before 1900"});
    } else {
      o.placed_at = *ts;
    }
  }
  if (in.currency) {
    if (!activity::IsCurrency(*in.currency)) {
      errors.push_back({"currency", "must be an ISO 4217 code such as EUR"});
    } else {
      o.currency = *in.currency;
    }
  }
  if (!in.contact_id && !in.contact_email && !in.contact_external_id) {
    errors.push_back(
        {"contact_id",
         "an order needs a contact (contact_id, contact_email or contact_external_id)"});
  }
  if (!in.items || in.items->empty()) {
    errors.push_back({"items", "must hold at least one line"});
    return;
  }
  if (in.items->size() > kMaxItems) {
    errors.push_back({"items", "must hold at most 1000 lines"});
    return;
  }
  for (size_t i = 0; i < in.items->size(); ++i) {
    const ItemInput& x = (*in.items)[i];
    OrderItem it;
    it.line = static_cast<int64_t>(i) + 1;
    if (!x.product_id) {
      errors.push_back({Item(i, "product_id"), "is required"});
    } else if (*x.product_id <= 0) {
      errors.push_back({Item(i, "product_id"), "must be a product id"});
    } else {
      it.product_id = ProductId(*x.product_id);
    }
    if (!x.quantity) {
      errors.push_back({Item(i, "quantity"), "is required"});
    } else if (*x.quantity < 1 || *x.quantity > kMaxQuantity) {
      errors.push_back({Item(i, "quantity"), "must be a whole number from 1 to 10^9"});
    } else {
      it.quantity = *x.quantity;
    }
    if (x.unit_price && (*x.unit_price < 0 || *x.unit_price > activity::kMaxAmount)) {
      errors.push_back({Item(i, "unit_price"), "must be 0 to 10^15 minor units"});
    } else if (x.unit_price) {
      it.unit_price = *x.unit_price;
    }
    if (x.discount && (*x.discount < 0 || *x.discount > activity::kMaxAmount)) {
      errors.push_back({Item(i, "discount"), "must be 0 to 10^15 minor units"});
    } else if (x.discount) {
      it.discount = *x.discount;
    }
    d.priced.push_back(x.unit_price.has_value());
    o.items.push_back(std::move(it));
  }
}

// The validation against the store: products, currency, totals and the contact. With
// `write`, an unknown contact is created when the input asks for it.
Status Resolve(store::Txn& t, WorkspaceId ws, const OrderInput& in, Draft& d, bool write,
               contacts::ContactService& contacts, std::vector<FieldError>& errors) {
  Order& o = d.order;
  std::map<int64_t, std::optional<store::Row>> products;
  bool lines_ok = true;
  for (size_t i = 0; i < o.items.size(); ++i) {
    OrderItem& it = o.items[i];
    if (it.product_id.value <= 0) {
      lines_ok = false;
      continue;
    }
    auto [p, fresh] = products.try_emplace(it.product_id.value);
    if (fresh) {
      ASSIGN_OR_RETURN(p->second, t.QueryOne(kProduct, {ws.value, it.product_id.value}));
    }
    if (!p->second) {
      errors.push_back({Item(i, "product_id"), "no product with this id"});
      lines_ok = false;
      continue;
    }
    const store::Row& r = *p->second;
    it.sku = r.Text(0);
    it.name = r.Text(1);
    if (o.currency.empty() && !in.currency) o.currency = r.Text(3);
    if (!d.priced[i]) {
      it.unit_price = r.Int(2);
      if (!o.currency.empty() && r.Text(3) != o.currency) {
        errors.push_back({Item(i, "product_id"), "is priced in " + r.Text(3) +
                                                     " but the order is in " + o.currency +
                                                     " (give unit_price in " + o.currency + ")"});
        lines_ok = false;
      }
    }
  }
  // Totals, with every step checked for overflow: quantity × unit_price − discount.
  if (lines_ok && o.items.size() == (in.items ? in.items->size() : 0)) {
    int64_t total = 0;
    bool overflow = false;
    for (size_t i = 0; i < o.items.size(); ++i) {
      OrderItem& it = o.items[i];
      if (it.quantity < 1) continue;  // reported by Prepare
      int64_t amount = 0;
      if (__builtin_mul_overflow(it.quantity, it.unit_price, &amount) ||
          amount > activity::kMaxAmount) {
        errors.push_back({Item(i, "quantity"), "quantity × unit_price exceeds 10^15 minor units"});
        overflow = true;
        continue;
      }
      if (it.discount > amount) {
        errors.push_back({Item(i, "discount"), "must not exceed quantity × unit_price (" +
                                                   std::to_string(amount) + ")"});
      }
      it.total = amount - it.discount;
      if (__builtin_add_overflow(total, it.total, &total)) overflow = true;
    }
    if (overflow || total > activity::kMaxAmount) {
      errors.push_back({"total", "must not exceed 10^15 minor units"});
    } else if (total < 0) {
      errors.push_back({"total", "must not be negative (discounts exceed the prices)"});
    }
    o.total = total;
  }
  // The contact, by id, email or external id.
  if (!in.contact_id && !in.contact_email && !in.contact_external_id) return Status::Ok();
  contacts::ContactRef ref{in.contact_id, in.contact_email, in.contact_external_id};
  auto id = contacts::ContactService::Resolve(t, ws, ref);
  if (!id && id.error().code() != StatusCode::kNotFound) return id.error();
  bool creates = in.upsert_contact && in.contact_email;
  if (!id && creates && !write) return Status::Ok();  // would be created
  if (!id && creates && errors.empty()) {
    contacts::ContactFields f;
    f.email = std::optional<std::string>(*in.contact_email);
    if (in.contact_external_id) {
      f.external_id = std::optional<std::string>(*in.contact_external_id);
    }
    auto created = contacts.Create(ws, f);  // joins this transaction
    if (!created) {
      if (created.error().code() != StatusCode::kValidation &&
          created.error().code() != StatusCode::kAlreadyExists) {
        return created.error();
      }
      for (const auto& e : created.error().fields()) {
        errors.push_back({"contact_" + e.field, e.message});
      }
      if (created.error().fields().empty()) {
        errors.push_back({"contact_email", created.error().message()});
      }
      return Status::Ok();
    }
    id = created->id;
  }
  if (!id) {
    const char* field = in.contact_id      ? "contact_id"
                        : in.contact_email ? "contact_email"
                                           : "contact_external_id";
    if (!creates) errors.push_back({field, id.error().message()});
    return Status::Ok();
  }
  o.contact_id = *id;
  return Status::Ok();
}

// {"order_id": 7, "items": [{"sku": "TEE-M", "quantity": 2}]}
std::string ActivityProperties(const Order& o) {
  boost::json::array items;
  for (const auto& it : o.items) {
    items.push_back(boost::json::object{{"sku", it.sku}, {"quantity", it.quantity}});
  }
  return boost::json::serialize(
      boost::json::object{{"order_id", o.id.value}, {"items", std::move(items)}});
}

activity::ActivityInput MoneyActivity(const Order& o, const char* type, int64_t amount, Micros at) {
  activity::ActivityInput a;
  a.contact_id = o.contact_id.value;
  a.type = type;
  a.channel = o.channel;
  a.occurred_at = FormatTimestamp(at);
  a.amount = activity::Money{amount, o.currency};
  a.properties = ActivityProperties(o);
  return a;
}

}  // namespace

Status OrderService::Check(const OrderInput& in) const {
  Draft d;
  std::vector<FieldError> errors;
  Prepare(in, clock_.Now(), d, errors);
  if (!errors.empty()) return ValidationFailed(std::move(errors));
  return Status::Ok();
}

Result<Placed> OrderService::Place(WorkspaceId ws, const OrderInput& in) {
  Micros now = clock_.Now();
  Draft d;
  std::vector<FieldError> errors;
  Prepare(in, now, d, errors);
  if (!errors.empty()) {
    // Report the store's objections too (unknown products, contact), from a snapshot.
    RETURN_IF_ERROR(store_.Read(
        [&](store::Txn& t) { return Resolve(t, ws, in, d, false, contacts_, errors); }));
    return ValidationFailed(std::move(errors));
  }
  return store_.Write([&](store::Txn& t) -> Result<Placed> {
    if (in.client_id) {
      ASSIGN_OR_RETURN(auto existing, t.QueryOne(kByClientId, {ws.value, *in.client_id}));
      if (existing) {
        ASSIGN_OR_RETURN(Order o, Load(t, ws, OrderId(existing->Int(0))));
        return Placed{std::move(o), true};
      }
    }
    Draft draft = d;  // the function owns its state
    std::vector<FieldError> found;
    RETURN_IF_ERROR(Resolve(t, ws, in, draft, true, contacts_, found));
    if (!found.empty()) return ValidationFailed(std::move(found));
    Order& o = draft.order;
    o.created_at = o.updated_at = now;
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kInsert, {ws.value, o.contact_id.value, o.status,
                                                    o.placed_at, o.channel, o.currency, o.total,
                                                    store::Opt(o.client_id), now}));
    o.id = OrderId(row->Int(0));
    for (const auto& it : o.items) {
      RETURN_IF_ERROR(
          t.Exec(kInsertItem, {o.id.value, it.line, it.product_id.value, ws.value, it.quantity,
                               it.unit_price, it.discount, it.sku, it.name})
              .status());
    }
    if (o.status != "cancelled") {
      // Paid (or imported as refunded): the purchase happened when the order was placed.
      ASSIGN_OR_RETURN(auto bought, activities_.RecordIn(
                                        t, ws, MoneyActivity(o, "purchase", o.total, o.placed_at)));
      o.purchase_activity_id = bought.activity.id.value;
    }
    if (o.status == "refunded") {
      ASSIGN_OR_RETURN(
          auto refunded,
          activities_.RecordIn(t, ws, MoneyActivity(o, "refund", -o.total, o.placed_at)));
      o.refund_activity_id = refunded.activity.id.value;
    }
    if (o.purchase_activity_id) {
      RETURN_IF_ERROR(t.Exec(kSetActivities, {o.id.value, store::Opt(o.purchase_activity_id),
                                              store::Opt(o.refund_activity_id)})
                          .status());
    }
    RETURN_IF_ERROR(
        store::AppendChange(t, ws, "order", o.id.value, store::ChangeKind::kCreated, now));
    return Placed{std::move(o), false};
  });
}

Result<Order> OrderService::Get(WorkspaceId ws, OrderId id) {
  return store_.Read([&](store::Txn& t) { return Load(t, ws, id); });
}

Result<OrderPage> OrderService::List(WorkspaceId ws, const OrderQuery& q) {
  if (q.status && !OneOf(*q.status, kStatuses)) {
    return InvalidArgument("status must be one of: paid, refunded, cancelled",
                           {{"status", "must be one of: paid, refunded, cancelled"}});
  }
  ASSIGN_OR_RETURN(auto list, store::ListStatement::Begin(kOrderCols, "orders", ws.value,
                                                          "-placed_at", q.cursor, kSorts));
  if (q.contact_id) list.And("contact_id = " + list.Bind(*q.contact_id));
  if (q.status) list.And("status = " + list.Bind(*q.status));
  return store_.Read([&](store::Txn& t) -> Result<OrderPage> {
    if (q.contact_id) {
      ASSIGN_OR_RETURN(auto c, t.QueryOne(kContactExists, {ws.value, *q.contact_id}));
      if (!c) return NotFound("contact " + std::to_string(*q.contact_id) + " not found");
    }
    ASSIGN_OR_RETURN(auto rows, list.Run(t, q.limit));
    OrderPage page;
    page.next_cursor = list.NextCursor(rows, q.limit);
    for (const auto& r : rows) {
      ASSIGN_OR_RETURN(Order o, Load(t, ws, OrderId(r.Int(0))));
      page.data.push_back(std::move(o));
    }
    return page;
  });
}

Result<Order> OrderService::SetStatus(WorkspaceId ws, OrderId id, std::string_view status,
                                      std::optional<int64_t> if_version) {
  if (!OneOf(status, kStatuses)) {
    return ValidationFailed({{"status", "must be one of: paid, refunded, cancelled"}});
  }
  return store_.Write([&](store::Txn& t) -> Result<Order> {
    ASSIGN_OR_RETURN(Order o, Load(t, ws, id));
    if (if_version && *if_version != o.version) {
      return FailedPrecondition("order " + std::to_string(id.value) + " has changed (version " +
                                std::to_string(o.version) + "); reload and retry");
    }
    if (o.status == status) return o;
    if (o.status == "paid" && status == "cancelled") {
      return ValidationFailed({{"status", "a paid order cannot be cancelled; refund it instead"}});
    }
    if (o.status != "paid" || status != "refunded") {
      return ValidationFailed({{"status", "a " + o.status + " order cannot become " +
                                              std::string(status) + " (orders are immutable)"}});
    }
    Micros now = clock_.Now();
    ASSIGN_OR_RETURN(auto refunded,
                     activities_.RecordIn(
                         t, ws, MoneyActivity(o, "refund", -o.total, std::max(now, o.placed_at))));
    o.refund_activity_id = refunded.activity.id.value;
    o.status = "refunded";
    RETURN_IF_ERROR(
        t.Exec(kSetStatus, {ws.value, id.value, o.status, *o.refund_activity_id, now}).status());
    o.version += 1;
    o.updated_at = now;
    RETURN_IF_ERROR(
        store::AppendChange(t, ws, "order", id.value, store::ChangeKind::kUpdated, now));
    return o;
  });
}

Result<Order> OrderService::Refund(WorkspaceId ws, OrderId id, std::optional<int64_t> if_version) {
  return store_.Write([&](store::Txn& t) -> Result<Order> {
    ASSIGN_OR_RETURN(Order o, Load(t, ws, id));
    if (o.status == "refunded" && (!if_version || *if_version == o.version)) {
      return ValidationFailed({{"status", "the order is already refunded"}});
    }
    return SetStatus(ws, id, "refunded", if_version);  // joins this transaction
  });
}

}  // namespace rapport::orders
