#include "services/property_tax/dues.h"

#include <gtest/gtest.h>

#include "core/json.h"

namespace palika::property_tax {
namespace {

FinancialYear Fy(std::string_view s) { return FinancialYear::Parse(s).value(); }
CivilDate D(std::string_view s) { return CivilDate::Parse(s).value(); }
Money Rs(int64_t rupees) { return Money::FromRupees(rupees); }
Money P(int64_t paise) { return Money::FromPaise(paise); }

bool HasDevanagari(const std::string& s) { return s.find("\xE0\xA4") != std::string::npos; }

AccountLine Demand(std::string_view fy, Head head, Money demanded) {
  AccountLine a;
  a.fy = Fy(fy);
  a.head = head;
  a.demanded = demanded;
  return a;
}

std::vector<RateTable> DemoTables(int first_start_year, int last_start_year) {
  std::vector<RateTable> out;
  for (int y = first_start_year; y <= last_start_year; ++y) {
    out.push_back(DemoRateTable(FinancialYear::FromStartYear(y).value()));
  }
  return out;
}

Dues DuesOn(const std::vector<AccountLine>& account, std::string_view on, bool online = false,
            std::vector<Outage> outages = {}, std::optional<WaiverScheme> waiver = {}) {
  auto d = ComputeDues(account, DemoTables(2020, 2028),
                       DuesQuery{D(on), online, std::move(outages), std::move(waiver)});
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? *d : Dues{};
}

const std::vector<AccountLine> kCurrentTenThousand = {
    Demand("2026-27", Head::kPropertyTax, Rs(10'000))};

TEST(Dues, RebateIsSixPointTwoFivePercentByThirtiethJune) {
  // DOMAIN.md: 6.25% of the current year's property tax if paid in full by 30 June.
  Dues d = DuesOn(kCurrentTenThousand, "2026-06-30");
  ASSERT_EQ(d.lines.size(), 1u);
  EXPECT_EQ(d.lines[0].principal, Rs(10'000));
  EXPECT_EQ(d.lines[0].rebate, Rs(625));
  EXPECT_EQ(d.lines[0].rebate_bp, 625);
  EXPECT_EQ(d.lines[0].surcharge, Rs(0));
  EXPECT_EQ(d.net, Rs(9'375));
  EXPECT_EQ(d.rebate_deadline, D("2026-06-30"));
  // On 1 April too; gone on 1 July.
  EXPECT_EQ(DuesOn(kCurrentTenThousand, "2026-04-01").rebate, Rs(625));
  Dues late = DuesOn(kCurrentTenThousand, "2026-07-01");
  EXPECT_EQ(late.rebate, Rs(0));
  EXPECT_EQ(late.net, Rs(10'000));
}

TEST(Dues, RebateIsOnePercentMoreOnline) {
  Dues d = DuesOn(kCurrentTenThousand, "2026-06-30", /*online=*/true);
  EXPECT_EQ(d.lines[0].rebate, Rs(725));  // 6.25% + 1%
  EXPECT_EQ(d.lines[0].rebate_bp, 725);
  EXPECT_EQ(d.net, Rs(9'275));
}

TEST(Dues, RebateOnlyOnThePropertyTaxOfTheCurrentYear) {
  std::vector<AccountLine> account = {Demand("2026-27", Head::kPropertyTax, Rs(2'400)),
                                      Demand("2026-27", Head::kSamekitKar, Rs(900)),
                                      Demand("2026-27", Head::kEducationCess, Rs(480)),
                                      Demand("2025-26", Head::kPropertyTax, Rs(2'000))};
  Dues d = DuesOn(account, "2026-05-15");
  ASSERT_EQ(d.lines.size(), 4u);
  EXPECT_TRUE(d.lines[0].arrear);
  EXPECT_EQ(d.lines[0].rebate, Rs(0));    // arrears earn no rebate
  EXPECT_EQ(d.lines[1].rebate, Rs(150));  // 6.25% of ₹2,400
  EXPECT_EQ(d.lines[2].rebate, Rs(0));    // samekit kar: not a rebate head
  EXPECT_EQ(d.lines[3].rebate, Rs(0));
  EXPECT_EQ(d.rebate, Rs(150));
}

TEST(Dues, RebateRoundsHalfUpToTheRupee) {
  // 6.25% of ₹5,000 = ₹312.50 -> ₹313; of ₹4,999 = ₹312.4375 -> ₹312.
  EXPECT_EQ(DuesOn({Demand("2026-27", Head::kPropertyTax, Rs(5'000))}, "2026-06-01").rebate,
            Rs(313));
  EXPECT_EQ(DuesOn({Demand("2026-27", Head::kPropertyTax, Rs(4'999))}, "2026-06-01").rebate,
            Rs(312));
}

TEST(Dues, PartPaymentEarnsNoRebateOnWhatItPaid) {
  // ₹5,000 of ₹10,000 paid in May: the rebate on the rest is 6.25% of ₹5,000 (₹313), so ₹4,687
  // by 30 June clears the year.
  std::vector<AccountLine> account = kCurrentTenThousand;
  account[0].principal_paid = Rs(5'000);
  Dues d = DuesOn(account, "2026-06-10");
  ASSERT_EQ(d.lines.size(), 1u);
  EXPECT_EQ(d.lines[0].principal, Rs(5'000));
  EXPECT_EQ(d.lines[0].rebate, Rs(313));
  EXPECT_EQ(d.net, Rs(4'687));
}

TEST(Dues, SurchargeFivePercentFromFirstJanuaryTenFromFirstFebruary) {
  // DOMAIN.md (Indore): 5% on unpaid current-year property tax from 1 January, 10% from 1 February.
  struct Case {
    const char* on;
    int64_t bp;
    int64_t surcharge_rupees;
  };
  for (const Case& c :
       {Case{"2026-12-31", 0, 0}, Case{"2027-01-01", 500, 500}, Case{"2027-01-31", 500, 500},
        Case{"2027-02-01", 1000, 1000}, Case{"2027-03-31", 1000, 1000}}) {
    SCOPED_TRACE(c.on);
    Dues d = DuesOn(kCurrentTenThousand, c.on);
    ASSERT_EQ(d.lines.size(), 1u);
    EXPECT_EQ(d.lines[0].surcharge_bp, c.bp);
    EXPECT_EQ(d.lines[0].surcharge, Rs(c.surcharge_rupees));
    EXPECT_EQ(d.lines[0].rebate, Rs(0));
    EXPECT_EQ(d.net, Rs(10'000 + c.surcharge_rupees));
  }
}

TEST(Dues, SurchargeOnlyOnPropertyTaxAndRoundedHalfUp) {
  std::vector<AccountLine> account = {Demand("2026-27", Head::kPropertyTax, Rs(10'010)),
                                      Demand("2026-27", Head::kSamekitKar, Rs(900))};
  Dues d = DuesOn(account, "2027-01-15");
  ASSERT_EQ(d.lines.size(), 2u);
  EXPECT_EQ(d.lines[0].surcharge, Rs(501));  // 5% of ₹10,010 = ₹500.50
  EXPECT_EQ(d.lines[1].surcharge, Rs(0));
  EXPECT_EQ(d.lines[1].surcharge_bp, 0);
}

TEST(Dues, ArrearsCarryTheSurchargeTheirYearReached) {
  // 2025-26 unpaid: on any later date it bears 10%, no more.
  std::vector<AccountLine> account = {Demand("2025-26", Head::kPropertyTax, Rs(10'000))};
  for (const char* on : {"2026-04-01", "2026-12-31", "2027-03-31", "2028-09-01"}) {
    SCOPED_TRACE(on);
    Dues d = DuesOn(account, on);
    ASSERT_EQ(d.lines.size(), 1u);
    EXPECT_TRUE(d.lines[0].arrear);
    EXPECT_EQ(d.lines[0].surcharge_bp, 1000);
    EXPECT_EQ(d.lines[0].surcharge, Rs(1'000));
    EXPECT_EQ(d.lines[0].rebate, Rs(0));
  }
}

TEST(Dues, ArrearsComeFirstOldestYearFirstThenBillOrder) {
  std::vector<AccountLine> account = {
      Demand("2026-27", Head::kUrbanDevelopmentCess, Rs(240)),
      Demand("2026-27", Head::kPropertyTax, Rs(2'400)),
      Demand("2024-25", Head::kSamekitKar, Rs(600)),
      Demand("2025-26", Head::kPropertyTax, Rs(2'200)),
      Demand("2024-25", Head::kPropertyTax, Rs(2'000)),
      Demand("2027-28", Head::kPropertyTax, Rs(2'600)),  // not yet begun: ignored
  };
  Dues d = DuesOn(account, "2026-08-01");
  ASSERT_EQ(d.lines.size(), 5u);
  EXPECT_EQ(d.current, Fy("2026-27"));
  EXPECT_EQ(d.lines[0].fy, Fy("2024-25"));
  EXPECT_EQ(d.lines[0].head, Head::kPropertyTax);
  EXPECT_EQ(d.lines[1].fy, Fy("2024-25"));
  EXPECT_EQ(d.lines[1].head, Head::kSamekitKar);
  EXPECT_EQ(d.lines[2].fy, Fy("2025-26"));
  EXPECT_EQ(d.lines[3].fy, Fy("2026-27"));
  EXPECT_EQ(d.lines[3].head, Head::kPropertyTax);
  EXPECT_EQ(d.lines[4].head, Head::kUrbanDevelopmentCess);
  EXPECT_TRUE(d.lines[0].arrear && d.lines[1].arrear && d.lines[2].arrear);
  EXPECT_FALSE(d.lines[3].arrear || d.lines[4].arrear);
  // Totals: ₹7,440 principal + 10% on ₹4,200 of arrears property tax.
  EXPECT_EQ(d.principal, Rs(7'440));
  EXPECT_EQ(d.surcharge, Rs(420));
  EXPECT_EQ(d.net, Rs(7'860));
}

TEST(Dues, PaidYearsDisappearAndSurchargePaidIsCounted) {
  std::vector<AccountLine> account = {Demand("2025-26", Head::kPropertyTax, Rs(10'000))};
  account[0].principal_paid = Rs(10'000);
  account[0].surcharge_levied = Rs(1'000);
  account[0].surcharge_paid = Rs(400);
  Dues d = DuesOn(account, "2026-08-01");
  ASSERT_EQ(d.lines.size(), 1u);
  EXPECT_EQ(d.lines[0].principal, Rs(0));
  EXPECT_EQ(d.lines[0].surcharge, Rs(600));
  account[0].surcharge_paid = Rs(1'000);
  EXPECT_TRUE(DuesOn(account, "2026-08-01").lines.empty());
}

// The December 2023 attack: all servers shut on 21 December, offline until 15 January 2024.
const std::vector<Outage> kDec2023 = {{D("2023-12-21"), D("2024-01-15")}};
const std::vector<AccountLine> kYear2023 = {Demand("2023-24", Head::kPropertyTax, Rs(10'000))};

TEST(Dues, OutagePausesTheSurchargeDec2023) {
  // Without the outage the 5% step applies on 20 January 2024...
  EXPECT_EQ(DuesOn(kYear2023, "2024-01-20").surcharge, Rs(500));
  // ...with it, nobody pays a surcharge that accrued while the system was down.
  Dues d = DuesOn(kYear2023, "2024-01-20", false, kDec2023);
  EXPECT_EQ(d.surcharge, Rs(0));
  EXPECT_EQ(d.net, Rs(10'000));
  // 21 Dec – 15 Jan is 26 days: the 1 January step lands on 27 January, 1 February on 27 February.
  auto steps = EffectiveSurchargeSteps(DemoRateTable(Fy("2023-24")), kDec2023);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].from, D("2024-01-01").AddDays(26));
  EXPECT_EQ(steps[0].from, D("2024-01-27"));
  EXPECT_EQ(steps[1].from, D("2024-02-27"));
  EXPECT_EQ(DuesOn(kYear2023, "2024-01-26", false, kDec2023).surcharge, Rs(0));
  EXPECT_EQ(DuesOn(kYear2023, "2024-01-27", false, kDec2023).surcharge, Rs(500));
  EXPECT_EQ(DuesOn(kYear2023, "2024-02-26", false, kDec2023).surcharge, Rs(500));
  EXPECT_EQ(DuesOn(kYear2023, "2024-02-27", false, kDec2023).surcharge, Rs(1'000));
  // The year's arrears still reach 10%.
  EXPECT_EQ(DuesOn(kYear2023, "2024-06-01", false, kDec2023).surcharge, Rs(1'000));
}

TEST(Dues, OutageMovesTheRebateDeadlineOnlyIfItBeganBeforeIt) {
  const std::vector<Outage> june = {{D("2026-06-25"), D("2026-06-28")}};  // 4 days
  Dues d = DuesOn(kCurrentTenThousand, "2026-07-04", false, june);
  EXPECT_EQ(d.rebate_deadline, D("2026-07-04"));
  EXPECT_EQ(d.rebate, Rs(625));
  EXPECT_EQ(DuesOn(kCurrentTenThousand, "2026-07-05", false, june).rebate, Rs(0));
  // An outage that begins on the deadline counts; one that begins after it does not.
  EXPECT_EQ(EffectiveRebateDeadline(DemoRateTable(Fy("2026-27")),
                                    std::vector<Outage>{{D("2026-06-30"), D("2026-07-02")}}),
            D("2026-07-03"));
  EXPECT_EQ(EffectiveRebateDeadline(DemoRateTable(Fy("2026-27")),
                                    std::vector<Outage>{{D("2026-07-01"), D("2026-07-20")}}),
            D("2026-06-30"));
}

TEST(ShiftForOutages, CountsOverlapsOnceChainsAndClipsToTheYear) {
  const CivilDate start = D("2026-04-01");
  const CivilDate jan1 = D("2027-01-01");
  // Before any outage: unmoved.
  EXPECT_EQ(ShiftForOutages(jan1, start, {}), jan1);
  EXPECT_EQ(ShiftForOutages(jan1, start, std::vector<Outage>{{D("2027-01-02"), D("2027-01-05")}}),
            jan1);
  // Starting on the date: moved by the whole length.
  EXPECT_EQ(ShiftForOutages(jan1, start, std::vector<Outage>{{D("2027-01-01"), D("2027-01-05")}}),
            D("2027-01-06"));
  // An outage in October pauses the clock too: a step after it moves.
  EXPECT_EQ(ShiftForOutages(jan1, start, std::vector<Outage>{{D("2026-10-01"), D("2026-10-10")}}),
            D("2027-01-11"));
  // Overlapping declarations (state-wide and for this ULB) count once.
  EXPECT_EQ(ShiftForOutages(jan1, start,
                            std::vector<Outage>{{D("2026-12-21"), D("2027-01-15")},
                                                {D("2026-12-25"), D("2027-01-10")}}),
            D("2027-01-27"));
  // Pushed into a later outage, the date moves again: 1 Jan + 4 days = 5 Jan, inside the second
  // outage, + 3 days = 8 Jan.
  EXPECT_EQ(ShiftForOutages(jan1, start,
                            std::vector<Outage>{{D("2027-01-05"), D("2027-01-07")},
                                                {D("2026-12-30"), D("2027-01-02")}}),
            D("2027-01-08"));
  // Days before 1 April belong to the previous year's clock.
  EXPECT_EQ(ShiftForOutages(D("2026-04-05"), start,
                            std::vector<Outage>{{D("2026-03-20"), D("2026-04-02")}}),
            D("2026-04-07"));
  EXPECT_EQ(ShiftForOutages(jan1, start, std::vector<Outage>{{D("2025-12-21"), D("2026-01-15")}}),
            jan1);
}

// Lok Adalat (MPMC s.162–163): 100% of the surcharge where tax + surcharge <= ₹50,000, 50% for
// ₹50,000–1,00,000, 25% above. Arrears of 2025-26: property tax with 10% surcharge, plus a samekit
// kar line to bring tax + surcharge to the edge being tested.
struct SlabCase {
  const char* name;
  Money property_tax;
  Money samekit;
  Money base;
  int64_t waiver_bp;
  Money waiver;
};

TEST(Dues, LokAdalatWaiverSlabsAtTheirEdges) {
  const WaiverScheme scheme =
      LokAdalatWaiverScheme("Lok Adalat 2026-09-13", D("2026-09-13"), D("2026-09-13"));
  for (const SlabCase& c : {
           SlabCase{"exactly 50,000", Rs(40'000), Rs(6'000), Rs(50'000), 10000, Rs(4'000)},
           SlabCase{"50,000.01", Rs(40'000), P(6'000'01), P(50'000'01), 5000, Rs(2'000)},
           SlabCase{"exactly 1,00,000", Rs(80'000), Rs(12'000), Rs(1'00'000), 5000, Rs(4'000)},
           SlabCase{"1,00,000.01", Rs(80'000), P(12'000'01), P(1'00'000'01), 2500, Rs(2'000)},
           SlabCase{"well above", Rs(2'00'000), Rs(0), Rs(2'20'000), 2500, Rs(5'000)},
       }) {
    SCOPED_TRACE(c.name);
    std::vector<AccountLine> account = {Demand("2025-26", Head::kPropertyTax, c.property_tax)};
    if (!c.samekit.IsZero()) account.push_back(Demand("2025-26", Head::kSamekitKar, c.samekit));
    Dues d = DuesOn(account, "2026-09-13", false, {}, scheme);
    EXPECT_EQ(d.waiver_scheme, "Lok Adalat 2026-09-13");
    EXPECT_EQ(d.waiver_base, c.base);
    ASSERT_FALSE(d.lines.empty());
    EXPECT_EQ(d.lines[0].waiver_bp, c.waiver_bp);
    EXPECT_EQ(d.lines[0].waiver, c.waiver);
    EXPECT_EQ(d.waiver, c.waiver);
    EXPECT_EQ(d.net, c.base - c.waiver);
  }
}

TEST(Dues, WaiverOnlyWhileTheSchemeRunsAndRoundsHalfUp) {
  const WaiverScheme scheme = LokAdalatWaiverScheme("Lok Adalat", D("2026-09-13"), D("2026-09-14"));
  std::vector<AccountLine> account = {Demand("2025-26", Head::kPropertyTax, Rs(60'010))};
  // 10% = ₹6,001; base ₹66,011 -> 50% = ₹3,000.50 -> ₹3,001.
  EXPECT_EQ(DuesOn(account, "2026-09-14", false, {}, scheme).waiver, Rs(3'001));
  Dues before = DuesOn(account, "2026-09-12", false, {}, scheme);
  EXPECT_EQ(before.waiver, Rs(0));
  EXPECT_FALSE(before.waiver_scheme.has_value());
  EXPECT_EQ(DuesOn(account, "2026-09-15", false, {}, scheme).waiver, Rs(0));
}

TEST(Dues, ErrorsAreClearInEnglishAndHindi) {
  const std::vector<RateTable> tables = DemoTables(2025, 2026);
  auto check = [](const Result<Dues>& r, std::string_view code) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), code);
    EXPECT_TRUE(HasDevanagari(r.status().message_hi())) << r.status().message_hi();
    EXPECT_NE(r.status().message(), r.status().message_hi());
  };
  DuesQuery q{D("2026-08-01"), false, {}, {}};

  std::vector<AccountLine> old = {Demand("2019-20", Head::kPropertyTax, Rs(100))};
  auto missing = ComputeDues(old, tables, q);
  check(missing, "rate_table_missing");
  EXPECT_EQ(missing.status().kind(), StatusKind::kNotFound);
  EXPECT_NE(missing.status().message().find("2019-20"), std::string::npos);

  std::vector<AccountLine> over = kCurrentTenThousand;
  over[0].principal_paid = Rs(9'000);
  over[0].rebate_granted = Rs(1'001);
  check(ComputeDues(over, tables, q), "account_inconsistent");
  std::vector<AccountLine> negative = kCurrentTenThousand;
  negative[0].surcharge_paid = Rs(-1);
  check(ComputeDues(negative, tables, q), "account_inconsistent");

  std::vector<AccountLine> twice = {kCurrentTenThousand[0], kCurrentTenThousand[0]};
  check(ComputeDues(twice, tables, q), "duplicate_account_line");
  // The first problem in the account's order is the one reported.
  std::vector<AccountLine> bad_then_twice = {negative[0],
                                             Demand("2025-26", Head::kPropertyTax, Rs(100)),
                                             Demand("2025-26", Head::kPropertyTax, Rs(200))};
  check(ComputeDues(bad_then_twice, tables, q), "account_inconsistent");
  std::vector<AccountLine> twice_then_bad = {bad_then_twice[1], bad_then_twice[2], negative[0]};
  auto repeat = ComputeDues(twice_then_bad, tables, q);
  check(repeat, "duplicate_account_line");
  EXPECT_NE(repeat.status().message().find("2025-26"), std::string::npos);

  DuesQuery backwards = q;
  backwards.outages = {{D("2026-08-02"), D("2026-08-01")}};
  check(ComputeDues(kCurrentTenThousand, tables, backwards), "invalid_outage");

  std::vector<RateTable> doubled = {tables[1], tables[1]};
  check(ComputeDues(kCurrentTenThousand, doubled, q), "duplicate_rate_table");

  DuesQuery bad_scheme = q;
  bad_scheme.waiver = LokAdalatWaiverScheme("x", D("2026-08-01"), D("2026-07-01"));
  check(ComputeDues(kCurrentTenThousand, tables, bad_scheme), "invalid_field");

  // Fully paid years need no rate table.
  std::vector<AccountLine> settled = {Demand("2019-20", Head::kPropertyTax, Rs(100))};
  settled[0].principal_paid = Rs(100);
  EXPECT_TRUE(ComputeDues(settled, tables, q).ok());
}

TEST(WaiverScheme, JsonRoundTripsAndIsStrict) {
  const WaiverScheme s = LokAdalatWaiverScheme("लोक अदालत 2026", D("2026-09-13"), D("2026-09-13"));
  const boost::json::object o = WaiverSchemeToJson(s);
  ASSERT_TRUE(CanonicalJson(o).ok());
  auto back = WaiverSchemeFromJson(o);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, s);
  ASSERT_EQ(s.slabs.size(), 3u);
  EXPECT_EQ(s.slabs[0].up_to, Rs(50'000));
  EXPECT_EQ(s.slabs[0].waiver_bp, 10000);

  boost::json::object bad = o;
  bad["slabs"].as_array()[1].as_object()["waiver_bp"] = 10001;
  auto r = WaiverSchemeFromJson(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("slabs[1].waiver_bp"), std::string::npos);
  bad = o;
  bad["slabs"].as_array()[1].as_object()["up_to_paise"] = 100;  // below the slab before it
  r = WaiverSchemeFromJson(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("slabs[1].up_to_paise"), std::string::npos);
  bad = o;
  bad["extra"] = 1;
  EXPECT_EQ(WaiverSchemeFromJson(bad).status().code(), "unknown_field");
}

TEST(Dues, JsonIsCanonicalSafe) {
  Dues d =
      DuesOn({Demand("2025-26", Head::kPropertyTax, Rs(1'000)),
              Demand("2026-27", Head::kPropertyTax, Rs(1'000))},
             "2026-06-01", true, {}, LokAdalatWaiverScheme("LA", D("2026-06-01"), D("2026-06-01")));
  auto text = CanonicalJson(DuesToJson(d));
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_NE(text->find("\"rebate_deadline\":\"2026-06-30\""), std::string::npos);
  EXPECT_NE(text->find("\"waiver_scheme\":\"LA\""), std::string::npos);
}

}  // namespace
}  // namespace palika::property_tax
