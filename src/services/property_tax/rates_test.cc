#include "services/property_tax/rates.h"

#include <gtest/gtest.h>

#include "core/json.h"

namespace palika::property_tax {
namespace {

namespace json = boost::json;

FinancialYear Fy(std::string_view s) { return FinancialYear::Parse(s).value(); }
Money Rs(int64_t rupees) { return Money::FromRupees(rupees); }
Money P(int64_t paise) { return Money::FromPaise(paise); }

bool HasDevanagari(const std::string& s) { return s.find("\xE0\xA4") != std::string::npos; }

// The demo table as JSON, with one field changed by `edit`.
template <typename Edit>
Result<RateTable> EditedDemo(Edit edit) {
  json::object o = RateTableToJson(DemoRateTable(Fy("2026-27")));
  edit(o);
  return RateTableFromJson(o);
}

TEST(RateTable, DemoCarriesThePublishedFigures) {
  const RateTable t = DemoRateTable(Fy("2026-27"));
  ASSERT_TRUE(ValidateRateTable(t).ok()) << ValidateRateTable(t).ToString();
  // DOMAIN.md: 6.25% by 30 June, +1% online; 5% from 1 January, 10% from 1 February.
  EXPECT_EQ(t.rebate.deadline, CivilDate::FromYmd(2026, 6, 30).value());
  EXPECT_EQ(t.rebate.bp, 625);
  EXPECT_EQ(t.rebate.online_extra_bp, 100);
  EXPECT_EQ(t.rebate.heads, std::vector<Head>{Head::kPropertyTax});
  ASSERT_EQ(t.surcharge.steps.size(), 2u);
  EXPECT_EQ(t.surcharge.steps[0], (SurchargeStep{CivilDate::FromYmd(2027, 1, 1).value(), 500}));
  EXPECT_EQ(t.surcharge.steps[1], (SurchargeStep{CivilDate::FromYmd(2027, 2, 1).value(), 1000}));
  EXPECT_EQ(t.surcharge.heads, std::vector<Head>{Head::kPropertyTax});
  EXPECT_EQ(t.rounding, Rounding::kRupeeHalfUp);
  EXPECT_GE(t.property_tax_bp, 600);
  EXPECT_LE(t.property_tax_bp, 1000);
  // Every demo zone × construction × use has a rate, as the demo wards' zones are named.
  for (const char* zone : {"Zone 1", "Zone 2", "Zone 3"}) {
    for (auto c : kRateConstructionCodes) {
      for (auto u : kRateUseCodes) EXPECT_TRUE(t.ValueRate(zone, c, u).has_value());
    }
    EXPECT_TRUE(t.VacantLandRate(zone).has_value());
  }
  EXPECT_FALSE(t.ValueRate("Zone 9", "rcc", "residential").has_value());
}

TEST(RateTable, DemoDatesFollowTheYear) {
  const RateTable t = DemoRateTable(Fy("2023-24"));
  EXPECT_EQ(t.rebate.deadline, CivilDate::FromYmd(2023, 6, 30).value());
  EXPECT_EQ(t.surcharge.steps[0].from, CivilDate::FromYmd(2024, 1, 1).value());
  EXPECT_TRUE(ValidateRateTable(t).ok());
}

TEST(RateTable, JsonRoundTripsToAnEqualTableAndCanonicalText) {
  const RateTable t = DemoRateTable(Fy("2026-27"));
  const json::object o = RateTableToJson(t);
  auto canon = CanonicalJson(o);
  ASSERT_TRUE(canon.ok()) << canon.status().ToString();  // integers only
  auto back = RateTableFromJson(o);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, t);
  // Through text, as it travels in a ledger event.
  auto parsed = ParseJsonObject(*canon);
  ASSERT_TRUE(parsed.ok());
  auto again = RateTableFromJson(*parsed);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, t);
  EXPECT_EQ(CanonicalJson(RateTableToJson(*again)).value(), *canon);
}

TEST(RateTable, RefusesUnknownFieldsNamingThePath) {
  auto r = EditedDemo([](json::object& o) { o["rebate"].as_object()["bonus_bp"] = 5; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "unknown_field");
  EXPECT_NE(r.status().message().find("rebate.bonus_bp"), std::string::npos);
  EXPECT_TRUE(HasDevanagari(r.status().message_hi()));

  auto top = EditedDemo([](json::object& o) { o["tax_bp"] = 5; });
  ASSERT_FALSE(top.ok());
  EXPECT_NE(top.status().message().find("'tax_bp'"), std::string::npos);
}

TEST(RateTable, RefusesMissingAndMistypedFieldsInEnglishAndHindi) {
  auto missing = EditedDemo([](json::object& o) { o.erase("property_tax_bp"); });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), "invalid_field");
  EXPECT_NE(missing.status().message().find("property_tax_bp"), std::string::npos);
  EXPECT_NE(missing.status().message_hi().find("आवश्यक"), std::string::npos);

  auto text = EditedDemo([](json::object& o) { o["property_tax_bp"] = "10%"; });
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("whole number"), std::string::npos);

  // A float never enters a rate: 6.25 must be written 625.
  auto fractional = EditedDemo([](json::object& o) { o["rebate"].as_object()["bp"] = 6.25; });
  ASSERT_FALSE(fractional.ok());
  EXPECT_NE(fractional.status().message().find("rebate.bp"), std::string::npos);

  // A percentage typed instead of basis points is caught by the range.
  auto percent = EditedDemo([](json::object& o) { o["property_tax_bp"] = 10; });
  ASSERT_FALSE(percent.ok());
  EXPECT_NE(percent.status().message().find("between 100 and 10000"), std::string::npos);
  EXPECT_TRUE(HasDevanagari(percent.status().message_hi()));
}

TEST(RateTable, RefusesBadValueRates) {
  auto code = EditedDemo([](json::object& o) {
    o["value_rates"].as_array()[0].as_object()["construction"] = "steel";
  });
  ASSERT_FALSE(code.ok());
  EXPECT_NE(code.status().message().find("value_rates[0].construction"), std::string::npos);
  EXPECT_NE(code.status().message().find("tin_shed"), std::string::npos);

  auto dup = EditedDemo([](json::object& o) {
    auto& a = o["value_rates"].as_array();
    a.push_back(a[0]);
  });
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("repeats"), std::string::npos);
  EXPECT_TRUE(HasDevanagari(dup.status().message_hi()));

  auto zero = EditedDemo(
      [](json::object& o) { o["value_rates"].as_array()[3].as_object()["paise_per_sqft"] = 0; });
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.status().message().find("value_rates[3].paise_per_sqft"), std::string::npos);

  auto none = EditedDemo([](json::object& o) { o["value_rates"] = json::array(); });
  ASSERT_FALSE(none.ok());
}

TEST(RateTable, RefusesDatesOutsideTheYearAndFallingSurcharge) {
  auto outside = EditedDemo([](json::object& o) {
    o["surcharge"].as_object()["steps"].as_array()[0].as_object()["from"] = "2027-04-01";
  });
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.status().message().find("surcharge.steps[0].from"), std::string::npos);
  EXPECT_NE(outside.status().message().find("2026-27"), std::string::npos);

  auto deadline =
      EditedDemo([](json::object& o) { o["rebate"].as_object()["deadline"] = "2026-02-30"; });
  ASSERT_FALSE(deadline.ok());
  EXPECT_NE(deadline.status().message().find("rebate.deadline"), std::string::npos);

  auto order = EditedDemo([](json::object& o) {
    auto& steps = o["surcharge"].as_object()["steps"].as_array();
    std::swap(steps[0], steps[1]);
  });
  ASSERT_FALSE(order.ok());
  EXPECT_NE(order.status().message().find("surcharge.steps[1].from"), std::string::npos);

  auto falling = EditedDemo([](json::object& o) {
    o["surcharge"].as_object()["steps"].as_array()[1].as_object()["bp"] = 400;
  });
  ASSERT_FALSE(falling.ok());
  EXPECT_NE(falling.status().message().find("surcharge.steps[1].bp"), std::string::npos);
}

TEST(RateTable, RefusesBadSlabsHeadsAndRounding) {
  auto open_middle = EditedDemo(
      [](json::object& o) { o["samekit_kar"].as_array()[1].as_object().erase("up_to_paise"); });
  ASSERT_FALSE(open_middle.ok());
  EXPECT_NE(open_middle.status().message().find("samekit_kar[1].up_to_paise"), std::string::npos);

  auto closed_last = EditedDemo([](json::object& o) {
    o["samekit_kar"].as_array().back().as_object()["up_to_paise"] = 999999999;
  });
  ASSERT_FALSE(closed_last.ok());

  auto heads = EditedDemo([](json::object& o) {
    o["rebate"].as_object()["heads"] = json::array{"property_tax", "property_tax"};
  });
  ASSERT_FALSE(heads.ok());
  EXPECT_NE(heads.status().message().find("rebate.heads"), std::string::npos);

  auto unknown_head = EditedDemo(
      [](json::object& o) { o["surcharge"].as_object()["heads"] = json::array{"water"}; });
  ASSERT_FALSE(unknown_head.ok());

  auto rounding = EditedDemo([](json::object& o) { o["rounding"] = "bankers"; });
  ASSERT_FALSE(rounding.ok());
  EXPECT_NE(rounding.status().message().find("rupee_half_up"), std::string::npos);

  auto version = EditedDemo([](json::object& o) { o["version"] = 2; });
  ASSERT_FALSE(version.ok());

  auto basis =
      EditedDemo([](json::object& o) { o["education_cess"].as_object()["basis"] = "plot_area"; });
  ASSERT_FALSE(basis.ok());
  EXPECT_NE(basis.status().message().find("education_cess.basis"), std::string::npos);
}

TEST(RateTable, ValidateCatchesTablesBuiltInCode) {
  RateTable t = DemoRateTable(Fy("2026-27"));
  t.value_rates[ValueRateKey{" Zone 1", "rcc", "residential"}] = 100;
  EXPECT_FALSE(ValidateRateTable(t).ok());

  t = DemoRateTable(Fy("2026-27"));
  t.rebate.online_extra_bp = 10000;  // 6.25% + 100% > 100%
  EXPECT_FALSE(ValidateRateTable(t).ok());

  t = DemoRateTable(Fy("2026-27"));
  t.surcharge.steps.clear();  // a ULB may levy no surcharge
  t.rebate.bp = 0;
  t.rebate.online_extra_bp = 0;
  t.rebate.heads.clear();
  EXPECT_TRUE(ValidateRateTable(t).ok());
}

TEST(RateTable, SamekitSlabsIncludeTheirUpperLimit) {
  const RateTable t = DemoRateTable(Fy("2026-27"));
  EXPECT_EQ(t.SamekitKarFor(Rs(0)), Rs(300));
  EXPECT_EQ(t.SamekitKarFor(Rs(6'000)), Rs(300));
  EXPECT_EQ(t.SamekitKarFor(Rs(6'000) + P(1)), Rs(600));
  EXPECT_EQ(t.SamekitKarFor(Rs(50'000)), Rs(1'500));
  EXPECT_EQ(t.SamekitKarFor(Rs(10'00'000)), Rs(3'000));
}

TEST(BasisPointsOf, RoundsHalfUpToTheRupeeOnce) {
  // ₹10,000.50 × 10% = ₹1,000.05 -> ₹1,000; ₹10,005 × 10% = ₹1,000.50 -> ₹1,001.
  EXPECT_EQ(BasisPointsOf(P(10'000'50), 1000, Rounding::kRupeeHalfUp), Rs(1'000));
  EXPECT_EQ(BasisPointsOf(Rs(10'005), 1000, Rounding::kRupeeHalfUp), Rs(1'001));
  EXPECT_EQ(BasisPointsOf(P(10'004'90), 1000, Rounding::kRupeeHalfUp), Rs(1'000));
  // Exactly ₹12.495: the rupee is 12. Rounding to the paisa first (₹12.50) would give 13.
  EXPECT_EQ(BasisPointsOf(P(124'95), 1000, Rounding::kRupeeHalfUp), Rs(12));
  EXPECT_EQ(BasisPointsOf(P(124'95), 1000, Rounding::kPaisa), P(12'50));
  // 6.25% of ₹10,000 = ₹625; 7.25% = ₹725.
  EXPECT_EQ(BasisPointsOf(Rs(10'000), 625, Rounding::kRupeeHalfUp), Rs(625));
  EXPECT_EQ(BasisPointsOf(Rs(10'000), 725, Rounding::kRupeeHalfUp), Rs(725));
  EXPECT_EQ(BasisPointsOf(Rs(5'000), 625, Rounding::kRupeeHalfUp), Rs(313));  // ₹312.50
  EXPECT_EQ(BasisPointsOf(Rs(0), 625, Rounding::kRupeeHalfUp), Rs(0));
}

TEST(Head, CodesAndNamesRoundTrip) {
  for (Head h : kAllHeads) {
    EXPECT_EQ(HeadFromCode(HeadCode(h)), h);
    EXPECT_FALSE(HeadName(h).empty());
    EXPECT_TRUE(HasDevanagari(std::string(HeadNameHi(h))));
  }
  EXPECT_EQ(HeadCode(Head::kSamekitKar), "samekit_kar");
  EXPECT_EQ(HeadNameHi(Head::kPropertyTax), "संपत्ति कर");
  EXPECT_FALSE(HeadFromCode("water").has_value());
}

}  // namespace
}  // namespace palika::property_tax
