// Normalisation of contact identifiers. Phone numbers are normalised by hand because
// Debian's libphonenumber-dev pulls Boost 1.74 headers that conflict with Boost 1.81.
#include "common/strings.h"
#include "contacts/contact.h"

namespace rapport::contacts {
namespace {

bool IsAtext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}':
    case '~':
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<std::string> NormalizeEmail(std::string_view raw) {
  std::string email = ToLowerAscii(Trim(raw));
  if (email.empty()) return InvalidArgument("must not be empty");
  if (email.size() > 254) return InvalidArgument("must be at most 254 characters");
  size_t at = email.rfind('@');
  if (at == std::string::npos || at == 0 || at == email.size() - 1) {
    return InvalidArgument("is not a valid email address (expected local@domain.tld)");
  }
  std::string_view local = std::string_view(email).substr(0, at);
  std::string_view domain = std::string_view(email).substr(at + 1);
  if (local.size() > 64) return InvalidArgument("has a local part over 64 characters");
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return InvalidArgument("is not a valid email address (misplaced dot)");
  }
  for (char c : local) {
    if (c != '.' && !IsAtext(c)) {
      return InvalidArgument("is not a valid email address (unexpected character in the local part)");
    }
  }
  if (!IsValidHostname(domain)) {
    return InvalidArgument("is not a valid email address (the domain is not a valid host name)");
  }
  return email;
}

Result<std::string> NormalizePhone(std::string_view raw) {
  std::string_view s = Trim(raw);
  std::string out;
  size_t digits = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      out += c;
      ++digits;
    } else if (c == '+' && out.empty()) {
      out += c;
    } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/') {
      continue;
    } else {
      return InvalidArgument("may contain only digits, a leading +, spaces and - . ( ) /");
    }
  }
  if (out.size() > 2 && out[0] == '0' && out[1] == '0') {
    out = "+" + out.substr(2);
    digits -= 2;
  }
  if (digits < 7 || digits > 15) return InvalidArgument("must have 7 to 15 digits");
  return out;
}

}  // namespace rapport::contacts
