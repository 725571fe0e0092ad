#include "core/ids.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace palika {
namespace {

TEST(Ids, NewIdHasPrefixAnd128RandomBits) {
  const std::string id = NewId("usr");
  ASSERT_EQ(id.size(), 4u + 32u);
  EXPECT_TRUE(id.starts_with("usr_"));
  EXPECT_TRUE(IsValidId(id, "usr"));
  EXPECT_TRUE(IsValidId(id, "usr_"));
  EXPECT_FALSE(IsValidId(id, "prp"));
  const std::string with_underscore = NewId("usr_");
  EXPECT_TRUE(with_underscore.starts_with("usr_"));
  EXPECT_NE(with_underscore[4], '_');
  EXPECT_TRUE(IsValidId(with_underscore, "usr"));
}

TEST(Ids, NewIdsAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    EXPECT_TRUE(seen.insert(NewId("prp")).second);
  }
}

TEST(Ids, IsValidIdRejectsOthers) {
  const std::string id = NewId("rcp");
  EXPECT_FALSE(IsValidId(id.substr(0, id.size() - 1), "rcp"));
  EXPECT_FALSE(IsValidId(id + "0", "rcp"));
  std::string upper = id;
  upper.back() = 'A';
  EXPECT_FALSE(IsValidId(upper, "rcp"));
  std::string no_underscore = id;
  no_underscore[3] = '-';
  EXPECT_FALSE(IsValidId(no_underscore, "rcp"));
  EXPECT_FALSE(IsValidId("", "rcp"));
}

TEST(Ids, UlbCodeIsFourAsciiDigits) {
  EXPECT_TRUE(IsValidUlbCode("0152"));
  EXPECT_TRUE(IsValidUlbCode("0269"));
  EXPECT_FALSE(IsValidUlbCode("152"));
  EXPECT_FALSE(IsValidUlbCode("01520"));
  EXPECT_FALSE(IsValidUlbCode("01a2"));
  EXPECT_FALSE(IsValidUlbCode(" 152"));
  EXPECT_FALSE(IsValidUlbCode(""));
  EXPECT_FALSE(IsValidUlbCode("०१५२"));  // Devanagari digits are not ASCII
  EXPECT_FALSE(
      IsValidUlbCode(std::string_view("01\0"
                                      "2",
                                      4)));
}

TEST(Ids, Username) {
  EXPECT_TRUE(IsValidUsername("abc"));
  EXPECT_TRUE(IsValidUsername("cashier.indore-01_a"));
  EXPECT_TRUE(IsValidUsername(std::string(32, 'a')));
  EXPECT_FALSE(IsValidUsername(std::string(33, 'a')));
  EXPECT_FALSE(IsValidUsername("ab"));
  EXPECT_FALSE(IsValidUsername("1abc"));
  EXPECT_FALSE(IsValidUsername(".abc"));
  EXPECT_FALSE(IsValidUsername("Abc"));
  EXPECT_FALSE(IsValidUsername("ab c"));
  EXPECT_FALSE(IsValidUsername("ab@c"));
  EXPECT_FALSE(IsValidUsername("राम"));
}

TEST(Ids, Utf8AcceptsValidText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("Indore"));
  EXPECT_TRUE(IsValidUtf8("इंदौर"));
  EXPECT_TRUE(IsValidUtf8("₹1,23,456"));
  EXPECT_TRUE(IsValidUtf8("\xC2\x80"));          // U+0080, smallest two-byte
  EXPECT_TRUE(IsValidUtf8("\xE0\xA0\x80"));      // U+0800, smallest three-byte
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(IsValidUtf8("\xEE\x80\x80"));      // U+E000, just above them
  EXPECT_TRUE(IsValidUtf8("\xF0\x90\x80\x80"));  // U+10000
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x99\x8F"));  // an emoji
  EXPECT_TRUE(IsValidUtf8(std::string_view("a\0b", 3)));
}

TEST(Ids, Utf8RejectsMalformedText) {
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation byte
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xE0\x9F\xBF"));      // overlong three-byte
  EXPECT_FALSE(IsValidUtf8("\xF0\x8F\xBF\xBF"));  // overlong four-byte
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));      // U+DFFF
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));  // lead byte beyond F4
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xE0\xA4"));                  // truncated 'इ'
  EXPECT_FALSE(IsValidUtf8("\xE0\xA4\x87\xE0"));          // 'इ' then a truncated sequence
  EXPECT_FALSE(IsValidUtf8("\xE0\xA4\x41"));              // bad continuation byte
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x99"));              // truncated emoji
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\xBD\xED\xB8\x80"));  // CESU-8 surrogate pair
  // Every prefix of "इंदौर" that cuts a character is invalid.
  const std::string indore = "इंदौर";
  for (size_t n = 0; n <= indore.size(); ++n) {
    EXPECT_EQ(IsValidUtf8(indore.substr(0, n)), n % 3 == 0) << n;
  }
}

}  // namespace
}  // namespace palika
