#include "documents/amount_words.h"

#include <gtest/gtest.h>

#include <limits>
#include <set>

namespace palika::documents {
namespace {

Money P(int64_t paise) { return Money::FromPaise(paise); }

TEST(AmountWords, EnglishUsesIndianNumbering) {
  EXPECT_EQ(NumberInWordsEn(0), "Zero");
  EXPECT_EQ(NumberInWordsEn(7), "Seven");
  EXPECT_EQ(NumberInWordsEn(21), "Twenty-One");
  EXPECT_EQ(NumberInWordsEn(90), "Ninety");
  EXPECT_EQ(NumberInWordsEn(100), "One Hundred");
  EXPECT_EQ(NumberInWordsEn(101), "One Hundred One");
  EXPECT_EQ(NumberInWordsEn(1000), "One Thousand");
  EXPECT_EQ(NumberInWordsEn(99'999), "Ninety-Nine Thousand Nine Hundred Ninety-Nine");
  EXPECT_EQ(NumberInWordsEn(1'00'000), "One Lakh");
  EXPECT_EQ(NumberInWordsEn(1'23'456), "One Lakh Twenty-Three Thousand Four Hundred Fifty-Six");
  EXPECT_EQ(NumberInWordsEn(1'00'00'000), "One Crore");
  EXPECT_EQ(NumberInWordsEn(12'34'56'789),
            "Twelve Crore Thirty-Four Lakh Fifty-Six Thousand Seven Hundred Eighty-Nine");
  EXPECT_EQ(NumberInWordsEn(1'200'00'00'000ULL), "One Thousand Two Hundred Crore");
  EXPECT_EQ(NumberInWordsEn(1'00'00'001), "One Crore One");
}

TEST(AmountWords, HindiUsesIndianNumbering) {
  EXPECT_EQ(NumberInWordsHi(0), "शून्य");
  EXPECT_EQ(NumberInWordsHi(23), "तेईस");
  EXPECT_EQ(NumberInWordsHi(56), "छप्पन");
  EXPECT_EQ(NumberInWordsHi(99), "निन्यानवे");
  EXPECT_EQ(NumberInWordsHi(100), "एक सौ");
  EXPECT_EQ(NumberInWordsHi(1'23'456), "एक लाख तेईस हज़ार चार सौ छप्पन");
  EXPECT_EQ(NumberInWordsHi(12'34'56'789), "बारह करोड़ चौंतीस लाख छप्पन हज़ार सात सौ नवासी");
  EXPECT_EQ(NumberInWordsHi(1'200'00'00'000ULL), "एक हज़ार दो सौ करोड़");
}

TEST(AmountWords, HindiHasAWordForEveryNumberBelowAHundred) {
  std::set<std::string> words;
  for (uint64_t n = 0; n < 100; ++n) {
    const std::string w = NumberInWordsHi(n);
    EXPECT_FALSE(w.empty()) << n;
    EXPECT_EQ(w.find(' '), std::string::npos) << n << " is one word in Hindi: " << w;
    words.insert(w);
  }
  EXPECT_EQ(words.size(), 100u);  // no two numbers share a word
}

TEST(AmountWords, Amounts) {
  EXPECT_EQ(AmountInWordsEn(P(1'23'456'50)),
            "Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six and Fifty Paise Only");
  EXPECT_EQ(AmountInWordsHi(P(1'23'456'50)), "रुपये एक लाख तेईस हज़ार चार सौ छप्पन और पचास पैसे मात्र");
  EXPECT_EQ(AmountInWordsEn(P(500'00)), "Rupees Five Hundred Only");
  EXPECT_EQ(AmountInWordsHi(P(500'00)), "रुपये पाँच सौ मात्र");
  EXPECT_EQ(AmountInWordsEn(P(0)), "Rupees Zero Only");
  EXPECT_EQ(AmountInWordsHi(P(0)), "रुपये शून्य मात्र");
  EXPECT_EQ(AmountInWordsEn(P(1)), "One Paisa Only");
  EXPECT_EQ(AmountInWordsHi(P(1)), "एक पैसा मात्र");
  EXPECT_EQ(AmountInWordsEn(P(75)), "Seventy-Five Paise Only");
  EXPECT_EQ(AmountInWordsEn(P(101)), "Rupees One and One Paisa Only");
  EXPECT_EQ(AmountInWordsEn(P(-250'00)), "Minus Rupees Two Hundred Fifty Only");
  EXPECT_EQ(AmountInWordsHi(P(-250'00)), "ऋण रुपये दो सौ पचास मात्र");
}

TEST(AmountWords, ExtremesOfInt64) {
  EXPECT_EQ(
      AmountInWordsEn(P(std::numeric_limits<int64_t>::max())),
      "Rupees Nine Hundred Twenty-Two Crore Thirty-Three Lakh Seventy-Two Thousand Thirty-Six "
      "Crore Eighty-Five Lakh Forty-Seven Thousand Seven Hundred Fifty-Eight and Seven Paise "
      "Only");
  EXPECT_EQ(AmountInWordsEn(P(std::numeric_limits<int64_t>::min())).substr(0, 32),
            "Minus Rupees Nine Hundred Twenty");
}

}  // namespace
}  // namespace palika::documents
