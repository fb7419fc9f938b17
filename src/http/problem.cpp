// The single StatusCode -> HTTP status mapping and RFC 9457 problem+json bodies.
#include "http/problem.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <optional>
#include <string_view>

#include "common/log.h"

namespace rapport::http {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 412;
    case StatusCode::kValidation:
      return 422;
    case StatusCode::kPayloadTooLarge:
      return 413;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

const char* ReasonPhrase(int http_status) {
  switch (http_status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
  }
  return "Unknown";
}

namespace {

Response BuildProblem(int http_status, std::string_view detail,
                      const std::vector<FieldError>& fields, std::optional<long long> existing_id) {
  boost::json::object body;
  body["type"] = "about:blank";
  body["title"] = ReasonPhrase(http_status);
  body["status"] = http_status;
  body["detail"] = detail;
  boost::json::array errors;
  errors.reserve(fields.size());
  for (const FieldError& f : fields) {
    errors.push_back(boost::json::object{{"field", f.field}, {"message", f.message}});
  }
  body["errors"] = std::move(errors);
  if (existing_id) body["existing_id"] = *existing_id;

  Response r;
  r.status = http_status;
  r.content_type = "application/problem+json";
  r.body = boost::json::serialize(body);
  return r;
}

}  // namespace

Response ProblemResponse(int http_status, std::string detail, std::vector<FieldError> fields) {
  return BuildProblem(http_status, detail, fields, std::nullopt);
}

Response ProblemResponse(const Status& status) {
  if (status.ok()) {
    // A caller bug: a success is not a problem. Do not leak it as a 200.
    log::Error("ProblemResponse called with an OK status");
    return BuildProblem(500, "internal error", {}, std::nullopt);
  }
  if (status.code() == StatusCode::kInternal) {
    // The real message may name tables, files or peers; it goes to the log, not the client.
    log::Error("internal error", {{"error", status.message()}});
    return BuildProblem(500, "internal error", {}, std::nullopt);
  }
  return BuildProblem(HttpStatusFor(status.code()), status.message(), status.fields(),
                      status.conflicting_id);
}

}  // namespace rapport::http
