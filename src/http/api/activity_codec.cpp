#include "http/api/activity_codec.h"

#include <cstddef>
#include <utility>

#include "activity/activity.h"
#include "http/api/codec.h"

namespace rapport::http::api {

Status DecodeActivity(const json::object& o, activity::ActivityInput& in,
                      const std::string& prefix) {
  ObjectReader r(o, prefix);
  Field<std::string> id, contact_email, contact_external_id, type, channel, occurred_at, source;
  Field<int64_t> contact_id, company_id, author_id;
  Field<bool> upsert;
  r.Text("id", id);
  r.Int("contact_id", contact_id);
  r.Text("contact_email", contact_email);
  r.Text("contact_external_id", contact_external_id);
  r.Bool("upsert_contact", upsert);
  r.Int("company_id", company_id);
  r.Int("author_id", author_id);
  r.Text("type", type);
  r.Text("channel", channel);
  r.Text("occurred_at", occurred_at);
  r.Text("source", source);
  std::vector<FieldError> errors;
  r.Any("amount", [&](const json::value& v) {
    if (v.is_null()) return;
    const auto* obj = v.if_object();
    const json::value* value = obj ? obj->if_contains("value") : nullptr;
    const json::value* currency = obj ? obj->if_contains("currency") : nullptr;
    if (!obj || !value || !currency || obj->size() != 2) {
      errors.push_back(
          {prefix + "amount", "must be {\"value\": <integer minor units>, \"currency\": \"EUR\"}"});
      return;
    }
    activity::Money m;
    if (value->is_int64()) {
      m.value = value->as_int64();
    } else {
      errors.push_back(
          {prefix + "amount.value", "must be an integer number of minor units within ±1e15"});
    }
    if (currency->is_string()) {
      m.currency = std::string(currency->as_string());
    } else {
      errors.push_back({prefix + "amount.currency", "must be an ISO 4217 code such as EUR"});
    }
    in.amount = m;
  });
  r.Any("properties", [&](const json::value& v) {
    if (v.is_null()) return;
    if (!v.is_object()) {
      errors.push_back({prefix + "properties", "must be a JSON object"});
      return;
    }
    in.properties = json::serialize(v);
  });
  Status s = r.Finish();
  auto set = [](const auto& field, auto& out) {
    if (IsSet(field)) out = **field;
  };
  set(id, in.client_id);
  set(contact_id, in.contact_id);
  set(contact_email, in.contact_email);
  set(contact_external_id, in.contact_external_id);
  set(company_id, in.company_id);
  set(author_id, in.author_id);
  set(type, in.type);
  set(channel, in.channel);
  set(occurred_at, in.occurred_at);
  set(source, in.source);
  in.upsert_contact = IsSet(upsert) && **upsert;
  if (s.ok() && errors.empty()) return s;
  std::vector<FieldError> all = s.fields();
  all.insert(all.end(), errors.begin(), errors.end());
  return ValidationFailed(std::move(all));
}

json::object EncodeActivity(const activity::Activity& a) {
  json::object o{
      {"id", a.id.value},
      {"contact_id", OptInt(a.contact_id)},
      {"company_id", OptInt(a.company_id)},
      {"type", a.type},
      {"channel", a.channel},
      {"occurred_at", Timestamp(a.occurred_at)},
      {"properties", json::parse(a.properties)},
      {"source", OptString(a.source)},
      {"author_id", OptInt(a.author_id)},
      {"client_id", OptString(a.client_id)},
      {"recorded_at", Timestamp(a.recorded_at)},
  };
  o["amount"] =
      a.amount
          ? json::value(json::object{{"value", a.amount->value}, {"currency", a.amount->currency}})
          : json::value(nullptr);
  return o;
}

// Typical rows are 300 to 400 bytes: one allocation for most pages.
TimelinePageWriter::TimelinePageWriter(size_t expected_rows) : out_(64 + expected_rows * 448) {
  out_.Raw("{\"data\":[");
}

Status TimelinePageWriter::Add(const activity::ActivityView& a) {
  // Parsed rather than copied: stored text need not be in the form the serializer writes
  // (orders and older versions wrote their own), and the API has always re-serialised it.
  alignas(std::max_align_t) unsigned char arena[2048];
  json::monotonic_resource resource(arena, sizeof arena);
  json::error_code ec;
  json::value properties = json::parse(a.properties, ec, &resource);
  if (ec) return Internal("activity " + std::to_string(a.id) + " has malformed properties");

  out_.Raw(first_ ? "{\"id\":" : ",{\"id\":").Int(a.id);
  first_ = false;
  out_.Raw(",\"contact_id\":").OptInt(a.contact_id);
  out_.Raw(",\"company_id\":").OptInt(a.company_id);
  out_.Raw(",\"type\":").Text(a.type);
  out_.Raw(",\"channel\":").Text(a.channel);
  out_.Raw(",\"occurred_at\":").Time(a.occurred_at);
  out_.Raw(",\"properties\":").Value(properties);
  out_.Raw(",\"source\":").OptText(a.source);
  out_.Raw(",\"author_id\":").OptInt(a.author_id);
  out_.Raw(",\"client_id\":").OptText(a.client_id);
  out_.Raw(",\"recorded_at\":").Time(a.recorded_at);
  if (a.amount) {
    out_.Raw(",\"amount\":{\"value\":").Int(*a.amount);
    out_.Raw(",\"currency\":").Text(a.currency).Raw("}}");
  } else {
    out_.Raw(",\"amount\":null}");
  }
  return Status::Ok();
}

std::string TimelinePageWriter::Finish(const std::optional<std::string>& next_cursor) && {
  out_.Raw("],\"next_cursor\":").OptText(next_cursor).Raw('}');
  return std::move(out_).Take();
}

json::object EncodeAggregates(const activity::Aggregates& agg) {
  json::array revenue;
  for (const auto& r : agg.revenue) {
    json::object o{
        {"currency", r.currency},
        {"order_count", r.order_count},
        {"total", r.total},
        {"average_order_value", r.order_count ? r.total / r.order_count : 0},
        {"refund_count", r.refund_count},
        {"refund_total", r.refund_total},
        {"first_purchase_at", r.first_purchase_at ? Timestamp(*r.first_purchase_at) : nullptr},
        {"last_purchase_at", r.last_purchase_at ? Timestamp(*r.last_purchase_at) : nullptr}};
    o["days_since_last_purchase"] = OptInt(r.days_since_last_purchase);
    revenue.push_back(std::move(o));
  }
  json::object touch;
  for (const auto& [channel, at] : agg.last_touch) touch[channel] = Timestamp(at);
  json::object counts;
  for (const auto& [type, c] : agg.counts) {
    counts[type] =
        json::object{{"last_30_days", c[0]}, {"last_90_days", c[1]}, {"last_365_days", c[2]}};
  }
  return json::object{
      {"revenue", std::move(revenue)},
      {"last_touch", std::move(touch)},
      {"activity_counts", std::move(counts)},
      {"last_activity_at", agg.last_activity_at ? Timestamp(*agg.last_activity_at) : nullptr}};
}

json::object EncodeActivityType(const activity::CustomType& t) {
  json::object props;
  for (const auto& [k, v] : t.properties) props[k] = v;
  return json::object{
      {"id", t.id},
      {"name", t.name},
      {"label", t.label},
      {"schema", json::object{{"properties", props}, {"required", StringArray(t.required)}}},
      {"created_at", Timestamp(t.created_at)}};
}

}  // namespace rapport::http::api
