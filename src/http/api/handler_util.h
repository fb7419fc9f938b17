// What every REST handler does the same way: find the workspace, read path ids, parse
// If-Match, and build JSON responses with ETag/Location.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "http/api/json_text.h"
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

// The items of a batch request body {"<key>": [...]}, each decoded on its own: a bad item
// gets its error (field names prefixed "<key>[i].") and does not stop the others.
template <typename T>
struct DecodedBatch {
  size_t size = 0;                            // items in the request
  std::vector<std::optional<Status>> errors;  // by item; set for those that failed
  std::vector<size_t> good_index;             // the request index of each of `good`
  std::vector<T> good;
};

// Decodes the body {"<key>": [at most `max` items]} (nothing else in it) with
// `decode(const json::object& item, T& out, const std::string& prefix) -> Status`.
template <typename T, typename Decode>
Result<DecodedBatch<T>> DecodeBatch(const Request& req, std::string_view key, size_t max,
                                    Decode&& decode);

// A failed item's entry in the results of a batch {"<key>": [...]}: {"index", "status",
// "error": <problem>}, every field named within its item ("email" becomes
// "contacts[3].email"; "contacts[3].email" and "contacts[3]" stay).
boost::json::value BatchItemError(std::string_view key, size_t index, const Status& s);

// Writes "results":[...] of a batch: an item the service took (`results`, in the order of
// batch.good) and got a value for is written by `write_ok(index, value)`; any other gets
// its BatchItemError, from the decoding or from the service.
template <typename T, typename R, typename WriteOk>
void WriteBatchResults(JsonText& out, std::string_view key, const DecodedBatch<T>& batch,
                       const std::vector<Result<R>>& results, WriteOk&& write_ok);

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

// The envelope of a batch body: its array of items (see DecodeBatch).
Result<const boost::json::array*> BatchArray(const boost::json::object& body, std::string_view key,
                                             size_t max);

template <typename T, typename Decode>
Result<DecodedBatch<T>> DecodeBatch(const Request& req, std::string_view key, size_t max,
                                    Decode&& decode) {
  ASSIGN_OR_RETURN(auto body, BodyObject(req));
  ASSIGN_OR_RETURN(const boost::json::array* items, BatchArray(body, key, max));
  DecodedBatch<T> out;
  out.size = items->size();
  out.errors.resize(items->size());
  out.good.reserve(items->size());
  out.good_index.reserve(items->size());
  for (size_t i = 0; i < items->size(); ++i) {
    std::string item = std::string(key) + "[" + std::to_string(i) + "]";
    const boost::json::value& v = (*items)[i];
    if (!v.is_object()) {
      out.errors[i] = ValidationFailed({{item, "must be an object"}});
      continue;
    }
    T decoded;
    if (Status s = decode(v.as_object(), decoded, item + "."); !s.ok()) {
      out.errors[i] = std::move(s);
      continue;
    }
    out.good.push_back(std::move(decoded));
    out.good_index.push_back(i);
  }
  return out;
}

template <typename T, typename R, typename WriteOk>
void WriteBatchResults(JsonText& out, std::string_view key, const DecodedBatch<T>& batch,
                       const std::vector<Result<R>>& results, WriteOk&& write_ok) {
  std::vector<const Result<R>*> by_index(batch.size, nullptr);
  for (size_t k = 0; k < batch.good.size(); ++k) by_index[batch.good_index[k]] = &results[k];
  out.Raw("\"results\":[");
  for (size_t i = 0; i < batch.size; ++i) {
    if (i) out.Raw(',');
    const Result<R>* r = by_index[i];
    if (r && r->has_value()) {
      write_ok(i, **r);
    } else {
      out.Value(BatchItemError(key, i, r ? r->error() : *batch.errors[i]));
    }
  }
  out.Raw(']');
}

}  // namespace rapport::http::api
