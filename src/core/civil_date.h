#pragma once
// Civil dates (as on a calendar in India), financial years and UTC timestamps.
//
// CivilDate is a proleptic Gregorian date; dates in Palika are civil dates in IST (UTC+05:30, no
// daylight saving). Text is parsed only with four-digit years (0001..9999), but arithmetic works
// for years -999999..999999, so no date a user can type, moved by any span a caller can mean,
// reaches an abort; years outside 0..9999 format in ISO 8601's expanded form ("+10000-03-31"). A
// FinancialYear runs 1 April – 31 March and is written "2026-27". Timestamps are int64 microseconds
// since the Unix epoch, UTC, written in RFC 3339. Parse errors are InvalidArgument with codes
// "invalid_date", "invalid_financial_year" and "invalid_timestamp". All types here are values:
// copyable, thread-compatible.

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace palika {

// IST is UTC+05:30 all year round.
inline constexpr int64_t kIstOffsetSeconds = 5 * 3600 + 30 * 60;

class CivilDate {
 public:
  constexpr CivilDate() = default;  // 1970-01-01

  // Error "invalid_date" unless year is -999999..999999 and the month has that day.
  static Result<CivilDate> FromYmd(int year, int month, int day);
  // Days since 1970-01-01 (negative before). Aborts outside years -999999..999999.
  static CivilDate FromDaysSinceEpoch(int64_t days);
  // Strict ISO 8601 "2026-11-28": four-digit year (0001..9999), two-digit month and day.
  static Result<CivilDate> Parse(std::string_view iso);
  // Strict Indian "28/11/2026": two-digit day and month, four-digit year.
  static Result<CivilDate> ParseIndian(std::string_view text);

  // The date in India at a UTC instant.
  static CivilDate IstDateOfUtcMicros(int64_t utc_micros);
  static CivilDate TodayIst(std::chrono::system_clock::time_point now);

  static bool IsLeapYear(int year);
  static int DaysInMonth(int year, int month);

  constexpr int year() const { return year_; }
  constexpr int month() const { return month_; }  // 1..12
  constexpr int day() const { return day_; }      // 1..31

  int64_t DaysSinceEpoch() const;
  // Aborts if the result leaves years -999999..999999.
  CivilDate AddDays(int64_t days) const;
  // later - this, in days (negative if later is earlier).
  int64_t DaysUntil(CivilDate later) const;
  // 0 = Sunday … 6 = Saturday.
  int Weekday() const;

  std::string Format() const;        // "2026-11-28"
  std::string FormatIndian() const;  // "28/11/2026"

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted <=>
  friend constexpr auto operator<=>(const CivilDate&, const CivilDate&) = default;
  friend constexpr bool operator==(const CivilDate&, const CivilDate&) = default;

 private:
  constexpr CivilDate(int year, int month, int day) : year_(year), month_(month), day_(day) {}

  // Declared in this order so that the defaulted comparison is chronological.
  int year_ = 1970;
  int month_ = 1;
  int day_ = 1;
};

// The Indian financial year, 1 April to 31 March, written "2026-27" ("2099-00" follows "2098-99").
class FinancialYear {
 public:
  // Error "invalid_financial_year" unless start_year is -999999..999998.
  static Result<FinancialYear> FromStartYear(int start_year);
  // Strict "2026-27": four digits, '-', the two last digits of the next year ("0000-01"..
  // "9999-00").
  static Result<FinancialYear> Parse(std::string_view text);
  static FinancialYear Of(CivilDate date);

  constexpr int start_year() const { return start_year_; }
  CivilDate Start() const;  // 1 April of start_year
  CivilDate End() const;    // 31 March of the next year
  bool Contains(CivilDate date) const { return Start() <= date && date <= End(); }
  // Abort past the years -999999..999998.
  FinancialYear Next() const;
  FinancialYear Prev() const;

  std::string Format() const;  // "2026-27"

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted <=>
  friend constexpr auto operator<=>(const FinancialYear&, const FinancialYear&) = default;
  friend constexpr bool operator==(const FinancialYear&, const FinancialYear&) = default;

 private:
  constexpr explicit FinancialYear(int start_year) : start_year_(start_year) {}

  int start_year_;
};

// Microseconds since 1970-01-01T00:00:00Z from the system clock.
int64_t NowMicros();
// RFC 3339 in UTC with exactly six decimals: "2026-11-28T23:16:15.123456Z" (any int64; years
// past 9999, beyond RFC 3339, in the expanded form "+10000-…").
std::string FormatUtcMicros(int64_t micros);
// RFC 3339: "2026-11-28T23:16:15.123456Z", "2026-11-29T04:46:15+05:30", "…T23:16:15Z".
// The seconds fraction may have 1 to 9 digits (digits past the microsecond are dropped); the zone
// is 'Z' or ±HH:MM. Error "invalid_timestamp".
Result<int64_t> ParseUtcMicros(std::string_view text);

}  // namespace palika
