// Payments and receipts over the real server: a cashier collects with an Idempotency-Key and
// retries, reads the receipt as JSON and PDF, anyone checks its code at /verify (and offline with
// `palika verify-receipt`), a revenue officer reverses a bounced cheque; refusals (wrong role,
// other ULB, bad input) are bilingual and write nothing; kill -9 while cashiers collect loses no
// acknowledged receipt and leaves no gap in any series. Each test ends with `palika verify`.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/server_fixture.h"

namespace palika::integration {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

std::string Str(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : ""; }

std::string Dashed(std::string s) {
  std::replace(s.begin(), s.end(), '/', '-');
  return s;
}

class PaymentApiTest : public DemoServerTest {
 protected:
  void SetUp() override {
    DemoServerTest::SetUp();
    if (HasFatalFailure()) return;
    cashier_ = server_->SignIn("indore.cashier");
    ASSERT_NE(cashier_, "");
    property_ = server_->Query(kIndore, "SELECT id FROM properties ORDER BY num LIMIT 1");
    ASSERT_FALSE(property_.empty());
  }

  void TearDown() override {
    if (server_ && !HasFailure()) {
      ASSERT_TRUE(server_->Stop());
      RunResult v = server_->Verify();
      EXPECT_EQ(v.exit_code, 0) << v.output;
    }
    DemoServerTest::TearDown();
  }

  http::ClientResponse Pay(const json::object& body, const std::string& key,
                           const std::string& token = "", const std::string& ulb = kIndore) {
    Headers h{{"Content-Type", "application/json"}};
    if (!key.empty()) h.push_back({"Idempotency-Key", key});
    return server_->Request("POST", "/api/v1/ulbs/" + ulb + "/payments", json::serialize(body),
                            token.empty() ? cashier_ : token, h);
  }

  json::object Cash(int64_t paise) {
    return {{"property", property_}, {"amount_paise", paise}, {"mode", "cash"}};
  }

  int64_t Payments() {
    return std::stoll(server_->Query(kIndore, "SELECT COUNT(*) FROM payments"));
  }
  int64_t Entries() { return server_->EntryCounts()[kIndore]; }
  int64_t LastSerial(const std::string& series) {
    return std::stoll(server_->Query(
        kIndore, "SELECT COALESCE(MAX(serial), 0) FROM payments WHERE series = '" + series + "'"));
  }

  std::string cashier_;
  std::string property_;
};

TEST_F(PaymentApiTest, CollectRetryAndReadTheReceipt) {
  // The demo's counters have collected today already: this is C1's next number.
  const int64_t last = LastSerial("C1");
  const int64_t before = Payments();
  auto r = Pay(Cash(1'000'00), "pay-1");
  ASSERT_EQ(r.status, 201) << r.body;
  json::object paid = ParseJson(r.body).as_object();
  const std::string no = Str(paid["receipt_no"]);
  EXPECT_TRUE(std::regex_match(no, std::regex(R"(0152/20\d\d-\d\d/C1/\d{6})"))) << no;
  EXPECT_EQ(std::stoll(no.substr(no.size() - 6)), last + 1) << no;
  EXPECT_EQ(paid["amount_paise"].as_int64(), 1'000'00);
  EXPECT_EQ(Str(paid["status"]), "received");
  EXPECT_EQ(Str(paid["mode"]), "cash");
  EXPECT_FALSE(Str(paid["cashier_name"]).empty());
  EXPECT_FALSE(Str(paid["payer_name"]).empty()) << "the owners' names by default";
  EXPECT_FALSE(Str(paid["receipt_code"]).empty());
  EXPECT_EQ(Str(paid["pdf_url"]), "/api/v1/ulbs/0152/receipts/" + Dashed(no) + ".pdf");
  const json::object& alloc = paid["allocation"].as_object();
  int64_t settled = alloc.at("advance_paise").as_int64();
  for (const auto& l : alloc.at("lines").as_array()) {
    settled += l.at("principal_paise").as_int64() + l.at("surcharge_paise").as_int64();
  }
  EXPECT_EQ(settled, 1'000'00) << "every paisa is allocated or an advance";
  EXPECT_FALSE(alloc.at("lines").as_array().empty()) << "the demo demand is settled first";

  // The same request again: the same receipt, no second payment.
  const int64_t entries = Entries();
  auto again = Pay(Cash(1'000'00), "pay-1");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Header("idempotent-replayed"), "true");
  EXPECT_EQ(Str(ParseJson(again.body).at("receipt_no")), no);
  EXPECT_EQ(Payments(), before + 1);
  EXPECT_EQ(Entries(), entries);
  // The same key with another body: refused.
  EXPECT_TRUE(IsApiError(Pay(Cash(2'000'00), "pay-1"), 409, "idempotency_key_reused"));
  EXPECT_EQ(Payments(), before + 1);

  // A second payment takes the next number; a Hindi payer name is kept as given.
  auto second = Pay({{"property", property_},
                     {"amount_paise", 250'50},
                     {"mode", "upi"},
                     {"reference", "UPI 412345678901"},
                     {"payer_name_hi", "सुनीता शर्मा"}},
                    "pay-2");
  ASSERT_EQ(second.status, 201) << second.body;
  json::object two = ParseJson(second.body).as_object();
  EXPECT_THAT(Str(two["receipt_no"]), ::testing::EndsWith(fmt::format("/C1/{:06}", last + 2)));
  EXPECT_EQ(Str(two["payer_name_hi"]), "सुनीता शर्मा");

  // The receipt, by either URL form, as JSON; then as PDF (A4 and thermal).
  for (const std::string& path : {no, Dashed(no)}) {
    auto g = server_->Request("GET", "/api/v1/ulbs/0152/receipts/" + path, "", cashier_);
    ASSERT_EQ(g.status, 200) << Describe("GET", path, g);
    EXPECT_EQ(Str(ParseJson(g.body).at("receipt_no")), no);
    EXPECT_EQ(Str(ParseJson(g.body).at("receipt_code")), Str(paid["receipt_code"]));
  }
  for (const std::string& target :
       {"/api/v1/ulbs/0152/receipts/" + Dashed(no) + ".pdf",
        "/api/v1/ulbs/0152/receipts/" + no + "?format=pdf&layout=thermal"}) {
    auto pdf = server_->Request("GET", target, "", cashier_);
    ASSERT_EQ(pdf.status, 200) << Describe("GET", target, pdf);
    EXPECT_EQ(pdf.Header("content-type"), "application/pdf");
    EXPECT_EQ(pdf.body.substr(0, 5), "%PDF-");
  }
  // An accountant may read receipts too.
  const std::string accountant = server_->SignIn("indore.accountant");
  EXPECT_EQ(
      server_->Request("GET", "/api/v1/ulbs/0152/receipts/" + Dashed(no), "", accountant).status,
      200);
  EXPECT_TRUE(IsApiError(
      server_->Request("GET", "/api/v1/ulbs/0152/receipts/0152-2026-27-C1-999999", "", cashier_),
      404, "receipt_not_found"));
  EXPECT_TRUE(
      IsApiError(server_->Request("GET", "/api/v1/ulbs/0152/receipts/not-a-receipt", "", cashier_),
                 400, "invalid_receipt_no"));

  // The property's payments, newest first.
  auto list = server_->Request("GET", "/api/v1/ulbs/0152/properties/" + property_ + "/payments", "",
                               cashier_);
  ASSERT_EQ(list.status, 200) << list.body;
  const json::value listed = ParseJson(list.body);
  const auto& items = listed.at("payments").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(Str(items[0].at("receipt_no")), Str(two["receipt_no"]));
  EXPECT_EQ(Str(items[1].at("receipt_no")), no);
}

TEST_F(PaymentApiTest, RefusalsAreBilingualAndWriteNothing) {
  const int64_t entries = Entries();
  const int64_t payments = Payments();
  EXPECT_TRUE(IsApiError(Pay(Cash(100'00), ""), 400, "idempotency_key_required"));
  EXPECT_TRUE(IsApiError(Pay(Cash(0), "k1"), 400, "invalid_field"));
  EXPECT_TRUE(IsApiError(Pay(Cash(-5), "k2"), 400, "invalid_field"));
  json::object bad_mode = Cash(100'00);
  bad_mode["mode"] = "bitcoin";
  EXPECT_TRUE(IsApiError(Pay(bad_mode, "k3"), 400, "invalid_field"));
  json::object cheque = Cash(100'00);
  cheque["mode"] = "cheque";
  auto no_ref = Pay(cheque, "k4");
  EXPECT_TRUE(IsApiError(no_ref, 400, "invalid_field"));
  EXPECT_THAT(no_ref.body, HasSubstr("reference"));
  json::object online_counter = Cash(100'00);
  online_counter["counter"] = "ON";
  EXPECT_TRUE(IsApiError(Pay(online_counter, "k5"), 400, "invalid_counter"));
  json::object unknown = Cash(100'00);
  unknown["property"] = "99-999999";
  EXPECT_TRUE(IsApiError(Pay(unknown, "k6"), 404, "property_not_found"));
  json::object extra = Cash(100'00);
  extra["discount"] = 5;
  EXPECT_TRUE(IsApiError(Pay(extra, "k7"), 400, "unknown_field"));

  // Wrong role (a revenue officer reverses, never collects), another ULB's cashier, no sign-in.
  const std::string revenue = server_->SignIn("indore.revenue");
  EXPECT_TRUE(IsApiError(Pay(Cash(100'00), "k8", revenue), 403, "forbidden"));
  const std::string sehore = server_->SignIn("sehore.cashier");
  EXPECT_TRUE(IsApiError(Pay(Cash(100'00), "k9", sehore), 403, "forbidden"));
  auto anonymous =
      server_->Request("POST", "/api/v1/ulbs/0152/payments", json::serialize(Cash(100'00)), "",
                       {{"Idempotency-Key", "k10"}});
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(Payments(), payments);
  EXPECT_EQ(Entries(), entries);
}

TEST_F(PaymentApiTest, VerifyPageAndOfflineCheck) {
  auto r = Pay(Cash(500'00), "verify-1");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string code = Str(ParseJson(r.body).at("receipt_code"));
  const std::string no = Str(ParseJson(r.body).at("receipt_no"));

  // Public: no token.
  auto ok = server_->Request("GET", "/verify/" + code, "", "", {{"Accept", "application/json"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  json::object v = ParseJson(ok.body).as_object();
  EXPECT_TRUE(v["genuine"].as_bool());
  EXPECT_EQ(Str(v["receipt"].at("receipt_no")), no);
  EXPECT_EQ(v["receipt"].at("amount_paise").as_int64(), 500'00);
  EXPECT_TRUE(v["ledger"].at("found").as_bool());
  EXPECT_EQ(Str(v["ledger"].at("status")), "received");
  // The page is the web's (src/web), in the browser's language.
  auto page = server_->Request("GET", "/verify/" + code, "", "", {{"Cookie", "palika_lang=en"}});
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.Header("content-type"), HasSubstr("text/html"));
  EXPECT_THAT(page.body, HasSubstr(no));
  EXPECT_THAT(page.body, HasSubstr("Recorded in the ledger"));

  // One changed character anywhere is not genuine.
  std::string forged = code;
  const size_t at = forged.size() / 2;
  forged[at] = forged[at] == 'A' ? 'B' : 'A';
  auto bad = server_->Request("GET", "/verify/" + forged, "", "", {{"Accept", "application/json"}});
  ASSERT_EQ(bad.status, 200) << bad.body;
  EXPECT_FALSE(ParseJson(bad.body).at("genuine").as_bool());
  EXPECT_TRUE(ParseJson(bad.body).at("ledger").is_null());

  // Offline, with only node.pub.
  const std::string pub = (server_->data_dir() / "node.pub").string();
  RunResult good = RunPalika({"verify-receipt", code, "--key", pub});
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_THAT(good.output, HasSubstr(no));
  RunResult url =
      RunPalika({"verify-receipt", "https://palika.example/verify/" + code, "--key", pub});
  EXPECT_EQ(url.exit_code, 0) << url.output;
  RunResult not_genuine = RunPalika({"verify-receipt", forged, "--key", pub});
  EXPECT_EQ(not_genuine.exit_code, 3) << not_genuine.output;

  // The reprint from the ledger entry, with the server stopped (the command takes the lock).
  ASSERT_TRUE(server_->Stop());
  const std::string out = (server_->data_dir() / "reprint.pdf").string();
  // In a sanitizer build, LeakSanitizer would fail the command at exit over fontconfig's
  // process-wide caches; suppress exactly those, as the test binary does (src/documents/lsan.supp).
  const fs::path supp = server_->data_dir() / "lsan.supp";
  std::ofstream(supp) << "leak:libfontconfig.so\n";
  const char* old_lsan = std::getenv("LSAN_OPTIONS");
  const std::string saved = old_lsan ? old_lsan : "";
  setenv("LSAN_OPTIONS",
         (saved.empty() ? "" : saved + ":").append("suppressions=" + supp.string()).c_str(), 1);
  RunResult pdf = RunPalika({"receipt", "pdf", "--data", server_->data_dir().string(), "--ulb",
                             kIndore, "--receipt", no, "--out", out});
  if (old_lsan) {
    setenv("LSAN_OPTIONS", saved.c_str(), 1);
  } else {
    unsetenv("LSAN_OPTIONS");
  }
  EXPECT_EQ(pdf.exit_code, 0) << pdf.output;
  std::ifstream f(out, std::ios::binary);
  std::string head(5, '\0');
  f.read(head.data(), 5);
  EXPECT_EQ(head, "%PDF-");
  ASSERT_TRUE(server_->Start());
}

TEST_F(PaymentApiTest, BouncedChequeIsReversedOnce) {
  json::object cheque{{"property", property_},
                      {"amount_paise", 750'00},
                      {"mode", "cheque"},
                      {"reference", "Cheque 004512, State Bank of India, Rajwada"},
                      {"counter", "Z2"}};
  auto r = Pay(cheque, "cheque-1");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string no = Str(ParseJson(r.body).at("receipt_no"));
  EXPECT_THAT(no, ::testing::EndsWith("/Z2/000001"));
  auto cash = Pay(Cash(100'00), "cash-1");
  ASSERT_EQ(cash.status, 201);
  const std::string cash_no = Str(ParseJson(cash.body).at("receipt_no"));

  const std::string revenue = server_->SignIn("indore.revenue");
  auto reverse = [&](const std::string& receipt, const std::string& token) {
    return server_->Request(
        "POST", "/api/v1/ulbs/0152/payments/reversals",
        json::serialize(json::object{{"receipt_no", receipt},
                                     {"reason", "चेक अनादरित: अपर्याप्त राशि / funds insufficient"}}),
        token, {{"Content-Type", "application/json"}});
  };
  // A cashier may not reverse; a cash payment cannot bounce.
  EXPECT_TRUE(IsApiError(reverse(no, cashier_), 403, "forbidden"));
  EXPECT_TRUE(IsApiError(reverse(cash_no, revenue), 409, "payment_not_reversible"));
  auto done = reverse(no, revenue);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(Str(ParseJson(done.body).at("status")), "reversed");
  EXPECT_TRUE(IsApiError(reverse(no, revenue), 409, "payment_already_reversed"));
  EXPECT_TRUE(IsApiError(reverse("0152/2026-27/Z2/000099", revenue), 404, "receipt_not_found"));

  // The verify page says so.
  const std::string code = Str(ParseJson(r.body).at("receipt_code"));
  auto v = server_->Request("GET", "/verify/" + code, "", "", {{"Accept", "application/json"}});
  EXPECT_EQ(Str(ParseJson(v.body).at("ledger").at("status")), "reversed");
  // Nothing of the cheque is left on the account: its advance is gone.
  EXPECT_EQ(server_->Query(kIndore, "SELECT status FROM payments WHERE receipt_no = '" + no + "'"),
            "reversed");
}

TEST_F(PaymentApiTest, KillNineWhileCollectingLosesNoReceiptAndLeavesNoGap) {
  constexpr int kCashiers = 6;
  std::mutex mu;
  std::set<std::string> acked;
  std::vector<std::string> unexpected;
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  auto run = [&](int id, int round) {
    auto client = server_->NewClient();
    for (int n = 0; !stop; ++n) {
      ++sent;
      const std::string counter = id % 2 == 0 ? "C1" : "C2";
      json::object body{{"property", property_},
                        {"amount_paise", 100'00 + n},
                        {"mode", "cash"},
                        {"counter", counter}};
      auto r = client->Request("POST", "/api/v1/ulbs/0152/payments", json::serialize(body),
                               {{"Authorization", "Bearer " + cashier_},
                                {"Content-Type", "application/json"},
                                {"Idempotency-Key", fmt::format("crash-{}-{}-{}", round, id, n)}});
      std::lock_guard lk(mu);
      if (r.status == 201) {
        acked.insert(Str(ParseJson(r.body).at("receipt_no")));
      } else if (r.status == 0 || r.status == 503) {
        return;
      } else {
        unexpected.push_back(std::to_string(r.status) + " " + r.body);
        return;
      }
    }
  };
  for (int round = 0; round < 3; ++round) {
    stop = false;
    sent = 0;
    std::vector<std::thread> threads;
    for (int i = 0; i < kCashiers; ++i) threads.emplace_back(run, i, round);
    while (sent < 40 * (round + 1)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    server_->Kill();
    stop = true;
    for (auto& t : threads) t.join();
    ASSERT_TRUE(server_->Start());
  }
  EXPECT_TRUE(unexpected.empty()) << unexpected.front();
  ASSERT_FALSE(acked.empty());
  // Every acknowledged receipt is there, and each series runs 1..n without a gap.
  const std::string rows =
      server_->Query(kIndore, "SELECT receipt_no FROM payments ORDER BY receipt_no");
  std::set<std::string> stored;
  std::stringstream lines(rows);
  for (std::string line; std::getline(lines, line);) stored.insert(line);
  for (const auto& no : acked) EXPECT_TRUE(stored.contains(no)) << no << " was acknowledged";
  for (const auto& problem : ReceiptNumberProblems(*server_, kIndore)) ADD_FAILURE() << problem;
  std::cout << acked.size() << " payments acknowledged over 3 kill -9 cycles; " << stored.size()
            << " payments stored, the demo's included\n";
}

}  // namespace
}  // namespace palika::integration
