// Decoding request bodies with limits: valid UTF-8, bounded nesting depth and string
// length. Errors are InvalidArgument (-> 400 problem+json) naming what is wrong.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "common/status.h"
#include "http/http.h"

namespace rapport::http {

struct JsonLimits {
  size_t max_depth = 32;
  size_t max_string_bytes = 64 * 1024;
};

Result<boost::json::value> ParseJson(std::string_view body, const JsonLimits& limits = {});
// Like ParseJson, but the top level must be an object.
Result<boost::json::object> ParseJsonObject(std::string_view body, const JsonLimits& limits = {});

// Serialises `v` into a JSON response with the given status.
Response JsonResponse(int status, const boost::json::value& v);

}  // namespace rapport::http
