#include "ledger/ledger_set.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/encoding.h"
#include "ledger/checkpoint.h"
#include "ledger/node_key.h"
#include "store/sqlite/database.h"

namespace palika::ledger {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

Projections MakeNotes() {
  Projections p;
  p.AddTable("notes",
             "CREATE TABLE IF NOT EXISTS notes(seq INTEGER PRIMARY KEY, text TEXT NOT NULL)",
             "seq");
  p.OnEvent("note.added", [](store::Transaction& tx, const Entry& e) -> Status {
    auto o = json::parse(e.payload).as_object();
    return tx.Exec("INSERT INTO notes(seq, text) VALUES (?, ?)",
                   {static_cast<int64_t>(e.seq), std::string(o.at("text").as_string())});
  });
  return p;
}

const Projections& Notes() {
  static const Projections p = MakeNotes();
  return p;
}

Status AddNote(Ledger& l, const std::string& text) {
  Command c;
  c.actor = "system";
  c.decide = [text](store::Transaction&, int64_t) -> Result<Decision> {
    return Decision{{Event{"note.added", {{"text", text}}}}, nullptr};
  };
  return l.Submit(std::move(c)).status();
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mode_t Mode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

// Runs fn on another thread and aborts the test binary if it does not return in time: a deadlock
// fails loudly instead of hanging the suite.
template <typename Fn>
auto WithinSeconds(int seconds, Fn fn) -> decltype(fn()) {
  std::packaged_task<decltype(fn())()> task(std::move(fn));
  auto result = task.get_future();
  std::thread t(std::move(task));
  if (result.wait_for(std::chrono::seconds(seconds)) != std::future_status::ready) {
    std::fprintf(stderr, "deadlock: the call did not return within %d s\n", seconds);
    std::abort();
  }
  t.join();
  return result.get();
}

class LedgerSetTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("palika_ledger_set_test_" + HexEncode(RandomBytes(8)));
    data_ = dir_ / "data";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<LedgerSet> MustOpen() {
    auto set = LedgerSet::Open(data_, Notes(), Notes(), &metrics_);
    EXPECT_TRUE(set.ok()) << set.status().ToString();
    return set.ok() ? std::move(set).value() : nullptr;
  }

  // A data directory with notes in the state ledger and in ULBs 0152 and 0153, closed.
  void MakeTwoUlbs() {
    ASSERT_TRUE(InitDataDir(data_).ok());
    auto set = MustOpen();
    ASSERT_TRUE(set);
    ASSERT_TRUE(AddNote(set->state(), "राज्य").ok());
    for (const char* code : {"0152", "0153"}) {
      auto l = set->CreateUlb(code);
      ASSERT_TRUE(l.ok()) << l.status().ToString();
      ASSERT_TRUE(AddNote(**l, std::string("नगर ") + code).ok());
    }
  }

  fs::path dir_;
  fs::path data_;
  Metrics metrics_;
};

TEST_F(LedgerSetTest, InitDataDirWritesConfigAndNodeKey) {
  ASSERT_TRUE(InitDataDir(data_).ok());
  EXPECT_TRUE(fs::is_directory(data_ / "ulb"));
  auto conf = json::parse(ReadFile(data_ / "palika.json")).as_object();
  EXPECT_EQ(conf.at("store").as_string(), "sqlite");
  EXPECT_EQ(conf.at("format").as_int64(), 1);
  const std::string node(conf.at("node").as_string());
  EXPECT_TRUE(node.starts_with("node-")) << node;

  auto c = ReadDataDirConfig(data_);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->node, node);
  EXPECT_EQ(c->store, "sqlite");

  EXPECT_EQ(Mode(data_ / "node.key"), 0600u);
  auto key = LoadNodeKey(data_ / "node.key");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->name(), node);
  EXPECT_EQ(ReadFile(data_ / "node.pub"), key->Verifier().ToString() + "\n");
  EXPECT_EQ(Mode(data_ / "node.pub") & 0077, 0044u);  // public: others may read it
  EXPECT_EQ(Mode(data_ / "node.pub") & 0022, 0u);
}

TEST_F(LedgerSetTest, InitDataDirRefusesAnExistingDataDir) {
  ASSERT_TRUE(InitDataDir(data_).ok());
  const std::string key = ReadFile(data_ / "node.key");
  const std::string conf = ReadFile(data_ / "palika.json");
  Status s = InitDataDir(data_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), StatusKind::kConflict);
  EXPECT_EQ(s.code(), "data_dir_exists");
  EXPECT_EQ(ReadFile(data_ / "node.key"), key);  // nothing was overwritten
  EXPECT_EQ(ReadFile(data_ / "palika.json"), conf);
}

TEST_F(LedgerSetTest, InitDataDirGivesEachDirectoryItsOwnNode) {
  ASSERT_TRUE(InitDataDir(dir_ / "a").ok());
  ASSERT_TRUE(InitDataDir(dir_ / "b").ok());
  auto a = ReadDataDirConfig(dir_ / "a");
  auto b = ReadDataDirConfig(dir_ / "b");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->node, b->node);
  EXPECT_NE(ReadFile(dir_ / "a" / "node.pub"), ReadFile(dir_ / "b" / "node.pub"));
}

TEST_F(LedgerSetTest, OpenRefusesADirectoryThatIsNotADataDir) {
  fs::create_directories(data_);
  auto c = ReadDataDirConfig(data_);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), "no_data_dir");
  auto set = LedgerSet::Open(data_, Notes(), Notes(), nullptr);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().kind(), StatusKind::kNotFound);
  EXPECT_FALSE(fs::exists(data_ / "state.db"));
}

TEST_F(LedgerSetTest, OpenRefusesANodePubThatIsNotTheNodeKeys) {
  ASSERT_TRUE(InitDataDir(data_).ok());
  auto other = GenerateSigner("node-other");
  ASSERT_TRUE(other.ok());
  std::ofstream(data_ / "node.pub", std::ios::trunc) << other->Verifier().ToString() << "\n";
  auto set = LedgerSet::Open(data_, Notes(), Notes(), nullptr);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().kind(), StatusKind::kCorruption);
  EXPECT_NE(set.status().message().find("node.pub"), std::string::npos);
}

TEST_F(LedgerSetTest, OpenOpensTheStateAndEveryUlbFile) {
  MakeTwoUlbs();
  EXPECT_TRUE(fs::exists(data_ / "state.db"));
  EXPECT_TRUE(fs::exists(data_ / "ulb" / "0152.db"));
  EXPECT_TRUE(fs::exists(data_ / "ulb" / "0153.db"));

  auto set = MustOpen();
  ASSERT_TRUE(set);
  EXPECT_EQ(set->dir(), data_);
  EXPECT_EQ(set->UlbFile("0152"), data_ / "ulb" / "0152.db");
  EXPECT_EQ(set->UlbCodes(), (std::vector<std::string>{"0152", "0153"}));
  EXPECT_EQ(set->state().ulb(), "state");
  EXPECT_EQ(set->state().size(), 1u);
  for (const char* code : {"0152", "0153"}) {
    auto l = set->Ulb(code);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    EXPECT_EQ((*l)->ulb(), code);
    EXPECT_EQ((*l)->size(), 1u);
    // Each log is signed by the node's key under its own name, and by nothing else.
    auto mine = LogVerifier(set->node_verifier(), LogName(set->origin(), code));
    ASSERT_TRUE(mine.ok());
    auto cp = OpenCheckpoint((*l)->LatestCheckpointNote(), *mine);
    ASSERT_TRUE(cp.ok()) << cp.status().ToString();
    EXPECT_EQ(cp->size, 1u);
    auto state_key = LogVerifier(set->node_verifier(), LogName(set->origin(), "state"));
    ASSERT_TRUE(state_key.ok());
    EXPECT_FALSE(OpenCheckpoint((*l)->LatestCheckpointNote(), *state_key).ok());
    ASSERT_TRUE(AddNote(**l, "more").ok());
  }
  auto state_key = LogVerifier(set->node_verifier(), LogName(set->origin(), "state"));
  ASSERT_TRUE(state_key.ok());
  EXPECT_TRUE(OpenCheckpoint(set->state().LatestCheckpointNote(), *state_key).ok());
  set->Close();
  set->Close();  // idempotent
}

TEST_F(LedgerSetTest, ATamperedUlbIsHeldBackWhileOthersOpen) {
  MakeTwoUlbs();
  {
    auto db = store::sqlite::Database::Open(data_ / "ulb" / "0153.db", {});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("UPDATE ledger_checkpoints SET note = replace(note, 'palika/', "
                           "'Palika/')")
                    .ok());
  }
  auto set = MustOpen();
  ASSERT_TRUE(set);
  EXPECT_EQ(set->UlbCodes(), (std::vector<std::string>{"0152", "0153"}));

  auto held = set->Ulb("0153");
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.status().kind(), StatusKind::kUnavailable);
  EXPECT_EQ(held.status().code(), "ulb_held_back");
  EXPECT_NE(held.status().message().find("0153"), std::string::npos);
  EXPECT_NE(held.status().message_hi(), held.status().message());

  // Asking to create it again does not reopen it. Pins down the start-up deadlock fixed in
  // 08acd4c (CreateUlb called Ulb() while holding mu_); EnsureUlbLedgers makes this call.
  auto again = WithinSeconds(10, [&] { return set->CreateUlb("0153"); });
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), "ulb_held_back");

  // The others keep working.
  auto ok = set->Ulb("0152");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(AddNote(**ok, "still serving").ok());
  EXPECT_TRUE(AddNote(set->state(), "still serving").ok());
  auto fresh = set->CreateUlb("0154");
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_TRUE(AddNote(**fresh, "new").ok());
}

TEST_F(LedgerSetTest, CreateUlbIsIdempotent) {
  ASSERT_TRUE(InitDataDir(data_).ok());
  auto set = MustOpen();
  ASSERT_TRUE(set);
  auto a = set->CreateUlb("0152");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(AddNote(**a, "one").ok());
  auto b = set->CreateUlb("0152");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ((*b)->size(), 1u);
  auto c = set->Ulb("0152");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*a, *c);
  EXPECT_EQ(set->UlbCodes(), (std::vector<std::string>{"0152"}));
}

TEST_F(LedgerSetTest, CreateUlbFromTwoThreadsOpensOneLedger) {
  ASSERT_TRUE(InitDataDir(data_).ok());
  auto set = MustOpen();
  ASSERT_TRUE(set);
  for (const char* code : {"0201", "0202", "0203", "0204"}) {
    std::promise<void> go;
    std::shared_future<void> start = go.get_future().share();
    Ledger* got[2] = {nullptr, nullptr};
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        start.wait();
        auto l = set->CreateUlb(code);
        EXPECT_TRUE(l.ok()) << l.status().ToString();
        if (l.ok()) got[i] = *l;
      });
    }
    go.set_value();
    for (auto& t : threads) t.join();
    ASSERT_NE(got[0], nullptr);
    EXPECT_EQ(got[0], got[1]) << code;
    EXPECT_TRUE(AddNote(*got[0], code).ok());
  }
  EXPECT_EQ(set->UlbCodes().size(), 4u);
  set.reset();
  auto reopened = MustOpen();
  ASSERT_TRUE(reopened);
  for (const char* code : {"0201", "0202", "0203", "0204"}) {
    auto l = reopened->Ulb(code);
    ASSERT_TRUE(l.ok()) << code << ": " << l.status().ToString();
    EXPECT_EQ((*l)->size(), 1u);
  }
}

TEST_F(LedgerSetTest, UnknownUlbIsNotFound) {
  ASSERT_TRUE(InitDataDir(data_).ok());
  auto set = MustOpen();
  ASSERT_TRUE(set);
  auto l = set->Ulb("9999");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().kind(), StatusKind::kNotFound);
  EXPECT_EQ(l.status().code(), "ulb_not_found");
  EXPECT_NE(l.status().message().find("9999"), std::string::npos);
  EXPECT_FALSE(fs::exists(data_ / "ulb" / "9999.db"));
}

}  // namespace
}  // namespace palika::ledger
