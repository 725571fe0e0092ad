#include "ledger/backup_verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "ledger/checkpoint.h"
#include "ledger/durable_file.h"
#include "ledger/entry.h"
#include "ledger/ledger.h"
#include "ledger/ledger_set.h"
#include "ledger/merkle_tree.h"

namespace palika::ledger {
namespace fs = std::filesystem;

Result<NoteVerifier> LoadBackupNodeKey(const fs::path& backup_dir) {
  Result<std::string> text = ReadWholeFile(backup_dir / "node.pub", 4096);
  if (!text.ok()) {
    return Status::NotFound(
        "backup_node_pub_missing",
        "the backup " + backup_dir.string() +
            " has no node.pub, so its checkpoints cannot be checked; copy the primary's node.pub "
            "there (`palika backup local` and `backup pull` write it)",
        "बैकअप " + backup_dir.string() +
            " में node.pub नहीं है, इसलिए चेकपॉइंट जाँचे नहीं जा सकते; प्राथमिक सर्वर की node.pub वहाँ रखें");
  }
  std::string t = *text;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  return NoteVerifier::Parse(t);
}

BackupLogReport WalkBackupLog(const LogListing& log, const NoteVerifier& node, const OpenKey* key,
                              const WalkLimit& limit, const SegmentSink& sink) {
  BackupLogReport r;
  r.ulb = log.ulb;
  r.origin = log.origin;
  auto fail = [&r](std::string problem) {
    r.problems.push_back(std::move(problem));
    return r;
  };
  if (!log.strays.empty()) {
    return fail(
        fmt::format("{} is not a backup segment; a segment folder holds only segments "
                    "(remove or explain the file)",
                    log.strays.front().string()));
  }
  Result<NoteVerifier> verifier = LogVerifier(node, LogName(log.origin, log.ulb));
  if (!verifier.ok()) return fail(verifier.status().message());
  CompactRange tree;
  uint64_t expected = 1;
  std::string prev = "the start of the log";
  bool reached = false;
  for (const SegmentFile& f : log.segments) {
    if (reached) break;
    if (f.first > expected) {
      return fail(
          fmt::format("segment missing: entries {} to {} are in no file (between {} and {})",
                      expected, f.first - 1, prev, f.path.string()));
    }
    if (f.first < expected) {
      return fail(fmt::format("segment {} (entries {} to {}) overlaps {}, which ends at entry {}",
                              f.path.string(), f.first, f.last, prev, expected - 1));
    }
    Segment seg;
    bool entries_read = true;
    Result<Segment> read = ReadSegment(f.path, key);
    if (!read.ok() && read.status().code() == "segment_key_needed" && !sink) {
      // Sealed and no key: check what can be checked without the entries.
      Result<SegmentHeader> header = ReadSegmentHeader(f.path);
      if (!header.ok()) return fail(header.status().message());
      entries_read = false;
      r.entries_unchecked = true;
      seg.ulb = header->ulb;
      seg.origin = header->origin;
      seg.first = header->first;
      seg.last = header->last;
      seg.checkpoint_note = header->checkpoint_note;
      seg.tree = header->tree;
    } else if (!read.ok()) {
      return fail(read.status().message());
    } else {
      seg = std::move(read).value();
      for (const Entry& e : seg.entries) tree.Append(LeafHash(EncodeEntry(e)));
    }
    Result<Checkpoint> cp = OpenCheckpoint(seg.checkpoint_note, *verifier);
    if (!cp.ok()) {
      return fail(
          fmt::format("{}: its closing checkpoint is not signed by the node key in "
                      "node.pub ({})",
                      f.path.string(), cp.status().message()));
    }
    if (cp->size != seg.last) {
      return fail(fmt::format("{}: its closing checkpoint is of size {}, not {}", f.path.string(),
                              cp->size, seg.last));
    }
    if (!entries_read) {
      Result<CompactRange> stored = CompactRange::Deserialize(seg.tree);
      if (!stored.ok() || stored->size() != seg.last || stored->Root() != cp->root) {
        return fail(fmt::format("{}: its stored tree does not match its signed checkpoint",
                                f.path.string()));
      }
      tree = std::move(stored).value();
    } else {
      if (tree.Root() != cp->root) {
        return fail(fmt::format(
            "{}: its entries do not match the signed checkpoint at size {}: an entry from {} to {} "
            "was altered, inserted, removed or reordered (or an earlier segment was)",
            f.path.string(), seg.last, seg.first, seg.last));
      }
      if (seg.tree != tree.Serialize()) {
        return fail(fmt::format("{}: its stored tree does not match the entries", f.path.string()));
      }
      r.entries += seg.entries.size();
    }
    size_t within = seg.entries.size();
    for (size_t i = 0; i < seg.entries.size(); ++i) {
      const Entry& e = seg.entries[i];
      if ((limit.seq && e.seq > *limit.seq) || (limit.until_us && e.time_us > *limit.until_us)) {
        within = i;
        reached = true;
        break;
      }
    }
    if (limit.seq && seg.last >= *limit.seq) reached = true;
    if (sink) {
      Status s = sink(seg, within);
      if (!s.ok()) return fail(s.message());
    }
    ++r.segments;
    r.size = seg.last;
    r.checkpoint_note = seg.checkpoint_note;
    r.root_hex = HashHex(cp->root);
    expected = seg.last + 1;
    prev = f.path.string();
  }
  if (limit.seq && r.size < *limit.seq) {
    return fail(fmt::format("the backup of {}/{} holds entries up to {} only, not up to {}",
                            log.ulb, log.origin, r.size, *limit.seq));
  }
  return r;
}

Result<BackupReport> VerifyBackup(const fs::path& backup_dir, const OpenKey* key,
                                  const std::string& only_ulb) {
  PALIKA_ASSIGN_OR_RETURN(NoteVerifier node, LoadBackupNodeKey(backup_dir));
  PALIKA_ASSIGN_OR_RETURN(std::vector<LogListing> logs, ListBackupLogs(backup_dir));
  std::vector<const LogListing*> chosen;
  for (const LogListing& log : logs) {
    if (only_ulb.empty() || log.ulb == only_ulb) chosen.push_back(&log);
  }
  // Logs are independent: check them on every CPU, each report in its own slot.
  BackupReport report;
  report.logs.resize(chosen.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < chosen.size(); i = next++) {
      report.logs[i] = WalkBackupLog(*chosen[i], node, key, {}, nullptr);
    }
  };
  const size_t threads =
      std::min<size_t>(chosen.size(), std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (!only_ulb.empty() && report.logs.empty()) {
    return Status::NotFound(
        "ulb_not_in_backup",
        "the backup " + backup_dir.string() + " holds nothing of ULB " + only_ulb,
        "बैकअप " + backup_dir.string() + " में निकाय " + only_ulb + " का कुछ नहीं है");
  }
  return report;
}

}  // namespace palika::ledger
