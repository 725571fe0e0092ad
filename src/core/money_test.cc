#include "core/money.h"

#include <gtest/gtest.h>

#include <limits>

namespace palika {
namespace {

Money P(int64_t paise) { return Money::FromPaise(paise); }

TEST(Money, FormatsInIndianGrouping) {
  EXPECT_EQ(P(0).Format(), "₹0.00");
  EXPECT_EQ(P(500).Format(), "₹5.00");
  EXPECT_EQ(P(5).Format(), "₹0.05");
  EXPECT_EQ(P(99999'00).Format(), "₹99,999.00");
  EXPECT_EQ(P(1'00'000'00).Format(), "₹1,00,000.00");
  EXPECT_EQ(P(1'23'456'00).Format(), "₹1,23,456.00");
  EXPECT_EQ(P(12'34'56'789'05).Format(), "₹12,34,56,789.05");
  EXPECT_EQ(P(999'00).Format(), "₹999.00");
  EXPECT_EQ(P(1000'00).Format(), "₹1,000.00");
}

TEST(Money, FormatsNegatives) {
  EXPECT_EQ(P(-1234'00).Format(), "-₹1,234.00");
  EXPECT_EQ(P(-50).Format(), "-₹0.50");
  EXPECT_EQ(P(-1'00'000'00).FormatWhole(), "-₹1,00,000");
  EXPECT_EQ(P(std::numeric_limits<int64_t>::min()).Format(), "-₹92,23,37,20,36,85,47,758.08");
  EXPECT_EQ(P(std::numeric_limits<int64_t>::max()).Format(), "₹92,23,37,20,36,85,47,758.07");
}

TEST(Money, FormatWholeRoundsHalfUp) {
  EXPECT_EQ(P(1'23'456'00).FormatWhole(), "₹1,23,456");
  EXPECT_EQ(P(1049).FormatWhole(), "₹10");
  EXPECT_EQ(P(1050).FormatWhole(), "₹11");
  EXPECT_EQ(P(99'99'999'50).FormatWhole(), "₹1,00,00,000");
  EXPECT_EQ(P(0).FormatWhole(), "₹0");
}

TEST(Money, FormatPlain) {
  EXPECT_EQ(P(1'23'456'50).FormatPlain(), "123456.50");
  EXPECT_EQ(P(-7).FormatPlain(), "-0.07");
}

TEST(Money, RoundsToRupeeHalfAwayFromZero) {
  EXPECT_EQ(P(249).RoundToRupeeHalfUp(), P(200));
  EXPECT_EQ(P(250).RoundToRupeeHalfUp(), P(300));
  EXPECT_EQ(P(251).RoundToRupeeHalfUp(), P(300));
  EXPECT_EQ(P(200).RoundToRupeeHalfUp(), P(200));
  EXPECT_EQ(P(-250).RoundToRupeeHalfUp(), P(-300));
  EXPECT_EQ(P(-249).RoundToRupeeHalfUp(), P(-200));
  EXPECT_EQ(P(std::numeric_limits<int64_t>::max()).RoundToRupeeHalfUp().paise(),
            std::numeric_limits<int64_t>::max() - 7);
  EXPECT_EQ(P(std::numeric_limits<int64_t>::min()).RoundToRupeeHalfUp().paise(),
            std::numeric_limits<int64_t>::min() + 8);
}

TEST(Money, PercentOfBasisPointsRoundsHalfUpToThePaisa) {
  // Indore's early-payment rebate: 6.25% of ₹10,000 is ₹625.
  EXPECT_EQ(Money::FromRupees(10'000).PercentOf(625), Money::FromRupees(625));
  // 6.25% of ₹1,234.56 = 7716 paise exactly.
  EXPECT_EQ(P(1234'56).PercentOf(625), P(77'16));
  // 5% of 10 paise = 0.5 paisa -> 1 paisa; 5% of 9 paise = 0.45 -> 0.
  EXPECT_EQ(P(10).PercentOf(500), P(1));
  EXPECT_EQ(P(9).PercentOf(500), P(0));
  EXPECT_EQ(P(-10).PercentOf(500), P(-1));
  EXPECT_EQ(P(12345).PercentOf(10000), P(12345));
  EXPECT_EQ(P(12345).PercentOf(0), P(0));
  // No overflow in the intermediate product for the largest amounts.
  EXPECT_EQ(P(std::numeric_limits<int64_t>::max()).PercentOf(10000).paise(),
            std::numeric_limits<int64_t>::max());
}

TEST(Money, ParsesPlainAndGroupedAmounts) {
  EXPECT_EQ(Money::Parse("1234.50").value(), P(1234'50));
  EXPECT_EQ(Money::Parse("₹1,23,456.00").value(), P(1'23'456'00));
  EXPECT_EQ(Money::Parse("1,23,456").value(), P(1'23'456'00));
  EXPECT_EQ(Money::Parse("123,456").value(), P(1'23'456'00));
  EXPECT_EQ(Money::Parse("1,234,567.5").value(), P(12'34'567'50));
  EXPECT_EQ(Money::Parse("12,34,56,789.05").value(), P(12'34'56'789'05));
  EXPECT_EQ(Money::Parse("0").value(), P(0));
  EXPECT_EQ(Money::Parse("0.5").value(), P(50));
  EXPECT_EQ(Money::Parse(" 42 ").value(), P(4200));
  EXPECT_EQ(Money::Parse("-₹1,234.00").value(), P(-1234'00));
  EXPECT_EQ(Money::Parse("-7.07").value(), P(-707));
}

TEST(Money, ParseRoundTripsFormat) {
  for (int64_t paise : {int64_t{0}, int64_t{5}, int64_t{-1234'00}, int64_t{12'34'56'789'05},
                        std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    EXPECT_EQ(Money::Parse(P(paise).Format()).value(), P(paise)) << paise;
    EXPECT_EQ(Money::Parse(P(paise).FormatPlain()).value(), P(paise)) << paise;
  }
}

TEST(Money, ParseRejectsGarbage) {
  for (const char* text :
       {"",    " ",  "₹",     "-",     "abc",  "12a",       "1.2.3",        ".50",
        "1.",  "+5", "1 000", "12,34", ",123", "1,,234",    "1,2345",       "1234,567",
        "₹-5", "5₹", "1e3",   "0x10",  "१२३",  "1,23,4567", "12,345,67,890"}) {
    auto r = Money::Parse(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), "invalid_amount") << text;
    EXPECT_EQ(r.status().kind(), StatusKind::kInvalidArgument);
    EXPECT_FALSE(r.status().message().empty());
    EXPECT_NE(r.status().message_hi(), r.status().message());
  }
}

TEST(Money, ParseRejectsMoreThanTwoDecimals) {
  EXPECT_EQ(Money::Parse("1.234").status().code(), "amount_too_precise");
  EXPECT_EQ(Money::Parse("1.500").status().code(), "amount_too_precise");
}

TEST(Money, ParseRejectsOverflow) {
  EXPECT_EQ(Money::Parse("92233720368547758.07").value().paise(),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(Money::Parse("92233720368547758.08").status().code(), "amount_too_large");
  EXPECT_EQ(Money::Parse("-92233720368547758.08").value().paise(),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Money::Parse("-92233720368547758.09").status().code(), "amount_too_large");
  EXPECT_EQ(Money::Parse("99999999999999999999999").status().code(), "amount_too_large");
}

TEST(Money, Arithmetic) {
  EXPECT_EQ(P(150) + P(250), P(400));
  EXPECT_EQ(P(150) - P(250), P(-100));
  EXPECT_EQ(-P(150), P(-150));
  EXPECT_EQ(P(150) * 3, P(450));
  Money m = P(100);
  m += P(5);
  m -= P(10);
  EXPECT_EQ(m, P(95));
  EXPECT_LT(P(1), P(2));
  EXPECT_EQ(Money::FromRupees(12), P(1200));
  EXPECT_TRUE(Money().IsZero());
  EXPECT_TRUE(P(-1).IsNegative());
}

TEST(Money, CheckedArithmeticReportsOverflow) {
  const Money max = P(std::numeric_limits<int64_t>::max());
  EXPECT_EQ(max.CheckedAdd(P(1)).status().code(), "amount_too_large");
  EXPECT_EQ(P(std::numeric_limits<int64_t>::min()).CheckedSub(P(1)).status().code(),
            "amount_too_large");
  EXPECT_EQ(max.CheckedMul(2).status().code(), "amount_too_large");
  EXPECT_EQ(P(5).CheckedAdd(P(6)).value(), P(11));
  EXPECT_EQ(P(5).CheckedSub(P(6)).value(), P(-1));
  EXPECT_EQ(P(5).CheckedMul(-3).value(), P(-15));
}

TEST(MoneyDeathTest, OperatorsAbortOnOverflow) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const Money max = P(std::numeric_limits<int64_t>::max());
  EXPECT_DEATH((void)(max + P(1)), "invariant failed");
  EXPECT_DEATH((void)Money::FromRupees(std::numeric_limits<int64_t>::max()), "invariant failed");
}

}  // namespace
}  // namespace palika
