#include "core/civil_date.h"

#include <gtest/gtest.h>

#include <limits>

namespace palika {
namespace {

CivilDate D(std::string_view iso) { return CivilDate::Parse(iso).value(); }
FinancialYear Fy(std::string_view text) { return FinancialYear::Parse(text).value(); }

TEST(CivilDate, ParsesAndFormatsIsoAndIndian) {
  const CivilDate d = D("2026-11-28");
  EXPECT_EQ(d.year(), 2026);
  EXPECT_EQ(d.month(), 11);
  EXPECT_EQ(d.day(), 28);
  EXPECT_EQ(d.Format(), "2026-11-28");
  EXPECT_EQ(d.FormatIndian(), "28/11/2026");
  EXPECT_EQ(CivilDate::ParseIndian("28/11/2026").value(), d);
  EXPECT_EQ(D("0001-01-01").Format(), "0001-01-01");
  EXPECT_EQ(CivilDate().Format(), "1970-01-01");
}

TEST(CivilDate, ParseIsStrict) {
  for (const char* text :
       {"", "2026-1-28", "2026-11-8", "26-11-28", "2026/11/28", "2026-11-28 ", " 2026-11-28",
        "2026-11-28T00:00", "2026-13-01", "2026-00-10", "2026-11-00", "2026-11-31", "0000-01-01",
        "+026-11-28", "2026-1a-28", "२०२६-११-२८"}) {
    auto r = CivilDate::Parse(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), "invalid_date");
    EXPECT_EQ(r.status().kind(), StatusKind::kInvalidArgument);
  }
  EXPECT_FALSE(CivilDate::ParseIndian("2026-11-28").ok());
  EXPECT_FALSE(CivilDate::ParseIndian("28/11/26").ok());
  EXPECT_FALSE(CivilDate::ParseIndian("31/11/2026").ok());
  EXPECT_NE(CivilDate::ParseIndian("31/11/2026").status().message().find("DD/MM/YYYY"),
            std::string::npos);
}

TEST(CivilDate, LeapDays) {
  EXPECT_TRUE(CivilDate::Parse("2024-02-29").ok());
  EXPECT_TRUE(CivilDate::Parse("2000-02-29").ok());
  EXPECT_FALSE(CivilDate::Parse("2023-02-29").ok());
  EXPECT_FALSE(CivilDate::Parse("1900-02-29").ok());
  EXPECT_FALSE(CivilDate::Parse("2100-02-29").ok());
  EXPECT_EQ(D("2024-02-28").AddDays(1), D("2024-02-29"));
  EXPECT_EQ(D("2024-02-28").AddDays(2), D("2024-03-01"));
  EXPECT_EQ(D("2023-02-28").AddDays(1), D("2023-03-01"));
  EXPECT_EQ(D("2024-01-01").DaysUntil(D("2025-01-01")), 366);
  EXPECT_EQ(D("2025-01-01").DaysUntil(D("2026-01-01")), 365);
  EXPECT_EQ(CivilDate::DaysInMonth(2024, 2), 29);
  EXPECT_EQ(CivilDate::DaysInMonth(2026, 2), 28);
}

TEST(CivilDate, DayArithmetic) {
  EXPECT_EQ(D("1970-01-01").DaysSinceEpoch(), 0);
  EXPECT_EQ(D("1969-12-31").DaysSinceEpoch(), -1);
  EXPECT_EQ(D("2026-12-31").AddDays(1), D("2027-01-01"));
  EXPECT_EQ(D("2027-01-01").AddDays(-1), D("2026-12-31"));
  // Births must be reported within 21 days (RBD Act 1969).
  EXPECT_EQ(D("2026-11-28").AddDays(21), D("2026-12-19"));
  EXPECT_EQ(D("2026-12-19").DaysUntil(D("2026-11-28")), -21);
  EXPECT_EQ(D("2026-11-28").Weekday(), 6);  // a Saturday
  EXPECT_EQ(D("1970-01-01").Weekday(), 4);  // a Thursday
  EXPECT_EQ(D("1969-12-28").Weekday(), 0);  // a Sunday
}

TEST(CivilDate, EveryDayRoundTrips) {
  const int64_t first = D("0001-01-01").DaysSinceEpoch();
  const int64_t last = D("9999-12-31").DaysSinceEpoch();
  CivilDate previous = CivilDate::FromDaysSinceEpoch(first);
  for (int64_t days = first + 1; days <= last; ++days) {
    const CivilDate d = CivilDate::FromDaysSinceEpoch(days);
    ASSERT_EQ(d.DaysSinceEpoch(), days);
    ASSERT_LT(previous, d);
    ASSERT_EQ(CivilDate::FromYmd(d.year(), d.month(), d.day()).value(), d);
    previous = d;
  }
}

TEST(CivilDate, DistantDaysRoundTrip) {
  const int64_t first = CivilDate::FromYmd(-999'999, 1, 1).value().DaysSinceEpoch();
  const int64_t last = CivilDate::FromYmd(999'999, 12, 31).value().DaysSinceEpoch();
  for (int64_t days = first; days <= last; days += 997) {
    ASSERT_EQ(CivilDate::FromDaysSinceEpoch(days).DaysSinceEpoch(), days);
  }
  EXPECT_EQ(CivilDate::FromDaysSinceEpoch(last).Format(), "+999999-12-31");
  EXPECT_EQ(CivilDate::FromDaysSinceEpoch(first).Format(), "-999999-01-01");
}

TEST(CivilDate, Comparisons) {
  EXPECT_LT(D("2026-03-31"), D("2026-04-01"));
  EXPECT_LT(D("2025-12-31"), D("2026-01-01"));
  EXPECT_GT(D("2026-11-28"), D("2026-11-27"));
  EXPECT_EQ(D("2026-11-28"), CivilDate::FromYmd(2026, 11, 28).value());
}

TEST(CivilDate, TodayIstChangesAt1830Utc) {
  const auto at = [](std::string_view utc) {
    return std::chrono::system_clock::time_point(
        std::chrono::microseconds(ParseUtcMicros(utc).value()));
  };
  EXPECT_EQ(CivilDate::TodayIst(at("2026-11-28T18:29:59.999999Z")), D("2026-11-28"));
  EXPECT_EQ(CivilDate::TodayIst(at("2026-11-28T18:30:00.000000Z")), D("2026-11-29"));
  EXPECT_EQ(CivilDate::TodayIst(at("2026-11-28T00:00:00Z")), D("2026-11-28"));
  // 31 March 18:30 UTC is already 1 April in India: a new financial year.
  EXPECT_EQ(FinancialYear::Of(CivilDate::TodayIst(at("2027-03-31T18:29:59Z"))), Fy("2026-27"));
  EXPECT_EQ(FinancialYear::Of(CivilDate::TodayIst(at("2027-03-31T18:30:00Z"))), Fy("2027-28"));
  // Before the epoch the day still changes at 18:30 UTC.
  EXPECT_EQ(CivilDate::IstDateOfUtcMicros(ParseUtcMicros("1969-12-31T18:29:59Z").value()),
            D("1969-12-31"));
  EXPECT_EQ(CivilDate::IstDateOfUtcMicros(ParseUtcMicros("1969-12-31T18:30:00Z").value()),
            D("1970-01-01"));
}

TEST(FinancialYear, ParseAndFormat) {
  const FinancialYear fy = Fy("2026-27");
  EXPECT_EQ(fy.start_year(), 2026);
  EXPECT_EQ(fy.Format(), "2026-27");
  EXPECT_EQ(fy.Start(), D("2026-04-01"));
  EXPECT_EQ(fy.End(), D("2027-03-31"));
  EXPECT_EQ(Fy("1999-00").Format(), "1999-00");
  EXPECT_EQ(Fy("0009-10").Format(), "0009-10");
}

TEST(FinancialYear, ParseIsStrict) {
  for (const char* text : {"", "2026-28", "2026-26", "2026-2027", "26-27", "2026/27", "2026-7",
                           "2026-27 ", "2099-100", "2099-01", "0000-00", "9999-10", "२०२६-२७"}) {
    auto r = FinancialYear::Parse(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), "invalid_financial_year");
  }
}

TEST(FinancialYear, BoundariesAre31MarchAnd1April) {
  EXPECT_EQ(FinancialYear::Of(D("2026-03-31")), Fy("2025-26"));
  EXPECT_EQ(FinancialYear::Of(D("2026-04-01")), Fy("2026-27"));
  EXPECT_EQ(FinancialYear::Of(D("2026-12-31")), Fy("2026-27"));
  EXPECT_EQ(FinancialYear::Of(D("2027-01-01")), Fy("2026-27"));
  EXPECT_TRUE(Fy("2026-27").Contains(D("2026-04-01")));
  EXPECT_TRUE(Fy("2026-27").Contains(D("2027-03-31")));
  EXPECT_FALSE(Fy("2026-27").Contains(D("2026-03-31")));
  EXPECT_FALSE(Fy("2026-27").Contains(D("2027-04-01")));
  EXPECT_EQ(Fy("2023-24").End(), D("2024-03-31"));
}

TEST(FinancialYear, CenturyRollover) {
  const FinancialYear fy = Fy("2099-00");
  EXPECT_EQ(fy.start_year(), 2099);
  EXPECT_EQ(fy.Start(), D("2099-04-01"));
  EXPECT_EQ(fy.End(), D("2100-03-31"));
  EXPECT_EQ(Fy("2098-99").Next(), fy);
  EXPECT_EQ(fy.Next().Format(), "2100-01");
  EXPECT_EQ(fy.Prev(), Fy("2098-99"));
  EXPECT_EQ(FinancialYear::Of(D("2100-03-31")), fy);
  EXPECT_LT(Fy("2098-99"), fy);
}

TEST(CivilDate, ExtremeDatesNeverAbort) {
  // Whatever a user can type, moved by a plausible span, stays representable and formattable.
  EXPECT_EQ(D("9999-12-31").AddDays(1).Format(), "+10000-01-01");
  EXPECT_EQ(D("0001-01-01").AddDays(-1).Format(), "0000-12-31");
  EXPECT_EQ(D("0001-01-01").AddDays(-367).Format(), "-0001-12-31");
  EXPECT_EQ(D("0001-01-01").AddDays(-367).FormatIndian(), "31/12/-0001");
  EXPECT_EQ(FinancialYear::Of(D("9999-12-31")).Format(), "9999-00");
  EXPECT_EQ(FinancialYear::Of(D("9999-12-31")).End().Format(), "+10000-03-31");
  EXPECT_EQ(FinancialYear::Of(D("0001-01-01")).Format(), "0000-01");
  EXPECT_EQ(FinancialYear::Of(D("0001-01-01")).Start().Format(), "0000-04-01");
  EXPECT_EQ(Fy("0000-01").Next(), Fy("0001-02"));
  EXPECT_EQ(Fy("9999-00").Prev(), Fy("9998-99"));
  EXPECT_TRUE(CivilDate::FromYmd(0, 2, 29).ok());  // year 0 (1 BC) is a leap year
  EXPECT_FALSE(CivilDate::FromYmd(1'000'000, 1, 1).ok());
}

TEST(Timestamp, FormatsRfc3339Utc) {
  EXPECT_EQ(FormatUtcMicros(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatUtcMicros(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatUtcMicros(std::numeric_limits<int64_t>::max()), "+294247-01-10T04:00:54.775807Z");
  EXPECT_EQ(FormatUtcMicros(std::numeric_limits<int64_t>::min()), "-290308-12-21T19:59:05.224192Z");
  EXPECT_EQ(FormatUtcMicros(ParseUtcMicros("0001-01-01T00:00:00+00:01").value()),
            "0000-12-31T23:59:00.000000Z");
  const int64_t t = ParseUtcMicros("2026-11-28T23:16:15.123456Z").value();
  EXPECT_EQ(FormatUtcMicros(t), "2026-11-28T23:16:15.123456Z");
  EXPECT_EQ(t % 1'000'000, 123456);
}

TEST(Timestamp, ParsesOffsetsAndShortFractions) {
  const int64_t utc = ParseUtcMicros("2026-11-28T23:16:15.123456Z").value();
  EXPECT_EQ(ParseUtcMicros("2026-11-29T04:46:15.123456+05:30").value(), utc);
  EXPECT_EQ(ParseUtcMicros("2026-11-28T18:16:15.123456-05:00").value(), utc);
  EXPECT_EQ(ParseUtcMicros("2026-11-28t23:16:15.123456z").value(), utc);
  EXPECT_EQ(ParseUtcMicros("2026-11-28T23:16:15.123456789Z").value(), utc);
  EXPECT_EQ(ParseUtcMicros("2026-11-28T23:16:15.1Z").value(), utc - 23456);
  EXPECT_EQ(ParseUtcMicros("2026-11-28T23:16:15Z").value(), utc - 123456);
  EXPECT_EQ(ParseUtcMicros("1969-12-31T23:59:59.999999Z").value(), -1);
}

TEST(Timestamp, ParseRejectsMalformed) {
  for (const char* text :
       {"", "2026-11-28", "2026-11-28T23:16:15", "2026-11-28 23:16:15Z", "2026-11-28T24:00:00Z",
        "2026-11-28T23:60:00Z", "2026-11-28T23:59:60Z", "2026-11-28T23:16:15.Z",
        "2026-11-28T23:16:15.1234567890Z", "2026-11-28T23:16:15+0530", "2026-11-28T23:16:15+05",
        "2026-11-31T00:00:00Z", "2026-11-28T23:16:15ZZ", "2026-11-28T23:16:15.123456Z ",
        "0000-01-01T00:00:00Z"}) {
    auto r = ParseUtcMicros(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), "invalid_timestamp") << text;
  }
}

TEST(Timestamp, NowIsRecentAndRoundTrips) {
  const int64_t now = NowMicros();
  EXPECT_GT(now, ParseUtcMicros("2024-01-01T00:00:00Z").value());
  EXPECT_EQ(ParseUtcMicros(FormatUtcMicros(now)).value(), now);
  EXPECT_EQ(ParseUtcMicros(FormatUtcMicros(-62135596800'000000)).value(), -62135596800'000000);
}

}  // namespace
}  // namespace palika
