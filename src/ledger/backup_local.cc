#include "ledger/backup_local.h"

#include <fmt/format.h>

#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
#include "ledger/ledger_set.h"
#include "ledger/merkle_tree.h"
#include "ledger/segment.h"
#include "store/sqlite/database.h"

namespace palika::ledger {
namespace fs = std::filesystem;

Result<LocalBackupResult> BackupLedgerFile(const fs::path& file, const std::string& ulb,
                                           const std::string& origin, const NoteVerifier& node,
                                           const fs::path& backup_dir, const SealKey* seal,
                                           uint64_t segment_entries) {
  LocalBackupResult result;
  result.ulb = ulb;
  const std::string log_name = LogName(origin, ulb);
  PALIKA_ASSIGN_OR_RETURN(NoteVerifier verifier, LogVerifier(node, log_name));

  // Where the backup of this log ends now.
  CompactRange tree;
  PALIKA_ASSIGN_OR_RETURN(LogListing held, ListLogSegments(backup_dir, ulb, origin));
  if (!held.segments.empty()) {
    PALIKA_ASSIGN_OR_RETURN(SegmentHeader last, ReadSegmentHeader(held.segments.back().path));
    Result<CompactRange> range = CompactRange::Deserialize(last.tree);
    if (!range.ok() || range->size() != last.last) {
      return Status::Corruption(held.segments.back().path.string() +
                                ": its stored tree is damaged; run `palika verify --backup`");
    }
    tree = std::move(range).value();
  }
  result.size = tree.size();

  store::sqlite::OpenOptions ro;
  ro.read_only = true;
  PALIKA_ASSIGN_OR_RETURN(auto db, store::sqlite::Database::Open(file, ro));
  PALIKA_RETURN_IF_ERROR(db->Begin());  // one snapshot for the whole run

  // The closes: stored checkpoints past what is held, spaced by segment_entries.
  struct Close {
    uint64_t size;
    std::string note;
    Hash root;
  };
  std::vector<Close> all;
  PALIKA_RETURN_IF_ERROR(db->ForEach(
      "SELECT size, note FROM ledger_checkpoints WHERE origin = ? AND size > ? ORDER BY size",
      {origin, static_cast<int64_t>(tree.size())}, [&](const store::Row& r) {
        all.push_back({static_cast<uint64_t>(r.Int(0)), r.Text(1), {}});
        return true;
      }));
  // A running server's writer syncs its WAL one step behind its commits (ledger.h): make what
  // this snapshot sees durable before any of it leaves for the backup, or a power loss could take
  // from the primary entries the backup holds, and the primary's next entries would fork the log.
  PALIKA_RETURN_IF_ERROR(db->SyncWal());
  std::vector<Close> closes;
  uint64_t start = tree.size() + 1;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].size + 1 - start >= segment_entries || i + 1 == all.size()) {
      Result<Checkpoint> cp = OpenCheckpoint(all[i].note, verifier);
      if (!cp.ok() || cp->size != all[i].size) {
        return Status::Corruption(fmt::format(
            "{}: the checkpoint at size {} is not signed by this node's key ({}); nothing after "
            "entry {} was backed up. Run `palika verify --data DIR --ulb {}`",
            file.string(), all[i].size, cp.ok() ? "wrong size" : cp.status().message(), tree.size(),
            ulb));
      }
      all[i].root = cp->root;
      closes.push_back(std::move(all[i]));
      start = closes.back().size + 1;
    }
  }
  if (closes.empty()) return result;

  Segment seg;
  seg.ulb = ulb;
  seg.origin = origin;
  seg.first = tree.size() + 1;
  size_t next = 0;
  Status failed = Status::OK();
  PALIKA_RETURN_IF_ERROR(db->ForEach(
      "SELECT seq, time_us, actor, type, payload, ulb FROM ledger_entries "
      "WHERE origin = ? AND seq > ? AND seq <= ? ORDER BY seq",
      {origin, static_cast<int64_t>(tree.size()), static_cast<int64_t>(closes.back().size)},
      [&](const store::Row& r) {
        Entry e{r.Text(5), origin,   static_cast<uint64_t>(r.Int(0)), r.Int(1), r.Text(2),
                r.Text(3), r.Text(4)};
        if (e.seq != tree.size() + 1) {
          failed =
              Status::Corruption(fmt::format("{}: entry {} is missing; nothing after entry {} "
                                             "was backed up",
                                             file.string(), tree.size() + 1, tree.size()));
          return false;
        }
        tree.Append(LeafHash(EncodeEntry(e)));
        seg.entries.push_back(std::move(e));
        if (tree.size() < closes[next].size) return true;
        if (tree.Root() != closes[next].root) {
          failed = Status::Corruption(fmt::format(
              "{}: entries {} to {} do not match the signed checkpoint at size {} (or they do not "
              "extend what the backup holds); they were not backed up. Run `palika verify --data "
              "DIR --ulb {}`",
              file.string(), seg.first, tree.size(), tree.size(), ulb));
          return false;
        }
        seg.last = tree.size();
        seg.checkpoint_note = closes[next].note;
        seg.tree = tree.Serialize();
        failed = WriteSegment(backup_dir, seg, seal);
        if (!failed.ok()) return false;
        ++result.segments;
        result.entries += seg.entries.size();
        result.size = seg.last;
        seg.entries.clear();
        seg.first = seg.last + 1;
        ++next;
        return next < closes.size();
      }));
  PALIKA_RETURN_IF_ERROR(failed);
  if (next < closes.size()) {
    return Status::Corruption(
        fmt::format("{}: entries up to {} are missing; the checkpoint at "
                    "size {} covers more than the ledger holds",
                    file.string(), closes[next].size, tree.size()));
  }
  (void)db->Rollback();
  return result;
}

}  // namespace palika::ledger
