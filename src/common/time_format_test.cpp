#include "common/time_format.h"

#include <gtest/gtest.h>

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
