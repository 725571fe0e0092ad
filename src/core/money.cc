#include "core/money.h"

#include <cstdint>
#include <limits>
#include <vector>

#include "core/check.h"

namespace palika {
namespace {

__extension__ typedef __int128 Int128;  // for products of paise and rates; GCC and Clang have it

constexpr std::string_view kRupeeSign = "\xE2\x82\xB9";  // U+20B9 in UTF-8

Status InvalidAmount() {
  return Status::InvalidArgument(
      "invalid_amount",
      "This is not an amount of money. Write it in rupees with digits, like 1234.50 or "
      "₹1,23,456.",
      "यह राशि सही नहीं है। रुपये की राशि अंकों में लिखें, जैसे 1234.50 या ₹1,23,456।");
}

Status AmountTooPrecise() {
  return Status::InvalidArgument(
      "amount_too_precise",
      "An amount can have at most 2 digits after the decimal point (paise). Round it to the "
      "paisa, like 1234.50.",
      "राशि में दशमलव के बाद अधिकतम 2 अंक (पैसे) हो सकते हैं। इसे पैसे तक पूर्णांकित करें, जैसे "
      "1234.50।");
}

Status AmountTooLarge() {
  return Status::InvalidArgument(
      "amount_too_large",
      "The amount is too large to be handled. Check the number of digits and enter it again.",
      "राशि बहुत बड़ी है। अंकों की संख्या जाँचें और फिर से दर्ज करें।");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Commas must sit where Indian (1,23,45,678) or international (12,345,678) grouping puts them.
bool GroupingIsValid(const std::vector<size_t>& group_sizes) {
  if (group_sizes.size() == 1) {
    return group_sizes[0] > 0;
  }
  if (group_sizes.back() != 3) {
    return false;
  }
  auto middle_all = [&](size_t n) {
    for (size_t i = 1; i + 1 < group_sizes.size(); ++i) {
      if (group_sizes[i] != n) {
        return false;
      }
    }
    return true;
  };
  const size_t first = group_sizes.front();
  const bool indian = first >= 1 && first <= 2 && middle_all(2);
  const bool international = first >= 1 && first <= 3 && middle_all(3);
  return indian || international;
}

// Magnitude of paise, safe for INT64_MIN.
uint64_t Magnitude(int64_t paise) {
  return paise < 0 ? uint64_t{0} - static_cast<uint64_t>(paise) : static_cast<uint64_t>(paise);
}

// "12345678" -> "1,23,45,678": the last three digits, then groups of two.
std::string GroupIndian(uint64_t rupees) {
  std::string digits = std::to_string(rupees);
  if (digits.size() <= 3) {
    return digits;
  }
  std::string out;
  const size_t head = digits.size() - 3;
  for (size_t i = 0; i < head; ++i) {
    if (i > 0 && (head - i) % 2 == 0) {
      out += ',';
    }
    out += digits[i];
  }
  out += ',';
  out += digits.substr(head);
  return out;
}

std::string TwoDigits(uint64_t n) {
  return std::string{static_cast<char>('0' + n / 10), static_cast<char>('0' + n % 10)};
}

// numerator / denominator rounded half away from zero; denominator > 0.
Int128 DivideHalfAway(Int128 numerator, Int128 denominator) {
  const Int128 quotient = numerator / denominator;
  const Int128 remainder = numerator % denominator;  // same sign as numerator
  const Int128 twice = (remainder < 0 ? -remainder : remainder) * 2;
  if (twice >= denominator) {
    return numerator < 0 ? quotient - 1 : quotient + 1;
  }
  return quotient;
}

bool FitsInt64(Int128 v) {
  return v >= std::numeric_limits<int64_t>::min() && v <= std::numeric_limits<int64_t>::max();
}

}  // namespace

Money Money::FromRupees(int64_t rupees) {
  int64_t paise = 0;
  PALIKA_ASSERT(!__builtin_mul_overflow(rupees, int64_t{100}, &paise));
  return Money(paise);
}

Result<Money> Money::Parse(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }

  const bool negative = !text.empty() && text.front() == '-';
  if (negative) {
    text.remove_prefix(1);
  }
  if (text.starts_with(kRupeeSign)) {
    text.remove_prefix(kRupeeSign.size());
  }

  // Whole rupees: digits, optionally grouped with commas.
  std::vector<size_t> group_sizes{0};
  uint64_t rupees = 0;
  size_t i = 0;
  for (; i < text.size() && (IsDigit(text[i]) || text[i] == ','); ++i) {
    if (text[i] == ',') {
      group_sizes.push_back(0);
      continue;
    }
    ++group_sizes.back();
    if (__builtin_mul_overflow(rupees, uint64_t{10}, &rupees) ||
        __builtin_add_overflow(rupees, static_cast<uint64_t>(text[i] - '0'), &rupees)) {
      return AmountTooLarge();
    }
  }
  if (!GroupingIsValid(group_sizes)) {
    return InvalidAmount();
  }

  // Paise: '.' and one or two digits.
  uint64_t fraction = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    size_t decimals = 0;
    for (; i < text.size() && IsDigit(text[i]); ++i, ++decimals) {
      if (decimals < 2) {
        fraction = fraction * 10 + static_cast<uint64_t>(text[i] - '0');
      }
    }
    if (decimals == 0) {
      return InvalidAmount();
    }
    if (i == text.size() && decimals > 2) {
      return AmountTooPrecise();
    }
    if (decimals == 1) {
      fraction *= 10;
    }
  }
  if (i != text.size()) {
    return InvalidAmount();
  }

  uint64_t paise = 0;
  if (__builtin_mul_overflow(rupees, uint64_t{100}, &paise) ||
      __builtin_add_overflow(paise, fraction, &paise)) {
    return AmountTooLarge();
  }
  const uint64_t limit =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
  if (paise > limit) {
    return AmountTooLarge();
  }
  if (negative) {
    return Money(static_cast<int64_t>(uint64_t{0} - paise));
  }
  return Money(static_cast<int64_t>(paise));
}

std::string Money::Format() const {
  const uint64_t magnitude = Magnitude(paise_);
  std::string out = paise_ < 0 ? "-" : "";
  out += kRupeeSign;
  out += GroupIndian(magnitude / 100);
  out += '.';
  out += TwoDigits(magnitude % 100);
  return out;
}

std::string Money::FormatWhole() const {
  const Money whole = RoundToRupeeHalfUp();
  std::string out = whole.paise_ < 0 ? "-" : "";
  out += kRupeeSign;
  out += GroupIndian(Magnitude(whole.paise_) / 100);
  return out;
}

std::string Money::FormatPlain() const {
  const uint64_t magnitude = Magnitude(paise_);
  std::string out = paise_ < 0 ? "-" : "";
  out += std::to_string(magnitude / 100);
  out += '.';
  out += TwoDigits(magnitude % 100);
  return out;
}

Money Money::RoundToRupeeHalfUp() const {
  // Cannot overflow: INT64_MAX and INT64_MIN end in ...07 and ...08 paise, which round inwards.
  return Money(static_cast<int64_t>(DivideHalfAway(paise_, 100) * 100));
}

Money Money::PercentOf(int64_t basis_points) const {
  const Int128 result = DivideHalfAway(Int128{paise_} * basis_points, 10000);
  PALIKA_ASSERT(FitsInt64(result));
  return Money(static_cast<int64_t>(result));
}

Result<Money> Money::CheckedAdd(Money other) const {
  int64_t sum = 0;
  if (__builtin_add_overflow(paise_, other.paise_, &sum)) {
    return AmountTooLarge();
  }
  return Money(sum);
}

Result<Money> Money::CheckedSub(Money other) const {
  int64_t difference = 0;
  if (__builtin_sub_overflow(paise_, other.paise_, &difference)) {
    return AmountTooLarge();
  }
  return Money(difference);
}

Result<Money> Money::CheckedMul(int64_t factor) const {
  int64_t product = 0;
  if (__builtin_mul_overflow(paise_, factor, &product)) {
    return AmountTooLarge();
  }
  return Money(product);
}

Money Money::operator+(Money other) const {
  int64_t sum = 0;
  PALIKA_ASSERT(!__builtin_add_overflow(paise_, other.paise_, &sum));
  return Money(sum);
}

Money Money::operator-(Money other) const {
  int64_t difference = 0;
  PALIKA_ASSERT(!__builtin_sub_overflow(paise_, other.paise_, &difference));
  return Money(difference);
}

Money Money::operator-() const {
  PALIKA_ASSERT(paise_ != std::numeric_limits<int64_t>::min());
  return Money(-paise_);
}

Money Money::operator*(int64_t factor) const {
  int64_t product = 0;
  PALIKA_ASSERT(!__builtin_mul_overflow(paise_, factor, &product));
  return Money(product);
}

}  // namespace palika
