#include "common/strings.h"

namespace rapport {

std::string_view Trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    unsigned cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size() || (p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace rapport

namespace rapport {

bool IsValidHostname(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  size_t labels = 0;
  std::string_view last;
  while (!host.empty()) {
    size_t dot = host.find('.');
    std::string_view label = host.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    host.remove_prefix(dot + 1);
    if (host.empty()) return false;  // trailing dot
  }
  if (labels < 2) return false;
  if (last.starts_with("xn--")) return true;
  if (last.size() < 2) return false;
  for (char c : last) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

}  // namespace rapport

namespace rapport {

std::optional<std::string> TrimmedOrNull(const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  std::string t(Trim(*v));
  if (t.empty()) return std::nullopt;
  return t;
}

void CheckMaxLength(const std::optional<std::string>& v, std::string_view field, size_t max,
                    std::vector<FieldError>& errors) {
  if (v && Utf8Length(*v) > max) {
    errors.push_back(
        {std::string(field), "must be at most " + std::to_string(max) + " characters"});
  }
}

}  // namespace rapport
