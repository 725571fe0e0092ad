#pragma once
// An amount of money in words, as receipts, cheques and challans write it, in the Indian numbering
// system (thousand, lakh = 1,00,000, crore = 1,00,00,000; above 99 crore the crores are counted
// again: "One Thousand Two Hundred Crore"):
//   ₹1,23,456.50 -> "Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six and Fifty Paise
//                    Only"
//                -> "रुपये एक लाख तेईस हज़ार चार सौ छप्पन और पचास पैसे मात्र"
// Any int64 amount works (negatives begin "Minus" / "ऋण"). Pure functions, thread-safe.

#include <cstdint>
#include <string>

#include "core/money.h"

namespace palika::documents {

// A whole number in words: 123456 -> "One Lakh Twenty-Three Thousand Four Hundred Fifty-Six",
// "एक लाख तेईस हज़ार चार सौ छप्पन"; 0 -> "Zero", "शून्य".
std::string NumberInWordsEn(uint64_t n);
std::string NumberInWordsHi(uint64_t n);

std::string AmountInWordsEn(Money amount);
std::string AmountInWordsHi(Money amount);

}  // namespace palika::documents
