#include "services/identity/totp.h"

#include <gtest/gtest.h>

#include <set>

namespace palika::identity {
namespace {

// RFC 6238 appendix B, SHA-1 key.
const std::string kRfcSecret = "12345678901234567890";

TEST(Totp, MatchesRfc6238Vectors) {
  // The RFC lists 8 digits; a 6-digit code is their last six.
  EXPECT_EQ(TotpCode(kRfcSecret, 59), "287082");                        // 94287082
  EXPECT_EQ(TotpCode(kRfcSecret, 1111111109), "081804");                // 07081804
  EXPECT_EQ(TotpCode(kRfcSecret, 1111111111), "050471");                // 14050471
  EXPECT_EQ(TotpCode(kRfcSecret, 1234567890), "005924");                // 89005924
  EXPECT_EQ(TotpCode(kRfcSecret, 2000000000), "279037");                // 69279037
  EXPECT_EQ(TotpCode(kRfcSecret, std::time_t{20000000000}), "353130");  // 65353130
}

TEST(Totp, NewSecretIs20RandomBytes) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string secret = NewTotpSecret();
    EXPECT_EQ(secret.size(), 20u);
    EXPECT_TRUE(seen.insert(secret).second);
  }
}

TEST(Totp, Base32WithoutPadding) {
  EXPECT_EQ(Base32Secret(kRfcSecret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  // RFC 4648 section 10 vectors, padding removed.
  EXPECT_EQ(Base32Secret(""), "");
  EXPECT_EQ(Base32Secret("f"), "MY");
  EXPECT_EQ(Base32Secret("fo"), "MZXQ");
  EXPECT_EQ(Base32Secret("foo"), "MZXW6");
  EXPECT_EQ(Base32Secret("foob"), "MZXW6YQ");
  EXPECT_EQ(Base32Secret("fooba"), "MZXW6YTB");
  EXPECT_EQ(Base32Secret("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(Base32Secret(NewTotpSecret()).size(), 32u);
}

TEST(Totp, OtpauthUriPercentEncodesIssuerAndAccount) {
  EXPECT_EQ(OtpauthUri("Palika", "cashier.indore", kRfcSecret),
            "otpauth://totp/Palika:cashier.indore?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=Palika&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(OtpauthUri("Palika Indore", "ram@0152:x", "f"),
            "otpauth://totp/Palika%20Indore:ram%400152%3Ax?secret=MY&issuer=Palika%20Indore"
            "&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(OtpauthUri("इंदौर", "a&b", "f"),
            "otpauth://totp/%E0%A4%87%E0%A4%82%E0%A4%A6%E0%A5%8C%E0%A4%B0:a%26b?secret=MY"
            "&issuer=%E0%A4%87%E0%A4%82%E0%A4%A6%E0%A5%8C%E0%A4%B0&algorithm=SHA1&digits=6"
            "&period=30");
}

TEST(Totp, VerifyReturnsTheMatchedStep) {
  // 1111111111 is in step 37037037; 1111111109 in the step before.
  EXPECT_EQ(VerifyTotp(kRfcSecret, "050471", 1111111111, -1), 37037037);
  EXPECT_EQ(VerifyTotp(kRfcSecret, "081804", 1111111111, -1), 37037036);
  EXPECT_EQ(VerifyTotp(kRfcSecret, TotpCode(kRfcSecret, 1111111111 + 30), 1111111111, -1),
            37037038);
  EXPECT_FALSE(VerifyTotp(kRfcSecret, "050472", 1111111111, -1));
  EXPECT_FALSE(VerifyTotp("another secret", "050471", 1111111111, -1));
}

TEST(Totp, AcceptsOneStepEitherSideAndNoMore) {
  const std::time_t start = std::time_t{37037037} * 30;  // first second of step 37037037
  for (std::time_t now : {start, start + 29}) {
    EXPECT_TRUE(VerifyTotp(kRfcSecret, TotpCode(kRfcSecret, now - 30), now, -1)) << now;
    EXPECT_TRUE(VerifyTotp(kRfcSecret, TotpCode(kRfcSecret, now), now, -1)) << now;
    EXPECT_TRUE(VerifyTotp(kRfcSecret, TotpCode(kRfcSecret, now + 30), now, -1)) << now;
    EXPECT_FALSE(VerifyTotp(kRfcSecret, TotpCode(kRfcSecret, now - 60), now, -1)) << now;
    EXPECT_FALSE(VerifyTotp(kRfcSecret, TotpCode(kRfcSecret, now + 60), now, -1)) << now;
  }
  // The code of step 37037036 is still good in the last second of 37037037, not the first of 38.
  EXPECT_TRUE(VerifyTotp(kRfcSecret, "081804", start + 29, -1));
  EXPECT_FALSE(VerifyTotp(kRfcSecret, "081804", start + 30, -1));
}

TEST(Totp, RefusesReplayedAndOlderSteps) {
  const auto step = VerifyTotp(kRfcSecret, "050471", 1111111111, -1);
  ASSERT_TRUE(step);
  // The same code again, even a second later, is a replay.
  EXPECT_FALSE(VerifyTotp(kRfcSecret, "050471", 1111111112, *step));
  // So is the code of the step before.
  EXPECT_FALSE(VerifyTotp(kRfcSecret, "081804", 1111111112, *step));
  // The next step's code is fine.
  EXPECT_EQ(VerifyTotp(kRfcSecret, TotpCode(kRfcSecret, 1111111111 + 30), 1111111112, *step),
            *step + 1);
}

TEST(Totp, RejectsCodesThatAreNotSixAsciiDigits) {
  for (const char* code : {"", "50471", "0504710", "05047a", " 050471", "050471 ", "+50471",
                           "-50471", "05 471", "０５０４７१"}) {
    EXPECT_FALSE(VerifyTotp(kRfcSecret, code, 1111111111, -1)) << code;
  }
  EXPECT_FALSE(VerifyTotp(kRfcSecret, std::string_view("050471\0", 7), 1111111111, -1));
}

}  // namespace
}  // namespace palika::identity
