// Billing: the tables and reads the payments service builds on (account, advance, rate tables,
// outages, waiver schemes, PropertyDues) and ApplyAllocation, on a scratch database with the
// billing schema.

#include "services/property_tax/billing.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <map>
#include <thread>

#include "core/json.h"
#include "ledger/migrations.h"
#include "ledger/verify.h"
#include "services/accounts/journal.h"
#include "services/property_tax/demand.h"
#include "services/property_tax/property_samples.h"
#include "services/property_tax/property_testing.h"
#include "services/property_tax/register.h"
#include "services/registry/registry.h"
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

  void SetUp2627Again() {
    auto text = CanonicalJson(RateTableToJson(DemoRateTable(Fy("2026-27"))));
    ASSERT_TRUE(text.ok());
    ASSERT_TRUE(
        db_->Exec("UPDATE pt_rate_tables SET table_json = ? WHERE fy = '2026-27'", {*text}).ok());
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
  ASSERT_EQ((*all)->size(), 2u);
  EXPECT_EQ((**all)[0], DemoRateTable(Fy("2025-26")));
  EXPECT_EQ((**all)[1], DemoRateTable(Fy("2026-27")));
  EXPECT_EQ(**LoadRateTable(*db_, Fy("2026-27")), DemoRateTable(Fy("2026-27")));
  EXPECT_FALSE(LoadRateTable(*db_, Fy("2027-28"))->has_value());
}

// The parsed tables are cached by each row's (fy, version, set_us), but a cached table is used only
// while the stored text is the one it was parsed from: a table a rolled-back command wrote, or
// another database's table under the same year, version and time, is read afresh.
TEST_F(BillingTables, RateTablesAreReadAfreshWhenTheirTextChanges) {
  ASSERT_TRUE(LoadRateTables(*db_).ok());
  RateTable changed = DemoRateTable(Fy("2026-27"));
  changed.rebate.bp = 500;
  auto text = CanonicalJson(RateTableToJson(changed));
  ASSERT_TRUE(text.ok());
  ASSERT_TRUE(
      db_->Exec("UPDATE pt_rate_tables SET table_json = ? WHERE fy = '2026-27'", {*text}).ok());
  auto all = LoadRateTables(*db_);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ((*all)->size(), 2u);
  EXPECT_EQ((**all)[0], DemoRateTable(Fy("2025-26")));
  EXPECT_EQ((**all)[1], changed);
  Demand("2026-27", "property_tax", 10000);
  EXPECT_EQ(MustDues("2026-06-30").rebate, Rs(500));
  // Back to the first text: the first tables again.
  SetUp2627Again();
  EXPECT_EQ((**LoadRateTables(*db_))[1], DemoRateTable(Fy("2026-27")));
  EXPECT_EQ(MustDues("2026-06-30").rebate, Rs(625));
}

TEST_F(BillingTables, ARateTableAlteredOutsideTheLedgerIsCorruption) {
  ASSERT_TRUE(LoadRateTables(*db_).ok());  // cached before the change: still not used after it
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

// An apply runs inside the command's savepoint on the writer (a replay stops at a failed entry):
// a refused allocation is rolled back with it, and the account is as it was.
TEST_F(BillingTables, ApplyAllocationRefusesWhatDoesNotFitAndIsRolledBack) {
  auto apply = [&](const Allocation& a, int sign) {
    EXPECT_TRUE(db_->Savepoint("entry").ok());
    Status s = ApplyAllocation(*db_, "03-000001", a, sign);
    EXPECT_TRUE(s.ok() ? db_->ReleaseSavepoint("entry").ok()
                       : db_->RollbackToSavepoint("entry").ok());
    return s;
  };
  Demand("2026-27", "property_tax", 10000);
  const Dues dues = MustDues("2026-08-01");
  auto part = Allocate(dues, Rs(4000));
  ASSERT_TRUE(part.ok());
  // Taking back a payment never made would make the account negative.
  Status s = apply(*part, -1);
  EXPECT_EQ(s.kind(), StatusKind::kCorruption);
  EXPECT_NE(s.message().find("03-000001"), std::string::npos);
  // A line for a year with no demand.
  Allocation other = *part;
  other.lines[0].fy = Fy("2024-25");
  EXPECT_EQ(apply(other, +1).kind(), StatusKind::kCorruption);
  // More settled than demanded.
  Allocation too_much = *part;
  too_much.lines[0].principal = Rs(10001);
  EXPECT_EQ(apply(too_much, +1).kind(), StatusKind::kCorruption);
  // An advance taken back that was never there.
  Allocation advance;
  advance.on = D("2026-08-01");
  advance.amount = Rs(5);
  advance.advance = Rs(5);
  EXPECT_EQ(apply(advance, -1).kind(), StatusKind::kCorruption);
  EXPECT_EQ(MustDues("2026-08-01"), dues);
  EXPECT_EQ(*LoadAdvance(*db_, "03-000001"), Money());
}

// ---------------------------------------------------------------------------------------------
// Through real ledgers: a data directory with the state ledger and ULB 0152 (wards 1, 3, 12 in
// zones 1-3), the register and billing.

namespace fs = std::filesystem;
using test::kUlb;

constexpr char kAdvanceTest[] = "test.advance";

// The ULB tables of the test, plus one test-only event that gives a property an advance (as a
// payment of the payments service would).
const ledger::Projections& UlbTables() {
  static const ledger::Projections p = [] {
    ledger::Projections p;
    registry::RegisterUlbProjections(p);
    RegisterPropertyProjections(p);
    RegisterBillingProjections(p);
    accounts::RegisterAccountsProjections(p);
    p.OnEvent(kAdvanceTest, [](store::Transaction& tx, const ledger::Entry& e) -> Status {
      const json::object o = json::parse(e.payload).as_object();
      Allocation a;
      a.on = D("2026-04-01");
      a.amount = Money::FromPaise(o.at("paise").as_int64());
      a.advance = a.amount;
      return ApplyAllocation(tx, std::string(o.at("property_id").as_string()), a, +1);
    });
    return p;
  }();
  return p;
}

const ledger::Projections& StateTables() {
  static const ledger::Projections p = [] {
    ledger::Projections p;
    registry::RegisterStateProjections(p);
    RegisterBillingStateProjections(p);
    return p;
  }();
  return p;
}

class BillingLedger : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("palika-billing-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    ASSERT_TRUE(ledger::InitDataDir(dir_).ok());
    Open();
    registry::Registry reg(*ledgers_);
    ASSERT_TRUE(reg.AddUlb("test", {kUlb, "Indore", "इंदौर", "corporation", "Indore"}).ok());
    ASSERT_TRUE(reg.AddUlb("test", {"0269", "Bhopal", "भोपाल", "corporation", "Bhopal"}).ok());
    for (auto [n, name, hi, zone] :
         {std::tuple{1, "Sirpur", "सिरपुर", "Zone 1"}, std::tuple{3, "Rajwada", "राजवाड़ा", "Zone 2"},
          std::tuple{12, "Palasia", "पलासिया", "Zone 3"}}) {
      ASSERT_TRUE(reg.AddWard("test", kUlb, {n, name, hi, zone}).ok());
    }
  }

  // `count` sample properties for ULB 0152 and, in the same wards (added to it here), for 0269:
  // for tests that raise the same register two ways and compare.
  std::vector<PropertyDetails> SamplesForBothUlbs(int count) {
    registry::Registry reg(*ledgers_);
    std::vector<SampleWard> wards;
    for (auto [n, name, hi, zone] :
         {std::tuple{1, "Sirpur", "सिरपुर", "Zone 1"}, std::tuple{3, "Rajwada", "राजवाड़ा", "Zone 2"},
          std::tuple{12, "Palasia", "पलासिया", "Zone 3"}}) {
      EXPECT_TRUE(reg.AddWard("test", "0269", {n, name, hi, zone}).ok());
      wards.push_back({n, name, hi});
    }
    PropertySamples samples(152, wards);
    std::vector<PropertyDetails> details;
    for (int i = 0; i < count; ++i) details.push_back(samples.Next());
    return details;
  }

  void Open() {
    auto set = ledger::LedgerSet::Open(dir_, StateTables(), UlbTables(), nullptr);
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    ledgers_ = std::move(*set);
    billing_ = std::make_unique<Billing>(*ledgers_);
  }

  void TearDown() override {
    billing_.reset();
    if (ledgers_) ledgers_->Close();
    ledgers_.reset();
    fs::remove_all(dir_);
  }

  std::string Register(const PropertyDetails& d = test::Sample()) {
    auto r = PropertyRegister(*ledgers_).Register(kUlb, {"usr_test", "", ""}, d);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : "";
  }

  void MustSetRates(std::string_view fy) {
    auto r = billing_->SetRates(kUlb, ctx_, DemoRateTable(Fy(fy)), "Resolution 12/2026");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  uint64_t Entries(const std::string& ulb = kUlb) { return (*ledgers_->Ulb(ulb))->size(); }

  Dues MustDues(const std::string& id, std::string_view on) {
    auto d = billing_->DuesOf(kUlb, id, D(on), false);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? *d : Dues{};
  }

  // `palika verify`'s full check of a ledger file: replaying it rebuilds every table exactly.
  void ExpectReplayMatches(const std::string& ulb, const fs::path& file,
                           const ledger::Projections& tables) {
    std::ifstream pub(dir_ / "node.pub");
    std::string key;
    std::getline(pub, key);
    auto verifier = ledger::NoteVerifier::Parse(key);
    ASSERT_TRUE(verifier.ok());
    auto config = ledger::ReadDataDirConfig(dir_);
    ASSERT_TRUE(config.ok());
    auto report = ledger::VerifyLedgerFile(file, ulb, config->node, tables, *verifier);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->ok()) << report->problems.front();
    EXPECT_GT(report->rows_compared, 0u);
  }

  void CloseAndVerify() {
    billing_.reset();
    ledgers_->Close();
    ExpectReplayMatches(kUlb, dir_ / "ulb" / "0152.db", UlbTables());
    ExpectReplayMatches("state", dir_ / "state.db", StateTables());
  }

  fs::path dir_;
  std::unique_ptr<ledger::LedgerSet> ledgers_;
  std::unique_ptr<Billing> billing_;
  WriteContext ctx_{"usr_test", "", ""};
};

TEST_F(BillingLedger, RatesGetANewVersionOnlyWhenTheyChange) {
  auto first = billing_->SetRates(kUlb, ctx_, DemoRateTable(Fy("2026-27")), "Resolution 12");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->version, 1);
  EXPECT_TRUE(first->changed);
  const uint64_t n = Entries();
  auto same = billing_->SetRates(kUlb, ctx_, DemoRateTable(Fy("2026-27")), "again");
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->changed);
  EXPECT_EQ(same->version, 1);
  EXPECT_EQ(Entries(), n);

  RateTable raised = DemoRateTable(Fy("2026-27"));
  raised.property_tax_bp = 800;
  auto second = billing_->SetRates(kUlb, ctx_, raised, "संकल्प 14: कर दर 8%");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->version, 2);
  auto got = billing_->GetRates(kUlb, Fy("2026-27"));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->table, raised);
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(got->reason, "संकल्प 14: कर दर 8%");
  EXPECT_EQ(billing_->GetRates(kUlb, Fy("2027-28")).status().code(), "rate_table_missing");
  CloseAndVerify();
}

TEST_F(BillingLedger, BadRatesAreRefusedAndNothingIsWritten) {
  const uint64_t n = Entries();
  RateTable bad = DemoRateTable(Fy("2026-27"));
  bad.surcharge.steps[1].from = D("2026-12-01");  // before the first step
  auto r = billing_->SetRates(kUlb, ctx_, bad, "x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), StatusKind::kInvalidArgument);
  EXPECT_NE(r.status().message_hi(), r.status().message());
  auto blank = billing_->SetRates(kUlb, ctx_, DemoRateTable(Fy("2026-27")), "  ");
  EXPECT_EQ(blank.status().code(), "invalid_field");
  EXPECT_EQ(Entries(), n);
}

TEST_F(BillingLedger, ARetriedRateChangeGetsTheSameAnswer) {
  WriteContext keyed{"usr_test", "key-1", "hash-1"};
  auto a = billing_->SetRates(kUlb, keyed, DemoRateTable(Fy("2026-27")), "Resolution 12");
  ASSERT_TRUE(a.ok());
  const uint64_t n = Entries();
  auto b = billing_->SetRates(kUlb, keyed, DemoRateTable(Fy("2026-27")), "Resolution 12");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->replayed);
  EXPECT_EQ(b->version, 1);
  EXPECT_EQ(Entries(), n);
}

TEST_F(BillingLedger, AReturnIsPricedFromTheRegisterAndARevisionSupersedesIt) {
  const std::string id = Register();
  ReturnInput in{id, Fy("2026-27"), "owner", std::nullopt, std::nullopt};
  EXPECT_EQ(billing_->FileReturn(kUlb, ctx_, in).status().code(), "rate_table_missing");
  MustSetRates("2026-27");
  auto first = billing_->FileReturn(kUlb, ctx_, in);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->revision, 1);
  EXPECT_EQ(first->assessment.at("zone").as_string(), "Zone 2");
  EXPECT_EQ(first->assessment.at("floors").as_array().size(), 2u);

  // The owner revises: only the ground floor, self-occupied.
  in.floors = std::vector<FloorInput>{{0, 900, "rcc", "residential", "self"}};
  in.filed_by = "staff";
  auto second = billing_->FileReturn(kUlb, ctx_, in);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->revision, 2);
  EXPECT_LT(second->assessment.at("total_paise").as_int64(),
            first->assessment.at("total_paise").as_int64());
  auto all = billing_->Returns(kUlb, id, Fy("2026-27"));
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].filed_by, "staff");

  // Demand follows the latest revision.
  auto run = RaiseDemand(*ledgers_, kUlb, "usr_test", Fy("2026-27"));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->raised, 1);
  EXPECT_EQ(run->total.paise(), second->assessment.at("total_paise").as_int64());
  // And once raised, the year's return can no longer change it.
  auto late = billing_->FileReturn(kUlb, ctx_, in);
  EXPECT_EQ(late.status().code(), "demand_already_raised");
  EXPECT_NE(late.status().message_hi().find("माँग"), std::string::npos);
  CloseAndVerify();
}

TEST_F(BillingLedger, BadReturnsSayWhatIsWrong) {
  const std::string id = Register();
  MustSetRates("2026-27");
  const uint64_t n = Entries();
  ReturnInput in{id, Fy("2026-27"), "tenant", std::nullopt, std::nullopt};
  EXPECT_EQ(billing_->FileReturn(kUlb, ctx_, in).status().code(), "invalid_field");
  in.filed_by = "owner";
  in.zone = "Zone 9";
  EXPECT_EQ(billing_->FileReturn(kUlb, ctx_, in).status().code(), "value_rate_missing");
  in.zone.reset();
  in.property_id = "03-000999";
  EXPECT_EQ(billing_->FileReturn(kUlb, ctx_, in).status().code(), "property_not_found");
  EXPECT_EQ(Entries(), n);
}

TEST_F(BillingLedger, DemandIsRaisedOnceInBatchesAndListsWhatItCouldNotPrice) {
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(Register(test::Sample(i % 2 ? 3 : 12)));
  PropertyDetails odd = test::Sample(1);
  odd.zone = "Zone 7";  // the demo table has no rates for it
  const std::string unpriced = Register(odd);
  EXPECT_EQ(RaiseDemand(*ledgers_, kUlb, "usr_test", Fy("2026-27")).status().code(),
            "rate_table_missing");
  MustSetRates("2026-27");

  std::vector<std::pair<int64_t, int64_t>> progress;
  DemandOptions options;
  options.batch = 3;
  options.progress = [&](int64_t done, int64_t total) { progress.emplace_back(done, total); };
  auto run = RaiseDemand(*ledgers_, kUlb, "usr_test", Fy("2026-27"), options);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->properties, 8);
  EXPECT_EQ(run->raised, 7);
  EXPECT_EQ(run->failed, 1);
  ASSERT_EQ(run->failures.size(), 1u);
  EXPECT_EQ(run->failures[0].property_id, unpriced);
  EXPECT_EQ(run->failures[0].why.code(), "value_rate_missing");
  ASSERT_EQ(progress.size(), 3u);
  EXPECT_EQ(progress.back(), std::make_pair(int64_t{8}, int64_t{8}));

  auto p = GetDemandProgress(*ledgers_, kUlb, Fy("2026-27"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->properties, 8);
  EXPECT_EQ(p->raised, 7);
  EXPECT_EQ(p->total, run->total);

  const uint64_t n = Entries();
  auto again = RaiseDemand(*ledgers_, kUlb, "usr_test", Fy("2026-27"), options);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->raised, 0);
  EXPECT_EQ(again->already_raised, 7);
  EXPECT_EQ(Entries(), n);  // nothing written

  // Every demanded property owes its bill; the register figure, priced by Assess.
  auto assessed = Assess(
      {"Zone 2",
       1200,
       {{0, 900, "rcc", "residential", "self"}, {1, 700, "rcc", "commercial_shop", "rented"}}},
      DemoRateTable(Fy("2026-27")));
  ASSERT_TRUE(assessed.ok());
  EXPECT_EQ(MustDues(ids[1], "2026-07-15").net, assessed->total);
  CloseAndVerify();
}

// The raise writes one demand.raised entry per batch (version 2) where it used to write one per
// property (version 1). Both must leave exactly the same rows: ULB 0152 raises the demand of a
// set of sample properties; ULB 0269 gets the same properties and, for each, the version 1 event
// the old raise wrote (priced here by Assess from the register). Their pt_account and pt_demands
// rows match (but for raised_us), and both ledgers replay exactly.
TEST_F(BillingLedger, BatchDemandEventsWriteTheRowsOfPerPropertyEvents) {
  std::vector<PropertyDetails> details;
  ASSERT_NO_FATAL_FAILURE(details = SamplesForBothUlbs(150));
  for (const std::string ulb : {kUlb, "0269"}) {
    ASSERT_TRUE(PropertyRegister(*ledgers_).RegisterBatch(ulb, "usr_test", details).ok());
    ASSERT_TRUE(billing_->SetRates(ulb, ctx_, DemoRateTable(Fy("2026-27")), "Resolution 12").ok());
  }
  const uint64_t before = Entries();
  DemandOptions options;
  options.batch = 64;
  auto run = RaiseDemand(*ledgers_, kUlb, "usr_test", Fy("2026-27"), options);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->raised, 150);
  EXPECT_EQ(Entries() - before, 3u);  // one entry per command of 64

  // The old raise's events, one per property.
  ledger::Ledger* bhopal = *ledgers_->Ulb("0269");
  std::vector<std::pair<std::string, AssessmentInput>> inputs;
  ASSERT_TRUE(
      bhopal
          ->Read([&](store::Transaction& tx) -> Status {
            PALIKA_RETURN_IF_ERROR(
                tx.ForEach("SELECT id, zone, plot_area_sqft FROM properties ORDER BY num", {},
                           [&](const store::Row& r) {
                             inputs.push_back({r.Text(0), {r.Text(1), r.Int(2), {}}});
                             return true;
                           }));
            for (auto& [id, in] : inputs) {
              PALIKA_RETURN_IF_ERROR(tx.ForEach(
                  "SELECT floor, built_up_sqft, construction, use_type, occupancy"
                  " FROM property_floors WHERE property_id = ? ORDER BY position",
                  {id}, [&](const store::Row& f) {
                    in.floors.push_back({f.Int(0), f.Int(1), f.Text(2), f.Text(3), f.Text(4)});
                    return true;
                  }));
            }
            return Status::OK();
          })
          .ok());
  ASSERT_EQ(inputs.size(), 150u);
  Money old_total;
  for (const auto& [id, in] : inputs) {
    auto bill = Assess(in, DemoRateTable(Fy("2026-27")));
    ASSERT_TRUE(bill.ok()) << bill.status().ToString();
    json::array heads;
    for (const auto& h : bill->heads) {
      if (h.amount.IsZero()) continue;
      heads.push_back(json::object{{"head", HeadCode(h.head)}, {"amount_paise", h.amount.paise()}});
    }
    old_total += bill->total;
    json::object payload{{"v", 1},
                         {"property_id", id},
                         {"fy", "2026-27"},
                         {"annual_value_paise", bill->annual_value.paise()},
                         {"heads", std::move(heads)},
                         {"source", "register"}};
    ledger::Command c;
    c.actor = "usr_test";
    c.decide = [payload](store::Transaction&, int64_t) -> Result<ledger::Decision> {
      ledger::Decision d;
      d.events.push_back({"demand.raised", payload});
      return d;
    };
    ASSERT_TRUE(bhopal->Submit(std::move(c)).ok());
  }
  EXPECT_EQ(run->total, old_total);

  auto rows = [&](const std::string& ulb) {
    std::vector<std::string> out;
    EXPECT_TRUE((*ledgers_->Ulb(ulb))
                    ->Read([&](store::Transaction& tx) -> Status {
                      PALIKA_RETURN_IF_ERROR(
                          tx.ForEach("SELECT * FROM pt_account ORDER BY property_id, fy, head", {},
                                     [&](const store::Row& r) {
                                       std::string line = "account";
                                       for (const auto& v : r.values())
                                         line += " " + store::ValueToString(v);
                                       out.push_back(line);
                                       return true;
                                     }));
                      return tx.ForEach(
                          "SELECT property_id, fy, annual_value_paise, total_paise, source,"
                          " advance_applied_paise FROM pt_demands ORDER BY property_id, fy",
                          {}, [&](const store::Row& r) {
                            std::string line = "demand";
                            for (const auto& v : r.values()) line += " " + store::ValueToString(v);
                            out.push_back(line);
                            return true;
                          });
                    })
                    .ok());
    return out;
  };
  const std::vector<std::string> batched = rows(kUlb);
  EXPECT_GT(batched.size(), 150u * 2);
  EXPECT_EQ(batched, rows("0269"));
  CloseAndVerify();
  ExpectReplayMatches("0269", dir_ / "ulb" / "0269.db", UlbTables());
}

// The raise prices its batches ahead on read snapshots, and the writer uses one only while it is
// current (demand.h). The log must be what the writer pricing every batch writes: ULB 0152 raises
// with batches priced ahead, ULB 0269 (the same properties, returns and advances) with the writer
// pricing each; their entries match byte for byte (but for their times) and both replay exactly.
TEST_F(BillingLedger, DemandPricedAheadWritesTheEntriesTheWriterWould) {
  std::vector<PropertyDetails> details;
  ASSERT_NO_FATAL_FAILURE(details = SamplesForBothUlbs(300));
  std::map<std::string, uint64_t> before;
  for (const std::string ulb : {kUlb, "0269"}) {
    auto ids = PropertyRegister(*ledgers_).RegisterBatch(ulb, "usr_test", details);
    ASSERT_TRUE(ids.ok()) << ids.status().ToString();
    ASSERT_TRUE(billing_->SetRates(ulb, ctx_, DemoRateTable(Fy("2026-27")), "Resolution 12").ok());
    // Advances (credited to the demand beside a journal) and a return.
    for (size_t i : {5u, 77u, 150u, 299u}) {
      ledger::Command c;
      c.actor = "usr_test";
      c.decide = [id = (*ids)[i], i](store::Transaction&, int64_t) -> Result<ledger::Decision> {
        ledger::Decision d;
        d.events.push_back(
            {kAdvanceTest, {{"v", 1}, {"property_id", id}, {"paise", int64_t(i) * 10'000}}});
        return d;
      };
      ASSERT_TRUE((*ledgers_->Ulb(ulb))->Submit(std::move(c)).ok());
    }
    ReturnInput in{(*ids)[10], Fy("2026-27"), "owner", std::nullopt,
                   std::vector<FloorInput>{{0, 450, "rcc", "residential", "self"}}};
    ASSERT_TRUE(billing_->FileReturn(ulb, ctx_, in).ok());
    before[ulb] = Entries(ulb);
  }
  DemandOptions options;
  options.batch = 16;
  auto ahead = RaiseDemand(*ledgers_, kUlb, "usr_test", Fy("2026-27"), options);
  ASSERT_TRUE(ahead.ok()) << ahead.status().ToString();
  options.price_ahead = false;
  auto writer = RaiseDemand(*ledgers_, "0269", "usr_test", Fy("2026-27"), options);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  EXPECT_EQ(ahead->raised, 300);
  EXPECT_GT(ahead->priced_ahead, 0);
  EXPECT_EQ(writer->priced_ahead, 0);
  EXPECT_EQ(ahead->total, writer->total);

  auto entries = [&](const std::string& ulb) {
    std::vector<std::string> out;
    EXPECT_TRUE((*ledgers_->Ulb(ulb))
                    ->Read([&](store::Transaction& tx) -> Status {
                      return tx.ForEach(
                          "SELECT actor, type, payload FROM ledger_entries WHERE seq > ?"
                          " ORDER BY seq",
                          {static_cast<int64_t>(before[ulb])}, [&](const store::Row& r) {
                            out.push_back(r.Text(0) + " " + r.Text(1) + " " + r.Text(2));
                            return true;
                          });
                    })
                    .ok());
    return out;
  };
  const std::vector<std::string> written = entries(kUlb);
  EXPECT_EQ(written.size(), 19u + 2 * 4);  // 300 / 16 batches, an entry and a journal an advance
  EXPECT_EQ(written, entries("0269"));
  CloseAndVerify();
  ExpectReplayMatches("0269", dir_ / "ulb" / "0269.db", UlbTables());
}

// A batch priced ahead of the writer, then changed by another command before the writer got to
// it (a return filed meanwhile), is priced again by the writer: the demand follows the return.
TEST_F(BillingLedger, ABatchPricedAheadIsPricedAgainWhenAnotherCommandChangedIt) {
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) ids.push_back(Register());
  MustSetRates("2026-27");
  ReturnInput in{"", Fy("2026-27"), "owner", std::nullopt,
                 std::vector<FloorInput>{{0, 400, "rcc", "residential", "self"}}};
  Money filed_total;
  DemandOptions options;
  options.batch = 1;
  options.progress = [&](int64_t done, int64_t) {
    if (done != 1) return;
    // The pricer prices the next batches meanwhile; then their properties change.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (int i = 3; i < 7; ++i) {
      in.property_id = ids[static_cast<size_t>(i)];
      auto r = billing_->FileReturn(kUlb, ctx_, in);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      filed_total = Money::FromPaise(r->assessment.at("total_paise").as_int64());
    }
  };
  auto run = RaiseDemand(*ledgers_, kUlb, "usr_test", Fy("2026-27"), options);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->raised, 12);
  ASSERT_TRUE((*ledgers_->Ulb(kUlb))
                  ->Read([&](store::Transaction& tx) -> Status {
                    for (size_t i = 0; i < ids.size(); ++i) {
                      auto r = tx.QueryOne(
                          "SELECT source, total_paise FROM pt_demands WHERE property_id = ?",
                          {ids[i]});
                      EXPECT_TRUE(r.ok() && *r);
                      const bool returned = i >= 3 && i < 7;
                      EXPECT_EQ((*r)->Text(0), returned ? "return" : "register") << i;
                      if (returned) {
                        EXPECT_EQ((*r)->Int(1), filed_total.paise()) << i;
                      }
                    }
                    return Status::OK();
                  })
                  .ok());
  CloseAndVerify();
}

// Files written before schema migration 2 hold pt_account, pt_demands and property_floors as
// rowid tables. Such a file verifies as it is, and the next open converts the tables to WITHOUT
// ROWID with every row kept: the same dues, the same rows, and a replay still matches.
TEST_F(BillingLedger, AnEarlierBuildsFileIsConvertedWithEveryRowKept) {
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(Register(test::Sample(i % 2 ? 3 : 12)));
  MustSetRates("2026-27");
  ASSERT_TRUE(RaiseDemand(*ledgers_, kUlb, "usr_test", Fy("2026-27")).ok());
  const Money owed = MustDues(ids[1], "2027-01-20").net;
  EXPECT_GT(owed, Money());
  billing_.reset();
  ledgers_->Close();
  ledgers_.reset();

  const fs::path file = dir_ / "ulb" / "0152.db";
  constexpr std::array<std::pair<const char*, const char*>, 3> kTables{
      {{"pt_account", "property_id, fy, head"},
       {"pt_demands", "property_id, fy"},
       {"property_floors", "property_id, position"}}};
  auto rows = [&](store::Database& db) { return property_tax::test::RowsInKeyOrder(db, kTables); };
  auto definitions = [&](store::Database& db) {
    std::string out;
    EXPECT_TRUE(db.ForEach("SELECT name, sql FROM sqlite_master WHERE tbl_name IN"
                           " ('pt_account', 'pt_demands', 'property_floors') AND sql IS NOT NULL"
                           " ORDER BY name",
                           {},
                           [&](const store::Row& r) {
                             out += r.Text(0) + ": " + r.Text(1) + "\n";
                             return true;
                           })
                    .ok());
    return out;
  };
  std::vector<std::string> before;
  {
    // What an earlier build made: the same tables as rowid tables, schema version 1.
    auto db = store::sqlite::Database::Open(file, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    before = rows(**db);
    ASSERT_GT(before.size(), 6u * 3);
    ASSERT_TRUE((*db)->BeginWrite().ok());
    for (auto [table, key] : kTables) {
      auto sql = (*db)->QueryOne("SELECT sql FROM sqlite_master WHERE name = ?", {table});
      ASSERT_TRUE(sql.ok() && *sql);
      std::string old = (**sql).Text(0);
      const size_t without = old.find(" WITHOUT ROWID");
      ASSERT_NE(without, std::string::npos) << old;
      old.erase(without);
      ASSERT_TRUE(test::RecreateTableAs(**db, table, old).ok()) << old;
    }
    ASSERT_TRUE((*db)
                    ->ExecScript("CREATE INDEX pt_demands_by_fy ON pt_demands(fy);"
                                 " DELETE FROM schema_version WHERE version > 1")
                    .ok());
    ASSERT_TRUE((*db)->Commit().ok());
    EXPECT_EQ(definitions(**db).find("WITHOUT ROWID"), std::string::npos);
    EXPECT_EQ(rows(**db), before);
  }
  // verify reads such a file as it is.
  ExpectReplayMatches(kUlb, file, UlbTables());

  Open();
  EXPECT_EQ(MustDues(ids[1], "2027-01-20").net, owed);
  billing_.reset();
  ledgers_->Close();
  {
    auto db = store::sqlite::Database::Open(file, {.read_only = true});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    const std::string converted = definitions(**db);
    for (const char* table : {"pt_account:", "pt_demands:", "property_floors:"}) {
      const size_t at = converted.find(table);
      ASSERT_NE(at, std::string::npos) << converted;
      const std::string line = converted.substr(at, converted.find('\n', at) - at);
      EXPECT_NE(line.find("WITHOUT ROWID"), std::string::npos) << line;
    }
    EXPECT_NE(converted.find("pt_demands_by_fy: CREATE INDEX"), std::string::npos) << converted;
    EXPECT_EQ(rows(**db), before);
    auto version = (*db)->QueryOne("SELECT MAX(version) FROM schema_version");
    ASSERT_TRUE(version.ok() && *version);
    EXPECT_EQ((**version).Int(0), ledger::LatestSchemaVersion());
  }
  ExpectReplayMatches(kUlb, file, UlbTables());
}

TEST_F(BillingLedger, AnAdvanceIsCreditedToTheNextDemand) {
  const std::string paid_ahead = Register();
  const std::string small = Register();
  MustSetRates("2026-27");
  for (auto [id, rupees] : {std::pair{paid_ahead, 1'00'000}, std::pair{small, 100}}) {
    ledger::Command c;
    c.actor = "usr_test";
    c.decide = [id, rupees](store::Transaction&, int64_t) -> Result<ledger::Decision> {
      ledger::Decision d;
      d.events.push_back({kAdvanceTest, {{"v", 1}, {"property_id", id}, {"paise", rupees * 100}}});
      return d;
    };
    ASSERT_TRUE((*ledgers_->Ulb(kUlb))->Submit(std::move(c)).ok());
  }
  auto run = RaiseDemand(*ledgers_, kUlb, "usr_test", Fy("2026-27"));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->raised, 2);
  auto bill = Assess(
      {"Zone 2",
       1200,
       {{0, 900, "rcc", "residential", "self"}, {1, 700, "rcc", "commercial_shop", "rented"}}},
      DemoRateTable(Fy("2026-27")));
  ASSERT_TRUE(bill.ok());
  ledger::Ledger* l = *ledgers_->Ulb(kUlb);
  ASSERT_TRUE(l->Read([&](store::Transaction& tx) -> Status {
                 // ₹1 lakh clears the bill; what it did not spend stays an advance.
                 Money spent;
                 auto account = LoadAccount(tx, paid_ahead);
                 EXPECT_TRUE(account.ok());
                 for (const AccountLine& a : *account) {
                   spent += a.principal_paid + a.surcharge_paid;
                 }
                 EXPECT_GE(spent, bill->total - bill->total.PercentOf(1000));
                 EXPECT_EQ(*LoadAdvance(tx, paid_ahead) + spent, Rs(1'00'000));
                 auto dues = PropertyDues(tx, paid_ahead, D("2026-12-01"), false);
                 EXPECT_EQ(dues->net, Money());
                 // ₹100 is a part payment towards it.
                 EXPECT_EQ(*LoadAdvance(tx, small), Money());
                 dues = PropertyDues(tx, small, D("2026-12-01"), false);
                 EXPECT_EQ(dues->net, bill->total - Rs(100));
                 // The books follow: each advance spent moved out of advance collections
                 // (350-41) in an advance-adjustment journal naming the demand.
                 auto moved = tx.QueryOne(
                     "SELECT COUNT(DISTINCT j.voucher_no), SUM(l.debit_paise) FROM journal j "
                     "JOIN journal_lines l ON l.voucher_no = j.voucher_no "
                     "WHERE j.voucher = 'advance_adjustment' AND l.account = '350-41'");
                 EXPECT_TRUE(moved.ok() && *moved);
                 EXPECT_EQ((*moved)->Int(0), 2);
                 EXPECT_EQ(Money::FromPaise((*moved)->Int(1)), spent + Rs(100));
                 auto named = tx.QueryOne("SELECT COUNT(*) FROM journal WHERE reference = ?",
                                          {"demand 2026-27 " + paid_ahead});
                 EXPECT_EQ((*named)->Int(0), 1);
                 return Status::OK();
               }).ok());
  CloseAndVerify();
}

TEST_F(BillingLedger, AnOutageIsCopiedToEachUlbAndShiftsTheSurcharge) {
  const std::string id = Register();
  MustSetRates("2026-27");
  ASSERT_TRUE(RaiseDemand(*ledgers_, kUlb, "usr_test", Fy("2026-27")).ok());
  const Money before = MustDues(id, "2027-01-20").surcharge;
  EXPECT_GT(before, Money());

  const uint64_t bhopal = Entries("0269");
  OutageDeclaration decl{D("2026-12-21"), D("2027-01-15"), "साइबर हमला: सर्वर बंद", {"0152"}};
  auto o = billing_->DeclareOutage(ctx_, decl);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->id, "OUT-0001");
  EXPECT_EQ(o->ulbs, std::vector<std::string>{"0152"});
  EXPECT_EQ(Entries("0269"), bhopal);  // not Bhopal's outage
  // 26 days: the 1 January step takes effect on 27 January.
  EXPECT_EQ(MustDues(id, "2027-01-26").surcharge, Money());
  EXPECT_EQ(MustDues(id, "2027-01-27").surcharge, before);

  // The copy is idempotent: a sync finds nothing to do.
  const uint64_t n = Entries();
  auto synced = billing_->SyncOutages("usr_test");
  ASSERT_TRUE(synced.ok());
  EXPECT_EQ(*synced, 0);
  EXPECT_EQ(Entries(), n);

  auto all = billing_->DeclareOutage(ctx_, {D("2027-03-01"), D("2027-03-02"), "flood", {}});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->ulbs, (std::vector<std::string>{"0152", "0269"}));
  EXPECT_EQ(Entries("0269"), bhopal + 1);
  auto listed = billing_->Outages();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);
  CloseAndVerify();
}

// A crash between the state's declaration and a ULB's copy: the copy is made on the next sync.
TEST_F(BillingLedger, AnOutageCopyLostInACrashIsMadeByTheNextSync) {
  ledger::Command c;
  c.actor = "usr_test";
  c.decide = [](store::Transaction&, int64_t) -> Result<ledger::Decision> {
    ledger::Decision d;
    d.events.push_back({"outage.declared",
                        {{"v", 1},
                         {"id", "OUT-0001"},
                         {"from", "2026-12-21"},
                         {"to", "2027-01-15"},
                         {"reason", "attack"},
                         {"scope", "listed"},
                         {"ulbs", json::array{"0152"}}}});
    return d;
  };
  ASSERT_TRUE(ledgers_->state().Submit(std::move(c)).ok());
  ledger::Ledger* l = *ledgers_->Ulb(kUlb);
  auto count = [&] {
    int64_t n = -1;
    EXPECT_TRUE(l->Read([&](store::Transaction& tx) -> Status {
                   n = static_cast<int64_t>(LoadOutages(tx)->size());
                   return Status::OK();
                 }).ok());
    return n;
  };
  EXPECT_EQ(count(), 0);
  auto synced = billing_->SyncOutages("system");
  ASSERT_TRUE(synced.ok()) << synced.status().ToString();
  EXPECT_EQ(*synced, 1);
  EXPECT_EQ(count(), 1);
  CloseAndVerify();
}

TEST_F(BillingLedger, BadOutagesAreRefused) {
  const uint64_t n = ledgers_->state().size();
  EXPECT_EQ(
      billing_->DeclareOutage(ctx_, {D("2027-01-15"), D("2026-12-21"), "x", {}}).status().code(),
      "invalid_outage");
  EXPECT_EQ(billing_->DeclareOutage(ctx_, {D("2026-12-21"), D("2027-01-15"), "x", {"9999"}})
                .status()
                .code(),
            "ulb_not_found");
  EXPECT_EQ(
      billing_->DeclareOutage(ctx_, {D("2026-12-21"), D("2027-01-15"), "", {}}).status().code(),
      "invalid_field");
  EXPECT_EQ(ledgers_->state().size(), n);
}

TEST_F(BillingLedger, WaiverSchemesDoNotOverlapAndWaiveTheSurcharge) {
  const std::string id = Register();
  MustSetRates("2026-27");
  ASSERT_TRUE(RaiseDemand(*ledgers_, kUlb, "usr_test", Fy("2026-27")).ok());
  auto w = billing_->DeclareWaiver(
      kUlb, ctx_,
      LokAdalatWaiverScheme("लोक अदालत 13 मार्च 2027", D("2027-03-13"), D("2027-03-13")));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->id, 1);
  auto overlap = billing_->DeclareWaiver(
      kUlb, ctx_, LokAdalatWaiverScheme("again", D("2027-03-10"), D("2027-03-20")));
  EXPECT_EQ(overlap.status().code(), "waiver_overlaps");
  const Dues on_the_day = MustDues(id, "2027-03-13");
  EXPECT_GT(on_the_day.surcharge, Money());
  EXPECT_EQ(on_the_day.waiver, on_the_day.surcharge);
  EXPECT_EQ(MustDues(id, "2027-03-14").waiver, Money());
  auto list = billing_->Waivers(kUlb);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().scheme.name, "लोक अदालत 13 मार्च 2027");
  CloseAndVerify();
}

TEST_F(BillingLedger, DemoBillingSetsBothYearsAndIsSafeToRunTwice) {
  for (int i = 0; i < 4; ++i) Register(test::Sample(i % 2 ? 1 : 12));
  ASSERT_TRUE(LoadDemoBilling(*ledgers_, kUlb, "system").ok());
  const uint64_t n = Entries();
  ASSERT_TRUE(LoadDemoBilling(*ledgers_, kUlb, "system").ok());
  EXPECT_EQ(Entries(), n);
  for (const char* fy : {"2025-26", "2026-27"}) {
    auto p = GetDemandProgress(*ledgers_, kUlb, Fy(fy));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->raised, 4) << fy;
  }
  CloseAndVerify();
}

TEST(BillingJson, ReturnBodiesAreStrict) {
  auto ok = ReturnInputFromJson(
      "03-000001", json::parse(R"({"fy": "2026-27", "filed_by": "owner", "zone": "Zone 2",
        "floors": [{"floor": 0, "built_up_sqft": 900, "construction": "rcc",
                    "use": "residential", "occupancy": "self"}]})")
                       .as_object());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->zone, "Zone 2");
  ASSERT_TRUE(ok->floors.has_value());
  EXPECT_EQ(ok->floors->at(0).built_up_sqft, 900);
  auto defaults = ReturnInputFromJson(
      "03-000001", json::parse(R"({"fy": "2026-27", "filed_by": "staff"})").as_object());
  ASSERT_TRUE(defaults.ok());
  EXPECT_FALSE(defaults->zone.has_value());
  EXPECT_FALSE(defaults->floors.has_value());

  auto typo = ReturnInputFromJson("03-000001", json::parse(R"({"fy": "2026-27", "filed_by": "owner",
        "floors": [{"floor": 0, "built_up_sqft": 900, "construction": "rcc",
                    "use": "residential", "ocupancy": "self"}]})")
                                                   .as_object());
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("floors[0]"), std::string::npos);
  auto year = ReturnInputFromJson(
      "03-000001", json::parse(R"({"fy": "2026-2027", "filed_by": "owner"})").as_object());
  EXPECT_EQ(year.status().code(), "invalid_field");
  auto who = ReturnInputFromJson(
      "03-000001", json::parse(R"({"fy": "2026-27", "filed_by": "tenant"})").as_object());
  EXPECT_NE(who.status().message_hi().find("owner"), std::string::npos);
}

TEST(BillingJson, OutageBodiesNameTheirUlbsOrAll) {
  auto listed = OutageDeclarationFromJson(
      json::parse(R"({"from": "2026-12-21", "to": "2027-01-15", "reason": "साइबर हमला",
                      "ulbs": ["0152", "0269"]})")
          .as_object());
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(listed->ulbs, (std::vector<std::string>{"0152", "0269"}));
  EXPECT_EQ(listed->reason, "साइबर हमला");
  for (const char* all :
       {R"({"from": "2026-12-21", "to": "2027-01-15", "reason": "x", "ulbs": "all"})",
        R"({"from": "2026-12-21", "to": "2027-01-15", "reason": "x"})"}) {
    auto o = OutageDeclarationFromJson(json::parse(all).as_object());
    ASSERT_TRUE(o.ok()) << all;
    EXPECT_TRUE(o->ulbs.empty());
  }
  auto none = OutageDeclarationFromJson(
      json::parse(R"({"from": "2026-12-21", "to": "2027-01-15", "reason": "x", "ulbs": []})")
          .as_object());
  EXPECT_EQ(none.status().code(), "invalid_field");
  auto date = OutageDeclarationFromJson(
      json::parse(R"({"from": "21/12/2026", "to": "2027-01-15", "reason": "x"})").as_object());
  EXPECT_NE(date.status().message().find("from"), std::string::npos);
}

}  // namespace
}  // namespace palika::property_tax
