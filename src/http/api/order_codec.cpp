#include "http/api/order_codec.h"

#include "http/api/codec.h"

namespace rapport::http::api {
namespace {

// Members of an order that exist but cannot be changed by PATCH.
constexpr const char* kImmutable[] = {"id",
                                      "client_id",
                                      "contact_id",
                                      "contact_email",
                                      "contact_external_id",
                                      "upsert_contact",
                                      "placed_at",
                                      "channel",
                                      "currency",
                                      "items",
                                      "total",
                                      "subtotal",
                                      "discount",
                                      "purchase_activity_id",
                                      "refund_activity_id",
                                      "version",
                                      "created_at",
                                      "updated_at"};

Status Combine(const Status& decoded, std::vector<FieldError> extra) {
  if (decoded.ok() && extra.empty()) return decoded;
  std::vector<FieldError> all = decoded.fields();
  all.insert(all.end(), extra.begin(), extra.end());
  return ValidationFailed(std::move(all));
}

template <typename T>
void Set(const Field<T>& f, std::optional<T>& out) {
  if (IsSet(f)) out = **f;
}

}  // namespace

Status DecodeProduct(const json::object& o, orders::ProductFields& out) {
  ObjectReader r(o);
  r.Text("sku", out.sku);
  r.Text("name", out.name);
  r.Text("category", out.category);
  std::vector<FieldError> errors;
  r.Any("price", [&](const json::value& v) {
    if (v.is_null()) {
      out.price = std::optional<activity::Money>();
      return;
    }
    const auto* obj = v.if_object();
    const json::value* value = obj ? obj->if_contains("value") : nullptr;
    const json::value* currency = obj ? obj->if_contains("currency") : nullptr;
    if (!obj || !value || !currency || obj->size() != 2) {
      errors.push_back(
          {"price", "must be {\"value\": <integer minor units>, \"currency\": \"EUR\"}"});
      return;
    }
    activity::Money m;
    bool ok = true;
    if (value->is_int64()) {
      m.value = value->as_int64();
    } else {
      errors.push_back({"price.value", "must be an integer number of minor units"});
      ok = false;
    }
    if (currency->is_string()) {
      m.currency = std::string(currency->as_string());
    } else {
      errors.push_back({"price.currency", "must be an ISO 4217 code such as EUR"});
      ok = false;
    }
    if (ok) out.price = std::optional<activity::Money>(m);
  });
  return Combine(r.Finish(), std::move(errors));
}

json::object EncodeProduct(const orders::Product& p) {
  return json::object{
      {"id", p.id.value},
      {"sku", p.sku},
      {"name", p.name},
      {"category", OptString(p.category)},
      {"price", json::object{{"value", p.price.value}, {"currency", p.price.currency}}},
      {"version", p.version},
      {"created_at", Timestamp(p.created_at)},
      {"updated_at", Timestamp(p.updated_at)},
  };
}

Status DecodeOrder(const json::object& o, orders::OrderInput& out) {
  ObjectReader r(o);
  Field<std::string> id, contact_email, contact_external_id, status, placed_at, channel, currency;
  Field<int64_t> contact_id;
  Field<bool> upsert;
  r.Text("id", id);
  r.Int("contact_id", contact_id);
  r.Text("contact_email", contact_email);
  r.Text("contact_external_id", contact_external_id);
  r.Bool("upsert_contact", upsert);
  r.Text("status", status);
  r.Text("placed_at", placed_at);
  r.Text("channel", channel);
  r.Text("currency", currency);
  std::vector<FieldError> errors;
  r.Any("items", [&](const json::value& v) {
    if (v.is_null()) return;
    if (!v.is_array()) {
      errors.push_back({"items", "must be an array of line items"});
      return;
    }
    std::vector<orders::ItemInput> items;
    const auto& a = v.as_array();
    for (size_t i = 0; i < a.size(); ++i) {
      std::string name = "items[" + std::to_string(i) + "]";
      orders::ItemInput item;
      if (!a[i].is_object()) {
        errors.push_back({name, "must be an object"});
        items.push_back(item);
        continue;
      }
      ObjectReader line(a[i].as_object(), name + ".");
      Field<int64_t> product_id, quantity, unit_price, discount;
      line.Int("product_id", product_id);
      line.Int("quantity", quantity);
      line.Int("unit_price", unit_price);
      line.Int("discount", discount);
      Status s = line.Finish();
      errors.insert(errors.end(), s.fields().begin(), s.fields().end());
      Set(product_id, item.product_id);
      Set(quantity, item.quantity);
      Set(unit_price, item.unit_price);
      Set(discount, item.discount);
      items.push_back(item);
    }
    out.items = std::move(items);
  });
  Status s = r.Finish();
  Set(id, out.client_id);
  Set(contact_id, out.contact_id);
  Set(contact_email, out.contact_email);
  Set(contact_external_id, out.contact_external_id);
  Set(status, out.status);
  Set(placed_at, out.placed_at);
  Set(channel, out.channel);
  Set(currency, out.currency);
  out.upsert_contact = IsSet(upsert) && **upsert;
  return Combine(s, std::move(errors));
}

Status DecodeOrderPatch(const json::object& o, std::optional<std::string>& status) {
  std::vector<FieldError> errors;
  for (const auto& [key, value] : o) {
    if (key == "status") continue;
    bool known = false;
    for (const char* k : kImmutable) known = known || key == k;
    errors.push_back({std::string(key), known ? "cannot be changed: orders are immutable except "
                                                "for their status"
                                              : "unknown field"});
  }
  const json::value* v = o.if_contains("status");
  if (!v) {
    errors.push_back({"status", "is required"});
  } else if (!v->is_string()) {
    errors.push_back({"status", "must be one of: paid, refunded, cancelled"});
  } else {
    status = std::string(v->as_string());
  }
  if (!errors.empty()) return ValidationFailed(std::move(errors));
  return Status::Ok();
}

json::object EncodeOrder(const orders::Order& o) {
  json::array items;
  int64_t subtotal = 0, discount = 0;
  for (const auto& it : o.items) {
    items.push_back(json::object{{"line", it.line},
                                 {"product_id", it.product_id.value},
                                 {"sku", it.sku},
                                 {"name", it.name},
                                 {"quantity", it.quantity},
                                 {"unit_price", it.unit_price},
                                 {"discount", it.discount},
                                 {"total", it.total}});
    subtotal += it.total + it.discount;
    discount += it.discount;
  }
  return json::object{
      {"id", o.id.value},
      {"client_id", OptString(o.client_id)},
      {"contact_id", o.contact_id.value},
      {"status", o.status},
      {"placed_at", Timestamp(o.placed_at)},
      {"channel", o.channel},
      {"currency", o.currency},
      {"items", std::move(items)},
      {"subtotal", subtotal},
      {"discount", discount},
      {"total", o.total},
      {"purchase_activity_id", OptInt(o.purchase_activity_id)},
      {"refund_activity_id", OptInt(o.refund_activity_id)},
      {"version", o.version},
      {"created_at", Timestamp(o.created_at)},
      {"updated_at", Timestamp(o.updated_at)},
  };
}

}  // namespace rapport::http::api
