// Errors as values. Status carries an Abseil-style code, a message, and optional per-field
// details so validation failures can name every bad field. Result<T> holds a value or a
// Status; its API (has_value, value, error) mirrors std::expected so a later move is
// mechanical. Thread-compatible value types.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace rapport {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // 400: malformed request
  kUnauthenticated,     // 401
  kPermissionDenied,    // 403
  kNotFound,            // 404
  kAlreadyExists,       // 409
  kAborted,             // 409: concurrency conflict
  kFailedPrecondition,  // 412/422 depending on the edge (see http/problem.cpp)
  kValidation,          // 422: well-formed input that breaks a rule
  kPayloadTooLarge,     // 413
  kResourceExhausted,   // 429
  kUnavailable,         // 503
  kInternal,            // 500
};

// One problem with one input field ("email", "custom.plan", "contacts[3].email").
struct FieldError {
  std::string field;
  std::string message;
};

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::vector<FieldError> fields = {})
      : code_(code), message_(std::move(message)), fields_(std::move(fields)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldError>& fields() const { return fields_; }

  // Extra data some codes carry, e.g. the id of the record an AlreadyExists collided with.
  std::optional<long long> conflicting_id;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::vector<FieldError> fields_;
};

Status InvalidArgument(std::string message, std::vector<FieldError> fields = {});
Status NotFound(std::string message);
Status AlreadyExists(std::string message, std::optional<long long> existing_id = std::nullopt);
Status Aborted(std::string message);
Status FailedPrecondition(std::string message);
Status ValidationFailed(std::vector<FieldError> fields);
Status Internal(std::string message);
Status Unavailable(std::string message);

const char* StatusCodeName(StatusCode code);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {   // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Status& error() const { return std::get<1>(v_); }
  Status status() const { return has_value() ? Status::Ok() : error(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace rapport

#define RAPPORT_CONCAT_INNER(a, b) a##b
#define RAPPORT_CONCAT(a, b) RAPPORT_CONCAT_INNER(a, b)

// Evaluates `expr` (a Status) once and returns it from the enclosing function if not ok.
#define RETURN_IF_ERROR(expr)                             \
  do {                                                    \
    ::rapport::Status rapport_status_ = (expr);           \
    if (!rapport_status_.ok()) return rapport_status_;    \
  } while (0)

// Evaluates `rexpr` (a Result<T>) once; returns its error, or moves its value into `lhs`.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL(RAPPORT_CONCAT(rapport_result_, __LINE__), lhs, rexpr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                          \
  if (!tmp.has_value()) return tmp.error();    \
  lhs = std::move(tmp).value()
