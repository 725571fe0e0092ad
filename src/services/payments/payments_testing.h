#pragma once
// Test support for payments: a temporary data directory with a real state ledger and ULB 0152
// (ward 3) carrying the demo rates and demand, one sample property registered there
// (property_tax::test::Sample), the tables of every service a payment touches (online orders
// too), and palika verify's full check of the ULB ledger. Header-only; for tests.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "ledger/verify.h"
#include "services/accounts/journal.h"
#include "services/payments/online_payments.h"
#include "services/payments/payments.h"
#include "services/property_tax/billing.h"
#include "services/property_tax/demand.h"
#include "services/property_tax/property_testing.h"
#include "services/registry/registry.h"

namespace palika::payments::test {

namespace fs = std::filesystem;

inline constexpr char kUlb[] = "0152";

inline const ledger::Projections& StateTables() {
  static const ledger::Projections p = [] {
    ledger::Projections p;
    registry::RegisterStateProjections(p);
    property_tax::RegisterBillingStateProjections(p);
    return p;
  }();
  return p;
}

inline const ledger::Projections& UlbTables() {
  static const ledger::Projections p = [] {
    ledger::Projections p;
    registry::RegisterUlbProjections(p);
    property_tax::RegisterPropertyProjections(p);
    property_tax::RegisterBillingProjections(p);
    RegisterPaymentProjections(p);
    RegisterOnlineOrderProjections(p);
    accounts::RegisterAccountsProjections(p);
    return p;
  }();
  return p;
}

class PaymentsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("palika-payments-" + std::to_string(getpid()) + "-" +
                                        info->test_suite_name() + "-" + info->name());
    fs::remove_all(dir_);
    ASSERT_TRUE(ledger::InitDataDir(dir_).ok());
    Open();
    registry::Registry reg(*ledgers_);
    ASSERT_TRUE(reg.AddUlb("test", {kUlb, "Indore", "इंदौर", "corporation", "Indore"}).ok());
    ASSERT_TRUE(reg.AddWard("test", kUlb, {3, "Rajwada", "राजवाड़ा", "Zone 2"}).ok());
    property_ = Register();
    Status s = property_tax::LoadDemoBilling(*ledgers_, kUlb, "usr_test");
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void TearDown() override {
    if (ledgers_) ledgers_->Close();
    ledgers_.reset();
    fs::remove_all(dir_);
  }

  void Open() {
    auto set = ledger::LedgerSet::Open(dir_, StateTables(), UlbTables(), nullptr);
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    ledgers_ = std::move(*set);
  }
  // Registers another sample property in ward 3: its id.
  std::string Register() {
    auto w = property_tax::PropertyRegister(*ledgers_).Register(kUlb, {"usr_test", "", ""},
                                                                property_tax::test::Sample(3));
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? w->id : "";
  }
  // The first column of the first row of `sql` on the ULB ledger, -1 without a row.
  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE((*ledgers_->Ulb(kUlb))
                    ->Read([&](store::Transaction& tx) -> Status {
                      PALIKA_ASSIGN_OR_RETURN(auto r, tx.QueryOne(sql));
                      n = r ? r->Int(0) : -1;
                      return Status::OK();
                    })
                    .ok());
    return n;
  }
  // Closes the ledgers (final checkpoint) and runs palika verify's full check on the ULB file.
  void ExpectReplayMatches() {
    if (ledgers_) ledgers_->Close();
    std::ifstream pub(dir_ / "node.pub");
    std::string key;
    std::getline(pub, key);
    auto verifier = ledger::NoteVerifier::Parse(key);
    ASSERT_TRUE(verifier.ok());
    auto config = ledger::ReadDataDirConfig(dir_);
    ASSERT_TRUE(config.ok());
    auto report = ledger::VerifyLedgerFile(dir_ / "ulb" / "0152.db", kUlb, config->node,
                                           UlbTables(), *verifier);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->ok()) << report->problems.front();
  }

  fs::path dir_;
  std::unique_ptr<ledger::LedgerSet> ledgers_;
  std::string property_;
};

}  // namespace palika::payments::test
