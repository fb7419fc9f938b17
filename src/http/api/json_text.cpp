#include "http/api/json_text.h"

#include <charconv>

#include "common/time_format.h"

namespace rapport::http::api {

namespace json = boost::json;

void JsonText::Drain() {
  char buf[512];
  while (!serializer_.done()) out_ += serializer_.read(buf);
}

JsonText& JsonText::Text(std::string_view s) {
  serializer_.reset(json::string_view(s.data(), s.size()));
  Drain();
  return *this;
}

JsonText& JsonText::Int(int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, end);
  return *this;
}

JsonText& JsonText::Time(Micros t) {
  // Digits, '-', ':', '.', 'T' and 'Z' only: nothing to escape.
  char buf[kTimestampMaxChars + 2];
  buf[0] = '"';
  size_t n = FormatTimestampTo(t, buf + 1);
  buf[n + 1] = '"';
  out_.append(buf, n + 2);
  return *this;
}

JsonText& JsonText::Value(const json::value& v) {
  serializer_.reset(&v);
  Drain();
  return *this;
}

}  // namespace rapport::http::api
