// Serves the built web UI (web/dist) for every path the API does not own: the router's
// fallback (Router::SetFallback). Hashed files under /assets/ are cached for a year, everything
// else is revalidated (ETag / Last-Modified, 304), and extension-less paths that name no file
// (deep links such as /contacts/123) get index.html so the client-side router can take over.
//
// Never serves outside the root: "." and ".." segments (also percent-encoded), dotfiles,
// backslashes, NUL and symlinks that resolve outside the root are refused with 404. API and
// operational paths (/api/..., /healthz, /readyz, /metrics) are never answered with a file.
//
// Files are read on each request, so rebuilding the UI needs no restart. Thread-safe: the
// object is immutable after construction.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "http/http.h"

namespace rapport::http {

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root);

  // Answers a request no API route matched: a file, index.html, 304, or a 404/405. Sets
  // request.route to "static" for logs and metrics (paths are unbounded, labels must not be).
  Response Serve(Request& request) const;

  // True when the root holds an index.html (the UI is built).
  bool Available() const;
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

// Paths owned by the server itself that must never fall through to the UI.
bool IsServerPath(std::string_view path);

// "text/javascript; charset=utf-8" for "app.js"; application/octet-stream when unknown.
std::string ContentTypeFor(std::string_view file_name);

}  // namespace rapport::http
