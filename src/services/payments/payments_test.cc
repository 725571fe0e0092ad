// Payments through a real ULB ledger with the demo rates and demand: allocation to the dues of
// the day, advances, the collection journal, idempotent retries, gapless receipt numbers from
// many threads and across a restart, a closed counter day, and the reversal rules. Each test that
// writes ends by replaying the ledger (palika verify's full check).

#include "services/payments/payments.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "ledger/ledger.h"
#include "ledger/migrations.h"
#include "ledger/verify.h"
#include "pg_test_clusters.h"
#include "services/accounts/day_close.h"
#include "services/accounts/journal.h"
#include "services/accounts/reports.h"
#include "services/payments/payments_testing.h"
#include "services/payments/receipt_numbers.h"
#include "services/property_tax/billing.h"
#include "services/property_tax/demand.h"
#include "services/property_tax/property_testing.h"
#include "services/registry/registry.h"
#include "store/database.h"
#include "store/sqlite/database.h"

namespace palika::payments {
namespace {

namespace fs = std::filesystem;
using property_tax::WriteContext;

using test::kUlb;
using test::UlbTables;

class PaymentsTest : public test::PaymentsFixture {
 protected:
  static CivilDate Today() { return CivilDate::IstDateOfUtcMicros(NowMicros()); }
  property_tax::Dues Dues(const std::string& id) {
    auto d = property_tax::Billing(*ledgers_).DuesOf(kUlb, id, Today(), false);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? *d : property_tax::Dues{};
  }
  PaymentInput Input(int64_t paise, const std::string& mode = "cash") {
    PaymentInput in;
    in.property_id = property_;
    in.amount = Money::FromPaise(paise);
    in.mode = mode;
    if (mode != "cash") in.reference = "Cheque 004512, SBI Rajwada";
    in.cashier_name = "Asha Verma";
    in.ulb_name = "Indore";
    in.ulb_name_hi = "इंदौर";
    return in;
  }
  Result<PaymentResult> Collect(const PaymentInput& in, const std::string& key = "") {
    return Payments(*ledgers_).Collect(kUlb, {"usr_cashier", key, key.empty() ? "" : "h-" + key},
                                       in);
  }
  Result<PaymentResult> Reverse(const std::string& no) {
    return Payments(*ledgers_).Reverse(kUlb, {"usr_revenue", "", ""}, no, "cheque returned unpaid");
  }
  uint64_t Entries() { return (*ledgers_->Ulb(kUlb))->size(); }
  Money Advance(const std::string& id) {
    Money out;
    EXPECT_TRUE((*ledgers_->Ulb(kUlb))
                    ->Read([&](store::Transaction& tx) -> Status {
                      PALIKA_ASSIGN_OR_RETURN(out, property_tax::LoadAdvance(tx, id));
                      return Status::OK();
                    })
                    .ok());
    return out;
  }
};

TEST_F(PaymentsTest, PayingTheNetClearsTheDuesAndPostsABalancedJournal) {
  const property_tax::Dues before = Dues(property_);
  ASSERT_GT(before.net.paise(), 0) << "the demo demand should leave something to pay";
  auto r = Collect(Input(before.net.paise()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const PaymentRecord& p = r->payment;
  const ReceiptNo want{kUlb, FinancialYear::Of(Today()).Format(), "C1", 1};
  EXPECT_EQ(p.receipt_no, want.Format());
  EXPECT_EQ(p.date, Today());
  EXPECT_TRUE(p.allocation.settled_in_full);
  EXPECT_TRUE(p.advance.IsZero());
  EXPECT_EQ(p.cashier_name, "Asha Verma");
  EXPECT_EQ(p.payer_name, "Ramesh Sharma, Sunita Sharma") << "the owners by default";
  EXPECT_EQ(p.payer_name_hi, "रमेश शर्मा, सुनीता शर्मा");
  EXPECT_EQ(p.address_hi, "12, गांधी मार्ग, राजवाड़ा");
  EXPECT_EQ(p.status, "received");
  EXPECT_GT(p.seq, 0u);
  EXPECT_TRUE(Dues(property_).net.IsZero());
  // The collection journal names the receipt and balances.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM journal WHERE reference = '" + p.receipt_no + "'"), 1);
  EXPECT_EQ(Count("SELECT SUM(debit_paise) - SUM(credit_paise) FROM journal_lines"), 0);
  ExpectReplayMatches();
}

TEST_F(PaymentsTest, PartPaymentAndOverpaymentLeaveTheRightAdvance) {
  const Money net = Dues(property_).net;
  auto part = Collect(Input(100'00));
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  EXPECT_FALSE(part->payment.allocation.settled_in_full);
  EXPECT_TRUE(part->payment.advance.IsZero());
  const Money rest = Dues(property_).net;
  EXPECT_LT(rest, net);
  auto over = Collect(Input(rest.paise() + 500'00));
  ASSERT_TRUE(over.ok()) << over.status().ToString();
  EXPECT_EQ(over->payment.advance, Money::FromPaise(500'00));
  EXPECT_EQ(Advance(property_), Money::FromPaise(500'00));
  EXPECT_THAT(over->payment.receipt_no, ::testing::EndsWith("/C1/000002"));
  ExpectReplayMatches();
}

TEST_F(PaymentsTest, RetryWithTheSameKeyIsTheSamePayment) {
  auto first = Collect(Input(1'000'00), "key-1");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const uint64_t entries = Entries();
  auto again = Collect(Input(1'000'00), "key-1");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->payment.receipt_no, first->payment.receipt_no);
  EXPECT_EQ(Entries(), entries);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payments"), 1);
  // The same key with another request ("h-key-1" stands for the hash of this request).
  auto other =
      Payments(*ledgers_).Collect(kUlb, {"usr_cashier", "key-1", "h-other"}, Input(2'000'00));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), "idempotency_key_reused");
}

TEST_F(PaymentsTest, BadInputIsRefusedBeforeAnythingIsWritten) {
  const uint64_t entries = Entries();
  PaymentInput in = Input(0);
  EXPECT_EQ(Collect(in).status().code(), "invalid_field");
  in = Input(100'00, "cheque");
  in.reference = "";
  EXPECT_EQ(Collect(in).status().code(), "invalid_field");
  in = Input(100'00);
  in.mode = "barter";
  EXPECT_EQ(Collect(in).status().code(), "invalid_field");
  in = Input(100'00);
  in.counter = "ON";
  EXPECT_EQ(Collect(in).status().code(), "invalid_counter");
  in = Input(100'00);
  in.property_id = "03-999999";
  auto missing = Collect(in);
  EXPECT_EQ(missing.status().code(), "property_not_found");
  EXPECT_FALSE(missing.status().message_hi().empty());
  EXPECT_EQ(Entries(), entries);
}

TEST_F(PaymentsTest, ConcurrentCashiersGetGaplessReceiptsThatContinueAfterRestart) {
  constexpr int kThreads = 6;
  constexpr int kEach = 12;
  std::mutex mu;
  std::set<std::string> numbers;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        PaymentInput in = Input(10'00 + i);
        in.counter = t % 2 == 0 ? "C1" : "C2";
        auto r = Collect(in, "k-" + std::to_string(t) + "-" + std::to_string(i));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        std::lock_guard lock(mu);
        EXPECT_TRUE(numbers.insert(r->payment.receipt_no).second);
      }
    });
  }
  for (auto& th : threads) th.join();
  const std::string fy = FinancialYear::Of(Today()).Format();
  for (const char* series : {"C1", "C2"}) {
    for (int s = 1; s <= kThreads / 2 * kEach; ++s) {
      EXPECT_TRUE(numbers.contains(ReceiptNo{kUlb, fy, series, s}.Format())) << series << s;
    }
  }
  ledgers_->Close();
  ledgers_.reset();
  Open();
  auto next = Collect(Input(10'00));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->payment.serial, kThreads / 2 * kEach + 1);
  ExpectReplayMatches();
}

TEST_F(PaymentsTest, AClosedCounterDayTakesNoPayment) {
  auto r = Collect(Input(100'00));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto closed = accounts::CloseDay(*ledgers_, kUlb, {"usr_cashier", "", ""}, "Asha Verma",
                                   {Today(), "C1", Money::FromPaise(100'00), ""});
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  const uint64_t entries = Entries();
  auto refused = Collect(Input(100'00));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), "counter_day_closed");
  EXPECT_NE(refused.status().message_hi().find("काउंटर"), std::string::npos);
  EXPECT_EQ(Entries(), entries);
  PaymentInput other = Input(100'00);
  other.counter = "C2";
  auto elsewhere = Collect(other);
  ASSERT_TRUE(elsewhere.ok()) << elsewhere.status().ToString();
  EXPECT_EQ(elsewhere->payment.serial, 1);
  ExpectReplayMatches();
}

TEST_F(PaymentsTest, OnlyABouncedChequeOrDdIsReversedAndOnlyOnce) {
  const property_tax::Dues before = Dues(property_);
  auto cash = Collect(Input(100'00));
  ASSERT_TRUE(cash.ok());
  auto refused = Reverse(cash->payment.receipt_no);
  EXPECT_EQ(refused.status().code(), "payment_not_reversible");
  auto cheque = Collect(Input(before.net.paise() + 1'000'00, "cheque"));
  ASSERT_TRUE(cheque.ok()) << cheque.status().ToString();
  EXPECT_EQ(Advance(property_), Money::FromPaise(1'000'00 + 100'00));
  auto reversed = Reverse(cheque->payment.receipt_no);
  ASSERT_TRUE(reversed.ok()) << reversed.status().ToString();
  EXPECT_EQ(reversed->payment.status, "reversed");
  EXPECT_EQ(reversed->payment.reversed_on, Today());
  // Back to what was owed after the cash payment alone.
  EXPECT_EQ(Dues(property_).principal + Dues(property_).surcharge,
            before.principal + before.surcharge - Money::FromPaise(100'00));
  EXPECT_EQ(Advance(property_), Money::FromPaise(0));
  auto twice = Reverse(cheque->payment.receipt_no);
  EXPECT_EQ(twice.status().code(), "payment_already_reversed");
  EXPECT_EQ(Reverse("0152/2026-27/C1/000999").status().code(), "receipt_not_found");
  // The mirror journal nets the cheque out.
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM journal WHERE reference = '" + cheque->payment.receipt_no + "'"),
      2);
  ExpectReplayMatches();
}

TEST_F(PaymentsTest, AReversalThatWouldUndoAConsumedAdvanceIsRefused) {
  // A property registered after the demo demand owes nothing yet: a cheque is all advance.
  const std::string fresh = Register();
  PaymentInput in = Input(5'000'00, "dd");
  in.property_id = fresh;
  auto dd = Collect(in);
  ASSERT_TRUE(dd.ok()) << dd.status().ToString();
  EXPECT_EQ(dd->payment.advance, Money::FromPaise(5'000'00));
  // The year's demand for it consumes the advance.
  auto run = property_tax::RaiseDemand(*ledgers_, kUlb, "usr_test", FinancialYear::Of(Today()));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(run->raised, 1);
  ASSERT_LT(Advance(fresh), Money::FromPaise(5'000'00));
  const uint64_t entries = Entries();
  auto refused = Reverse(dd->payment.receipt_no);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), "advance_already_used");
  EXPECT_EQ(Entries(), entries);
  ExpectReplayMatches();
}

// Files written before schema migration 3 hold payments with UNIQUE (fy, series, serial) and
// payments_by_date, journal_by_date on (date, counter), and journal_lines and pt_advance as rowid
// tables. Such a file verifies as it is; the next open converts
// it with every row kept, and receipts, retries, the day's books and new receipts carry on.
TEST_F(PaymentsTest, AnEarlierBuildsFileIsConvertedWithEveryRowKept) {
  const Money owed = Dues(property_).net;
  auto c1 = Collect(Input(100'00), "key-c1");
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  PaymentInput c2 = Input(owed.paise() + 1'000'00, "cheque");
  c2.counter = "C2";
  auto cheque = Collect(c2, "key-c2");
  ASSERT_TRUE(cheque.ok()) << cheque.status().ToString();
  ASSERT_TRUE(Collect(Input(250'00), "key-c1-2").ok());
  ASSERT_TRUE(Reverse(cheque->payment.receipt_no).ok());
  ASSERT_TRUE(Collect(c2, "key-c2-2").ok());  // leaves an advance again
  ledgers_->Close();
  ledgers_.reset();

  const fs::path file = dir_ / "ulb" / "0152.db";
  constexpr std::array<std::pair<const char*, const char*>, 5> kTables{
      {{"payments", "receipt_no"},
       {"idempotency_keys", "key"},
       {"journal", "voucher_no"},
       {"journal_lines", "voucher_no, line_no"},
       {"pt_advance", "property_id"}}};
  auto rows = [&](store::Database& db) { return property_tax::test::RowsInKeyOrder(db, kTables); };
  auto definitions = [&](store::Database& db) {
    std::map<std::string, std::string> out;
    EXPECT_TRUE(db.ForEach("SELECT name, sql FROM sqlite_master WHERE tbl_name IN ('payments',"
                           " 'idempotency_keys', 'journal', 'journal_lines', 'pt_advance')",
                           {},
                           [&](const store::Row& r) {
                             out[r.Text(0)] = r.IsNull(1) ? "" : r.Text(1);
                             return true;
                           })
                    .ok());
    return out;
  };
  std::vector<std::string> before;
  {
    // What an earlier build made (schema version 2).
    auto db = store::sqlite::Database::Open(file, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    before = rows(**db);
    ASSERT_GT(before.size(), 5u * 3);
    ASSERT_TRUE((*db)->BeginWrite().ok());
    for (const char* table : {"payments", "journal_lines", "pt_advance"}) {
      auto sql = (*db)->QueryOne("SELECT sql FROM sqlite_master WHERE name = ?", {table});
      ASSERT_TRUE(sql.ok() && *sql);
      std::string old = (**sql).Text(0);
      if (std::string(table) == "payments") {
        old.insert(old.rfind(')'), ", UNIQUE (fy, series, serial)");
      } else {
        const size_t without = old.find(" WITHOUT ROWID");
        ASSERT_NE(without, std::string::npos) << old;
        old.erase(without);
      }
      ASSERT_TRUE(property_tax::test::RecreateTableAs(**db, table, old).ok()) << old;
    }
    ASSERT_TRUE((*db)
                    ->ExecScript("CREATE INDEX payments_by_property ON payments(property_id, seq);"
                                 " CREATE INDEX payments_by_date ON payments(date, counter);"
                                 " DROP INDEX journal_by_date;"
                                 " CREATE INDEX journal_by_date ON journal(date, counter);"
                                 " DELETE FROM schema_version WHERE version > 2")
                    .ok());
    ASSERT_TRUE((*db)->Commit().ok());
    const auto old = definitions(**db);
    for (const auto& [name, sql] : old) EXPECT_EQ(sql.find("WITHOUT ROWID"), std::string::npos);
    EXPECT_TRUE(old.contains("sqlite_autoindex_journal_lines_1"));
    EXPECT_TRUE(old.contains("sqlite_autoindex_payments_2")) << "UNIQUE (fy, series, serial)";
    EXPECT_EQ(rows(**db), before);
  }
  // verify reads such a file as it is.
  ExpectReplayMatches();

  Open();
  ledgers_->Close();
  ledgers_.reset();
  {
    auto db = store::sqlite::Database::Open(file, {.read_only = true});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    const auto converted = definitions(**db);
    for (const char* table : {"journal_lines", "pt_advance"}) {
      ASSERT_TRUE(converted.contains(table));
      EXPECT_NE(converted.at(table).find("WITHOUT ROWID"), std::string::npos)
          << converted.at(table);
    }
    EXPECT_EQ(converted.at("payments").find("UNIQUE"), std::string::npos);
    EXPECT_FALSE(converted.contains("payments_by_date"));
    EXPECT_EQ(converted.at("payments_by_property"),
              "CREATE INDEX payments_by_property ON payments(property_id, seq)");
    EXPECT_EQ(converted.at("journal_by_date"), "CREATE INDEX journal_by_date ON journal(date)");
    // Nothing left over: the five tables, the keys of payments and idempotency_keys, and the two
    // indexes alone.
    std::string names;
    for (const auto& [name, sql] : converted) names += name + " ";
    EXPECT_EQ(converted.size(), 5u + 2u + 2u) << names;
    EXPECT_TRUE(converted.contains("sqlite_autoindex_payments_1")) << names;
    EXPECT_EQ(rows(**db), before);
    auto version = (*db)->QueryOne("SELECT MAX(version) FROM schema_version");
    ASSERT_TRUE(version.ok() && *version);
    EXPECT_EQ((**version).Int(0), ledger::LatestSchemaVersion());
  }

  Open();
  // Receipts read back, a retry is still the same payment, and the series carry on.
  auto got = Payments(*ledgers_).Get(kUlb, cheque->payment.receipt_no);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->status, "reversed");
  auto of = Payments(*ledgers_).OfProperty(kUlb, property_);
  ASSERT_TRUE(of.ok());
  EXPECT_EQ(of->size(), 4u);
  auto again = Collect(Input(100'00), "key-c1");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->payment.receipt_no, c1->payment.receipt_no);
  auto next = Collect(c2, "key-c2-3");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->payment.serial, 3);
  // The day's books by counter: C1 took 100 + 250 in cash.
  ASSERT_TRUE((*ledgers_->Ulb(kUlb))
                  ->Read([&](store::Transaction& tx) -> Status {
                    PALIKA_ASSIGN_OR_RETURN(Money cash, accounts::ExpectedCash(tx, Today(), "C1"));
                    EXPECT_EQ(cash, Money::FromPaise(350'00));
                    PALIKA_ASSIGN_OR_RETURN(auto reg, accounts::CollectionRegister(tx, Today()));
                    EXPECT_EQ(reg.net, Money::FromPaise(350'00) + c2.amount + c2.amount);
                    return Status::OK();
                  })
                  .ok());
  ExpectReplayMatches();
}

// The same payments on PostgreSQL: every entry of this ULB's ledger, applied through the one apply
// path into a PostgreSQL schema, gives the same rows in every table, and the dues, the advance and
// the accounts' reports read from there agree with SQLite's to the paisa.
TEST_F(PaymentsTest, TheSameRecordAndReportsOnPostgres) {
  const std::string url = pgtest::Url();
  ASSERT_FALSE(url.empty());
  const property_tax::Dues before = Dues(property_);
  ASSERT_TRUE(Collect(Input(100'00)).ok());
  auto cheque = Collect(Input(before.net.paise() + 1'000'00, "cheque"), "key-pg");
  ASSERT_TRUE(cheque.ok()) << cheque.status().ToString();
  ASSERT_TRUE(Reverse(cheque->payment.receipt_no).ok());
  ASSERT_TRUE(Collect(Input(250'00)).ok());
  ASSERT_TRUE(accounts::CloseDay(*ledgers_, kUlb, {"usr_cashier", "", ""}, "Asha Verma",
                                 {Today(), "C1", Money::FromPaise(350'00), ""})
                  .ok());
  ledgers_->Close();
  ledgers_.reset();

  auto lite = store::OpenDatabase(dir_ / "ulb" / "0152.db", {.read_only = true});
  ASSERT_TRUE(lite.ok()) << lite.status().ToString();
  auto pg = store::OpenScratch(store::Location::Postgres(url, ""));
  ASSERT_TRUE(pg.ok()) << pg.status().ToString();
  ASSERT_TRUE(ledger::LedgerTables().CreateSchema(**pg).ok());
  ASSERT_TRUE(UlbTables().CreateSchema(**pg).ok());
  ASSERT_TRUE((*lite)->BeginRead().ok());
  ASSERT_TRUE((*pg)->BeginWrite().ok());
  Status applied = Status::OK();
  ASSERT_TRUE((*lite)
                  ->ForEach("SELECT origin, seq, ulb, time_us, actor, type, payload FROM "
                            "ledger_entries ORDER BY origin, seq",
                            {},
                            [&](const store::Row& r) {
                              ledger::Entry e{r.Text(2), r.Text(0), static_cast<uint64_t>(r.Int(1)),
                                              r.Int(3),  r.Text(4), r.Text(5),
                                              r.Text(6)};
                              applied = ledger::ApplyEntry(UlbTables(), **pg, e);
                              return applied.ok();
                            })
                  .ok());
  ASSERT_TRUE(applied.ok()) << applied.ToString();

  std::vector<ledger::Projections::Table> tables = UlbTables().tables();
  for (const auto& t : ledger::LedgerTables().tables()) {
    if (t.name == "idempotency_keys") tables.push_back(t);
  }
  size_t rows = 0;
  for (const auto& t : tables) {
    const std::string sql = "SELECT * FROM " + t.name + " ORDER BY " + t.order_by;
    auto a = (*lite)->Query(sql);
    auto b = (*pg)->Query(sql);
    ASSERT_TRUE(a.ok() && b.ok()) << t.name << ": " << a.status().ToString() << " / "
                                  << b.status().ToString();
    EXPECT_EQ(*a, *b) << "table " << t.name;
    rows += a->size();
  }
  EXPECT_GT(rows, 50u);

  // The reads decide and the reports run on both engines, with the same figures.
  std::vector<std::vector<int64_t>> figures;
  for (store::Database* tx : {lite->get(), pg->get()}) {
    SCOPED_TRACE(std::string(store::EngineName(tx->engine())));
    std::vector<int64_t> f;
    auto dues = property_tax::PropertyDues(*tx, property_, Today(), false);
    ASSERT_TRUE(dues.ok()) << dues.status().ToString();
    f.push_back(dues->net.paise());
    auto advance = property_tax::LoadAdvance(*tx, property_);
    ASSERT_TRUE(advance.ok()) << advance.status().ToString();
    f.push_back(advance->paise());
    auto net = accounts::NetCollected(*tx, Today(), Today());
    ASSERT_TRUE(net.ok()) << net.status().ToString();
    f.push_back(net->paise());
    auto trial = accounts::TrialBalance(*tx, Today());
    ASSERT_TRUE(trial.ok()) << trial.status().ToString();
    EXPECT_EQ(trial->debit, trial->credit);
    f.push_back(trial->debit.paise());
    f.push_back(static_cast<int64_t>(trial->rows.size()));
    auto dcb = accounts::DcbRegister(*tx, FinancialYear::Of(Today()));
    ASSERT_TRUE(dcb.ok()) << dcb.status().ToString();
    for (const accounts::Dcb* d : {&dcb->total.arrear, &dcb->total.current}) {
      f.insert(f.end(), {d->demand.paise(), d->collection.paise(), d->balance.paise()});
    }
    f.push_back(dcb->total.properties);
    auto reg = accounts::CollectionRegister(*tx, Today());
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    auto journals = accounts::JournalOn(*tx, Today());
    ASSERT_TRUE(journals.ok()) << journals.status().ToString();
    f.push_back(static_cast<int64_t>(journals->size()));
    figures.push_back(std::move(f));
  }
  ASSERT_EQ(figures.size(), 2u);
  EXPECT_EQ(figures[0], figures[1]) << "SQLite's figures, then PostgreSQL's";
  EXPECT_GT(figures[0][3], 0) << "the trial balance has postings";
  EXPECT_TRUE((*pg)->Rollback().ok());
}

}  // namespace
}  // namespace palika::payments
