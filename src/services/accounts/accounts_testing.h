#pragma once
// Test support for the accounts: a temporary data directory with a real state ledger and ULB
// 0152 (wards 1 and 3), whose ULB tables include the register's, billing's and the accounts',
// helpers to post journals through the ledger, and the full verify of the ULB ledger. Header-only;
// for tests.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "ledger/verify.h"
#include "services/accounts/journal.h"
#include "services/payments/payments.h"
#include "services/property_tax/billing.h"
#include "services/property_tax/register.h"
#include "services/registry/registry.h"

namespace palika::accounts::test {

namespace fs = std::filesystem;

inline constexpr char kUlb[] = "0152";

inline const ledger::Projections& StateTables() {
  static const ledger::Projections p = [] {
    ledger::Projections p;
    registry::RegisterStateProjections(p);
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
    RegisterAccountsProjections(p);
    payments::RegisterPaymentProjections(p);  // the reports join receipts to wards
    return p;
  }();
  return p;
}

inline CivilDate Date(std::string_view iso) { return CivilDate::Parse(iso).value(); }

inline Journal CashCollection(const std::string& receipt, int64_t paise,
                              std::string_view date = "2026-11-20",
                              const std::string& counter = "C1") {
  Journal j;
  j.voucher = "collection";
  j.date = Date(date);
  j.reference = receipt;
  j.counter = counter;
  j.mode = "cash";
  j.narration = "Property tax collected, receipt " + receipt;
  j.lines = {{"450-10", Money::FromPaise(paise), Money()},
             {"110-01", Money(), Money::FromPaise(paise)}};
  return j;
}

class AccountsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("palika-accounts-" + std::to_string(getpid()) + "-" +
                                        info->test_suite_name() + "-" + info->name());
    fs::remove_all(dir_);
    ASSERT_TRUE(ledger::InitDataDir(dir_).ok());
    auto set = ledger::LedgerSet::Open(dir_, StateTables(), UlbTables(), nullptr);
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    ledgers_ = std::move(*set);
    registry::Registry reg(*ledgers_);
    ASSERT_TRUE(reg.AddUlb("test", {kUlb, "Indore", "इंदौर", "corporation", "Indore"}).ok());
    for (auto [n, name, hi, zone] : {std::tuple{1, "Sirpur", "सिरपुर", "Zone 1"},
                                     std::tuple{3, "Rajwada", "राजवाड़ा", "Zone 2"}}) {
      ASSERT_TRUE(reg.AddWard("test", kUlb, {n, name, hi, zone}).ok());
    }
  }

  void TearDown() override {
    if (ledgers_) ledgers_->Close();
    ledgers_.reset();
    fs::remove_all(dir_);
  }

  ledger::Ledger& Ulb() { return **ledgers_->Ulb(kUlb); }

  // Posts the journals in one command, as a payment's decide would.
  Status Post(const std::vector<Journal>& journals) {
    ledger::Command c;
    c.actor = "usr_test";
    c.decide = [&](store::Transaction&, int64_t) -> Result<ledger::Decision> {
      ledger::Decision d;
      for (const Journal& j : journals) {
        PALIKA_ASSIGN_OR_RETURN(auto e, JournalEvent(j));
        d.events.push_back(std::move(e));
      }
      return d;
    };
    auto r = Ulb().Submit(std::move(c));
    return r.ok() ? Status::OK() : r.status();
  }

  // Closes the ledgers (final checkpoint) and runs `palika verify`'s full check on the ULB file.
  void ExpectReplayMatches() {
    ledgers_->Close();
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
    EXPECT_GT(report->rows_compared, 0u);
  }

  fs::path dir_;
  std::unique_ptr<ledger::LedgerSet> ledgers_;
};

}  // namespace palika::accounts::test
