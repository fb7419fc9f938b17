// Private to src/http/: the parts of request handling that need no sockets, shared by the
// Beast server (server.cpp) and the unit tests. Not part of the module's public interface.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/http.h"

namespace rapport::http::internal {

struct ParsedTarget {
  std::string encoded_path;                       // as sent, e.g. "/api/v1/tags/a%2Fb"
  std::string path;                               // percent-decoded
  std::multimap<std::string, std::string> query;  // percent-decoded; '+' is a space
};

// Parses a request target in origin form ("/path?query") or absolute form
// ("http://host/path?query"). InvalidArgument if it is malformed.
Result<ParsedTarget> ParseTarget(std::string_view target);

// Parses request.target, fills path, query, path_params and route (the matched pattern, empty
// when nothing matched), then runs the matching handler. Never throws: a malformed target is
// a 400 problem, an unknown path 404, a wrong method 405 with Allow, and an exception from the
// handler a logged 500 problem.
Response Dispatch(const Router& router, Request& request);

// True for an X-Request-Id worth echoing: 1..64 chars of [A-Za-z0-9-_.].
bool IsSaneRequestId(std::string_view id);
// A fresh random 16-hex-digit request id.
std::string NewRequestId();

}  // namespace rapport::http::internal
