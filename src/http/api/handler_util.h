// What every REST handler does the same way: find the workspace, read path ids, parse
// If-Match, and build JSON responses with ETag/Location.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "http/http.h"

namespace rapport::http::api {

// The workspace a request acts on: the authenticated principal's (see policy.h).
WorkspaceId WorkspaceOf(const Request& req);

// A positive integer path parameter; NotFound (naming `what`) for anything else.
Result<int64_t> PathId(const Request& req, const char* what, const char* param = "id");

// The version an If-Match header asks for: nullopt without the header or for `*`;
// FailedPrecondition for a value that cannot match any version.
Result<std::optional<int64_t>> IfMatch(const Request& req);

// The body as a JSON object (400 problem on malformed input).
Result<boost::json::object> BodyObject(const Request& req);

// A JSON response; with `version`, an ETag; with `location`, a Location header.
Response Json(int status, const boost::json::value& body,
              std::optional<int64_t> version = std::nullopt, std::string location = "");

// `decoded` (an error) with the field errors of `checked` added, each field named once.
Status MergeErrors(const Status& decoded, const Status& checked);

// 204 with no body.
Response NoContent();

// First value of a query parameter, copied.
std::optional<std::string> QueryText(const Request& req, std::string_view name);

// The {"tags": ["a", "b"]} body of the tag sub-resources.
Result<std::vector<std::string>> TagListBody(const Request& req);

// {"data": [...], "next_cursor": ...}
Response Page(boost::json::array data, const std::optional<std::string>& next_cursor);

// Runs `make` and turns an error Status into a problem+json response.
template <typename F>
Response Handle(F&& make);

}  // namespace rapport::http::api

#include "http/problem.h"

namespace rapport::http::api {

template <typename F>
Response Handle(F&& make) {
  Result<Response> r = make();
  if (!r) return ProblemResponse(r.error());
  return std::move(r).value();
}

}  // namespace rapport::http::api
