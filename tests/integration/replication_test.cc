// Replication over the real server (issue 4, "Backups the primary cannot destroy"): replication
// tokens that read the ledgers and nothing else, a puller (`palika backup pull`) following while
// payments flow, a puller killed with SIGKILL mid-pull that resumes without a partial segment, a
// tampered primary whose history the backup refuses, lag as the primary sees it, and
// `serve --sync-backup`, which answers 503 without a backup and succeeds once a puller runs.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/server_fixture.h"
#include "ledger/durable_file.h"
#include "ledger/segment.h"

namespace palika::integration {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

std::string Str(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : ""; }

// The segments of one ledger in a backup directory, checked by reading each one (its trailing
// SHA-256, its name, its run of entries): [(first, last)], in order.
std::vector<std::pair<uint64_t, uint64_t>> Segments(const fs::path& backup,
                                                    const std::string& ulb) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  auto logs = ledger::ListBackupLogs(backup);
  if (!logs.ok()) return out;
  for (const auto& log : *logs) {
    if (log.ulb != ulb) continue;
    for (const auto& s : log.segments) {
      auto read = ledger::ReadSegment(s.path, nullptr);
      EXPECT_TRUE(read.ok()) << s.path << ": " << read.status().message();
      out.emplace_back(s.first, s.last);
    }
  }
  return out;
}

// Entries of `ulb` the backup holds: the last segment's end, after checking the run from 1.
uint64_t Held(const fs::path& backup, const std::string& ulb) {
  uint64_t next = 1;
  for (const auto& [first, last] : Segments(backup, ulb)) {
    EXPECT_EQ(first, next) << ulb << ": the segments are not contiguous";
    next = last + 1;
  }
  return next - 1;
}

// Every file under a directory with its size: a backup that must stay untouched.
std::map<std::string, uintmax_t> Files(const fs::path& dir) {
  std::map<std::string, uintmax_t> out;
  for (const auto& f : fs::recursive_directory_iterator(dir)) {
    if (f.is_regular_file() && f.path().filename() != "puller.prom" &&
        !f.path().filename().string().starts_with(".")) {
      out[fs::relative(f.path(), dir).string()] = f.file_size();
    }
  }
  return out;
}

class ReplicationTest : public ::testing::Test {
 protected:
  // A demo data directory with a replication token for "backup-1", serving with `serve_args`.
  void StartPrimary(std::vector<std::string> serve_args = {}) {
    server_ = PalikaServer::CreateDemo();
    ASSERT_NE(server_, nullptr);
    token_file_ = server_->root() / "backup-1.token";
    token_ = AddToken("backup-1", token_file_);
    ASSERT_FALSE(token_.empty());
    backup_ = server_->root() / "backup";
    server_->set_serve_args(std::move(serve_args));
    ASSERT_TRUE(server_->Start());
  }

  // `palika token add` (the server must be stopped); writes the token to `file`.
  std::string AddToken(const std::string& name, const fs::path& file) {
    RunResult r = RunPalika({"token", "add", "--data", server_->data_dir().string(), "--role",
                             "replication", "--name", name});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::string token;
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);) {
      if (line.size() == 43 && line.find(' ') == std::string::npos) token = line;
    }
    EXPECT_EQ(token.size(), 43u) << r.output;
    std::ofstream(file) << token << "\n";
    return token;
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  std::vector<std::string> PullArgs(const fs::path& to) const {
    return {"backup", "pull",     "--from", Url(), "--token-file", token_file_.string(),
            "--to",   to.string()};
  }
  RunResult Pull(std::vector<std::string> extra = {}) {
    auto args = PullArgs(backup_);
    args.insert(args.end(), extra.begin(), extra.end());
    return RunPalika(args);
  }

  int64_t Committed(const std::string& ulb) {
    return std::stoll(server_->Query(ulb, "SELECT COUNT(*) FROM ledger_entries"));
  }

  // Waits until the backup holds every committed entry of `ulbs` (the puller is following).
  ::testing::AssertionResult CaughtUp(const std::vector<std::string>& ulbs, int seconds = 30) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    while (Clock::now() < deadline) {
      bool all = true;
      for (const auto& u : ulbs)
        all = all && Held(backup_, u) == static_cast<uint64_t>(Committed(u));
      if (all) return ::testing::AssertionSuccess();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::testing::AssertionResult r = ::testing::AssertionFailure();
    for (const auto& u : ulbs)
      r << u << ": holds " << Held(backup_, u) << " of " << Committed(u) << "; ";
    return r;
  }

  http::ClientResponse Pay(http::TestClient& client, const std::string& ulb,
                           const std::string& token, const std::string& property,
                           const std::string& key, int64_t paise = 10000) {
    json::object body{{"property", property}, {"amount_paise", paise}, {"mode", "cash"}};
    return client.Request("POST", "/api/v1/ulbs/" + ulb + "/payments", json::serialize(body),
                          {{"Authorization", "Bearer " + token},
                           {"Content-Type", "application/json"},
                           {"Idempotency-Key", key}});
  }

  std::string FirstProperty(const std::string& ulb) {
    return server_->Query(ulb, "SELECT id FROM properties ORDER BY num LIMIT 1");
  }

  void TearDown() override {
    puller_.reset();
    if (HasFailure() && server_) server_->PrintLogTail();
    server_.reset();
  }

  std::unique_ptr<PalikaServer> server_;
  std::unique_ptr<BackgroundPalika> puller_;
  fs::path token_file_;
  std::string token_;
  fs::path backup_;
};

// The token reads the replication routes and nothing else; staff sessions cannot use them; the
// token is stored only hashed; a revoked token is refused.
TEST_F(ReplicationTest, ATokenReadsTheLedgersAndNothingElse) {
  StartPrimary();
  ASSERT_FALSE(HasFatalFailure());
  auto list = server_->Request("GET", "/api/v1/replication/ledgers", "", token_);
  ASSERT_EQ(list.status, 200) << list.body;
  const json::value v = ParseJson(list.body);
  EXPECT_THAT(Str(v.at("public_key")), HasSubstr(Str(v.at("node"))));
  std::vector<std::string> ulbs;
  for (const auto& l : v.at("ledgers").as_array()) ulbs.push_back(Str(l.at("ulb")));
  EXPECT_THAT(ulbs, ::testing::ElementsAre("state", "0152", "0157", "0276"));
  auto entries = server_->Request("GET", "/api/v1/replication/ledgers/0152/entries?after=0&limit=5",
                                  "", token_);
  ASSERT_EQ(entries.status, 200) << entries.body;
  const json::value e = ParseJson(entries.body);
  ASSERT_FALSE(e.at("entries").as_array().empty());
  EXPECT_EQ(Str(e.at("entries").at(0).at("type")), "ulb.opened");
  EXPECT_FALSE(Str(e.at("checkpoint")).empty());

  // Nothing else: staff data, payments, the session route.
  const auto before = server_->EntryCounts();
  EXPECT_TRUE(IsApiError(server_->Request("GET", "/api/v1/ulbs/0152/properties", "", token_), 403,
                         "forbidden"));
  EXPECT_TRUE(IsApiError(
      server_->Request("POST", "/api/v1/ulbs/0152/payments",
                       R"({"property": "01-000001", "amount_paise": 100, "mode": "cash"})", token_,
                       {{"Idempotency-Key", "repl-token-pay"}}),
      403, "forbidden"));
  EXPECT_TRUE(IsApiError(server_->Request("GET", "/api/v1/session", "", token_), 403, "forbidden"));
  EXPECT_EQ(server_->EntryCounts(), before);
  // Staff cannot read the replication routes, not even the state administrator.
  const std::string admin = server_->SignIn("state.admin");
  EXPECT_TRUE(IsApiError(server_->Request("GET", "/api/v1/replication/ledgers", "", admin), 403,
                         "forbidden"));
  EXPECT_TRUE(
      IsApiError(server_->Request("GET", "/api/v1/replication/ledgers"), 401, "not_signed_in"));
  // Stored as a hash only, recorded in the state ledger.
  EXPECT_EQ(server_->Query("state", "SELECT COUNT(*) FROM ledger_entries WHERE payload LIKE '%" +
                                        token_ + "%'"),
            "0");
  EXPECT_EQ(server_->Query("state", "SELECT name, role, revoked_us FROM api_tokens"),
            "backup-1|replication|0");

  // Revoked: refused from the next request on.
  ASSERT_TRUE(server_->Stop());
  RunResult list_cmd = RunPalika({"token", "list", "--data", server_->data_dir().string()});
  EXPECT_THAT(list_cmd.output, HasSubstr("backup-1"));
  RunResult revoked =
      RunPalika({"token", "revoke", "--data", server_->data_dir().string(), "--name", "backup-1"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.output;
  ASSERT_TRUE(server_->Start());
  EXPECT_TRUE(IsApiError(server_->Request("GET", "/api/v1/replication/ledgers", "", token_), 401,
                         "not_signed_in"));
  RunResult pull = Pull();
  EXPECT_NE(pull.exit_code, 0) << pull.output;
  EXPECT_THAT(pull.output, HasSubstr("refused the replication token"));
  ASSERT_TRUE(server_->Stop());
  EXPECT_EQ(server_->Verify().exit_code, 0);
}

// A puller follows while cashiers of two ULBs collect; it catches up with every committed entry,
// in contiguous segments, and the primary's lag metrics and `backup status` say so.
TEST_F(ReplicationTest, APullerFollowsWhilePaymentsFlow) {
  StartPrimary();
  ASSERT_FALSE(HasFatalFailure());
  auto args = PullArgs(backup_);
  args.insert(args.end(), {"--follow", "--wait", "2"});
  puller_ = std::make_unique<BackgroundPalika>(args, server_->root() / "puller.log");
  const std::map<std::string, std::string> cashiers = {
      {kIndore, server_->SignIn("indore.cashier")}, {kSehore, server_->SignIn("sehore.cashier")}};
  std::vector<std::thread> threads;
  std::atomic<int> paid{0};
  for (const auto& [ulb, token] : cashiers) {
    const std::string property = FirstProperty(ulb);
    threads.emplace_back([&, ulb, token, property] {
      auto client = server_->NewClient();
      for (int i = 0; i < 25; ++i) {
        auto r = Pay(*client, ulb, token, property, fmt::format("flow-{}-{}", ulb, i));
        if (r.status == 201) ++paid;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(paid, 50);
  EXPECT_TRUE(CaughtUp({"state", kIndore, kSehore, kSanwer})) << puller_->Output();
  EXPECT_TRUE(puller_->running()) << puller_->Output();

  // The primary saw the acks: no lag for this host.
  const std::string metrics = server_->Request("GET", "/metrics").body;
  EXPECT_THAT(metrics, HasSubstr("palika_backup_lag_entries{host=\"backup-1\",ledger=\"0152\"} 0"));
  EXPECT_THAT(metrics, HasSubstr("palika_backup_ack_delay_seconds_count{host=\"backup-1\"}"));
  RunResult status = RunPalika({"backup", "status", "--from", Url(), "--token-file",
                                token_file_.string(), "--to", backup_.string()});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_THAT(status.output, HasSubstr("backup-1"));
  EXPECT_EQ(puller_->Stop(), 0) << puller_->Output();
  // The pinned key is the primary's.
  EXPECT_EQ(ledger::ReadWholeFile(backup_ / "node.pub", 4096).value(),
            ledger::ReadWholeFile(server_->data_dir() / "node.pub", 4096).value());
  ASSERT_TRUE(server_->Stop());
  EXPECT_EQ(server_->Verify().exit_code, 0);
}

// SIGKILL while pulling, several times: what is on disk is always whole segments from seq 1, and
// the next run goes on from there to the end.
TEST_F(ReplicationTest, APullerKilledMidPullResumesWithoutAPartialSegment) {
  StartPrimary();
  ASSERT_FALSE(HasFatalFailure());
  {  // A few checkpoints after the demo's, so that the pull has several segments to write.
    const std::string cashier = server_->SignIn("indore.cashier");
    auto client = server_->NewClient();
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(
          Pay(*client, kIndore, cashier, FirstProperty(kIndore), fmt::format("k-{}", i)).status,
          201);
      std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    }
  }
  std::mt19937 rng(4);
  for (int round = 0; round < 4; ++round) {
    auto args = PullArgs(backup_);
    args.insert(args.end(), {"--limit", "20"});
    BackgroundPalika p(args, server_->root() / fmt::format("kill-{}.log", round));
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 400)(rng)));
    p.Kill();
    for (const auto& ulb : {"state", kIndore, kSehore, kSanwer}) Held(backup_, ulb);
  }
  RunResult r = Pull();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const auto& ulb : {"state", kIndore, kSehore, kSanwer}) {
    EXPECT_EQ(Held(backup_, ulb), static_cast<uint64_t>(Committed(ulb))) << ulb;
  }
  ASSERT_TRUE(server_->Stop());
}

// The primary's database is tampered with (entries it had not shipped yet rewritten; its log cut
// short): the puller refuses, writes nothing of it, still pulls the other ULBs, and exits 3.
TEST_F(ReplicationTest, ABackupRefusesATamperedPrimary) {
  StartPrimary();
  ASSERT_FALSE(HasFatalFailure());
  {  // A payment and a clean stop give Indore's log a checkpoint above the demo's last one (a
     // quick demo load can leave it only one), so that it can later be cut back to a checkpoint
     // below what the backup holds.
    auto client = server_->NewClient();
    ASSERT_EQ(Pay(*client, kIndore, server_->SignIn("indore.cashier"), FirstProperty(kIndore),
                  "before-the-pull")
                  .status,
              201);
  }
  ASSERT_TRUE(server_->Restart());
  ASSERT_EQ(Pull().exit_code, 0);
  const uint64_t held = Held(backup_, kIndore);
  ASSERT_GT(held, 10u);

  // Rewritten: payments the backup has not pulled yet, then an edited amount in one of them.
  {
    const std::string cashier = server_->SignIn("indore.cashier");
    auto client = server_->NewClient();
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(
          Pay(*client, kIndore, cashier, FirstProperty(kIndore), fmt::format("t-{}", i)).status,
          201);
    }
  }
  ASSERT_TRUE(server_->Stop());
  ASSERT_EQ(server_
                ->Sql(kIndore, fmt::format("UPDATE ledger_entries SET payload = replace(payload, "
                                           "'10000', '1000') WHERE seq > {} AND type = "
                                           "'payment.received'",
                                           held))
                .exit_code,
            0);
  ASSERT_TRUE(server_->Start());
  {  // Sehore moves on meanwhile, and its backup with it.
    auto client = server_->NewClient();
    ASSERT_EQ(Pay(*client, kSehore, server_->SignIn("sehore.cashier"), FirstProperty(kSehore),
                  "sehore-after")
                  .status,
              201);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // Sehore's next checkpoint
  auto before = Files(backup_);
  RunResult rewritten = Pull();
  EXPECT_EQ(rewritten.exit_code, 3) << rewritten.output;
  EXPECT_THAT(rewritten.output, HasSubstr("REFUSED"));
  EXPECT_THAT(rewritten.output, HasSubstr("do not extend what this backup holds"));
  EXPECT_EQ(Held(backup_, kIndore), held);
  EXPECT_EQ(Held(backup_, kSehore), static_cast<uint64_t>(Committed(kSehore)));
  for (const auto& [file, size] : before) {
    auto after = Files(backup_);
    EXPECT_EQ(after[file], size) << file << " changed";
  }

  // Truncated: the log cut back to a checkpoint below what the backup holds.
  ASSERT_TRUE(server_->Stop());
  const std::string cut = server_->Query(
      kIndore, fmt::format("SELECT MAX(size) FROM ledger_checkpoints WHERE size < {}", held));
  RunResult cut_back =
      server_->Sql(kIndore, "DELETE FROM ledger_entries WHERE seq > " + cut +
                                "; DELETE FROM ledger_checkpoints WHERE size > " + cut);
  ASSERT_EQ(cut_back.exit_code, 0) << "cut at '" << cut << "': " << cut_back.output;
  ASSERT_TRUE(server_->Start());
  before = Files(backup_);
  RunResult truncated = Pull();
  EXPECT_EQ(truncated.exit_code, 3) << truncated.output;
  EXPECT_THAT(truncated.output, HasSubstr("truncated"));
  EXPECT_EQ(Files(backup_), before);
  ASSERT_TRUE(server_->Stop());
}

// --sync-backup 1: with no puller a payment is refused with 503 (recorded, not acknowledged);
// once a puller follows, the retry with the same key returns the same receipt, and new payments
// are acknowledged with the backup holding them.
TEST_F(ReplicationTest, SyncBackupAnswersOnlyOnceABackupHoldsThePayment) {
  StartPrimary({"--sync-backup", "1", "--sync-timeout", "1500ms"});
  ASSERT_FALSE(HasFatalFailure());
  const std::string cashier = server_->SignIn("indore.cashier");  // sign-ins do not wait
  ASSERT_FALSE(cashier.empty());
  auto client = server_->NewClient();
  const std::string property = FirstProperty(kIndore);
  const auto started = Clock::now();
  auto first = Pay(*client, kIndore, cashier, property, "sync-1");
  const double waited = std::chrono::duration<double>(Clock::now() - started).count();
  EXPECT_TRUE(IsApiError(first, 503, "backup_not_confirmed")) << first.body;
  EXPECT_GE(waited, 1.4);
  EXPECT_LT(waited, 10);
  EXPECT_THAT(first.body, HasSubstr("same Idempotency-Key"));
  const std::string recorded =
      server_->Query(kIndore, "SELECT COUNT(*) FROM idempotency_keys WHERE key = 'sync-1'");
  EXPECT_EQ(recorded, "1") << "recorded here, not yet acknowledged";

  auto args = PullArgs(backup_);
  args.insert(args.end(), {"--follow", "--wait", "2"});
  puller_ = std::make_unique<BackgroundPalika>(args, server_->root() / "puller.log");
  http::ClientResponse retry;
  for (int i = 0; i < 20; ++i) {  // the puller's first pass takes a moment under the sanitizers
    retry = Pay(*client, kIndore, cashier, property, "sync-1");
    if (retry.status != 503) break;
  }
  // The stored answer of the first attempt (a replay is 200 with Idempotent-Replayed).
  ASSERT_EQ(retry.status, 200) << retry.body << puller_->Output();
  EXPECT_EQ(retry.Header("idempotent-replayed"), "true");
  const json::value receipt = ParseJson(retry.body);
  for (int i = 0; i < 5; ++i) {
    auto r = Pay(*client, kIndore, cashier, property, fmt::format("sync-next-{}", i));
    ASSERT_EQ(r.status, 201) << r.body;
    // Acknowledged means the backup holds it: the segment is on disk before the answer.
    EXPECT_GE(Held(backup_, kIndore), static_cast<uint64_t>(Committed(kIndore)));
  }
  EXPECT_EQ(server_->Query(kIndore, "SELECT COUNT(*) FROM payments WHERE receipt_no = '" +
                                        Str(receipt.at("receipt_no")) + "'"),
            "1");
  EXPECT_EQ(puller_->Stop(), 0) << puller_->Output();
  ASSERT_TRUE(server_->Stop());
  EXPECT_EQ(server_->Verify().exit_code, 0);
}

// `palika drill --live`: from the backup host, the restored backup is compared with the running
// primary over its replication routes: "same" right after a pull, "behind by N" once payments
// move the primary on (their entries checked to extend the backup), DIVERGED with exit 4 once
// the primary's unshipped entries are rewritten. The drill never writes into the backup.
TEST_F(ReplicationTest, TheDrillComparesTheBackupWithTheLiveServer) {
  StartPrimary();
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_EQ(Pull().exit_code, 0);
  const auto Drill = [&] {
    return RunPalika({"drill", "--from", backup_.string(), "--live", Url(), "--token-file",
                      token_file_.string(), "--scratch", server_->root().string()});
  };
  RunResult same = Drill();
  EXPECT_EQ(same.exit_code, 0) << same.output;
  EXPECT_THAT(same.output, HasSubstr("same     " + std::string(kIndore)));
  EXPECT_THAT(same.output, HasSubstr("same     state"));
  EXPECT_THAT(same.output, HasSubstr("Drill passed"));

  {
    const std::string cashier = server_->SignIn("indore.cashier");
    auto client = server_->NewClient();
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(
          Pay(*client, kIndore, cashier, FirstProperty(kIndore), fmt::format("d-{}", i)).status,
          201);
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // Indore's next checkpoint
  const uint64_t held = Held(backup_, kIndore);
  const auto before = Files(backup_);
  RunResult behind = Drill();
  EXPECT_EQ(behind.exit_code, 0) << behind.output;
  EXPECT_THAT(behind.output,
              HasSubstr(fmt::format("behind   {}: the backup is behind live by {} entries", kIndore,
                                    Committed(kIndore) - static_cast<int64_t>(held))));
  EXPECT_THAT(behind.output, HasSubstr("same     " + std::string(kSehore)));
  EXPECT_EQ(Files(backup_), before) << "the drill wrote into the backup";

  // The entries the backup has not pulled yet are rewritten on the primary.
  ASSERT_TRUE(server_->Stop());
  ASSERT_EQ(server_
                ->Sql(kIndore, fmt::format("UPDATE ledger_entries SET payload = replace(payload, "
                                           "'10000', '1000') WHERE seq > {} AND type = "
                                           "'payment.received'",
                                           held))
                .exit_code,
            0);
  ASSERT_TRUE(server_->Start());
  RunResult diverged = Drill();
  EXPECT_EQ(diverged.exit_code, 4) << diverged.output;
  EXPECT_THAT(diverged.output, HasSubstr("DIVERGED " + std::string(kIndore)));
  EXPECT_THAT(diverged.output, HasSubstr("same     " + std::string(kSehore)));
  EXPECT_THAT(diverged.output, HasSubstr("Drill FAILED"));
  EXPECT_EQ(Files(backup_), before);

  // Without a usable token nothing is compared, and the drill says so.
  std::ofstream(server_->root() / "wrong.token") << "not-a-token\n";
  RunResult refused = RunPalika({"drill", "--from", backup_.string(), "--live", Url(),
                                 "--token-file", (server_->root() / "wrong.token").string()});
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("token"));
  ASSERT_TRUE(server_->Stop());
}

// What each backup host holds survives a restart of the primary (a clean stop and a kill -9):
// the lag is known at once, before any puller reports again.
TEST_F(ReplicationTest, BackupLagIsStillKnownAfterARestart) {
  StartPrimary();
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_EQ(Pull().exit_code, 0);
  const uint64_t held = Held(backup_, kIndore);
  const auto HostOf = [&](const std::string& ulb) -> json::value {
    auto r = server_->Request("GET", "/api/v1/replication/status", "", token_);
    EXPECT_EQ(r.status, 200) << r.body;
    const json::value v = ParseJson(r.body);
    for (const auto& b : v.at("backups").as_array()) {
      if (Str(b.at("ulb")) == ulb && Str(b.at("host")) == "backup-1") return b;
    }
    return nullptr;
  };
  ASSERT_FALSE(HostOf(kIndore).is_null());

  ASSERT_TRUE(server_->Restart());
  json::value after = HostOf(kIndore);
  ASSERT_FALSE(after.is_null()) << "the restart forgot what backup-1 holds";
  EXPECT_EQ(after.at("held").to_number<uint64_t>(), held);
  EXPECT_EQ(after.at("lag_entries").to_number<uint64_t>(), 0u);
  EXPECT_LT(after.at("last_ack_seconds_ago").to_number<double>(), 120);
  RunResult status =
      RunPalika({"backup", "status", "--from", Url(), "--token-file", token_file_.string()});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_THAT(status.output, HasSubstr(fmt::format("backup-1: {}, 0,", held)));

  // A payment the backup has not pulled, then kill -9: still known, now one payment behind.
  {
    auto client = server_->NewClient();
    ASSERT_EQ(
        Pay(*client, kIndore, server_->SignIn("indore.cashier"), FirstProperty(kIndore), "lag-1")
            .status,
        201);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // its checkpoint, to pull
  ASSERT_EQ(Pull().exit_code, 0);                                // acked again...
  std::this_thread::sleep_for(std::chrono::milliseconds(600));   // ...and saved (within 200 ms)
  const uint64_t held_now = Held(backup_, kIndore);
  server_->Kill();
  ASSERT_TRUE(server_->Start());
  after = HostOf(kIndore);
  ASSERT_FALSE(after.is_null()) << "the kill -9 forgot what backup-1 holds";
  EXPECT_EQ(after.at("held").to_number<uint64_t>(), held_now);
  EXPECT_GT(held_now, held);
  ASSERT_TRUE(server_->Stop());
}

// The disaster: payments flow on two ULBs with --sync-backup 1 and a puller following; the
// primary is killed and its data directory destroyed; the backup verifies, restores into a new
// directory with the node key kept in the safe, and every acknowledged payment is there (RPO 0).
TEST_F(ReplicationTest, TheDisasterLosesNoAcknowledgedPayment) {
  StartPrimary({"--sync-backup", "1", "--sync-timeout", "5s"});
  ASSERT_FALSE(HasFatalFailure());
  const fs::path safe = server_->root() / "safe";
  fs::create_directories(safe);
  fs::copy_file(server_->data_dir() / "node.key", safe / "node.key");
  auto args = PullArgs(backup_);
  args.insert(args.end(), {"--follow", "--wait", "2"});
  puller_ = std::make_unique<BackgroundPalika>(args, server_->root() / "puller.log");
  const std::map<std::string, std::string> cashiers = {
      {kIndore, server_->SignIn("indore.cashier")}, {kSehore, server_->SignIn("sehore.cashier")}};
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> acknowledged;  // (ulb, receipt_no)
  std::vector<std::thread> threads;
  for (const auto& [ulb, token] : cashiers) {
    const std::string property = FirstProperty(ulb);
    threads.emplace_back([&, ulb, token, property] {
      auto client = server_->NewClient();
      for (int i = 0; i < 15; ++i) {
        auto r = Pay(*client, ulb, token, property, fmt::format("disaster-{}-{}", ulb, i));
        if (r.status != 201) continue;
        std::lock_guard lk(mu);
        acknowledged.emplace_back(ulb, Str(ParseJson(r.body).at("receipt_no")));
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_GE(acknowledged.size(), 20u) << puller_->Output();

  // The primary is lost: killed, and its data directory destroyed.
  server_->Kill();
  fs::remove_all(server_->data_dir());
  EXPECT_EQ(puller_->Stop(), 0) << puller_->Output();

  RunResult checked = RunPalika({"verify", "--backup", backup_.string()});
  ASSERT_EQ(checked.exit_code, 0) << checked.output;
  const fs::path restored = server_->root() / "restored";
  RunResult r = RunPalika({"restore", "--from", backup_.string(), "--to", restored.string(),
                           "--node-key", (safe / "node.key").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  RunResult verified = RunPalika({"verify", "--data", restored.string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  for (const auto& [ulb, receipt] : acknowledged) {
    RunResult q = Sqlite(restored / "ulb" / (ulb + ".db"),
                         "SELECT COUNT(*) FROM payments WHERE receipt_no = '" + receipt + "'");
    EXPECT_EQ(q.output, "1\n") << ulb << " " << receipt << " was acknowledged but not restored";
  }
}

}  // namespace
}  // namespace palika::integration
