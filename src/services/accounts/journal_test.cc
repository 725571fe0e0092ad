// The journal: what JournalEvent refuses (with bilingual errors), the collection journal of a
// property-tax allocation, the mirror, and journals posted through a real ULB ledger (gapless
// voucher numbers, replay).

#include "services/accounts/journal.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "services/accounts/accounts_testing.h"
#include "services/accounts/chart_of_accounts.h"

namespace palika::accounts {
namespace {

using test::CashCollection;
using test::Date;
using JournalLedgerTest = test::AccountsFixture;
using property_tax::Allocation;
using property_tax::AllocationLine;
using property_tax::Head;

Money P(int64_t paise) { return Money::FromPaise(paise); }

Money Sum(const Journal& j, bool debit) {
  Money m;
  for (const auto& l : j.lines) m += debit ? l.debit : l.credit;
  return m;
}

TEST(ChartOfAccounts, CodesAreUniqueAndNamedInBothScripts) {
  std::set<std::string_view> codes;
  for (const Account& a : ChartOfAccounts()) {
    EXPECT_TRUE(codes.insert(a.code).second) << a.code;
    EXPECT_FALSE(a.name.empty());
    EXPECT_FALSE(a.name_hi.empty());
  }
  EXPECT_EQ(FindAccount("450-10")->name, "Cash in hand");
  EXPECT_EQ(FindAccount("999-99"), nullptr);
}

TEST(JournalEvent, CarriesTheJournalAsCanonicalPayload) {
  auto e = JournalEvent(CashCollection("R-1", 125050));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->type, "journal.posted");
  EXPECT_EQ(e->payload.at("v").as_int64(), 1);
  EXPECT_EQ(e->payload.at("date").as_string(), "2026-11-20");
  auto back = JournalFromPayload(e->payload);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, CashCollection("R-1", 125050));
}

TEST(JournalEvent, RefusesWhatIsNotADoubleEntry) {
  struct Case {
    std::string what;
    std::function<void(Journal&)> change;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"unbalanced", [](Journal& j) { j.lines[1].credit = P(100); }, "journal_unbalanced"},
      {"both sides", [](Journal& j) { j.lines[0].credit = P(5); }, "journal_line_invalid"},
      {"neither side",
       [](Journal& j) {
         j.lines.push_back({"110-01", P(0), P(0)});
       },
       "journal_line_invalid"},
      {"negative",
       [](Journal& j) {
         j.lines[0].debit = P(-100);
         j.lines[1].credit = P(-100);
       },
       "journal_line_invalid"},
      {"unknown account", [](Journal& j) { j.lines[1].account = "110-99"; }, "unknown_account"},
      {"no lines", [](Journal& j) { j.lines.clear(); }, "journal_invalid"},
      {"bad mode", [](Journal& j) { j.mode = "barter"; }, "journal_invalid"},
      {"no reference", [](Journal& j) { j.reference.clear(); }, "journal_invalid"},
      {"no counter for cash", [](Journal& j) { j.counter.clear(); }, "journal_invalid"},
  };
  for (const Case& c : cases) {
    Journal j = CashCollection("R-1", 1000);
    c.change(j);
    auto e = JournalEvent(j);
    ASSERT_FALSE(e.ok()) << c.what;
    EXPECT_EQ(e.status().kind(), StatusKind::kInvalidArgument) << c.what;
    EXPECT_EQ(e.status().code(), c.code) << c.what;
    EXPECT_NE(e.status().message(), e.status().message_hi()) << c.what;  // Hindi given
  }
  auto zero = JournalEvent([] {
    Journal j = CashCollection("R-1", 1000);
    j.lines.clear();
    j.lines.push_back({"450-10", P(0), P(0)});
    return j;
  }());
  EXPECT_FALSE(zero.ok());
}

Allocation SampleAllocation() {
  Allocation a;
  a.on = Date("2026-11-20");
  a.amount = P(1'000'000);
  auto fy = FinancialYear::Parse("2025-26").value();
  AllocationLine l1;
  l1.fy = fy;
  l1.head = Head::kPropertyTax;
  l1.surcharge = P(20'000);
  l1.principal = P(400'000);
  AllocationLine l2 = l1;
  l2.head = Head::kEducationCess;
  l2.surcharge = P(0);
  l2.principal = P(50'000);
  AllocationLine l3 = l1;
  l3.fy = fy.Next();
  l3.surcharge = P(5'000);
  l3.principal = P(300'000);
  AllocationLine l4 = l3;
  l4.head = Head::kSamekitKar;
  l4.surcharge = P(0);
  l4.principal = P(100'000);
  AllocationLine l5 = l4;
  l5.head = Head::kUrbanDevelopmentCess;
  l5.principal = P(25'000);
  l5.rebate = P(1'000);  // no money moves for a rebate
  a.lines = {l1, l2, l3, l4, l5};
  a.advance = P(100'000);
  return a;
}

TEST(PropertyTaxCollectionJournal, DebitsCashAndCreditsEachHead) {
  Journal j = PropertyTaxCollectionJournal(SampleAllocation(), "cash", Date("2026-11-20"),
                                           "0152/2026-27/C1/000042", "C1");
  EXPECT_EQ(j.voucher, "collection");
  EXPECT_EQ(j.reference, "0152/2026-27/C1/000042");
  EXPECT_EQ(j.counter, "C1");
  const std::vector<JournalLine> want = {
      {"450-10", P(1'000'000), P(0)}, {"110-01", P(0), P(700'000)},
      {"350-30-01", P(0), P(50'000)}, {"110-80", P(0), P(100'000)},
      {"350-30-02", P(0), P(25'000)}, {"140-20", P(0), P(25'000)},
      {"350-41", P(0), P(100'000)},
  };
  EXPECT_EQ(j.lines, want);
  EXPECT_TRUE(JournalEvent(j).ok());
}

TEST(PropertyTaxCollectionJournal, NonCashGoesToTheBankOrTheGatewaysClearingAndNoAdvanceNoLine) {
  Allocation a = SampleAllocation();
  a.amount = a.amount - a.advance;
  a.advance = P(0);
  for (std::string_view mode : {"cheque", "dd", "upi", "online"}) {
    Journal j = PropertyTaxCollectionJournal(a, mode, Date("2026-11-20"), "R", "ON");
    // Online money is the gateway's until it settles into the bank.
    EXPECT_EQ(j.lines.front().account, mode == "online" ? "450-10-52" : "450-21") << mode;
    EXPECT_EQ(j.lines.back().account, "140-20") << mode;
    EXPECT_EQ(Sum(j, true), Sum(j, false));
    EXPECT_TRUE(JournalEvent(j).ok()) << mode;
  }
}

TEST(AdvanceAdjustmentJournal, MovesTheAdvanceToTheHeadsWithoutACounter) {
  Allocation a = SampleAllocation();
  a.amount = P(600'000);  // an advance of ₹6,000 applied to a new demand
  a.lines.resize(3);      // property tax 4,000 + 200 surcharge, education cess 500, 1,000 (2026-27)
  a.lines[2].principal = P(125'000);
  a.lines[2].surcharge = P(0);
  a.advance = P(600'000 - 420'000 - 50'000 - 125'000);
  Journal j = AdvanceAdjustmentJournal(a, Date("2027-04-01"), "demand 2027-28 01-000001");
  EXPECT_EQ(j.voucher, "advance_adjustment");
  EXPECT_EQ(j.mode, "");
  EXPECT_EQ(j.counter, "");
  const std::vector<JournalLine> want = {
      {"350-41", P(595'000), P(0)},
      {"110-01", P(0), P(525'000)},
      {"350-30-01", P(0), P(50'000)},
      {"140-20", P(0), P(20'000)},
  };
  EXPECT_EQ(j.lines, want);
  EXPECT_TRUE(JournalEvent(j).ok()) << JournalEvent(j).status().ToString();
  // Nothing applied: nothing to post, and JournalEvent says so.
  a.lines.clear();
  EXPECT_EQ(JournalEvent(AdvanceAdjustmentJournal(a, Date("2027-04-01"), "x")).status().code(),
            "journal_invalid");
}

TEST(MirrorJournal, SwapsEverySideAndNetsToZero) {
  Journal j =
      PropertyTaxCollectionJournal(SampleAllocation(), "upi", Date("2026-11-20"), "R-7", "C2");
  Journal m = MirrorJournal(j, Date("2026-11-21"), "REV-R-7");
  EXPECT_EQ(m.voucher, "reversal");
  EXPECT_EQ(m.date, Date("2026-11-21"));
  EXPECT_EQ(m.reference, "REV-R-7");
  EXPECT_EQ(m.counter, "C2");
  EXPECT_EQ(m.mode, "upi");
  ASSERT_EQ(m.lines.size(), j.lines.size());
  for (size_t i = 0; i < j.lines.size(); ++i) {
    EXPECT_EQ(m.lines[i].account, j.lines[i].account);
    EXPECT_EQ(m.lines[i].debit, j.lines[i].credit);
    EXPECT_EQ(m.lines[i].credit, j.lines[i].debit);
  }
  EXPECT_TRUE(JournalEvent(m).ok());
}

TEST_F(JournalLedgerTest, VoucherNumbersAreGaplessAcrossCommandsAndReplay) {
  ASSERT_TRUE(Post({CashCollection("R-1", 100), CashCollection("R-2", 200)}).ok());
  // A refused journal writes nothing and takes no number.
  Journal bad = CashCollection("R-3", 300);
  bad.lines[1].credit = P(299);
  EXPECT_EQ(Post({CashCollection("R-x", 5), bad}).code(), "journal_unbalanced");
  ASSERT_TRUE(Post({CashCollection("R-4", 400)}).ok());
  std::vector<std::pair<int64_t, std::string>> rows;
  ASSERT_TRUE(Ulb()
                  .Read([&](store::Transaction& tx) -> Status {
                    PALIKA_ASSIGN_OR_RETURN(
                        auto r, tx.Query("SELECT voucher_no, reference FROM journal ORDER BY 1"));
                    for (const auto& row : r) rows.emplace_back(row.Int(0), row.Text(1));
                    PALIKA_ASSIGN_OR_RETURN(auto n,
                                            tx.QueryOne("SELECT COUNT(*) FROM journal_lines"));
                    EXPECT_EQ(n->Int(0), 6);
                    PALIKA_ASSIGN_OR_RETURN(auto closed, IsDayClosed(tx, Date("2026-11-20"), "C1"));
                    EXPECT_FALSE(closed);
                    return Status::OK();
                  })
                  .ok());
  const std::vector<std::pair<int64_t, std::string>> want = {{1, "R-1"}, {2, "R-2"}, {3, "R-4"}};
  EXPECT_EQ(rows, want);
  ExpectReplayMatches();
}

// Lines and day totals are written several rows a statement: a journal longer than one
// statement's rows, naming an account on several lines (on both sides), keeps every line in order
// and adds each line to its account's day exactly once, and a replay rebuilds the same rows.
TEST_F(JournalLedgerTest, ALongJournalKeepsEveryLineAndDayTotal) {
  Journal j = CashCollection("R-LONG", 0);
  j.lines.clear();
  // 20 debits of cash and 20 credits alternating between two heads: 40 lines, 3 accounts.
  for (int i = 1; i <= 20; ++i) {
    j.lines.push_back({"450-10", P(100 * i), P(0)});
    j.lines.push_back({i % 2 ? "110-01" : "140-20", P(0), P(100 * i)});
  }
  j.lines.push_back({"110-01", P(7), P(0)});  // the same head on the debit side too
  j.lines.push_back({"450-10", P(0), P(7)});
  ASSERT_TRUE(Post({CashCollection("R-1", 500), j}).ok());
  ASSERT_TRUE(
      Ulb()
          .Read([&](store::Transaction& tx) -> Status {
            PALIKA_ASSIGN_OR_RETURN(auto lines,
                                    tx.Query("SELECT line_no, account, debit_paise, credit_paise "
                                             "FROM journal_lines WHERE voucher_no = 2 ORDER BY 1"));
            EXPECT_EQ(lines.size(), j.lines.size());
            for (size_t i = 0; i < lines.size() && i < j.lines.size(); ++i) {
              EXPECT_EQ(lines[i].Int(0), static_cast<int64_t>(i + 1));
              EXPECT_EQ(lines[i].Text(1), j.lines[i].account);
              EXPECT_EQ(lines[i].Int(2), j.lines[i].debit.paise());
              EXPECT_EQ(lines[i].Int(3), j.lines[i].credit.paise());
            }
            PALIKA_ASSIGN_OR_RETURN(auto days,
                                    tx.Query("SELECT account, debit_paise, credit_paise FROM "
                                             "journal_daily WHERE date = '2026-11-20' ORDER BY 1"));
            // 1+3+...+19 = 100 and 2+4+...+20 = 110 hundreds; R-1 adds 500 each side.
            const std::vector<std::tuple<std::string, int64_t, int64_t>> want = {
                {"110-01", 7, 10'000 + 500}, {"140-20", 0, 11'000}, {"450-10", 21'000 + 500, 7}};
            std::vector<std::tuple<std::string, int64_t, int64_t>> got;
            for (const auto& r : days) got.emplace_back(r.Text(0), r.Int(1), r.Int(2));
            EXPECT_EQ(got, want);
            return Status::OK();
          })
          .ok());
  ExpectReplayMatches();
}

}  // namespace
}  // namespace palika::accounts
