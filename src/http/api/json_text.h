// JSON text written straight from values, for the hot paths where building a boost::json
// tree per record cost more than writing the record: timeline pages, the audit copies and
// results of batch imports. Strings go through Boost.JSON's serializer, so the text is
// byte for byte what json::serialize writes for the equivalent tree (tests compare them).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace rapport::http::api {

class JsonText {
 public:
  JsonText() = default;
  explicit JsonText(size_t reserve) { out_.reserve(reserve); }

  // Punctuation and keys, verbatim ("{\"id\":").
  JsonText& Raw(std::string_view s) {
    out_ += s;
    return *this;
  }
  JsonText& Raw(char c) {
    out_ += c;
    return *this;
  }
  JsonText& Text(std::string_view s);
  JsonText& Int(int64_t v);
  JsonText& Null() { return Raw("null"); }
  JsonText& OptInt(const std::optional<int64_t>& v) { return v ? Int(*v) : Null(); }
  JsonText& OptText(const std::optional<std::string>& v) { return v ? Text(*v) : Null(); }
  JsonText& OptText(const std::optional<std::string_view>& v) { return v ? Text(*v) : Null(); }
  // An RFC 3339 timestamp string, as Timestamp() encodes it.
  JsonText& Time(Micros t);
  JsonText& Value(const boost::json::value& v);

  size_t size() const { return out_.size(); }
  std::string Take() && { return std::move(out_); }

 private:
  void Drain();

  std::string out_;
  boost::json::serializer serializer_;
};

}  // namespace rapport::http::api
