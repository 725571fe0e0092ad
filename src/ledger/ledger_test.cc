#include "ledger/ledger.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/civil_date.h"
#include "core/encoding.h"
#include "core/metrics.h"
#include "ledger/checkpoint.h"
#include "ledger/ledger_set.h"
#include "ledger/merkle_tree.h"
#include "ledger/migrations.h"
#include "ledger/verify.h"
#include "pg_test_clusters.h"
#include "store/database.h"
#include "store/postgres/database.h"

namespace palika::ledger {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr char kOrigin[] = "node-ledgertest";
constexpr char kUlb[] = "0152";
constexpr int64_t kMinuteUs = 60LL * 1000 * 1000;

// A key-value projection: "kv.set" inserts a row (a second set of the same key violates the
// primary key), "kv.broken" never applies.
Projections MakeKvProjections() {
  Projections p;
  p.AddTable("kv",
             "CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value INTEGER NOT NULL,"
             " seq INTEGER NOT NULL)",
             "key");
  p.OnEvent("kv.set", [](store::Transaction& tx, const Entry& e) -> Status {
    auto o = json::parse(e.payload).as_object();
    return tx.Exec("INSERT INTO kv(key, value, seq) VALUES (?, ?, ?)",
                   {std::string(o.at("key").as_string()), o.at("value").as_int64(),
                    static_cast<int64_t>(e.seq)});
  });
  p.OnEvent("kv.broken", [](store::Transaction&, const Entry&) -> Status {
    return Status::InvalidArgument("apply_refused", "this event never applies");
  });
  return p;
}

const Projections& KvProjections() {
  static const Projections p = MakeKvProjections();
  return p;
}

Command Decide(DecideFn fn, std::string key = {}, std::string hash = {}) {
  Command c;
  c.actor = "usr_test";
  c.idempotency_key = std::move(key);
  c.request_hash = std::move(hash);
  c.decide = std::move(fn);
  return c;
}

// Sets `key` unless it is set already (then Conflict "key_exists"), as a service's decide would.
Command SetKey(const std::string& key, int64_t value, std::atomic<int>* decides = nullptr) {
  return Decide([key, value, decides](store::Transaction& tx, int64_t) -> Result<Decision> {
    if (decides) ++*decides;
    PALIKA_ASSIGN_OR_RETURN(auto existing,
                            tx.QueryOne("SELECT value FROM kv WHERE key = ?", {key}));
    if (existing) return Status::Conflict("key_exists", "key " + key + " is set already");
    json::object fields{{"key", key}, {"value", value}};
    return Decision{{Event{"kv.set", fields}}, fields};
  });
}

// Holds the writer thread inside decide (so inside the batch transaction) until released.
struct Gate {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();

  Command Blocker() {
    return Decide([this](store::Transaction&, int64_t) -> Result<Decision> {
      entered.set_value();
      released.wait();
      return Decision{{}, nullptr};
    });
  }
};

// Runs `commands` concurrently while the writer is held, so that they queue up and are committed
// as one batch. Returns their results in order.
std::vector<Result<CommitResult>> SubmitTogether(Ledger& ledger, std::vector<Command> commands) {
  Gate gate;
  std::thread blocker([&] { EXPECT_TRUE(ledger.Submit(gate.Blocker()).ok()); });
  gate.entered.get_future().wait();
  std::vector<std::optional<Result<CommitResult>>> results(commands.size());
  std::atomic<size_t> started = 0;
  std::vector<std::thread> threads;
  for (size_t i = 0; i < commands.size(); ++i) {
    threads.emplace_back([&, i] {
      ++started;
      results[i] = ledger.Submit(std::move(commands[i]));
    });
  }
  while (started < commands.size()) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(50ms);  // let the last ones reach the queue
  gate.release.set_value();
  for (auto& t : threads) t.join();
  blocker.join();
  std::vector<Result<CommitResult>> out;
  for (auto& r : results) out.push_back(std::move(*r));
  return out;
}

// Every case runs on both engines: a SQLite file, and a schema of its own in the PostgreSQL test
// cluster (PALIKA_TEST_PG_URL).
class LedgerTest : public testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("palika_ledger_test_" + HexEncode(RandomBytes(8)));
    ASSERT_TRUE(fs::create_directory(dir_));
    auto node = GenerateSigner(kOrigin);
    ASSERT_TRUE(node.ok());
    node_ = std::make_unique<NoteSigner>(std::move(node).value());
    signer_ = std::make_unique<NoteSigner>(node_->WithName(LogName(kOrigin, kUlb)).value());
    verifier_ = std::make_unique<NoteVerifier>(signer_->Verifier());
    if (GetParam() == store::Engine::kPostgres) {
      pg_url_ = pgtest::Url();  // starts the test binary's throw-away clusters on first use
      ASSERT_FALSE(pg_url_.empty());
      pg_schema_ = "test_ledger_" + HexEncode(RandomBytes(6));
    }
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    if (!pg_schema_.empty()) {
      auto admin = store::postgres::Database::OpenScratch(pg_url_);
      ASSERT_TRUE(admin.ok()) << admin.status().ToString();
      EXPECT_TRUE((*admin)->ExecScript("DROP SCHEMA IF EXISTS " + pg_schema_ + " CASCADE").ok());
    }
  }

  fs::path file() const { return dir_ / "0152.db"; }
  store::Location location() const {
    if (GetParam() == store::Engine::kPostgres) {
      return store::Location::Postgres(pg_url_, pg_schema_);
    }
    return file();
  }

  LedgerOptions Options(std::chrono::milliseconds interval = 50ms) {
    LedgerOptions o;
    o.location = location();
    o.ulb = kUlb;
    o.origin = kOrigin;
    o.signer = signer_.get();
    o.verifier = verifier_.get();
    o.projections = &KvProjections();
    o.metrics = &metrics_;
    o.checkpoint_interval = interval;
    return o;
  }

  std::unique_ptr<Ledger> MustOpen(std::chrono::milliseconds interval = 50ms, bool create = true) {
    auto l = Ledger::Open(Options(interval), create);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return l.ok() ? std::move(l).value() : nullptr;
  }

  // A writable connection beside (or after) the ledger, for inspecting and tampering.
  std::unique_ptr<store::Database> Raw() {
    auto db = store::OpenDatabase(location(), {});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  static int64_t Count(store::Transaction& tx, const std::string& sql,
                       const std::vector<store::Value>& params = {}) {
    auto r = tx.QueryOne(sql, params);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r ? (*r)->Int(0) : -1;
  }

  static std::vector<Entry> Entries(store::Transaction& tx) {
    std::vector<Entry> out;
    EXPECT_TRUE(tx.ForEach("SELECT origin, seq, ulb, time_us, actor, type, payload FROM "
                           "ledger_entries ORDER BY origin, seq",
                           {},
                           [&](const store::Row& r) {
                             out.push_back({r.Text(2), r.Text(0), static_cast<uint64_t>(r.Int(1)),
                                            r.Int(3), r.Text(4), r.Text(5), r.Text(6)});
                             return true;
                           })
                    .ok());
    return out;
  }

  static Hash RootOf(const std::vector<Entry>& entries) {
    std::vector<Hash> leaves;
    for (const auto& e : entries) leaves.push_back(LeafHash(EncodeEntry(e)));
    return RootFromLeaves(leaves);
  }

  // The checkpoint in `note`, checked the way an outsider would: with the node's public key
  // under the log's name.
  Result<Checkpoint> OpenNote(const std::string& note) {
    PALIKA_ASSIGN_OR_RETURN(NoteVerifier v, LogVerifier(node_->Verifier(), LogName(kOrigin, kUlb)));
    return OpenCheckpoint(note, v);
  }

  // Waits (briefly) for the ledger to sign a checkpoint covering `size` entries.
  bool WaitForCheckpoint(Ledger& l, uint64_t size) {
    for (int i = 0; i < 500; ++i) {
      auto note = l.LatestCheckpointNote();
      if (!note.empty()) {
        auto cp = OpenNote(note);
        if (cp.ok() && cp->size >= size) return true;
      }
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  double Commits() { return metrics_.Value("palika_ledger_commits_total", {{"ulb", kUlb}}); }

  // A closed ledger file with entries 1..3 (keys a, b, c) and a checkpoint at size 3.
  void MakeThreeEntries() {
    auto l = MustOpen(1h);
    ASSERT_TRUE(l);
    for (const char* k : {"a", "b", "c"}) ASSERT_TRUE(l->Submit(SetKey(k, 1)).ok());
    l->Close();
  }

  void ExpectRefused(const std::string& fragment) {
    auto db = Raw();
    ASSERT_TRUE(db);
    const int64_t checkpoints = Count(*db, "SELECT COUNT(*) FROM ledger_checkpoints");
    db.reset();
    auto l = Ledger::Open(Options(), false);
    ASSERT_FALSE(l.ok()) << "the quick check passed; expected: " << fragment;
    EXPECT_EQ(l.status().kind(), StatusKind::kCorruption) << l.status().ToString();
    EXPECT_NE(l.status().message().find(fragment), std::string::npos) << l.status().message();
    EXPECT_NE(l.status().message().find("palika verify"), std::string::npos);
    // Refusing writes nothing: above all, no checkpoint that would launder the change.
    db = Raw();
    ASSERT_TRUE(db);
    EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM ledger_checkpoints"), checkpoints);
  }

  fs::path dir_;
  std::string pg_url_;
  std::string pg_schema_;  // the PostgreSQL case's own schema, dropped afterwards
  std::unique_ptr<NoteSigner> node_;
  std::unique_ptr<NoteSigner> signer_;
  std::unique_ptr<NoteVerifier> verifier_;
  Metrics metrics_;
};

TEST_P(LedgerTest, SubmitAppendsGaplessSeqs) {
  auto l = MustOpen();
  ASSERT_TRUE(l);
  EXPECT_EQ(l->ulb(), kUlb);
  EXPECT_EQ(l->size(), 0u);
  const int64_t before = NowMicros();
  for (int64_t i = 0; i < 5; ++i) {
    auto r = l->Submit(SetKey("k" + std::to_string(i), i));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->first_seq, static_cast<uint64_t>(i + 1));
    EXPECT_EQ(r->last_seq, static_cast<uint64_t>(i + 1));
    EXPECT_FALSE(r->replayed);
    EXPECT_EQ(r->response.at("key").as_string(), "k" + std::to_string(i));
  }
  EXPECT_EQ(l->size(), 5u);

  // A command that decides nothing appends nothing.
  auto none = l->Submit(Decide([](store::Transaction&, int64_t) -> Result<Decision> {
    return Decision{{}, json::object{{"nothing", true}}};
  }));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->first_seq, 0u);
  EXPECT_EQ(none->last_seq, 0u);
  EXPECT_TRUE(none->response.at("nothing").as_bool());

  // Several events of one command take consecutive numbers.
  auto three = l->Submit(Decide([](store::Transaction&, int64_t) -> Result<Decision> {
    Decision d;
    for (const char* k : {"x", "y", "z"})
      d.events.push_back({"kv.set", {{"key", k}, {"value", 9}}});
    return d;
  }));
  ASSERT_TRUE(three.ok()) << three.status().ToString();
  EXPECT_EQ(three->first_seq, 6u);
  EXPECT_EQ(three->last_seq, 8u);
  EXPECT_EQ(l->size(), 8u);
  EXPECT_EQ(metrics_.Value("palika_ledger_entries", {{"ulb", kUlb}}), 8);

  ASSERT_TRUE(l->Read([&](store::Transaction& tx) -> Status {
                 auto entries = Entries(tx);
                 EXPECT_EQ(entries.size(), 8u);
                 int64_t last_time = 0;
                 for (size_t i = 0; i < entries.size(); ++i) {
                   const Entry& e = entries[i];
                   EXPECT_EQ(e.seq, i + 1);
                   EXPECT_EQ(e.ulb, kUlb);
                   EXPECT_EQ(e.origin, kOrigin);
                   EXPECT_EQ(e.actor, "usr_test");
                   EXPECT_EQ(e.type, "kv.set");
                   EXPECT_GE(e.time_us, last_time);
                   EXPECT_GE(e.time_us, before);
                   last_time = e.time_us;
                 }
                 // The payload is stored as canonical JSON text.
                 EXPECT_EQ(entries[0].payload, R"({"key":"k0","value":0})");
                 EXPECT_EQ(Count(tx, "SELECT COUNT(*) FROM kv"), 8);
                 EXPECT_EQ(Count(tx, "SELECT seq FROM kv WHERE key = 'y'"), 7);
                 return Status::OK();
               }).ok());
}

TEST_P(LedgerTest, SubmitWithDoneReturnsAtOnceAndAnswersOnceDurable) {
  auto l = MustOpen();
  ASSERT_TRUE(l);
  // The writer is held inside an earlier command: the caller must not be.
  Gate gate;
  std::thread blocker([&] { EXPECT_TRUE(l->Submit(gate.Blocker()).ok()); });
  gate.entered.get_future().wait();
  std::promise<Result<CommitResult>> answered;
  std::atomic<int> calls = 0;
  std::atomic<uint64_t> size_when_answered = 0;
  l->Submit(SetKey("a", 1), [&](Result<CommitResult> r) {
    size_when_answered = l->size();
    if (++calls == 1) answered.set_value(std::move(r));
  });
  auto future = answered.get_future();
  EXPECT_EQ(future.wait_for(50ms), std::future_status::timeout) << "answered before its commit";
  gate.release.set_value();
  blocker.join();
  Result<CommitResult> r = future.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->first_seq, 1u);
  EXPECT_EQ(r->response.at("key").as_string(), "a");
  EXPECT_GE(size_when_answered.load(), r->last_seq) << "answered before it was durable";
  // A refusal comes back too, through the same callback.
  std::promise<Result<CommitResult>> conflict;
  l->Submit(SetKey("a", 2), [&](Result<CommitResult> c) { conflict.set_value(std::move(c)); });
  Result<CommitResult> c = conflict.get_future().get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), "key_exists");

  // A closed ledger refuses at once, on the caller's thread.
  l->Close();
  std::optional<Result<CommitResult>> closed;
  l->Submit(SetKey("b", 1), [&](Result<CommitResult> x) { closed = std::move(x); });
  ASSERT_TRUE(closed.has_value());
  ASSERT_FALSE(closed->ok());
  EXPECT_EQ(closed->status().code(), "shutting_down");
  EXPECT_EQ(calls.load(), 1);
}

TEST_P(LedgerTest, DecideSeesEarlierCommandsOfTheSameBatch) {
  auto l = MustOpen();
  ASSERT_TRUE(l);
  const double commits_before = Commits();
  std::vector<Command> cmds;
  cmds.push_back(SetKey("same", 1));
  cmds.push_back(SetKey("same", 2));
  auto results = SubmitTogether(*l, std::move(cmds));
  // The blocker's batch, then one batch holding both commands.
  EXPECT_EQ(Commits() - commits_before, 2);
  int ok = 0, conflict = 0;
  for (const auto& r : results) {
    if (r.ok()) {
      ++ok;
      EXPECT_EQ(r->first_seq, 1u);
    } else {
      EXPECT_EQ(r.status().kind(), StatusKind::kConflict);
      EXPECT_EQ(r.status().code(), "key_exists");
      ++conflict;
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflict, 1);
  EXPECT_EQ(l->size(), 1u);
  ASSERT_TRUE(l->Read([&](store::Transaction& tx) -> Status {
                 EXPECT_EQ(Count(tx, "SELECT COUNT(*) FROM kv"), 1);
                 EXPECT_EQ(Count(tx, "SELECT COUNT(*) FROM ledger_entries"), 1);
                 return Status::OK();
               }).ok());
}

TEST_P(LedgerTest, AFailingCommandIsRolledBackAloneAndSeqStaysGapless) {
  auto l = MustOpen();
  ASSERT_TRUE(l);
  std::vector<Command> cmds;
  cmds.push_back(SetKey("a", 1));
  // decide refuses
  cmds.push_back(Decide([](store::Transaction&, int64_t) -> Result<Decision> {
    return Status::InvalidArgument("bad_command", "refused by decide");
  }));
  // the first event applies, the second does not: the first must be undone too
  cmds.push_back(Decide([](store::Transaction&, int64_t) -> Result<Decision> {
    return Decision{{Event{"kv.set", {{"key", "half"}, {"value", 1}}}, Event{"kv.broken", {}}},
                    nullptr};
  }));
  // an event type nobody registered
  cmds.push_back(Decide([](store::Transaction&, int64_t) -> Result<Decision> {
    return Decision{{Event{"kv.set", {{"key", "orphan"}, {"value", 1}}}, Event{"no.such", {}}},
                    nullptr};
  }));
  // a floating-point number in the record
  cmds.push_back(Decide([](store::Transaction&, int64_t) -> Result<Decision> {
    return Decision{{Event{"kv.set", {{"key", "float"}, {"value", 1.5}}}}, nullptr};
  }));
  // decide writes by itself, then fails: its write is undone with it
  cmds.push_back(Decide([](store::Transaction& tx, int64_t) -> Result<Decision> {
    PALIKA_RETURN_IF_ERROR(tx.Exec("INSERT INTO kv(key, value, seq) VALUES ('sneaky', 1, 0)"));
    return Status::Conflict("late_failure", "failed after writing");
  }));
  cmds.push_back(SetKey("d", 4));
  const double commits_before = Commits();
  auto results = SubmitTogether(*l, std::move(cmds));
  EXPECT_EQ(Commits() - commits_before, 2);

  ASSERT_TRUE(results[0].ok()) << results[0].status().ToString();
  ASSERT_TRUE(results[6].ok()) << results[6].status().ToString();
  EXPECT_EQ(results[1].status().code(), "bad_command");
  EXPECT_EQ(results[2].status().code(), "apply_refused");
  EXPECT_EQ(results[3].status().kind(), StatusKind::kCorruption);
  EXPECT_EQ(results[4].status().code(), "float_in_record");
  EXPECT_EQ(results[5].status().code(), "late_failure");
  std::set<uint64_t> seqs = {results[0]->first_seq, results[6]->first_seq};
  EXPECT_EQ(seqs, (std::set<uint64_t>{1, 2}));
  EXPECT_EQ(l->size(), 2u);

  // The next command continues the numbering.
  auto next = l->Submit(SetKey("e", 5));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->first_seq, 3u);
  ASSERT_TRUE(l->Read([&](store::Transaction& tx) -> Status {
                 auto entries = Entries(tx);
                 EXPECT_EQ(entries.size(), 3u);
                 for (size_t i = 0; i < entries.size(); ++i) EXPECT_EQ(entries[i].seq, i + 1);
                 EXPECT_EQ(Count(tx, "SELECT COUNT(*) FROM kv"), 3);
                 EXPECT_EQ(Count(tx,
                                 "SELECT COUNT(*) FROM kv WHERE key IN "
                                 "('half', 'orphan', 'float', 'sneaky')"),
                           0);
                 return Status::OK();
               }).ok());

  // The in-memory tree was rolled back with the commands: the signed checkpoints match the file.
  l->Close();
  l.reset();
  auto report = VerifyLedger(location(), kUlb, kOrigin, KvProjections(), node_->Verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << report->problems.front();
  EXPECT_EQ(report->entries, 3u);
  EXPECT_TRUE(MustOpen());
}

TEST_P(LedgerTest, ManyConcurrentSubmittersAllSucceedInGroupCommits) {
  auto l = MustOpen();
  ASSERT_TRUE(l);
  constexpr int kThreads = 64;
  constexpr int kPerThread = 4;
  const double commits_before = Commits();
  std::vector<std::vector<Result<CommitResult>>> results(kThreads);
  std::atomic<int> ready = 0;
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ++ready;
      start.wait();
      for (int i = 0; i < kPerThread; ++i) {
        results[t].push_back(l->Submit(SetKey(fmt::format("t{}-{}", t, i), i)));
      }
    });
  }
  while (ready < kThreads) std::this_thread::sleep_for(1ms);
  go.set_value();
  for (auto& th : threads) th.join();

  std::set<uint64_t> seqs;
  for (const auto& per_thread : results) {
    for (const auto& r : per_thread) {
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->first_seq, r->last_seq);
      seqs.insert(r->first_seq);
    }
  }
  constexpr uint64_t kTotal = kThreads * kPerThread;
  ASSERT_EQ(seqs.size(), kTotal);
  EXPECT_EQ(*seqs.begin(), 1u);
  EXPECT_EQ(*seqs.rbegin(), kTotal);
  EXPECT_EQ(l->size(), kTotal);
  // Commands arriving together were committed together.
  const double commits = Commits() - commits_before;
  EXPECT_GE(commits, 1);
  EXPECT_LT(commits, static_cast<double>(kTotal));
  EXPECT_EQ(metrics_.ObservationCount("palika_ledger_batch_size"),
            static_cast<uint64_t>(Commits()));
}

TEST_P(LedgerTest, IdempotentRetryReturnsTheStoredAnswerAndWritesNothing) {
  auto l = MustOpen();
  ASSERT_TRUE(l);
  std::atomic<int> decides = 0;
  auto keyed = [&](const std::string& key, const std::string& hash, const std::string& k) {
    Command c = SetKey(k, 100, &decides);
    c.idempotency_key = key;
    c.request_hash = hash;
    return c;
  };
  auto first = l->Submit(keyed("pay-1", "hash-1", "p"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->replayed);
  EXPECT_EQ(first->first_seq, 1u);
  EXPECT_EQ(first->last_seq, 2u);  // the event and the idempotency record
  EXPECT_EQ(decides, 1);

  // Same key, same request: the stored answer, decide not run, nothing appended.
  auto again = l->Submit(keyed("pay-1", "hash-1", "other"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->response, first->response);
  EXPECT_EQ(again->first_seq, 0u);
  EXPECT_EQ(again->last_seq, 0u);
  EXPECT_EQ(decides, 1);
  EXPECT_EQ(l->size(), 2u);

  // Same key, another request: refused.
  auto reused = l->Submit(keyed("pay-1", "hash-2", "other"));
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.status().kind(), StatusKind::kConflict);
  EXPECT_EQ(reused.status().code(), "idempotency_key_reused");
  EXPECT_EQ(decides, 1);
  EXPECT_EQ(l->size(), 2u);

  // A refused command stores no answer: the same key may be retried and succeed.
  auto refused = l->Submit(keyed("pay-2", "hash-3", "p"));  // "p" is set already
  EXPECT_EQ(refused.status().code(), "key_exists");
  auto retried = l->Submit(keyed("pay-2", "hash-3", "q"));
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_FALSE(retried->replayed);

  ASSERT_TRUE(l->Read([&](store::Transaction& tx) -> Status {
                 EXPECT_EQ(Count(tx, "SELECT COUNT(*) FROM kv WHERE key = 'other'"), 0);
                 auto row = tx.QueryOne(
                     "SELECT request_hash, response, seq FROM idempotency_keys WHERE key = ?",
                     {std::string("pay-1")});
                 EXPECT_TRUE(row.ok() && *row);
                 if (row.ok() && *row) {
                   EXPECT_EQ((*row)->Text(0), "hash-1");
                   EXPECT_EQ((*row)->Text(1), R"({"key":"p","value":100})");
                   EXPECT_EQ((*row)->Int(2), 2);
                 }
                 auto entries = Entries(tx);
                 EXPECT_EQ(entries.at(1).type, "command.idempotency");
                 return Status::OK();
               }).ok());
}

TEST_P(LedgerTest, SameIdempotencyKeyTwiceInOneBatchRunsOnce) {
  auto l = MustOpen();
  ASSERT_TRUE(l);
  std::atomic<int> decides = 0;
  std::vector<Command> cmds;
  for (int i = 0; i < 2; ++i) {
    Command c = SetKey("once", 1, &decides);
    c.idempotency_key = "retry-me";
    c.request_hash = "h";
    cmds.push_back(std::move(c));
  }
  auto results = SubmitTogether(*l, std::move(cmds));
  ASSERT_TRUE(results[0].ok() && results[1].ok());
  EXPECT_EQ(decides, 1);
  EXPECT_NE(results[0]->replayed, results[1]->replayed);
  EXPECT_EQ(results[0]->response, results[1]->response);
  EXPECT_EQ(l->size(), 2u);
}

TEST_P(LedgerTest, StateSeqAndIdempotencySurviveReopening) {
  json::value answer;
  {
    auto l = MustOpen();
    ASSERT_TRUE(l);
    ASSERT_TRUE(l->Submit(SetKey("a", 1)).ok());
    Command c = SetKey("b", 2);
    c.idempotency_key = "k";
    c.request_hash = "h";
    auto r = l->Submit(std::move(c));
    ASSERT_TRUE(r.ok());
    answer = r->response;
    ASSERT_TRUE(l->Submit(SetKey("c", 3)).ok());
    EXPECT_EQ(l->size(), 4u);
  }  // destroyed: closed with a final checkpoint
  auto l = MustOpen(50ms, false);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->size(), 4u);
  auto cp = OpenNote(l->LatestCheckpointNote());
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->size, 4u);

  Command c = SetKey("b", 99);
  c.idempotency_key = "k";
  c.request_hash = "h";
  auto replay = l->Submit(std::move(c));
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->response, answer);
  Command other = SetKey("z", 1);
  other.idempotency_key = "k";
  other.request_hash = "different";
  EXPECT_EQ(l->Submit(std::move(other)).status().code(), "idempotency_key_reused");

  EXPECT_EQ(l->Submit(SetKey("a", 5)).status().code(), "key_exists");
  auto next = l->Submit(SetKey("d", 4));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->first_seq, 5u);
  ASSERT_TRUE(l->Read([&](store::Transaction& tx) -> Status {
                 EXPECT_EQ(Count(tx, "SELECT value FROM kv WHERE key = 'b'"), 2);
                 EXPECT_EQ(Count(tx, "SELECT COUNT(*) FROM kv"), 4);
                 return Status::OK();
               }).ok());
}

TEST_P(LedgerTest, ACheckpointIsSignedWithinTheInterval) {
  auto l = MustOpen(50ms);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->LatestCheckpointNote(), "");
  ASSERT_TRUE(l->Submit(SetKey("a", 1)).ok());
  ASSERT_TRUE(WaitForCheckpoint(*l, 1)) << "no checkpoint within 5 s";

  auto cp = OpenNote(l->LatestCheckpointNote());
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->origin, LogName(kOrigin, kUlb));
  EXPECT_EQ(cp->origin, "palika/node-ledgertest/0152");
  EXPECT_EQ(cp->size, 1u);
  std::vector<Entry> entries;
  ASSERT_TRUE(l->Read([&](store::Transaction& tx) -> Status {
                 entries = Entries(tx);
                 return Status::OK();
               }).ok());
  EXPECT_EQ(cp->root, RootOf(entries));

  // Another key with the same name cannot vouch for it.
  auto stranger = GenerateSigner(LogName(kOrigin, kUlb));
  ASSERT_TRUE(stranger.ok());
  EXPECT_FALSE(OpenCheckpoint(l->LatestCheckpointNote(), stranger->Verifier()).ok());
  // Nor the node key under another log's name.
  auto other_log = LogVerifier(node_->Verifier(), LogName(kOrigin, "0153"));
  ASSERT_TRUE(other_log.ok());
  EXPECT_FALSE(OpenCheckpoint(l->LatestCheckpointNote(), *other_log).ok());

  // Later writes are covered by later checkpoints, without waiting for Close.
  ASSERT_TRUE(l->Submit(SetKey("b", 2)).ok());
  ASSERT_TRUE(l->Submit(SetKey("c", 3)).ok());
  ASSERT_TRUE(WaitForCheckpoint(*l, 3));
  auto db = Raw();
  ASSERT_TRUE(db);
  EXPECT_GE(Count(*db, "SELECT COUNT(*) FROM ledger_checkpoints"), 2);
}

TEST_P(LedgerTest, ACheckpointIsSignedOnClose) {
  auto l = MustOpen(1h);
  ASSERT_TRUE(l);
  for (const char* k : {"a", "b", "c"}) ASSERT_TRUE(l->Submit(SetKey(k, 1)).ok());
  EXPECT_EQ(l->LatestCheckpointNote(), "");  // the interval has not passed
  l->Close();
  l->Close();  // idempotent
  const std::string note = l->LatestCheckpointNote();
  auto cp = OpenNote(note);
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->size, 3u);

  auto refused = l->Submit(SetKey("d", 1));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().kind(), StatusKind::kUnavailable);
  EXPECT_EQ(refused.status().code(), "shutting_down");
  l.reset();

  auto reopened = MustOpen(1h, false);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->LatestCheckpointNote(), note);
  auto db = Raw();
  ASSERT_TRUE(db);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM ledger_checkpoints"), 1);
}

TEST_P(LedgerTest, OpenRefusesATamperedCheckpointNote) {
  MakeThreeEntries();
  auto db = Raw();
  ASSERT_TRUE(db);
  int64_t changes = 0;
  ASSERT_TRUE(db->Exec("UPDATE ledger_checkpoints SET note = replace(note, ?, ?)",
                       {std::string("\n3\n"), std::string("\n2\n")}, &changes)
                  .ok());
  ASSERT_EQ(changes, 1);
  db.reset();
  ExpectRefused("signature does not verify");
}

TEST_P(LedgerTest, OpenRefusesACheckpointSignedByAnotherKey) {
  MakeThreeEntries();
  auto db = Raw();
  ASSERT_TRUE(db);
  auto note = db->QueryOne("SELECT note FROM ledger_checkpoints");
  ASSERT_TRUE(note.ok() && *note);
  auto cp = ParseCheckpoint((*note)->Text(0).substr(0, (*note)->Text(0).find("\n\n") + 1));
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  auto forger = GenerateSigner(LogName(kOrigin, kUlb));
  ASSERT_TRUE(forger.ok());
  auto forged = SignCheckpoint(*cp, *forger);
  ASSERT_TRUE(forged.ok());
  ASSERT_TRUE(db->Exec("UPDATE ledger_checkpoints SET note = ?", {*forged}).ok());
  db.reset();
  ExpectRefused("signature does not verify");
}

TEST_P(LedgerTest, OpenRefusesADeletedEntry) {
  MakeThreeEntries();
  auto db = Raw();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Exec("DELETE FROM ledger_entries WHERE seq = 2").ok());
  db.reset();
  ExpectRefused("entries are missing");
}

TEST_P(LedgerTest, OpenRefusesACheckpointLargerThanTheEntries) {
  MakeThreeEntries();
  auto db = Raw();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Exec("DELETE FROM ledger_entries WHERE seq = 3").ok());
  db.reset();
  ExpectRefused("entries were removed");
}

TEST_P(LedgerTest, OpenRefusesALongUnsignedTailWithNoCheckpointLeft) {
  MakeThreeEntries();
  auto db = Raw();
  ASSERT_TRUE(db);
  // Entry 1 is two minutes older than the rest, and every checkpoint is gone: no crash leaves
  // that much unsigned.
  ASSERT_TRUE(
      db->Exec("UPDATE ledger_entries SET time_us = time_us - ? WHERE seq = 1", {2 * kMinuteUs})
          .ok());
  ASSERT_TRUE(db->Exec("DELETE FROM ledger_checkpoints").ok());
  db.reset();
  ExpectRefused("not covered by a signed checkpoint");
}

TEST_P(LedgerTest, OpenRefusesALongUnsignedTailAfterTheLastCheckpoint) {
  {
    auto l = MustOpen(50ms);
    ASSERT_TRUE(l);
    ASSERT_TRUE(l->Submit(SetKey("a", 1)).ok());
    ASSERT_TRUE(WaitForCheckpoint(*l, 1));
    ASSERT_TRUE(l->Submit(SetKey("b", 2)).ok());
    ASSERT_TRUE(l->Submit(SetKey("c", 3)).ok());
  }
  auto db = Raw();
  ASSERT_TRUE(db);
  // The entries after checkpoint 1 were written long after it, and the checkpoints covering
  // them were deleted.
  ASSERT_TRUE(
      db->Exec("UPDATE ledger_entries SET time_us = time_us + ? WHERE seq > 1", {2 * kMinuteUs})
          .ok());
  ASSERT_TRUE(db->Exec("DELETE FROM ledger_checkpoints WHERE size > 1").ok());
  ASSERT_EQ(Count(*db, "SELECT COUNT(*) FROM ledger_checkpoints"), 1);
  db.reset();
  ExpectRefused("not covered by a signed checkpoint");
}

TEST_P(LedgerTest, OpenRefusesAFileOfAnotherUlb) {
  MakeThreeEntries();
  LedgerOptions o = Options();
  o.ulb = "0153";
  auto signer = node_->WithName(LogName(kOrigin, "0153"));
  ASSERT_TRUE(signer.ok());
  NoteVerifier verifier = signer->Verifier();
  o.signer = &*signer;
  o.verifier = &verifier;
  auto l = Ledger::Open(o, false);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().kind(), StatusKind::kCorruption);
  EXPECT_NE(l.status().message().find("belongs to ULB 0152"), std::string::npos)
      << l.status().message();
}

TEST_P(LedgerTest, OpenWithoutCreateRefusesAMissingFile) {
  auto l = Ledger::Open(Options(), false);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().kind(), StatusKind::kNotFound);
  EXPECT_FALSE(fs::exists(file()));
  EXPECT_EQ(store::OpenDatabase(location(), {}).status().kind(), StatusKind::kNotFound);
}

TEST_P(LedgerTest, OpenSignsAShortUnsignedTailAfterACrash) {
  {
    auto l = MustOpen(50ms);
    ASSERT_TRUE(l);
    ASSERT_TRUE(l->Submit(SetKey("a", 1)).ok());
    ASSERT_TRUE(l->Submit(SetKey("b", 2)).ok());
    ASSERT_TRUE(WaitForCheckpoint(*l, 2));
    ASSERT_TRUE(l->Submit(SetKey("c", 3)).ok());
  }
  // A crash before the last checkpoint: the recent checkpoint is gone, and one more command was
  // committed (entry and projection row together) just before the power went.
  auto db = Raw();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Exec("DELETE FROM ledger_checkpoints WHERE size = 3").ok());
  ASSERT_EQ(Count(*db, "SELECT COUNT(*) FROM ledger_checkpoints WHERE size = 2"), 1);
  ASSERT_TRUE(db->BeginWrite().ok());
  ASSERT_TRUE(db->Exec("INSERT INTO ledger_entries(origin, seq, ulb, time_us, actor, type, "
                       "payload) VALUES (?, 4, ?, ?, 'usr_test', 'kv.set', ?)",
                       {std::string(kOrigin), std::string(kUlb), NowMicros(),
                        std::string(R"({"key":"d","value":4})")})
                  .ok());
  ASSERT_TRUE(db->Exec("INSERT INTO kv(key, value, seq) VALUES ('d', 4, 4)").ok());
  ASSERT_TRUE(db->Commit().ok());
  db.reset();

  auto l = MustOpen(1h, false);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->size(), 4u);
  auto cp = OpenNote(l->LatestCheckpointNote());
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->size, 4u);
  db = Raw();
  ASSERT_TRUE(db);
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM ledger_checkpoints WHERE size = 4"), 1);
  auto next = l->Submit(SetKey("e", 5));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->first_seq, 5u);
  l.reset();
  auto report = VerifyLedger(location(), kUlb, kOrigin, KvProjections(), node_->Verifier());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

TEST_P(LedgerTest, OpenSignsAFreshLedgerThatCrashedBeforeItsFirstCheckpoint) {
  MakeThreeEntries();
  auto db = Raw();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Exec("DELETE FROM ledger_checkpoints").ok());
  db.reset();
  auto l = MustOpen(1h, false);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->size(), 3u);
  auto cp = OpenNote(l->LatestCheckpointNote());
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->size, 3u);
}

TEST_P(LedgerTest, ReadDoesNotWaitForTheWriter) {
  auto l = MustOpen();
  ASSERT_TRUE(l);
  ASSERT_TRUE(l->Submit(SetKey("a", 1)).ok());
  Gate gate;
  // The writer is held inside a batch transaction that has written a row it will roll back.
  std::thread writer([&] {
    auto r = l->Submit(Decide([&](store::Transaction& tx, int64_t) -> Result<Decision> {
      PALIKA_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO kv(key, value, seq) VALUES ('uncommitted', 1, 0)"));
      gate.entered.set_value();
      gate.released.wait();
      return Status::Conflict("changed_mind", "rolled back");
    }));
    EXPECT_EQ(r.status().code(), "changed_mind");
  });
  gate.entered.get_future().wait();

  auto read = std::async(std::launch::async, [&] {
    int64_t n = -1;
    Status s = l->Read([&](store::Transaction& tx) -> Status {
      n = Count(tx, "SELECT COUNT(*) FROM kv");
      return Status::OK();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return n;
  });
  const bool done = read.wait_for(5s) == std::future_status::ready;
  gate.release.set_value();
  writer.join();
  ASSERT_TRUE(done) << "Read waited for the writer";
  EXPECT_EQ(read.get(), 1);  // only what was committed

  // A failing read function's status comes back, and the connection stays usable.
  Status s = l->Read([](store::Transaction&) { return Status::NotFound("nope", "not here"); });
  EXPECT_EQ(s.code(), "nope");
  s = l->Read([&](store::Transaction& tx) -> Status {
    EXPECT_EQ(Count(tx, "SELECT COUNT(*) FROM kv"), 1);
    // A reader cannot write.
    EXPECT_FALSE(tx.Exec("INSERT INTO kv(key, value, seq) VALUES ('r', 1, 0)").ok());
    return Status::OK();
  });
  EXPECT_TRUE(s.ok());
}

TEST_P(LedgerTest, ConcurrentReadersSeeCommittedState) {
  auto l = MustOpen();
  ASSERT_TRUE(l);
  std::atomic<bool> stop = false;
  std::atomic<int> bad = 0;
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      while (!stop) {
        Status s = l->Read([&](store::Transaction& tx) -> Status {
          // In any snapshot, every entry has its row: both were committed together.
          if (Count(tx, "SELECT COUNT(*) FROM kv") !=
              Count(tx, "SELECT COUNT(*) FROM ledger_entries"))
            ++bad;
          return Status::OK();
        });
        if (!s.ok()) ++bad;
      }
    });
  }
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(l->Submit(SetKey("k" + std::to_string(i), i)).ok());
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad, 0);
}

}  // namespace
}  // namespace palika::ledger

namespace palika::ledger {
namespace {

// A newer build's projections: the same "kv" table, plus a "kv_totals" table that the same
// "kv.set" events also fill (a report table added by an upgrade).
Projections MakeUpgradedProjections() {
  Projections upgraded;
  upgraded.AddTable("kv", MakeKvProjections().tables()[0].create_sql, "key");
  upgraded.AddTable("kv_totals",
                    "CREATE TABLE IF NOT EXISTS kv_totals(bucket INTEGER PRIMARY KEY,"
                    " total INTEGER NOT NULL)",
                    "bucket");
  upgraded.OnEvent("kv.set", [](store::Transaction& tx, const Entry& e) -> Status {
    auto o = json::parse(e.payload).as_object();
    const int64_t value = o.at("value").as_int64();
    PALIKA_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO kv(key, value, seq) VALUES (?, ?, ?)",
                {std::string(o.at("key").as_string()), value, static_cast<int64_t>(e.seq)}));
    return tx.Exec(
        "INSERT INTO kv_totals(bucket, total) VALUES (?, ?) "
        "ON CONFLICT (bucket) DO UPDATE SET total = kv_totals.total + excluded.total",
        {value % 2, value});
  });
  upgraded.OnEvent("kv.broken", [](store::Transaction&, const Entry&) -> Status {
    return Status::InvalidArgument("apply_refused", "this event never applies");
  });
  return upgraded;
}

// A table added by a newer build is filled from the entries already in the file when the ledger
// opens, so it agrees with the ledger (and verify) from the first moment, instead of starting
// empty.
TEST_P(LedgerTest, ATableAddedByAnUpgradeIsBuiltFromTheEntriesAlreadyThere) {
  {
    auto l = MustOpen();
    ASSERT_TRUE(l);
    for (int i = 1; i <= 5; ++i) ASSERT_TRUE(l->Submit(SetKey("k" + std::to_string(i), i)).ok());
    l->Close();
  }
  static const Projections upgraded = MakeUpgradedProjections();
  LedgerOptions o = Options();
  o.projections = &upgraded;
  auto l = Ledger::Open(o, false);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  ASSERT_TRUE((*l)->Submit(SetKey("k6", 6)).ok());
  std::vector<std::pair<int64_t, int64_t>> totals;
  ASSERT_TRUE((*l)->Read([&](store::Transaction& tx) {
                    return tx.ForEach("SELECT bucket, total FROM kv_totals ORDER BY bucket", {},
                                      [&](const store::Row& r) {
                                        totals.emplace_back(r.Int(0), r.Int(1));
                                        return true;
                                      });
                  })
                  .ok());
  // Odd 1+3+5, even 2+4 from before the upgrade, and 6 after it.
  EXPECT_EQ(totals, (std::vector<std::pair<int64_t, int64_t>>{{0, 12}, {1, 9}}));
  (*l)->Close();
  auto report = VerifyLedger(location(), kUlb, kOrigin, upgraded, node_->Verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems.front());
}

}  // namespace
}  // namespace palika::ledger

namespace palika::ledger {
namespace {

// Replication reads: entries after a size, closed by a stored checkpoint, never past it.
TEST_P(LedgerTest, ReadCheckpointedServesEntriesUpToAStoredCheckpoint) {
  MakeThreeEntries();
  auto l = MustOpen(1h, false);
  ASSERT_TRUE(l);
  ASSERT_TRUE(l->Submit(SetKey("d", 4)).ok());  // committed, not yet checkpointed
  auto all = l->ReadCheckpointed(0, 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->entries.size(), 3u);
  EXPECT_EQ(all->entries[0].seq, 1u);
  EXPECT_EQ(all->checkpoint_size, 3u);
  auto cp = OpenNote(all->checkpoint);
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->size, 3u);
  EXPECT_EQ(cp->root, RootOf(all->entries));
  // A limit smaller than the next checkpoint does not split it.
  auto small = l->ReadCheckpointed(1, 1);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->entries.size(), 2u);
  EXPECT_EQ(small->checkpoint_size, 3u);
  // Nothing checkpointed beyond 3 yet.
  auto none = l->ReadCheckpointed(3, 100);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->entries.empty());
  EXPECT_EQ(none->checkpoint, "");
}

TEST_P(LedgerTest, WaitForCheckpointWakesWhenOneIsStored) {
  auto l = MustOpen(20ms);
  ASSERT_TRUE(l);
  const auto started = std::chrono::steady_clock::now();
  std::thread writer([&] {
    std::this_thread::sleep_for(50ms);
    EXPECT_TRUE(l->Submit(SetKey("a", 1)).ok());
  });
  const uint64_t size = l->WaitForCheckpoint(0, started + 10s);
  writer.join();
  EXPECT_EQ(size, 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  // Nothing new: returns at the deadline with the same size.
  EXPECT_EQ(l->WaitForCheckpoint(1, std::chrono::steady_clock::now() + 50ms), 1u);
}

// Synchronous mode: Submit answers only once a backup host acked the command's entries; without
// one it fails after the timeout with the write recorded, and the retry with the same key
// returns the stored answer once a host holds it.
TEST_P(LedgerTest, SyncModeWaitsForABackupHost) {
  BackupAcks acks;
  acks.RequireSync(1, 300ms);
  auto options = Options(1h);
  options.backups = &acks;
  auto opened = Ledger::Open(options, true);
  ASSERT_TRUE(opened.ok());
  auto& l = **opened;
  const auto started = std::chrono::steady_clock::now();
  auto first = l.Submit(SetKey("a", 1));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), "backup_not_confirmed");
  EXPECT_EQ(l.size(), 1u) << "recorded, though not acknowledged";
  EXPECT_EQ(l.checkpointed_size(), 1u) << "sync mode checkpoints every batch";

  // A backup host that acks whatever is checkpointed.
  std::atomic<bool> stop = false;
  std::thread backup([&] {
    uint64_t held = 0;
    while (!stop) {
      held = l.WaitForCheckpoint(held, std::chrono::steady_clock::now() + 50ms);
      acks.Ack("backup-1", kUlb, held);
    }
  });
  auto keyed = l.Submit(Decide(
      [](store::Transaction&, int64_t) -> Result<Decision> {
        return Decision{{Event{"kv.set", {{"key", "k"}, {"value", 2}}}}, json::object{{"ok", 1}}};
      },
      "key-1", "hash-1"));
  ASSERT_TRUE(keyed.ok()) << keyed.status().ToString();
  auto replayed = l.Submit(Decide(
      [](store::Transaction&, int64_t) -> Result<Decision> { return Status::Internal("not run"); },
      "key-1", "hash-1"));
  ASSERT_TRUE(replayed.ok());
  EXPECT_TRUE(replayed->replayed);
  EXPECT_EQ(replayed->backup_seq, keyed->last_seq);
  stop = true;
  backup.join();
  auto lags = acks.Lags();
  ASSERT_EQ(lags.size(), 1u);
  EXPECT_EQ(lags[0].host, "backup-1");
  EXPECT_EQ(lags[0].held, l.size());
  EXPECT_EQ(lags[0].seconds, 0);
}

TEST_P(LedgerTest, SchemaVersionIsRecordedAndANewerOneIsRefused) {
  MakeThreeEntries();
  auto db = Raw();
  ASSERT_TRUE(db);
  EXPECT_EQ(Count(*db, "SELECT MAX(version) FROM schema_version"), LatestSchemaVersion());
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM schema_version"),
            static_cast<int64_t>(Migrations().size()));
  // Reopening runs nothing twice.
  db.reset();
  MustOpen(1h, false).reset();
  db = Raw();
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM schema_version"),
            static_cast<int64_t>(Migrations().size()));
  // A database written by a newer build is not touched by this one.
  ASSERT_TRUE(db->Exec("INSERT INTO schema_version(version, applied_us, description) VALUES "
                       "(?, 0, 'from the future')",
                       {LatestSchemaVersion() + 1})
                  .ok());
  db.reset();
  auto l = Ledger::Open(Options(), false);
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.status().message().find("newer than this build"), std::string::npos)
      << l.status().ToString();
}

// Migration 3 on a ledger made before it, on either engine: the day indexes of the journal and
// the payments (here on stand-in tables) are remade as this build defines them, once.
TEST_P(LedgerTest, MigrationThreeRemakesTheDayIndexes) {
  MakeThreeEntries();
  auto db = Raw();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->ExecScript("CREATE TABLE journal(voucher_no INTEGER PRIMARY KEY, date TEXT NOT"
                             " NULL, counter TEXT NOT NULL);"
                             " CREATE INDEX journal_by_date ON journal(date, counter);"
                             " CREATE TABLE payments(receipt_no TEXT PRIMARY KEY, date TEXT NOT"
                             " NULL, counter TEXT NOT NULL);"
                             " CREATE INDEX payments_by_date ON payments(date, counter);"
                             " DELETE FROM schema_version WHERE version >= 3")
                  .ok());
  const std::string index_sql =
      GetParam() == store::Engine::kPostgres
          ? "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ?"
          : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?";
  EXPECT_EQ(Count(*db, index_sql, {"journal_by_date"}), 1);
  db.reset();
  MustOpen(1h, false).reset();
  db = Raw();
  ASSERT_TRUE(db);
  EXPECT_EQ(Count(*db, "SELECT MAX(version) FROM schema_version"), LatestSchemaVersion());
  // KvProjections defines neither: dropped, and not made again here.
  EXPECT_EQ(Count(*db, index_sql, {"journal_by_date"}), 0);
  EXPECT_EQ(Count(*db, index_sql, {"payments_by_date"}), 0);
  ASSERT_TRUE(db->ExecScript("CREATE INDEX journal_by_date ON journal(date);"
                             " DELETE FROM schema_version WHERE version >= 3")
                  .ok());
  db.reset();
  MustOpen(1h, false).reset();
  db = Raw();
  ASSERT_TRUE(db);
  // An index already on (date) alone is left as it is.
  EXPECT_EQ(Count(*db, index_sql, {"journal_by_date"}), 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, LedgerTest,
                         testing::Values(store::Engine::kSqlite, store::Engine::kPostgres),
                         [](const testing::TestParamInfo<store::Engine>& info) {
                           return std::string(store::EngineName(info.param));
                         });

// What only PostgreSQL can do to a ledger: lose its connections while it runs.
class PostgresLedgerTest : public LedgerTest {
 protected:
  // Ends every connection of this test's ledger, as a server restart or a cut network would.
  void DropConnections() {
    auto admin = Raw();
    ASSERT_TRUE(admin);
    ASSERT_TRUE(admin
                    ->Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                           "application_name = ? AND pid <> pg_backend_pid()",
                           {"palika/" + pg_schema_})
                    .ok());
  }
};

TEST_P(PostgresLedgerTest, ALostConnectionFailsOnlyWhatWasInFlightAndTheLedgerCarriesOn) {
  auto l = MustOpen(50ms);
  ASSERT_TRUE(l);
  ASSERT_TRUE(l->Submit(SetKey("a", 1)).ok());
  ASSERT_TRUE(l->Read([](store::Transaction&) { return Status::OK(); }).ok());
  DropConnections();
  // The command in flight is refused as "try again shortly" (nothing of it was kept), or it
  // went through on a new connection; either way the next ones succeed without a restart.
  auto b = l->Submit(SetKey("b", 2));
  if (!b.ok()) {
    EXPECT_EQ(b.status().code(), "store_unavailable") << b.status().ToString();
    EXPECT_NE(b.status().message().find("Try again shortly"), std::string::npos);
    b = l->Submit(SetKey("b", 2));
  }
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  auto c = l->Submit(SetKey("c", 3));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->first_seq, b->last_seq + 1);
  // A pooled reader whose connection died is dropped; the next read gets a new one.
  Status read = l->Read([](store::Transaction& tx) { return tx.Exec("SELECT 1"); });
  if (!read.ok()) {
    EXPECT_EQ(read.code(), "store_unavailable");
    read = l->Read([](store::Transaction& tx) { return tx.Exec("SELECT 1"); });
  }
  EXPECT_TRUE(read.ok()) << read.ToString();
  ASSERT_TRUE(l->Read([&](store::Transaction& tx) -> Status {
                 EXPECT_EQ(Count(tx, "SELECT COUNT(*) FROM kv"), 3);
                 return Status::OK();
               }).ok());
  l->Close();
  auto report = VerifyLedger(location(), kUlb, kOrigin, KvProjections(), node_->Verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << report->problems.front();
  EXPECT_EQ(report->entries, 3u);
}

TEST_P(PostgresLedgerTest, VerifyCatchesARowEditedBehindThePalikasBack) {
  MakeThreeEntries();
  auto db = Raw();
  ASSERT_TRUE(db);
  // What someone with psql might do: change a projected value, and separately an entry.
  ASSERT_TRUE(db->Exec("UPDATE kv SET value = 99 WHERE key = 'b'").ok());
  auto report = VerifyLedger(location(), kUlb, kOrigin, KvProjections(), node_->Verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_FALSE(report->ok());
  EXPECT_NE(report->problems.front().find("column value is 99 but the ledger says 1"),
            std::string::npos)
      << report->problems.front();
  ASSERT_TRUE(db->Exec("UPDATE kv SET value = 1 WHERE key = 'b'").ok());
  ASSERT_TRUE(db->Exec("UPDATE ledger_entries SET actor = 'usr_mallory' WHERE seq = 2").ok());
  ASSERT_TRUE(db->ExecScript("CREATE TABLE shadow_copy(x INTEGER)").ok());
  report = VerifyLedger(location(), kUlb, kOrigin, KvProjections(), node_->Verifier());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::string all;
  for (const auto& p : report->problems) all += p + "\n";
  EXPECT_NE(all.find("table 'shadow_copy' is not part of Palika's schema"), std::string::npos)
      << all;
  EXPECT_NE(all.find("does not match the entries"), std::string::npos) << all;
  // Verify leaves nothing behind: no scratch schema survives it.
  EXPECT_EQ(Count(*db, "SELECT COUNT(*) FROM pg_namespace WHERE nspname LIKE 'scratch_%'"), 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, PostgresLedgerTest, testing::Values(store::Engine::kPostgres),
                         [](const testing::TestParamInfo<store::Engine>& info) {
                           return std::string(store::EngineName(info.param));
                         });

}  // namespace
}  // namespace palika::ledger
