// The cashier's day close through a real ULB ledger: expected cash from the journal (cash only,
// reversals netted, other counters and dates apart), once per date and counter, not ahead of
// the day, idempotent retries, strict bilingual parsing, and replay.

#include "services/accounts/day_close.h"

#include <gtest/gtest.h>

#include "core/json.h"
#include "services/accounts/accounts_testing.h"

namespace palika::accounts {
namespace {

namespace json = boost::json;
using test::CashCollection;
using test::Date;
using DayCloseTest = test::AccountsFixture;

Money P(int64_t paise) { return Money::FromPaise(paise); }

Journal Upi(const std::string& receipt, int64_t paise) {
  Journal j = CashCollection(receipt, paise);
  j.mode = "upi";
  j.lines[0].account = "450-21";
  return j;
}

TEST(DayCloseRequest, ParsesStrictlyWithBilingualErrors) {
  auto ok = ParseDayCloseRequest(
      json::parse(R"({"date":"2026-11-20","counter":"C1","declared_cash_paise":1500,)"
                  R"("note":"सब ठीक"})")
          .as_object());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->date, Date("2026-11-20"));
  EXPECT_EQ(ok->counter, "C1");
  EXPECT_EQ(ok->declared, P(1500));
  EXPECT_EQ(ok->note, "सब ठीक");
  for (const char* bad :
       {R"({"date":"20/11/2026","counter":"C1","declared_cash_paise":1})",
        R"({"date":"2026-11-20","counter":"C1","declared_cash_paise":-1})",
        R"({"date":"2026-11-20","declared_cash_paise":1})",
        R"({"date":"2026-11-20","counter":"C1","declared_cash_paise":"1"})",
        R"({"date":"2026-11-20","counter":"C1","declared_cash_paise":1,"x":1})"}) {
    auto r = ParseDayCloseRequest(json::parse(bad).as_object());
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().kind(), StatusKind::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message(), r.status().message_hi()) << bad;
  }
}

TEST_F(DayCloseTest, ExpectsTheCountersCashNetOfReversalsAndRecordsTheDifference) {
  Journal c1 = CashCollection("R-1", 100'000);
  ASSERT_TRUE(Post({c1, CashCollection("R-2", 50'050), Upi("R-3", 70'000),
                    CashCollection("R-4", 9'999, "2026-11-20", "C2"),
                    CashCollection("R-5", 8'888, "2026-11-19")})
                  .ok());
  ASSERT_TRUE(Post({MirrorJournal(c1, Date("2026-11-20"), "REV-R-1")}).ok());

  property_tax::WriteContext ctx{"usr_cashier", "key-1", "hash-1"};
  DayCloseRequest req{Date("2026-11-20"), "C1", P(50'000), "₹50 short"};
  auto r = CloseDay(*ledgers_, test::kUlb, ctx, "Sunita Verma / सुनीता वर्मा", req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->replayed);
  EXPECT_EQ(r->record.expected, P(50'050));
  EXPECT_EQ(r->record.declared, P(50'000));
  EXPECT_EQ(r->record.difference, P(-50));
  EXPECT_EQ(r->record.cashier_id, "usr_cashier");
  EXPECT_EQ(r->record.cashier_name, "Sunita Verma / सुनीता वर्मा");

  // The same request again with the same key: the stored answer, nothing new written.
  const uint64_t size = Ulb().size();
  auto again = CloseDay(*ledgers_, test::kUlb, ctx, "Sunita Verma / सुनीता वर्मा", req);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->record.difference, P(-50));
  EXPECT_EQ(Ulb().size(), size);

  // Without the key (or with another), the day is already closed.
  auto twice = CloseDay(*ledgers_, test::kUlb, {"usr_cashier", "", ""}, "x", req);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().kind(), StatusKind::kConflict);
  EXPECT_EQ(twice.status().code(), "day_already_closed");
  EXPECT_NE(twice.status().message(), twice.status().message_hi());

  // Another counter of the same day closes on its own.
  auto c2 = CloseDay(*ledgers_, test::kUlb, {"usr_cashier2", "", ""}, "Asha",
                     {Date("2026-11-20"), "C2", P(9'999), ""});
  ASSERT_TRUE(c2.ok()) << c2.status().ToString();
  EXPECT_EQ(c2->record.difference, P(0));

  ASSERT_TRUE(Ulb()
                  .Read([&](store::Transaction& tx) -> Status {
                    EXPECT_TRUE(*IsDayClosed(tx, Date("2026-11-20"), "C1"));
                    EXPECT_TRUE(*IsDayClosed(tx, Date("2026-11-20"), "C2"));
                    EXPECT_FALSE(*IsDayClosed(tx, Date("2026-11-19"), "C1"));
                    PALIKA_ASSIGN_OR_RETURN(auto list, ListDayCloses(tx, std::nullopt));
                    EXPECT_EQ(list.size(), 2u);
                    PALIKA_ASSIGN_OR_RETURN(auto day, ListDayCloses(tx, Date("2026-11-20")));
                    EXPECT_EQ(day.size(), 2u);
                    EXPECT_EQ(day.front().counter, "C1");
                    EXPECT_EQ(day.front().note, "₹50 short");
                    EXPECT_GT(day.front().time_us, 0);
                    return Status::OK();
                  })
                  .ok());
  ExpectReplayMatches();
}

TEST_F(DayCloseTest, RefusesADayThatHasNotEnded) {
  const CivilDate tomorrow = CivilDate::IstDateOfUtcMicros(NowMicros()).AddDays(1);
  auto r =
      CloseDay(*ledgers_, test::kUlb, {"usr_cashier", "", ""}, "x", {tomorrow, "C1", P(0), ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "day_close_future");
  ASSERT_TRUE(Ulb()
                  .Read([&](store::Transaction& tx) -> Status {
                    EXPECT_FALSE(*IsDayClosed(tx, tomorrow, "C1"));
                    return Status::OK();
                  })
                  .ok());
}

}  // namespace
}  // namespace palika::accounts
