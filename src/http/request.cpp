// Request/Response accessors, request-target parsing (Boost.URL) and request ids.
#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cstdint>
#include <random>

#include "http/dispatch_internal.h"
#include "http/http.h"

namespace rapport::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string_view> Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

Response& Response::SetHeader(std::string name, std::string value) {
  for (auto it = headers.begin(); it != headers.end();) {
    if (EqualsIgnoreCase(it->first, name)) {
      it = headers.erase(it);
    } else {
      ++it;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

std::optional<std::string_view> Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

namespace internal {

Result<ParsedTarget> ParseTarget(std::string_view target) {
  boost::urls::result<boost::urls::url_view> parsed;
  if (!target.empty() && target.front() == '/') {
    parsed = boost::urls::parse_origin_form(target);
  } else {
    // RFC 9112 3.2.2: servers must accept the absolute form too.
    parsed = boost::urls::parse_absolute_uri(target);
  }
  if (!parsed) {
    return InvalidArgument("malformed request target: " + parsed.error().message());
  }
  const boost::urls::url_view& u = *parsed;
  ParsedTarget out;
  out.encoded_path = std::string(u.encoded_path());
  if (out.encoded_path.empty()) out.encoded_path = "/";
  out.path = u.path();
  if (out.path.empty()) out.path = "/";
  if (u.has_query()) {
    for (auto param : u.params(boost::urls::encoding_opts(/*space_as_plus=*/true))) {
      out.query.emplace(std::string(param.key), std::string(param.value));
    }
  }
  return out;
}

bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t v = rng();
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i) {
    id[static_cast<size_t>(i)] = kHex[v & 0xf];
    v >>= 4;
  }
  return id;
}

}  // namespace internal
}  // namespace rapport::http
