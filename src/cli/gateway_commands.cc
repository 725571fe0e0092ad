// Online payment's gateway: which one `palika serve` uses, the reconciler it runs, and
//
//   palika gateway reconcile --data DIR     asks the gateway about every pending online order
//                                           and completes or fails it (takes the data
//                                           directory's lock: the server does this itself
//                                           every --reconcile-every seconds while it runs)
//
// The gateway is chosen per deployment with `serve --gateway sandbox|off`; without the flag, a
// demo data directory gets the sandbox and any other gets none (no real gateway is built yet).
// The sandbox's merchant secret is DIR/sandbox-gateway/secret (made at `init --demo`, 0600).

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli/app.h"
#include "cli/commands.h"

namespace palika::cli {

namespace fs = std::filesystem;

void AddGatewayServeOptions(CLI::App& serve, GatewayOptions& options) {
  serve
      .add_option("--gateway", options.gateway,
                  "Online payment gateway: sandbox (no real money) or off; default: sandbox "
                  "for a demo data directory, off otherwise")
      ->check(CLI::IsMember({"sandbox", "off"}));
  serve
      .add_option("--reconcile-every", options.reconcile_every_s,
                  "Seconds between asking the gateway about pending online payments")
      ->check(CLI::Range(1, 86400));
}

Result<GatewaySetup> OpenGateway(App& app, const fs::path& dir, const GatewayOptions& options) {
  std::string choice = options.gateway;
  if (choice.empty()) choice = fs::exists(dir / "demo") ? "sandbox" : "off";
  GatewaySetup g;
  if (choice == "sandbox") {
    PALIKA_ASSIGN_OR_RETURN(g.sandbox, payments::SandboxGateway::Open(dir));
    g.online = std::make_unique<payments::OnlinePayments>(app.ledgers(), g.sandbox.get(),
                                                          g.sandbox->secret());
  } else {
    g.online = std::make_unique<payments::OnlinePayments>(app.ledgers(), nullptr, "");
  }
  return g;
}

namespace {

void Report(const payments::ReconcileReport& r) {
  if (r.checked > 0) {
    spdlog::info(
        "online payments reconciled: {} pending checked, {} paid, {} failed, {} still open",
        r.checked, r.paid, r.failed, r.pending);
  }
  for (const auto& s : r.problems) {
    spdlog::warn("online payment reconciliation: {} (retried next time)", s.ToString());
  }
}

int RunReconcile(const std::string& dir, const GatewayOptions& options) {
  auto app = App::Open(dir);
  if (!app.ok()) return Fail(app.status());
  auto g = OpenGateway(**app, dir, options);
  if (!g.ok()) return Fail(g.status());
  if (!g->online->enabled()) {
    std::cout << "No online payment gateway is configured for " << dir
              << " (give --gateway sandbox to use the sandbox's orders).\n";
    return 0;
  }
  payments::ReconcileReport r = g->online->Reconcile("");
  std::cout << "Online payments: " << r.checked << " pending checked with the gateway, " << r.paid
            << " paid, " << r.failed << " failed, " << r.pending << " still open.\n";
  for (const auto& s : r.problems) std::cerr << "problem: " << s.ToString() << "\n";
  return r.problems.empty() ? 0 : 1;
}

}  // namespace

Reconciler::Reconciler(payments::OnlinePayments& online, std::chrono::seconds every)
    : online_(online), every_(every) {
  if (!online_.enabled()) return;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, every_, [this] { return stop_; });
      if (stop_) break;
      lock.unlock();
      Report(online_.Reconcile(""));
      lock.lock();
    }
  });
}

Reconciler::~Reconciler() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AddGatewayCommands(CLI::App& cli, std::vector<CommandRun>& runs) {
  auto* gateway = cli.add_subcommand("gateway", "Online payment gateway");
  gateway->require_subcommand(1);
  auto* reconcile = gateway->add_subcommand(
      "reconcile", "Ask the gateway about pending online payments and settle them");
  auto dir = std::make_shared<std::string>();
  auto options = std::make_shared<GatewayOptions>();
  reconcile->add_option("--data", *dir, "Data directory")->required();
  reconcile
      ->add_option("--gateway", options->gateway,
                   "sandbox or off; default: sandbox for a demo data directory, off otherwise")
      ->check(CLI::IsMember({"sandbox", "off"}));
  runs.push_back({reconcile, [dir, options] { return RunReconcile(*dir, *options); }});
}

}  // namespace palika::cli
