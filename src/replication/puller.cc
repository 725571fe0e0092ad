#include "replication/puller.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "core/ids.h"
#include "ledger/checkpoint.h"
#include "ledger/durable_file.h"
#include "ledger/entry.h"
#include "ledger/ledger.h"
#include "ledger/ledger_set.h"
#include "ledger/segment.h"

namespace palika::replication {
namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

bool IsHex(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string KeyOf(const std::string& ulb, const std::string& origin) { return ulb + "/" + origin; }

const json::value* Field(const json::value& v, std::string_view name) {
  const auto* o = v.if_object();
  return o ? o->if_contains(name) : nullptr;
}

std::string StringField(const json::value& v, std::string_view name) {
  const auto* f = Field(v, name);
  return f && f->is_string() ? std::string(f->get_string()) : std::string();
}

// A non-negative integer field; nullopt when absent or of another type.
std::optional<uint64_t> UintField(const json::value& v, std::string_view name) {
  const auto* f = Field(v, name);
  if (!f) return std::nullopt;
  if (f->is_uint64()) return f->get_uint64();
  if (f->is_int64() && f->get_int64() >= 0) return static_cast<uint64_t>(f->get_int64());
  return std::nullopt;
}

Status MalformedAnswer(const std::string& what) {
  return Status::Unavailable("primary_bad_answer",
                             "The primary's answer is not what a Palika server sends (" + what +
                                 "). Check --from: it must be the Palika server's address.",
                             "प्राथमिक सर्वर का उत्तर Palika जैसा नहीं है (" + what + ")। --from जाँचें।");
}

}  // namespace

Puller::Puller(PullOptions options) : options_(std::move(options)) {
  metrics_.RegisterCounter("palika_backup_refused_total",
                           "Histories refused because they do not extend what this backup "
                           "holds (rewritten, truncated, forked, bad signature), by ledger.");
  metrics_.RegisterCounter("palika_backup_segments_written_total", "Segments written, by ledger.");
  metrics_.RegisterCounter("palika_backup_entries_pulled_total", "Entries written, by ledger.");
  metrics_.RegisterCounter("palika_backup_pull_errors_total",
                           "Failed requests or writes (network, disk), retried.");
  metrics_.RegisterGauge("palika_backup_held_entries", "Entries this backup holds, by ledger.");
  metrics_.RegisterGauge("palika_backup_primary_entries",
                         "Entries the primary reported at the last pass, by ledger.");
  metrics_.RegisterGauge("palika_backup_last_pass_timestamp_seconds",
                         "Unix time of the last pass that reached the primary.");
}

Puller::~Puller() = default;

Result<std::unique_ptr<Puller>> Puller::Open(PullOptions options) {
  std::unique_ptr<Puller> p(new Puller(std::move(options)));
  PALIKA_ASSIGN_OR_RETURN(p->url_, http::ParseHttpUrl(p->options_.from));
  p->client_ = std::make_unique<http::Client>(
      p->url_.host, p->url_.port,
      std::chrono::duration_cast<std::chrono::milliseconds>(p->options_.timeout),
      "palika-backup-pull");
  std::error_code ec;
  fs::create_directories(p->options_.to, ec);
  if (ec) {
    return Status::IOError("cannot create the backup directory " + p->options_.to.string() + ": " +
                           ec.message());
  }
  if (!p->options_.encrypt_to.empty()) {
    PALIKA_ASSIGN_OR_RETURN(auto seal, ledger::LoadSealKey(p->options_.encrypt_to));
    p->seal_ = seal;
  }
  PALIKA_RETURN_IF_ERROR(p->PinNodeKey());
  return p;
}

Result<json::value> Puller::GetJson(const std::string& target, std::chrono::milliseconds timeout) {
  const std::string full = url_.base_path + target;
  auto r =
      client_->Request("GET", full, "", {{"Authorization", "Bearer " + options_.token}}, timeout);
  if (r.status == 0) {
    return Status::Unavailable(
        "primary_unreachable",
        fmt::format("Cannot reach the primary at {} ({}). The backup keeps what it holds; it "
                    "retries when following.",
                    options_.from, r.error),
        fmt::format("प्राथमिक सर्वर {} तक नहीं पहुँच सके ({})। बैकअप में जो है वह सुरक्षित है।", options_.from,
                    r.error));
  }
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (r.status == 401 || r.status == 403) {
    const json::value* error = ec ? nullptr : Field(v, "error");
    const std::string why = error ? StringField(*error, "message") : r.body.substr(0, 200);
    return Status::Unauthenticated(
        "token_refused",
        fmt::format("The primary refused the replication token (HTTP {}: {}). Check --token-file; "
                    "the token may have been revoked (`palika token list` on the primary).",
                    r.status, why),
        "प्राथमिक सर्वर ने replication टोकन अस्वीकार किया। --token-file जाँचें; टोकन रद्द हो "
        "सकता है।");
  }
  if (r.status != 200 || ec) {
    return Status::Unavailable(
        "primary_error",
        fmt::format("The primary answered {} to {}: {}", r.status, full, r.body.substr(0, 300)),
        fmt::format("प्राथमिक सर्वर ने {} का उत्तर {} दिया।", full, r.status));
  }
  return v;
}

Status Puller::PinNodeKey() {
  const fs::path pinned_file = options_.to / "node.pub";
  std::optional<std::string> pinned;
  if (auto text = ledger::ReadWholeFile(pinned_file, 4096); text.ok()) {
    pinned = Trim(*text);
  } else if (text.status().kind() != StatusKind::kNotFound) {
    return text.status();
  }
  std::optional<std::string> given;
  if (!options_.node_pub.empty()) {
    PALIKA_ASSIGN_OR_RETURN(auto text, ledger::ReadWholeFile(options_.node_pub, 4096));
    given = Trim(text);
    if (pinned && *pinned != *given) {
      return Status::Conflict(
          "node_key_mismatch",
          fmt::format("{} pins another node key than --node-pub {}. A backup follows one primary "
                      "key; use a new backup directory for another key.",
                      pinned_file.string(), options_.node_pub.string()),
          "बैकअप निर्देशिका में पिन की गई नोड कुंजी --node-pub से अलग है। दूसरी कुंजी के लिए नई "
          "बैकअप निर्देशिका लें।");
    }
  }
  PALIKA_ASSIGN_OR_RETURN(
      json::value node,
      GetJson("/api/v1/replication/node",
              std::chrono::duration_cast<std::chrono::milliseconds>(options_.timeout)));
  const std::string served = StringField(node, "public_key");
  if (served.empty()) return MalformedAnswer("no public_key in /api/v1/replication/node");
  const std::string key = pinned ? *pinned : given ? *given : served;
  auto verifier = ledger::NoteVerifier::Parse(key);
  if (!verifier.ok()) {
    return Status::InvalidArgument(
        "node_key_invalid",
        "The node key '" + key + "' is not a verifier key (" + verifier.status().message() + ").",
        "नोड कुंजी मान्य नहीं है।");
  }
  node_ = *verifier;
  if (!pinned) {
    PALIKA_RETURN_IF_ERROR(ledger::WriteFileNoReplace(pinned_file, key + "\n", 0644));
    spdlog::info("pinned the primary's node key {} in {}", key, pinned_file.string());
  }
  if (served != key) {
    spdlog::error(
        "THE PRIMARY PRESENTS ANOTHER NODE KEY: it serves {} but this backup pinned {}. Every "
        "checkpoint it signs with the new key is refused. If the primary was rebuilt on purpose, "
        "start a new backup directory; otherwise treat the primary as compromised.",
        served, key);
  }
  return Status::OK();
}

Status Puller::LoadLog(LogState& log) {
  PALIKA_ASSIGN_OR_RETURN(auto listing, ledger::ListLogSegments(options_.to, log.ulb, log.origin));
  for (const auto& stray : listing.strays) {
    spdlog::warn("backup of {}: {} is not a segment; it is ignored", log.ulb, stray.string());
  }
  uint64_t expected = 1;
  for (const auto& seg : listing.segments) {
    if (seg.first != expected) {
      return Status::Corruption(fmt::format(
          "the backup of ledger {} is not contiguous: {} starts at entry {} where entry {} was "
          "expected. Nothing more is pulled for it until `palika verify --backup {}` is clean.",
          log.ulb, seg.path.string(), seg.first, expected, options_.to.string()));
    }
    expected = seg.last + 1;
  }
  log.loaded = true;
  if (listing.segments.empty()) return Status::OK();
  const auto& last = listing.segments.back();
  PALIKA_ASSIGN_OR_RETURN(auto header, ledger::ReadSegmentHeader(last.path));
  PALIKA_ASSIGN_OR_RETURN(auto verifier,
                          ledger::LogVerifier(*node_, ledger::LogName(log.origin, log.ulb)));
  auto cp = ledger::OpenCheckpoint(header.checkpoint_note, verifier);
  auto tree = ledger::CompactRange::Deserialize(header.tree);
  if (!cp.ok() || !tree.ok() || cp->size != last.last || tree->size() != cp->size ||
      tree->Root() != cp->root) {
    log.loaded = false;
    return Status::Corruption(fmt::format(
        "the last segment of ledger {} ({}) does not carry a checkpoint signed by the pinned node "
        "key with a matching tree{}. Run `palika verify --backup {}`.",
        log.ulb, last.path.string(), cp.ok() ? "" : " (" + cp.status().message() + ")",
        options_.to.string()));
  }
  log.size = cp->size;
  log.tree = std::move(tree).value();
  log.checkpoint = header.checkpoint_note;
  return Status::OK();
}

void Puller::Refuse(LogState& log, LedgerPull& out, const std::string& why) {
  out.refused = why;
  metrics_.Increment("palika_backup_refused_total", {{"ulb", log.ulb}});
  const auto now = Clock::now();
  if (why != log.refused || now - log.refused_logged > std::chrono::minutes(1)) {
    spdlog::error(
        "REFUSED the primary's history of ledger {}: {} This backup keeps the {} entries it holds "
        "and writes nothing of it. Investigate the primary (palika verify) before trusting it.",
        log.ulb, why, log.size);
    log.refused = why;
    log.refused_logged = now;
  }
}

void Puller::PullLedger(LogState& log, uint64_t primary_size, uint64_t target,
                        const std::string& primary_note, LedgerPull& out, bool write) {
  const auto refuse = [&](const std::string& why) {
    if (write) {
      Refuse(log, out, why);
    } else {
      out.refused = why;
    }
  };
  out.held_before = out.held = log.size;
  out.primary_size = primary_size;
  auto verifier = ledger::LogVerifier(*node_, ledger::LogName(log.origin, log.ulb));
  if (!verifier.ok()) {
    out.error = verifier.status().message();
    return;
  }
  if (primary_size < log.size || target < log.size) {
    refuse(
        fmt::format("the primary has {} entries (checkpoint at {}) but this backup holds {}: "
                    "its log was truncated or replaced.",
                    primary_size, target, log.size));
    return;
  }
  if (target == log.size) {
    if (log.size > 0 && primary_note != log.checkpoint) {
      auto cp = ledger::OpenCheckpoint(primary_note, *verifier);
      if (!cp.ok()) {
        refuse("its latest checkpoint is not signed by the pinned node key (" +
               cp.status().message() + ").");
      } else if (cp->size != log.size || cp->root != log.tree.Root()) {
        refuse(
            fmt::format("its checkpoint at {} entries has another root than the one this "
                        "backup holds: the log was forked or rewritten.",
                        log.size));
      }
    }
    return;
  }
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(options_.timeout);
  while (log.size < target) {
    auto got = GetJson(fmt::format("/api/v1/replication/ledgers/{}/entries?after={}&limit={}",
                                   log.ulb, log.size, options_.limit),
                       timeout);
    if (!got.ok()) {
      out.error = got.status().message();
      return;
    }
    const json::value& v = *got;
    const json::value* entries = Field(v, "entries");
    const auto cp_size = UintField(v, "checkpoint_size");
    const auto size = UintField(v, "size");
    if (!entries || !entries->is_array() || !cp_size || !size ||
        StringField(v, "origin") != log.origin) {
      out.error = MalformedAnswer("entries of " + log.ulb).message();
      return;
    }
    const auto& list = entries->get_array();
    if (list.empty()) {
      if (*size < log.size) {
        refuse(
            fmt::format("the primary now has {} entries but this backup holds {}: its log "
                        "was truncated.",
                        *size, log.size));
      } else {
        out.error =
            fmt::format("the primary announced a checkpoint at {} entries but serves none after {}",
                        target, log.size);
      }
      return;
    }
    const std::string note = StringField(v, "checkpoint");
    auto cp = ledger::OpenCheckpoint(note, *verifier);
    if (!cp.ok()) {
      refuse("the checkpoint closing entries " + std::to_string(log.size + 1) +
             " onwards is not signed by the pinned node key (" + cp.status().message() + ").");
      return;
    }
    if (cp->size != *cp_size || cp->size != log.size + list.size()) {
      refuse(
          fmt::format("it served {} entries after {} closed by a checkpoint of size {}; they "
                      "do not add up.",
                      list.size(), log.size, cp->size));
      return;
    }
    ledger::Segment seg;
    seg.ulb = log.ulb;
    seg.origin = log.origin;
    seg.first = log.size + 1;
    seg.last = cp->size;
    seg.entries.reserve(list.size());
    ledger::CompactRange tree = log.tree;
    for (const auto& item : list) {
      ledger::Entry e;
      e.ulb = StringField(item, "ulb");
      e.origin = StringField(item, "origin");
      e.seq = UintField(item, "seq").value_or(0);
      const auto* t = Field(item, "time_us");
      e.time_us = t && t->is_int64() ? t->get_int64() : 0;
      e.actor = StringField(item, "actor");
      e.type = StringField(item, "type");
      e.payload = StringField(item, "payload");
      if (e.seq != seg.first + seg.entries.size() || e.ulb != log.ulb || e.origin != log.origin) {
        refuse(fmt::format("entry {} of its answer is not entry {} of ledger {} from {}.",
                           seg.entries.size() + 1, seg.first + seg.entries.size(), log.ulb,
                           log.origin));
        return;
      }
      tree.Append(ledger::LeafHash(ledger::EncodeEntry(e)));
      seg.entries.push_back(std::move(e));
    }
    if (tree.Root() != cp->root) {
      refuse(
          fmt::format("entries {} to {} do not give the root its signed checkpoint names: they "
                      "do not extend what this backup holds (rewritten, forked or altered).",
                      seg.first, seg.last));
      return;
    }
    if (!write) {
      // Checked, not kept: the comparison goes on from the primary's tree at this checkpoint.
      log.size = cp->size;
      log.tree = std::move(tree);
      log.checkpoint = note;
      out.held = log.size;
      continue;
    }
    seg.checkpoint_note = note;
    seg.tree = tree.Serialize();
    Status written = ledger::WriteSegment(options_.to, seg, seal_ ? &*seal_ : nullptr);
    if (!written.ok()) {
      out.error = "cannot write the segment: " + written.message();
      return;
    }
    log.size = cp->size;
    log.tree = std::move(tree);
    log.checkpoint = note;
    log.refused.clear();
    out.held = log.size;
    ++out.segments;
    metrics_.Increment("palika_backup_segments_written_total", {{"ulb", log.ulb}});
    metrics_.Increment("palika_backup_entries_pulled_total", {{"ulb", log.ulb}},
                       static_cast<double>(seg.entries.size()));
    // At once: a primary in synchronous mode holds a payment's answer until this arrives.
    if (Status acked = Ack({&log}); !acked.ok()) {
      spdlog::warn("could not report ledger {} to the primary: {}", log.ulb, acked.message());
    }
  }
}

Status Puller::Ack(const std::vector<const LogState*>& logs) {
  json::array list;
  for (const LogState* l : logs) {
    if (l->loaded) list.push_back(json::object{{"ulb", l->ulb}, {"size", l->size}});
  }
  if (list.empty()) return Status::OK();
  auto r = client_->Request(
      "POST", url_.base_path + "/api/v1/replication/acks",
      json::serialize(json::object{{"ledgers", std::move(list)}}),
      {{"Authorization", "Bearer " + options_.token}, {"Content-Type", "application/json"}});
  if (r.status != 200) {
    return Status::Unavailable("ack_failed",
                               fmt::format("acks answered {} {}", r.status, r.error + r.body));
  }
  return Status::OK();
}

Result<PassReport> Puller::PullOnce() { return Pass(std::chrono::seconds(0)); }

Result<PassReport> Puller::Pass(std::chrono::seconds wait) {
  std::string target = "/api/v1/replication/ledgers";
  if (wait.count() > 0 && have_generation_) {
    target += fmt::format("?wait={}&after_generation={}&instance={}", wait.count(), generation_,
                          instance_);
  }
  auto got = GetJson(
      target, std::chrono::duration_cast<std::chrono::milliseconds>(options_.timeout + wait));
  if (!got.ok()) {
    metrics_.Increment("palika_backup_pull_errors_total");
    WriteMetrics();
    return got.status();
  }
  const json::value* ledgers = Field(*got, "ledgers");
  const auto generation = UintField(*got, "generation");
  if (!ledgers || !ledgers->is_array() || !generation) {
    return MalformedAnswer("no ledgers in /api/v1/replication/ledgers");
  }
  generation_ = *generation;
  instance_ = StringField(*got, "instance");
  have_generation_ = !instance_.empty() && IsHex(instance_);
  metrics_.Set("palika_backup_last_pass_timestamp_seconds", {},
               static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count()));
  PassReport report;
  std::vector<const LogState*> held;
  for (const auto& l : ledgers->get_array()) {
    LedgerPull out;
    out.ulb = StringField(l, "ulb");
    out.origin = StringField(l, "origin");
    if (out.ulb != "state" && !IsValidUlbCode(out.ulb)) continue;
    const auto* held_back = Field(l, "held_back");
    if (held_back && held_back->is_bool() && held_back->get_bool()) {
      out.error = "held back on the primary: " + StringField(l, "error");
      spdlog::warn("ledger {}: {}", out.ulb, out.error);
      ++report.errors;
      report.ledgers.push_back(std::move(out));
      continue;
    }
    const auto size = UintField(l, "size");
    const auto cp_size = UintField(l, "checkpoint_size");
    if (out.origin.empty() || out.origin.find('/') != std::string::npos || !size || !cp_size) {
      return MalformedAnswer("a ledger without origin or sizes");
    }
    LogState& log = logs_[KeyOf(out.ulb, out.origin)];
    if (!log.loaded) {
      log.ulb = out.ulb;
      log.origin = out.origin;
      if (Status s = LoadLog(log); !s.ok()) {
        out.error = s.message();
        spdlog::error("ledger {}: {}", out.ulb, out.error);
        ++report.errors;
        report.ledgers.push_back(std::move(out));
        continue;
      }
    }
    PullLedger(log, *size, *cp_size, StringField(l, "checkpoint"), out);
    if (!out.error.empty()) {
      spdlog::error("ledger {}: {}", out.ulb, out.error);
      metrics_.Increment("palika_backup_pull_errors_total");
      ++report.errors;
    }
    if (!out.refused.empty()) ++report.refused;
    metrics_.Set("palika_backup_held_entries", {{"ulb", log.ulb}}, static_cast<double>(log.size));
    metrics_.Set("palika_backup_primary_entries", {{"ulb", log.ulb}}, static_cast<double>(*size));
    held.push_back(&log);
    report.ledgers.push_back(std::move(out));
  }
  // Every pass says what this host holds, so the primary sees it alive even when nothing moved.
  if (Status s = Ack(held); !s.ok())
    spdlog::warn("could not report to the primary: {}", s.message());
  WriteMetrics();
  return report;
}

int Puller::Follow(const std::function<bool()>& stop) {
  int refusals = 0;
  auto backoff = std::chrono::seconds(1);
  bool first = true;
  while (!stop()) {
    auto r = Pass(first ? std::chrono::seconds(0) : options_.wait);
    if (!r.ok()) {
      spdlog::error("{} (retrying in {} s)", r.status().message(), backoff.count());
      for (auto slept = std::chrono::milliseconds(0); slept < backoff && !stop();
           slept += std::chrono::milliseconds(100)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      backoff = std::min(backoff * 2, std::chrono::seconds(30));
      continue;
    }
    backoff = std::chrono::seconds(1);
    refusals += r->refused;
    // A ledger that failed (not one held back on the primary) is retried soon, not only when
    // the next checkpoint arrives.
    first = false;
    for (const auto& l : r->ledgers) {
      if (!l.error.empty() && !l.error.starts_with("held back")) first = true;
    }
    if (first) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return refusals;
}

Result<std::vector<LiveComparison>> Puller::CompareWithPrimary() {
  PALIKA_ASSIGN_OR_RETURN(
      json::value got,
      GetJson("/api/v1/replication/ledgers",
              std::chrono::duration_cast<std::chrono::milliseconds>(options_.timeout)));
  const json::value* ledgers = Field(got, "ledgers");
  if (!ledgers || !ledgers->is_array()) {
    return MalformedAnswer("no ledgers in /api/v1/replication/ledgers");
  }
  std::map<std::string, LiveComparison> out;  // by "<ulb>/<origin>"
  PALIKA_ASSIGN_OR_RETURN(auto held, ledger::ListBackupLogs(options_.to));
  for (const auto& l : held) {
    if (l.segments.empty()) continue;
    LiveComparison& c = out[KeyOf(l.ulb, l.origin)];
    c.ulb = l.ulb;
    c.origin = l.origin;
    c.in_backup = true;
  }
  for (const auto& l : ledgers->get_array()) {
    const std::string ulb = StringField(l, "ulb");
    if (ulb != "state" && !IsValidUlbCode(ulb)) continue;
    const auto* held_back = Field(l, "held_back");
    if (held_back && held_back->is_bool() && held_back->get_bool()) {
      // No origin is given for it: every log of that ULB the backup holds is affected.
      for (auto& [key, c] : out) {
        if (c.ulb != ulb) continue;
        c.on_primary = true;
        c.error = "held back on the primary: " + StringField(l, "error");
      }
      continue;
    }
    const std::string origin = StringField(l, "origin");
    const auto size = UintField(l, "size");
    const auto cp_size = UintField(l, "checkpoint_size");
    if (origin.empty() || origin.find('/') != std::string::npos || !size || !cp_size) {
      return MalformedAnswer("a ledger without origin or sizes");
    }
    LiveComparison& c = out[KeyOf(ulb, origin)];
    c.ulb = ulb;
    c.origin = origin;
    c.on_primary = true;
    c.primary_size = *size;
    c.primary_checkpoint = *cp_size;
    if (!c.in_backup) continue;  // a hole in the backup: reading all of it proves nothing more
    LogState log;
    log.ulb = ulb;
    log.origin = origin;
    if (Status s = LoadLog(log); !s.ok()) {
      c.error = s.message();
      continue;
    }
    c.held = log.size;
    c.held_root_hex = log.size > 0 ? ledger::HashHex(log.tree.Root()) : "";
    LedgerPull pulled;
    PullLedger(log, *size, *cp_size, StringField(l, "checkpoint"), pulled, /*write=*/false);
    c.diverged = pulled.refused;
    if (c.diverged.empty()) c.error = pulled.error;
  }
  for (auto& [key, c] : out) {
    if (c.in_backup && !c.on_primary) {
      c.diverged = "the primary does not list this log at all (removed, or another node)";
    }
  }
  std::vector<LiveComparison> list;
  for (auto& [key, c] : out) list.push_back(std::move(c));
  return list;
}

std::vector<Puller::Held> Puller::HeldLogs() const {
  std::vector<Held> out;
  for (const auto& [key, log] : logs_) out.push_back({log.ulb, log.origin, log.size});
  return out;
}

void Puller::WriteMetrics() {
  const fs::path file = options_.to / "puller.prom";
  const fs::path tmp = options_.to / ".puller.prom.tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << metrics_.RenderPrometheus();
    if (!out) return;
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
}

}  // namespace palika::replication
