// Receipt numbers: the text form, and gapless serials through a real ledger (many threads at
// once, refused commands, a restart, and a replay by verify).

#include "services/payments/receipt_numbers.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "ledger/ledger_set.h"
#include "ledger/verify.h"
#include "services/registry/registry.h"

namespace palika::payments {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

TEST(ReceiptNo, FormatsWithSixDigitSerial) {
  EXPECT_EQ((ReceiptNo{"0152", "2026-27", "C1", 123}.Format()), "0152/2026-27/C1/000123");
  EXPECT_EQ((ReceiptNo{"0269", "2026-27", "ON", 999999}.Format()), "0269/2026-27/ON/999999");
}

TEST(ReceiptNo, ParsesSlashAndDashForms) {
  const ReceiptNo want{"0152", "2026-27", "C1", 123};
  auto a = ParseReceiptNo("0152/2026-27/C1/000123");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(*a, want);
  auto b = ParseReceiptNo("0152-2026-27-C1-000123");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(*b, want);
  auto c = ParseReceiptNo("0152-2026-27-ZONE12-000001");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->series, "ZONE12");
}

TEST(ReceiptNo, RefusesAnythingElseInBothLanguages) {
  for (const char* bad :
       {"", "0152", "0152/2026-27/C1/123", "0152/2026-28/C1/000123", "0152/2026-27/c1/000123",
        "0152/2026-27-C1/000123", "152/2026-27/C1/000123", "0152/2026-27/C1/000000",
        "0152/2026-27/TOOLONGSERIES/000001", "0152/2026-27//000001", "0152/2026-27/C1/00012a"}) {
    auto r = ParseReceiptNo(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), "invalid_receipt_no");
    EXPECT_NE(r.status().message_hi().find("रसीद"), std::string::npos);
  }
}

TEST(CounterCode, DefaultsToC1AndKeepsONForOnline) {
  EXPECT_EQ(*CounterCode(""), "C1");
  EXPECT_EQ(*CounterCode("Z12"), "Z12");
  EXPECT_EQ(*CounterCode("ABCDEFGH"), "ABCDEFGH");
  for (const char* bad : {"ON", "c1", "ABCDEFGHI", "C-1", "C 1", "का"}) {
    auto r = CounterCode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), "invalid_counter");
    EXPECT_FALSE(r.status().message_hi().empty());
  }
}

// A ledger whose only command takes the next serial of a series and records it, as a payment
// does; a command for series "FAIL" takes a number and is then refused.
constexpr char kTaken[] = "test.serial_taken";

const ledger::Projections& Tables() {
  static const ledger::Projections p = [] {
    ledger::Projections p;
    registry::RegisterUlbProjections(p);
    AddReceiptSeriesTable(p);
    p.OnEvent(kTaken, [](store::Transaction& tx, const ledger::Entry& e) {
      const json::object o = json::parse(e.payload).as_object();
      return RecordReceiptSerial(tx, std::string(o.at("fy").as_string()),
                                 std::string(o.at("series").as_string()),
                                 o.at("serial").as_int64());
    });
    return p;
  }();
  return p;
}

const ledger::Projections& StateTables() {
  static const ledger::Projections p = [] {
    ledger::Projections p;
    registry::RegisterStateProjections(p);
    return p;
  }();
  return p;
}

class SerialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("palika-serials-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    ASSERT_TRUE(ledger::InitDataDir(dir_).ok());
    Open();
    registry::Registry reg(*ledgers_);
    ASSERT_TRUE(reg.AddUlb("test", {"0152", "Indore", "इंदौर", "corporation", "Indore"}).ok());
  }
  void TearDown() override {
    if (ledgers_) ledgers_->Close();
    ledgers_.reset();
    fs::remove_all(dir_);
  }
  void Open() {
    auto set = ledger::LedgerSet::Open(dir_, StateTables(), Tables(), nullptr);
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    ledgers_ = std::move(*set);
  }

  // Takes a number; returns it, or the refusal.
  Result<std::string> Take(const std::string& series) {
    PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_->Ulb("0152"));
    ledger::Command c;
    c.actor = "usr_test";
    c.decide = [series](store::Transaction& tx, int64_t) -> Result<ledger::Decision> {
      PALIKA_ASSIGN_OR_RETURN(int64_t serial, NextReceiptSerial(tx, "2026-27", series));
      if (series == "FAIL") return Status::Conflict("refused", "refused after numbering");
      const std::string no = ReceiptNo{"0152", "2026-27", series, serial}.Format();
      return ledger::Decision{
          {{kTaken, {{"fy", "2026-27"}, {"series", series}, {"serial", serial}}}},
          json::object{{"receipt_no", no}}};
    };
    PALIKA_ASSIGN_OR_RETURN(auto r, l->Submit(std::move(c)));
    return std::string(r.response.as_object().at("receipt_no").as_string());
  }

  fs::path dir_;
  std::unique_ptr<ledger::LedgerSet> ledgers_;
};

TEST_F(SerialTest, ManyThreadsGetGaplessDistinctSerialsPerSeries) {
  constexpr int kThreads = 8;
  constexpr int kEach = 40;
  std::mutex mu;
  std::set<std::string> numbers;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string series = t % 2 == 0 ? "C1" : "C2";
      for (int i = 0; i < kEach; ++i) {
        // A refused command in between must not take a number.
        if (i % 10 == 5) {
          EXPECT_FALSE(Take("FAIL").ok());
        }
        auto no = Take(series);
        if (!no.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mu);
        EXPECT_TRUE(numbers.insert(*no).second) << "duplicate " << *no;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(numbers.size(), static_cast<size_t>(kThreads * kEach));
  const int per_series = kThreads / 2 * kEach;
  for (const char* series : {"C1", "C2"}) {
    for (int s = 1; s <= per_series; ++s) {
      const std::string want = ReceiptNo{"0152", "2026-27", series, s}.Format();
      EXPECT_TRUE(numbers.contains(want)) << "gap at " << want;
    }
  }
}

TEST_F(SerialTest, RestartContinuesTheSeriesAndReplayRebuildsIt) {
  EXPECT_EQ(*Take("C1"), "0152/2026-27/C1/000001");
  EXPECT_EQ(*Take("C1"), "0152/2026-27/C1/000002");
  EXPECT_EQ(*Take("Z9"), "0152/2026-27/Z9/000001");
  ledgers_->Close();
  ledgers_.reset();
  Open();
  EXPECT_EQ(*Take("C1"), "0152/2026-27/C1/000003");
  ledgers_->Close();
  std::ifstream pub(dir_ / "node.pub");
  std::string key;
  std::getline(pub, key);
  auto verifier = ledger::NoteVerifier::Parse(key);
  ASSERT_TRUE(verifier.ok());
  auto config = ledger::ReadDataDirConfig(dir_);
  ASSERT_TRUE(config.ok());
  auto report =
      ledger::VerifyLedgerFile(dir_ / "ulb" / "0152.db", "0152", config->node, Tables(), *verifier);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

}  // namespace
}  // namespace palika::payments
