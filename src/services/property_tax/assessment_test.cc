#include "services/property_tax/assessment.h"

#include <gtest/gtest.h>

#include "core/json.h"

namespace palika::property_tax {
namespace {

FinancialYear Fy(std::string_view s) { return FinancialYear::Parse(s).value(); }
Money Rs(int64_t rupees) { return Money::FromRupees(rupees); }
Money P(int64_t paise) { return Money::FromPaise(paise); }

bool HasDevanagari(const std::string& s) { return s.find("\xE0\xA4") != std::string::npos; }

// A table with one value rate, for rounding cases.
RateTable OneRateTable(int64_t paise_per_sqft) {
  RateTable t = DemoRateTable(Fy("2026-27"));
  t.value_rates = {{ValueRateKey{"Zone 1", "rcc", "residential"}, paise_per_sqft}};
  return t;
}

TEST(Assessment, WorkedExampleSelfOccupiedHouse) {
  // 1,000 sq ft RCC house in Zone 1, self-occupied: ₹24 a sq ft -> annual value ₹24,000.
  const RateTable t = DemoRateTable(Fy("2026-27"));
  auto a = Assess({"Zone 1", 0, {{0, 1000, "rcc", "residential", "self"}}}, t);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->fy, Fy("2026-27"));
  ASSERT_EQ(a->floors.size(), 1u);
  EXPECT_EQ(a->floors[0].rate_paise_per_sqft, 2400);
  EXPECT_EQ(a->floors[0].base_value, Rs(24'000));
  EXPECT_EQ(a->floors[0].occupancy_multiplier_bp, 10000);
  EXPECT_EQ(a->annual_value, Rs(24'000));
  EXPECT_EQ(a->Amount(Head::kPropertyTax), Rs(2'400));         // 10%
  EXPECT_EQ(a->Amount(Head::kSamekitKar), Rs(900));            // slab up to ₹24,000
  EXPECT_EQ(a->Amount(Head::kEducationCess), Rs(480));         // 2% of annual value
  EXPECT_EQ(a->Amount(Head::kUrbanDevelopmentCess), Rs(240));  // 1% of annual value
  EXPECT_EQ(a->total, Rs(4'020));
  ASSERT_EQ(a->heads.size(), 4u);
  for (size_t i = 0; i < kAllHeads.size(); ++i) EXPECT_EQ(a->heads[i].head, kAllHeads[i]);
  EXPECT_EQ(a->heads[0].bp, 1000);
  EXPECT_EQ(a->heads[0].basis, Rs(24'000));
}

TEST(Assessment, RentedShopAndHouseAboveWithPerFloorWorkings) {
  const RateTable t = DemoRateTable(Fy("2026-27"));
  AssessmentInput in{
      "Zone 2",
      0,
      {{0, 800, "rcc", "commercial_shop", "rented"}, {1, 800, "rbc", "residential", "self"}}};
  auto a = Assess(in, t);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->floors.size(), 2u);
  // Ground: ₹54 × 800 = ₹43,200, rented × 1.5 = ₹64,800.
  EXPECT_EQ(a->floors[0].rate_paise_per_sqft, 5400);
  EXPECT_EQ(a->floors[0].base_value, Rs(43'200));
  EXPECT_EQ(a->floors[0].occupancy_multiplier_bp, 15000);
  EXPECT_EQ(a->floors[0].annual_value, Rs(64'800));
  // First: RBC residential ₹14.40 × 800 = ₹11,520.
  EXPECT_EQ(a->floors[1].rate_paise_per_sqft, 1440);
  EXPECT_EQ(a->floors[1].annual_value, Rs(11'520));
  EXPECT_EQ(a->annual_value, Rs(76'320));
  EXPECT_EQ(a->Amount(Head::kPropertyTax), Rs(7'632));
  EXPECT_EQ(a->Amount(Head::kSamekitKar), Rs(3'000));
  EXPECT_EQ(a->Amount(Head::kEducationCess), Rs(1'526));       // ₹1,526.40
  EXPECT_EQ(a->Amount(Head::kUrbanDevelopmentCess), Rs(763));  // ₹763.20
  EXPECT_EQ(a->total, Rs(12'921));
}

TEST(Assessment, EachHeadRoundsHalfUpToTheRupee) {
  // Annual value ₹10,005: property tax 10% = ₹1,000.50 -> ₹1,001.
  auto up = Assess({"Zone 1", 0, {{0, 1, "rcc", "residential", "self"}}}, OneRateTable(10'005'00));
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->Amount(Head::kPropertyTax), Rs(1'001));
  EXPECT_EQ(up->Amount(Head::kEducationCess), Rs(200));  // ₹200.10
  // ₹10,004.90: ₹1,000.49 -> ₹1,000.
  auto down =
      Assess({"Zone 1", 0, {{0, 1, "rcc", "residential", "self"}}}, OneRateTable(10'004'90));
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(down->Amount(Head::kPropertyTax), Rs(1'000));
  // Exactly ₹12.495 rounds once, to ₹12 (not ₹12.50 and then ₹13).
  auto once = Assess({"Zone 1", 0, {{0, 1, "rcc", "residential", "self"}}}, OneRateTable(124'95));
  ASSERT_TRUE(once.ok());
  EXPECT_EQ(once->Amount(Head::kPropertyTax), Rs(12));
}

TEST(Assessment, PaisaRoundingAndCessOnPropertyTax) {
  RateTable t = OneRateTable(10'005'00);
  t.rounding = Rounding::kPaisa;
  t.education_cess = {1000, CessBasis::kPropertyTax};  // 10% of the property tax
  auto a = Assess({"Zone 1", 0, {{0, 1, "rcc", "residential", "self"}}}, t);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->Amount(Head::kPropertyTax), P(1'000'50));
  EXPECT_EQ(a->heads[2].basis, P(1'000'50));
  EXPECT_EQ(a->Amount(Head::kEducationCess), P(100'05));
}

TEST(Assessment, RentedMultiplierRoundsToThePaisa) {
  RateTable t = OneRateTable(1);  // 1 paisa a sq ft
  t.rented_multiplier_bp = 15000;
  auto a = Assess({"Zone 1", 0, {{2, 3, "rcc", "residential", "rented"}}}, t);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->floors[0].base_value, P(3));
  EXPECT_EQ(a->floors[0].annual_value, P(5));  // 4.5 paise, half up
}

TEST(Assessment, VacantPlotIsValuedAtTheLandRate) {
  const RateTable t = DemoRateTable(Fy("2026-27"));
  auto a = Assess({"Zone 1", 1500, {}}, t);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->floors.empty());
  EXPECT_EQ(a->plot_area_sqft, 1500);
  EXPECT_EQ(a->vacant_land_rate_paise_per_sqft, 400);
  EXPECT_EQ(a->annual_value, Rs(6'000));
  EXPECT_EQ(a->Amount(Head::kPropertyTax), Rs(600));
  EXPECT_EQ(a->Amount(Head::kSamekitKar), Rs(300));

  auto no_area = Assess({"Zone 1", 0, {}}, t);
  ASSERT_FALSE(no_area.ok());
  EXPECT_EQ(no_area.status().code(), "invalid_plot_area");
  EXPECT_TRUE(HasDevanagari(no_area.status().message_hi()));

  auto no_rate = Assess({"Zone 7", 1500, {}}, t);
  ASSERT_FALSE(no_rate.ok());
  EXPECT_EQ(no_rate.status().code(), "vacant_land_rate_missing");
  EXPECT_NE(no_rate.status().message().find("Zone 7"), std::string::npos);
}

TEST(Assessment, MissingValueRateNamesTheFloorZoneAndUseInBothLanguages) {
  RateTable t = DemoRateTable(Fy("2026-27"));
  t.value_rates.erase(ValueRateKey{"Zone 2", "tin_shed", "industrial"});
  auto a =
      Assess({"Zone 2",
              0,
              {{0, 500, "rcc", "residential", "self"}, {1, 200, "tin_shed", "industrial", "self"}}},
             t);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), "value_rate_missing");
  EXPECT_EQ(a.status().kind(), StatusKind::kInvalidArgument);
  const std::string& en = a.status().message();
  EXPECT_NE(en.find("Floor entry 2 (floor 1)"), std::string::npos) << en;
  EXPECT_NE(en.find("Zone 2"), std::string::npos);
  EXPECT_NE(en.find("tin_shed"), std::string::npos);
  EXPECT_NE(en.find("industrial"), std::string::npos);
  EXPECT_NE(en.find("2026-27"), std::string::npos);
  const std::string& hi = a.status().message_hi();
  EXPECT_NE(hi.find("मूल्य दर नहीं है"), std::string::npos) << hi;
  EXPECT_NE(hi.find("तल 1"), std::string::npos);
}

TEST(Assessment, RefusesBadFloors) {
  const RateTable t = DemoRateTable(Fy("2026-27"));
  auto area = Assess({"Zone 1", 0, {{-1, 0, "rcc", "residential", "self"}}}, t);
  ASSERT_FALSE(area.ok());
  EXPECT_EQ(area.status().code(), "invalid_floor");
  EXPECT_NE(area.status().message().find("basement 1"), std::string::npos);
  EXPECT_NE(area.status().message_hi().find("तलघर 1"), std::string::npos);

  auto construction = Assess({"Zone 1", 0, {{0, 10, "steel", "residential", "self"}}}, t);
  ASSERT_FALSE(construction.ok());
  EXPECT_EQ(construction.status().code(), "invalid_floor");
  EXPECT_NE(construction.status().message().find("kachcha"), std::string::npos);

  auto occupancy = Assess({"Zone 1", 0, {{0, 10, "rcc", "residential", "leased"}}}, t);
  ASSERT_FALSE(occupancy.ok());
  EXPECT_TRUE(HasDevanagari(occupancy.status().message_hi()));

  auto zone = Assess({"", 0, {{0, 10, "rcc", "residential", "self"}}}, t);
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.status().code(), "invalid_zone");

  std::vector<FloorInput> many(kMaxReturnFloors + 1,
                               FloorInput{0, 10, "rcc", "residential", "self"});
  auto too_many = Assess({"Zone 1", 0, many}, t);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.status().code(), "too_many_floors");
}

TEST(Assessment, HugeAreasAtTheHighestRateStayExact) {
  RateTable t = OneRateTable(kMaxValueRatePaise);
  t.rented_multiplier_bp = 100000;
  std::vector<FloorInput> floors(kMaxReturnFloors,
                                 FloorInput{0, kMaxAreaSqft, "rcc", "residential", "rented"});
  auto a = Assess({"Zone 1", 0, floors}, t);
  ASSERT_FALSE(a.ok());  // refused, never overflowed
  EXPECT_EQ(a.status().code(), "annual_value_too_large");
}

TEST(Assessment, JsonIsCanonicalSafe) {
  const RateTable t = DemoRateTable(Fy("2026-27"));
  auto a = Assess({"Zone 3", 0, {{0, 1234, "kachcha", "mixed", "rented"}}}, t);
  ASSERT_TRUE(a.ok());
  auto text = CanonicalJson(AssessmentToJson(*a));
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_NE(text->find("\"annual_value_paise\":"), std::string::npos);
  EXPECT_NE(text->find("\"head\":\"samekit_kar\""), std::string::npos);
}

}  // namespace
}  // namespace palika::property_tax
