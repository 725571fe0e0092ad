#include "services/property_tax/allocation.h"

#include <gtest/gtest.h>

#include <random>

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

const std::vector<RateTable>& Tables() {
  static const std::vector<RateTable> tables = [] {
    std::vector<RateTable> out;
    for (int y = 2020; y <= 2028; ++y) {
      out.push_back(DemoRateTable(FinancialYear::FromStartYear(y).value()));
    }
    return out;
  }();
  return tables;
}

Dues DuesOn(const std::vector<AccountLine>& account, std::string_view on, bool online = false,
            std::optional<WaiverScheme> waiver = {}) {
  auto d = ComputeDues(account, Tables(), DuesQuery{D(on), online, {}, std::move(waiver)});
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? *d : Dues{};
}

Allocation Pay(const Dues& dues, Money amount, const AllocationPolicy& policy = {}) {
  auto a = Allocate(dues, amount, policy);
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return a.ok() ? *a : Allocation{};
}

Money PaidTotal(const Allocation& a) {
  Money sum;
  for (const auto& l : a.lines) sum += l.Paid();
  return sum;
}

TEST(Allocation, FullPaymentByThirtiethJuneIsGrantedTheRebate) {
  std::vector<AccountLine> account = {Demand("2026-27", Head::kPropertyTax, Rs(10'000))};
  Allocation a = Pay(DuesOn(account, "2026-06-30"), Rs(9'375));
  EXPECT_TRUE(a.settled_in_full);
  ASSERT_EQ(a.lines.size(), 1u);
  EXPECT_EQ(a.lines[0].principal, Rs(9'375));
  EXPECT_EQ(a.lines[0].rebate, Rs(625));
  EXPECT_EQ(a.lines[0].rebate_bp, 625);
  EXPECT_EQ(a.advance, Rs(0));
  ASSERT_TRUE(PostAllocation(a, account).ok());
  EXPECT_EQ(account[0].principal_paid, Rs(9'375));
  EXPECT_EQ(account[0].rebate_granted, Rs(625));
  // Settled: nothing is owed later, not even when the surcharge steps arrive.
  EXPECT_TRUE(DuesOn(account, "2027-02-15").lines.empty());
}

TEST(Allocation, OnlineFullPaymentGetsSevenPointTwoFivePercent) {
  std::vector<AccountLine> account = {Demand("2026-27", Head::kPropertyTax, Rs(10'000))};
  Allocation a = Pay(DuesOn(account, "2026-06-01", /*online=*/true), Rs(9'275));
  EXPECT_TRUE(a.settled_in_full);
  EXPECT_TRUE(a.online);
  EXPECT_EQ(a.lines[0].rebate, Rs(725));
  EXPECT_EQ(a.lines[0].rebate_bp, 725);
}

TEST(Allocation, PartPaymentBeforeThirtiethJuneGetsNoRebate) {
  std::vector<AccountLine> account = {Demand("2026-27", Head::kPropertyTax, Rs(10'000))};
  // ₹5,000 on 1 May: a part payment, at face value.
  Allocation first = Pay(DuesOn(account, "2026-05-01"), Rs(5'000));
  EXPECT_FALSE(first.settled_in_full);
  ASSERT_EQ(first.lines.size(), 1u);
  EXPECT_EQ(first.lines[0].principal, Rs(5'000));
  EXPECT_EQ(first.lines[0].rebate, Rs(0));
  EXPECT_EQ(first.lines[0].rebate_bp, 0);
  ASSERT_TRUE(PostAllocation(first, account).ok());
  // Paying ₹1 less than the rest minus its rebate is still a part payment.
  Dues june = DuesOn(account, "2026-06-10");
  EXPECT_EQ(june.net, Rs(4'687));
  Allocation short_by_one = Pay(june, Rs(4'686));
  EXPECT_FALSE(short_by_one.settled_in_full);
  EXPECT_EQ(short_by_one.lines[0].rebate, Rs(0));
  // The rest by 30 June clears the year, with the rebate on the rest (6.25% of ₹5,000 = ₹313).
  Allocation second = Pay(june, Rs(4'687));
  EXPECT_TRUE(second.settled_in_full);
  EXPECT_EQ(second.lines[0].principal, Rs(4'687));
  EXPECT_EQ(second.lines[0].rebate, Rs(313));
  ASSERT_TRUE(PostAllocation(second, account).ok());
  EXPECT_TRUE(DuesOn(account, "2026-07-01").lines.empty());
}

TEST(Allocation, ArrearsAreSettledFirst) {
  std::vector<AccountLine> account = {Demand("2026-27", Head::kPropertyTax, Rs(2'400)),
                                      Demand("2024-25", Head::kPropertyTax, Rs(2'000)),
                                      Demand("2025-26", Head::kPropertyTax, Rs(2'200))};
  Dues d = DuesOn(account, "2026-05-01");
  // 2024-25: ₹2,000 + ₹200 surcharge; 2025-26: ₹2,200 + ₹220.
  Allocation a = Pay(d, Rs(3'000));
  EXPECT_FALSE(a.settled_in_full);
  ASSERT_EQ(a.lines.size(), 2u);
  EXPECT_EQ(a.lines[0].fy, Fy("2024-25"));
  EXPECT_EQ(a.lines[0].surcharge, Rs(200));
  EXPECT_EQ(a.lines[0].principal, Rs(2'000));
  EXPECT_EQ(a.lines[1].fy, Fy("2025-26"));
  EXPECT_EQ(a.lines[1].surcharge, Rs(220));
  EXPECT_EQ(a.lines[1].principal, Rs(580));
  EXPECT_EQ(PaidTotal(a), Rs(3'000));
}

TEST(Allocation, SurchargeBeforeTaxWithinAYearThenHeadsInBillOrder) {
  std::vector<AccountLine> account = {Demand("2025-26", Head::kEducationCess, Rs(480)),
                                      Demand("2025-26", Head::kSamekitKar, Rs(900)),
                                      Demand("2025-26", Head::kPropertyTax, Rs(10'000))};
  Dues d = DuesOn(account, "2026-05-01");
  // Surcharge ₹1,000 first, then property tax, then samekit kar, then the cess.
  Allocation a = Pay(d, Rs(11'500));
  ASSERT_EQ(a.lines.size(), 2u);
  EXPECT_EQ(a.lines[0].head, Head::kPropertyTax);
  EXPECT_EQ(a.lines[0].surcharge, Rs(1'000));
  EXPECT_EQ(a.lines[0].principal, Rs(10'000));
  EXPECT_EQ(a.lines[1].head, Head::kSamekitKar);
  EXPECT_EQ(a.lines[1].principal, Rs(500));
  // A smaller payment goes to the surcharge alone.
  Allocation b = Pay(d, Rs(700));
  ASSERT_EQ(b.lines.size(), 1u);
  EXPECT_EQ(b.lines[0].surcharge, Rs(700));
  EXPECT_EQ(b.lines[0].principal, Rs(0));
}

TEST(Allocation, PolicyCanPutTaxBeforeSurchargeAndReorderHeads) {
  std::vector<AccountLine> account = {Demand("2025-26", Head::kSamekitKar, Rs(900)),
                                      Demand("2025-26", Head::kPropertyTax, Rs(10'000))};
  AllocationPolicy policy;
  policy.surcharge_first = false;
  policy.head_order = {Head::kSamekitKar, Head::kPropertyTax, Head::kEducationCess,
                       Head::kUrbanDevelopmentCess};
  Allocation a = Pay(DuesOn(account, "2026-05-01"), Rs(10'500), policy);
  ASSERT_EQ(a.lines.size(), 2u);
  EXPECT_EQ(a.lines[0].head, Head::kSamekitKar);
  EXPECT_EQ(a.lines[0].principal, Rs(900));
  EXPECT_EQ(a.lines[1].principal, Rs(9'600));
  EXPECT_EQ(a.lines[1].surcharge, Rs(0));

  AllocationPolicy bad;
  bad.head_order = {Head::kPropertyTax, Head::kPropertyTax, Head::kEducationCess,
                    Head::kUrbanDevelopmentCess};
  auto r = Allocate(DuesOn(account, "2026-05-01"), Rs(1), bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "invalid_allocation_policy");
}

TEST(Allocation, OverpaymentBecomesAnAdvance) {
  std::vector<AccountLine> account = {Demand("2026-27", Head::kPropertyTax, Rs(10'000))};
  Allocation a = Pay(DuesOn(account, "2026-08-01"), P(12'345'67));
  EXPECT_TRUE(a.settled_in_full);
  EXPECT_EQ(a.lines[0].principal, Rs(10'000));
  EXPECT_EQ(a.advance, P(2'345'67));
  EXPECT_EQ(PaidTotal(a) + a.advance, a.amount);
  // Between the net (with rebate) and the face value: cleared, rebate granted, rest advance.
  Allocation b = Pay(DuesOn(account, "2026-06-15"), Rs(9'500));
  EXPECT_TRUE(b.settled_in_full);
  EXPECT_EQ(b.lines[0].rebate, Rs(625));
  EXPECT_EQ(b.advance, Rs(125));
  // Nothing owed: all of it is an advance.
  std::vector<AccountLine> none;
  Allocation c = Pay(DuesOn(none, "2026-08-01"), Rs(500));
  EXPECT_TRUE(c.lines.empty());
  EXPECT_EQ(c.advance, Rs(500));
}

TEST(Allocation, RefusesZeroAndNegativeAmountsInBothLanguages) {
  Dues d = DuesOn({Demand("2026-27", Head::kPropertyTax, Rs(10'000))}, "2026-08-01");
  for (Money m : {Rs(0), P(-1), Rs(-500)}) {
    auto r = Allocate(d, m);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), "amount_not_positive");
    EXPECT_EQ(r.status().kind(), StatusKind::kInvalidArgument);
    EXPECT_TRUE(HasDevanagari(r.status().message_hi()));
  }
}

TEST(Allocation, SurchargeFixedOnPrincipalPaidLateStaysRightWhenTheRateRises) {
  std::vector<AccountLine> account = {Demand("2026-27", Head::kPropertyTax, Rs(10'000))};
  // 10 January (5%): ₹5,250 pays the ₹500 surcharge and ₹4,750 of tax.
  Allocation jan = Pay(DuesOn(account, "2027-01-10"), Rs(5'250));
  ASSERT_EQ(jan.lines.size(), 1u);
  EXPECT_EQ(jan.lines[0].surcharge, Rs(500));
  EXPECT_EQ(jan.lines[0].principal, Rs(4'750));
  EXPECT_EQ(jan.lines[0].surcharge_bp, 500);
  // 5% of ₹10,000 less 5% of the ₹5,250 still unpaid (₹262.50 -> ₹263).
  EXPECT_EQ(jan.lines[0].surcharge_levied, Rs(237));
  ASSERT_TRUE(PostAllocation(jan, account).ok());
  // 5 February (10%): ₹525 on the unpaid ₹5,250 plus ₹237 fixed on what was paid late, less the
  // ₹500 paid.
  Dues feb = DuesOn(account, "2027-02-05");
  ASSERT_EQ(feb.lines.size(), 1u);
  EXPECT_EQ(feb.lines[0].principal, Rs(5'250));
  EXPECT_EQ(feb.lines[0].surcharge, Rs(262));
  // Paying everything in January leaves nothing to find in February.
  std::vector<AccountLine> other = {Demand("2026-27", Head::kPropertyTax, Rs(10'000))};
  Allocation all = Pay(DuesOn(other, "2027-01-20"), Rs(10'500));
  EXPECT_TRUE(all.settled_in_full);
  EXPECT_EQ(all.lines[0].surcharge_levied, Rs(500));
  ASSERT_TRUE(PostAllocation(all, other).ok());
  EXPECT_TRUE(DuesOn(other, "2027-02-20").lines.empty());
  EXPECT_TRUE(DuesOn(other, "2028-02-20").lines.empty());
}

TEST(Allocation, LokAdalatWaiverIsGrantedOnlyWithFullSettlement) {
  const WaiverScheme scheme = LokAdalatWaiverScheme("Lok Adalat", D("2026-09-13"), D("2026-09-13"));
  std::vector<AccountLine> account = {Demand("2025-26", Head::kPropertyTax, Rs(40'000))};
  Dues d = DuesOn(account, "2026-09-13", false, scheme);
  EXPECT_EQ(d.waiver, Rs(4'000));  // ₹44,000 <= ₹50,000: all the surcharge
  EXPECT_EQ(d.net, Rs(40'000));
  Allocation full = Pay(d, Rs(40'000));
  EXPECT_TRUE(full.settled_in_full);
  EXPECT_EQ(full.lines[0].waiver, Rs(4'000));
  EXPECT_EQ(full.lines[0].waiver_bp, 10000);
  EXPECT_EQ(full.lines[0].surcharge, Rs(0));
  EXPECT_EQ(full.lines[0].principal, Rs(40'000));
  std::vector<AccountLine> settled = account;
  ASSERT_TRUE(PostAllocation(full, settled).ok());
  EXPECT_EQ(settled[0].surcharge_waived, Rs(4'000));
  EXPECT_TRUE(DuesOn(settled, "2026-10-01").lines.empty());
  // Less than the net: no waiver, surcharge first.
  Allocation part = Pay(d, Rs(39'999));
  EXPECT_FALSE(part.settled_in_full);
  EXPECT_EQ(part.lines[0].waiver, Rs(0));
  EXPECT_EQ(part.lines[0].surcharge, Rs(4'000));
  EXPECT_EQ(part.lines[0].principal, Rs(35'999));
}

TEST(Allocation, ApplyAdvanceCreditsTheNextDemand) {
  // ₹2,000 left from last year, credited when the 2027-28 demand is raised on 1 April.
  std::vector<AccountLine> account = {Demand("2027-28", Head::kPropertyTax, Rs(10'000)),
                                      Demand("2027-28", Head::kSamekitKar, Rs(900))};
  auto part = ApplyAdvance(DuesOn(account, "2027-04-01"), Rs(2'000));
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  EXPECT_FALSE(part->settled_in_full);
  ASSERT_EQ(part->lines.size(), 1u);
  EXPECT_EQ(part->lines[0].principal, Rs(2'000));
  EXPECT_EQ(part->advance, Rs(0));
  // An advance that covers the year before 30 June earns the rebate; the rest stays an advance.
  auto whole = ApplyAdvance(DuesOn(account, "2027-04-01"), Rs(12'000));
  ASSERT_TRUE(whole.ok());
  EXPECT_TRUE(whole->settled_in_full);
  EXPECT_EQ(whole->lines[0].rebate, Rs(625));
  EXPECT_EQ(whole->advance, Rs(12'000 - 10'275));
  // Zero credits nothing; negative is refused.
  auto zero = ApplyAdvance(DuesOn(account, "2027-04-01"), Rs(0));
  ASSERT_TRUE(zero.ok());
  EXPECT_TRUE(zero->lines.empty());
  EXPECT_EQ(ApplyAdvance(DuesOn(account, "2027-04-01"), P(-1)).status().code(),
            "amount_not_positive");
}

TEST(Allocation, PostRefusesAllocationsThatDoNotFitTheAccount) {
  std::vector<AccountLine> account = {Demand("2026-27", Head::kPropertyTax, Rs(10'000))};
  Allocation a = Pay(DuesOn(account, "2026-08-01"), Rs(4'000));
  std::vector<AccountLine> other = {Demand("2026-27", Head::kSamekitKar, Rs(900))};
  Status s = PostAllocation(a, other);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), "allocation_mismatch");
  EXPECT_TRUE(HasDevanagari(s.message_hi()));
  EXPECT_EQ(other[0].principal_paid, Rs(0));  // unchanged on error
  // Posting the same allocation three times would settle more than was demanded.
  ASSERT_TRUE(PostAllocation(a, account).ok());
  ASSERT_TRUE(PostAllocation(a, account).ok());
  const std::vector<AccountLine> before = account;
  EXPECT_EQ(PostAllocation(a, account).code(), "allocation_mismatch");
  EXPECT_EQ(account, before);
}

TEST(Allocation, JsonRoundTripsAndChecksTheSum) {
  std::vector<AccountLine> account = {Demand("2025-26", Head::kPropertyTax, Rs(10'000)),
                                      Demand("2026-27", Head::kPropertyTax, Rs(10'000))};
  Allocation a = Pay(DuesOn(account, "2026-06-01", true), Rs(25'000));
  const boost::json::object o = AllocationToJson(a);
  auto text = CanonicalJson(o);
  ASSERT_TRUE(text.ok());
  auto parsed = ParseJsonObject(*text);
  ASSERT_TRUE(parsed.ok());
  auto back = AllocationFromJson(*parsed);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, a);

  boost::json::object bad = o;
  bad["advance_paise"] = bad["advance_paise"].as_int64() + 1;
  auto r = AllocationFromJson(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("amount_paise"), std::string::npos);
  bad = o;
  bad["lines"].as_array()[0].as_object()["head"] = "water";
  r = AllocationFromJson(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("lines[0].head"), std::string::npos);
}

// Random accounts, dates, outages, schemes and payments: an allocation adds up to the payment to
// the paisa, never exceeds what a line had outstanding, and posting it reduces the dues by exactly
// what was paid (or clears them).
TEST(Allocation, PropertySumsExactlyAndNeverExceedsALine) {
  std::mt19937_64 rng(20231221);
  auto uniform = [&rng](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const CivilDate first = D("2025-04-01");
  for (int iter = 0; iter < 3000; ++iter) {
    SCOPED_TRACE(iter);
    std::vector<AccountLine> account;
    for (int y = 2022; y <= 2027; ++y) {
      for (Head h : kAllHeads) {
        if (uniform(0, 2) == 0) continue;
        AccountLine a;
        a.fy = FinancialYear::FromStartYear(y).value();
        a.head = h;
        a.demanded = P(uniform(0, 3'00'000'00));
        a.principal_paid = P(uniform(0, a.demanded.paise()));
        if (uniform(0, 3) == 0)
          a.rebate_granted = P(uniform(0, (a.demanded - a.principal_paid).paise()));
        if (uniform(0, 2) == 0) a.surcharge_levied = P(uniform(0, 20'000'00));
        if (uniform(0, 2) == 0) a.surcharge_paid = P(uniform(0, 20'000'00));
        if (uniform(0, 5) == 0) a.surcharge_waived = P(uniform(0, 5'000'00));
        account.push_back(a);
      }
    }
    DuesQuery q;
    q.on = first.AddDays(uniform(0, 800));
    q.online = uniform(0, 1) == 1;
    if (uniform(0, 3) == 0) {
      const CivilDate from = first.AddDays(uniform(0, 800));
      q.outages.push_back({from, from.AddDays(uniform(0, 60))});
    }
    if (uniform(0, 3) == 0) {
      const CivilDate from = q.on.AddDays(-uniform(0, 3));
      q.waiver = LokAdalatWaiverScheme("LA", from, from.AddDays(uniform(0, 6)));
    }
    auto dues = ComputeDues(account, Tables(), q);
    ASSERT_TRUE(dues.ok()) << dues.status().ToString();
    const Money gross = dues->principal + dues->surcharge;

    Money amount;
    switch (uniform(0, 4)) {
      case 0:
        amount = dues->net;
        break;
      case 1:
        amount = P(uniform(1, 100));
        break;
      default:
        amount = P(uniform(1, dues->net.paise() + dues->net.paise() / 5 + 100));
    }
    if (amount <= Money()) amount = P(1);
    auto a = Allocate(*dues, amount);
    ASSERT_TRUE(a.ok()) << a.status().ToString();

    Money paid;
    for (const auto& l : a->lines) {
      auto it = std::find_if(dues->lines.begin(), dues->lines.end(),
                             [&](const DuesLine& d) { return d.fy == l.fy && d.head == l.head; });
      ASSERT_NE(it, dues->lines.end());
      for (Money m : {l.surcharge, l.principal, l.rebate, l.waiver, l.surcharge_levied}) {
        ASSERT_FALSE(m.IsNegative());
      }
      ASSERT_LE(l.principal + l.rebate, it->principal);
      ASSERT_LE(l.surcharge + l.waiver, it->surcharge);
      ASSERT_LE(l.rebate, it->rebate);
      ASSERT_LE(l.waiver, it->waiver);
      paid += l.Paid();
    }
    ASSERT_EQ(paid + a->advance, amount);
    ASSERT_FALSE(a->advance.IsNegative());
    if (a->settled_in_full) {
      ASSERT_EQ(a->advance, amount - dues->net);
    } else {
      ASSERT_LT(amount, dues->net);
      ASSERT_TRUE(a->advance.IsZero());
    }

    // Posting it reduces the dues on the same date by exactly what was paid, or clears them.
    std::vector<AccountLine> posted = account;
    ASSERT_TRUE(PostAllocation(*a, posted).ok());
    auto after = ComputeDues(posted, Tables(), q);
    ASSERT_TRUE(after.ok()) << after.status().ToString();
    if (a->settled_in_full) {
      ASSERT_TRUE(after->lines.empty());
    } else {
      ASSERT_EQ(after->principal + after->surcharge, gross - paid);
    }
    // The event form carries it exactly.
    auto back = AllocationFromJson(AllocationToJson(*a));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ASSERT_EQ(*back, *a);
  }
}

}  // namespace
}  // namespace palika::property_tax
