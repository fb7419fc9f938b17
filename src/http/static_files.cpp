#include "http/static_files.h"

#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

#include "common/log.h"
#include "http/problem.h"

namespace rapport::http {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kRouteLabel = "static";
constexpr std::string_view kAssetsPrefix = "/assets/";
// Vite puts a content hash in every file name under assets/: a changed file gets a new name,
// so old names can be cached forever.
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";
// The UI's files are small; a bound keeps a stray large file from being read into memory.
constexpr uintmax_t kMaxFileBytes = 64u * 1024 * 1024;

struct FileInfo {
  uintmax_t size = 0;
  timespec mtime{};
};

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string_view Extension(std::string_view name) {
  size_t slash = name.rfind('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return name.substr(dot + 1);
}

// The path's segments relative to the root, or false when a segment could escape it or names
// a hidden file. An empty vector is the root itself.
bool SafeSegments(std::string_view path, std::vector<std::string_view>& out) {
  if (path.empty() || path.front() != '/') return false;
  path.remove_prefix(1);
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    if (seg.empty()) {
      // A trailing slash ("/contacts/") is a deep link; an inner "//" is refused.
      if (slash == std::string_view::npos || slash + 1 == path.size()) break;
      return false;
    }
    if (seg.front() == '.') return false;  // ".", "..", ".env", ".git"
    for (char c : seg) {
      if (c == '\\' || c == '\0') return false;
    }
    out.push_back(seg);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return true;
}

bool Inside(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

// The regular file `rel` names under `root` after resolving every symlink, if it stays inside.
bool Resolve(const fs::path& root, const fs::path& rel, fs::path& out, FileInfo& info) {
  std::error_code ec;
  fs::path canonical_root = fs::canonical(root, ec);
  if (ec) return false;
  fs::path file = fs::canonical(canonical_root / rel, ec);
  if (ec || !Inside(canonical_root, file)) return false;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  info.size = static_cast<uintmax_t>(st.st_size);
  info.mtime = st.st_mtim;
  out = std::move(file);
  return true;
}

std::string HttpDate(time_t t) {
  tm parts{};
  gmtime_r(&t, &parts);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &parts);
  return std::string(buf, n);
}

std::string ETagFor(const FileInfo& info) {
  char buf[80];
  int n = std::snprintf(buf, sizeof buf, "\"%jx-%jx%09lx\"", info.size,
                        static_cast<uintmax_t>(info.mtime.tv_sec),
                        static_cast<unsigned long>(info.mtime.tv_nsec));
  return std::string(buf, static_cast<size_t>(n));
}

// RFC 9110 13.1.2: a list of entity tags or "*"; weak tags compare equal to strong ones.
bool NoneMatchHits(std::string_view header, std::string_view etag) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t comma = header.find(',', pos);
    std::string_view tag =
        header.substr(pos, comma == std::string_view::npos ? header.npos : comma - pos);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (StartsWith(tag, "W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return false;
}

Response NotFoundPage(std::string detail) {
  Response r;
  r.status = 404;
  r.content_type = "text/html; charset=utf-8";
  r.body =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title>"
      "</head><body><h1>Not found</h1><p>" +
      std::move(detail) + "</p></body></html>\n";
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

}  // namespace

bool IsServerPath(std::string_view path) {
  if (path == "/api" || StartsWith(path, "/api/")) return true;
  for (std::string_view p : {"/healthz", "/readyz", "/metrics"}) {
    if (path == p || (StartsWith(path, p) && path.size() > p.size() && path[p.size()] == '/')) {
      return true;
    }
  }
  return false;
}

std::string ContentTypeFor(std::string_view file_name) {
  std::string ext(Extension(file_name));
  for (char& c : ext) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
      {"txt", "text/plain; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"ico", "image/x-icon"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},
      {"otf", "font/otf"},
      {"wasm", "application/wasm"},
  };
  for (const auto& [e, type] : kTypes) {
    if (ext == e) return std::string(type);
  }
  return "application/octet-stream";
}

StaticFiles::StaticFiles(fs::path root) : root_(std::move(root)) {}

bool StaticFiles::Available() const {
  std::error_code ec;
  return fs::is_regular_file(root_ / "index.html", ec);
}

Response StaticFiles::Serve(Request& request) const {
  request.route = std::string(kRouteLabel);
  const std::string& path = request.path;
  if (IsServerPath(path)) return ProblemResponse(404, "no route for " + path);
  if (request.method != "GET" && request.method != "HEAD") {
    Response r = ProblemResponse(405, "method " + request.method + " is not allowed here");
    r.SetHeader("Allow", "GET, HEAD");
    return r;
  }
  std::vector<std::string_view> segments;
  if (!SafeSegments(path, segments)) return NotFoundPage("No such page.");
  if (!Available()) {
    return NotFoundPage(
        "The Rapport web UI has not been built. Run <code>make build</code> (or "
        "<code>npm run build</code> in web/) and reload; the API is at /api/v1.");
  }

  fs::path rel;
  for (std::string_view s : segments) rel /= fs::path(std::string(s));
  fs::path file;
  FileInfo info;
  bool index = segments.empty() || (segments.size() == 1 && segments[0] == "index.html");
  if (!index && !Resolve(root_, rel, file, info)) {
    // Client-side routes have no extension; a missing "x.js" must stay a 404, or the browser
    // would run index.html as a script and report a confusing error.
    if (!Extension(segments.back()).empty()) return NotFoundPage("No such file.");
    index = true;
  }
  if (index && !Resolve(root_, "index.html", file, info)) {
    return NotFoundPage("The web UI's index.html cannot be read.");
  }

  Response r;
  r.content_type = ContentTypeFor(file.filename().string());
  const bool immutable = !index && StartsWith(path, kAssetsPrefix);
  r.SetHeader("Cache-Control", std::string(immutable ? kImmutable : kRevalidate));
  const std::string etag = ETagFor(info);
  const std::string last_modified = HttpDate(info.mtime.tv_sec);
  r.SetHeader("ETag", etag);
  r.SetHeader("Last-Modified", last_modified);

  // If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2). Browsers echo our own
  // Last-Modified, so an exact comparison is enough for the date.
  bool not_modified = false;
  if (auto inm = request.Header("If-None-Match")) {
    not_modified = NoneMatchHits(*inm, etag);
  } else if (auto ims = request.Header("If-Modified-Since")) {
    not_modified = *ims == last_modified;
  }
  if (not_modified) {
    r.status = 304;
    return r;
  }
  if (info.size > kMaxFileBytes) return NotFoundPage("File too large to serve.");
  std::ifstream in(file, std::ios::binary);
  if (!in) return NotFoundPage("No such file.");
  r.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    log::Error("reading a web file failed",
               {{"request_id", request.request_id}, {"file", file.string()}});
    return ProblemResponse(500, "internal error");
  }
  return r;
}

}  // namespace rapport::http
