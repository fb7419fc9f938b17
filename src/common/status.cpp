#include "common/status.h"

namespace rapport {

Status InvalidArgument(std::string message, std::vector<FieldError> fields) {
  return {StatusCode::kInvalidArgument, std::move(message), std::move(fields)};
}
Status NotFound(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
Status AlreadyExists(std::string message, std::optional<long long> existing_id) {
  Status s(StatusCode::kAlreadyExists, std::move(message));
  s.conflicting_id = existing_id;
  return s;
}
Status Aborted(std::string message) { return {StatusCode::kAborted, std::move(message)}; }
Status FailedPrecondition(std::string message) {
  return {StatusCode::kFailedPrecondition, std::move(message)};
}
Status ValidationFailed(std::vector<FieldError> fields) {
  std::string message = fields.size() == 1 ? fields[0].field + ": " + fields[0].message
                                           : std::to_string(fields.size()) + " fields are invalid";
  return {StatusCode::kValidation, std::move(message), std::move(fields)};
}
Status Internal(std::string message) { return {StatusCode::kInternal, std::move(message)}; }
Status Unavailable(std::string message) { return {StatusCode::kUnavailable, std::move(message)}; }

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kAborted: return "aborted";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kValidation: return "validation";
    case StatusCode::kPayloadTooLarge: return "payload_too_large";
    case StatusCode::kResourceExhausted: return "resource_exhausted";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

}  // namespace rapport
