// Billing: the tables and reads the payments service builds on (account, advance, rate tables,
// outages, waiver schemes, PropertyDues) and ApplyAllocation, on a scratch database with the
// billing schema.

#include "services/property_tax/billing.h"

#include <gtest/gtest.h>

#include "core/json.h"
#include "services/property_tax/register.h"
#include "store/sqlite/database.h"

namespace palika::property_tax {
namespace {

namespace json = boost::json;

FinancialYear Fy(std::string_view s) { return *FinancialYear::Parse(s); }
CivilDate D(std::string_view s) { return *CivilDate::Parse(s); }
Money Rs(int64_t rupees) { return Money::FromRupees(rupees); }

// A scratch database with the register's and billing's tables, written to directly (as apply
// would) so the reads can be checked on their own.
class BillingTables : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger::Projections p;
    RegisterPropertyProjections(p);
    RegisterBillingProjections(p);
    auto db = store::sqlite::Database::Open("", {.create = true, .in_memory = true});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(p.CreateSchema(*db_).ok());
    ASSERT_TRUE(
        db_->Exec("INSERT INTO properties(id, num, ward, zone, address, address_hi,"
                  " plot_area_sqft, version, registered_us, updated_us, search_text)"
                  " VALUES ('03-000001', 3000001, 3, 'Zone 2', 'a', 'अ', 1200, 1, 0, 0, '')")
            .ok());
    SetRates(Fy("2025-26"));
    SetRates(Fy("2026-27"));
  }

  void SetRates(FinancialYear fy) {
    auto text = CanonicalJson(RateTableToJson(DemoRateTable(fy)));
    ASSERT_TRUE(text.ok());
    ASSERT_TRUE(db_->Exec("INSERT INTO pt_rate_tables(fy, version, table_json, reason, actor,"
                          " set_us) VALUES (?, 1, ?, 'demo', 'usr_test', 0)",
                          {fy.Format(), *text})
                    .ok());
  }

  void Demand(std::string_view fy, std::string_view head, int64_t rupees) {
    ASSERT_TRUE(db_->Exec("INSERT INTO pt_account VALUES ('03-000001', ?, ?, ?, 0, 0, 0, 0, 0)",
                          {std::string(fy), std::string(head), rupees * 100})
                    .ok());
  }

  Dues MustDues(std::string_view on, bool online = false) {
    auto d = PropertyDues(*db_, "03-000001", D(on), online);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? *d : Dues{};
  }

  std::unique_ptr<store::sqlite::Database> db_;
};

TEST_F(BillingTables, AccountIsOldestYearFirstInBillOrder) {
  Demand("2026-27", "urban_development_cess", 100);
  Demand("2026-27", "property_tax", 10000);
  Demand("2025-26", "samekit_kar", 300);
  Demand("2025-26", "property_tax", 9000);
  auto account = LoadAccount(*db_, "03-000001");
  ASSERT_TRUE(account.ok()) << account.status().ToString();
  ASSERT_EQ(account->size(), 4u);
  EXPECT_EQ((*account)[0].fy, Fy("2025-26"));
  EXPECT_EQ((*account)[0].head, Head::kPropertyTax);
  EXPECT_EQ((*account)[1].head, Head::kSamekitKar);
  EXPECT_EQ((*account)[2].fy, Fy("2026-27"));
  EXPECT_EQ((*account)[2].head, Head::kPropertyTax);
  EXPECT_EQ((*account)[2].demanded, Rs(10000));
  EXPECT_EQ((*account)[3].head, Head::kUrbanDevelopmentCess);
  EXPECT_TRUE(LoadAccount(*db_, "03-000002")->empty());
  EXPECT_EQ(*LoadAdvance(*db_, "03-000001"), Money());
}

TEST_F(BillingTables, RateTablesReadBackEqual) {
  auto all = LoadRateTables(*db_);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0], DemoRateTable(Fy("2025-26")));
  EXPECT_EQ((*all)[1], DemoRateTable(Fy("2026-27")));
  EXPECT_EQ(**LoadRateTable(*db_, Fy("2026-27")), DemoRateTable(Fy("2026-27")));
  EXPECT_FALSE(LoadRateTable(*db_, Fy("2027-28"))->has_value());
}

TEST_F(BillingTables, ARateTableAlteredOutsideTheLedgerIsCorruption) {
  ASSERT_TRUE(db_->Exec("UPDATE pt_rate_tables SET table_json = '{}' WHERE fy = '2026-27'").ok());
  auto all = LoadRateTables(*db_);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().kind(), StatusKind::kCorruption);
  EXPECT_NE(all.status().message().find("2026-27"), std::string::npos);
}

// DOMAIN.md's demo figures: 6.25% rebate by 30 June (+1% online), 5% surcharge from 1 January,
// 10% from 1 February, on ₹10,000 of current-year property tax.
TEST_F(BillingTables, DuesFollowTheDemoRebateAndSurcharge) {
  Demand("2026-27", "property_tax", 10000);
  Demand("2026-27", "samekit_kar", 600);
  EXPECT_EQ(MustDues("2026-06-30").net, Rs(10600 - 625));
  EXPECT_EQ(MustDues("2026-06-30", true).net, Rs(10600 - 725));
  EXPECT_EQ(MustDues("2026-07-01").net, Rs(10600));
  EXPECT_EQ(MustDues("2027-01-01").net, Rs(10600 + 500));
  EXPECT_EQ(MustDues("2027-02-01").net, Rs(10600 + 1000));
}

TEST_F(BillingTables, OutagesAndWaiversAreRead) {
  Demand("2026-27", "property_tax", 10000);
  // 21 Dec – 15 Jan (26 days): the 1 January step takes effect on 27 January.
  ASSERT_TRUE(db_->Exec("INSERT INTO pt_outages VALUES ('out_1', '2026-12-21', '2027-01-15',"
                        " 'cyber attack', 0)")
                  .ok());
  auto outages = LoadOutages(*db_);
  ASSERT_TRUE(outages.ok());
  ASSERT_EQ(outages->size(), 1u);
  EXPECT_EQ((*outages)[0], (Outage{D("2026-12-21"), D("2027-01-15")}));
  EXPECT_EQ(MustDues("2027-01-26").surcharge, Money());
  EXPECT_EQ(MustDues("2027-01-27").surcharge, Rs(500));

  const WaiverScheme lok = LokAdalatWaiverScheme("Lok Adalat", D("2027-03-09"), D("2027-03-09"));
  auto text = CanonicalJson(WaiverSchemeToJson(lok));
  ASSERT_TRUE(db_->Exec("INSERT INTO pt_waiver_schemes VALUES (1, 'Lok Adalat', '2027-03-09',"
                        " '2027-03-09', ?, 'usr_test', 0)",
                        {*text})
                  .ok());
  EXPECT_FALSE(WaiverSchemeOn(*db_, D("2027-03-08"))->has_value());
  EXPECT_EQ(**WaiverSchemeOn(*db_, D("2027-03-09")), lok);
  const Dues on_the_day = MustDues("2027-03-09");
  EXPECT_EQ(on_the_day.waiver, Rs(1000));  // all of the surcharge: tax + surcharge <= ₹50,000
  EXPECT_EQ(on_the_day.net, Rs(10000));
}

TEST_F(BillingTables, DuesOfAnUnknownPropertyIsNotFound) {
  auto d = PropertyDues(*db_, "03-000099", D("2026-06-01"), false);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), "property_not_found");
  EXPECT_NE(d.status().message_hi().find("संपत्ति"), std::string::npos);
}

TEST_F(BillingTables, DuesWithoutTheYearsRateTableSaySo) {
  Demand("2024-25", "property_tax", 8000);
  auto d = PropertyDues(*db_, "03-000001", D("2026-06-01"), false);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), "rate_table_missing");
}

TEST_F(BillingTables, ApplyAllocationPostsAndAReversalTakesItBack) {
  Demand("2025-26", "property_tax", 9000);
  Demand("2026-27", "property_tax", 10000);
  const Dues dues = MustDues("2026-06-15");
  auto alloc = Allocate(dues, dues.net + Rs(250));  // in full, with ₹250 over
  ASSERT_TRUE(alloc.ok()) << alloc.status().ToString();
  ASSERT_TRUE(alloc->settled_in_full);
  ASSERT_TRUE(ApplyAllocation(*db_, "03-000001", *alloc, +1).ok());
  EXPECT_EQ(MustDues("2026-06-15").net, Money());
  EXPECT_EQ(*LoadAdvance(*db_, "03-000001"), Rs(250));
  auto account = *LoadAccount(*db_, "03-000001");
  EXPECT_EQ(account[1].rebate_granted, Rs(625));
  EXPECT_EQ(account[1].principal_paid, Rs(9375));
  // The arrear bore its year's last surcharge (10%).
  EXPECT_EQ(account[0].surcharge_paid, Rs(900));

  ASSERT_TRUE(ApplyAllocation(*db_, "03-000001", *alloc, -1).ok());
  EXPECT_EQ(MustDues("2026-06-15"), dues);
  EXPECT_EQ(*LoadAdvance(*db_, "03-000001"), Money());
  auto rows = db_->Query("SELECT * FROM pt_advance");
  EXPECT_TRUE(rows->empty());
}

TEST_F(BillingTables, ApplyAllocationRefusesWhatDoesNotFitAndWritesNothing) {
  Demand("2026-27", "property_tax", 10000);
  const Dues dues = MustDues("2026-08-01");
  auto part = Allocate(dues, Rs(4000));
  ASSERT_TRUE(part.ok());
  // Taking back a payment never made would make the account negative.
  Status s = ApplyAllocation(*db_, "03-000001", *part, -1);
  EXPECT_EQ(s.kind(), StatusKind::kCorruption);
  EXPECT_NE(s.message().find("03-000001"), std::string::npos);
  // A line for a year with no demand.
  Allocation other = *part;
  other.lines[0].fy = Fy("2024-25");
  EXPECT_EQ(ApplyAllocation(*db_, "03-000001", other, +1).kind(), StatusKind::kCorruption);
  // More settled than demanded.
  Allocation too_much = *part;
  too_much.lines[0].principal = Rs(10001);
  EXPECT_EQ(ApplyAllocation(*db_, "03-000001", too_much, +1).kind(), StatusKind::kCorruption);
  // An advance taken back that was never there.
  Allocation advance;
  advance.on = D("2026-08-01");
  advance.amount = Rs(5);
  advance.advance = Rs(5);
  EXPECT_EQ(ApplyAllocation(*db_, "03-000001", advance, -1).kind(), StatusKind::kCorruption);
  EXPECT_EQ(MustDues("2026-08-01"), dues);
  EXPECT_EQ(*LoadAdvance(*db_, "03-000001"), Money());
}

}  // namespace
}  // namespace palika::property_tax
