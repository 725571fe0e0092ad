#include "documents/amount_words.h"

#include <array>
#include <string_view>

namespace palika::documents {
namespace {

constexpr std::array<std::string_view, 20> kEnBelow20 = {
    "Zero",     "One",     "Two",     "Three",     "Four",     "Five",    "Six",
    "Seven",    "Eight",   "Nine",    "Ten",       "Eleven",   "Twelve",  "Thirteen",
    "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"};
constexpr std::array<std::string_view, 10> kEnTens = {
    "", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"};

// Hindi has a word of its own for each number below a hundred (no tens-plus-units rule).
constexpr std::array<std::string_view, 100> kHiBelow100 = {
    "शून्य",    "एक",      "दो",     "तीन",     "चार",    "पाँच",     "छह",     "सात",    "आठ",
    "नौ",     "दस",      "ग्यारह",  "बारह",    "तेरह",    "चौदह",    "पंद्रह",   "सोलह",   "सत्रह",
    "अठारह",  "उन्नीस",   "बीस",    "इक्कीस",   "बाईस",   "तेईस",     "चौबीस",  "पच्चीस",  "छब्बीस",
    "सत्ताईस", "अट्ठाईस",  "उनतीस",  "तीस",     "इकतीस",  "बत्तीस",   "तैंतीस",   "चौंतीस",  "पैंतीस",
    "छत्तीस",  "सैंतीस",    "अड़तीस",  "उनतालीस", "चालीस",  "इकतालीस", "बयालीस", "तैंतालीस", "चौवालीस",
    "पैंतालीस", "छियालीस", "सैंतालीस", "अड़तालीस", "उनचास",  "पचास",    "इक्यावन", "बावन",   "तिरपन",
    "चौवन",   "पचपन",    "छप्पन",   "सत्तावन",  "अट्ठावन", "उनसठ",    "साठ",    "इकसठ",   "बासठ",
    "तिरसठ",  "चौंसठ",    "पैंसठ",    "छियासठ",  "सड़सठ",   "अड़सठ",    "उनहत्तर", "सत्तर",   "इकहत्तर",
    "बहत्तर",  "तिहत्तर",  "चौहत्तर", "पचहत्तर",  "छिहत्तर", "सतहत्तर",  "अठहत्तर", "उन्यासी", "अस्सी",
    "इक्यासी", "बयासी",   "तिरासी", "चौरासी",  "पचासी",  "छियासी",  "सत्तासी", "अट्ठासी", "नवासी",
    "नब्बे",    "इक्यानवे",  "बानवे",   "तिरानवे",  "चौरानवे", "पचानवे",   "छियानवे", "सत्तानवे", "अट्ठानवे",
    "निन्यानवे"};

std::string EnBelow100(unsigned n) {
  if (n < 20) return std::string(kEnBelow20[n]);
  std::string out(kEnTens[n / 10]);
  if (n % 10 != 0) {
    out += '-';
    out += kEnBelow20[n % 10];
  }
  return out;
}

void Append(std::string& out, std::string_view word) {
  if (!out.empty()) out += ' ';
  out += word;
}

// Words for 1 <= n, Indian grouping: [crores] lakh thousand hundred units.
template <typename Below100>
std::string Words(uint64_t n, Below100 below100, std::string_view hundred,
                  std::string_view thousand, std::string_view lakh, std::string_view crore) {
  std::string out;
  if (n >= 1'00'00'000) {
    // Above 99 crore the crores are themselves counted in the same system.
    Append(out, Words(n / 1'00'00'000, below100, hundred, thousand, lakh, crore));
    Append(out, crore);
    n %= 1'00'00'000;
  }
  const auto lakhs = static_cast<unsigned>(n / 1'00'000);
  const auto thousands = static_cast<unsigned>(n / 1000 % 100);
  const auto hundreds = static_cast<unsigned>(n / 100 % 10);
  const auto units = static_cast<unsigned>(n % 100);
  if (lakhs != 0) {
    Append(out, below100(lakhs));
    Append(out, lakh);
  }
  if (thousands != 0) {
    Append(out, below100(thousands));
    Append(out, thousand);
  }
  if (hundreds != 0) {
    Append(out, below100(hundreds));
    Append(out, hundred);
  }
  if (units != 0) Append(out, below100(units));
  return out;
}

uint64_t Magnitude(int64_t v) {
  // Negating in unsigned arithmetic also works for INT64_MIN.
  return v < 0 ? ~static_cast<uint64_t>(v) + 1 : static_cast<uint64_t>(v);
}

}  // namespace

std::string NumberInWordsEn(uint64_t n) {
  if (n == 0) return "Zero";
  return Words(n, EnBelow100, "Hundred", "Thousand", "Lakh", "Crore");
}

std::string NumberInWordsHi(uint64_t n) {
  if (n == 0) return std::string(kHiBelow100[0]);
  return Words(
      n, [](unsigned k) { return std::string(kHiBelow100[k]); }, "सौ", "हज़ार", "लाख", "करोड़");
}

std::string AmountInWordsEn(Money amount) {
  const uint64_t paise = Magnitude(amount.paise());
  const uint64_t rupees = paise / 100;
  const auto rest = static_cast<unsigned>(paise % 100);
  std::string out = amount.IsNegative() ? "Minus " : "";
  if (rupees != 0 || rest == 0) out += "Rupees " + NumberInWordsEn(rupees);
  if (rest != 0) {
    if (rupees != 0) out += " and ";
    out += EnBelow100(rest) + (rest == 1 ? " Paisa" : " Paise");
  }
  return out + " Only";
}

std::string AmountInWordsHi(Money amount) {
  const uint64_t paise = Magnitude(amount.paise());
  const uint64_t rupees = paise / 100;
  const auto rest = static_cast<unsigned>(paise % 100);
  std::string out = amount.IsNegative() ? "ऋण " : "";
  if (rupees != 0 || rest == 0) out += "रुपये " + NumberInWordsHi(rupees);
  if (rest != 0) {
    if (rupees != 0) out += " और ";
    out += std::string(kHiBelow100[rest]) + (rest == 1 ? " पैसा" : " पैसे");
  }
  return out + " मात्र";
}

}  // namespace palika::documents
