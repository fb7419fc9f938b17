#include "common/time_format.h"

#include <chrono>
#include <cstdio>

namespace rapport {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

std::optional<std::chrono::sys_days> ParseYmd(std::string_view s) {
  int y, m, d;
  if (s.size() < 10 || !Digits(s, 0, 4, y) || s[4] != '-' || !Digits(s, 5, 2, m) ||
      s[7] != '-' || !Digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month(m),
                                  std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd};
}

}  // namespace

std::string FormatTimestamp(Micros t) {
  using namespace std::chrono;
  auto tp = sys_time<microseconds>{microseconds{t}};
  auto day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss<microseconds> hms{tp - day};
  char buf[40];
  long us = static_cast<long>(hms.subseconds().count());
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02lld",
                        static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), static_cast<long>(hms.hours().count()),
                        static_cast<long>(hms.minutes().count()),
                        static_cast<long long>(hms.seconds().count()));
  if (us != 0) {
    if (us % 1000 == 0) {
      n += std::snprintf(buf + n, sizeof buf - n, ".%03ld", us / 1000);
    } else {
      n += std::snprintf(buf + n, sizeof buf - n, ".%06ld", us);
    }
  }
  std::snprintf(buf + n, sizeof buf - n, "Z");
  return buf;
}

std::optional<Micros> ParseTimestamp(std::string_view s) {
  auto day = ParseYmd(s);
  if (!day || s.size() < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) {
    return std::nullopt;
  }
  int hh, mm, ss;
  if (!Digits(s, 11, 2, hh) || s[13] != ':' || !Digits(s, 14, 2, mm) || s[16] != ':' ||
      !Digits(s, 17, 2, ss) || hh > 23 || mm > 59 || ss > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  Micros frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    Micros scale = 100000;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;
  Micros offset = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = (oh * 3600LL + om * 60LL) * kMicrosPerSecond * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  if (ss == 60) ss = 59;  // leap second: clamp rather than reject
  Micros days_since_epoch = day->time_since_epoch().count();
  return days_since_epoch * kMicrosPerDay + (hh * 3600LL + mm * 60LL + ss) * kMicrosPerSecond +
         frac - offset;
}

std::optional<std::string> ParseDate(std::string_view s) {
  if (s.size() != 10) return std::nullopt;
  auto day = ParseYmd(s);
  if (!day) return std::nullopt;
  int y = static_cast<int>(std::chrono::year_month_day{*day}.year());
  if (y < 1900 || y > 2200) return std::nullopt;
  return std::string(s);
}

}  // namespace rapport
