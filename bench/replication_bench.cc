// palika_replication_bench: backup lag under payment load, and payment latency with and without
// synchronous backup (issue 4, "Benchmarks"). Run by `make bench` (or by hand).
//
//   palika_replication_bench [--clients=16] [--seconds=8] [--properties=2000] [--dir=/var/tmp]
//                            [--keep]
//
// Set-up: a fresh data directory under --dir (fsync on; /var/tmp stays on disk) with the demo
// state (cli::LoadDemo: three ULBs, --properties properties in Indore, rates, demand) and a
// replication token "bench-backup". It is served the way `palika serve` serves it (cli::App, the
// API routes, http::Server) on 127.0.0.1 and a free port, and a backup puller
// (replication::Puller, as `palika backup pull --follow` runs it) follows it into a backup
// directory beside it — both in this process, over real HTTP on loopback, writing real segment
// files with fsync.
//
// Three phases of --seconds each, --clients cashier threads POSTing payments to Indore (each its
// own counter and kept-alive connection, a new Idempotency-Key each time):
//   1. no puller running (the reference),
//   2. the puller following, default mode (acknowledged when durable locally),
//   3. the puller following, `--sync-backup 1` (acknowledged once the backup holds it).
// Printed per phase: payments/s, latency p50/p99, and the backup lag as the primary sees it,
// sampled every 5 ms (how long the oldest committed Indore entry the backup lacks has waited:
// the primary's palika_backup_lag_seconds), p50/p99/max.

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "cli/app.h"
#include "cli/demo.h"
#include "core/encoding.h"
#include "http/api/api.h"
#include "http/client.h"
#include "http/server.h"
#include "ledger/ledger_set.h"
#include "replication/puller.h"
#include "services/identity/totp.h"
#include "services/registry/replication_tokens.h"

namespace palika::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kUlb[] = "0152";
constexpr char kHost[] = "bench-backup";

struct Flags {
  int clients = 16;
  double seconds = 8;
  int properties = 2000;
  std::string dir = "/var/tmp";
  bool keep = false;
};

[[noreturn]] void Usage(int code) {
  fmt::print(
      "usage: palika_replication_bench [--clients=16] [--seconds=8] [--properties=2000]\n"
      "                                [--dir=/var/tmp] [--keep]\n"
      "Backup lag p50/p99 under payment load, and payment latency without a puller, with one\n"
      "following, and with --sync-backup 1 (issue 4).\n");
  std::exit(code);
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    try {
      if (a == "--help" || a == "-h") Usage(0);
      if (a == "--keep") {
        f.keep = true;
      } else if (auto v = FlagValue(a, "clients")) {
        f.clients = std::stoi(*v);
      } else if (auto v = FlagValue(a, "seconds")) {
        f.seconds = std::stod(*v);
      } else if (auto v = FlagValue(a, "properties")) {
        f.properties = std::stoi(*v);
      } else if (auto v = FlagValue(a, "dir")) {
        f.dir = *v;
      } else {
        Usage(2);
      }
    } catch (const std::exception&) {
      Usage(2);
    }
  }
  if (f.clients < 1 || f.seconds <= 0 || f.properties < 1) Usage(2);
  return f;
}

std::string SignIn(uint16_t port, cli::App& app, const std::string& username) {
  auto user = app.registry().FindUser(username);
  if (!user.ok() || !*user) {
    fmt::print(stderr, "no demo user {}\n", username);
    std::exit(1);
  }
  http::Client client("127.0.0.1", port);
  const boost::json::object body{
      {"username", username},
      {"password", cli::kDemoPassword},
      {"otp", identity::TotpCode((*user)->totp_secret, std::time(nullptr))}};
  auto r = client.Request("POST", "/api/v1/session", boost::json::serialize(body),
                          {{"Content-Type", "application/json"}});
  if (r.status != 201) {
    fmt::print(stderr, "sign-in failed: {} {}{}\n", r.status, r.error, r.body);
    std::exit(1);
  }
  return std::string(boost::json::parse(r.body).at("token").as_string());
}

struct Phase {
  std::string name;
  int64_t payments = 0;
  int64_t errors = 0;
  double seconds = 0;
  std::vector<double> latency_ms;
  std::vector<double> lag_ms;  // sampled
};

Phase RunPhase(const std::string& name, uint16_t port, const std::string& token,
               const std::vector<std::string>& ids, const Flags& flags, ledger::BackupAcks& acks,
               bool sample_lag) {
  Phase out;
  out.name = name;
  const std::string key_prefix = fmt::format("{:x}", std::hash<std::string>{}(name));
  std::atomic<bool> stop{false};
  std::atomic<int64_t> errors{0};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(flags.clients));
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < flags.clients; ++c) {
    threads.emplace_back([&, c] {
      http::Client client("127.0.0.1", port, std::chrono::seconds(30));
      std::mt19937_64 rng(static_cast<uint64_t>(c) + 11);
      std::uniform_int_distribution<size_t> pick(0, ids.size() - 1);
      for (int64_t n = 0; !stop; ++n) {
        const boost::json::object body{{"property", ids[pick(rng)]},
                                       {"amount_paise", 10000},
                                       {"mode", "cash"},
                                       {"counter", fmt::format("B{}", c + 1)}};
        const auto t0 = Clock::now();
        auto r = client.Request(
            "POST", fmt::format("/api/v1/ulbs/{}/payments", kUlb), boost::json::serialize(body),
            {{"Authorization", "Bearer " + token},
             {"Content-Type", "application/json"},
             {"Idempotency-Key",
              fmt::format("repl-bench-{}-{}-{}-{}", getpid(), key_prefix, c, n)}});
        const auto t1 = Clock::now();
        if (r.status != 201) {
          if (errors++ < 5)
            fmt::print(stderr, "client {}: {} {}{}\n", c, r.status, r.error, r.body);
          continue;
        }
        latencies[static_cast<size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
    });
  }
  std::thread sampler;
  if (sample_lag) {
    sampler = std::thread([&] {
      while (!stop) {
        for (const auto& lag : acks.Lags()) {
          if (lag.ledger == kUlb && lag.host == kHost) out.lag_ms.push_back(lag.seconds * 1000);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(flags.seconds));
  stop = true;
  for (auto& t : threads) t.join();
  if (sampler.joinable()) sampler.join();
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& l : latencies) out.latency_ms.insert(out.latency_ms.end(), l.begin(), l.end());
  out.payments = static_cast<int64_t>(out.latency_ms.size());
  out.errors = errors;
  return out;
}

int Main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  spdlog::set_level(spdlog::level::warn);
  const fs::path root = fs::path(flags.dir) / fmt::format("palika-repl-bench-{}", getpid());
  const fs::path data = root / "data";
  const fs::path backup = root / "backup";
  fs::create_directories(root);
  fmt::print("palika_replication_bench: {} clients, {} s per phase, {} properties, in {}\n",
             flags.clients, flags.seconds, flags.properties, root.string());
  Check(ledger::InitDataDir(data), "init");
  std::string token;
  {
    auto app = cli::App::Open(data);
    Check(app.status(), "open");
    Check(cli::LoadDemo(**app, flags.properties), "demo");
    auto t = registry::ReplicationTokens((*app)->ledgers()).Add("bench", "replication", kHost);
    Check(t.status(), "token");
    token = *t;
  }
  auto app = cli::App::Open(data);
  Check(app.status(), "open");
  std::vector<std::string> ids;
  auto indore = (*app)->ledgers().Ulb(kUlb);
  Check(indore.status(), "ledger");
  Check((*indore)->Read([&](store::Transaction& tx) {
    return tx.ForEach("SELECT id FROM properties", {}, [&](const store::Row& r) {
      ids.push_back(r.Text(0));
      return true;
    });
  }),
        "properties");
  http::Router router;
  http::ApiContext ctx{(*app)->ledgers(), (*app)->registry(), (*app)->sessions(),
                       (*app)->metrics()};
  http::AddApiRoutes(router, ctx);
  http::ServerOptions options;
  options.port = 0;
  options.reserved_prefix = "/api/v1/replication/";
  auto server = std::make_unique<http::Server>(options, router, (*app)->metrics());
  Check(server->Listen(), "listen");
  std::thread serving([&] { server->Run(); });
  const uint16_t port = server->port();
  const std::string cashier = SignIn(port, **app, "indore.cashier");
  auto& acks = (*app)->ledgers().backups();

  std::vector<Phase> phases;
  phases.push_back(RunPhase("no puller", port, cashier, ids, flags, acks, false));

  replication::PullOptions pull;
  pull.from = fmt::format("http://127.0.0.1:{}", port);
  pull.token = token;
  pull.to = backup;
  pull.wait = std::chrono::seconds(5);
  auto puller = replication::Puller::Open(pull);
  Check(puller.status(), "puller");
  std::atomic<bool> stop_puller{false};
  const auto catch_up_started = Clock::now();
  auto first = (*puller)->PullOnce();  // the history so far, before the clock starts
  Check(first.status(), "first pull");
  const double catch_up_s = std::chrono::duration<double>(Clock::now() - catch_up_started).count();
  std::thread following([&] { (*puller)->Follow([&] { return stop_puller.load(); }); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  phases.push_back(RunPhase("puller, default mode", port, cashier, ids, flags, acks, true));
  acks.RequireSync(1, std::chrono::seconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the default mode's tail
  phases.push_back(RunPhase("puller, --sync-backup 1", port, cashier, ids, flags, acks, true));
  acks.RequireSync(0, std::chrono::seconds(5));
  stop_puller = true;
  following.join();
  server->Stop();
  serving.join();
  server.reset();

  uint64_t entries = 0;
  for (const auto& p : first->ledgers) entries += p.held;
  fmt::print("machine: {} CPUs, load average {}\n", std::thread::hardware_concurrency(),
             LoadAverage());
  fmt::print("first pull of the demo history: {} entries in {:.2f} s\n", entries, catch_up_s);
  fmt::print("{:<26} {:>10} {:>8} {:>9} {:>9} {:>11} {:>11} {:>11}\n", "phase", "payments/s",
             "errors", "p50 ms", "p99 ms", "lag p50 ms", "lag p99 ms", "lag max ms");
  for (const auto& p : phases) {
    const double max_lag =
        p.lag_ms.empty() ? 0 : *std::max_element(p.lag_ms.begin(), p.lag_ms.end());
    fmt::print("{:<26} {:>10.0f} {:>8} {:>9.1f} {:>9.1f} {:>11} {:>11} {:>11}\n", p.name,
               static_cast<double>(p.payments) / p.seconds, p.errors, Percentile(p.latency_ms, 0.5),
               Percentile(p.latency_ms, 0.99),
               p.lag_ms.empty() ? "-" : fmt::format("{:.0f}", Percentile(p.lag_ms, 0.5)),
               p.lag_ms.empty() ? "-" : fmt::format("{:.0f}", Percentile(p.lag_ms, 0.99)),
               p.lag_ms.empty() ? "-" : fmt::format("{:.0f}", max_lag));
  }
  int errors = 0;
  for (const auto& p : phases) errors += p.errors > 0;
  if (!flags.keep) {
    app->reset();
    std::error_code ec;
    fs::remove_all(root, ec);
  } else {
    fmt::print("kept {}\n", root.string());
  }
  return errors ? 1 : 0;
}

}  // namespace
}  // namespace palika::bench

int main(int argc, char** argv) { return palika::bench::Main(argc, argv); }
