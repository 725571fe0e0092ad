#include "ledger/ledger_set.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "core/encoding.h"
#include "core/ids.h"
#include "ledger/durable_file.h"
#include "ledger/node_key.h"
#include "store/postgres/database.h"

namespace palika::ledger {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace {

Status WriteFileDurably(const fs::path& file, const std::string& text, mode_t mode) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Status::IOError("cannot create " + file.string() + ": " + strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Status::IOError("cannot write " + file.string() + ": " + strerror(errno));
  return Status::OK();
}

Result<std::string> ReadFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::NotFound("file_missing", "Cannot read " + file.string() + ".");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status Ulb404(const std::string& code) {
  return Status::NotFound("ulb_not_found",
                          "There is no ULB with code " + code + ". Check the code (4 digits).",
                          "कोड " + code + " वाला कोई नगरीय निकाय नहीं है। कोड (4 अंक) जाँचें।");
}

// What a ULB held back answers: a missing file or a move says so; anything else is an integrity
// failure, whose details go to the log, not to the counter.
Status HeldBack(const std::string& code, const Status& why) {
  if (why.code() == "ulb_missing" || why.code() == "ulb_moving" ||
      why.code() == "cluster_name_mismatch") {
    return why;
  }
  return Status::Unavailable(
      "ulb_held_back",
      "ULB " + code +
          " is not being served because its data failed an integrity check. The "
          "state administrator has been told; other ULBs are not affected.",
      "निकाय " + code +
          " की सेवा रोकी गई है क्योंकि उसका डेटा अखंडता जाँच में विफल रहा। राज्य "
          "प्रशासक को सूचित किया गया है; अन्य निकाय प्रभावित नहीं हैं।");
}

}  // namespace

Status RestoreIncomplete(const fs::path& dir) {
  return Status::Unavailable(
      "restore_incomplete",
      dir.string() + " is a restore that did not finish (it holds " + kRestoreIncompleteFile +
          "): its ledgers may be partial, so it is never served. Delete the directory and run "
          "`palika restore` again.",
      dir.string() + " एक अधूरा पुनर्स्थापन है (" + kRestoreIncompleteFile +
          "): इसके लेजर अधूरे हो सकते हैं, इसलिए इसे कभी चलाया नहीं जाता। निर्देशिका हटाएँ और `palika "
          "restore` फिर से चलाएँ।");
}

Status InitDataDir(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir / kRestoreIncompleteFile, ec)) return RestoreIncomplete(dir);
  fs::create_directories(dir / "ulb", ec);
  if (ec) return Status::IOError("cannot create " + dir.string() + ": " + ec.message());
  if (fs::exists(dir / "palika.json")) {
    return Status::Conflict("data_dir_exists",
                            dir.string() +
                                " already holds a Palika data directory; use it, or "
                                "choose an empty directory.",
                            dir.string() + " में पहले से Palika डेटा है।");
  }
  const std::string node = "node-" + HexEncode(RandomBytes(4));
  PALIKA_RETURN_IF_ERROR(CreateNodeKey(dir / "node.key", node));
  PALIKA_ASSIGN_OR_RETURN(NoteSigner signer, LoadNodeKey(dir / "node.key"));
  PALIKA_RETURN_IF_ERROR(
      WriteFileDurably(dir / "node.pub", signer.Verifier().ToString() + "\n", 0644));
  json::object conf{{"store", "sqlite"}, {"node", node}, {"format", 1}};
  // palika.json last: its presence says the directory is complete.
  return WriteFileDurably(dir / "palika.json", json::serialize(conf) + "\n", 0644);
}

Result<DataDirConfig> ReadDataDirConfig(const fs::path& dir) {
  std::error_code exists_ec;
  if (fs::exists(dir / kRestoreIncompleteFile, exists_ec)) return RestoreIncomplete(dir);
  auto text = ReadFile(dir / "palika.json");
  if (!text.ok()) {
    return Status::NotFound("no_data_dir",
                            dir.string() +
                                " is not a Palika data directory (no palika.json). Create one with "
                                "`palika init --data " +
                                dir.string() + "`.",
                            dir.string() + " Palika डेटा निर्देशिका नहीं है। `palika init` से बनाएँ।");
  }
  boost::system::error_code ec;
  auto v = json::parse(*text, ec);
  if (ec || !v.is_object() || !v.as_object().contains("node") ||
      !v.as_object().at("node").is_string()) {
    return Status::Corruption(dir.string() + "/palika.json is not valid.");
  }
  DataDirConfig c;
  c.node = v.as_object().at("node").as_string().c_str();
  if (auto* s = v.as_object().if_contains("store"); s && s->is_string())
    c.store = s->as_string().c_str();
  return c;
}

Result<NoteVerifier> LogVerifier(const NoteVerifier& node, const std::string& log_name) {
  return NoteVerifier::FromPublicKey(log_name, node.public_key());
}

LedgerSet::~LedgerSet() { Close(); }

Result<std::unique_ptr<LedgerSet>> LedgerSet::Open(const fs::path& dir,
                                                   const Projections& state_projections,
                                                   const Projections& ulb_projections,
                                                   Metrics* metrics, const StoreOptions& stores) {
  std::unique_ptr<LedgerSet> set(new LedgerSet());
  set->dir_ = dir;
  set->stores_ = stores;
  set->state_projections_ = &state_projections;
  set->ulb_projections_ = &ulb_projections;
  set->metrics_ = metrics;
  PALIKA_ASSIGN_OR_RETURN(set->config_, ReadDataDirConfig(dir));
  set->backups_ = std::make_unique<BackupAcks>(metrics, dir / "backup-acks.json");
  if (set->config_.store != "sqlite") {
    return Status::InvalidArgument("store_unsupported",
                                   "This data directory uses the '" + set->config_.store +
                                       "' store, which this build does not support.");
  }
  PALIKA_ASSIGN_OR_RETURN(NoteSigner signer, LoadNodeKey(dir / "node.key"));
  set->node_verifier_ = signer.Verifier();
  set->node_signer_ = std::make_unique<NoteSigner>(std::move(signer));
  // The published public key must be the node key's: a swapped node.pub would let forged
  // checkpoints pass an outside check.
  auto pub = ReadFile(dir / "node.pub");
  if (pub.ok()) {
    std::string p = *pub;
    while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
    if (p != set->node_verifier_.ToString()) {
      return Status::Corruption(dir.string() + "/node.pub does not match node.key.");
    }
  }

  PALIKA_ASSIGN_OR_RETURN(set->state_, set->OpenLedger("state", dir / "state.db", true));
  // A cluster given under another name than the one it keeps (swapped --pg options) is refused
  // before anything is routed to it; one that cannot be reached now is checked on first use.
  for (const auto& [name, url] : stores.clusters) {
    if (stores.pg_connections > 0) store::postgres::SetConnectionLimit(url, stores.pg_connections);
    Status named = CheckClusterName(name, url);
    if (named.code() == "cluster_name_mismatch") return named;
    if (named.ok()) {
      set->named_clusters_.insert(name);
    } else {
      spdlog::warn("cannot check the PostgreSQL cluster '{}' now: {}", name, named.message());
    }
  }
  std::vector<UlbMove> moves;
  if (set->HasShardMap()) {
    PALIKA_RETURN_IF_ERROR(set->state_->Read([&](store::Transaction& tx) -> Status {
      PALIKA_ASSIGN_OR_RETURN(set->placements_, ReadPlacements(tx));
      PALIKA_ASSIGN_OR_RETURN(moves, ReadMoves(tx));
      return Status::OK();
    }));
  }
  set->FinishMoves(moves);
  std::set<std::string> codes;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir / "ulb", ec)) {
    if (f.path().extension() != ".db") continue;
    const std::string code = f.path().stem().string();
    if (!set->PlacementOf(code).sqlite()) {
      spdlog::warn("{} is not served: the shard map places ULB {} in {}", f.path().string(), code,
                   set->PlacementOf(code).ToString());
      continue;
    }
    codes.insert(code);
  }
  for (const auto& [code, placement] : set->placements_) {
    if (!placement.sqlite()) codes.insert(code);
  }
  for (const auto& code : codes) {
    auto l = set->OpenUlbAt(code, set->PlacementOf(code), false);
    if (l.ok()) {
      set->ulbs_.emplace(code, std::move(l).value());
    } else if (l.status().code() == "database_missing") {
      // Placed by `ulb place` but not created yet: CreateUlb makes it.
    } else if (l.status().code() == "store_unavailable" || l.status().code() == "store_busy") {
      // Its store is down, busy or not configured: answered as such, and tried again later.
      spdlog::error("ULB {} is unavailable for now: {}", code, l.status().message());
      set->unreachable_[code] = {l.status(), std::chrono::steady_clock::now() + stores.retry_after};
    } else {
      spdlog::error("ULB {} is held back: {}", code, l.status().message());
      set->held_back_.emplace(code, l.status());
    }
  }
  return set;
}

bool LedgerSet::HasShardMap() const { return state_projections_->Knows("ulb.placed"); }

Placement LedgerSet::PlacementOf(const std::string& code) const {
  std::lock_guard lk(mu_);
  auto it = placements_.find(code);
  return it == placements_.end() ? Placement{} : it->second;
}

std::map<std::string, Placement> LedgerSet::Placements() const {
  std::lock_guard lk(mu_);
  return placements_;
}

Result<store::Location> LedgerSet::LocationOf(const std::string& code,
                                              const Placement& placement) const {
  if (placement.sqlite()) return store::Location(UlbFile(code));
  auto cluster = stores_.clusters.find(placement.cluster);
  if (cluster == stores_.clusters.end()) {
    return Status::Unavailable("store_unavailable",
                               "ULB " + code + " lives in the PostgreSQL cluster '" +
                                   placement.cluster +
                                   "', which this server was not given. Start it with --pg " +
                                   placement.cluster + "=URL; other ULBs are not affected.",
                               "निकाय " + code + " का डेटा PostgreSQL क्लस्टर '" + placement.cluster +
                                   "' में है, जो इस सर्वर को नहीं दिया गया। सर्वर को --pg " +
                                   placement.cluster + "=URL के साथ चलाएँ; अन्य निकाय प्रभावित नहीं हैं।");
  }
  // The cluster at this URL must be the one the map calls by this name (checked once).
  bool named = false;
  {
    std::lock_guard lk(mu_);
    named = named_clusters_.contains(placement.cluster);
  }
  if (!named) {
    PALIKA_RETURN_IF_ERROR(CheckClusterName(placement.cluster, cluster->second));
    std::lock_guard lk(mu_);
    named_clusters_.insert(placement.cluster);
  }
  return store::Location::Postgres(cluster->second, store::postgres::SchemaFor(code));
}

Result<std::unique_ptr<Ledger>> LedgerSet::OpenUlbAt(const std::string& code,
                                                     const Placement& placement, bool create) {
  PALIKA_ASSIGN_OR_RETURN(store::Location location, LocationOf(code, placement));
  return OpenLedger(code, location, create);
}

// A move is recorded (ulb.moved) before its files are renamed; a crash in between leaves the
// source under its old name. Finished here, before any ULB is opened.
void LedgerSet::FinishMoves(const std::vector<UlbMove>& moves) {
  std::map<std::string, const UlbMove*> last;
  for (const auto& m : moves) last[m.ulb] = &m;
  for (const auto& [code, m] : last) {
    const fs::path file = UlbFile(code);
    const fs::path moving = file.string() + ".moving";
    std::error_code ec;
    if (m->from.sqlite() && !m->kept_as.empty() && !fs::exists(dir_ / m->kept_as, ec) &&
        fs::exists(file, ec) && (!m->to.sqlite() || fs::exists(moving, ec))) {
      fs::create_directories((dir_ / m->kept_as).parent_path(), ec);
      fs::rename(file, dir_ / m->kept_as, ec);
      if (ec)
        spdlog::error("cannot set {} aside as {}: {}", file.string(), m->kept_as, ec.message());
    }
    if (!m->from.sqlite() && !m->kept_as.empty()) SetSchemaAside(*m);
    if (m->to.sqlite() && fs::exists(moving, ec) && !fs::exists(file, ec)) {
      fs::rename(moving, file, ec);
      if (ec) spdlog::error("cannot put {} in place: {}", moving.string(), ec.message());
    }
    (void)SyncDirectory(dir_ / "ulb");
  }
}

// A PostgreSQL source keeps its data under another schema name, in its own cluster: renamed,
// never dropped. Nothing to do once it is renamed (or when its cluster is not given: the next
// open with it finishes).
void LedgerSet::SetSchemaAside(const UlbMove& m) {
  auto at = LocationOf(m.ulb, m.from);
  if (!at.ok()) return;
  store::OpenOptions open;
  auto db = store::OpenDatabase(*at, open);
  if (!db.ok()) {
    if (db.status().code() != "database_missing") {
      spdlog::error("cannot set schema {} aside as {}: {}", at->ToString(), m.kept_as,
                    db.status().message());
    }
    return;
  }
  Status s =
      (*db)->ExecScript("ALTER SCHEMA \"" + at->schema + "\" RENAME TO \"" + m.kept_as + "\"");
  if (!s.ok()) {
    spdlog::error("cannot set schema {} aside as {}: {}", at->ToString(), m.kept_as, s.message());
  }
}

fs::path LedgerSet::UlbFile(const std::string& code) const { return dir_ / "ulb" / (code + ".db"); }

Result<std::unique_ptr<Ledger>> LedgerSet::OpenLedger(const std::string& ulb,
                                                      const store::Location& location,
                                                      bool create) {
  const std::string log = LogName(config_.node, ulb);
  LogKeys keys;
  // Each log is signed by the node's key under the log's own name.
  PALIKA_ASSIGN_OR_RETURN(NoteSigner s, node_signer_->WithName(log));
  keys.signer = std::make_unique<NoteSigner>(std::move(s));
  keys.verifier = std::make_unique<NoteVerifier>(keys.signer->Verifier());
  LedgerOptions options;
  options.location = location;
  options.ulb = ulb;
  options.origin = config_.node;
  options.signer = keys.signer.get();
  options.verifier = keys.verifier.get();
  options.projections = ulb == "state" ? state_projections_ : ulb_projections_;
  options.metrics = metrics_;
  options.backups = backups_.get();
  options.checkpoint_signal = &checkpoint_signal_;
  {
    std::lock_guard lk(mu_);
    keys_[ulb] = std::move(keys);
  }
  return Ledger::Open(options, create);
}

Ledger* LedgerSet::OpenUlb(const std::string& code) {
  std::lock_guard lk(mu_);
  auto it = ulbs_.find(code);
  return it == ulbs_.end() ? nullptr : it->second.get();
}

Result<Ledger*> LedgerSet::Ulb(const std::string& code) {
  {
    std::lock_guard lk(mu_);
    if (auto it = ulbs_.find(code); it != ulbs_.end()) return it->second.get();
    if (auto it = held_back_.find(code); it != held_back_.end()) return HeldBack(code, it->second);
    auto it = unreachable_.find(code);
    if (it == unreachable_.end()) return Ulb404(code);
    if (std::chrono::steady_clock::now() < it->second.retry_at) return it->second.why;
  }
  // Its store was unreachable: try again (one thread at a time; the others see the outcome).
  std::unique_lock create(create_mu_);
  {
    std::lock_guard lk(mu_);
    if (auto it = ulbs_.find(code); it != ulbs_.end()) return it->second.get();
    if (auto it = held_back_.find(code); it != held_back_.end()) return HeldBack(code, it->second);
    auto it = unreachable_.find(code);
    if (it == unreachable_.end()) return Ulb404(code);
    if (std::chrono::steady_clock::now() < it->second.retry_at) return it->second.why;
  }
  auto l = OpenUlbAt(code, PlacementOf(code), false);
  std::lock_guard lk(mu_);
  if (!l.ok()) {
    if (l.status().code() == "database_missing") {
      unreachable_.erase(code);  // placed, never created: CreateUlb makes it
      return Ulb404(code);
    }
    if (l.status().code() == "store_unavailable" || l.status().code() == "store_busy") {
      unreachable_[code] = {l.status(), std::chrono::steady_clock::now() + stores_.retry_after};
    } else {
      spdlog::error("ULB {} is held back: {}", code, l.status().message());
      unreachable_.erase(code);
      held_back_.insert_or_assign(code, l.status());
      return HeldBack(code, l.status());
    }
    return l.status();
  }
  spdlog::info("ULB {} is served again: its store answers", code);
  unreachable_.erase(code);
  auto [it, inserted] = ulbs_.emplace(code, std::move(l).value());
  return it->second.get();
}

Result<Ledger*> LedgerSet::CreateUlb(const std::string& code) {
  std::lock_guard create(create_mu_);
  bool known = false;
  {
    std::lock_guard lk(mu_);
    if (auto it = ulbs_.find(code); it != ulbs_.end()) return it->second.get();
    known = held_back_.contains(code) || unreachable_.contains(code);
  }
  // Ulb() takes mu_ itself: calling it under the lock above deadlocked start-up.
  if (known) {
    std::lock_guard lk(mu_);
    if (auto it = held_back_.find(code); it != held_back_.end()) return HeldBack(code, it->second);
    return unreachable_.at(code).why;
  }
  bool placed = false;
  {
    std::lock_guard lk(mu_);
    placed = placements_.contains(code);
  }
  if (!placed && !stores_.new_ulbs.sqlite() && HasShardMap()) {
    // Recorded before the ledger is made: a crash in between leaves a placement without a
    // ledger, never a ledger the map does not know.
    PALIKA_RETURN_IF_ERROR(SubmitPlacement("system", code, stores_.new_ulbs));
  }
  const Placement placement = PlacementOf(code);
  PALIKA_ASSIGN_OR_RETURN(auto ledger, OpenUlbAt(code, placement, true));
  if (placement.sqlite()) {
    // fsync the directory so the new file's name survives a crash.
    (void)SyncDirectory(dir_ / "ulb");
  }
  std::lock_guard lk(mu_);
  auto [it, inserted] = ulbs_.emplace(code, std::move(ledger));
  return it->second.get();
}

Status LedgerSet::SubmitPlacement(const std::string& actor, const std::string& code,
                                  const Placement& placement) {
  Command c;
  c.actor = actor;
  c.decide = [code, placement](store::Transaction&, int64_t) -> Result<Decision> {
    json::object o{{"ulb", code}, {"store", placement.store}, {"cluster", placement.cluster}};
    return Decision{{Event{"ulb.placed", o}}, nullptr};
  };
  PALIKA_RETURN_IF_ERROR(state_->Submit(std::move(c)).status());
  std::lock_guard lk(mu_);
  placements_[code] = placement;
  return Status::OK();
}

Status LedgerSet::PlaceUlb(const std::string& actor, const std::string& code,
                           const Placement& placement) {
  if (!HasShardMap()) {
    return Status::Internal("this ledger set's state projections do not register the shard map");
  }
  if (!placement.sqlite() && !stores_.clusters.contains(placement.cluster)) {
    return Status::InvalidArgument("cluster_unknown",
                                   "There is no PostgreSQL cluster named '" + placement.cluster +
                                       "'. Give it with --pg " + placement.cluster + "=URL.",
                                   "'" + placement.cluster +
                                       "' नाम का कोई PostgreSQL क्लस्टर नहीं है। उसे --pg " +
                                       placement.cluster + "=URL से दें।");
  }
  std::lock_guard create(create_mu_);
  bool has_ledger = false;
  {
    std::lock_guard lk(mu_);
    has_ledger = ulbs_.contains(code) || held_back_.contains(code) || unreachable_.contains(code);
  }
  std::error_code ec;
  if (has_ledger || fs::exists(UlbFile(code), ec)) {
    return Status::Conflict("ulb_has_ledger",
                            "ULB " + code + " already has its ledger in " +
                                PlacementOf(code).ToString() +
                                ". To move its data elsewhere, use `palika move-ulb`.",
                            "निकाय " + code + " का लेजर पहले से " + PlacementOf(code).ToString() +
                                " में है। डेटा दूसरी जगह ले जाने के लिए `palika move-ulb` का उपयोग करें।");
  }
  return SubmitPlacement(actor, code, placement);
}

Status LedgerSet::RecordMove(const std::string& actor, const UlbMove& move) {
  Command c;
  c.actor = actor;
  c.decide = [move](store::Transaction&, int64_t) -> Result<Decision> {
    json::object o{{"ulb", move.ulb},
                   {"from_store", move.from.store},
                   {"from_cluster", move.from.cluster},
                   {"to_store", move.to.store},
                   {"to_cluster", move.to.cluster},
                   {"entries", static_cast<int64_t>(move.entries)},
                   {"root", move.root},
                   {"kept_as", move.kept_as}};
    return Decision{{Event{"ulb.moved", o}}, nullptr};
  };
  PALIKA_RETURN_IF_ERROR(state_->Submit(std::move(c)).status());
  {
    std::lock_guard lk(mu_);
    placements_[move.ulb] = move.to;
  }
  // Recorded: now the files (FinishMoves redoes this after a crash).
  FinishMoves({move});
  return Status::OK();
}

void LedgerSet::CloseUlb(const std::string& code) {
  std::unique_ptr<Ledger> closing;
  {
    std::lock_guard lk(mu_);
    if (auto it = ulbs_.find(code); it != ulbs_.end()) {
      closing = std::move(it->second);
      ulbs_.erase(it);
    }
    unreachable_.erase(code);
    held_back_.insert_or_assign(
        code, Status::Unavailable("ulb_moving",
                                  "ULB " + code +
                                      " is being moved to another store; try again "
                                      "in a few minutes.",
                                  "निकाय " + code +
                                      " को दूसरे भंडार में ले जाया जा रहा है; कुछ "
                                      "मिनट बाद फिर प्रयास करें।"));
  }
  if (closing) closing->Close();
}

void LedgerSet::HoldBack(const std::string& code, Status why) {
  spdlog::error("ULB {} is held back: {}", code, why.message());
  std::lock_guard lk(mu_);
  held_back_.insert_or_assign(code, std::move(why));
}

std::vector<std::string> LedgerSet::UlbCodes() const {
  std::lock_guard lk(mu_);
  std::vector<std::string> out;
  for (const auto& [code, l] : ulbs_) out.push_back(code);
  for (const auto& [code, s] : held_back_) out.push_back(code);
  for (const auto& [code, u] : unreachable_) out.push_back(code);
  std::sort(out.begin(), out.end());
  return out;
}

void LedgerSet::Close() {
  std::lock_guard lk(mu_);
  for (auto& [code, l] : ulbs_) l->Close();
  if (state_) state_->Close();
}

}  // namespace palika::ledger
