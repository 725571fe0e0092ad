#pragma once
// Test support for the ledger's sync and WAL checkpoint tests: a real SQLite ledger file in a
// fresh temporary directory, its node's keys, and its syncs held, failed or passed through the
// fault seam under SQLite (store/sqlite/fault_vfs.h, ControlSyncs). Header-only; for tests.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>

#include "core/encoding.h"
#include "core/metrics.h"
#include "ledger/ledger.h"
#include "store/sqlite/fault_vfs.h"

namespace palika::ledger::test {

class SyncControlledLedgerTest : public testing::Test {
 protected:
  SyncControlledLedgerTest(std::string origin, Projections projections)
      : origin_(std::move(origin)), projections_(std::move(projections)) {}

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("palika_" + origin_ + "_" + HexEncode(RandomBytes(8)));
    ASSERT_TRUE(std::filesystem::create_directory(dir_));
    auto node = GenerateSigner(origin_);
    ASSERT_TRUE(node.ok());
    node_verifier_ = std::make_unique<NoteVerifier>(node->Verifier());
    signer_ = std::make_unique<NoteSigner>(node->WithName(LogName(origin_, kUlb)).value());
    verifier_ = std::make_unique<NoteVerifier>(signer_->Verifier());
    control_ = dir_ / "syncs";
    store::sqlite::ControlSyncs(control_);
  }
  void TearDown() override {
    Syncs("pass");
    store::sqlite::ControlSyncs({});
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A word of ControlSyncs ("hold", "hold-db", "fail" or "pass") for every sync from now on.
  void Syncs(const std::string& word) {
    const std::filesystem::path tmp = control_.string() + ".tmp";
    std::ofstream(tmp) << word << "\n";
    std::filesystem::rename(tmp, control_);
  }

  // The options of ULB 0152's ledger in `file`, with this fixture's keys, projections and metrics.
  LedgerOptions Options(const std::filesystem::path& file) {
    LedgerOptions o;
    o.location = file;
    o.ulb = kUlb;
    o.origin = origin_;
    o.signer = signer_.get();
    o.verifier = verifier_.get();
    o.projections = &projections_;
    o.metrics = &metrics_;
    o.checkpoint_interval = std::chrono::milliseconds(20);
    return o;
  }
  std::unique_ptr<Ledger> Open(const LedgerOptions& o, bool create) {
    auto l = Ledger::Open(o, create);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return l.ok() ? std::move(l).value() : nullptr;
  }

  static constexpr char kUlb[] = "0152";
  const std::string origin_;
  std::filesystem::path dir_;
  std::filesystem::path control_;
  Projections projections_;
  std::unique_ptr<NoteVerifier> node_verifier_;  // the node's own key, for verify
  std::unique_ptr<NoteSigner> signer_;           // the ledger's checkpoints
  std::unique_ptr<NoteVerifier> verifier_;
  Metrics metrics_;
};

}  // namespace palika::ledger::test
