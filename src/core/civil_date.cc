#include "core/civil_date.h"

#include <cstdio>

#include "core/check.h"

namespace palika {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

// Floor division and modulo: timestamps before 1970 must land on the earlier day.
constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
constexpr int64_t FloorMod(int64_t a, int64_t b) {
  const int64_t r = a % b;
  return r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
}

// Howard Hinnant's days_from_civil: days since 1970-01-01 in the proleptic Gregorian calendar.
constexpr int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;                                    // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}

struct Ymd {
  int64_t year, month, day;
};

// Hinnant's civil_from_days, the inverse of DaysFromCivil.
constexpr Ymd CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (month <= 2), month, day};
}

constexpr int kMinYear = -999'999;
constexpr int kMaxYear = 999'999;
constexpr int64_t kMinDays = DaysFromCivil(kMinYear, 1, 1);
constexpr int64_t kMaxDays = DaysFromCivil(kMaxYear, 12, 31);
static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(DaysFromCivil(2000, 3, 1) == 11017);

Status InvalidDate(std::string_view example) {
  return Status::InvalidArgument(
      "invalid_date",
      "The date is not valid. Write a real calendar date as " + std::string(example) + ".",
      "तारीख सही नहीं है। कैलेंडर की सही तारीख इस रूप में लिखें: " + std::string(example) + "।");
}

Status InvalidFinancialYear() {
  return Status::InvalidArgument(
      "invalid_financial_year",
      "The financial year is not valid. Write its first year and the last two digits of the "
      "next, like 2026-27.",
      "वित्तीय वर्ष सही नहीं है। पहला वर्ष और अगले वर्ष के अंतिम दो अंक लिखें, जैसे 2026-27।");
}

Status InvalidTimestamp() {
  return Status::InvalidArgument(
      "invalid_timestamp",
      "The time is not valid. Write it in RFC 3339 form, like 2026-11-28T23:16:15Z or "
      "2026-11-29T04:46:15+05:30.",
      "समय सही नहीं है। इसे RFC 3339 रूप में लिखें, जैसे 2026-11-28T23:16:15Z या "
      "2026-11-29T04:46:15+05:30।");
}

// Reads exactly n ASCII digits at text[pos]; false if any is not a digit.
bool ReadDigits(std::string_view text, size_t pos, size_t n, int* out) {
  if (pos + n > text.size()) {
    return false;
  }
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

// ISO 8601: four digits for years 0..9999, else a sign and at least four digits.
std::string FormatYear(int64_t year) {
  char buf[24];
  if (year >= 0 && year <= 9999) {
    std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(year));
  } else {
    std::snprintf(buf, sizeof buf, "%+05lld", static_cast<long long>(year));
  }
  return buf;
}

std::string Pad(int64_t value, int width) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(value));
  return buf;
}

}  // namespace

bool CivilDate::IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int CivilDate::DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  PALIKA_ASSERT(month >= 1 && month <= 12);
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

Result<CivilDate> CivilDate::FromYmd(int year, int month, int day) {
  if (year < kMinYear || year > kMaxYear || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    return InvalidDate("YYYY-MM-DD, like 2026-11-28");
  }
  return CivilDate(year, month, day);
}

CivilDate CivilDate::FromDaysSinceEpoch(int64_t days) {
  PALIKA_ASSERT(days >= kMinDays && days <= kMaxDays);
  const Ymd ymd = CivilFromDays(days);
  return CivilDate(static_cast<int>(ymd.year), static_cast<int>(ymd.month),
                   static_cast<int>(ymd.day));
}

Result<CivilDate> CivilDate::Parse(std::string_view iso) {
  int y = 0, m = 0, d = 0;
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-' || !ReadDigits(iso, 0, 4, &y) ||
      !ReadDigits(iso, 5, 2, &m) || !ReadDigits(iso, 8, 2, &d) || y == 0) {
    return InvalidDate("YYYY-MM-DD, like 2026-11-28");
  }
  return FromYmd(y, m, d);
}

Result<CivilDate> CivilDate::ParseIndian(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[2] != '/' || text[5] != '/' || !ReadDigits(text, 0, 2, &d) ||
      !ReadDigits(text, 3, 2, &m) || !ReadDigits(text, 6, 4, &y) || y == 0) {
    return InvalidDate("DD/MM/YYYY, like 28/11/2026");
  }
  auto date = FromYmd(y, m, d);
  if (!date.ok()) {
    return InvalidDate("DD/MM/YYYY, like 28/11/2026");
  }
  return date;
}

CivilDate CivilDate::IstDateOfUtcMicros(int64_t utc_micros) {
  const int64_t ist_seconds = FloorDiv(utc_micros, kMicrosPerSecond) + kIstOffsetSeconds;
  return FromDaysSinceEpoch(FloorDiv(ist_seconds, kSecondsPerDay));
}

CivilDate CivilDate::TodayIst(std::chrono::system_clock::time_point now) {
  const auto micros = std::chrono::floor<std::chrono::microseconds>(now.time_since_epoch());
  return IstDateOfUtcMicros(micros.count());
}

int64_t CivilDate::DaysSinceEpoch() const { return DaysFromCivil(year_, month_, day_); }

CivilDate CivilDate::AddDays(int64_t days) const {
  return FromDaysSinceEpoch(DaysSinceEpoch() + days);
}

int64_t CivilDate::DaysUntil(CivilDate later) const {
  return later.DaysSinceEpoch() - DaysSinceEpoch();
}

int CivilDate::Weekday() const {
  return static_cast<int>(FloorMod(DaysSinceEpoch() + 4, 7));  // 1970-01-01 was a Thursday
}

std::string CivilDate::Format() const {
  return FormatYear(year_) + "-" + Pad(month_, 2) + "-" + Pad(day_, 2);
}

std::string CivilDate::FormatIndian() const {
  return Pad(day_, 2) + "/" + Pad(month_, 2) + "/" + FormatYear(year_);
}

Result<FinancialYear> FinancialYear::FromStartYear(int start_year) {
  if (start_year < kMinYear || start_year >= kMaxYear) {
    return InvalidFinancialYear();
  }
  return FinancialYear(start_year);
}

Result<FinancialYear> FinancialYear::Parse(std::string_view text) {
  int first = 0, second = 0;
  if (text.size() != 7 || text[4] != '-' || !ReadDigits(text, 0, 4, &first) ||
      !ReadDigits(text, 5, 2, &second) || second != (first + 1) % 100) {
    return InvalidFinancialYear();
  }
  return FromStartYear(first);
}

FinancialYear FinancialYear::Of(CivilDate date) {
  // January to March belong to the year that began the April before.
  const int start = date.month() >= 4 ? date.year() : date.year() - 1;
  PALIKA_ASSERT(start >= kMinYear && start < kMaxYear);
  return FinancialYear(start);
}

CivilDate FinancialYear::Start() const { return CivilDate::FromYmd(start_year_, 4, 1).value(); }

CivilDate FinancialYear::End() const { return CivilDate::FromYmd(start_year_ + 1, 3, 31).value(); }

FinancialYear FinancialYear::Next() const {
  PALIKA_ASSERT(start_year_ + 1 < kMaxYear);
  return FinancialYear(start_year_ + 1);
}

FinancialYear FinancialYear::Prev() const {
  PALIKA_ASSERT(start_year_ > kMinYear);
  return FinancialYear(start_year_ - 1);
}

std::string FinancialYear::Format() const {
  return FormatYear(start_year_) + "-" + Pad(FloorMod(start_year_ + 1, 100), 2);
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatUtcMicros(int64_t micros) {
  const int64_t seconds = FloorDiv(micros, kMicrosPerSecond);
  const int64_t fraction = FloorMod(micros, kMicrosPerSecond);
  const int64_t second_of_day = FloorMod(seconds, kSecondsPerDay);
  const CivilDate date = CivilDate::FromDaysSinceEpoch(FloorDiv(seconds, kSecondsPerDay));
  return date.Format() + "T" + Pad(second_of_day / 3600, 2) + ":" +
         Pad(second_of_day / 60 % 60, 2) + ":" + Pad(second_of_day % 60, 2) + "." +
         Pad(fraction, 6) + "Z";
}

Result<int64_t> ParseUtcMicros(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS
  int hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':' || !ReadDigits(text, 11, 2, &hour) || !ReadDigits(text, 14, 2, &minute) ||
      !ReadDigits(text, 17, 2, &second) || hour > 23 || minute > 59 || second > 59) {
    return InvalidTimestamp();
  }
  auto date = CivilDate::Parse(text.substr(0, 10));
  if (!date.ok()) {
    return InvalidTimestamp();
  }

  // [.fraction], 1 to 9 digits; those past the microsecond are dropped.
  size_t pos = 19;
  int64_t fraction_micros = 0;
  if (text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
      if (digits < 6) {
        fraction_micros = fraction_micros * 10 + (text[pos] - '0');
      }
    }
    if (digits == 0 || digits > 9) {
      return InvalidTimestamp();
    }
    for (size_t i = digits; i < 6; ++i) {
      fraction_micros *= 10;
    }
  }

  // Z or ±HH:MM
  int64_t offset_seconds = 0;
  const std::string_view zone = text.substr(pos);
  if (zone != "Z" && zone != "z") {
    int offset_hour = 0, offset_minute = 0;
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' ||
        !ReadDigits(zone, 1, 2, &offset_hour) || !ReadDigits(zone, 4, 2, &offset_minute) ||
        offset_hour > 23 || offset_minute > 59) {
      return InvalidTimestamp();
    }
    offset_seconds =
        (int64_t{offset_hour} * 3600 + int64_t{offset_minute} * 60) * (zone[0] == '-' ? -1 : 1);
  }

  const int64_t local_seconds = date->DaysSinceEpoch() * kSecondsPerDay + int64_t{hour} * 3600 +
                                int64_t{minute} * 60 + second;
  const int64_t utc_seconds = local_seconds - offset_seconds;
  return utc_seconds * kMicrosPerSecond + fraction_micros;
}

}  // namespace palika
