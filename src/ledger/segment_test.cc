#include "ledger/segment.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <fstream>

#include "core/encoding.h"
#include "ledger/checkpoint.h"
#include "ledger/durable_file.h"
#include "ledger/ledger.h"
#include "ledger/merkle_tree.h"
#include "ledger/signed_note.h"

namespace palika::ledger {
namespace {

namespace fs = std::filesystem;

constexpr char kOrigin[] = "node-segtest";
constexpr char kUlb[] = "0152";

class SegmentTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("palika_segment_test_" + HexEncode(RandomBytes(8)));
    fs::create_directories(dir_);
    signer_ = std::make_unique<NoteSigner>(GenerateSigner(LogName(kOrigin, kUlb)).value());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Entries first..last of a made-up log, with the checkpoint and tree at `last`.
  Segment Make(uint64_t first, uint64_t last) {
    Segment s;
    s.ulb = kUlb;
    s.origin = kOrigin;
    s.first = first;
    s.last = last;
    CompactRange tree;
    for (uint64_t seq = 1; seq <= last; ++seq) {
      Entry e{kUlb,
              kOrigin,
              seq,
              1'800'000'000'000'000 + static_cast<int64_t>(seq),
              "system",
              "kv.set",
              fmt::format(R"({{"key":"k{}","note":"नमस्ते\nline","value":{}}})", seq, seq * 7)};
      tree.Append(LeafHash(EncodeEntry(e)));
      if (seq >= first) s.entries.push_back(std::move(e));
    }
    Checkpoint cp{LogName(kOrigin, kUlb), last, tree.Root(), {}};
    s.checkpoint_note = SignCheckpoint(cp, *signer_).value();
    s.tree = tree.Serialize();
    return s;
  }

  fs::path PathOf(const Segment& s) { return SegmentPath(dir_, s.ulb, s.origin, s.first, s.last); }

  static void Expect(const Segment& a, const Segment& b) {
    EXPECT_EQ(a.ulb, b.ulb);
    EXPECT_EQ(a.origin, b.origin);
    EXPECT_EQ(a.first, b.first);
    EXPECT_EQ(a.last, b.last);
    EXPECT_EQ(a.entries, b.entries);
    EXPECT_EQ(a.checkpoint_note, b.checkpoint_note);
    EXPECT_EQ(a.tree, b.tree);
  }

  static void Rewrite(const fs::path& file, const std::string& data) {
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << data;
  }

  fs::path dir_;
  std::unique_ptr<NoteSigner> signer_;
};

TEST_F(SegmentTest, PlainRoundTripKeepsEveryFieldAndIsReadOnly) {
  const Segment s = Make(1, 40);
  ASSERT_TRUE(WriteSegment(dir_, s, nullptr).ok());
  const fs::path file = dir_ / "0152" / kOrigin / "000000000001-000000000040.seg";
  ASSERT_TRUE(fs::exists(file));
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0444u);
  Result<Segment> back = ReadSegment(file, nullptr);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  Expect(s, *back);
  Result<SegmentHeader> h = ReadSegmentHeader(file);
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->sealed);
  EXPECT_EQ(h->last, 40u);
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(file.parent_path()), fs::directory_iterator()), 1);
}

TEST_F(SegmentTest, NeverOverwritesAnExistingSegment) {
  const Segment s = Make(1, 5);
  ASSERT_TRUE(WriteSegment(dir_, s, nullptr).ok());
  Segment other = Make(1, 5);
  other.entries[0].actor = "usr_other";
  Status st = WriteSegment(dir_, other, nullptr);
  EXPECT_EQ(st.code(), "segment_exists");
  EXPECT_EQ(ReadSegment(PathOf(s), nullptr)->entries[0].actor, "system");
}

TEST_F(SegmentTest, RefusesAMalformedSegmentAndWritesNothing) {
  Segment gap = Make(1, 5);
  gap.entries.erase(gap.entries.begin() + 2);
  EXPECT_EQ(WriteSegment(dir_, gap, nullptr).code(), "segment_invalid");
  Segment wrong_ulb = Make(1, 5);
  wrong_ulb.entries[3].ulb = "0153";
  EXPECT_EQ(WriteSegment(dir_, wrong_ulb, nullptr).code(), "segment_invalid");
  Segment short_checkpoint = Make(1, 5);
  short_checkpoint.checkpoint_note = Make(1, 4).checkpoint_note;
  EXPECT_EQ(WriteSegment(dir_, short_checkpoint, nullptr).code(), "segment_invalid");
  Segment bad_tree = Make(1, 5);
  bad_tree.tree = Make(1, 4).tree;
  EXPECT_EQ(WriteSegment(dir_, bad_tree, nullptr).code(), "segment_invalid");
  Segment escape = Make(1, 5);
  escape.ulb = "../x";
  EXPECT_EQ(WriteSegment(dir_, escape, nullptr).code(), "segment_invalid");
  EXPECT_FALSE(fs::exists(dir_ / "0152" / kOrigin / SegmentFileName(1, 5)));
}

TEST_F(SegmentTest, AFlippedByteOrATruncationIsCaughtAndNamesTheFile) {
  const Segment s = Make(1, 20);
  ASSERT_TRUE(WriteSegment(dir_, s, nullptr).ok());
  const fs::path file = PathOf(s);
  const std::string good = ReadWholeFile(file, 1 << 20).value();

  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x01;
  Rewrite(file, flipped);
  Result<Segment> r = ReadSegment(file, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), StatusKind::kCorruption);
  EXPECT_NE(r.status().message().find(file.string()), std::string::npos);
  EXPECT_NE(r.status().message().find("SHA-256"), std::string::npos);

  Rewrite(file, good.substr(0, good.size() - 100));
  r = ReadSegment(file, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("torn or truncated"), std::string::npos);

  Rewrite(file, "");
  EXPECT_EQ(ReadSegment(file, nullptr).status().kind(), StatusKind::kCorruption);
}

TEST_F(SegmentTest, ARenamedSegmentIsRefused) {
  const Segment a = Make(1, 10);
  const Segment b = Make(11, 20);
  ASSERT_TRUE(WriteSegment(dir_, a, nullptr).ok());
  ASSERT_TRUE(WriteSegment(dir_, b, nullptr).ok());
  // Swap the two files' names: each header now disagrees with its name.
  const fs::path tmp = dir_ / "swap";
  fs::rename(PathOf(a), tmp);
  fs::rename(PathOf(b), PathOf(a));
  fs::rename(tmp, PathOf(b));
  Result<Segment> r = ReadSegment(PathOf(a), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("renamed, moved or reordered"), std::string::npos);
  EXPECT_NE(r.status().message().find(PathOf(a).string()), std::string::npos);
}

TEST_F(SegmentTest, SealedSegmentOpensOnlyWithItsKey) {
  const fs::path keys = dir_ / "keys";
  fs::create_directories(keys);
  Result<SealKey> pub = GenerateBackupKeyFiles(keys);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  const Segment s = Make(3, 1500);  // several secretstream chunks
  ASSERT_TRUE(WriteSegment(dir_, s, &*pub).ok());
  const fs::path file = PathOf(s);

  // The entries are not readable in the file.
  const std::string raw = ReadWholeFile(file, 1 << 24).value();
  EXPECT_EQ(raw.find("kv.set"), std::string::npos);
  EXPECT_EQ(raw.find("नमस्ते"), std::string::npos);

  Result<SegmentHeader> h = ReadSegmentHeader(file);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->sealed);
  EXPECT_EQ(h->key_id, pub->KeyId());
  EXPECT_EQ(h->checkpoint_note, s.checkpoint_note);

  EXPECT_EQ(ReadSegment(file, nullptr).status().code(), "segment_key_needed");
  OpenKey stranger;
  crypto_box_keypair(stranger.seal.public_key.data(), stranger.secret_key.data());
  EXPECT_EQ(ReadSegment(file, &stranger).status().code(), "segment_wrong_key");

  Result<OpenKey> key = LoadOpenKey(keys / "backup.key");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Result<Segment> back = ReadSegment(file, &*key);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  Expect(s, *back);

  // A flipped ciphertext byte with a recomputed trailer still fails authentication.
  std::string forged = raw.substr(0, raw.size() - 72);
  forged[forged.size() - 100] ^= 0x40;
  forged += "sha256 " + HexEncode(Sha256(forged)) + "\n";
  Rewrite(file, forged);
  Result<Segment> bad = ReadSegment(file, &*key);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().kind(), StatusKind::kCorruption);
}

TEST_F(SegmentTest, BackupKeyFilesAreGuarded) {
  ASSERT_TRUE(GenerateBackupKeyFiles(dir_).ok());
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "backup.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(GenerateBackupKeyFiles(dir_).status().code(), "backup_key_exists");
  Result<SealKey> pub = LoadSealKey(dir_ / "backup.pub");
  Result<OpenKey> key = LoadOpenKey(dir_ / "backup.key");
  ASSERT_TRUE(pub.ok() && key.ok());
  EXPECT_EQ(pub->KeyId(), key->KeyId());
  EXPECT_EQ(LoadSealKey(dir_ / "backup.key").status().code(), "backup_key_invalid");
  fs::permissions(dir_ / "backup.key", fs::perms::group_read, fs::perm_options::add);
  EXPECT_EQ(LoadOpenKey(dir_ / "backup.key").status().code(), "backup_key_insecure");
  EXPECT_EQ(LoadOpenKey(dir_ / "none.key").status().code(), "backup_key_missing");
}

TEST_F(SegmentTest, ListingSortsSegmentsNumericallyAndReportsStrays) {
  ASSERT_TRUE(WriteSegment(dir_, Make(11, 20), nullptr).ok());
  ASSERT_TRUE(WriteSegment(dir_, Make(1, 10), nullptr).ok());
  std::ofstream(dir_ / kUlb / kOrigin / "notes.txt") << "x";
  std::ofstream(dir_ / kUlb / kOrigin / ".000000000021-000000000030.seg.tmp-1") << "x";
  Result<std::vector<LogListing>> logs = ListBackupLogs(dir_);
  ASSERT_TRUE(logs.ok());
  ASSERT_EQ(logs->size(), 1u);
  const LogListing& l = (*logs)[0];
  EXPECT_EQ(l.ulb, kUlb);
  EXPECT_EQ(l.origin, kOrigin);
  ASSERT_EQ(l.segments.size(), 2u);
  EXPECT_EQ(l.segments[0].first, 1u);
  EXPECT_EQ(l.segments[1].last, 20u);
  ASSERT_EQ(l.strays.size(), 1u);
  EXPECT_EQ(l.strays[0].filename(), "notes.txt");
  EXPECT_EQ(ListBackupLogs(dir_ / "nope").status().code(), "backup_missing");
}

}  // namespace
}  // namespace palika::ledger
