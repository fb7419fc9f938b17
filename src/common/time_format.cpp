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
  if (s.size() < 10 || !Digits(s, 0, 4, y) || s[4] != '-' || !Digits(s, 5, 2, m) || s[7] != '-' ||
      !Digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd};
}

// Years outside 0000..9999 (which no API input can produce): the general formatting, with
// the year's sign and width as printf gives them.
size_t FormatSlowly(Micros t, char* out) {
  using namespace std::chrono;
  auto tp = sys_time<microseconds>{microseconds{t}};
  auto day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss<microseconds> hms{tp - day};
  long us = static_cast<long>(hms.subseconds().count());
  int n = std::snprintf(out, kTimestampMaxChars, "%04d-%02u-%02uT%02ld:%02ld:%02lld",
                        static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), static_cast<long>(hms.hours().count()),
                        static_cast<long>(hms.minutes().count()),
                        static_cast<long long>(hms.seconds().count()));
  if (us != 0) {
    if (us % 1000 == 0) {
      n += std::snprintf(out + n, kTimestampMaxChars - n, ".%03ld", us / 1000);
    } else {
      n += std::snprintf(out + n, kTimestampMaxChars - n, ".%06ld", us);
    }
  }
  out[n] = 'Z';
  return static_cast<size_t>(n) + 1;
}

}  // namespace

size_t FormatTimestampTo(Micros t, char* out) {
  Micros day = t / kMicrosPerDay;
  Micros of_day = t % kMicrosPerDay;
  if (of_day < 0) {
    of_day += kMicrosPerDay;
    --day;
  }
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) return FormatSlowly(t, out);
  auto two = [&](char* p, unsigned v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  two(out, static_cast<unsigned>(year / 100));
  two(out + 2, static_cast<unsigned>(year % 100));
  out[4] = '-';
  two(out + 5, static_cast<unsigned>(ymd.month()));
  out[7] = '-';
  two(out + 8, static_cast<unsigned>(ymd.day()));
  out[10] = 'T';
  auto seconds = static_cast<unsigned>(of_day / kMicrosPerSecond);
  auto us = static_cast<unsigned>(of_day % kMicrosPerSecond);
  two(out + 11, seconds / 3600);
  out[13] = ':';
  two(out + 14, seconds / 60 % 60);
  out[16] = ':';
  two(out + 17, seconds % 60);
  size_t n = 19;
  if (us != 0) {
    // Milliseconds when that loses nothing, as the API has always written them.
    unsigned digits = us % 1000 == 0 ? 3 : 6;
    unsigned v = digits == 3 ? us / 1000 : us;
    out[n] = '.';
    for (unsigned i = digits; i > 0; --i) {
      out[n + i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    n += digits + 1;
  }
  out[n++] = 'Z';
  return n;
}

std::string FormatTimestamp(Micros t) {
  char buf[kTimestampMaxChars];
  return std::string(buf, FormatTimestampTo(t, buf));
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
