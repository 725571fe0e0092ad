#include "ledger/verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/ledger.h"
#include "ledger/ledger_set.h"
#include "ledger/merkle_tree.h"
#include "store/database.h"

namespace palika::ledger {
namespace {

constexpr size_t kMaxProblems = 50;

std::string RowText(const store::Row& r) {
  std::string out = "(";
  for (size_t i = 0; i < r.size(); ++i) {
    if (i) out += ", ";
    std::string v = store::ValueToString(r.at(i));
    if (v.size() > 80) v = v.substr(0, 77) + "...";
    out += v;
  }
  return out + ")";
}

std::string FormatTime(int64_t us) {
  time_t secs = us / 1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

struct StoredCheckpoint {
  uint64_t size;
  int64_t time_us;
  bool valid;
  Hash root;
};

// Compares a stored record table with its replay, merging on the key (the leading order_by
// columns), and reports the first row that was inserted, removed or changed, naming the column.
Status CompareTable(store::Database& db, store::Database& scratch, const Projections::Table& t,
                    VerifyReport& report, const std::function<void(std::string)>& problem) {
  PALIKA_ASSIGN_OR_RETURN(std::vector<std::string> columns, scratch.TableColumns(t.name));
  const size_t key_columns =
      static_cast<size_t>(std::count(t.order_by.begin(), t.order_by.end(), ',')) + 1;
  const std::string sql = "SELECT * FROM " + t.name + " ORDER BY " + t.order_by;
  PALIKA_ASSIGN_OR_RETURN(auto expected, scratch.Query(sql));
  auto key_of = [&](const store::Row& r) {
    std::string k;
    for (size_t i = 0; i < key_columns && i < r.size() && i < columns.size(); ++i) {
      if (i) k += ", ";
      k += columns[i] + "=" + store::ValueToString(r.at(i));
    }
    return k;
  };
  auto key_less = [&](const store::Row& a, const store::Row& b) {
    for (size_t i = 0; i < key_columns && i < a.size() && i < b.size(); ++i) {
      if (a.at(i) != b.at(i)) return a.at(i) < b.at(i);
    }
    return false;
  };
  size_t i = 0;
  bool reported = false;
  Status s = db.ForEach(sql, {}, [&](const store::Row& row) {
    ++report.rows_compared;
    if (row.size() != columns.size()) {
      problem(
          fmt::format("table {} has {} columns, not the {} Palika defines: its schema was "
                      "changed",
                      t.name, row.size(), columns.size()));
      reported = true;
      return false;
    }
    if (i >= expected.size() || key_less(row, expected[i])) {
      problem(
          fmt::format("table {}: row ({}) is not explained by the ledger (inserted by hand?): "
                      "{}",
                      t.name, key_of(row), RowText(row)));
      reported = true;
      return false;
    }
    if (key_less(expected[i], row)) {
      problem(fmt::format("table {}: row ({}) is missing (deleted by hand?); the ledger says {}",
                          t.name, key_of(expected[i]), RowText(expected[i])));
      reported = true;
      return false;
    }
    for (size_t c = 0; c < row.size(); ++c) {
      if (row.at(c) != expected[i].at(c)) {
        problem(fmt::format("table {}: row ({}) column {} is {} but the ledger says {}", t.name,
                            key_of(row), columns[c], store::ValueToString(row.at(c)),
                            store::ValueToString(expected[i].at(c))));
        reported = true;
        return false;
      }
    }
    ++i;
    return true;
  });
  if (!s.ok()) {
    problem(fmt::format("table {} cannot be read: {}", t.name, s.message()));
    return Status::OK();
  }
  if (!reported && i < expected.size()) {
    problem(fmt::format("table {}: row ({}) is missing (deleted by hand?); the ledger says {}",
                        t.name, key_of(expected[i]), RowText(expected[i])));
  }
  return Status::OK();
}

}  // namespace

Result<VerifyReport> VerifyLedgerFile(const std::filesystem::path& file, const std::string& ulb,
                                      const std::string& origin, const Projections& projections,
                                      const NoteVerifier& node) {
  return VerifyLedger(store::Location(file), ulb, origin, projections, node);
}

Result<VerifyReport> VerifyLedger(const store::Location& location, const std::string& ulb,
                                  const std::string& origin, const Projections& projections,
                                  const NoteVerifier& node) {
  VerifyReport report;
  report.ulb = ulb;
  auto problem = [&](std::string p) {
    if (report.problems.size() < kMaxProblems) report.problems.push_back(std::move(p));
  };
  store::OpenOptions ro;
  ro.read_only = true;
  PALIKA_ASSIGN_OR_RETURN(auto db, store::OpenDatabase(location, ro));
  PALIKA_RETURN_IF_ERROR(db->BeginRead());

  // The file must belong to this ULB.
  auto meta = db->QueryOne("SELECT value FROM ledger_meta WHERE key = 'ulb'");
  if (!meta.ok() || !*meta) {
    problem("the file has no ledger_meta record; it is not a Palika ledger or it was damaged");
    return report;
  }
  if ((*meta)->Text(0) != ulb)
    problem(fmt::format("the file says it belongs to ULB {}, not {}", (*meta)->Text(0), ulb));

  // Every table must be known: part of the record, or listed as outside it.
  std::set<std::string> known = {"ledger_meta", "schema_version"};
  for (const auto& t : LedgerTables().tables()) known.insert(t.name);
  for (const auto& t : projections.tables()) known.insert(t.name);
  for (const auto& t : projections.unrecorded_tables()) known.insert(t.name);
  PALIKA_ASSIGN_OR_RETURN(auto objects, db->SchemaObjects());
  for (const auto& [name, type] : objects) {
    if (type != "table" || !known.contains(name)) {
      problem(fmt::format("{} '{}' is not part of Palika's schema; someone added it", type, name));
    }
  }

  // Checkpoints: signed by this node under this log's name, each with its tree.
  const std::string log = LogName(origin, ulb);
  PALIKA_ASSIGN_OR_RETURN(NoteVerifier verifier, LogVerifier(node, log));
  std::vector<StoredCheckpoint> checkpoints;
  PALIKA_RETURN_IF_ERROR(db->ForEach(
      "SELECT origin, size, time_us, note, tree FROM ledger_checkpoints ORDER BY origin, size", {},
      [&](const store::Row& r) {
        StoredCheckpoint c{static_cast<uint64_t>(r.Int(1)), r.Int(2), false, {}};
        std::string where =
            fmt::format("checkpoint at size {} (written {})", c.size, FormatTime(c.time_us));
        if (r.Text(0) != origin) {
          problem(fmt::format("{} is from node '{}', which this key cannot vouch for", where,
                              r.Text(0)));
          return true;
        }
        auto cp = OpenCheckpoint(r.Text(3), verifier);
        if (!cp.ok()) {
          problem(fmt::format("{}: signature does not verify ({})", where, cp.status().message()));
        } else if (cp->size != c.size) {
          problem(fmt::format("{}: the signed size is {}", where, cp->size));
        } else {
          auto range = CompactRange::Deserialize(r.Text(4));
          if (!range.ok() || range->size() != c.size || range->Root() != cp->root) {
            problem(fmt::format("{}: its stored tree does not match its signed root", where));
          }
          c.valid = true;
          c.root = cp->root;
        }
        checkpoints.push_back(c);
        return true;
      }));
  report.checkpoints = checkpoints.size();

  // Replay into an empty private copy of the schema (same engine, so rows compare and sort
  // alike) with the one apply path.
  PALIKA_ASSIGN_OR_RETURN(auto scratch, store::OpenScratch(location));
  PALIKA_RETURN_IF_ERROR(LedgerTables().CreateSchema(*scratch));
  PALIKA_RETURN_IF_ERROR(projections.CreateSchema(*scratch));
  // The replay is compared by its record tables only: derived indexes need not be built at all.
  PALIKA_RETURN_IF_ERROR(projections.BeginBulkReplay(*scratch));
  PALIKA_RETURN_IF_ERROR(scratch->BeginWrite());

  CompactRange tree;
  size_t next_cp = 0;
  uint64_t last_good = 0;
  bool tree_broken = false;
  bool replay_broken = false;
  PALIKA_RETURN_IF_ERROR(db->ForEach(
      "SELECT origin, seq, ulb, time_us, actor, type, payload FROM ledger_entries "
      "ORDER BY origin, seq",
      {}, [&](const store::Row& r) {
        Entry e{r.Text(2), r.Text(0), static_cast<uint64_t>(r.Int(1)), r.Int(3), r.Text(4),
                r.Text(5), r.Text(6)};
        if (e.origin != origin) {
          problem(fmt::format("entry {} is from node '{}', which this key cannot vouch for", e.seq,
                              e.origin));
          return true;
        }
        ++report.entries;
        if (e.seq != tree.size() + 1 && !tree_broken) {
          problem(fmt::format("entry {} is missing (the next stored entry is {})", tree.size() + 1,
                              e.seq));
          tree_broken = true;
        }
        if (e.ulb != ulb) problem(fmt::format("entry {} names ULB {}, not {}", e.seq, e.ulb, ulb));
        tree.Append(LeafHash(EncodeEntry(e)));
        while (next_cp < checkpoints.size() && checkpoints[next_cp].size == tree.size()) {
          const auto& c = checkpoints[next_cp++];
          if (!c.valid) continue;
          if (c.root != tree.Root()) {
            problem(
                fmt::format("checkpoint at size {} (written {}) does not match the entries: "
                            "an entry from {} to {} was altered, inserted, removed or "
                            "reordered",
                            c.size, FormatTime(c.time_us), last_good + 1, c.size));
          } else {
            last_good = c.size;
          }
        }
        if (!replay_broken) {
          Status s = ApplyEntry(projections, *scratch, e);
          if (!s.ok()) {
            problem(
                fmt::format("entry {} ({}) cannot be replayed: {}", e.seq, e.type, s.message()));
            replay_broken = true;
          }
        }
        return true;
      }));
  report.root_hex = HashHex(tree.Root());
  for (; next_cp < checkpoints.size(); ++next_cp) {
    problem(
        fmt::format("checkpoint at size {} covers more entries than the {} present: entries "
                    "were removed",
                    checkpoints[next_cp].size, tree.size()));
  }
  uint64_t covered = checkpoints.empty() ? 0 : checkpoints.back().size;
  if (covered < tree.size()) {
    problem(
        fmt::format("entries {} to {} are not covered by any signed checkpoint (they were "
                    "added after the last one, or checkpoints were deleted)",
                    covered + 1, tree.size()));
  }
  PALIKA_RETURN_IF_ERROR(scratch->Commit());

  // Compare every record table with its replay, row by row in a total order.
  std::vector<Projections::Table> compare = projections.tables();
  for (const auto& t : LedgerTables().tables()) {
    if (t.name == "idempotency_keys") compare.push_back(t);
  }
  for (const auto& t : compare) {
    PALIKA_RETURN_IF_ERROR(CompareTable(*db, *scratch, t, report, problem));
  }
  (void)db->Rollback();
  return report;
}

}  // namespace palika::ledger
