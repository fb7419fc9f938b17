// JSON decoding and encoding helpers shared by the resource codecs. Domain structs never
// see the JSON library: codecs translate between boost::json and the plain structs.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/patch.h"
#include "common/status.h"
#include "fields/custom_field.h"

namespace rapport::http::api {

namespace json = boost::json;

// Reads typed members of one JSON object into Field<T>s (absent / null / value), collecting
// a FieldError for every member of the wrong type and, in Finish(), for every member that
// no reader asked for ("unknown field"). `prefix` is prepended to field names
// ("contacts[3]." in batches).
class ObjectReader {
 public:
  explicit ObjectReader(const json::object& o, std::string prefix = "")
      : o_(o), prefix_(std::move(prefix)) {}

  void Text(std::string_view key, Field<std::string>& out);
  void Int(std::string_view key, Field<int64_t>& out);
  void Bool(std::string_view key, Field<bool>& out);
  // An array of strings; null is not allowed.
  void TextList(std::string_view key, std::optional<std::vector<std::string>>& out);
  void TextList(std::string_view key, Field<std::vector<std::string>>& out);
  // An object of custom field values.
  void Custom(std::string_view key, std::optional<fields::CustomValues>& out);

  // Hands a present member of any type to `read` (which reports its own errors).
  template <typename F>
  void Any(std::string_view key, F&& read) {
    if (const json::value* v = Take(key)) read(*v);
  }

  // ValidationFailed with every error, or Ok.
  Status Finish();

 private:
  const json::value* Take(std::string_view key);
  void Error(std::string_view key, std::string message);

  const json::object& o_;
  std::string prefix_;
  std::set<std::string, std::less<>> seen_;
  std::vector<FieldError> errors_;
};

json::value OptString(const std::optional<std::string>& v);
json::value OptInt(const std::optional<int64_t>& v);
json::value Timestamp(Micros t);
json::object EncodeCustom(const fields::CustomValues& values);
json::array StringArray(const std::vector<std::string>& v);

}  // namespace rapport::http::api
