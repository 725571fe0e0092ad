#include "services/identity/password.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

namespace palika::identity {
namespace {

size_t CodePointCount(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }
  return n;
}

void ExpectPolicyError(std::string_view password, std::string_view code) {
  const Status s = CheckPasswordPolicy(password);
  ASSERT_FALSE(s.ok()) << password;
  EXPECT_EQ(s.kind(), StatusKind::kInvalidArgument);
  EXPECT_EQ(s.code(), code) << password;
  EXPECT_FALSE(s.message().empty());
  EXPECT_NE(s.message_hi(), s.message());  // a Hindi message of its own
}

TEST(PasswordPolicy, AcceptsLongEnoughPasswords) {
  EXPECT_TRUE(CheckPasswordPolicy("correct horse battery staple").ok());
  EXPECT_TRUE(CheckPasswordPolicy("abcdefghijkl").ok());  // exactly 12
  EXPECT_TRUE(CheckPasswordPolicy("aaaaaaaaaaab").ok());
  EXPECT_TRUE(CheckPasswordPolicy(std::string(256, 'x').replace(0, 1, "y")).ok());
}

TEST(PasswordPolicy, CountsCodePointsNotBytes) {
  const std::string hindi12 = "मेरानगरइंदौर";  // 12 code points, 36 bytes
  ASSERT_EQ(CodePointCount(hindi12), 12u);
  ASSERT_EQ(hindi12.size(), 36u);
  EXPECT_TRUE(CheckPasswordPolicy(hindi12).ok());

  const std::string hindi11 = "मेरानगरइंदौ";  // 11 code points, 33 bytes: short despite its bytes
  ASSERT_EQ(CodePointCount(hindi11), 11u);
  ExpectPolicyError(hindi11, "password_too_short");
}

TEST(PasswordPolicy, RejectsShortLongInvalidAndRepeated) {
  ExpectPolicyError("", "password_too_short");
  ExpectPolicyError("abcdefghijk", "password_too_short");  // 11
  ExpectPolicyError(std::string(257, 'x').replace(0, 1, "y"), "password_too_long");
  std::string hindi_long;
  for (int i = 0; i < 86; ++i) {
    hindi_long += "क";  // 86 code points, 258 bytes
  }
  ExpectPolicyError(hindi_long, "password_too_long");
  ExpectPolicyError("abcdefghijkl\xFF", "password_invalid_utf8");
  ExpectPolicyError("abcdefghijkl\xED\xA0\x80", "password_invalid_utf8");
  ExpectPolicyError("aaaaaaaaaaaa", "password_one_character");
  ExpectPolicyError("कककककककककककक", "password_one_character");
  ExpectPolicyError(std::string(256, '7'), "password_one_character");
}

TEST(PasswordHash, HashesWithArgon2idAtOwaspCost) {
  const auto hash = HashPassword("correct horse battery staple");
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *hash;
  EXPECT_FALSE(PasswordNeedsRehash(*hash));
  // A fresh salt each time.
  EXPECT_NE(*hash, HashPassword("correct horse battery staple").value());
}

TEST(PasswordHash, VerifiesTheRightPasswordOnly) {
  const std::string hash = HashPassword("correct horse battery staple").value();
  EXPECT_TRUE(VerifyPassword(hash, "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(hash, "correct horse battery stapl"));
  EXPECT_FALSE(VerifyPassword(hash, "Correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(hash, ""));

  const std::string hindi = "मेरानगरइंदौर";
  const std::string hindi_hash = HashPassword(hindi).value();
  EXPECT_TRUE(VerifyPassword(hindi_hash, hindi));
  EXPECT_FALSE(VerifyPassword(hindi_hash, "मेरानगरइंदोर"));
}

TEST(PasswordHash, MalformedHashesNeverVerify) {
  EXPECT_FALSE(VerifyPassword("", "x"));
  EXPECT_FALSE(VerifyPassword("not a hash", "not a hash"));
  EXPECT_FALSE(VerifyPassword(std::string(500, '$'), "x"));
  const std::string hash = HashPassword("password with nul").value();
  EXPECT_FALSE(VerifyPassword(hash + std::string(1, '\0') + "junk", "password with nul"));
  EXPECT_TRUE(PasswordNeedsRehash(""));
  EXPECT_TRUE(PasswordNeedsRehash("not a hash"));
}

TEST(PasswordHash, OtherParametersVerifyButNeedRehash) {
  ASSERT_GE(sodium_init(), 0);
  const std::string password = "an older, cheaper hash";
  char weaker[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str_alg(weaker, password.data(), password.size(), 1,
                                  size_t{8} * 1024 * 1024, crypto_pwhash_ALG_ARGON2ID13),
            0);
  EXPECT_TRUE(VerifyPassword(weaker, password));
  EXPECT_TRUE(PasswordNeedsRehash(weaker));

  char argon2i[crypto_pwhash_STRBYTES];
  ASSERT_EQ(
      crypto_pwhash_str_alg(argon2i, password.data(), password.size(), 3,  // Argon2i's minimum
                            kPasswordMemLimitBytes, crypto_pwhash_ALG_ARGON2I13),
      0);
  EXPECT_TRUE(VerifyPassword(argon2i, password));
  EXPECT_TRUE(PasswordNeedsRehash(argon2i));
}

TEST(PasswordHash, DummyHashMatchesTheCurrentCost) {
  // If the parameters change, regenerate kDummyPasswordHash so unknown users cost the same.
  EXPECT_FALSE(PasswordNeedsRehash(kDummyPasswordHash));
  EXPECT_FALSE(VerifyPassword(kDummyPasswordHash, ""));
  EXPECT_FALSE(VerifyPassword(kDummyPasswordHash, "correct horse battery staple"));
  VerifyDummyPassword("anything");  // returns nothing to misuse
}

}  // namespace
}  // namespace palika::identity
