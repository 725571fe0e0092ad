#pragma once
// Test support for the property register: a temporary data directory with a real state ledger
// and ULB 0152 (wards 1, 3 and 12), a PropertyRegister over it, sample records, and the full
// verify of the ULB ledger. Header-only; for tests.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ledger/verify.h"
#include "services/property_tax/register.h"
#include "services/registry/registry.h"
#include "store/database.h"
#include "store/transaction.h"

namespace palika::property_tax::test {

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
    RegisterPropertyProjections(p);
    return p;
  }();
  return p;
}

inline PropertyDetails Sample(int64_t ward = 3) {
  PropertyDetails d;
  d.ward = ward;
  d.address = "12, Gandhi Marg, Rajwada";
  d.address_hi = "12, गांधी मार्ग, राजवाड़ा";
  d.plot_area_sqft = 1200;
  d.owners = {{"Ramesh Sharma", "रमेश शर्मा", "9876543210", 6000},
              {"Sunita Sharma", "सुनीता शर्मा", "", 4000}};
  d.floors = {{0, 900, "rcc", "residential", "self"}, {1, 700, "rcc", "commercial_shop", "rented"}};
  return d;
}

class RegisterFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("palika-register-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    ASSERT_TRUE(ledger::InitDataDir(dir_).ok());
    auto set = ledger::LedgerSet::Open(dir_, StateTables(), UlbTables(), nullptr);
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    ledgers_ = std::move(*set);
    registry::Registry reg(*ledgers_);
    ASSERT_TRUE(reg.AddUlb("test", {kUlb, "Indore", "इंदौर", "corporation", "Indore"}).ok());
    for (auto [n, name, hi, zone] :
         {std::tuple{1, "Sirpur", "सिरपुर", "Zone 1"}, std::tuple{3, "Rajwada", "राजवाड़ा", "Zone 2"},
          std::tuple{12, "Palasia", "पलासिया", "Zone 3"}}) {
      ASSERT_TRUE(reg.AddWard("test", kUlb, {n, name, hi, zone}).ok());
    }
    register_ = std::make_unique<PropertyRegister>(*ledgers_);
  }

  void TearDown() override {
    register_.reset();
    if (ledgers_) ledgers_->Close();
    ledgers_.reset();
    fs::remove_all(dir_);
  }

  uint64_t Entries() { return (*ledgers_->Ulb(kUlb))->size(); }

  WriteResult MustRegister(const PropertyDetails& d, const std::string& key = "") {
    WriteContext ctx{"usr_test", key, key.empty() ? "" : "hash-" + key};
    auto r = register_->Register(kUlb, ctx, d);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : WriteResult{};
  }

  std::vector<std::string> Find(const std::string& q, int64_t limit = 100) {
    auto page = register_->Search(kUlb, {q, "", limit});
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const auto& p : page->properties) ids.push_back(p.id);
    }
    return ids;
  }

  // Closes the ledgers (final checkpoint) and runs `palika verify`'s full check on the ULB file.
  void ExpectReplayMatches() {
    register_.reset();
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
  std::unique_ptr<PropertyRegister> register_;
};

// Every row of each table, in the order of its key (table, ORDER BY columns), one line a row:
// "table value value ...". What a schema migration must keep, compared before and after.
inline std::vector<std::string> RowsInKeyOrder(
    store::Database& db, std::span<const std::pair<const char*, const char*>> tables) {
  std::vector<std::string> out;
  for (auto [table, key] : tables) {
    EXPECT_TRUE(db.ForEach(std::string("SELECT * FROM ") + table + " ORDER BY " + key, {},
                           [&](const store::Row& r) {
                             std::string line = table;
                             for (const auto& v : r.values()) line += " " + store::ValueToString(v);
                             out.push_back(line);
                             return true;
                           })
                    .ok());
  }
  return out;
}

// Gives `table` the definition `create` (a CREATE TABLE of the same name and columns, as an
// earlier build made it), keeping every row: how a migration test makes a file of an older
// schema. Inside the caller's transaction.
inline Status RecreateTableAs(store::Database& db, const std::string& table, std::string create) {
  const size_t name = create.find(table);
  EXPECT_NE(name, std::string::npos) << create;
  if (name == std::string::npos) return Status::InvalidArgument("bad_definition", create);
  const std::string old = table + "_old";
  create.replace(name, table.size(), old);
  return db.ExecScript(create + "; INSERT INTO " + old + " SELECT * FROM " + table +
                       "; DROP TABLE " + table + "; ALTER TABLE " + old + " RENAME TO " + table);
}

}  // namespace palika::property_tax::test
