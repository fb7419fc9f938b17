// Route table and request dispatch (no sockets: see server.cpp for the I/O side).
#include <algorithm>
#include <boost/url/pct_string_view.hpp>
#include <exception>
#include <set>
#include <stdexcept>

#include "common/log.h"
#include "http/dispatch_internal.h"
#include "http/http.h"
#include "http/problem.h"

namespace rapport::http {
namespace {

bool IsParam(std::string_view segment) {
  return segment.size() >= 3 && segment.front() == '{' && segment.back() == '}';
}

// "/a/b/" and "/a/b" both give {"a", "b"}; "/" gives {}. Empty inner segments are kept.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      out.push_back(path.substr(start));
      break;
    }
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// Percent-decodes one path segment; a segment with a broken escape is taken literally.
std::string DecodeSegment(std::string_view segment) {
  if (segment.find('%') == std::string_view::npos) return std::string(segment);
  auto pct = boost::urls::make_pct_string_view(segment);
  if (!pct) return std::string(segment);
  return pct->decode();
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  Route route;
  for (std::string_view s : SplitPath(pattern)) route.segments.emplace_back(s);
  // The label keeps the canonical form (no trailing slash) so "/x/" and "/x" share metrics.
  if (pattern.size() > 1 && pattern.back() == '/') pattern.pop_back();
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  std::vector<std::string> segments;
  for (std::string_view s : SplitPath(path)) segments.push_back(DecodeSegment(s));

  // A literal segment is more specific than a capture at the same position; the first
  // difference decides ("/contacts/search" beats "/contacts/{id}"). Ties: first added wins.
  auto more_specific = [](const Route& a, const Route& b) {
    for (size_t i = 0; i < a.segments.size(); ++i) {
      bool la = !IsParam(a.segments[i]), lb = !IsParam(b.segments[i]);
      if (la != lb) return la;
    }
    return false;
  };
  auto matches = [&](const Route& r) {
    if (r.segments.size() != segments.size()) return false;
    for (size_t i = 0; i < segments.size(); ++i) {
      if (IsParam(r.segments[i])) {
        if (segments[i].empty()) return false;
      } else if (r.segments[i] != segments[i]) {
        return false;
      }
    }
    return true;
  };

  const Route* best_for_method = nullptr;  // most specific route with the method
  const Route* best_get = nullptr;         // ... with GET, for HEAD
  const Route* best_any = nullptr;         // ... with any method, for the 405 label
  std::set<std::string> allowed;
  for (const Route& r : routes_) {
    if (!matches(r)) continue;
    allowed.insert(r.method);
    if (!best_any || more_specific(r, *best_any)) best_any = &r;
    if (r.method == method && (!best_for_method || more_specific(r, *best_for_method))) {
      best_for_method = &r;
    }
    if (r.method == "GET" && (!best_get || more_specific(r, *best_get))) best_get = &r;
  }
  if (!best_for_method && method == "HEAD") best_for_method = best_get;

  Match m;
  if (!best_any) {
    m.status = 404;
    return m;
  }
  if (!best_for_method) {
    m.status = 405;
    m.pattern = best_any->pattern;
    if (allowed.count("GET")) allowed.insert("HEAD");
    for (const std::string& a : allowed) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += a;
    }
    return m;
  }
  const Route& r = *best_for_method;
  m.handler = &r.handler;
  m.pattern = r.pattern;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (IsParam(r.segments[i])) {
      std::string_view name = r.segments[i];
      m.params[std::string(name.substr(1, name.size() - 2))] = std::move(segments[i]);
    }
  }
  return m;
}

std::vector<Router::Entry> Router::Entries() const {
  std::vector<Entry> out;
  out.reserve(routes_.size());
  for (const Route& r : routes_) out.push_back({r.method, r.pattern, r.handler});
  return out;
}

namespace internal {

Response Dispatch(const Router& router, Request& request) {
  auto target = ParseTarget(request.target);
  if (!target) return ProblemResponse(target.error());
  request.path = std::move(target->path);
  request.query = std::move(target->query);

  Router::Match match = router.Find(request.method, target->encoded_path);
  request.route = match.pattern;
  const Handler* handler = match.handler;
  if (!handler) {
    if (match.status == 405) {
      Response r = ProblemResponse(405, "method " + request.method + " is not allowed here");
      r.SetHeader("Allow", match.allow);
      return r;
    }
    handler = router.fallback();
    if (!handler) return ProblemResponse(404, "no route for " + request.path);
  }
  request.path_params = std::move(match.params);
  try {
    return (*handler)(request);
  } catch (const std::exception& e) {
    log::Error("handler threw",
               {{"request_id", request.request_id}, {"route", request.route}, {"error", e.what()}});
  } catch (...) {
    log::Error("handler threw", {{"request_id", request.request_id},
                                 {"route", request.route},
                                 {"error", "non-standard exception"}});
  }
  return ProblemResponse(500, "internal error");
}

}  // namespace internal
}  // namespace rapport::http
