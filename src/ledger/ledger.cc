#include "ledger/ledger.h"

#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <time.h>

#include "core/check.h"
#include "core/encoding.h"
#include "core/json.h"
#include "ledger/migrations.h"

namespace palika::ledger {
namespace json = boost::json;
namespace {

constexpr char kIdempotencyEvent[] = "command.idempotency";
// Idle read connections kept per ledger; reads beyond the pool still run, each on a connection of
// its own. A PostgreSQL reader kept here holds no server connection between reads (those are the
// cluster's shared, bounded ones: store/postgres/database.h), only its schema.
constexpr size_t kMaxReaders = 8;
constexpr int kMaxBatchRetries = 3;
// Commits the writer may have handed to the sync thread and not yet seen published (SQLite):
// one syncing and one more beside it.
constexpr int kMaxUnsyncedCommits = 2;
// Past this many times `wal_checkpoint_pages` the writer checkpoints the WAL itself.
constexpr uint64_t kWalHardLimitFactor = 10;

// How far past the last checkpoint unsigned entries may reach after a crash (see Initialise).
constexpr int64_t kMaxUnsignedTailUs = 60LL * 1000 * 1000;

// For top -H and /proc/PID/task/*/comm (at most 15 characters).
void NameThread(std::thread& thread, const std::string& name) {
  (void)pthread_setname_np(thread.native_handle(), name.substr(0, 15).c_str());
}

// The calling thread's CPU time (user + system).
double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// Adds the wall time since `since` to the ULB's counter `metric` (the writer's and the sync's
// waits, which the payment benchmark prints a payment).
void CountWait(const LedgerOptions& options, std::string_view metric,
               std::chrono::steady_clock::time_point since) {
  if (!options.metrics) return;
  options.metrics->Increment(
      metric, {{"ulb", options.ulb}},
      std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count());
}

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Projections MakeLedgerTables() {
  Projections p;
  // The log itself. Entries are never updated or deleted; a correction is a new entry.
  p.AddTable("ledger_entries",
             "CREATE TABLE IF NOT EXISTS ledger_entries("
             " origin TEXT NOT NULL, seq INTEGER NOT NULL, ulb TEXT NOT NULL,"
             " time_us INTEGER NOT NULL, actor TEXT NOT NULL, type TEXT NOT NULL,"
             " payload TEXT NOT NULL, PRIMARY KEY (origin, seq))",
             "origin, seq");
  // Signed checkpoints, each with the compact Merkle range at its size (so the tree can be
  // extended after a restart without rehashing the whole log). Verified by signature and by
  // recomputing the tree, not by replay.
  p.AddTable("ledger_checkpoints",
             "CREATE TABLE IF NOT EXISTS ledger_checkpoints("
             " origin TEXT NOT NULL, size INTEGER NOT NULL, time_us INTEGER NOT NULL,"
             " note TEXT NOT NULL, tree BLOB NOT NULL, PRIMARY KEY (origin, size))",
             "origin, size");
  // A rowid table beside its key's index, on purpose: the client's key is random, so each command
  // dirties a leaf of the key's B-tree, and the narrow index entries (key and rowid) split a leaf
  // less often than whole rows would (WITHOUT ROWID measured ~8 more WAL pages a commit of ~23
  // payments); the rows themselves append.
  p.AddTable("idempotency_keys",
             "CREATE TABLE IF NOT EXISTS idempotency_keys("
             " key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, response TEXT NOT NULL,"
             " seq INTEGER NOT NULL)",
             "key");
  p.OnEventObject(
      kIdempotencyEvent,
      [](store::Transaction& tx, const Entry& e, const json::object& v) -> Status {
        return tx.Exec(
            "INSERT INTO idempotency_keys(key, request_hash, response, seq) VALUES (?, ?, ?, ?)",
            {std::string(v.at("key").as_string()), std::string(v.at("request_hash").as_string()),
             CanonicalJson(v.at("response")).value(), static_cast<int64_t>(e.seq)});
      });
  return p;
}

}  // namespace

std::string LogName(const std::string& origin, const std::string& ulb) {
  return "palika/" + origin + "/" + ulb;
}

const Projections& LedgerTables() {
  static const Projections tables = MakeLedgerTables();
  return tables;
}

Status ApplyEntry(const Projections& projections, store::Transaction& tx, const Entry& e,
                  const json::object* payload) {
  if (e.type == kIdempotencyEvent) return LedgerTables().Apply(tx, e, payload);
  return projections.Apply(tx, e, payload);
}

Ledger::Ledger(const LedgerOptions& options)
    : options_(options), log_name_(LogName(options.origin, options.ulb)) {
  PALIKA_ASSERT(options_.signer && options_.verifier && options_.projections);
}

Ledger::~Ledger() { Close(); }

Result<std::unique_ptr<Ledger>> Ledger::Open(const LedgerOptions& options, bool create) {
  std::unique_ptr<Ledger> ledger(new Ledger(options));
  PALIKA_RETURN_IF_ERROR(ledger->Initialise(create));
  // Opened lazily from here on: a ULB that takes no payments holds no PostgreSQL connection.
  ledger->writer_db_->Disconnect();
  ledger->writer_idle_ = true;
  // SQLite's COMMIT leaves the WAL unsynced (store/database.h, SyncCommitted): a thread beside
  // the writer syncs it while the writer goes on. PostgreSQL's COMMIT is durable: no thread.
  if (options.location.engine == store::Engine::kSqlite) {
    ledger->syncer_ = std::thread([l = ledger.get()] { l->SyncLoop(); });
    NameThread(ledger->syncer_, "sync-" + options.ulb);
  }
  ledger->writer_ = std::thread([l = ledger.get()] { l->WriterLoop(); });
  NameThread(ledger->writer_, "writer-" + options.ulb);
  // SQLite's WAL is checkpointed off the writer (KeepWalBounded).
  if (options.location.engine == store::Engine::kSqlite) {
    ledger->wal_checkpointer_ = std::thread([l = ledger.get()] { l->WalCheckpointLoop(); });
    NameThread(ledger->wal_checkpointer_, "walckpt-" + options.ulb);
  }
  return ledger;
}

namespace {

// Fills record tables that this build adds to an existing ledger file (a new service, a new
// report table) from the entries already in it: replays every entry into an empty in-memory copy
// of the schema with the one apply path, then copies the new tables' rows across. Without this,
// a table added by an upgrade would start empty, disagree with the ledger, and fail verify.
// Runs inside the caller's transaction, once per new table.
Status BuildNewTables(store::Database& db, const store::Location& location,
                      const Projections& projections, const std::vector<std::string>& tables,
                      const std::string& where) {
  PALIKA_ASSIGN_OR_RETURN(auto scratch, store::OpenScratch(location));
  PALIKA_RETURN_IF_ERROR(LedgerTables().CreateSchema(*scratch));
  PALIKA_RETURN_IF_ERROR(projections.CreateSchema(*scratch));
  PALIKA_RETURN_IF_ERROR(projections.BeginBulkReplay(*scratch));  // only record tables are copied
  PALIKA_RETURN_IF_ERROR(scratch->BeginWrite());
  uint64_t replayed = 0;
  Status applied = Status::OK();
  PALIKA_RETURN_IF_ERROR(db.ForEach(
      "SELECT origin, seq, ulb, time_us, actor, type, payload FROM ledger_entries "
      "ORDER BY origin, seq",
      {}, [&](const store::Row& r) {
        Entry e{r.Text(2), r.Text(0), static_cast<uint64_t>(r.Int(1)), r.Int(3), r.Text(4),
                r.Text(5), r.Text(6)};
        applied = ApplyEntry(projections, *scratch, e);
        ++replayed;
        return applied.ok();
      }));
  if (!applied.ok()) {
    return Status::Corruption(fmt::format("{}: cannot build the new tables from the ledger: {}",
                                          where, applied.message()));
  }
  for (const auto& table : tables) {
    uint64_t rows = 0;
    Status copied = Status::OK();
    PALIKA_RETURN_IF_ERROR(scratch->ForEach("SELECT * FROM " + table, {}, [&](const store::Row& r) {
      std::string marks;
      for (size_t i = 0; i < r.size(); ++i) marks += i ? ", ?" : "?";
      copied = db.Exec("INSERT INTO " + table + " VALUES (" + marks + ")", r.values());
      ++rows;
      return copied.ok();
    }));
    PALIKA_RETURN_IF_ERROR(copied);
    spdlog::info("{}: built the new table {} from {} ledger entries ({} rows)", where, table,
                 replayed, rows);
  }
  return scratch->Rollback();
}

}  // namespace

Status Ledger::Initialise(bool create) {
  store::OpenOptions open;
  open.create = create;
  open.deferred_sync = true;
  open.manual_wal_checkpoint = true;
  PALIKA_ASSIGN_OR_RETURN(writer_db_, store::OpenDatabase(options_.location, open));
  auto& db = *writer_db_;
  const std::string where = fmt::format("ledger {} ({})", options_.ulb, db.Describe());
  const std::string investigate = fmt::format(
      " Do not serve this ULB until it is understood: run `palika verify --data DIR --ulb {}` for "
      "a full report, and restore from backup if it confirms tampering.",
      options_.ulb);

  PALIKA_RETURN_IF_ERROR(db.BeginWrite());
  Status s = [&]() -> Status {
    PALIKA_RETURN_IF_ERROR(db.ExecScript(
        "CREATE TABLE IF NOT EXISTS ledger_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"));
    PALIKA_RETURN_IF_ERROR(Migrate(db, WallMicros(), where));
    // Record tables this file does not have yet (added by a newer build).
    std::vector<std::string> new_tables;
    for (const auto& t : options_.projections->tables()) {
      PALIKA_ASSIGN_OR_RETURN(bool found, db.TableExists(t.name));
      if (!found) new_tables.push_back(t.name);
    }
    PALIKA_ASSIGN_OR_RETURN(bool had_ledger, db.TableExists("ledger_entries"));
    PALIKA_RETURN_IF_ERROR(LedgerTables().CreateSchema(db));
    PALIKA_RETURN_IF_ERROR(options_.projections->CreateSchema(db));
    if (had_ledger && !new_tables.empty()) {
      PALIKA_ASSIGN_OR_RETURN(auto any, db.QueryOne("SELECT 1 FROM ledger_entries LIMIT 1"));
      if (any) {
        PALIKA_RETURN_IF_ERROR(
            BuildNewTables(db, options_.location, *options_.projections, new_tables, where));
      }
    }
    PALIKA_ASSIGN_OR_RETURN(auto meta,
                            db.QueryOne("SELECT value FROM ledger_meta WHERE key = 'ulb'"));
    if (!meta) {
      PALIKA_RETURN_IF_ERROR(
          db.Exec("INSERT INTO ledger_meta(key, value) VALUES ('ulb', ?), ('encoding', ?)",
                  {options_.ulb, std::to_string(kEntryEncodingVersion)}));
    } else if (meta->Text(0) != options_.ulb) {
      return Status::Corruption(
          fmt::format("{} belongs to ULB {}, not {}.", where, meta->Text(0), options_.ulb));
    }
    return Status::OK();
  }();
  if (!s.ok()) {
    (void)db.Rollback();
    return s;
  }
  PALIKA_RETURN_IF_ERROR(db.Commit());
  // After a kill -9 the WAL may hold committed frames that only the page cache has (nobody was
  // answered for them): make them durable before anything is signed or served on top of them.
  PALIKA_RETURN_IF_ERROR(db.SyncCommitted());
  // A long WAL (a schema migration rewrites whole tables; a kill -9 leaves what was not yet
  // copied) is copied into the database file here, before anyone waits on the writer: else the
  // first command would wait for it (a migrated million-property ULB: ~1.2 s). Whatever the WAL
  // holds: a WAL left by a crash was written by no commit of this connection, so its pages are
  // known only from the checkpoint. An empty WAL costs nothing (no page copied, no sync).
  {
    Result<store::WalCheckpoint> r = db.CheckpointWal();
    if (!r.ok()) return r.status();
    if (!r->busy) {
      // The writer's first look then finds this WAL copied, not a checkpointer behind; and once
      // it starts over (at the first transaction), a WAL smaller than this one.
      wal_seen_ = r->frames;
      wal_backfilled_ = r->backfilled;
    }
    if (r->frames >= std::max<uint64_t>(options_.wal_checkpoint_pages, 8)) {
      spdlog::info("{}: copied the WAL's {} pages into the database file at open", where,
                   r->frames);
    }
  }
  return LoadState();
}

Status Ledger::LoadState() {
  auto& db = *writer_db_;
  const std::string where = fmt::format("ledger {} ({})", options_.ulb, db.Describe());
  const std::string investigate = fmt::format(
      " Do not serve this ULB until it is understood: run `palika verify --data DIR --ulb {}` for "
      "a full report, and restore from backup if it confirms tampering.",
      options_.ulb);
  tree_ = CompactRange();
  checkpointed_size_ = 0;

  // Quick check: gapless entries, last checkpoint signed by this node, its tree extends to now.
  PALIKA_ASSIGN_OR_RETURN(auto counts,
                          db.QueryOne("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM ledger_entries "
                                      "WHERE origin = ?",
                                      {options_.origin}));
  const uint64_t n = static_cast<uint64_t>(counts->Int(1));
  if (static_cast<uint64_t>(counts->Int(0)) != n) {
    return Status::Corruption(
        fmt::format("{}: {} entries but the last is number {}; entries are "
                    "missing.{}",
                    where, counts->Int(0), n, investigate));
  }
  PALIKA_ASSIGN_OR_RETURN(auto last_cp,
                          db.QueryOne("SELECT size, note, tree, time_us FROM ledger_checkpoints "
                                      "WHERE origin = ? "
                                      "ORDER BY size DESC LIMIT 1",
                                      {options_.origin}));
  if (last_cp) {
    auto cp = OpenCheckpoint(last_cp->Text(1), *options_.verifier);
    if (!cp.ok()) {
      return Status::Corruption(
          fmt::format("{}: the last checkpoint's signature does not verify "
                      "({}).{}",
                      where, cp.status().message(), investigate));
    }
    auto range = CompactRange::Deserialize(last_cp->Text(2));
    if (cp->origin != log_name_ || cp->size != static_cast<uint64_t>(last_cp->Int(0)) ||
        !range.ok() || range->size() != cp->size || range->Root() != cp->root) {
      return Status::Corruption(
          fmt::format("{}: the last checkpoint (size {}) does not match its stored tree.{}", where,
                      last_cp->Int(0), investigate));
    }
    if (cp->size > n) {
      return Status::Corruption(
          fmt::format("{}: the last checkpoint covers {} entries but only {} "
                      "are present; entries were removed.{}",
                      where, cp->size, n, investigate));
    }
    tree_ = std::move(range).value();
    checkpointed_size_ = cp->size;
    std::lock_guard lk(mu_);
    latest_note_ = last_cp->Text(1);
    latest_size_ = cp->size;
  }
  // The writer signs a checkpoint at least every interval, so unsigned entries can only be the
  // last moments before a crash. A longer unsigned tail means checkpoints were deleted or entries
  // forged: signing them now would launder the forgery.
  const int64_t cp_time = last_cp ? last_cp->Int(3) : -1;
  int64_t tail_first = -1;
  int64_t tail_last = -1;
  // Entries after the last checkpoint (at most about one checkpoint interval after a crash).
  Status tail = db.ForEach(
      "SELECT origin, seq, ulb, time_us, actor, type, payload FROM ledger_entries "
      "WHERE origin = ? AND seq > ? ORDER BY seq",
      {options_.origin, static_cast<int64_t>(tree_.size())}, [&](const store::Row& r) {
        Entry e{r.Text(2), r.Text(0), static_cast<uint64_t>(r.Int(1)), r.Int(3), r.Text(4),
                r.Text(5), r.Text(6)};
        tree_.Append(LeafHash(EncodeEntry(e)));
        if (tail_first < 0) tail_first = e.time_us;
        tail_last = std::max(tail_last, e.time_us);
        return true;
      });
  PALIKA_RETURN_IF_ERROR(tail);
  const int64_t base = cp_time >= 0 ? cp_time : tail_first;
  last_time_us_ = std::max(last_time_us_, tail_last);
  if (tail_first >= 0 && tail_last - base > kMaxUnsignedTailUs) {
    return Status::Corruption(fmt::format(
        "{}: entries {} to {} are not covered by a signed checkpoint and span more than a crash "
        "can explain; checkpoints were deleted or entries added by hand.{}",
        where, checkpointed_size_ + 1, n, investigate));
  }
  PALIKA_ASSERT(tree_.size() == n);
  next_seq_ = n + 1;
  {
    std::lock_guard lk(mu_);
    committed_size_ = n;
  }
  if (tree_.size() > checkpointed_size_) {
    // Recover after a crash: sign what the last commit made durable.
    PALIKA_RETURN_IF_ERROR(db.BeginWrite());
    auto note = WriteCheckpoint(NextTime());
    Status c = note.ok() ? db.Commit() : note.status();
    if (!c.ok()) {
      (void)db.Rollback();
      return c;
    }
    PALIKA_RETURN_IF_ERROR(db.SyncCommitted());
    checkpointed_size_ = tree_.size();
    CheckpointStored(tree_.size(), *note);
  }
  last_checkpoint_ = std::chrono::steady_clock::now();
  if (options_.backups) options_.backups->Committed(options_.ulb, n);
  if (options_.metrics) {
    options_.metrics->Set("palika_ledger_entries", {{"ulb", options_.ulb}}, static_cast<double>(n));
  }
  return Status::OK();
}

int64_t Ledger::NextTime() {
  last_time_us_ = std::max(last_time_us_, WallMicros());
  return last_time_us_;
}

Result<std::string> Ledger::WriteCheckpoint(int64_t now_us) {
  Checkpoint cp{log_name_, tree_.size(), tree_.Root(), {}};
  PALIKA_ASSIGN_OR_RETURN(std::string note, SignCheckpoint(cp, *options_.signer));
  PALIKA_RETURN_IF_ERROR(writer_db_->Exec(
      "INSERT INTO ledger_checkpoints(origin, size, time_us, note, tree) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (origin, size) DO NOTHING",
      {options_.origin, static_cast<int64_t>(cp.size), now_us, note,
       store::Blob{tree_.Serialize()}}));
  return note;
}

Result<CommitResult> Ledger::Submit(Command command) {
  std::promise<Result<CommitResult>> promise;
  auto future = promise.get_future();
  Enqueue(std::move(command),
          [&promise](Result<CommitResult> result) { promise.set_value(std::move(result)); });
  Result<CommitResult> result = future.get();
  // Synchronous mode: durable here is not enough; the answer waits for the backups. Outside the
  // writer thread, so other commands keep committing meanwhile.
  if (result.ok() && SyncMode()) {
    PALIKA_RETURN_IF_ERROR(options_.backups->WaitForSync(options_.ulb, result->backup_seq));
  }
  return result;
}

void Ledger::Submit(Command command, Done done) {
  // The wait for the backups blocks: it stays on the caller's thread.
  if (SyncMode()) return done(Submit(std::move(command)));
  Enqueue(std::move(command), std::move(done));
}

void Ledger::Enqueue(Command command, Done done) {
  auto pending = std::make_unique<Pending>();
  pending->command = std::move(command);
  pending->done = std::move(done);
  Status refused;
  {
    std::lock_guard lk(mu_);
    if (!halted_.ok()) {
      refused = halted_;
    } else if (stopping_) {
      refused =
          Status::Unavailable("shutting_down",
                              "The server is shutting down; nothing was saved. Try again "
                              "in a minute.",
                              "सर्वर बंद हो रहा है; कुछ भी सहेजा नहीं गया। एक मिनट बाद पुनः प्रयास करें।");
    } else {
      queue_.push_back(std::move(pending));
    }
  }
  if (!refused.ok()) {
    pending->done(refused);
    return;
  }
  cv_.notify_one();
}

void Ledger::WriterLoop() {
  for (;;) {
    // At most one commit ahead of the sync: while it runs, commands queue up into the next batch
    // instead of going out as many small commits that each rewrite the same pages into the WAL.
    if (syncer_.joinable()) {
      std::unique_lock lk(sync_mu_);
      if (in_sync_ >= kMaxUnsyncedCommits) {
        const auto waited = std::chrono::steady_clock::now();
        synced_cv_.wait(lk, [&] { return in_sync_ < kMaxUnsyncedCommits; });
        CountWait(options_, "palika_ledger_writer_sync_wait_seconds_total", waited);
      }
    }
    std::vector<std::unique_ptr<Pending>> batch;
    bool stop = false;
    {
      std::unique_lock lk(mu_);
      auto ready = [&] { return !queue_.empty() || stopping_; };
      if (!ready()) {
        const bool pending = tree_.size() > checkpointed_size_;
        // On PostgreSQL an idle writer hands its connection back to the cluster's shared ones.
        const bool hold = !writer_idle_ && options_.location.engine == store::Engine::kPostgres;
        const auto waited = std::chrono::steady_clock::now();
        if (!pending && !hold) {
          cv_.wait(lk, ready);
          CountWait(options_, "palika_ledger_writer_idle_seconds_total", waited);
        } else {
          auto wake = std::chrono::steady_clock::time_point::max();
          if (pending) wake = last_checkpoint_ + CheckpointInterval();
          const auto idle_at = last_write_ + options_.idle_disconnect;
          if (hold) wake = std::min(wake, idle_at);
          const bool woken = cv_.wait_until(lk, wake, ready);
          CountWait(options_, "palika_ledger_writer_idle_seconds_total", waited);
          if (!woken && hold && std::chrono::steady_clock::now() >= idle_at) {
            lk.unlock();
            writer_db_->Disconnect();
            writer_idle_ = true;
            continue;
          }
        }
      }
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      stop = stopping_ && queue_.empty();
    }
    if (!batch.empty()) {
      writer_idle_ = false;
      last_write_ = std::chrono::steady_clock::now();
      CommitBatch(batch);
    }
    bool due = std::chrono::steady_clock::now() - last_checkpoint_ >= CheckpointInterval();
    if (tree_.size() > checkpointed_size_ && (due || stop)) {
      // A halted ledger signs nothing more: its last batches may not be on disk.
      Status s = Halted();
      const bool halted = !s.ok();
      // After a lost connection, LoadState reads the tree back (and signs what it finds).
      if (s.ok() && reload_) {
        s = LoadState();
        if (s.ok()) reload_ = false;
      }
      if (s.ok() && tree_.size() > checkpointed_size_) {
        writer_idle_ = false;
        last_write_ = std::chrono::steady_clock::now();
        KeepWalBounded();
        s = Halted();
        if (s.ok()) s = writer_db_->BeginWrite();
        Result<std::string> note = s.ok() ? WriteCheckpoint(NextTime()) : Result<std::string>(s);
        if (note.ok()) s = writer_db_->Commit();
        if (note.ok() && s.ok()) {
          checkpointed_size_ = tree_.size();
          AfterCommit(Unsynced{{}, {}, tree_.size(), *note});
        } else {
          if (writer_db_->InTransaction()) (void)writer_db_->Rollback();
          s = note.ok() ? s : note.status();
        }
      }
      if (!s.ok() && !halted) {
        if (s.code() == "store_unavailable") reload_ = true;
        spdlog::error("ledger {}: cannot write checkpoint: {}", options_.ulb, s.ToString());
      }
      last_checkpoint_ = std::chrono::steady_clock::now();  // on failure: retry after an interval
    }
    if (stop) return;
  }
}

void Ledger::CommitBatch(std::vector<std::unique_ptr<Pending>>& batch, int attempt) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<Result<CommitResult>> results;
  results.reserve(batch.size());
  // A halted ledger (a sync failed) commits nothing more.
  Status s = Halted();
  // A lost connection left it unknown whether the last COMMIT went through: read the tree and
  // the next seq back from the store before deciding anything on top of it.
  if (s.ok() && reload_) {
    s = LoadState();
    if (s.ok()) reload_ = false;
  }
  const CompactRange batch_tree = tree_;
  const uint64_t batch_seq = next_seq_;

  if (s.ok()) {
    KeepWalBounded();
    s = Halted();  // a failed sync in a checkpoint halts too
  }
  if (s.ok()) s = writer_db_->BeginWrite();
  if (s.ok()) {
    for (auto& p : batch) {
      const CompactRange saved_tree = tree_;
      const uint64_t saved_seq = next_seq_;
      Status sp = writer_db_->Savepoint("cmd");
      Result<CommitResult> r =
          sp.ok() ? RunCommand(p->command, NextTime()) : Result<CommitResult>(sp);
      if (r.ok()) {
        sp = writer_db_->ReleaseSavepoint("cmd");
        if (!sp.ok()) r = sp;
      }
      if (!r.ok()) {
        (void)writer_db_->RollbackToSavepoint("cmd");
        tree_ = saved_tree;
        next_seq_ = saved_seq;
        // After some failures mid-statement (a full disk, say, when a full page cache spills to
        // the WAL) SQLite rolls back the whole transaction: the commands before this
        // one are gone too, and a later SAVEPOINT would open a transaction of its own. The batch
        // fails as a whole.
        if (!writer_db_->InTransaction()) {
          s = r.status();
          results.push_back(std::move(r));
          break;
        }
      }
      results.push_back(std::move(r));
    }
  }
  std::string note;
  const bool due = std::chrono::steady_clock::now() - last_checkpoint_ >= CheckpointInterval();
  if (s.ok() && due && tree_.size() > checkpointed_size_) {
    auto n = WriteCheckpoint(NextTime());
    if (n.ok())
      note = *n;
    else
      s = n.status();
  }
  if (s.ok()) s = writer_db_->Commit();
  if (!s.ok()) {
    // Nothing of this batch is durable: undo the in-memory tree and answer every command.
    if (writer_db_->InTransaction()) (void)writer_db_->Rollback();
    tree_ = batch_tree;
    next_seq_ = batch_seq;
    if (s.code() == "store_unavailable") reload_ = true;
    // PostgreSQL may refuse a transaction that raced another (serialization failure, deadlock):
    // nothing of it is kept, so the batch runs again, decide and all.
    if (s.code() == "store_retry" && attempt < kMaxBatchRetries) {
      spdlog::warn("ledger {}: batch of {} commands retried: {}", options_.ulb, batch.size(),
                   s.ToString());
      return CommitBatch(batch, attempt + 1);
    }
    spdlog::error("ledger {}: batch of {} commands not committed: {}", options_.ulb, batch.size(),
                  s.ToString());
    Status failure = s.kind() == StatusKind::kUnavailable
                         ? s
                         : Status::Unavailable("storage_error",
                                               "The record could not be saved; nothing was "
                                               "changed. Try again; if it persists, tell the "
                                               "system administrator.",
                                               "रिकॉर्ड सहेजा नहीं जा सका; कुछ भी नहीं बदला। पुनः "
                                               "प्रयास करें; समस्या बनी रहे तो सिस्टम प्रशासक को "
                                               "बताएँ।");
    results.assign(batch.size(), Result<CommitResult>(failure));
  } else if (!note.empty()) {
    checkpointed_size_ = tree_.size();
    last_checkpoint_ = std::chrono::steady_clock::now();
  }
  if (options_.metrics) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    options_.metrics->Increment("palika_ledger_commits_total", {{"ulb", options_.ulb}}, 1);
    options_.metrics->Observe("palika_ledger_batch_size", {}, static_cast<double>(batch.size()));
    options_.metrics->Observe("palika_ledger_commit_seconds", {}, seconds);
    options_.metrics->Increment("palika_ledger_commit_seconds_total", {{"ulb", options_.ulb}},
                                seconds);
  }
  if (!s.ok()) {
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->done(std::move(results[i]));
    return;
  }
  // Committed, not yet durable: the answers wait for the sync.
  AfterCommit(Unsynced{std::move(batch), std::move(results), tree_.size(), std::move(note)});
}

void Ledger::AfterCommit(Unsynced work) {
  if (syncer_.joinable()) {
    {
      std::lock_guard lk(sync_mu_);
      unsynced_.push_back(std::move(work));
      ++in_sync_;
    }
    sync_cv_.notify_one();
    return;
  }
  Status s = Halted();
  if (s.ok()) {
    Status synced = writer_db_->SyncCommitted();  // PostgreSQL: OK at once
    if (!synced.ok()) s = Halt(synced);
  }
  if (s.ok()) {
    Publish(work);
  } else {
    for (auto& p : work.batch) p->done(s);
  }
}

void Ledger::SyncLoop() {
  for (;;) {
    std::deque<Unsynced> work;
    {
      std::unique_lock lk(sync_mu_);
      sync_cv_.wait(lk, [&] { return !unsynced_.empty() || sync_stopping_; });
      if (unsynced_.empty()) return;  // stopping, and everything handed over is answered
      work.swap(unsynced_);
    }
    // One sync for every transaction committed since the last: it covers all their WAL frames,
    // each written before its COMMIT returned and so before it was handed over.
    const auto started = std::chrono::steady_clock::now();
    Status s = Halted();
    if (s.ok()) {
      Status synced = writer_db_->SyncCommitted();
      if (!synced.ok()) s = Halt(synced);
    }
    if (options_.metrics && s.ok()) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      options_.metrics->Observe("palika_ledger_sync_seconds", {}, seconds);
      options_.metrics->Increment("palika_ledger_sync_seconds_total", {{"ulb", options_.ulb}},
                                  seconds);
    }
    for (auto& w : work) {
      if (s.ok()) {
        Publish(w);
      } else {
        for (auto& p : w.batch) p->done(s);
      }
    }
    {
      std::lock_guard lk(sync_mu_);
      in_sync_ -= static_cast<int>(work.size());
    }
    synced_cv_.notify_all();
  }
}

void Ledger::Publish(Unsynced& work) {
  {
    std::lock_guard lk(mu_);
    committed_size_ = std::max(committed_size_, work.size);
  }
  if (options_.backups) options_.backups->Committed(options_.ulb, work.size);
  if (options_.metrics) {
    options_.metrics->Set("palika_ledger_entries", {{"ulb", options_.ulb}},
                          static_cast<double>(work.size));
  }
  if (!work.note.empty()) CheckpointStored(work.size, std::move(work.note));
  for (size_t i = 0; i < work.batch.size(); ++i) {
    work.batch[i]->done(std::move(work.results[i]));
  }
}

Status Ledger::Halt(const Status& cause) {
  Status halted = Status::Unavailable(
      "storage_sync_failed",
      "The server's storage failed while saving this record, so it may or may not have been "
      "kept. This ULB takes no more changes until the system administrator has checked the disk "
      "and restarted the server; then retry with the same Idempotency-Key.",
      "सहेजते समय सर्वर का भंडारण विफल हो गया, इसलिए यह रिकॉर्ड रखा गया हो भी सकता है और नहीं भी। "
      "सिस्टम प्रशासक के डिस्क जाँचकर सर्वर पुनः आरंभ करने तक यह निकाय कोई बदलाव नहीं लेगा; उसके बाद "
      "उसी Idempotency-Key से पुनः प्रयास करें।");
  bool first = false;
  {
    std::lock_guard lk(mu_);
    if (halted_.ok()) {
      halted_ = halted;
      first = true;
    }
    halted = halted_;
  }
  if (first) {
    spdlog::critical(
        "ledger {}: syncing the WAL failed ({}); its last batches may not be on disk. This ledger "
        "takes no more writes: check the disk, then restart the server (the sync is not retried).",
        options_.ulb, cause.ToString());
    if (options_.metrics) options_.metrics->Set("palika_ledger_halted", {{"ulb", options_.ulb}}, 1);
  }
  return halted;
}

Status Ledger::Halted() const {
  std::lock_guard lk(mu_);
  return halted_;
}

void Ledger::KeepWalBounded() {
  if (!wal_checkpointer_.joinable()) return;
  const uint64_t frames = writer_db_->WalFrames();
  if (frames < wal_seen_) {
    // The WAL started over (SQLite does so when a transaction begins with all of it copied).
    wal_backfilled_ = 0;
    wal_requested_at_ = 0;
    wal_caught_up_at_ = 0;
    if (wal_over_limit_) {
      wal_over_limit_ = false;
      spdlog::info("ledger {}: the WAL was copied into the database file and starts over",
                   options_.ulb);
      if (options_.metrics) {
        options_.metrics->Set("palika_ledger_wal_over_limit", {{"ulb", options_.ulb}}, 0);
      }
    }
  }
  // Pages the last transaction added (about one batch's: the catch-up below copies one or two).
  if (frames > wal_seen_) wal_last_commit_ = frames - wal_seen_;
  // Frames appended since the last look: after a restart the WAL holds only new ones.
  const uint64_t appended = frames >= wal_seen_ ? frames - wal_seen_ : frames;
  wal_seen_ = frames;
  if (options_.metrics) {
    options_.metrics->Increment("palika_ledger_wal_frames_total", {{"ulb", options_.ulb}},
                                static_cast<double>(appended));
    options_.metrics->Set("palika_ledger_wal_pages", {{"ulb", options_.ulb}},
                          static_cast<double>(frames));
  }
  const uint64_t threshold = std::max<uint64_t>(options_.wal_checkpoint_pages, 8);
  if (frames < threshold) return;
  bool pass_busy = false;
  bool held_back = false;
  {
    std::lock_guard lk(wal_mu_);
    if (wal_result_) {
      // A pass that ended before the WAL started over counted the old one: not this WAL's.
      if (wal_result_->frames <= frames) {
        wal_backfilled_ = std::max(wal_backfilled_, wal_result_->backfilled);
      }
      wal_result_.reset();
    }
    pass_busy = wal_wanted_ || wal_running_;
    held_back = wal_held_back_;
  }
  const uint64_t behind = frames - std::min(frames, wal_backfilled_);
  // A long WAL already copied whole (at open) starts over at the next transaction: not over the
  // limit. One that keeps growing has new frames not yet copied after every commit.
  if (frames >= kWalHardLimitFactor * threshold && behind > 0) {
    if (!wal_over_limit_) {
      wal_over_limit_ = true;
      spdlog::warn(
          "ledger {}: the WAL holds {} pages, {} of them not yet in the database file, past {} "
          "times the checkpoint threshold ({} pages): {}. The writer checkpoints it itself before "
          "each transaction until it starts over.",
          options_.ulb, frames, behind, kWalHardLimitFactor, threshold,
          wal_failing_ ? "checkpoints fail (see the errors above)"
          : held_back  ? "readers hold old snapshots (a long export, backup or report)"
                       : "the checkpointer fell behind");
      if (options_.metrics) {
        options_.metrics->Set("palika_ledger_wal_over_limit", {{"ulb", options_.ulb}}, 1);
      }
    }
    // A pass in progress holds SQLite's checkpoint lock: wait for it (no transaction is open, so
    // the WAL does not grow meanwhile), then copy what is left here.
    {
      std::unique_lock lk(wal_mu_);
      wal_wanted_ = false;
      wal_idle_cv_.wait(lk, [&] { return !wal_running_; });
      wal_result_.reset();
    }
    CheckpointWalHere();
    return;
  }
  if (pass_busy) return;
  // The checkpointer copied all but the last commit or two, which it could not see: copy those
  // here, between transactions, so that the next one starts the WAL over (SQLite starts it over
  // only when a transaction begins with all of it copied). Likewise once a first pass copied a
  // threshold's worth but could not get level with a writer that commits faster than it copies.
  const bool first_pass_done = wal_caught_up_at_ == 0 && wal_backfilled_ >= threshold;
  if (behind <= std::max(threshold / 4, 2 * wal_last_commit_) || first_pass_done) {
    if (frames > wal_caught_up_at_) {
      wal_caught_up_at_ = frames;
      CheckpointWalHere();
    }
    return;
  }
  if (frames >= wal_requested_at_ + threshold / 8) {
    wal_requested_at_ = frames;
    {
      std::lock_guard lk(wal_mu_);
      wal_wanted_ = true;
    }
    wal_cv_.notify_one();
  }
}

void Ledger::CheckpointWalHere() {
  const double cpu0 = ThreadCpuSeconds();
  const auto started = std::chrono::steady_clock::now();
  Result<store::WalCheckpoint> r = writer_db_->CheckpointWal();
  if (options_.metrics) {
    options_.metrics->Increment("palika_ledger_wal_writer_checkpoint_cpu_seconds_total",
                                {{"ulb", options_.ulb}}, ThreadCpuSeconds() - cpu0);
    CountWait(options_, "palika_ledger_wal_writer_checkpoint_seconds_total", started);
  }
  WalCheckpointDone(r, "writer");
  if (r.ok() && !r->busy) wal_backfilled_ = std::max(wal_backfilled_, r->backfilled);
}

void Ledger::WalCheckpointLoop() {
  for (;;) {
    {
      std::unique_lock lk(wal_mu_);
      wal_cv_.wait(lk, [&] { return wal_wanted_ || wal_stopping_; });
      if (wal_stopping_) return;
      wal_wanted_ = false;
      wal_running_ = true;
    }
    // A halted ledger copies nothing more: its last commits may not be on disk.
    Result<store::WalCheckpoint> r = store::WalCheckpoint{true, 0, 0};
    if (Halted().ok()) {
      if (!wal_db_) {
        store::OpenOptions open;
        open.manual_wal_checkpoint = true;
        auto db = store::OpenDatabase(options_.location, open);
        if (db.ok()) {
          wal_db_ = std::move(db).value();
        } else {
          r = db.status();
        }
      }
      const auto started = std::chrono::steady_clock::now();
      if (wal_db_) r = wal_db_->CheckpointWal();
      WalCheckpointDone(r, "checkpointer");
      if (options_.metrics && r.ok() && !r->busy) {
        options_.metrics->Observe(
            "palika_ledger_wal_checkpoint_seconds", {},
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      }
    }
    {
      std::lock_guard lk(wal_mu_);
      wal_running_ = false;
      if (r.ok() && !r->busy) {
        wal_result_ = *r;
        wal_held_back_ = r->backfilled < r->frames;
      }
    }
    wal_idle_cv_.notify_all();
  }
}

void Ledger::WalCheckpointDone(const Result<store::WalCheckpoint>& r, const char* by) {
  if (!r.ok()) {
    if (options_.metrics) {
      options_.metrics->Increment("palika_ledger_wal_checkpoint_failures_total",
                                  {{"ulb", options_.ulb}});
    }
    // A failed sync may have lost pages of the WAL or of the file that a later sync would not
    // report (fsync-gate): stop writing, as when the WAL's own sync fails.
    if (r.status().code() == "storage_sync_failed") {
      (void)Halt(r.status());
      return;
    }
    if (!wal_failing_.exchange(true)) {
      spdlog::error(
          "ledger {}: a WAL checkpoint failed ({}); nothing is lost, the WAL keeps every page "
          "until a checkpoint succeeds, but it grows meanwhile",
          options_.ulb, r.status().ToString());
    }
    return;
  }
  if (r->busy) return;
  if (wal_failing_.exchange(false)) {
    spdlog::info("ledger {}: WAL checkpoints succeed again", options_.ulb);
  }
  if (options_.metrics) {
    options_.metrics->Increment("palika_ledger_wal_checkpoints_total",
                                {{"ulb", options_.ulb}, {"by", by}});
  }
}

Result<CommitResult> Ledger::RunCommand(Command& command, int64_t now_us) {
  auto& db = *writer_db_;
  if (!command.idempotency_key.empty()) {
    PALIKA_ASSIGN_OR_RETURN(
        auto seen,
        db.QueryOne("SELECT request_hash, response, seq FROM idempotency_keys WHERE key = ?",
                    {command.idempotency_key}));
    if (seen) {
      if (seen->Text(0) != command.request_hash) {
        return Status::Conflict(
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request. Use a new key for a "
            "new request.",
            "यह Idempotency-Key पहले किसी दूसरे अनुरोध के लिए उपयोग हो चुकी है। नए अनुरोध के लिए नई "
            "कुंजी उपयोग करें।");
      }
      CommitResult out;
      out.response = json::parse(seen->Text(1));
      out.replayed = true;
      out.backup_seq = static_cast<uint64_t>(seen->Int(2));
      return out;
    }
  }
  // A decide that throws is a bug; it must fail its own command, not the writer thread.
  Result<Decision> decided = Status::Internal("decide did not run");
  try {
    decided = command.decide(db, now_us);
  } catch (const std::exception& e) {
    decided = Status::Internal(std::string("decide threw: ") + e.what());
  }
  PALIKA_ASSIGN_OR_RETURN(Decision decision, std::move(decided));
  CommitResult out;
  out.first_seq = next_seq_;
  for (const Event& ev : decision.events) {
    PALIKA_RETURN_IF_ERROR(AppendEvent(command.actor, ev, now_us));
  }
  if (!command.idempotency_key.empty()) {
    Event record{kIdempotencyEvent,
                 {{"key", command.idempotency_key},
                  {"request_hash", command.request_hash},
                  {"response", decision.response}}};
    PALIKA_RETURN_IF_ERROR(AppendEvent(command.actor, record, now_us));
  }
  out.last_seq = next_seq_ - 1;
  if (out.last_seq < out.first_seq) out.first_seq = out.last_seq = 0;
  out.backup_seq = out.last_seq;
  out.response = std::move(decision.response);
  return out;
}

Status Ledger::AppendEvent(const std::string& actor, const Event& event, int64_t now_us) {
  std::string payload;
  if (event.canonical.empty()) {
    PALIKA_ASSIGN_OR_RETURN(payload, CanonicalJson(event.payload));
  } else {
    payload = event.canonical;
#ifndef NDEBUG
    PALIKA_ASSERT(CanonicalJson(event.payload).value() == payload);
#endif
  }
  Entry e{options_.ulb, options_.origin, next_seq_, now_us, actor, event.type, std::move(payload)};
  PALIKA_RETURN_IF_ERROR(writer_db_->Exec(
      "INSERT INTO ledger_entries(origin, seq, ulb, time_us, actor, type, payload) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {e.origin, static_cast<int64_t>(e.seq), e.ulb, e.time_us, e.actor, e.type, e.payload}));
  PALIKA_RETURN_IF_ERROR(ApplyEntry(*options_.projections, *writer_db_, e, &event.payload));
  tree_.Append(LeafHash(EncodeEntry(e)));
  ++next_seq_;
  return Status::OK();
}

Status Ledger::Read(const std::function<Status(store::Transaction&)>& fn) {
  std::unique_ptr<store::Database> db;
  {
    std::lock_guard lk(readers_mu_);
    if (!readers_.empty()) {
      db = std::move(readers_.back());
      readers_.pop_back();
    }
  }
  if (!db) {
    store::OpenOptions open;
    open.read_only = true;
    PALIKA_ASSIGN_OR_RETURN(db, store::OpenDatabase(options_.location, open));
  }
  PALIKA_RETURN_IF_ERROR(db->BeginRead());
  Status s = fn(*db);
  Status end = db->Rollback();  // a read transaction: nothing to keep
  if (s.ok() && !end.ok()) s = end;
  if (end.ok()) {
    std::lock_guard lk(readers_mu_);
    if (readers_.size() < kMaxReaders) readers_.push_back(std::move(db));
  }
  return s;
}

void Ledger::Close() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  checkpoint_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  // The writer has handed over its last commit (the final checkpoint): sync and answer it.
  {
    std::lock_guard lk(sync_mu_);
    sync_stopping_ = true;
  }
  sync_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  {
    std::lock_guard lk(wal_mu_);
    wal_stopping_ = true;
  }
  wal_cv_.notify_all();
  if (wal_checkpointer_.joinable()) wal_checkpointer_.join();
}

uint64_t Ledger::size() const {
  std::lock_guard lk(mu_);
  return committed_size_;
}

std::string Ledger::LatestCheckpointNote() const {
  std::lock_guard lk(mu_);
  return latest_note_;
}

uint64_t Ledger::checkpointed_size() const {
  std::lock_guard lk(mu_);
  return latest_size_;
}

// The ULB ledgers hold what must not be lost (payments, the register); the state ledger's writes
// (sign-in audit, users) do not wait, so that staff can still sign in while a backup is down.
bool Ledger::SyncMode() const {
  return options_.backups && options_.ulb != "state" && options_.backups->sync_hosts() > 0;
}

std::chrono::milliseconds Ledger::CheckpointInterval() const {
  return SyncMode() ? std::chrono::milliseconds(0) : options_.checkpoint_interval;
}

void Ledger::CheckpointStored(uint64_t size, std::string note) {
  {
    std::lock_guard lk(mu_);
    if (size < latest_size_) return;  // a later one is out already
    latest_note_ = std::move(note);
    latest_size_ = size;
  }
  checkpoint_cv_.notify_all();
  if (options_.checkpoint_signal) options_.checkpoint_signal->Notify();
}

uint64_t Ledger::WaitForCheckpoint(uint64_t above,
                                   std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lk(mu_);
  checkpoint_cv_.wait_until(lk, deadline, [&] { return latest_size_ > above || stopping_; });
  return latest_size_;
}

Result<CheckpointedEntries> Ledger::ReadCheckpointed(uint64_t after, size_t limit) {
  CheckpointedEntries out;
  // Only what a sync covers leaves the process: a stored checkpoint (and its entries) is served
  // once the sync after its COMMIT returned, i.e. up to the published one. A reader may already
  // see later ones, which a power loss could still take back (and the next entries would then
  // fork from what a backup holds).
  const uint64_t synced = checkpointed_size();
  if (synced <= after) return out;
  PALIKA_RETURN_IF_ERROR(Read([&](store::Transaction& tx) -> Status {
    const auto from = static_cast<int64_t>(after);
    const auto upto =
        static_cast<int64_t>(std::min<uint64_t>(after + std::max<size_t>(limit, 1), synced));
    PALIKA_ASSIGN_OR_RETURN(
        auto cp, tx.QueryOne("SELECT size, note FROM ledger_checkpoints WHERE origin = ? AND "
                             "size > ? AND size <= ? ORDER BY size DESC LIMIT 1",
                             {options_.origin, from, upto}));
    if (!cp) {
      PALIKA_ASSIGN_OR_RETURN(
          cp, tx.QueryOne("SELECT size, note FROM ledger_checkpoints WHERE origin = ? AND size > "
                          "? AND size <= ? ORDER BY size LIMIT 1",
                          {options_.origin, from, static_cast<int64_t>(synced)}));
    }
    if (!cp) return Status::OK();
    out.checkpoint_size = static_cast<uint64_t>(cp->Int(0));
    out.checkpoint = cp->Text(1);
    out.entries.reserve(out.checkpoint_size - after);
    return tx.ForEach(
        "SELECT origin, seq, ulb, time_us, actor, type, payload FROM ledger_entries "
        "WHERE origin = ? AND seq > ? AND seq <= ? ORDER BY seq",
        {options_.origin, from, cp->Int(0)}, [&](const store::Row& r) {
          out.entries.push_back({r.Text(2), r.Text(0), static_cast<uint64_t>(r.Int(1)), r.Int(3),
                                 r.Text(4), r.Text(5), r.Text(6)});
          return true;
        });
  }));
  return out;
}

CheckpointSignal::CheckpointSignal() : instance_(HexEncode(RandomBytes(8))) {}

uint64_t CheckpointSignal::generation() const {
  std::lock_guard lk(mu_);
  return generation_;
}

uint64_t CheckpointSignal::WaitAfter(uint64_t seen,
                                     std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lk(mu_);
  cv_.wait_until(lk, deadline, [&] { return generation_ > seen; });
  return generation_;
}

void CheckpointSignal::Notify() {
  {
    std::lock_guard lk(mu_);
    ++generation_;
  }
  cv_.notify_all();
}

}  // namespace palika::ledger
