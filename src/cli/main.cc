// palika: the one binary. Subcommands: init, serve, ulb add, user add, verify, demo-otp.
// Each prints what it did, or a clear error (English and Hindi) and a non-zero exit code.

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/app.h"
#include "cli/demo.h"
#include "core/civil_date.h"
#include "core/encoding.h"
#include "http/api/api.h"
#include "http/server.h"
#include "ledger/verify.h"
#include "services/identity/totp.h"

namespace fs = std::filesystem;
using namespace palika;  // NOLINT: a program's main file

namespace {

int Fail(const Status& s) {
  std::cerr << "error: " << s.message() << "\n";
  if (s.message_hi() != s.message()) std::cerr << "त्रुटि: " << s.message_hi() << "\n";
  return s.kind() == StatusKind::kCorruption ? 3 : 1;
}

int Init(const std::string& dir, bool demo) {
  Status s = ledger::InitDataDir(dir);
  if (!s.ok()) return Fail(s);
  std::cout << "Created data directory " << dir << "\n";
  if (demo) {
    std::ofstream(fs::path(dir) / "demo")
        << "This is a demo data directory: demo-otp works here.\n";
    auto app = cli::App::Open(dir);
    if (!app.ok()) return Fail(app.status());
    s = cli::LoadDemo(**app);
    if (!s.ok()) return Fail(s);
    std::cout << "Loaded the demo state: 3 ULBs, their wards and a staff account for every role.\n";
  }
  return 0;
}

int Serve(const std::string& dir, const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Fail(
        Status::InvalidArgument("bad_listen", "--listen takes HOST:PORT, e.g. 127.0.0.1:8080."));
  }
  http::ServerOptions options;
  options.host = listen.substr(0, colon);
  try {
    options.port = static_cast<uint16_t>(std::stoul(listen.substr(colon + 1)));
  } catch (const std::exception&) {
    return Fail(
        Status::InvalidArgument("bad_listen", "--listen takes HOST:PORT, e.g. 127.0.0.1:8080."));
  }
  auto app = cli::App::Open(dir);
  if (!app.ok()) return Fail(app.status());
  http::Router router;
  http::ApiContext ctx{(*app)->ledgers(), (*app)->registry(), (*app)->sessions(),
                       (*app)->metrics()};
  http::AddApiRoutes(router, ctx);
  http::Server server(options, router, (*app)->metrics());
  Status s = server.Listen();
  if (!s.ok()) return Fail(s);
  server.StopOnSignals();
  std::string url = "http://" + options.host + ":" + std::to_string(server.port());
  std::cout << "Palika is serving " << dir << " on " << url << " (Ctrl-C or SIGTERM to stop)"
            << std::endl;
  if (fs::exists(fs::path(dir) / "demo")) std::cout << cli::DemoSignInHelp(dir, url) << std::flush;
  server.Run();
  std::cout << "Stopped; ledgers closed with a final checkpoint." << std::endl;
  return 0;
}

int UlbAdd(const std::string& dir, const registry::UlbInfo& ulb) {
  auto app = cli::App::Open(dir);
  if (!app.ok()) return Fail(app.status());
  auto r = (*app)->registry().AddUlb("cli", ulb);
  if (!r.ok()) return Fail(r.status());
  std::cout << "Added ULB " << ulb.code << " " << ulb.name << " (" << ulb.name_hi << ")\n";
  return 0;
}

int UserAdd(const std::string& dir, const std::string& username, const std::string& display,
            const std::string& role, const std::string& ulb) {
  auto parsed = identity::ParseRole(role);
  if (!parsed) {
    return Fail(Status::InvalidArgument("unknown_role", "Unknown role '" + role + "'."));
  }
  if (isatty(STDIN_FILENO)) std::cerr << "Password (at least 12 characters), then Enter: ";
  std::string password;
  std::getline(std::cin, password);
  auto app = cli::App::Open(dir);
  if (!app.ok()) return Fail(app.status());
  registry::NewUser nu{username, display, password,
                       identity::Grant{*parsed, ulb.empty() ? std::string("*") : ulb}};
  auto r = (*app)->registry().AddUser("cli", nu);
  if (!r.ok()) return Fail(r.status());
  std::cout << "Added user " << r->username << " (" << r->id << ") as " << role << " in "
            << (ulb.empty() ? "all ULBs" : "ULB " + ulb) << "\n"
            << "Add this to an authenticator app (shown once):\n"
            << r->otpauth_uri << "\n";
  return 0;
}

int Verify(const std::string& dir, const std::string& only_ulb) {
  auto config = ledger::ReadDataDirConfig(dir);
  if (!config.ok()) return Fail(config.status());
  std::ifstream pub(fs::path(dir) / "node.pub");
  std::string vkey;
  std::getline(pub, vkey);
  auto node = ledger::NoteVerifier::Parse(vkey);
  if (!node.ok()) return Fail(node.status());
  std::vector<std::pair<std::string, fs::path>> files;
  if (only_ulb.empty()) files.push_back({"state", fs::path(dir) / "state.db"});
  for (const auto& f : fs::directory_iterator(fs::path(dir) / "ulb")) {
    if (f.path().extension() != ".db") continue;
    std::string code = f.path().stem().string();
    if (only_ulb.empty() || only_ulb == code) files.push_back({code, f.path()});
  }
  std::sort(files.begin() + (only_ulb.empty() ? 1 : 0), files.end());
  if (!only_ulb.empty() && files.empty()) {
    return Fail(Status::NotFound("ulb_not_found",
                                 "There is no ledger for ULB " + only_ulb + " in " + dir + "."));
  }
  int bad = 0;
  for (const auto& [ulb, file] : files) {
    const auto& projections = ulb == "state" ? cli::StateProjections() : cli::UlbProjections();
    auto report = ledger::VerifyLedgerFile(file, ulb, config->node, projections, *node);
    if (!report.ok()) {
      std::cout << "FAIL " << ulb << ": " << report.status().message() << "\n";
      ++bad;
      continue;
    }
    if (report->ok()) {
      std::cout << "ok   " << ulb << ": " << report->entries << " entries, " << report->checkpoints
                << " checkpoints, " << report->rows_compared << " rows match the replay; root "
                << report->root_hex << "\n";
    } else {
      ++bad;
      std::cout << "FAIL " << ulb << " (" << file.string() << "): " << report->problems.size()
                << " problem(s); the first:\n";
      for (const auto& p : report->problems) std::cout << "  - " << p << "\n";
    }
  }
  if (bad) {
    std::cout << bad
              << " ledger(s) do not verify. Keep the server stopped for them, keep a copy "
                 "of the files for investigation, and restore from backup.\n";
    return 3;
  }
  std::cout << "All " << files.size() << " ledger(s) intact.\n";
  return 0;
}

int DemoOtp(const std::string& dir, const std::string& username) {
  if (!fs::exists(fs::path(dir) / "demo")) {
    return Fail(
        Status::PermissionDenied("not_demo", "demo-otp works only in a demo data directory."));
  }
  // Reads the state ledger directly (read-only), so it works while the server runs.
  auto config = ledger::ReadDataDirConfig(dir);
  if (!config.ok()) return Fail(config.status());
  store::sqlite::OpenOptions ro;
  ro.read_only = true;
  auto db = store::sqlite::Database::Open(fs::path(dir) / "state.db", ro);
  if (!db.ok()) return Fail(db.status());
  auto row = (*db)->QueryOne("SELECT totp_secret FROM users WHERE username = ?", {username});
  if (!row.ok()) return Fail(row.status());
  if (!*row) return Fail(Status::NotFound("user_not_found", "No user '" + username + "'."));
  auto secret = HexDecode((*row)->Text(0));
  std::cout << identity::TotpCode(secret.value_or(""), time(nullptr)) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Palika: municipal services for urban local bodies"};
  cli.require_subcommand(1);
  std::string dir = "data";

  auto* init = cli.add_subcommand("init", "Create a data directory (with --demo: the demo state)");
  bool demo = false;
  init->add_option("--data", dir, "Data directory")->required();
  init->add_flag("--demo", demo, "Load the demo ULBs, wards and staff");

  auto* serve = cli.add_subcommand("serve", "Serve the API");
  std::string listen = "127.0.0.1:8080";
  serve->add_option("--data", dir, "Data directory")->required();
  serve->add_option("--listen", listen, "HOST:PORT (port 0: any free port)");

  auto* ulb = cli.add_subcommand("ulb", "ULBs");
  ulb->require_subcommand(1);
  auto* ulb_add = ulb->add_subcommand("add", "Register a ULB");
  registry::UlbInfo info;
  ulb_add->add_option("--data", dir, "Data directory")->required();
  ulb_add->add_option("--code", info.code, "4-digit ULB code")->required();
  ulb_add->add_option("--name", info.name, "Name in English")->required();
  ulb_add->add_option("--name-hi", info.name_hi, "Name in Hindi")->required();
  ulb_add->add_option("--kind", info.kind, "corporation | council | parishad")->required();
  ulb_add->add_option("--district", info.district, "District");

  auto* user = cli.add_subcommand("user", "Staff users");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "Add a staff user (password on stdin)");
  std::string username, display, role, user_ulb;
  user_add->add_option("--data", dir, "Data directory")->required();
  user_add->add_option("--username", username, "Username")->required();
  user_add->add_option("--display-name", display, "Full name");
  user_add->add_option("--role", role, "Role")->required();
  user_add->add_option("--ulb", user_ulb, "ULB code (omit for state-wide roles)");

  auto* verify = cli.add_subcommand("verify", "Verify every ledger: tree, signatures, replay");
  std::string verify_ulb;
  verify->add_option("--data", dir, "Data directory")->required();
  verify->add_option("--ulb", verify_ulb, "Only this ULB");

  auto* otp = cli.add_subcommand("demo-otp", "Print a demo account's current one-time code");
  std::string otp_user;
  otp->add_option("--data", dir, "Data directory")->required();
  otp->add_option("--username", otp_user, "Username")->required();

  CLI11_PARSE(cli, argc, argv);
  spdlog::set_level(spdlog::level::info);
  if (const char* lvl = getenv("PALIKA_LOG")) spdlog::set_level(spdlog::level::from_str(lvl));

  if (init->parsed()) return Init(dir, demo);
  if (serve->parsed()) return Serve(dir, listen);
  if (ulb_add->parsed()) {
    if (info.district.empty()) info.district = info.name;
    return UlbAdd(dir, info);
  }
  if (user_add->parsed()) return UserAdd(dir, username, display, role, user_ulb);
  if (verify->parsed()) return Verify(dir, verify_ulb);
  if (otp->parsed()) return DemoOtp(dir, otp_user);
  return 1;
}
