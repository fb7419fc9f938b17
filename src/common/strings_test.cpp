#include "common/strings.h"

#include <gtest/gtest.h>

namespace rapport {
namespace {

TEST(StringsTest, TrimAndLower) {
  EXPECT_EQ(Trim("  a b \t\n"), "a b");
  EXPECT_EQ(Trim("   "), "");
  EXPECT_EQ(ToLowerAscii("Ana@Example.COM"), "ana@example.com");
}

TEST(StringsTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_EQ(Utf8Length("Zo\xc3\xab"), 3u);
}

}  // namespace
}  // namespace rapport

#include "common/timezones.h"

namespace rapport {
namespace {

TEST(TimeZonesTest, KnowsIanaZonesAndLinks) {
  EXPECT_TRUE(IsKnownTimeZone("Europe/Berlin"));
  EXPECT_TRUE(IsKnownTimeZone("Pacific/Auckland"));
  EXPECT_TRUE(IsKnownTimeZone("UTC"));
  EXPECT_TRUE(IsKnownTimeZone("Australia/ACT"));  // a link
  EXPECT_FALSE(IsKnownTimeZone("Mars/Olympus"));
  EXPECT_FALSE(IsKnownTimeZone("../etc/passwd"));
  EXPECT_FALSE(IsKnownTimeZone(""));
}

}  // namespace
}  // namespace rapport

namespace rapport {
namespace {

TEST(StringsTest, Hostnames) {
  EXPECT_TRUE(IsValidHostname("example.com"));
  EXPECT_TRUE(IsValidHostname("mail.example.co.nz"));
  EXPECT_TRUE(IsValidHostname("xn--bcher-kva.xn--p1ai"));
  EXPECT_FALSE(IsValidHostname("localhost"));
  EXPECT_FALSE(IsValidHostname("example.com."));
  EXPECT_FALSE(IsValidHostname("-bad.com"));
  EXPECT_FALSE(IsValidHostname("Example.com"));
  EXPECT_FALSE(IsValidHostname("exa mple.com"));
  EXPECT_FALSE(IsValidHostname("example.c0m"));
  EXPECT_FALSE(IsValidHostname("a..b.com"));
}

}  // namespace
}  // namespace rapport
