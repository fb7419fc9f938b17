// RFC 9457 problem+json responses and the one mapping from StatusCode to HTTP status.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "http/http.h"

namespace rapport::http {

int HttpStatusFor(StatusCode code);
// The RFC 9110 reason phrase ("Not Found"); "Unknown" for codes it does not define.
const char* ReasonPhrase(int http_status);

// {"type","title","status","detail","errors":[{"field","message"}]} as
// application/problem+json. AlreadyExists with a conflicting id adds "existing_id".
Response ProblemResponse(const Status& status);
Response ProblemResponse(int http_status, std::string detail, std::vector<FieldError> fields = {});

}  // namespace rapport::http
