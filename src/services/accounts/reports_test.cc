// The accounts' reports: the collection register and the journal of a day, the trial balance
// (a property test over randomised journals posted through the real ledger: it always balances,
// and a mirror nets to zero), and the DCB register by ward with its CSV and .xlsx forms.

#include "services/accounts/reports.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "services/accounts/accounts_testing.h"
#include "services/accounts/chart_of_accounts.h"
#include "services/accounts/dcb_xlsx.h"
#include "store/sqlite/database.h"

namespace palika::accounts {
namespace {

using test::CashCollection;
using test::Date;
using ReportsTest = test::AccountsFixture;

Money P(int64_t paise) { return Money::FromPaise(paise); }

TEST_F(ReportsTest, CollectionsOfAPeriodByDayModeAndWardAgreeWithTheDailyTotals) {
  Journal r1 = CashCollection("R-1", 100'000, "2026-11-18");
  Journal upi = CashCollection("R-2", 40'000, "2026-11-20");
  upi.mode = "upi";
  upi.lines[0].account = "450-21";
  ASSERT_TRUE(Post({r1, upi, CashCollection("R-3", 5'000, "2026-11-20"),
                    CashCollection("R-4", 9'999, "2026-11-25")})
                  .ok());
  ASSERT_TRUE(Post({MirrorJournal(r1, Date("2026-11-19"), "R-1")}).ok());
  ASSERT_TRUE(
      Ulb()
          .Read([&](store::Transaction& tx) -> Status {
            PALIKA_ASSIGN_OR_RETURN(auto s,
                                    CollectionsBetween(tx, Date("2026-11-18"), Date("2026-11-20")));
            EXPECT_EQ(s.by_day.size(), 3u);  // every day, the empty ones too
            EXPECT_EQ(s.by_day[0].key, "2026-11-18");
            EXPECT_EQ(s.by_day[0].net, P(100'000));
            EXPECT_EQ(s.by_day[1].net, P(-100'000));
            EXPECT_EQ(s.by_day[1].reversals, 1);
            EXPECT_EQ(s.by_day[2].net, P(45'000));
            EXPECT_EQ(s.by_day[2].receipts, 2);
            EXPECT_EQ(s.by_mode.size(), 2u);
            EXPECT_EQ(s.by_mode[0].key, "cash");
            EXPECT_EQ(s.by_mode[0].net, P(5'000));
            EXPECT_EQ(s.by_mode[1].key, "upi");
            // No receipt of these journals is in the payments table: ward 0.
            EXPECT_EQ(s.by_ward.back().key, "0");
            EXPECT_EQ(s.by_ward.back().net, P(45'000));
            EXPECT_EQ(s.net, P(45'000));
            EXPECT_EQ(s.receipts, 3);
            EXPECT_EQ(s.reversals, 1);
            PALIKA_ASSIGN_OR_RETURN(Money daily,
                                    NetCollected(tx, Date("2026-11-18"), Date("2026-11-20")));
            EXPECT_EQ(daily, s.net);
            const std::string csv = CollectionSummaryCsv(s);
            EXPECT_TRUE(csv.starts_with("\xEF\xBB\xBF"));
            EXPECT_NE(csv.find("day,2026-11-20,,,2,0,450.00\r\n"), std::string::npos);
            EXPECT_NE(csv.find("total,2026-11-18 to 2026-11-20,,,3,1,450.00"), std::string::npos);
            // Bad input: an end before the start, or more than a year.
            EXPECT_EQ(
                CollectionsBetween(tx, Date("2026-11-20"), Date("2026-11-19")).status().code(),
                "invalid_period");
            EXPECT_FALSE(CollectionsBetween(tx, Date("2025-11-19"), Date("2026-11-20")).ok());
            EXPECT_TRUE(CollectionsBetween(tx, Date("2025-11-20"), Date("2026-11-20")).ok());
            return Status::OK();
          })
          .ok());
}

TEST_F(ReportsTest, CollectionRegisterNetsReversalsByCounterAndMode) {
  Journal r1 = CashCollection("R-1", 100'000);
  Journal upi = CashCollection("R-2", 40'000);
  upi.mode = "upi";
  upi.lines[0].account = "450-21";
  ASSERT_TRUE(Post({r1, upi, CashCollection("R-3", 5'000), CashCollection("R-4", 1, "2026-11-21"),
                    CashCollection("R-5", 7'000, "2026-11-20", "ON")})
                  .ok());
  ASSERT_TRUE(Post({MirrorJournal(r1, Date("2026-11-20"), "REV-R-1")}).ok());
  ASSERT_TRUE(Ulb()
                  .Read([&](store::Transaction& tx) -> Status {
                    PALIKA_ASSIGN_OR_RETURN(auto reg, CollectionRegister(tx, Date("2026-11-20")));
                    EXPECT_EQ(reg.rows.size(), 3u);
                    const CollectionRow& cash = reg.rows[0];
                    EXPECT_EQ(cash.counter, "C1");
                    EXPECT_EQ(cash.mode, "cash");
                    EXPECT_EQ(cash.receipts, 2);
                    EXPECT_EQ(cash.reversals, 1);
                    EXPECT_EQ(cash.collected, P(105'000));
                    EXPECT_EQ(cash.reversed, P(100'000));
                    EXPECT_EQ(cash.net, P(5'000));
                    EXPECT_EQ(reg.rows[1].mode, "upi");
                    EXPECT_EQ(reg.rows[1].net, P(40'000));
                    EXPECT_EQ(reg.rows[2].counter, "ON");
                    EXPECT_EQ(reg.net, P(52'000));
                    EXPECT_EQ(reg.collected, P(152'000));
                    auto j = CollectionRegisterJson(reg);
                    EXPECT_EQ(j.at("net_paise").as_int64(), 52'000);

                    PALIKA_ASSIGN_OR_RETURN(auto day, JournalOn(tx, Date("2026-11-20")));
                    EXPECT_EQ(day.size(), 5u);
                    EXPECT_EQ(day.front().voucher_no, 1);
                    EXPECT_EQ(day.front().journal, r1);
                    EXPECT_EQ(day.back().journal.voucher, "reversal");
                    auto pj = PostedJournalJson(day.front());
                    EXPECT_EQ(pj.at("lines").as_array().size(), 2u);
                    return Status::OK();
                  })
                  .ok());
}

// A random balanced journal over the whole chart: 1-4 debit lines and 1-4 credit lines.
Journal RandomJournal(std::mt19937_64& rng, int n) {
  auto chart = ChartOfAccounts();
  std::uniform_int_distribution<size_t> account(0, chart.size() - 1);
  std::uniform_int_distribution<int> count(1, 4);
  std::uniform_int_distribution<int64_t> amount(1, 10'000'000);
  std::uniform_int_distribution<int> day(1, 30);
  Journal j;
  j.voucher = "collection";
  j.date = CivilDate::FromYmd(2026, 11, day(rng)).value();
  j.reference = "R-" + std::to_string(n);
  j.counter = "C" + std::to_string(n % 3);
  j.mode = "cash";
  std::vector<int64_t> debits(count(rng));
  int64_t total = 0;
  for (auto& d : debits) total += d = amount(rng);
  for (int64_t d : debits) j.lines.push_back({std::string(chart[account(rng)].code), P(d), P(0)});
  // Credits: the total cut at random points.
  const int parts = count(rng);
  int64_t left = total;
  for (int i = 0; i < parts && left > 0; ++i) {
    const int64_t c = i + 1 == parts ? left : std::uniform_int_distribution<int64_t>(1, left)(rng);
    j.lines.push_back({std::string(chart[account(rng)].code), P(0), P(c)});
    left -= c;
  }
  return j;
}

// Each account's net balance, leaving out accounts that net to zero.
std::map<std::string, int64_t> Balances(const TrialBalanceReport& tb) {
  std::map<std::string, int64_t> out;
  for (const auto& r : tb.rows) {
    const int64_t net = (r.debit_balance - r.credit_balance).paise();
    if (net != 0) out[r.account] = net;
  }
  return out;
}

TEST_F(ReportsTest, TrialBalanceAlwaysBalancesAndAMirrorNetsToZero) {
  std::vector<Journal> posted;  // every journal so far, to total the lines independently
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 rng(seed);
    std::vector<Journal> batch;
    for (int i = 0; i < 6; ++i)
      batch.push_back(RandomJournal(rng, static_cast<int>(seed) * 10 + i));
    ASSERT_TRUE(Post(batch).ok()) << "seed " << seed;
    posted.insert(posted.end(), batch.begin(), batch.end());
    const CivilDate on = CivilDate::FromYmd(2026, 11, static_cast<int>(seed % 30) + 1).value();
    std::map<std::string, int64_t> before;  // account -> debit balance less credit balance
    ASSERT_TRUE(Ulb()
                    .Read([&](store::Transaction& tx) -> Status {
                      for (CivilDate d : {on, Date("2026-12-31")}) {
                        PALIKA_ASSIGN_OR_RETURN(auto tb, TrialBalance(tx, d));
                        EXPECT_EQ(tb.debit, tb.credit) << "seed " << seed << " on " << d.Format();
                        EXPECT_EQ(tb.debit_balance, tb.credit_balance) << "seed " << seed;
                        EXPECT_TRUE(TrialBalanceJson(tb).at("balanced").as_bool());
                        // The daily totals agree with the lines themselves.
                        std::map<std::string, std::pair<Money, Money>> want;
                        for (const Journal& j : posted) {
                          if (j.date > d) continue;
                          for (const auto& l : j.lines) {
                            want[l.account].first += l.debit;
                            want[l.account].second += l.credit;
                          }
                        }
                        std::map<std::string, std::pair<Money, Money>> got;
                        for (const auto& r : tb.rows) got[r.account] = {r.debit, r.credit};
                        EXPECT_EQ(got, want) << "seed " << seed << " on " << d.Format();
                      }
                      PALIKA_ASSIGN_OR_RETURN(auto tb, TrialBalance(tx, Date("2026-12-31")));
                      before = Balances(tb);
                      return Status::OK();
                    })
                    .ok());
    // A journal and then its mirror: every account's balance is as it was before both.
    const Journal j = RandomJournal(rng, static_cast<int>(seed) * 10 + 9);
    ASSERT_TRUE(Post({j}).ok());
    ASSERT_TRUE(Post({MirrorJournal(j, j.date, "REV-" + j.reference)}).ok());
    posted.push_back(j);
    posted.push_back(MirrorJournal(j, j.date, "REV-" + j.reference));
    ASSERT_TRUE(Ulb()
                    .Read([&](store::Transaction& tx) -> Status {
                      PALIKA_ASSIGN_OR_RETURN(auto tb, TrialBalance(tx, Date("2026-12-31")));
                      EXPECT_EQ(tb.debit, tb.credit);
                      EXPECT_EQ(Balances(tb), before) << "seed " << seed;
                      return Status::OK();
                    })
                    .ok());
  }
  ExpectReplayMatches();
}

TEST(TrialBalance, IsEmptyAndBalancedBeforeAnyPosting) {
  auto db = store::sqlite::Database::Open("", {.create = true, .in_memory = true});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(test::UlbTables().CreateSchema(**db).ok());
  auto tb = TrialBalance(**db, Date("2026-11-20"));
  ASSERT_TRUE(tb.ok());
  EXPECT_TRUE(tb->rows.empty());
  EXPECT_EQ(tb->debit, tb->credit);
}

// pt_account rows for the DCB, written straight into a scratch database of the ULB schema.
class DcbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::sqlite::Database::Open("", {.create = true, .in_memory = true});
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    ASSERT_TRUE(test::UlbTables().CreateSchema(*db_).ok());
    for (auto [n, name, hi] :
         {std::tuple{1, "Sirpur", "सिरपुर"}, std::tuple{3, "Rajwada", "राजवाड़ा"},
          std::tuple{7, "Palasia, East", "पलासिया"}}) {
      ASSERT_TRUE(db_->Exec("INSERT INTO wards(number, name, name_hi, zone) VALUES (?, ?, ?, 'Z')",
                            {int64_t{n}, name, hi})
                      .ok());
    }
    int64_t num = 0;
    for (auto [id, ward] :
         {std::pair{"01-000001", 1}, std::pair{"01-000002", 1}, std::pair{"03-000001", 3}}) {
      ASSERT_TRUE(db_->Exec("INSERT INTO properties(id, num, ward, zone, address, address_hi,"
                            " plot_area_sqft, version, registered_us, updated_us, search_text)"
                            " VALUES (?, ?, ?, 'Z', 'a', 'अ', 100, 1, 0, 0, '')",
                            {id, ++num, int64_t{ward}})
                      .ok());
    }
  }

  void Account(const char* id, const char* fy, const char* head, int64_t demanded, int64_t paid,
               int64_t rebate, int64_t levied, int64_t s_paid, int64_t waived) {
    ASSERT_TRUE(db_->Exec("INSERT INTO pt_account(property_id, fy, head, demanded_paise,"
                          " principal_paid_paise, rebate_granted_paise, surcharge_levied_paise,"
                          " surcharge_paid_paise, surcharge_waived_paise)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          {id, fy, head, demanded, paid, rebate, levied, s_paid, waived})
                    .ok());
  }

  std::unique_ptr<store::sqlite::Database> db_;
};

TEST_F(DcbTest, SplitsArrearAndCurrentByWard) {
  Account("01-000001", "2025-26", "property_tax", 100'000, 40'000, 0, 5'000, 5'000, 0);
  Account("01-000001", "2026-27", "property_tax", 120'000, 112'500, 7'500, 0, 0, 0);
  Account("01-000001", "2026-27", "education_cess", 10'000, 10'000, 0, 0, 0, 0);
  Account("01-000002", "2024-25", "property_tax", 50'000, 0, 0, 2'000, 0, 1'000);
  Account("03-000001", "2026-27", "samekit_kar", 30'000, 0, 0, 0, 0, 0);
  Account("03-000001", "2027-28", "property_tax", 99'999, 0, 0, 0, 0, 0);  // a later year: out
  auto fy = FinancialYear::Parse("2026-27").value();
  auto r = DcbRegister(*db_, fy);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 3u);  // every ward, even one without accounts
  const DcbRow& w1 = r->rows[0];
  EXPECT_EQ(w1.ward, 1);
  EXPECT_EQ(w1.ward_name_hi, "सिरपुर");
  EXPECT_EQ(w1.properties, 2);
  EXPECT_EQ(w1.arrear.demand, P(100'000 + 5'000 + 50'000 + 2'000 - 1'000));
  EXPECT_EQ(w1.arrear.collection, P(45'000));
  EXPECT_EQ(w1.arrear.balance, P(111'000));
  EXPECT_EQ(w1.current.demand, P(122'500));
  EXPECT_EQ(w1.current.collection, P(122'500));
  EXPECT_EQ(w1.current.balance, P(0));
  EXPECT_EQ(w1.total.balance, P(111'000));
  const DcbRow& w3 = r->rows[1];
  EXPECT_EQ(w3.current.demand, P(30'000));
  EXPECT_EQ(w3.arrear.demand, P(0));
  EXPECT_EQ(r->rows[2].properties, 0);
  EXPECT_EQ(r->total.total.demand, P(156'000 + 122'500 + 30'000));
  EXPECT_EQ(r->total.total.balance, P(111'000 + 30'000));
  EXPECT_EQ(DcbJson(*r).at("total").as_object().at("properties").as_int64(), 3);

  const std::string csv = DcbCsv(*r);
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.find("1,Sirpur,सिरपुर,2,1560.00,450.00,1110.00,1225.00,1225.00,0.00,"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("7,\"Palasia, East\",पलासिया,0,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",Total,कुल,3,"), std::string::npos) << csv;

  auto xlsx = DcbXlsx(*r);
  ASSERT_TRUE(xlsx.ok()) << xlsx.status().ToString();
  ASSERT_GT(xlsx->size(), 1000u);
  EXPECT_EQ(xlsx->substr(0, 2), "PK");  // a zip
  // The zip names its parts in clear: the sheet and the shared strings are there.
  EXPECT_NE(xlsx->find("xl/worksheets/sheet1.xml"), std::string::npos);
  EXPECT_NE(xlsx->find("xl/workbook.xml"), std::string::npos);
}

TEST(DcbXlsx, NumberFormatPlacesLakhsAndCrores) {
  // Excel's plain "##,##,##0.00" groups by thousands; the conditions place the Indian commas.
  EXPECT_NE(std::string(kIndianNumberFormat).find("[>=10000000]##\\,##\\,##\\,##0.00"),
            std::string::npos);
  EXPECT_NE(std::string(kIndianNumberFormat).find("[>=100000]##\\,##\\,##0.00"), std::string::npos);
}

}  // namespace
}  // namespace palika::accounts
