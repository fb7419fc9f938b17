#include "http/api/codec.h"

#include <cmath>

#include "common/time_format.h"

namespace rapport::http::api {

const json::value* ObjectReader::Take(std::string_view key) {
  seen_.emplace(key);
  return o_.if_contains(key);
}

void ObjectReader::Error(std::string_view key, std::string message) {
  errors_.push_back({prefix_ + std::string(key), std::move(message)});
}

void ObjectReader::Text(std::string_view key, Field<std::string>& out) {
  const json::value* v = Take(key);
  if (!v) return;
  if (v->is_null()) {
    out = std::optional<std::string>();
  } else if (v->is_string()) {
    out = std::optional<std::string>(std::string(v->as_string()));
  } else {
    Error(key, "must be a string");
  }
}

void ObjectReader::Int(std::string_view key, Field<int64_t>& out) {
  const json::value* v = Take(key);
  if (!v) return;
  if (v->is_null()) {
    out = std::optional<int64_t>();
  } else if (v->is_int64()) {
    out = std::optional<int64_t>(v->as_int64());
  } else if (v->is_double() && std::trunc(v->as_double()) == v->as_double() &&
             std::fabs(v->as_double()) < 9.0e15) {
    out = std::optional<int64_t>(static_cast<int64_t>(v->as_double()));
  } else {
    Error(key, "must be an integer");
  }
}

void ObjectReader::Bool(std::string_view key, Field<bool>& out) {
  const json::value* v = Take(key);
  if (!v) return;
  if (v->is_null()) {
    out = std::optional<bool>();
  } else if (v->is_bool()) {
    out = std::optional<bool>(v->as_bool());
  } else {
    Error(key, "must be true or false");
  }
}

void ObjectReader::TextList(std::string_view key, std::optional<std::vector<std::string>>& out) {
  Field<std::vector<std::string>> f;
  TextList(key, f);
  if (f && !f->has_value()) {
    Error(key, "must be an array of strings");
  } else if (IsSet(f)) {
    out = **f;
  }
}

void ObjectReader::TextList(std::string_view key, Field<std::vector<std::string>>& out) {
  const json::value* v = Take(key);
  if (!v) return;
  if (v->is_null()) {
    out = std::optional<std::vector<std::string>>();
    return;
  }
  if (!v->is_array()) {
    Error(key, "must be an array of strings");
    return;
  }
  std::vector<std::string> items;
  const auto& a = v->as_array();
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string()) {
      Error(std::string(key) + "[" + std::to_string(i) + "]", "must be a string");
      return;
    }
    items.emplace_back(a[i].as_string());
  }
  out = std::optional<std::vector<std::string>>(std::move(items));
}

void ObjectReader::Custom(std::string_view key, std::optional<fields::CustomValues>& out) {
  const json::value* v = Take(key);
  if (!v) return;
  if (!v->is_object()) {
    Error(key, "must be an object of custom field values");
    return;
  }
  fields::CustomValues values;
  for (const auto& [k, x] : v->as_object()) {
    std::string name(k);
    if (x.is_null()) {
      values[name] = std::monostate{};
    } else if (x.is_string()) {
      values[name] = std::string(x.as_string());
    } else if (x.is_int64()) {
      values[name] = x.as_int64();
    } else if (x.is_uint64()) {
      values[name] = static_cast<double>(x.as_uint64());
    } else if (x.is_double()) {
      values[name] = x.as_double();
    } else if (x.is_bool()) {
      values[name] = x.as_bool();
    } else {
      Error(std::string(key) + "." + name, "must be a string, number, boolean or null");
    }
  }
  out = std::move(values);
}

Status ObjectReader::Finish() {
  for (const auto& [k, v] : o_) {
    if (!seen_.count(std::string_view(k))) Error(std::string_view(k), "unknown field");
  }
  if (errors_.empty()) return Status::Ok();
  return ValidationFailed(std::move(errors_));
}

json::value OptString(const std::optional<std::string>& v) {
  if (!v) return nullptr;
  return json::value(*v);
}

json::value OptInt(const std::optional<int64_t>& v) {
  if (!v) return nullptr;
  return json::value(*v);
}

json::value Timestamp(Micros t) { return json::value(FormatTimestamp(t)); }

json::object EncodeCustom(const fields::CustomValues& values) {
  // One encoding of custom values: the store's.
  return json::parse(fields::EncodeCustom(values)).as_object();
}

json::array StringArray(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

}  // namespace rapport::http::api
