// A full disk during a commit: the command fails with Unavailable "storage_full" (HTTP 503),
// nothing of it is kept, and the ledger carries on once space returns (fault seam: fault_vfs.h).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ledger/ledger_set.h"
#include "ledger/verify.h"
#include "store/sqlite/fault_vfs.h"

namespace palika::ledger {
namespace {

namespace fs = std::filesystem;
using store::sqlite::Fault;
using store::sqlite::InjectFault;

Projections NotesProjections() {
  Projections p;
  p.AddTable("notes", "CREATE TABLE IF NOT EXISTS notes(id INTEGER PRIMARY KEY, text TEXT)", "id");
  p.OnEvent("note.added", [](store::Transaction& tx, const Entry& e) {
    auto o = boost::json::parse(e.payload).as_object();
    return tx.Exec("INSERT INTO notes(id, text) VALUES (?, ?)",
                   {o.at("id").as_int64(), std::string(o.at("text").as_string())});
  });
  return p;
}

Command AddNote(int64_t id) {
  Command c;
  c.actor = "test";
  c.decide = [id](store::Transaction&, int64_t) -> Result<Decision> {
    return Decision{{Event{"note.added", {{"id", id}, {"text", "नोट " + std::to_string(id)}}}},
                    boost::json::object{{"id", id}}};
  };
  return c;
}

struct FaultGuard {
  ~FaultGuard() { InjectFault(Fault::kNone); }
};

TEST(DiskFull, CommitFailsCleanlyAndServiceResumes) {
  FaultGuard guard;
  const fs::path dir = fs::temp_directory_path() / ("palika-diskfull-" + std::to_string(getpid()));
  fs::remove_all(dir);
  ASSERT_TRUE(InitDataDir(dir).ok());
  const Projections state = NotesProjections();
  const Projections ulb = NotesProjections();
  {
    auto set = LedgerSet::Open(dir, state, ulb, nullptr);
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    Ledger& l = (*set)->state();
    ASSERT_TRUE(l.Submit(AddNote(1)).ok());

    InjectFault(Fault::kDiskFull);
    auto r = l.Submit(AddNote(2));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().kind(), StatusKind::kUnavailable);
    EXPECT_EQ(r.status().code(), "storage_full");
    EXPECT_NE(r.status().message_hi(), r.status().message());  // a Hindi message too
    EXPECT_EQ(l.size(), 1u);

    InjectFault(Fault::kIOError);
    EXPECT_FALSE(l.Submit(AddNote(2)).ok());

    InjectFault(Fault::kNone);
    auto again = l.Submit(AddNote(2));
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(again->first_seq, 2u);  // no gap where the failed commands were
    EXPECT_EQ(l.size(), 2u);
    (*set)->Close();
  }
  std::ifstream pub(dir / "node.pub");
  std::string vkey;
  std::getline(pub, vkey);
  auto verifier = NoteVerifier::Parse(vkey);
  ASSERT_TRUE(verifier.ok());
  auto config = ReadDataDirConfig(dir);
  ASSERT_TRUE(config.ok());
  auto report = VerifyLedgerFile(dir / "state.db", "state", config->node, state, *verifier);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << report->problems.front();
  EXPECT_EQ(report->entries, 2u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace palika::ledger
