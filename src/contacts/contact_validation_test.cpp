#include <gtest/gtest.h>

#include "contacts/contact.h"

namespace rapport::contacts {
namespace {

TEST(NormalizeEmailTest, AcceptsAndNormalises) {
  EXPECT_EQ(NormalizeEmail("  Ana.Silva+crm@Example.COM ").value(), "ana.silva+crm@example.com");
  EXPECT_EQ(NormalizeEmail("o'brien@mail.example.ie").value(), "o'brien@mail.example.ie");
}

TEST(NormalizeEmailTest, Rejects) {
  for (const char* bad : {"", "ana", "ana@", "@example.com", "ana@example", "ana..s@example.com",
                          ".ana@example.com", "ana.@example.com", "an a@example.com",
                          "ana@exa_mple.com", "ana@@example.com", "ana@example.c"}) {
    EXPECT_FALSE(NormalizeEmail(bad).has_value()) << bad;
  }
  EXPECT_FALSE(NormalizeEmail(std::string(65, 'a') + "@example.com").has_value());
}

TEST(NormalizePhoneTest, NormalisesSeparatorsAndInternationalPrefix) {
  EXPECT_EQ(NormalizePhone("+49 (151) 123-45.678").value(), "+4915112345678");
  EXPECT_EQ(NormalizePhone("0049 151 1234567").value(), "+491511234567");
  EXPECT_EQ(NormalizePhone("021 555 0123").value(), "0215550123");
}

TEST(NormalizePhoneTest, Rejects) {
  EXPECT_FALSE(NormalizePhone("12345").has_value());
  EXPECT_FALSE(NormalizePhone("+1234567890123456").has_value());
  EXPECT_FALSE(NormalizePhone("+49 151 1234 ext 5").has_value());
  EXPECT_FALSE(NormalizePhone("49+1511234567").has_value());
}

}  // namespace
}  // namespace rapport::contacts
