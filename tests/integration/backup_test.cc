// Backups, restore and verify --backup with the real binary (issue 4, "Restore and verify" and
// the segment fault tests): a demo data directory with payments is backed up as segments, restored
// into a new directory that verifies and holds the same checkpoints and payment rows, restored to a
// seq and to a time, encrypted to a backup key, and damaged (a flipped byte, a truncation, a
// deleted and two reordered segments), each caught by restore and verify --backup naming the file
// while the other ULBs still restore.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "cli/app.h"
#include "core/encoding.h"
#include "integration/server_fixture.h"
#include "ledger/segment.h"

namespace palika::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const fs::path& p, const std::string& data) {
  fs::permissions(p, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(p, std::ios::binary | std::ios::trunc) << data;
}

class BackupTest : public ::testing::Test {
 protected:
  // One demo directory for the suite (init --demo is the slow part): backed up once, then
  // changed twice through the server and backed up again, so Indore has several segments.
  static void SetUpTestSuite() {
    server_ = PalikaServer::CreateDemo().release();
    ASSERT_NE(server_, nullptr);
    backup_ = server_->data_dir().parent_path() / "backup";
    ASSERT_EQ(BackupLocal(backup_).exit_code, 0);
    for (int round = 0; round < 2; ++round) {
      ASSERT_TRUE(server_->Start());
      const std::string revenue = server_->SignIn("indore.revenue");
      auto created =
          server_->Request("POST", "/api/v1/ulbs/0152/properties",
                           R"({"ward": 2, "address": "7 Backup Lane", "address_hi": "7 बैकअप गली",
              "plot_area_sqft": 800,
              "owners": [{"name": "Kamla Devi", "name_hi": "कमला देवी", "share_bp": 10000}],
              "floors": [{"floor": 0, "built_up_sqft": 600, "construction": "rcc",
                          "use": "residential", "occupancy": "self"}]})",
                           revenue);
      ASSERT_EQ(created.status, 201) << created.body;
      ASSERT_TRUE(server_->Stop());
      RunResult again = BackupLocal(backup_);
      ASSERT_EQ(again.exit_code, 0) << again.output;
    }
  }
  void SetUp() override { ASSERT_NE(server_, nullptr) << "the suite's demo directory failed"; }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static RunResult BackupLocal(const fs::path& to, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"backup",
                                     "local",
                                     "--data",
                                     server_->data_dir().string(),
                                     "--to",
                                     to.string(),
                                     "--segment-entries",
                                     "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunPalika(args);
  }

  static fs::path Scratch(const std::string& name) {
    return server_->data_dir().parent_path() / name;
  }

  // A copy of the backup to damage.
  static fs::path CopyBackup(const std::string& name) {
    const fs::path to = Scratch(name);
    fs::copy(backup_, to, fs::copy_options::recursive);
    return to;
  }

  static std::vector<ledger::SegmentFile> IndoreSegments(const fs::path& backup) {
    auto logs = ledger::ListBackupLogs(backup);
    EXPECT_TRUE(logs.ok());
    for (const auto& l : *logs) {
      if (l.ulb == kIndore) return l.segments;
    }
    return {};
  }

  static std::string Query(const fs::path& db, const std::string& sql) {
    RunResult r = Sqlite(db, sql, true);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
  }

  // verify --backup and restore both refuse Indore naming `file`, and Sehore still restores.
  static void ExpectCaught(const fs::path& backup, const std::string& file, const std::string& to) {
    RunResult v = RunPalika({"verify", "--backup", backup.string()});
    EXPECT_EQ(v.exit_code, 3) << v.output;
    EXPECT_THAT(v.output, HasSubstr("FAIL 0152"));
    EXPECT_THAT(v.output, HasSubstr(file));
    EXPECT_THAT(v.output, HasSubstr("ok   0276"));
    RunResult r = RunPalika({"restore", "--from", backup.string(), "--to", Scratch(to).string()});
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_THAT(r.output, HasSubstr("FAIL 0152"));
    EXPECT_THAT(r.output, HasSubstr(file));
    EXPECT_THAT(r.output, HasSubstr("ok   0276"));
    EXPECT_FALSE(fs::exists(Scratch(to) / "ulb" / "0152.db"));
    EXPECT_TRUE(fs::exists(Scratch(to) / "ulb" / "0276.db"));
    RunResult verify = RunPalika({"verify", "--data", Scratch(to).string(), "--ulb", "0276"});
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
  }

  // The scenarios; each TEST_F below runs several, so the suite's setup (a demo directory, two
  // server rounds) is paid once per test process rather than once per scenario.
  static void RestoreGivesBackTheSameLedgersAndPayments();
  static void WithoutTheNodeKeyANewKeyReSignsAndTheOldStaysVerifiable();
  static void RestoreToASeqAndToATime();
  static void AKilledRestoreIsNeverServed();
  static void EncryptedSegmentsRestoreOnlyWithTheKey();
  static void AFlippedByteIsCaughtAndNamed();
  static void AForgedEntryWithARecomputedChecksumIsCaughtByTheTree();
  static void ATruncatedSegmentIsCaughtAndNamed();
  static void ADeletedSegmentIsCaughtAndNamed();
  static void TwoReorderedSegmentsAreCaughtAndNamed();
  static void AForgedLedgerIsNotBackedUp();
  static void TheDrillRestoresVerifiesAndComparesWithLive();

  static PalikaServer* server_;
  static fs::path backup_;
};

PalikaServer* BackupTest::server_ = nullptr;
fs::path BackupTest::backup_;

void BackupTest::RestoreGivesBackTheSameLedgersAndPayments() {
  ASSERT_GE(IndoreSegments(backup_).size(), 3u);
  EXPECT_EQ(ReadFile(backup_ / "node.pub"), ReadFile(server_->data_dir() / "node.pub"));
  RunResult v = RunPalika({"verify", "--backup", backup_.string()});
  ASSERT_EQ(v.exit_code, 0) << v.output;
  EXPECT_THAT(v.output, HasSubstr("intact"));
  // A second run with nothing new writes nothing and never rewrites a segment.
  RunResult again = BackupLocal(backup_);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_THAT(again.output, HasSubstr("Wrote 0 segment(s)"));

  const fs::path to = Scratch("restored");
  RunResult r = RunPalika({"restore", "--from", backup_.string(), "--to", to.string(), "--node-key",
                           (server_->data_dir() / "node.key").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("ok   0152"));
  EXPECT_THAT(r.output, HasSubstr("entries/s"));
  RunResult verify = RunPalika({"verify", "--data", to.string()});
  ASSERT_EQ(verify.exit_code, 0) << verify.output;

  for (const std::string ledger : {"state", "0152", "0276", "0157"}) {
    const fs::path orig = server_->ledger_db(ledger);
    const fs::path back = ledger == "state" ? to / "state.db" : to / "ulb" / (ledger + ".db");
    EXPECT_EQ(Query(back, "SELECT COUNT(*), MAX(seq) FROM ledger_entries"),
              Query(orig, "SELECT COUNT(*), MAX(seq) FROM ledger_entries"))
        << ledger;
    // Every restored checkpoint is the original's, byte for byte (the node's own key).
    EXPECT_EQ(Query(back, "ATTACH '" + orig.string() +
                              "' AS orig; SELECT COUNT(*) FROM ledger_checkpoints c WHERE NOT "
                              "EXISTS (SELECT 1 FROM orig.ledger_checkpoints o WHERE o.size = "
                              "c.size AND o.note = c.note)"),
              "0\n")
        << ledger;
    EXPECT_EQ(Query(back, "SELECT note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1"),
              Query(orig, "SELECT note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1"))
        << ledger;
  }
  const std::string payments = "SELECT * FROM payments ORDER BY receipt_no";
  EXPECT_EQ(Query(to / "ulb" / "0152.db", payments), Query(server_->ulb_db(kIndore), payments));
  EXPECT_NE(Query(server_->ulb_db(kIndore), "SELECT COUNT(*) FROM payments"), "0\n");

  EXPECT_FALSE(fs::exists(to / "RESTORE-INCOMPLETE"));
  // What `palika serve` opens: the data directory with its ledgers, quick checks passed.
  auto app = cli::App::Open(to);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  EXPECT_TRUE((*app)->ledgers().Ulb(kIndore).ok());

  // Restoring over anything is refused.
  RunResult over = RunPalika({"restore", "--from", backup_.string(), "--to", to.string()});
  EXPECT_EQ(over.exit_code, 1);
  EXPECT_THAT(over.output, HasSubstr("not empty"));
}

void BackupTest::WithoutTheNodeKeyANewKeyReSignsAndTheOldStaysVerifiable() {
  const fs::path to = Scratch("restored-newkey");
  RunResult r = RunPalika({"restore", "--from", backup_.string(), "--to", to.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("NEW key"));
  EXPECT_EQ(ReadFile(to / "previous-node.pub"), ReadFile(server_->data_dir() / "node.pub"));
  EXPECT_NE(ReadFile(to / "node.pub"), ReadFile(server_->data_dir() / "node.pub"));
  RunResult verify = RunPalika({"verify", "--data", to.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_EQ(ReadFile(to / "palika.json"), ReadFile(server_->data_dir() / "palika.json"));
}

void BackupTest::RestoreToASeqAndToATime() {
  const fs::path to = Scratch("restored-seq");
  RunResult r = RunPalika({"restore", "--from", backup_.string(), "--to", to.string(), "--ulb",
                           kIndore, "--seq", "25"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Query(to / "ulb" / "0152.db", "SELECT COUNT(*), MAX(seq) FROM ledger_entries"),
            "25|25\n");
  EXPECT_FALSE(fs::exists(to / "ulb" / "0276.db"));
  RunResult verify = RunPalika({"verify", "--data", to.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;

  // Up to the time of Indore's 40th entry: every entry at or before it, in every log.
  const std::string t = Query(server_->ulb_db(kIndore),
                              "SELECT strftime('%Y-%m-%dT%H:%M:%S', time_us / 1000000, "
                              "'unixepoch') || '.' || printf('%06d', time_us % 1000000) || 'Z' "
                              "FROM ledger_entries WHERE seq = 40");
  const std::string until = t.substr(0, t.size() - 1);
  const fs::path to2 = Scratch("restored-until");
  r = RunPalika({"restore", "--from", backup_.string(), "--to", to2.string(), "--until", until});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string us =
      Query(server_->ulb_db(kIndore), "SELECT time_us FROM ledger_entries WHERE seq = 40");
  EXPECT_EQ(Query(to2 / "ulb" / "0152.db", "SELECT COUNT(*) FROM ledger_entries"),
            Query(server_->ulb_db(kIndore),
                  "SELECT COUNT(*) FROM ledger_entries WHERE time_us <= " + us));
  verify = RunPalika({"verify", "--data", to2.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;

  RunResult bad = RunPalika(
      {"restore", "--from", backup_.string(), "--to", Scratch("x").string(), "--seq", "5"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.output, HasSubstr("--seq needs --ulb"));
  RunResult unknown = RunPalika(
      {"restore", "--from", backup_.string(), "--to", Scratch("y").string(), "--ulb", "0999"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.output, HasSubstr("holds nothing of ULB 0999"));
  EXPECT_FALSE(fs::exists(Scratch("y")));
}

void BackupTest::EncryptedSegmentsRestoreOnlyWithTheKey() {
  const fs::path keys = Scratch("keys");
  RunResult k = RunPalika({"backup", "keygen", "--out", keys.string()});
  ASSERT_EQ(k.exit_code, 0) << k.output;
  const fs::path sealed = Scratch("sealed");
  RunResult b = BackupLocal(sealed, {"--encrypt-to", (keys / "backup.pub").string()});
  ASSERT_EQ(b.exit_code, 0) << b.output;
  // No payment text is readable in the segments.
  for (const auto& s : IndoreSegments(sealed)) {
    EXPECT_THAT(ReadFile(s.path), Not(HasSubstr("payment.received"))) << s.path;
  }
  RunResult v = RunPalika({"verify", "--backup", sealed.string()});
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_THAT(v.output, HasSubstr("entries need --key"));

  RunResult no_key =
      RunPalika({"restore", "--from", sealed.string(), "--to", Scratch("r-nokey").string()});
  EXPECT_EQ(no_key.exit_code, 3);
  EXPECT_THAT(no_key.output, HasSubstr("give its private key with --key"));

  const fs::path other = Scratch("other-keys");
  ASSERT_EQ(RunPalika({"backup", "keygen", "--out", other.string()}).exit_code, 0);
  RunResult wrong =
      RunPalika({"restore", "--from", sealed.string(), "--to", Scratch("r-wrong").string(), "--key",
                 (other / "backup.key").string()});
  EXPECT_EQ(wrong.exit_code, 3);
  EXPECT_THAT(wrong.output, HasSubstr("but the key given is"));

  const fs::path to = Scratch("r-key");
  RunResult good = RunPalika({"restore", "--from", sealed.string(), "--to", to.string(), "--key",
                              (keys / "backup.key").string()});
  ASSERT_EQ(good.exit_code, 0) << good.output;
  EXPECT_EQ(RunPalika({"verify", "--data", to.string()}).exit_code, 0);
  const std::string payments = "SELECT * FROM payments ORDER BY receipt_no";
  EXPECT_EQ(Query(to / "ulb" / "0152.db", payments), Query(server_->ulb_db(kIndore), payments));
  RunResult full =
      RunPalika({"verify", "--backup", sealed.string(), "--key", (keys / "backup.key").string()});
  EXPECT_EQ(full.exit_code, 0) << full.output;
  EXPECT_THAT(full.output, Not(HasSubstr("need --key")));
}

void BackupTest::AFlippedByteIsCaughtAndNamed() {
  const fs::path b = CopyBackup("flip");
  const auto segs = IndoreSegments(b);
  ASSERT_GE(segs.size(), 2u);
  std::string data = ReadFile(segs[1].path);
  data[data.size() / 2] ^= 0x04;
  WriteFile(segs[1].path, data);
  ExpectCaught(b, segs[1].path.filename().string(), "r-flip");
}

void BackupTest::AForgedEntryWithARecomputedChecksumIsCaughtByTheTree() {
  const fs::path b = CopyBackup("forge");
  const auto segs = IndoreSegments(b);
  std::string data = ReadFile(segs.front().path);
  const size_t at = data.find("Indore");
  ASSERT_NE(at, std::string::npos);
  data.replace(at, 6, "Indora");  // same length: the file still parses
  data.resize(data.size() - 72);
  data += "sha256 " + HexEncode(Sha256(data)) + "\n";
  WriteFile(segs.front().path, data);
  ExpectCaught(b, segs.front().path.filename().string(), "r-forge");
}

void BackupTest::ATruncatedSegmentIsCaughtAndNamed() {
  const fs::path b = CopyBackup("trunc");
  const auto segs = IndoreSegments(b);
  const std::string data = ReadFile(segs.back().path);
  WriteFile(segs.back().path, data.substr(0, data.size() / 3));
  ExpectCaught(b, segs.back().path.filename().string(), "r-trunc");
}

void BackupTest::ADeletedSegmentIsCaughtAndNamed() {
  const fs::path b = CopyBackup("delete");
  const auto segs = IndoreSegments(b);
  fs::remove(segs[1].path);
  // The gap is named by the files around it.
  ExpectCaught(b, segs[2].path.filename().string(), "r-delete");
  RunResult v = RunPalika({"verify", "--backup", b.string()});
  EXPECT_THAT(v.output, HasSubstr("segment missing"));
}

void BackupTest::TwoReorderedSegmentsAreCaughtAndNamed() {
  const fs::path b = CopyBackup("reorder");
  const auto segs = IndoreSegments(b);
  const fs::path tmp = b / "swap";
  fs::rename(segs[0].path, tmp);
  fs::rename(segs[1].path, segs[0].path);
  fs::rename(tmp, segs[1].path);
  ExpectCaught(b, segs[0].path.filename().string(), "r-reorder");
}

void BackupTest::AForgedLedgerIsNotBackedUp() {
  auto copy = server_->CopyDataDir();
  ASSERT_NE(copy, nullptr);
  RunResult forged = copy->Sql(kSehore,
                               "UPDATE ledger_entries SET payload = replace(payload, 'Sehore', "
                               "'Sehora') WHERE seq = 1");
  ASSERT_EQ(forged.exit_code, 0) << forged.output;
  const fs::path to = Scratch("forged-backup");
  RunResult r =
      RunPalika({"backup", "local", "--data", copy->data_dir().string(), "--to", to.string()});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("FAIL 0276"));
  EXPECT_THAT(r.output, HasSubstr("do not match the signed checkpoint"));
  EXPECT_THAT(r.output, HasSubstr("ok   0152"));
  EXPECT_TRUE(IndoreSegments(to).size() > 0);
  EXPECT_FALSE(fs::exists(to / kSehore));
}

void BackupTest::TheDrillRestoresVerifiesAndComparesWithLive() {
  RunResult d = RunPalika({"drill", "--from", backup_.string(), "--data",
                           server_->data_dir().string(), "--scratch", Scratch("").string()});
  ASSERT_EQ(d.exit_code, 0) << d.output;
  EXPECT_THAT(d.output, HasSubstr("root matches live"));
  EXPECT_THAT(d.output, HasSubstr("Drill passed"));
  for (const auto& e : fs::directory_iterator(Scratch(""))) {
    EXPECT_THAT(e.path().filename().string(), Not(HasSubstr("palika-drill-")));
  }
  // A damaged backup fails the drill, for cron to see.
  const fs::path b = CopyBackup("drill-damaged");
  const auto segs = IndoreSegments(b);
  std::string data = ReadFile(segs[0].path);
  data[data.size() / 2] ^= 0x10;
  WriteFile(segs[0].path, data);
  RunResult bad =
      RunPalika({"drill", "--from", b.string(), "--data", server_->data_dir().string()});
  EXPECT_EQ(bad.exit_code, 3) << bad.output;
  EXPECT_THAT(bad.output, HasSubstr("FAIL 0152"));
  EXPECT_THAT(bad.output, HasSubstr("Drill FAILED"));
}

void BackupTest::AKilledRestoreIsNeverServed() {
  // Killed with SIGKILL as soon as it has begun (its marker is the first thing it writes; the
  // demo's backup, one entry a segment, takes far longer to replay than this poll's millisecond).
  const fs::path to = Scratch("restored-killed");
  {
    BackgroundPalika restore({"restore", "--from", backup_.string(), "--to", to.string()},
                             Scratch("restore-killed.log"));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!fs::exists(to / "RESTORE-INCOMPLETE") && restore.running() &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    restore.Kill();
  }
  ASSERT_TRUE(fs::exists(to / "RESTORE-INCOMPLETE")) << "the restore ended before the kill";
  // Whatever it had written, nothing takes the directory for a data directory: not what serve
  // opens, not verify, not init (which would give the partial ledgers a new node), not a restore.
  auto app = cli::App::Open(to);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().code(), "restore_incomplete");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"verify", "--data", to.string()},
        std::vector<std::string>{"init", "--data", to.string()},
        std::vector<std::string>{"restore", "--from", backup_.string(), "--to", to.string()}}) {
    RunResult r = RunPalika(args);
    EXPECT_NE(r.exit_code, 0) << args[0] << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr("restore that did not finish")) << args[0];
  }
  EXPECT_FALSE(fs::exists(to / "palika.json"));
  // What the message says to do works.
  fs::remove_all(to);
  RunResult again = RunPalika({"restore", "--from", backup_.string(), "--to", to.string()});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_FALSE(fs::exists(to / "RESTORE-INCOMPLETE"));
  EXPECT_TRUE(cli::App::Open(to).ok());
}

// Restore: a round trip with the node's key and without it, and to a seq and a time; a killed
// restore is never served.
TEST_F(BackupTest, RestoreRoundTripsWithAndWithoutTheNodeKeyToASeqAndATime) {
  RestoreGivesBackTheSameLedgersAndPayments();
  WithoutTheNodeKeyANewKeyReSignsAndTheOldStaysVerifiable();
  RestoreToASeqAndToATime();
  AKilledRestoreIsNeverServed();
}

// Keys and trust: sealed segments need their key; a forged ledger is never backed up.
TEST_F(BackupTest, SealedSegmentsNeedTheKeyAndForgeriesAreRefused) {
  EncryptedSegmentsRestoreOnlyWithTheKey();
  AForgedLedgerIsNotBackedUp();
}

// The segment fault tests of the issue, and the drill that would catch them daily.
TEST_F(BackupTest, DamagedSegmentsAreCaughtAndNamedAndTheDrillFails) {
  AFlippedByteIsCaughtAndNamed();
  AForgedEntryWithARecomputedChecksumIsCaughtByTheTree();
  ATruncatedSegmentIsCaughtAndNamed();
  ADeletedSegmentIsCaughtAndNamed();
  TwoReorderedSegmentsAreCaughtAndNamed();
  TheDrillRestoresVerifiesAndComparesWithLive();
}

}  // namespace
}  // namespace palika::integration
