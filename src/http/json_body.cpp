// JSON request bodies with limits, and JSON responses.
#include "http/json_body.h"

#include <boost/json/error.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

#include "common/strings.h"

namespace rapport::http {
namespace {

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Walks `root` without recursion and checks every key and string value against the limit.
Status CheckStrings(const boost::json::value& root, size_t max_string_bytes) {
  auto too_long = [&] {
    return InvalidArgument("JSON string longer than the limit of " +
                           std::to_string(max_string_bytes) + " bytes");
  };
  std::vector<const boost::json::value*> stack{&root};
  while (!stack.empty()) {
    const boost::json::value* v = stack.back();
    stack.pop_back();
    switch (v->kind()) {
      case boost::json::kind::string:
        if (v->get_string().size() > max_string_bytes) return too_long();
        break;
      case boost::json::kind::array:
        for (const boost::json::value& e : v->get_array()) stack.push_back(&e);
        break;
      case boost::json::kind::object:
        for (const auto& kv : v->get_object()) {
          if (kv.key().size() > max_string_bytes) return too_long();
          stack.push_back(&kv.value());
        }
        break;
      default:
        break;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<boost::json::value> ParseJson(std::string_view body, const JsonLimits& limits) {
  size_t first = 0;
  while (first < body.size() && IsJsonWhitespace(body[first])) ++first;
  if (first == body.size()) return InvalidArgument("request body is empty");
  // Boost.JSON rejects invalid UTF-8 too (allow_invalid_utf8 is false below); checking first
  // gives the client a clearer message than "syntax error".
  if (!IsValidUtf8(body)) return InvalidArgument("request body is not valid UTF-8");

  boost::json::parse_options options;
  options.max_depth = limits.max_depth;
  options.allow_invalid_utf8 = false;
  options.allow_comments = false;
  options.allow_trailing_commas = false;
  boost::json::parser parser(boost::json::storage_ptr(), options);
  boost::json::error_code ec;
  size_t offset = parser.write(body.data(), body.size(), ec);
  if (ec == boost::json::error::too_deep) {
    return InvalidArgument("JSON nesting deeper than " + std::to_string(limits.max_depth));
  }
  if (ec) {
    return InvalidArgument("malformed JSON at offset " + std::to_string(offset) + ": " +
                           ec.message());
  }
  boost::json::value v = parser.release();
  RETURN_IF_ERROR(CheckStrings(v, limits.max_string_bytes));
  return v;
}

Result<boost::json::object> ParseJsonObject(std::string_view body, const JsonLimits& limits) {
  ASSIGN_OR_RETURN(boost::json::value v, ParseJson(body, limits));
  if (!v.is_object()) return InvalidArgument("request body must be a JSON object");
  return std::move(v.get_object());
}

Response JsonResponse(int status, const boost::json::value& v) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = boost::json::serialize(v);
  return r;
}

}  // namespace rapport::http
