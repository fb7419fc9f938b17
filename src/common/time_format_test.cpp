#include "common/time_format.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>

namespace rapport {
namespace {

TEST(TimeFormatTest, RoundTripsUtc) {
  auto t = ParseTimestamp("2026-11-23T15:04:05Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatTimestamp(*t), "2026-11-23T15:04:05Z");
  EXPECT_EQ(*t, 1795446245LL * kMicrosPerSecond);
}

TEST(TimeFormatTest, AppliesOffsetsAndFractions) {
  auto a = ParseTimestamp("2026-11-23T17:04:05.5+02:00");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(FormatTimestamp(*a), "2026-11-23T15:04:05.500Z");
  auto b = ParseTimestamp("1969-12-31T23:59:59.000001Z");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(*b, -999999);
  EXPECT_EQ(FormatTimestamp(*b), "1969-12-31T23:59:59.000001Z");
}

// The formatting the API used before FormatTimestampTo, kept as the reference it must match.
std::string ReferenceFormat(Micros t) {
  using namespace std::chrono;
  auto tp = sys_time<microseconds>{microseconds{t}};
  auto day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss<microseconds> hms{tp - day};
  char buf[64];
  long us = static_cast<long>(hms.subseconds().count());
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02lld",
                        static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), static_cast<long>(hms.hours().count()),
                        static_cast<long>(hms.minutes().count()),
                        static_cast<long long>(hms.seconds().count()));
  if (us != 0) {
    n += std::snprintf(buf + n, sizeof buf - n, us % 1000 == 0 ? ".%03ld" : ".%06ld",
                       us % 1000 == 0 ? us / 1000 : us);
  }
  std::snprintf(buf + n, sizeof buf - n, "Z");
  return buf;
}

TEST(TimeFormatTest, FormatsLikeTheReferenceAtTheEdges) {
  constexpr Micros kYear10000 = 253402300800LL * kMicrosPerSecond;  // 10000-01-01T00:00:00Z
  constexpr Micros kYear0 = -62167219200LL * kMicrosPerSecond;      // 0000-01-01T00:00:00Z
  const Micros cases[] = {0,
                          1,
                          -1,
                          999,
                          1000,
                          -1000,
                          123456,
                          kMicrosPerSecond - 1,
                          kMicrosPerDay - 1,
                          -kMicrosPerDay,
                          -kMicrosPerDay - 1,
                          951782400LL * kMicrosPerSecond,  // 2000-02-29
                          1795446245LL * kMicrosPerSecond + 120000,
                          kYear10000 - 1,
                          kYear10000,
                          kYear10000 + 5000,
                          kYear0,
                          kYear0 - 1,
                          kYear0 - kMicrosPerDay * 400 + 7};
  for (Micros t : cases) {
    char buf[kTimestampMaxChars];
    std::string fast(buf, FormatTimestampTo(t, buf));
    EXPECT_EQ(fast, ReferenceFormat(t)) << t;
    EXPECT_EQ(FormatTimestamp(t), ReferenceFormat(t)) << t;
  }
}

TEST(TimeFormatTest, FormatsLikeTheReferenceOnRandomInstants) {
  std::mt19937_64 rng(42);
  // Years 1900..2200 at every precision: whole seconds, milliseconds and microseconds.
  std::uniform_int_distribution<Micros> span(-2208988800LL * kMicrosPerSecond,
                                             7258118400LL * kMicrosPerSecond);
  for (int i = 0; i < 30000; ++i) {
    Micros t = span(rng);
    if (i % 3 == 0) t -= t % kMicrosPerSecond;
    if (i % 3 == 1) t -= t % 1000;
    char buf[kTimestampMaxChars];
    ASSERT_EQ(std::string(buf, FormatTimestampTo(t, buf)), ReferenceFormat(t)) << t;
  }
}

TEST(TimeFormatTest, RejectsMalformed) {
  for (const char* s : {"", "2026-11-23", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                        "2026-11-23T24:00:00Z", "2026-11-23T10:00:00", "2026-11-23T10:00:00Zx",
                        "2026-11-23T10:00:00.Z", "2026-11-23T10:00:00+2:00"}) {
    EXPECT_FALSE(ParseTimestamp(s).has_value()) << s;
  }
}

TEST(TimeFormatTest, ParsesRealDatesOnly) {
  EXPECT_EQ(ParseDate("2024-02-29").value(), "2024-02-29");
  EXPECT_FALSE(ParseDate("2023-02-29").has_value());
  EXPECT_FALSE(ParseDate("1899-12-31").has_value());
  EXPECT_FALSE(ParseDate("2024-1-01").has_value());
  EXPECT_FALSE(ParseDate("2024-01-01T00:00:00Z").has_value());
}

}  // namespace
}  // namespace rapport
