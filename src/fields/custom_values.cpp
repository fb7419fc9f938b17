// Validation and JSON storage of custom field values.
#include <boost/json.hpp>
#include <cmath>
#include <set>

#include "common/strings.h"
#include "common/time_format.h"
#include "fields/custom_field.h"

namespace rapport::fields {
namespace {

constexpr size_t kMaxTextLength = 10000;

std::optional<std::string> ValidateValue(const FieldDef& def, const CustomValue& v) {
  switch (def.type) {
    case FieldType::kText: {
      const auto* s = std::get_if<std::string>(&v);
      if (!s) return "must be a string";
      if (Utf8Length(*s) > kMaxTextLength) return "must be at most 10000 characters";
      return std::nullopt;
    }
    case FieldType::kNumber: {
      if (std::holds_alternative<int64_t>(v)) return std::nullopt;
      const auto* d = std::get_if<double>(&v);
      if (!d) return "must be a number";
      if (!std::isfinite(*d)) return "must be a finite number";
      return std::nullopt;
    }
    case FieldType::kBoolean:
      if (!std::holds_alternative<bool>(v)) return "must be true or false";
      return std::nullopt;
    case FieldType::kDate: {
      const auto* s = std::get_if<std::string>(&v);
      if (!s || !ParseDate(*s)) return "must be a date YYYY-MM-DD";
      return std::nullopt;
    }
    case FieldType::kEnum: {
      const auto* s = std::get_if<std::string>(&v);
      if (s) {
        for (const auto& o : def.options) {
          if (o == *s) return std::nullopt;
        }
      }
      std::string msg = "must be one of: ";
      for (size_t i = 0; i < def.options.size(); ++i) msg += (i ? ", " : "") + def.options[i];
      return msg;
    }
  }
  return "has an unsupported type";
}

}  // namespace

Result<CustomValues> MergeAndValidate(const std::vector<FieldDef>& defs, const CustomValues& current,
                                      const CustomValues& changes, bool creating) {
  std::vector<FieldError> errors;
  CustomValues merged = current;
  for (const auto& [key, value] : changes) {
    const FieldDef* def = nullptr;
    for (const auto& d : defs) {
      if (d.key == key) def = &d;
    }
    if (!def) {
      errors.push_back({"custom." + key, "unknown custom field"});
      continue;
    }
    if (std::holds_alternative<std::monostate>(value)) {
      if (def->required) {
        errors.push_back({"custom." + key, "is required"});
      } else {
        merged.erase(key);
      }
      continue;
    }
    if (auto msg = ValidateValue(*def, value)) {
      errors.push_back({"custom." + key, *msg});
      continue;
    }
    merged[key] = value;
  }
  if (creating) {
    for (const auto& d : defs) {
      if (d.required && !merged.count(d.key) && !changes.count(d.key)) {
        errors.push_back({"custom." + d.key, "is required"});
      }
    }
  }
  if (!errors.empty()) return ValidationFailed(std::move(errors));
  return merged;
}

std::string EncodeCustom(const CustomValues& values) {
  boost::json::object o;
  for (const auto& [key, v] : values) {
    const std::string& k = key;  // a structured binding cannot be captured in C++20
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            o[k] = nullptr;
          } else {
            o[k] = x;
          }
        },
        v);
  }
  return boost::json::serialize(o);
}

CustomValues DecodeCustom(std::string_view json) {
  CustomValues out;
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return out;
  for (const auto& [k, x] : v.as_object()) {
    std::string key(k);
    if (x.is_string()) {
      out[key] = std::string(x.as_string());
    } else if (x.is_int64()) {
      out[key] = x.as_int64();
    } else if (x.is_uint64()) {
      out[key] = static_cast<double>(x.as_uint64());
    } else if (x.is_double()) {
      out[key] = x.as_double();
    } else if (x.is_bool()) {
      out[key] = x.as_bool();
    }
  }
  return out;
}

}  // namespace rapport::fields
