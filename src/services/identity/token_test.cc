#include "services/identity/token.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "core/encoding.h"

namespace palika::identity {
namespace {

TEST(Token, Is256BitsOfBase64Url) {
  const std::string token = NewToken();
  EXPECT_EQ(token.size(), 43u);
  for (char c : token) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << token;
  }
  const auto bytes = Base64UrlDecode(token);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->size(), 32u);
}

TEST(Token, TokensAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    EXPECT_TRUE(seen.insert(NewToken()).second);
  }
}

TEST(Token, HashIsHexSha256OfTheToken) {
  EXPECT_EQ(TokenHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string token = NewToken();
  const std::string hash = TokenHash(token);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(hash, TokenHash(token));
  EXPECT_NE(hash, TokenHash(NewToken()));
  EXPECT_EQ(hash.find(token), std::string::npos);
  for (char c : hash) {
    EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
}

}  // namespace
}  // namespace palika::identity
