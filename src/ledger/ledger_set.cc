#include "ledger/ledger_set.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "core/encoding.h"
#include "core/ids.h"
#include "ledger/node_key.h"

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

}  // namespace

Status InitDataDir(const fs::path& dir) {
  std::error_code ec;
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
                                                   Metrics* metrics) {
  std::unique_ptr<LedgerSet> set(new LedgerSet());
  set->dir_ = dir;
  set->state_projections_ = &state_projections;
  set->ulb_projections_ = &ulb_projections;
  set->metrics_ = metrics;
  set->backups_ = std::make_unique<BackupAcks>(metrics);
  PALIKA_ASSIGN_OR_RETURN(set->config_, ReadDataDirConfig(dir));
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
  std::vector<std::string> codes;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir / "ulb", ec)) {
    if (f.path().extension() == ".db") codes.push_back(f.path().stem().string());
  }
  std::sort(codes.begin(), codes.end());
  for (const auto& code : codes) {
    auto l = set->OpenLedger(code, set->UlbFile(code), false);
    if (l.ok()) {
      set->ulbs_.emplace(code, std::move(l).value());
    } else {
      spdlog::error("ULB {} is held back: {}", code, l.status().message());
      set->held_back_.emplace(code, l.status());
    }
  }
  return set;
}

fs::path LedgerSet::UlbFile(const std::string& code) const { return dir_ / "ulb" / (code + ".db"); }

Result<std::unique_ptr<Ledger>> LedgerSet::OpenLedger(const std::string& ulb, const fs::path& file,
                                                      bool create) {
  const std::string log = LogName(config_.node, ulb);
  LogKeys keys;
  // Each log is signed by the node's key under the log's own name.
  PALIKA_ASSIGN_OR_RETURN(NoteSigner s, node_signer_->WithName(log));
  keys.signer = std::make_unique<NoteSigner>(std::move(s));
  keys.verifier = std::make_unique<NoteVerifier>(keys.signer->Verifier());
  LedgerOptions options;
  options.file = file;
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

Result<Ledger*> LedgerSet::Ulb(const std::string& code) {
  std::lock_guard lk(mu_);
  if (auto it = ulbs_.find(code); it != ulbs_.end()) return it->second.get();
  if (auto it = held_back_.find(code); it != held_back_.end()) {
    if (it->second.code() == "ulb_missing") return it->second;
    return Status::Unavailable(
        "ulb_held_back",
        "ULB " + code +
            " is not being served because its data failed an integrity check. The "
            "state administrator has been told; other ULBs are not affected.",
        "निकाय " + code +
            " की सेवा रोकी गई है क्योंकि उसका डेटा अखंडता जाँच में विफल रहा। राज्य "
            "प्रशासक को सूचित किया गया है; अन्य निकाय प्रभावित नहीं हैं।");
  }
  return Status::NotFound("ulb_not_found",
                          "There is no ULB with code " + code + ". Check the code (4 digits).",
                          "कोड " + code + " वाला कोई नगरीय निकाय नहीं है। कोड (4 अंक) जाँचें।");
}

Result<Ledger*> LedgerSet::CreateUlb(const std::string& code) {
  std::lock_guard create(create_mu_);
  bool held_back = false;
  {
    std::lock_guard lk(mu_);
    if (auto it = ulbs_.find(code); it != ulbs_.end()) return it->second.get();
    held_back = held_back_.contains(code);
  }
  // Ulb() takes mu_ itself: calling it under the lock above deadlocked start-up.
  if (held_back) return Ulb(code).status();
  PALIKA_ASSIGN_OR_RETURN(auto ledger, OpenLedger(code, UlbFile(code), true));
  // fsync the directory so the new file's name survives a crash.
  int fd = ::open((dir_ / "ulb").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  std::lock_guard lk(mu_);
  auto [it, inserted] = ulbs_.emplace(code, std::move(ledger));
  return it->second.get();
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
  std::sort(out.begin(), out.end());
  return out;
}

void LedgerSet::Close() {
  std::lock_guard lk(mu_);
  for (auto& [code, l] : ulbs_) l->Close();
  if (state_) state_->Close();
}

}  // namespace palika::ledger
