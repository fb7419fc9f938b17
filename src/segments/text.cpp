#include "segments/text.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <utility>
#include <variant>

#include "common/strings.h"

namespace rapport::segments {

// Literal spellings and limits shared with the JSON decoder (rule_json.cpp declares them),
// so both forms accept exactly the same rules.
namespace text_detail {

constexpr int32_t kMinDays = 1;
constexpr int32_t kMaxDays = 36600;
constexpr int kMaxSignificantDigits = 15;

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's civil-day algorithm).
int32_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int32_t z, int& y, int& m, int& d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Input quoted in a message: at most 40 bytes, "..." marking a cut.
std::string Clip(std::string_view s) {
  return s.size() <= 40 ? std::string(s) : std::string(s.substr(0, 40)) + "...";
}
bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

}  // namespace

// Accepts "YYYY-MM-DD" for years 0001..9999; returns an error message otherwise.
std::variant<Date, std::string> ParseDateText(std::string_view s) {
  auto bad = [&] { return "invalid date \"" + Clip(s) + "\"; expected YYYY-MM-DD"; };
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return bad();
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(s[i])) return bad();
  }
  auto num = [&](size_t from, size_t n) {
    int v = 0;
    for (size_t i = from; i < from + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  const int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 1) return "invalid date \"" + std::string(s) + "\": the year must be 0001 to 9999";
  if (m < 1 || m > 12)
    return "invalid date \"" + std::string(s) + "\": no month " + std::to_string(m);
  if (d < 1 || d > DaysInMonth(y, m)) {
    return "invalid date \"" + std::string(s) + "\": that month has " +
           std::to_string(DaysInMonth(y, m)) + " days";
  }
  return Date{DaysFromCivil(y, m, d)};
}

std::string FormatDate(Date date) {
  int y, m, d;
  CivilFromDays(date.days, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

bool DateInRange(Date d) {
  return d.days >= DaysFromCivil(1, 1, 1) && d.days <= DaysFromCivil(9999, 12, 31);
}

bool IsIdent(std::string_view s) {
  if (s.empty() || !IsIdentStart(s[0])) return false;
  return std::all_of(s.begin(), s.end(), IsIdentChar);
}

// Words that start a condition or join conditions: a field path cannot begin with one
// (a custom field with such a name is written custom.<name>).
bool IsReservedWord(std::string_view s) {
  static constexpr std::array<std::string_view, 11> kWords = {
      "and", "or",     "not",   "tag",  "in_segment", "count",
      "sum", "exists", "first", "last", "anniversary"};
  return std::find(kWords.begin(), kWords.end(), s) != kWords.end();
}

bool IsValidPath(std::string_view s) {
  size_t start = 0;
  bool first = true;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (!IsIdent(part) || (first && IsReservedWord(part))) return false;
    if (dot == std::string_view::npos) return true;
    first = false;
    start = dot + 1;
  }
}

bool IsValidFilterKey(std::string_view key) {
  if (key == "channel" || key == "currency") return true;
  constexpr std::string_view kProps = "properties.";
  return key.starts_with(kProps) && IsIdent(key.substr(kProps.size()));
}

Decimal MinimalDecimal(Decimal d) {
  if (d.units == 0) return {};
  while (d.scale > 0 && d.units % 10 == 0) {
    d.units /= 10;
    --d.scale;
  }
  return d;
}

// The decimal must survive a trip through a JSON number (a double): with a fractional part it
// has at most 15 significant digits and at most 15 places. Returns an error message or "".
std::string CheckDecimalPrecision(Decimal d, std::string_view spelling) {
  d = MinimalDecimal(d);
  if (d.scale <= 0) return "";
  uint64_t mag = d.units < 0 ? 0 - static_cast<uint64_t>(d.units) : d.units;
  int digits = 0;
  for (; mag > 0; mag /= 10) ++digits;
  if (digits > kMaxSignificantDigits || d.scale > kMaxSignificantDigits) {
    return "number \"" + Clip(spelling) + "\" is too precise: a number " +
           "with a fractional part has at most 15 significant digits and 15 decimal places";
  }
  return "";
}

// Parses -?[0-9]+(\.[0-9]+)? exactly; returns an error message otherwise.
std::variant<Decimal, std::string> ParseDecimalText(std::string_view s) {
  auto bad = [&] { return "invalid number \"" + Clip(s) + "\""; };
  size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) ++i;
  const size_t int_begin = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  std::string_view int_digits = s.substr(int_begin, i - int_begin);
  std::string_view frac_digits;
  if (int_digits.empty()) return bad();
  if (i < s.size() && s[i] == '.') {
    const size_t frac_begin = ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    frac_digits = s.substr(frac_begin, i - frac_begin);
    if (frac_digits.empty()) return bad();
  }
  if (i != s.size()) return bad();
  // Trailing zeros of the fraction do not change the value; drop them before the range check
  // so "1.000" is accepted wherever "1" is, then keep as many as still fit.
  size_t written_scale = frac_digits.size();
  while (!frac_digits.empty() && frac_digits.back() == '0') frac_digits.remove_suffix(1);
  const uint64_t limit =
      negative ? uint64_t{1} << 63 : static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t mag = 0;
  auto push = [&](char c) {
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (mag > (limit - digit) / 10) return false;
    mag = mag * 10 + digit;
    return true;
  };
  auto too_large = [&] {
    return "number \"" + Clip(s) +
           "\" is out of range (at most 9223372036854775807 without the decimal point)";
  };
  for (char c : int_digits) {
    if (!push(c)) return too_large();
  }
  for (char c : frac_digits) {
    if (!push(c)) return too_large();
  }
  size_t scale = frac_digits.size();
  while (scale < written_scale && push('0')) ++scale;
  Decimal d;
  d.scale = static_cast<int>(scale);
  d.units = negative ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
  if (std::string err = CheckDecimalPrecision(d, s); !err.empty()) return err;
  return d;
}

std::string FormatDecimal(Decimal d) {
  d = MinimalDecimal(d);
  const bool negative = d.units < 0;
  uint64_t mag = negative ? 0 - static_cast<uint64_t>(d.units) : d.units;
  std::string digits = std::to_string(mag);
  if (d.scale < 0) {
    digits.append(static_cast<size_t>(-d.scale), '0');
  } else if (d.scale > 0) {
    const size_t scale = static_cast<size_t>(d.scale);
    if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, ".");
  }
  return negative ? "-" + digits : digits;
}

// Returns an error message, or "" when `days` is in range.
std::string CheckDays(int64_t days) {
  if (days >= kMinDays && days <= kMaxDays) return "";
  return "the number of days must be between 1 and 36600, found " + std::to_string(days);
}

// Returns an error message, or "" when the two bounds of a `between` are in order.
std::string CheckBetweenOrder(const Literal& lo, const Literal& hi) {
  const auto* dlo = std::get_if<Date>(&lo);
  const auto* dhi = std::get_if<Date>(&hi);
  if (dlo && dhi && dlo->days > dhi->days) {
    return "the range is empty: " + FormatDate(*dlo) + " is after " + FormatDate(*dhi);
  }
  const auto* nlo = std::get_if<Decimal>(&lo);
  const auto* nhi = std::get_if<Decimal>(&hi);
  if (nlo && nhi) {
    // Compare a/10^s with b/10^t exactly in 128 bits.
    Decimal a = MinimalDecimal(*nlo), b = MinimalDecimal(*nhi);
    __int128 x = a.units, y = b.units;
    for (int s = a.scale; s < b.scale; ++s) x *= 10;
    for (int s = b.scale; s < a.scale; ++s) y *= 10;
    if (x > y) {
      return "the range is empty: " + FormatDecimal(*nlo) + " is greater than " +
             FormatDecimal(*nhi);
    }
  }
  return "";
}

// Nesting of and/or/not nodes; a lone condition has depth 1. Returns the first node deeper
// than kMaxRuleDepth, or nullptr.
const Rule* FindTooDeep(const Rule& rule, int depth) {
  if (depth > kMaxRuleDepth) return &rule;
  for (const Rule& c : rule.children) {
    if (const Rule* r = FindTooDeep(c, depth + 1)) return r;
  }
  return nullptr;
}

std::string TooDeepMessage() {
  return "the rule is nested too deeply: at most " + std::to_string(kMaxRuleDepth) +
         " levels of and/or/not";
}

std::string TooLongMessage(size_t bytes) {
  return "the rule is too long: " + std::to_string(bytes) + " bytes; at most " +
         std::to_string(kMaxRuleTextBytes);
}

void AppendQuoted(std::string_view s, std::string& out) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace text_detail

namespace {

using namespace text_detail;

// ---------------------------------------------------------------------------------------
// Lexer

enum class T {
  kEnd,
  kIdent,
  kString,
  kNumber,
  kDate,
  kLParen,
  kRParen,
  kComma,
  kDot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kError,
};

struct Token {
  T type = T::kEnd;
  Pos pos;
  std::string_view text;  // the source spelling
  std::string str;        // kString: the decoded value
  Decimal num;            // kNumber
  Date date;              // kDate
  std::string error;      // kError
};

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  Token Next() {
    SkipSpaceAndComments();
    Token t;
    t.pos = {line_, col_};
    const size_t begin = i_;
    if (i_ >= src_.size()) {
      t.type = T::kEnd;
      return t;
    }
    const char c = src_[i_];
    auto single = [&](T type) {
      Bump();
      t.type = type;
    };
    if (IsIdentStart(c)) {
      while (i_ < src_.size() && IsIdentChar(src_[i_])) Bump();
      t.type = T::kIdent;
    } else if (IsDigit(c) || (c == '-' && i_ + 1 < src_.size() && IsDigit(src_[i_ + 1]))) {
      LexNumberOrDate(t);
    } else if (c == '"') {
      LexString(t);
    } else if (c == '(') {
      single(T::kLParen);
    } else if (c == ')') {
      single(T::kRParen);
    } else if (c == ',') {
      single(T::kComma);
    } else if (c == '.') {
      single(T::kDot);
    } else if (c == '=') {
      single(T::kEq);
      if (i_ < src_.size() && src_[i_] == '=') {
        Bump();
        t.type = T::kError;
        t.error = "\"==\" is not an operator; use \"=\"";
      }
    } else if (c == '!' && Peek(1) == '=') {
      Bump();
      single(T::kNe);
    } else if (c == '<') {
      single(T::kLt);
      if (i_ < src_.size() && src_[i_] == '=') single(T::kLe);
    } else if (c == '>') {
      single(T::kGt);
      if (i_ < src_.size() && src_[i_] == '=') single(T::kGe);
    } else {
      t.type = T::kError;
      t.error = "unexpected character " + DescribeChar(i_);
    }
    if (t.text.empty()) t.text = src_.substr(begin, i_ - begin);
    return t;
  }

 private:
  char Peek(size_t ahead) const { return i_ + ahead < src_.size() ? src_[i_ + ahead] : '\0'; }

  // Columns count code points: continuation bytes of UTF-8 do not advance the column.
  void Bump() {
    const unsigned char c = static_cast<unsigned char>(src_[i_++]);
    if (c == '\n') {
      ++line_;
      col_ = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++col_;
    }
  }

  void SkipSpaceAndComments() {
    while (i_ < src_.size()) {
      const char c = src_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        Bump();
      } else if (c == '#') {
        while (i_ < src_.size() && src_[i_] != '\n') Bump();
      } else {
        break;
      }
    }
  }

  std::string DescribeChar(size_t at) const {
    const unsigned char c = static_cast<unsigned char>(src_[at]);
    char buf[16];
    if (c >= 0x20 && c < 0x7f) return std::string("\"") + static_cast<char>(c) + "\"";
    if (c < 0x80) {
      std::snprintf(buf, sizeof buf, "U+%04X", c);
      return buf;
    }
    const size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    std::string_view seq = src_.substr(at, n);
    if (seq.size() == n && IsValidUtf8(seq)) return "\"" + std::string(seq) + "\"";
    std::snprintf(buf, sizeof buf, "byte 0x%02X", c);
    return std::string(buf) + " (not valid UTF-8)";
  }

  void LexNumberOrDate(Token& t) {
    const size_t begin = i_;
    size_t digits = 0;
    while (IsDigit(Peek(digits))) ++digits;
    const bool date_like = src_[i_] != '-' && digits == 4 && Peek(4) == '-' && IsDigit(Peek(5));
    if (date_like) {
      while (i_ < src_.size() && (IsIdentChar(src_[i_]) || src_[i_] == '-')) Bump();
      std::string_view text = src_.substr(begin, i_ - begin);
      auto parsed = ParseDateText(text);
      if (auto* err = std::get_if<std::string>(&parsed)) {
        t.type = T::kError;
        t.error = *err;
      } else {
        t.type = T::kDate;
        t.date = std::get<Date>(parsed);
      }
      return;
    }
    if (src_[i_] == '-') Bump();
    while (IsDigit(Peek(0))) Bump();
    if (Peek(0) == '.' && IsDigit(Peek(1))) {
      Bump();
      while (IsDigit(Peek(0))) Bump();
    }
    // "1e5", "3days", "1.2.3": report the whole run rather than split it into tokens.
    while (i_ < src_.size() && (IsIdentChar(src_[i_]) || src_[i_] == '.')) Bump();
    std::string_view text = src_.substr(begin, i_ - begin);
    auto parsed = ParseDecimalText(text);
    if (auto* err = std::get_if<std::string>(&parsed)) {
      t.type = T::kError;
      t.error = *err;
    } else {
      t.type = T::kNumber;
      t.num = std::get<Decimal>(parsed);
    }
  }

  // Reads \uXXXX after the "\u"; returns -1 when malformed.
  int32_t ReadHex4() {
    int32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = Peek(0);
      int digit;
      if (IsDigit(h)) {
        digit = h - '0';
      } else if (h >= 'a' && h <= 'f') {
        digit = h - 'a' + 10;
      } else if (h >= 'A' && h <= 'F') {
        digit = h - 'A' + 10;
      } else {
        return -1;
      }
      v = v * 16 + digit;
      Bump();
    }
    return v;
  }

  static void AppendUtf8(uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  void LexString(Token& t) {
    auto fail = [&](Pos at, std::string msg) {
      t.type = T::kError;
      t.pos = at;
      t.error = std::move(msg);
    };
    const Pos start = t.pos;
    Bump();  // opening quote
    std::string value;
    while (true) {
      if (i_ >= src_.size() || src_[i_] == '\n') {
        return fail(start, "unterminated string (a string ends with \" on the same line)");
      }
      const unsigned char c = static_cast<unsigned char>(src_[i_]);
      const Pos here{line_, col_};
      if (c == '"') {
        Bump();
        break;
      }
      if (c == '\\') {
        Bump();
        const char e = Peek(0);
        if (i_ < src_.size()) Bump();
        switch (e) {
          case '"':
            value += '"';
            break;
          case '\\':
            value += '\\';
            break;
          case '/':
            value += '/';
            break;
          case 'b':
            value += '\b';
            break;
          case 'f':
            value += '\f';
            break;
          case 'n':
            value += '\n';
            break;
          case 'r':
            value += '\r';
            break;
          case 't':
            value += '\t';
            break;
          case 'u': {
            int32_t cp = ReadHex4();
            if (cp < 0) return fail(here, "invalid \\u escape: expected four hex digits");
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
              return fail(here, "invalid \\u escape: unpaired surrogate");
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              if (Peek(0) != '\\' || Peek(1) != 'u') {
                return fail(here, "invalid \\u escape: unpaired surrogate");
              }
              Bump();
              Bump();
              const int32_t lo = ReadHex4();
              if (lo < 0xDC00 || lo > 0xDFFF) {
                return fail(here, "invalid \\u escape: unpaired surrogate");
              }
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (cp == 0) return fail(here, "strings cannot contain U+0000");
            AppendUtf8(static_cast<uint32_t>(cp), value);
            break;
          }
          default:
            return fail(here,
                        "invalid escape in string; use \\\", \\\\, \\/, \\b, \\f, \\n, \\r, "
                        "\\t or \\uXXXX");
        }
        continue;
      }
      if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%04X", c);
        return fail(here, std::string("control character U+") + buf +
                              " in string; write it as an escape such as \\n, \\t or \\u" + buf);
      }
      if (c < 0x80) {
        value += static_cast<char>(c);
        Bump();
        continue;
      }
      const size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      std::string_view seq = src_.substr(i_, n);
      if (seq.size() != n || !IsValidUtf8(seq)) return fail(here, "invalid UTF-8 in string");
      value += seq;
      for (size_t k = 0; k < n; ++k) Bump();
    }
    t.type = T::kString;
    t.str = std::move(value);
  }

  std::string_view src_;
  size_t i_ = 0;
  int line_ = 1, col_ = 1;
};

// ---------------------------------------------------------------------------------------
// Parser

std::string PosText(Pos p) { return std::to_string(p.line) + ":" + std::to_string(p.column); }

// At most 40 bytes of source text, cut on a UTF-8 boundary, with "..." when cut.
std::string Shorten(std::string_view s) {
  constexpr size_t kMax = 40;
  if (s.size() <= kMax) return std::string(s);
  size_t n = kMax;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n)) + "...";
}

std::string Quote(std::string_view s) { return "\"" + Shorten(s) + "\""; }

// How a token is named in messages; a string token is shown as written, quotes included.
std::string Shown(const Token& t) {
  if (t.type == T::kString) {
    return t.text.size() > 40 ? Shorten(t.text) + "\"" : std::string(t.text);
  }
  return Quote(t.text);
}

std::string Describe(const Token& t) {
  switch (t.type) {
    case T::kEnd:
      return "end of rule";
    case T::kString:
      return "the string " + Shown(t);
    case T::kNumber:
      return "the number " + Quote(t.text);
    case T::kDate:
      return "the date " + Quote(t.text);
    default:
      return Quote(t.text);
  }
}

constexpr const char* kFieldTailExpected =
    "a comparison (=, !=, <, <=, >, >=), \"in\", \"between\", \"contains\", \"starts_with\", "
    "\"is\" or a date condition";
constexpr const char* kDateCondExpected =
    "a date condition (within last/next N days, before/after N days ago, before/after/on a "
    "date, between two dates)";
constexpr const char* kValueExpected = "a value (a string, number, date, true or false)";
constexpr const char* kConditionExpected =
    "a condition (a field comparison, tag \"...\", in_segment(\"...\"), count/sum/exists/"
    "first/last(...), anniversary(...), \"not\" or \"(\")";

class Parser {
 public:
  explicit Parser(std::string_view text) : lex_(text) { tok_ = lex_.Next(); }

  std::optional<Rule> ParseAll() {
    auto rule = ParseOr();
    if (!rule) return std::nullopt;
    if (tok_.type != T::kEnd) {
      Fail("\"and\", \"or\" or end of rule");
      return std::nullopt;
    }
    return rule;
  }

  const RuleError& error() const { return error_; }

 private:
  bool Is(T type) const { return tok_.type == type; }
  bool IsKw(std::string_view kw) const { return tok_.type == T::kIdent && tok_.text == kw; }

  void Advance() {
    prev_ = Shown(tok_);
    tok_ = lex_.Next();
  }

  // Reports the current token as unexpected (or the lexer's error when it is one).
  bool Fail(std::string_view expected, bool mention_prev = true, std::string_view hint = "") {
    if (tok_.type == T::kError) return FailAt(tok_.pos, tok_.error);
    std::string msg = "expected " + std::string(expected);
    if (mention_prev && !prev_.empty()) msg += " after " + prev_;
    msg += ", found " + Describe(tok_);
    if (tok_.type == T::kIdent) {
      std::string lower = ToLowerAscii(tok_.text);
      if (lower != tok_.text && (IsReservedWord(lower) || lower == "true" || lower == "false" ||
                                 lower == "in" || lower == "between" || lower == "is")) {
        msg += " (keywords are lowercase)";
      }
    }
    msg += hint;
    return FailAt(tok_.pos, std::move(msg));
  }

  bool FailAt(Pos pos, std::string msg) {
    error_.line = pos.line;
    error_.column = pos.column;
    error_.message = std::move(msg);
    return false;
  }

  bool ExpectKw(std::string_view kw) {
    if (!IsKw(kw)) return Fail("\"" + std::string(kw) + "\"");
    Advance();
    return true;
  }

  bool Expect(T type, std::string_view what) {
    if (!Is(type)) return Fail(what);
    Advance();
    return true;
  }

  bool Enter() {
    if (++nesting_ > kMaxRuleDepth) {
      return FailAt(tok_.pos, "the rule is nested too deeply: at most " +
                                  std::to_string(kMaxRuleDepth) +
                                  " levels of parentheses and \"not\"");
    }
    return true;
  }

  static void AppendFlat(Rule& parent, Rule child) {
    if (child.kind == parent.kind) {
      for (Rule& c : child.children) parent.children.push_back(std::move(c));
    } else {
      parent.children.push_back(std::move(child));
    }
  }

  std::optional<Rule> ParseJoined(Rule::Kind kind, std::string_view kw) {
    auto first = kind == Rule::Kind::kOr ? ParseJoined(Rule::Kind::kAnd, "and") : ParseUnary();
    if (!first || !IsKw(kw)) return first;
    Rule r;
    r.kind = kind;
    r.pos = first->pos;
    AppendFlat(r, std::move(*first));
    while (IsKw(kw)) {
      Advance();
      auto next = kind == Rule::Kind::kOr ? ParseJoined(Rule::Kind::kAnd, "and") : ParseUnary();
      if (!next) return std::nullopt;
      AppendFlat(r, std::move(*next));
    }
    return r;
  }

  std::optional<Rule> ParseOr() { return ParseJoined(Rule::Kind::kOr, "or"); }

  std::optional<Rule> ParseUnary() {
    if (!IsKw("not")) return ParsePrimary();
    Rule r;
    r.kind = Rule::Kind::kNot;
    r.pos = tok_.pos;
    if (!Enter()) return std::nullopt;
    Advance();
    auto child = ParseUnary();
    if (!child) return std::nullopt;
    --nesting_;
    r.children.push_back(std::move(*child));
    return r;
  }

  std::optional<Rule> ParsePrimary() {
    if (Is(T::kLParen)) {
      const Pos open = tok_.pos;
      if (!Enter()) return std::nullopt;
      Advance();
      auto inner = ParseOr();
      if (!inner) return std::nullopt;
      if (!Is(T::kRParen)) {
        Fail("\"and\", \"or\" or \")\" to close \"(\" at " + PosText(open), false);
        return std::nullopt;
      }
      Advance();
      --nesting_;
      return inner;
    }
    if (!Is(T::kIdent) || IsKw("and") || IsKw("or")) {
      Fail(kConditionExpected);
      return std::nullopt;
    }
    Rule r;
    r.pos = tok_.pos;
    if (IsKw("tag")) {
      r.kind = Rule::Kind::kTag;
      Advance();
      if (!Is(T::kString)) {
        Fail("a tag name in double quotes");
        return std::nullopt;
      }
      r.name = tok_.str;
      Advance();
      return r;
    }
    if (IsKw("in_segment")) {
      r.kind = Rule::Kind::kInSegment;
      Advance();
      if (!Expect(T::kLParen, "\"(\"")) return std::nullopt;
      if (!Is(T::kString)) {
        Fail("a segment name in double quotes");
        return std::nullopt;
      }
      r.name = tok_.str;
      Advance();
      if (!Expect(T::kRParen, "\")\"")) return std::nullopt;
      return r;
    }
    if (auto agg = ParseAggregateKeyword()) {
      r.kind = Rule::Kind::kActivity;
      r.aggregate = *agg;
      if (!ParseActivity(r)) return std::nullopt;
      return r;
    }
    r.kind = Rule::Kind::kField;
    if (IsKw("anniversary")) {
      r.anniversary = true;
      Advance();
      if (!Expect(T::kLParen, "\"(\"")) return std::nullopt;
      if (!ParsePath(r.field)) return std::nullopt;
      if (!Expect(T::kRParen, "\")\"")) return std::nullopt;
      if (!ParseDateCond(r, kDateCondExpected)) return std::nullopt;
      return r;
    }
    if (!ParsePath(r.field)) return std::nullopt;
    if (!ParseFieldTail(r)) return std::nullopt;
    return r;
  }

  std::optional<Aggregate> ParseAggregateKeyword() const {
    if (!Is(T::kIdent)) return std::nullopt;
    return ParseAggregateName(tok_.text);
  }

  bool ParsePath(std::string& out) {
    if (!Is(T::kIdent) || IsReservedWord(tok_.text)) return Fail("a field name");
    out = std::string(tok_.text);
    Advance();
    while (Is(T::kDot)) {
      Advance();
      if (!Is(T::kIdent)) return Fail("a name");
      out += '.';
      out += tok_.text;
      Advance();
    }
    return true;
  }

  static std::optional<Op> CompareOp(T type) {
    switch (type) {
      case T::kEq:
        return Op::kEq;
      case T::kNe:
        return Op::kNe;
      case T::kLt:
        return Op::kLt;
      case T::kLe:
        return Op::kLe;
      case T::kGt:
        return Op::kGt;
      case T::kGe:
        return Op::kGe;
      default:
        return std::nullopt;
    }
  }

  bool ParseLiteral(std::vector<Literal>& out) {
    switch (tok_.type) {
      case T::kString:
        out.emplace_back(tok_.str);
        break;
      case T::kNumber:
        out.emplace_back(tok_.num);
        break;
      case T::kDate:
        out.emplace_back(tok_.date);
        break;
      case T::kIdent:
        if (IsKw("true") || IsKw("false")) {
          out.emplace_back(tok_.text == "true");
          break;
        }
        return Fail(kValueExpected, true, "; text is written in double quotes");
      default:
        return Fail(kValueExpected);
    }
    Advance();
    return true;
  }

  bool ParseLiteralList(std::vector<Literal>& out) {
    if (!Expect(T::kLParen, "\"(\" to start the list")) return false;
    if (!ParseLiteral(out)) return false;
    while (Is(T::kComma)) {
      Advance();
      if (!ParseLiteral(out)) return false;
    }
    return Expect(T::kRParen, "\",\" or \")\" to end the list");
  }

  bool ParseBetween(std::vector<Literal>& out, bool dates_only, bool numbers_only) {
    const char* what = dates_only ? "a date (YYYY-MM-DD)" : numbers_only ? "a number" : nullptr;
    const Pos from = tok_.pos;
    for (int k = 0; k < 2; ++k) {
      if (k == 1 && !ExpectKw("and")) return false;
      const bool ok = dates_only ? Is(T::kDate) : numbers_only ? Is(T::kNumber) : true;
      if (!ok) return Fail(what);
      if (!ParseLiteral(out)) return false;
    }
    if (std::string err = CheckBetweenOrder(out[out.size() - 2], out.back()); !err.empty()) {
      return FailAt(from, err);
    }
    return true;
  }

  bool ParseDays(int32_t& days) {
    if (!Is(T::kNumber) || tok_.text.find_first_not_of("0123456789") != std::string_view::npos) {
      return Fail("a number of days (1 to 36600)");
    }
    const Decimal d = tok_.num;
    if (std::string err = CheckDays(d.units); !err.empty()) return FailAt(tok_.pos, err);
    days = static_cast<int32_t>(d.units);
    Advance();
    return true;
  }

  bool ExpectDaysWord() {
    if (IsKw("days") || IsKw("day")) {
      Advance();
      return true;
    }
    return Fail("\"days\"");
  }

  bool ParseDateCond(Rule& r, std::string_view expected) {
    if (IsKw("within")) {
      Advance();
      if (IsKw("last")) {
        r.op = Op::kWithinLast;
      } else if (IsKw("next")) {
        r.op = Op::kWithinNext;
      } else {
        return Fail("\"last\" or \"next\"");
      }
      Advance();
      return ParseDays(r.days) && ExpectDaysWord();
    }
    if (IsKw("before") || IsKw("after")) {
      const bool before = tok_.text == "before";
      Advance();
      if (Is(T::kDate)) {
        r.op = before ? Op::kBefore : Op::kAfter;
        r.values.emplace_back(tok_.date);
        Advance();
        return true;
      }
      if (!Is(T::kNumber)) return Fail("a date (YYYY-MM-DD) or a number of days");
      r.op = before ? Op::kBeforeDaysAgo : Op::kAfterDaysAgo;
      return ParseDays(r.days) && ExpectDaysWord() && ExpectKw("ago");
    }
    if (IsKw("on")) {
      Advance();
      if (!Is(T::kDate)) return Fail("a date (YYYY-MM-DD)");
      r.op = Op::kOn;
      r.values.emplace_back(tok_.date);
      Advance();
      return true;
    }
    if (IsKw("between")) {
      Advance();
      r.op = Op::kBetween;
      return ParseBetween(r.values, true, false);
    }
    return Fail(expected);
  }

  bool ParseFieldTail(Rule& r) {
    if (auto op = CompareOp(tok_.type)) {
      r.op = *op;
      Advance();
      return ParseLiteral(r.values);
    }
    if (IsKw("in")) {
      r.op = Op::kIn;
      Advance();
      return ParseLiteralList(r.values);
    }
    if (IsKw("between")) {
      r.op = Op::kBetween;
      Advance();
      return ParseBetween(r.values, false, false);
    }
    if (IsKw("contains") || IsKw("starts_with")) {
      r.op = tok_.text == "contains" ? Op::kContains : Op::kStartsWith;
      Advance();
      if (!Is(T::kString)) return Fail("a string");
      r.values.emplace_back(tok_.str);
      Advance();
      return true;
    }
    if (IsKw("is")) {
      Advance();
      if (IsKw("set")) {
        r.op = Op::kIsSet;
      } else if (IsKw("not")) {
        Advance();
        if (!IsKw("set")) return Fail("\"set\"");
        r.op = Op::kIsNotSet;
      } else {
        return Fail("\"set\" or \"not set\"");
      }
      Advance();
      return true;
    }
    if (IsKw("within") || IsKw("before") || IsKw("after") || IsKw("on")) {
      return ParseDateCond(r, kDateCondExpected);
    }
    prev_ = Quote(r.field);
    return Fail(kFieldTailExpected);
  }

  bool ParseFilter(Rule& r) {
    ActivityFilter f;
    f.pos = tok_.pos;
    if (IsKw("channel") || IsKw("currency")) {
      f.key = std::string(tok_.text);
      Advance();
    } else if (IsKw("properties")) {
      Advance();
      if (!Expect(T::kDot, "\".\" and a property name")) return false;
      if (!Is(T::kIdent)) return Fail("a property name");
      f.key = "properties." + std::string(tok_.text);
      Advance();
    } else {
      return Fail("a filter (channel, currency or properties.NAME)");
    }
    if (Is(T::kEq) || Is(T::kNe)) {
      f.op = Is(T::kEq) ? Op::kEq : Op::kNe;
      Advance();
      if (!ParseLiteral(f.values)) return false;
    } else if (IsKw("in")) {
      f.op = Op::kIn;
      Advance();
      if (!ParseLiteralList(f.values)) return false;
    } else {
      return Fail("\"=\", \"!=\" or \"in\"");
    }
    r.filters.push_back(std::move(f));
    return true;
  }

  bool ParseActivity(Rule& r) {
    const std::string agg(tok_.text);
    Advance();
    const Pos open = tok_.pos;
    if (!Expect(T::kLParen, "\"(\"")) return false;
    if (!Is(T::kIdent)) return Fail("an activity type");
    r.activity_type = std::string(tok_.text);
    Advance();
    if (Is(T::kDot)) {
      Advance();
      if (!Is(T::kIdent)) return Fail("an attribute name");
      r.attribute = std::string(tok_.text);
      Advance();
    }
    if (IsKw("where")) {
      Advance();
      if (!ParseFilter(r)) return false;
      while (IsKw("and")) {
        Advance();
        if (!ParseFilter(r)) return false;
      }
    }
    if (Is(T::kComma)) {
      Advance();
      if (IsKw("last")) {
        Advance();
        r.window.kind = Window::Kind::kLastDays;
        if (!ParseDays(r.window.days) || !ExpectDaysWord()) return false;
      } else if (IsKw("between")) {
        Advance();
        std::vector<Literal> range;
        if (!ParseBetween(range, true, false)) return false;
        r.window.kind = Window::Kind::kBetween;
        r.window.from = std::get<Date>(range[0]);
        r.window.to = std::get<Date>(range[1]);
      } else {
        return Fail("a window (last N days, or between two dates)");
      }
    }
    if (!Is(T::kRParen)) {
      std::string expected;
      if (r.filters.empty() && r.window.kind == Window::Kind::kAllTime) {
        expected = "\"where\", \",\" or ";
      } else if (r.window.kind == Window::Kind::kAllTime) {
        expected = "\"and\", \",\" or ";
      }
      return Fail(expected + "\")\" to close \"" + agg + "(\" at " + PosText(open));
    }
    Advance();
    prev_ = Quote(agg + "(...)");
    switch (r.aggregate) {
      case Aggregate::kExists:
        return true;
      case Aggregate::kFirst:
      case Aggregate::kLast:
        return ParseDateCond(r, kDateCondExpected);
      case Aggregate::kCount:
      case Aggregate::kSum:
        if (auto op = CompareOp(tok_.type)) {
          r.op = *op;
          Advance();
          if (!Is(T::kNumber)) return Fail("a number");
          return ParseLiteral(r.values);
        }
        if (IsKw("between")) {
          r.op = Op::kBetween;
          Advance();
          return ParseBetween(r.values, false, true);
        }
        return Fail("a comparison (=, !=, <, <=, >, >=) or \"between\"");
    }
    return true;
  }

  Lexer lex_;
  Token tok_;
  std::string prev_;
  int nesting_ = 0;
  RuleError error_;
};

// ---------------------------------------------------------------------------------------
// Printer

void AppendLiteral(const Literal& v, std::string& out) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    AppendQuoted(*s, out);
  } else if (const auto* d = std::get_if<Decimal>(&v)) {
    out += FormatDecimal(*d);
  } else if (const auto* b = std::get_if<bool>(&v)) {
    out += *b ? "true" : "false";
  } else {
    out += FormatDate(std::get<Date>(v));
  }
}

void AppendList(const std::vector<Literal>& values, std::string& out) {
  out += '(';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    AppendLiteral(values[i], out);
  }
  out += ')';
}

// The operator and operand of a field, an activity tail or a filter, with a leading space.
void AppendCondition(Op op, const std::vector<Literal>& values, int32_t days, std::string& out) {
  auto value = [&](size_t i) {
    if (i < values.size()) AppendLiteral(values[i], out);
  };
  auto days_text = [&] { out += std::to_string(days) + " days"; };
  out += ' ';
  switch (op) {
    case Op::kEq:
    case Op::kNe:
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
      out += OpName(op);
      out += ' ';
      value(0);
      break;
    case Op::kIn:
      out += "in ";
      AppendList(values, out);
      break;
    case Op::kBetween:
      out += "between ";
      value(0);
      out += " and ";
      value(1);
      break;
    case Op::kContains:
    case Op::kStartsWith:
      out += OpName(op);
      out += ' ';
      value(0);
      break;
    case Op::kIsSet:
      out += "is set";
      break;
    case Op::kIsNotSet:
      out += "is not set";
      break;
    case Op::kWithinLast:
      out += "within last ";
      days_text();
      break;
    case Op::kWithinNext:
      out += "within next ";
      days_text();
      break;
    case Op::kBeforeDaysAgo:
      out += "before ";
      days_text();
      out += " ago";
      break;
    case Op::kAfterDaysAgo:
      out += "after ";
      days_text();
      out += " ago";
      break;
    case Op::kBefore:
    case Op::kAfter:
    case Op::kOn:
      out += OpName(op);
      out += ' ';
      value(0);
      break;
  }
}

void AppendRule(const Rule& r, std::string& out);

void AppendChild(const Rule& child, bool parens, std::string& out) {
  if (parens) out += '(';
  AppendRule(child, out);
  if (parens) out += ')';
}

void AppendRule(const Rule& r, std::string& out) {
  using K = Rule::Kind;
  switch (r.kind) {
    case K::kAnd:
    case K::kOr:
      for (size_t i = 0; i < r.children.size(); ++i) {
        if (i > 0) out += r.kind == K::kAnd ? " and " : " or ";
        const K ck = r.children[i].kind;
        // Nested groups of the parent's own kind only exist in hand-built trees; keeping
        // their parentheses keeps the printed text faithful to them.
        const bool parens = ck == r.kind || (r.kind == K::kAnd && ck == K::kOr);
        AppendChild(r.children[i], parens, out);
      }
      break;
    case K::kNot:
      out += "not ";
      if (!r.children.empty()) {
        const K ck = r.children[0].kind;
        AppendChild(r.children[0], ck == K::kAnd || ck == K::kOr, out);
      }
      break;
    case K::kTag:
      out += "tag ";
      AppendQuoted(r.name, out);
      break;
    case K::kInSegment:
      out += "in_segment(";
      AppendQuoted(r.name, out);
      out += ')';
      break;
    case K::kField:
      if (r.anniversary) {
        out += "anniversary(" + r.field + ")";
      } else {
        out += r.field;
      }
      AppendCondition(r.op, r.values, r.days, out);
      break;
    case K::kActivity:
      out += AggregateName(r.aggregate);
      out += '(';
      out += r.activity_type;
      if (!r.attribute.empty()) out += "." + r.attribute;
      for (size_t i = 0; i < r.filters.size(); ++i) {
        const ActivityFilter& f = r.filters[i];
        out += i == 0 ? " where " : " and ";
        out += f.key;
        AppendCondition(f.op, f.values, 0, out);
      }
      if (r.window.kind == Window::Kind::kLastDays) {
        out += ", last " + std::to_string(r.window.days) + " days";
      } else if (r.window.kind == Window::Kind::kBetween) {
        out += ", between " + FormatDate(r.window.from) + " and " + FormatDate(r.window.to);
      }
      out += ')';
      if (r.aggregate != Aggregate::kExists) AppendCondition(r.op, r.values, r.days, out);
      break;
  }
}

}  // namespace

Parsed ParseText(std::string_view text) {
  Parsed out;
  if (text.size() > kMaxRuleTextBytes) {
    out.errors.push_back({1, 1, TooLongMessage(text.size())});
    return out;
  }
  Parser parser(text);
  std::optional<Rule> rule = parser.ParseAll();
  if (!rule) {
    out.errors.push_back(parser.error());
    return out;
  }
  if (const Rule* deep = FindTooDeep(*rule, 1)) {
    out.errors.push_back({deep->pos.line, deep->pos.column, TooDeepMessage()});
    return out;
  }
  // Canonical spacing can make a dense rule longer than its source; refusing it here keeps
  // every accepted rule printable and parseable again.
  if (const size_t n = ToText(*rule).size(); n > kMaxRuleTextBytes) {
    out.errors.push_back({1, 1, TooLongMessage(n) + " once written in canonical form"});
    return out;
  }
  out.rule = std::move(rule);
  return out;
}

std::string ToText(const Rule& rule) {
  std::string out;
  AppendRule(rule, out);
  return out;
}

}  // namespace rapport::segments
