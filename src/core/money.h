#pragma once
// Money: an amount in integer paise (int64), never floating point.
//
// Rounding is half away from zero everywhere ("half up" as bills mean it: ₹2.50 -> ₹3 and
// -₹2.50 -> -₹3). The operators +, - and * abort on int64 overflow, which only a bug can reach for
// amounts that came through Parse or a range check; use the Checked* forms for sums of amounts
// that came from outside. Money is a value: copyable, thread-compatible.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace palika {

class Money {
 public:
  constexpr Money() = default;  // ₹0.00

  static constexpr Money FromPaise(int64_t paise) { return Money(paise); }
  // Aborts if rupees * 100 does not fit in int64 (beyond about ±₹92,233 lakh crore).
  static Money FromRupees(int64_t rupees);

  // Accepts "1234.50", "₹1,23,456.00", "1,23,456", "-₹1,234", "1,234,567.5": an optional '-',
  // an optional '₹', digits with commas in Indian (1,23,45,678) or international (12,345,678)
  // grouping, and at most 2 decimals. Surrounding ASCII spaces are ignored.
  // Errors (InvalidArgument): "invalid_amount" (garbage or misplaced commas),
  // "amount_too_precise" (more than 2 decimals), "amount_too_large" (does not fit in int64 paise).
  static Result<Money> Parse(std::string_view text);

  constexpr int64_t paise() const { return paise_; }
  constexpr bool IsZero() const { return paise_ == 0; }
  constexpr bool IsNegative() const { return paise_ < 0; }

  // "₹1,23,456.00" in Indian digit grouping; negatives as "-₹1,234.00".
  std::string Format() const;
  // "₹1,23,456": rounded to the rupee, half up, first (₹10.50 -> "₹11").
  std::string FormatWhole() const;
  // "123456.00" / "-0.50": no sign of the rupee, no grouping (CSV exports).
  std::string FormatPlain() const;

  // To the nearest rupee, halves away from zero (DOMAIN.md: bills round to the rupee, half up).
  Money RoundToRupeeHalfUp() const;

  // This amount times basis_points / 10000 (625 = 6.25%), rounded half up to the paisa.
  // Aborts if the result does not fit in int64 (no rate up to 100% can make that happen).
  Money PercentOf(int64_t basis_points) const;

  // Overflow-checked arithmetic; error "amount_too_large" (InvalidArgument).
  Result<Money> CheckedAdd(Money other) const;
  Result<Money> CheckedSub(Money other) const;
  Result<Money> CheckedMul(int64_t factor) const;

  Money operator+(Money other) const;
  Money operator-(Money other) const;
  Money operator-() const;
  Money operator*(int64_t factor) const;
  Money& operator+=(Money other) { return *this = *this + other; }
  Money& operator-=(Money other) { return *this = *this - other; }

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted <=>
  friend constexpr auto operator<=>(Money a, Money b) = default;
  friend constexpr bool operator==(Money a, Money b) = default;

 private:
  constexpr explicit Money(int64_t paise) : paise_(paise) {}

  int64_t paise_ = 0;
};

}  // namespace palika
