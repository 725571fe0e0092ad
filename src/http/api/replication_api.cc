// The replication routes under /api/v1/replication: what a backup host's puller (`palika backup
// pull`) reads with its replication token, and where it reports what it holds. Access::kReplication
// routes accept a replication token only (Guard); staff sessions get 403 here, and a replication
// token gets 403 everywhere else. Reads use Ledger::Read snapshots, never the writer; long polls
// wait on condition variables (Ledger::WaitForCheckpoint, CheckpointSignal), never by sleeping.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "core/ids.h"
#include "http/api/api.h"

namespace palika::http {
namespace json = boost::json;
using identity::Permission;
using identity::Principal;

namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kDefaultLimit = 10000;
constexpr uint64_t kMaxLimit = 50000;
// A long poll holds a server worker; capped so that a graceful stop never waits longer.
constexpr uint64_t kMaxWaitSeconds = 10;

// A non-negative decimal query parameter in [0, max], `fallback` when absent.
Result<uint64_t> UintParam(const Request& req, std::string_view name, uint64_t fallback,
                           uint64_t max) {
  auto text = req.Query(name);
  if (!text) return fallback;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size() || text->empty() || v > max) {
    return Status::InvalidArgument(
        "invalid_field",
        fmt::format("Query parameter '{}' must be a whole number from 0 to {}.", name, max),
        fmt::format("क्वेरी पैरामीटर '{}' 0 से {} तक की पूर्ण संख्या होना चाहिए।", name, max));
  }
  return v;
}

// The ledger named in the path: "state" or a ULB code.
Result<ledger::Ledger*> PathLedger(ApiContext& ctx, const Request& req) {
  const std::string name = req.Param("ledger");
  if (name == "state") return &ctx.ledgers.state();
  if (!IsValidUlbCode(name)) {
    return Status::InvalidArgument("invalid_ulb_code",
                                   "'" + name + "' is neither 'state' nor a ULB code (4 digits).",
                                   "'" + name + "' न 'state' है, न निकाय कोड (4 अंक)।");
  }
  return ctx.ledgers.Ulb(name);
}

json::object NodeJson(ApiContext& ctx) {
  return {{"node", ctx.ledgers.origin()}, {"public_key", ctx.ledgers.node_verifier().ToString()}};
}

json::object LedgerJson(const ledger::Ledger& l) {
  return {{"ulb", l.ulb()},
          {"origin", l.origin()},
          {"size", l.size()},
          {"checkpoint_size", l.checkpointed_size()},
          {"checkpoint", l.LatestCheckpointNote()}};
}

Response ListLedgers(ApiContext& ctx, Request& req) {
  auto wait = UintParam(req, "wait", 0, kMaxWaitSeconds);
  if (!wait.ok()) return Response::Error(wait.status());
  auto seen = UintParam(req, "after_generation", 0, UINT64_MAX);
  if (!seen.ok()) return Response::Error(seen.status());
  // The generation first: a checkpoint stored while the sizes are read bumps it, so the next long
  // poll returns at once rather than miss it.
  const auto& signal = ctx.ledgers.checkpoint_signal();
  uint64_t generation = signal.generation();
  if (*wait > 0 && req.Query("after_generation") && req.Query("instance") == signal.instance() &&
      generation <= *seen) {
    generation = ctx.ledgers.checkpoint_signal().WaitAfter(
        *seen, Clock::now() + std::chrono::seconds(*wait));
  }
  json::array ledgers;
  ledgers.push_back(LedgerJson(ctx.ledgers.state()));
  for (const auto& code : ctx.ledgers.UlbCodes()) {
    auto l = ctx.ledgers.Ulb(code);
    if (l.ok()) {
      ledgers.push_back(LedgerJson(**l));
    } else {
      ledgers.push_back(
          json::object{{"ulb", code}, {"held_back", true}, {"error", l.status().message()}});
    }
  }
  json::object out = NodeJson(ctx);
  out["instance"] = signal.instance();
  out["generation"] = generation;
  out["ledgers"] = std::move(ledgers);
  return Response::Json(200, out);
}

Response Entries(ApiContext& ctx, Request& req) {
  auto l = PathLedger(ctx, req);
  if (!l.ok()) return Response::Error(l.status());
  auto after = UintParam(req, "after", 0, UINT64_MAX / 2);
  auto limit = UintParam(req, "limit", kDefaultLimit, kMaxLimit);
  auto wait = UintParam(req, "wait", 0, kMaxWaitSeconds);
  for (const Status* s : {&after.status(), &limit.status(), &wait.status()}) {
    if (!s->ok()) return Response::Error(*s);
  }
  ledger::Ledger& ledger = **l;
  if (*wait > 0 && ledger.checkpointed_size() <= *after) {
    ledger.WaitForCheckpoint(*after, Clock::now() + std::chrono::seconds(*wait));
  }
  auto read = ledger.ReadCheckpointed(*after, std::max<uint64_t>(*limit, 1));
  if (!read.ok()) return Response::Error(read.status());
  json::array entries;
  entries.reserve(read->entries.size());
  for (const auto& e : read->entries) {
    // The payload as its stored text: it is hashed verbatim, so it must travel byte for byte.
    entries.push_back(json::object{{"ulb", e.ulb},
                                   {"origin", e.origin},
                                   {"seq", e.seq},
                                   {"time_us", e.time_us},
                                   {"actor", e.actor},
                                   {"type", e.type},
                                   {"payload", e.payload}});
  }
  return Response::Json(200, json::object{{"ulb", ledger.ulb()},
                                          {"origin", ledger.origin()},
                                          {"after", *after},
                                          {"size", ledger.size()},
                                          {"checkpoint_size", read->checkpoint_size},
                                          {"checkpoint", read->checkpoint},
                                          {"entries", std::move(entries)}});
}

Status BadAcks() {
  return Status::InvalidArgument(
      "invalid_field",
      "The body must be {\"ledgers\": [{\"ulb\": \"0152\" or \"state\", \"size\": N}, ...]}.",
      "बॉडी {\"ledgers\": [{\"ulb\": \"0152\" या \"state\", \"size\": N}, ...]} होनी चाहिए।");
}

// The host is the token's name: a puller reports only for itself.
Response Acks(ApiContext& ctx, Request& req, const Principal& who) {
  boost::system::error_code ec;
  json::value body = json::parse(req.body, ec);
  const json::array* list = nullptr;
  if (!ec && body.is_object()) {
    if (auto* v = body.as_object().if_contains("ledgers")) list = v->if_array();
  }
  if (!list || list->size() > 100000) return Response::Error(BadAcks());
  std::vector<std::pair<std::string, uint64_t>> acks;
  for (const auto& item : *list) {
    const auto* o = item.if_object();
    const auto* ulb = o ? o->if_contains("ulb") : nullptr;
    const auto* size = o ? o->if_contains("size") : nullptr;
    if (!ulb || !ulb->is_string() || !size || !(size->is_int64() || size->is_uint64())) {
      return Response::Error(BadAcks());
    }
    const std::string name(ulb->get_string());
    if (name != "state" && !IsValidUlbCode(name)) return Response::Error(BadAcks());
    if (size->is_int64() && size->get_int64() < 0) return Response::Error(BadAcks());
    acks.emplace_back(name, size->to_number<uint64_t>());
  }
  for (const auto& [name, size] : acks) ctx.ledgers.backups().Ack(who.username, name, size);
  return Response::Json(200, json::object{{"host", who.username}, {"acked", acks.size()}});
}

Response BackupStatus(ApiContext& ctx) {
  json::array lags;
  for (const auto& lag : ctx.ledgers.backups().Lags()) {
    lags.push_back(json::object{{"ulb", lag.ledger},
                                {"host", lag.host},
                                {"held", lag.held},
                                {"committed", lag.committed},
                                {"lag_entries", lag.entries_behind()},
                                {"lag_seconds", lag.seconds},
                                {"last_ack_seconds_ago", lag.since_ack}});
  }
  json::object out = NodeJson(ctx);
  out["sync_backups"] = ctx.ledgers.backups().sync_hosts();
  out["backups"] = std::move(lags);
  return Response::Json(200, out);
}

}  // namespace

std::vector<ApiRoute> ReplicationRoutes() {
  using P = const Principal*;
  constexpr auto kRepl = Access::kReplication;
  constexpr auto kRead = Permission::kReplicationRead;
  return {
      {{"GET", "/api/v1/replication/node", kRepl, kRead},
       [](ApiContext& ctx, Request&, P) { return Response::Json(200, NodeJson(ctx)); }},
      {{"GET", "/api/v1/replication/ledgers", kRepl, kRead},
       [](ApiContext& ctx, Request& q, P) { return ListLedgers(ctx, q); }},
      {{"GET", "/api/v1/replication/ledgers/{ledger}/entries", kRepl, kRead},
       [](ApiContext& ctx, Request& q, P) { return Entries(ctx, q); }},
      {{"POST", "/api/v1/replication/acks", kRepl, kRead},
       [](ApiContext& ctx, Request& q, P p) { return Acks(ctx, q, *p); }},
      {{"GET", "/api/v1/replication/status", kRepl, kRead},
       [](ApiContext& ctx, Request&, P) { return BackupStatus(ctx); }},
  };
}

}  // namespace palika::http
