#include "ledger/restore.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "core/check.h"
#include "ledger/checkpoint.h"
#include "ledger/durable_file.h"
#include "ledger/ledger.h"
#include "ledger/ledger_set.h"
#include "ledger/merkle_tree.h"
#include "ledger/node_key.h"
#include "store/sqlite/database.h"

namespace palika::ledger {
namespace fs = std::filesystem;

namespace {

Status SyncFile(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + file.string() + " to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::IOError("cannot fsync " + file.string());
  return Status::OK();
}

struct LogContext {
  const LogListing* log;
  RestoredLog* out;
  const Projections* projections;
  const NoteVerifier* old_node;
  const NoteSigner* signer;
  bool resign;
  WalkLimit limit;
  fs::path file;
};

// Replays one log into `ctx.file`; on any problem leaves no file and fills out.problems.
void RestoreLog(const LogContext& ctx, const RestoreOptions& o, RestoredLog& out) {
  const LogListing& log = *ctx.log;
  const fs::path tmp = ctx.file.string() + ".restoring";
  auto cleanup = [&tmp] {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      fs::remove(tmp.string() + suffix, ec);
    }
  };
  auto fail = [&](const Status& s) {
    out.problems.push_back(s.message());
    cleanup();
  };
  cleanup();
  if (o.progress) {
    o.progress(fmt::format("restoring {} ({} segments)", log.ulb, log.segments.size()));
  }
  store::sqlite::OpenOptions create;
  create.create = true;
  auto opened = store::sqlite::Database::Open(tmp, create);
  if (!opened.ok()) return fail(opened.status());
  std::unique_ptr<store::sqlite::Database> db = std::move(opened).value();
  const std::string log_name = LogName(log.origin, log.ulb);
  Result<NoteSigner> log_signer = ctx.signer->WithName(log_name);
  Result<NoteVerifier> old_verifier = LogVerifier(*ctx.old_node, log_name);
  if (!log_signer.ok()) return fail(log_signer.status());
  if (!old_verifier.ok()) return fail(old_verifier.status());

  // A scratch target: nothing needs to survive a crash until the final sync below (a failed or
  // interrupted restore deletes the file), so no journal and no syncs while it fills.
  Status s =
      db->ExecScript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536");
  if (s.ok()) s = db->BeginImmediate();
  if (s.ok()) {
    s = db->ExecScript(
        "CREATE TABLE IF NOT EXISTS ledger_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  }
  if (s.ok()) {
    s = db->Exec("INSERT INTO ledger_meta(key, value) VALUES ('ulb', ?), ('encoding', ?)",
                 {log.ulb, std::to_string(kEntryEncodingVersion)});
  }
  if (s.ok()) s = LedgerTables().CreateSchema(*db);
  if (s.ok()) s = ctx.projections->CreateSchema(*db);
  // Search indexes are built once after the replay, not row by row.
  if (s.ok()) s = ctx.projections->BeginBulkReplay(*db);
  if (!s.ok()) return fail(s);

  // The walk hashes every entry already; the restore needs a tree of its own only when it stops
  // inside a segment: the tree after the last whole segment, extended by the entries taken.
  std::string whole_tree;
  std::optional<CompactRange> partial_tree;
  uint64_t checkpointed = 0;
  int64_t last_time = 0;
  auto store_checkpoint = [&](const Checkpoint& cp, std::string note, const std::string& range,
                              int64_t time_us) -> Status {
    if (ctx.resign) {
      PALIKA_ASSIGN_OR_RETURN(note, SignCheckpoint(cp, *log_signer));
    }
    PALIKA_RETURN_IF_ERROR(db->Exec(
        "INSERT INTO ledger_checkpoints(origin, size, time_us, note, tree) VALUES (?, ?, ?, ?, ?)",
        {log.origin, static_cast<int64_t>(cp.size), time_us, note, store::Blob{range}}));
    checkpointed = cp.size;
    ++out.checkpoints;
    out.checkpoint_note = std::move(note);
    out.root_hex = HashHex(cp.root);
    return Status::OK();
  };
  auto last_progress = std::chrono::steady_clock::now();
  SegmentSink sink = [&](const Segment& seg, size_t within) -> Status {
    for (size_t i = 0; i < within; ++i) {
      const Entry& e = seg.entries[i];
      PALIKA_RETURN_IF_ERROR(db->Exec(
          "INSERT INTO ledger_entries(origin, seq, ulb, time_us, actor, type, payload) "
          "VALUES (?, ?, ?, ?, ?, ?, ?)",
          {e.origin, static_cast<int64_t>(e.seq), e.ulb, e.time_us, e.actor, e.type, e.payload}));
      Status applied = ApplyEntry(*ctx.projections, *db, e);
      if (!applied.ok()) {
        return Status::Corruption(fmt::format("entry {} ({}) of {} cannot be replayed: {}", e.seq,
                                              e.type, SegmentFileName(seg.first, seg.last),
                                              applied.message()));
      }
      last_time = e.time_us;
      ++out.entries;
    }
    if (within == seg.entries.size() && within > 0) {
      PALIKA_ASSIGN_OR_RETURN(Checkpoint cp, OpenCheckpoint(seg.checkpoint_note, *old_verifier));
      PALIKA_RETURN_IF_ERROR(store_checkpoint(cp, seg.checkpoint_note, seg.tree, last_time));
      whole_tree = seg.tree;
    } else if (within > 0) {
      CompactRange t;
      if (!whole_tree.empty()) {
        PALIKA_ASSIGN_OR_RETURN(t, CompactRange::Deserialize(whole_tree));
      }
      for (size_t i = 0; i < within; ++i) t.Append(LeafHash(EncodeEntry(seg.entries[i])));
      partial_tree = std::move(t);
    }
    if (o.progress && std::chrono::steady_clock::now() - last_progress > std::chrono::seconds(1)) {
      last_progress = std::chrono::steady_clock::now();
      o.progress(fmt::format("  {} ... {} entries", log.ulb, out.entries));
    }
    return Status::OK();
  };
  BackupLogReport walked = WalkBackupLog(log, *ctx.old_node, o.key, ctx.limit, sink);
  if (!walked.ok()) {
    (void)db->Rollback();
    db.reset();
    out.problems = walked.problems;
    cleanup();
    return;
  }
  if (out.entries == 0) {  // nothing within the limit: this log did not exist yet
    (void)db->Rollback();
    db.reset();
    cleanup();
    return;
  }
  if (out.entries > checkpointed) {
    // Restored to a point between two checkpoints: sign that point with the key in use.
    PALIKA_ASSERT(partial_tree && partial_tree->size() == out.entries);
    const CompactRange& tree = *partial_tree;
    Checkpoint cp{log_name, tree.size(), tree.Root(), {}};
    Result<std::string> note = SignCheckpoint(cp, *log_signer);
    s = note.ok() ? db->Exec(
                        "INSERT INTO ledger_checkpoints(origin, size, time_us, note, tree) "
                        "VALUES (?, ?, ?, ?, ?)",
                        {log.origin, static_cast<int64_t>(cp.size), last_time, *note,
                         store::Blob{tree.Serialize()}})
                  : note.status();
    if (!s.ok()) return fail(s);
    ++out.checkpoints;
    out.checkpoint_note = *note;
    out.root_hex = HashHex(cp.root);
  }
  s = ctx.projections->EndBulkReplay(*db, /*rebuild=*/true);
  if (s.ok()) s = db->Commit();
  // Back to the ledger's WAL mode, then durable before the name appears: close and fsync.
  if (s.ok()) s = db->ExecScript("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL");
  db.reset();
  if (s.ok()) s = SyncFile(tmp);
  if (!s.ok()) return fail(s);
  std::error_code ec;
  fs::rename(tmp, ctx.file, ec);
  if (ec) return fail(Status::IOError("cannot rename " + tmp.string() + ": " + ec.message()));
  cleanup();
}

}  // namespace

Result<RestoreReport> RestoreBackup(const RestoreOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  PALIKA_ASSIGN_OR_RETURN(NoteVerifier old_node, LoadBackupNodeKey(o.from));
  PALIKA_ASSIGN_OR_RETURN(std::vector<LogListing> logs, ListBackupLogs(o.from));
  std::error_code ec;
  if (fs::exists(o.to / kRestoreIncompleteFile, ec)) return RestoreIncomplete(o.to);
  if (fs::exists(o.to, ec) && !fs::is_empty(o.to, ec)) {
    return Status::Conflict("restore_target_not_empty",
                            o.to.string() +
                                " is not empty; restore into a new or empty directory, never over "
                                "existing data",
                            o.to.string() +
                                " खाली नहीं है; नई या खाली निर्देशिका में पुनर्स्थापित करें, "
                                "मौजूदा डेटा पर कभी नहीं");
  }
  if (!o.only_ulb.empty() && std::none_of(logs.begin(), logs.end(), [&](const LogListing& l) {
        return l.ulb == o.only_ulb;
      })) {
    return Status::NotFound("ulb_not_in_backup",
                            "the backup " + o.from.string() + " holds nothing of ULB " + o.only_ulb,
                            "बैकअप " + o.from.string() + " में निकाय " + o.only_ulb + " का कुछ नहीं है");
  }
  fs::create_directories(o.to / "ulb", ec);
  if (ec) return Status::IOError("cannot create " + o.to.string() + ": " + ec.message());
  // Until the end the directory says it is incomplete, so that a restore stopped at any point
  // (killed, power lost, an error) leaves nothing that serve, verify or init would take for a
  // data directory. Removed last, once everything else is durable.
  PALIKA_RETURN_IF_ERROR(WriteFileNoReplace(
      o.to / kRestoreIncompleteFile,
      "palika restore --from " + o.from.string() +
          " was filling this directory and did not finish. Delete it and restore again.\n",
      0444));

  RestoreReport report;
  report.node = old_node.name();
  std::unique_ptr<NoteSigner> signer;
  if (!o.node_key.empty()) {
    PALIKA_ASSIGN_OR_RETURN(NoteSigner key, LoadNodeKey(o.node_key));
    if (key.Verifier().ToString() != old_node.ToString()) {
      return Status::InvalidArgument(
          "node_key_mismatch",
          "the node key " + o.node_key.string() + " is not the key of the backup's node.pub (" +
              old_node.ToString() + "); give the matching node.key, or none to make a new one",
          "नोड कुंजी " + o.node_key.string() +
              " बैकअप की node.pub की कुंजी नहीं है; सही node.key दें, या नई कुंजी के लिए कोई न दें");
    }
    signer = std::make_unique<NoteSigner>(std::move(key));
  } else {
    PALIKA_ASSIGN_OR_RETURN(NoteSigner key, GenerateSigner(old_node.name()));
    signer = std::make_unique<NoteSigner>(std::move(key));
    report.new_node_key = true;
    PALIKA_RETURN_IF_ERROR(
        WriteFileNoReplace(o.to / "previous-node.pub", old_node.ToString() + "\n", 0644));
  }
  std::string secret = signer->Format() + "\n";
  Status s = WriteFileNoReplace(o.to / "node.key", secret, 0600);
  sodium_memzero(secret.data(), secret.size());
  PALIKA_RETURN_IF_ERROR(s);
  PALIKA_RETURN_IF_ERROR(
      WriteFileNoReplace(o.to / "node.pub", signer->Verifier().ToString() + "\n", 0644));

  // Each log restores alone into its own file, so several run at once (one per CPU).
  std::vector<LogContext> tasks;
  report.logs.reserve(logs.size());
  for (const LogListing& log : logs) {
    if (!o.only_ulb.empty() && log.ulb != o.only_ulb && log.ulb != "state") continue;
    RestoredLog& out = report.logs.emplace_back();
    out.ulb = log.ulb;
    if (log.origin != old_node.name()) {
      out.problems.push_back(fmt::format(
          "{}/{}: the log is from node {}, but the backup's node.pub is the key of node {}",
          log.ulb, log.origin, log.origin, old_node.name()));
      continue;
    }
    LogContext ctx;
    ctx.log = &log;
    ctx.out = &out;
    ctx.old_node = &old_node;
    ctx.signer = signer.get();
    ctx.resign = report.new_node_key;
    ctx.limit.until_us = o.limit.until_us;
    if (log.ulb != "state" || o.only_ulb.empty()) ctx.limit.seq = o.limit.seq;
    if (log.ulb == "state") {
      ctx.projections = o.state_projections;
      ctx.file = o.to / "state.db";
    } else {
      ctx.projections = o.ulb_projections;
      ctx.file = o.to / "ulb" / (log.ulb + ".db");
    }
    tasks.push_back(std::move(ctx));
  }
  std::mutex progress_mu;  // guards the caller's progress callback
  RestoreOptions locked = o;
  if (o.progress) {
    locked.progress = [&](const std::string& line) {
      std::lock_guard lk(progress_mu);
      o.progress(line);
    };
  }
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < tasks.size(); i = next++) {
      const LogContext& ctx = tasks[i];
      RestoreLog(ctx, locked, *ctx.out);
      if (locked.progress) {
        locked.progress(
            ctx.out->ok()
                ? fmt::format("  {}: {} entries", ctx.log->ulb, ctx.out->entries)
                : fmt::format("  {}: FAILED: {}", ctx.log->ulb, ctx.out->problems.front()));
      }
    }
  };
  const size_t threads = std::min<size_t>(
      tasks.size(), o.threads > 0 ? static_cast<size_t>(o.threads)
                                  : std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  boost::json::object conf{{"store", "sqlite"}, {"node", old_node.name()}, {"format", 1}};
  // palika.json, then the marker's removal: the directory is complete.
  PALIKA_RETURN_IF_ERROR(
      WriteFileNoReplace(o.to / "palika.json", boost::json::serialize(conf) + "\n", 0644));
  PALIKA_RETURN_IF_ERROR(SyncDirectory(o.to / "ulb"));
  fs::remove(o.to / kRestoreIncompleteFile, ec);
  if (ec) return Status::IOError("cannot remove " + (o.to / kRestoreIncompleteFile).string());
  PALIKA_RETURN_IF_ERROR(SyncDirectory(o.to));
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace palika::ledger
