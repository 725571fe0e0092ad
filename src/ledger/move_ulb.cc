#include "ledger/move_ulb.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/merkle_tree.h"
#include "ledger/verify.h"
#include "store/database.h"
#include "store/postgres/database.h"

namespace palika::ledger {
namespace fs = std::filesystem;
namespace {

// "20261129T084100Z": names the kept source, so that a ULB moved away twice keeps both.
std::string UtcStamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

Status SameStore(const std::string& code, const Placement& to) {
  return Status::InvalidArgument(
      "move_to_same_store",
      "ULB " + code + " already lives in " + to.ToString() + "; name another store.",
      "निकाय " + code + " पहले से " + to.ToString() + " में है; कोई दूसरा भंडार बताएँ।");
}

std::string AsciiLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Result<CopyReport> CopyLedger(store::Transaction& source, store::Transaction& target,
                              const std::string& ulb, const Projections& projections) {
  CopyReport report;
  PALIKA_RETURN_IF_ERROR(target.ExecScript(
      "CREATE TABLE IF NOT EXISTS ledger_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"));
  PALIKA_ASSIGN_OR_RETURN(auto meta, source.Query("SELECT key, value FROM ledger_meta"));
  for (const auto& row : meta) {
    PALIKA_RETURN_IF_ERROR(
        target.Exec("INSERT INTO ledger_meta(key, value) VALUES (?, ?)", row.values()));
  }
  PALIKA_RETURN_IF_ERROR(LedgerTables().CreateSchema(target));
  PALIKA_RETURN_IF_ERROR(projections.CreateSchema(target));

  // Checkpoints in size order, inserted as the copy reaches each one's size, after checking that
  // its stored tree is the tree of the entries copied so far.
  PALIKA_ASSIGN_OR_RETURN(
      auto checkpoints,
      source.Query("SELECT origin, size, time_us, note, tree FROM ledger_checkpoints "
                   "ORDER BY origin, size"));
  size_t next_cp = 0;
  CompactRange tree;
  std::string origin;
  auto store_checkpoints = [&]() -> Status {
    while (next_cp < checkpoints.size() &&
           static_cast<uint64_t>(checkpoints[next_cp].Int(1)) <= tree.size() &&
           checkpoints[next_cp].Text(0) == origin) {
      const store::Row& cp = checkpoints[next_cp];
      if (static_cast<uint64_t>(cp.Int(1)) != tree.size() || cp.Text(4) != tree.Serialize()) {
        return Status::Corruption(fmt::format(
            "the source's checkpoint at size {} does not match its entries; run `palika verify` "
            "on it and restore it from backup before moving it",
            cp.Int(1)));
      }
      PALIKA_RETURN_IF_ERROR(
          target.Exec("INSERT INTO ledger_checkpoints(origin, size, time_us, note, tree) VALUES "
                      "(?, ?, ?, ?, ?)",
                      cp.values()));
      ++report.checkpoints;
      ++next_cp;
    }
    return Status::OK();
  };
  Status copied = Status::OK();
  PALIKA_RETURN_IF_ERROR(source.ForEach(
      "SELECT origin, seq, ulb, time_us, actor, type, payload FROM ledger_entries "
      "ORDER BY origin, seq",
      {}, [&](const store::Row& r) {
        Entry e{r.Text(2), r.Text(0), static_cast<uint64_t>(r.Int(1)), r.Int(3), r.Text(4),
                r.Text(5), r.Text(6)};
        if (e.origin != origin) {
          if (!origin.empty()) {
            copied = Status::InvalidArgument(
                "move_many_origins",
                "this ledger holds entries of more than one node; moving it is not supported");
            return false;
          }
          origin = e.origin;
        }
        if (e.ulb != ulb || e.seq != tree.size() + 1) {
          copied = Status::Corruption(fmt::format(
              "the source's entry {} is not entry {} of ULB {}; run `palika verify` on it", e.seq,
              tree.size() + 1, ulb));
          return false;
        }
        copied = target.Exec(
            "INSERT INTO ledger_entries(origin, seq, ulb, time_us, actor, type, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            r.values());
        if (copied.ok()) copied = ApplyEntry(projections, target, e);
        if (!copied.ok()) return false;
        tree.Append(LeafHash(EncodeEntry(e)));
        ++report.entries;
        copied = store_checkpoints();
        return copied.ok();
      }));
  PALIKA_RETURN_IF_ERROR(copied);
  if (next_cp != checkpoints.size()) {
    return Status::Corruption(fmt::format(
        "the source has a checkpoint at size {} beyond its {} entries; run `palika verify` on it",
        checkpoints[next_cp].Int(1), tree.size()));
  }
  report.root_hex = HashHex(tree.Root());
  return report;
}

Result<MoveReport> MoveUlb(LedgerSet& set, const std::string& code, const Placement& to,
                           const Projections& ulb_projections, const std::string& actor,
                           const std::function<void(const std::string&)>& progress) {
  const auto started = std::chrono::steady_clock::now();
  auto say = [&](const std::string& line) {
    if (progress) progress(line);
  };
  MoveReport report;
  report.from = set.PlacementOf(code);
  report.to = to;
  PALIKA_RETURN_IF_ERROR(set.Ulb(code).status());
  if (!to.sqlite() && !set.stores().clusters.contains(to.cluster)) {
    return Status::InvalidArgument("cluster_unknown",
                                   "There is no PostgreSQL cluster named '" + to.cluster +
                                       "'. Give it with --pg " + to.cluster + "=URL.",
                                   "'" + to.cluster +
                                       "' नाम का कोई PostgreSQL क्लस्टर नहीं है। उसे --pg " +
                                       to.cluster + "=URL से दें।");
  }
  if (report.from == to && !to.sqlite()) return SameStore(code, to);

  // The source, closed with a final checkpoint, read in one snapshot.
  set.CloseUlb(code);
  say(fmt::format("closed ULB {} in {} (final checkpoint)", code, report.from.ToString()));
  PALIKA_ASSIGN_OR_RETURN(const store::Location source_at, set.LocationOf(code, report.from));
  store::OpenOptions ro;
  ro.read_only = true;
  PALIKA_ASSIGN_OR_RETURN(auto source, store::OpenDatabase(source_at, ro));
  PALIKA_RETURN_IF_ERROR(source->BeginRead());

  // The target: a new SQLite file beside the source, put in place once the move is recorded, or
  // the ULB's schema in the target cluster, which must hold no ledger yet.
  PALIKA_ASSIGN_OR_RETURN(store::Location target_at, set.LocationOf(code, to));
  std::error_code ec;
  if (to.sqlite()) {
    target_at = store::Location(set.UlbFile(code).string() + ".moving");
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      fs::remove(target_at.file.string() + suffix, ec);  // a half-made copy of a failed move
    }
  }
  store::OpenOptions create;
  create.create = true;
  PALIKA_ASSIGN_OR_RETURN(auto target, store::OpenDatabase(target_at, create));
  PALIKA_RETURN_IF_ERROR(target->BeginWrite());
  PALIKA_ASSIGN_OR_RETURN(bool has_ledger, target->TableExists("ledger_entries"));
  if (has_ledger) {
    PALIKA_ASSIGN_OR_RETURN(auto any, target->QueryOne("SELECT 1 FROM ledger_entries LIMIT 1"));
    if (any) {
      (void)target->Rollback();
      (void)source->Rollback();
      return Status::Conflict(
          "move_target_not_empty",
          "There is already a ledger at " + target_at.ToString() +
              ", which the shard map does not point at. Check what it is, and rename or drop it "
              "before moving ULB " +
              code + " there.",
          target_at.ToString() + " पर पहले से एक लेजर है। उसे जाँचें, और निकाय " + code +
              " को वहाँ ले जाने से पहले उसका नाम बदलें या हटाएँ।");
    }
  }
  auto copied = CopyLedger(*source, *target, code, ulb_projections);
  (void)source->Rollback();
  source.reset();
  if (!copied.ok()) {
    (void)target->Rollback();
    return copied.status();
  }
  PALIKA_RETURN_IF_ERROR(target->Commit());
  target.reset();
  report.copied = *copied;
  say(fmt::format("copied {} entries and {} checkpoints into {}; root {}", copied->entries,
                  copied->checkpoints, to.ToString(), copied->root_hex));

  // Verified as `palika verify` would, before the map points at it.
  PALIKA_ASSIGN_OR_RETURN(
      VerifyReport verified,
      VerifyLedger(target_at, code, set.origin(), ulb_projections, set.node_verifier()));
  if (!verified.ok() || verified.entries != copied->entries ||
      verified.root_hex != copied->root_hex) {
    return Status::Corruption(
        "the copy of ULB " + code + " in " + to.ToString() + " does not verify (" +
        (verified.problems.empty() ? "another size or root" : verified.problems.front()) +
        "); the map still points at the source, which is unchanged");
  }
  report.rows_compared = verified.rows_compared;
  say(fmt::format("verified the copy: {} entries, {} checkpoints, {} rows match the replay",
                  verified.entries, verified.checkpoints, verified.rows_compared));

  UlbMove move;
  move.ulb = code;
  move.from = report.from;
  move.to = to;
  move.entries = copied->entries;
  move.root = copied->root_hex;
  // A SQLite source becomes a file under ulb/moved/; a PostgreSQL one a renamed schema in its
  // cluster (ulb_<code>_moved_<time>). Neither is ever dropped.
  std::string stamp = UtcStamp();
  move.kept_as = report.from.sqlite()
                     ? "ulb/moved/" + code + "-" + stamp + ".db"
                     : store::postgres::SchemaFor(code) + "_moved_" + AsciiLower(stamp);
  PALIKA_RETURN_IF_ERROR(set.RecordMove(actor, move));
  report.kept_as = move.kept_as;
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace palika::ledger
