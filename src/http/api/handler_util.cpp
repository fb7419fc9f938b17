#include "http/api/handler_util.h"

#include <algorithm>
#include <charconv>

#include "common/strings.h"
#include "http/api/codec.h"
#include "http/json_body.h"

namespace rapport::http::api {

WorkspaceId WorkspaceOf(const Request& req) {
  // No principal: an unguarded call, which sees an empty workspace rather than another's.
  return req.principal ? WorkspaceId(req.principal->workspace) : WorkspaceId(0);
}

Result<int64_t> PathId(const Request& req, const char* what, const char* param) {
  auto it = req.path_params.find(param);
  int64_t id = 0;
  if (it != req.path_params.end()) {
    const std::string& s = it->second;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec == std::errc() && p == s.data() + s.size() && id > 0) return id;
  }
  return NotFound(std::string(what) + " " + (it == req.path_params.end() ? "" : it->second) +
                  " not found");
}

Result<std::optional<int64_t>> IfMatch(const Request& req) {
  auto h = req.Header("If-Match");
  if (!h) return std::optional<int64_t>();
  std::string_view v = Trim(*h);
  if (v == "*") return std::optional<int64_t>();
  if (v.starts_with("W/")) v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  int64_t version = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), version);
  if (ec != std::errc() || p != v.data() + v.size()) {
    return FailedPrecondition("If-Match " + std::string(*h) + " does not match the current ETag");
  }
  return std::optional<int64_t>(version);
}

Result<boost::json::object> BodyObject(const Request& req) { return ParseJsonObject(req.body); }

Result<const boost::json::array*> BatchArray(const boost::json::object& body, std::string_view key,
                                             size_t max) {
  const boost::json::value* items = body.if_contains(key);
  if (!items || !items->is_array()) {
    return ValidationFailed({{std::string(key), "must be an array of " + std::string(key)}});
  }
  for (const auto& [k, v] : body) {
    if (k != key) return ValidationFailed({{std::string(k), "unknown field"}});
  }
  if (items->as_array().size() > max) {
    return InvalidArgument(
        "a batch holds at most " + std::to_string(max) + " " + std::string(key),
        {{std::string(key), "must hold at most " + std::to_string(max) + " items"}});
  }
  return &items->as_array();
}

boost::json::value BatchItemError(std::string_view key, size_t index, const Status& s) {
  std::string item = std::string(key) + "[" + std::to_string(index) + "]";
  std::vector<FieldError> fields;
  for (const auto& f : s.fields()) {
    bool within =
        f.field.starts_with(item) && (f.field.size() == item.size() || f.field[item.size()] == '.');
    fields.push_back({within ? f.field : item + "." + f.field, f.message});
  }
  Status named(s.code(), s.message(), std::move(fields));
  named.conflicting_id = s.conflicting_id;
  Response p = ProblemResponse(named);
  return boost::json::object{
      {"index", index}, {"status", p.status}, {"error", boost::json::parse(p.body)}};
}

Response Json(int status, const boost::json::value& body, std::optional<int64_t> version,
              std::string location) {
  Response r = JsonResponse(status, body);
  if (version) r.SetHeader("ETag", "\"" + std::to_string(*version) + "\"");
  if (!location.empty()) r.SetHeader("Location", std::move(location));
  return r;
}

Status MergeErrors(const Status& decoded, const Status& checked) {
  std::vector<FieldError> fields = decoded.fields();
  for (const auto& f : checked.fields()) {
    bool seen = std::any_of(fields.begin(), fields.end(),
                            [&](const FieldError& e) { return e.field == f.field; });
    if (!seen) fields.push_back(f);
  }
  return ValidationFailed(std::move(fields));
}

Response NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

std::optional<std::string> QueryText(const Request& req, std::string_view name) {
  auto v = req.Query(name);
  if (!v) return std::nullopt;
  return std::string(*v);
}

Result<std::vector<std::string>> TagListBody(const Request& req) {
  ASSIGN_OR_RETURN(auto body, BodyObject(req));
  std::optional<std::vector<std::string>> tags;
  ObjectReader r(body);
  r.TextList("tags", tags);
  RETURN_IF_ERROR(r.Finish());
  if (!tags) return ValidationFailed({{"tags", "is required"}});
  return *tags;
}

Response Page(boost::json::array data, const std::optional<std::string>& next_cursor) {
  boost::json::object o;
  o["data"] = std::move(data);
  o["next_cursor"] = next_cursor ? boost::json::value(*next_cursor) : boost::json::value(nullptr);
  return JsonResponse(200, o);
}

}  // namespace rapport::http::api
