// palika: the one binary. Subcommands here: init, serve, ulb add, user add, import properties,
// verify, export, demo-otp; each feature adds its own (commands.h).
// Each prints what it did, or a clear error (English and Hindi) and a non-zero exit code.

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/demo.h"
#include "core/civil_date.h"
#include "core/encoding.h"
#include "core/ids.h"
#include "http/api/api.h"
#include "http/server.h"
#include "ledger/export.h"
#include "ledger/shard_map.h"
#include "ledger/verify.h"
#include "services/identity/totp.h"
#include "services/property_tax/billing.h"
#include "services/property_tax/import_properties.h"
#include "store/database.h"
#include "store/postgres/database.h"
#include "store/sqlite/database.h"
#include "store/sqlite/fault_vfs.h"
#include "web/web.h"

namespace fs = std::filesystem;
using namespace palika;  // NOLINT: a program's main file

// In a sanitizer build, LeakSanitizer reads this at exit: fontconfig (under pango, rendering
// receipt PDFs) keeps process-wide caches until exit by design; see src/documents/lsan.supp. Only
// fontconfig is named, so a leak of Palika's own is still reported. Unused in other builds.
// libpqxx 6.4 leaks a PGresult when a statement fails on a connection that died (while it
// throws the error): a few hundred bytes per lost connection, in the library, not in Palika.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\nleak:libpqxx-6.4.so\n";
}

namespace {

using cli::Fail;

int Init(const std::string& dir, bool demo, int demo_properties) {
  Status s = ledger::InitDataDir(dir);
  if (!s.ok()) return Fail(s);
  std::cout << "Created data directory " << dir << "\n";
  if (demo) {
    std::ofstream(fs::path(dir) / "demo")
        << "This is a demo data directory: demo-otp works here.\n";
    auto app = cli::App::Open(dir);
    if (!app.ok()) return Fail(app.status());
    s = cli::LoadDemo(**app, demo_properties);
    if (!s.ok()) return Fail(s);
    // The demo takes online payments through the sandbox gateway: its store and secret now.
    if (auto sandbox = payments::SandboxGateway::Open(dir); !sandbox.ok()) {
      return Fail(sandbox.status());
    }
    std::cout << "Loaded the demo state: 3 ULBs, their wards, a staff account for every role and "
              << demo_properties << " properties in Indore (fewer in the smaller towns).\n";
  }
  return 0;
}

int Serve(const std::string& dir, const std::string& listen, web::WebOptions web_options,
          int sync_backups, double sync_timeout_s, const cli::GatewayOptions& gateway_options,
          const std::string& store, const std::vector<std::string>& pg, int pg_connections) {
  auto stores = cli::ParseStoreOptions(store, pg);
  if (!stores.ok()) return Fail(stores.status());
  stores->pg_connections = pg_connections;
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
  // Tests only: the disk-full tests give the server a limited free space
  // (store/sqlite/fault_vfs.h).
  if (const char* space = std::getenv("PALIKA_TEST_DISK_SPACE_FILE"); space && *space) {
    store::sqlite::SimulateFreeSpace(space);
    spdlog::warn(
        "test seam: SQLite writes take their space from {} (PALIKA_TEST_DISK_SPACE_FILE); "
        "never set it in production",
        space);
  }
  if (const char* syncs = std::getenv("PALIKA_TEST_SYNC_FAULT_FILE"); syncs && *syncs) {
    store::sqlite::ControlSyncs(syncs);
    spdlog::warn(
        "test seam: SQLite syncs hold or fail as {} says (PALIKA_TEST_SYNC_FAULT_FILE); "
        "never set it in production",
        syncs);
  }
  // Backup pullers' requests (and long polls) on their own threads: writes waiting for their
  // acks in sync mode cannot starve them.
  options.reserved_prefix = "/api/v1/replication/";
  auto app = cli::App::Open(dir, *stores);
  if (!app.ok()) return Fail(app.status());
  (*app)->ledgers().backups().RequireSync(
      sync_backups, std::chrono::milliseconds(static_cast<int64_t>(sync_timeout_s * 1000)));
  // Outages declared in the state ledger but not yet copied into a ULB's own (a crash between the
  // two writes, or a ULB that was held back then): copied now, before any dues are served.
  if (auto synced = property_tax::Billing((*app)->ledgers()).SyncOutages("system"); !synced.ok()) {
    spdlog::warn(
        "could not copy every declared outage into the ULB ledgers: {} (the next declaration or "
        "`palika outage sync` retries)",
        synced.status().ToString());
  } else if (*synced > 0) {
    spdlog::info("copied {} declared outage(s) into ULB ledgers that lacked them", *synced);
  }
  http::Router router;
  http::ApiContext ctx{(*app)->ledgers(), (*app)->registry(), (*app)->sessions(),
                       (*app)->metrics()};
  http::AddApiRoutes(router, ctx);
  auto gateway = cli::OpenGateway(**app, dir, gateway_options);
  if (!gateway.ok()) return Fail(gateway.status());
  web_options.online = gateway->online.get();
  web_options.sandbox = gateway->sandbox.get();
  cli::Reconciler reconciler(*gateway->online,
                             std::chrono::seconds(gateway_options.reconcile_every_s));
  web::Web web(ctx, web_options);
  web.AddRoutes(router);
  http::Server server(options, router, (*app)->metrics());
  Status s = server.Listen();
  if (!s.ok()) return Fail(s);
  server.StopOnSignals();
  std::string url = "http://" + options.host + ":" + std::to_string(server.port());
  if (sync_backups > 0) {
    std::cout << "Synchronous backup: a ULB write is acknowledged once " << sync_backups
              << " backup host(s) hold it (timeout " << sync_timeout_s << " s)." << std::endl;
  }
  std::cout << "Palika is serving " << dir << " on " << url << " (Ctrl-C or SIGTERM to stop)"
            << std::endl;
  if (gateway->sandbox) {
    std::cout << "Online payment: the SANDBOX gateway (no real money), " << url
              << "/sandbox-gateway/ ; pending payments reconciled every "
              << gateway_options.reconcile_every_s << " s." << std::endl;
  }
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

// 1234567 -> "1,234,567".
std::string Thousands(size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

int ImportPropertiesCommand(const std::string& dir, const std::string& ulb, const std::string& file,
                            const std::string& report_file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Fail(
        Status::NotFound("no_file", "Cannot read " + file + ".", file + " पढ़ी नहीं जा सकी।"));
  }
  const std::string csv((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto app = cli::App::Open(dir);
  if (!app.ok()) return Fail(app.status());
  auto wards = (*app)->registry().ListWards(ulb);
  if (!wards.ok()) return Fail(wards.status());
  property_tax::ImportOptions options;
  options.ulb = ulb;
  for (const auto& w : *wards) options.wards.insert(w.number);
  // Progress: one line rewritten on a terminal, a line every 5 seconds into a log.
  const bool tty = isatty(STDERR_FILENO);
  double last_line = -5;
  options.progress = [&](const property_tax::ImportProgress& p) {
    if (!tty && p.seconds - last_line < 5 && p.done < p.total) return;
    last_line = p.seconds;
    const double rate = p.seconds > 0 ? static_cast<double>(p.done) / p.seconds : 0;
    std::cerr << (tty ? "\r" : "") << "  " << Thousands(p.done) << " / " << Thousands(p.total)
              << " rows, " << Thousands(static_cast<size_t>(rate)) << " rows/s   "
              << (tty ? "" : "\n") << std::flush;
  };
  property_tax::PropertyRegister reg((*app)->ledgers());
  auto report = property_tax::ImportProperties(reg, csv, options);
  if (tty) std::cerr << "\n";
  if (!report.ok()) return Fail(report.status());
  const auto& r = *report;
  constexpr size_t kShown = 100;
  for (size_t i = 0; i < r.problems.size() && i < kShown; ++i) {
    const auto& p = r.problems[i];
    std::cout << "line " << p.line << (p.field.empty() ? "" : ", " + p.field) << ": " << p.message
              << "\n";
  }
  if (r.problems.size() > kShown) {
    std::cout << "... and " << r.problems.size() - kShown << " more problems"
              << (report_file.empty() ? " (--report FILE writes them all)" : "") << ".\n";
  }
  std::cout << "Imported " << Thousands(r.imported) << " new properties into ULB " << ulb << "; "
            << Thousands(r.already) << " rows were imported before; "
            << Thousands(r.problems.size()) << " rows refused. " << Thousands(r.rows) << " rows in "
            << fmt::format("{:.1f}", r.seconds) << " s ("
            << Thousands(static_cast<size_t>(r.seconds > 0 ? r.rows / r.seconds : 0))
            << " rows/s).\n";
  if (!report_file.empty()) {
    std::ofstream(report_file) << property_tax::ImportReportCsv(r);
    std::cout << "Row-by-row report (with the id each row got): " << report_file << "\n";
  }
  if (r.stopped) {
    std::cout << "The import stopped early (see the last problem); rows already imported are "
                 "kept. Fix the cause and run the same command again.\n";
    return 1;
  }
  return r.problems.empty() ? 0 : 2;
}

int Verify(const std::string& dir, const std::string& only_ulb,
           const std::vector<std::string>& pg) {
  auto config = ledger::ReadDataDirConfig(dir);
  if (!config.ok()) return Fail(config.status());
  auto stores = cli::ParseStoreOptions("sqlite", pg);
  if (!stores.ok()) return Fail(stores.status());
  // ULBs the shard map places in PostgreSQL: their schemas, at the URLs given with --pg.
  std::map<std::string, ledger::Placement> placements;
  {
    store::OpenOptions ro;
    ro.read_only = true;
    auto state = store::OpenDatabase(fs::path(dir) / "state.db", ro);
    if (state.ok() && (*state)->BeginRead().ok()) {
      auto has_map = (*state)->TableExists("ulb_placements");
      if (has_map.ok() && *has_map) {
        auto read = ledger::ReadPlacements(**state);
        if (!read.ok()) return Fail(read.status());
        placements = std::move(read).value();
      }
      (void)(*state)->Rollback();
    }
  }
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
  // Sources left behind by `palika move-ulb` (ulb/moved/<code>-<time>.db) verify too.
  std::error_code moved_ec;
  for (const auto& f : fs::directory_iterator(fs::path(dir) / "ulb" / "moved", moved_ec)) {
    if (f.path().extension() != ".db") continue;
    std::string code = f.path().stem().string().substr(0, 4);
    if (only_ulb.empty() || only_ulb == code) files.push_back({code, f.path()});
  }
  std::vector<std::pair<std::string, ledger::Placement>> in_postgres;
  for (const auto& [code, placement] : placements) {
    if (!placement.sqlite() && (only_ulb.empty() || only_ulb == code)) {
      in_postgres.push_back({code, placement});
    }
  }
  std::sort(files.begin() + (only_ulb.empty() ? 1 : 0), files.end());
  if (!only_ulb.empty() && files.empty() && in_postgres.empty()) {
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
      const bool kept = file.parent_path().filename() == "moved";
      std::cout << "ok   " << ulb << (kept ? " (moved away, kept as ulb/moved/" : "")
                << (kept ? file.filename().string() + ")" : "") << ": " << report->entries
                << " entries, " << report->checkpoints << " checkpoints, " << report->rows_compared
                << " rows match the replay; root " << report->root_hex << "\n";
    } else {
      ++bad;
      std::cout << "FAIL " << ulb << " (" << file.string() << "): " << report->problems.size()
                << " problem(s); the first:\n";
      for (const auto& p : report->problems) std::cout << "  - " << p << "\n";
    }
  }
  for (const auto& [ulb, placement] : in_postgres) {
    auto url = stores->clusters.find(placement.cluster);
    if (url == stores->clusters.end()) {
      std::cout << "FAIL " << ulb << ": it lives in the PostgreSQL cluster '" << placement.cluster
                << "'; give its URL with --pg " << placement.cluster << "=URL\n";
      ++bad;
      continue;
    }
    // Read only: verify writes nothing, not even a cluster's name on first use.
    if (Status named = ledger::CheckClusterName(placement.cluster, url->second, false);
        !named.ok()) {
      std::cout << "FAIL " << ulb << ": " << named.message() << "\n";
      ++bad;
      continue;
    }
    const auto at = store::Location::Postgres(url->second, store::postgres::SchemaFor(ulb));
    auto report = ledger::VerifyLedger(at, ulb, config->node, cli::UlbProjections(), *node);
    if (!report.ok()) {
      std::cout << "FAIL " << ulb << " (" << at.ToString() << "): " << report.status().message()
                << "\n";
      ++bad;
    } else if (report->ok()) {
      std::cout << "ok   " << ulb << " (" << placement.ToString() << "): " << report->entries
                << " entries, " << report->checkpoints << " checkpoints, " << report->rows_compared
                << " rows match the replay; root " << report->root_hex << "\n";
    } else {
      ++bad;
      std::cout << "FAIL " << ulb << " (" << at.ToString() << "): " << report->problems.size()
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
  std::cout << "All " << files.size() + in_postgres.size() << " ledger(s) intact.\n";
  return 0;
}

int Export(const std::string& dir, const std::string& ulb, const std::string& to) {
  if (!IsValidUlbCode(ulb)) {
    return Fail(Status::InvalidArgument(
        "invalid_ulb_code", "'" + ulb + "' is not a ULB code; a ULB code is 4 digits.",
        "'" + ulb + "' निकाय कोड नहीं है; निकाय कोड 4 अंकों का होता है।"));
  }
  const fs::path file = fs::path(dir) / "ulb" / (ulb + ".db");
  if (!fs::exists(file)) {
    return Fail(Status::NotFound("ulb_not_found",
                                 "There is no ledger for ULB " + ulb + " in " + dir + ".",
                                 dir + " में निकाय " + ulb + " का कोई लेजर नहीं है।"));
  }
  std::ifstream pub(fs::path(dir) / "node.pub");
  std::string vkey;
  std::getline(pub, vkey);
  // Reads one snapshot of the file, so it works while the server runs.
  auto r = ledger::ExportLedgerFile(file, ulb, cli::UlbProjections(), vkey, to);
  if (!r.ok()) return Fail(r.status());
  std::cout << "Exported ULB " << ulb << " to " << to << ": " << Thousands(r->entries)
            << " ledger entries, " << r->tables << " tables, " << Thousands(r->rows) << " rows, "
            << Thousands(r->bytes) << " bytes.\n"
            << "Its README.md describes every file; check it with: cd " << to
            << " && sha256sum -c SHA256SUMS\n";
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
  init->add_flag("--demo", demo, "Load the demo ULBs, wards, staff and properties");
  int demo_properties = cli::kDemoProperties;
  init->add_option("--demo-properties", demo_properties,
                   "Demo properties of the corporation (the council half, the parishad a quarter)")
      ->check(CLI::Range(1, 1000000));

  auto* serve = cli.add_subcommand("serve", "Serve the web pages and the API");
  std::string listen = "127.0.0.1:8080";
  serve->add_option("--data", dir, "Data directory")->required();
  serve->add_option("--listen", listen, "HOST:PORT (port 0: any free port)");
  web::WebOptions web_options;
  serve->add_flag("--secure-cookies", web_options.secure_cookies,
                  "Mark the web's cookies Secure (browsers reach Palika over HTTPS, directly or "
                  "through a TLS proxy); leave off for plain http://127.0.0.1");
  int sync_backups = 0;
  double sync_timeout_s = 5;
  serve
      ->add_option("--sync-backup", sync_backups,
                   "Acknowledge a ULB write only once N backup hosts hold it (RPO 0)")
      ->check(CLI::Range(0, 16));
  serve
      ->add_option("--sync-timeout", sync_timeout_s,
                   "How long a write waits for the backups before a 503 (5s, 500ms)")
      ->transform(CLI::AsNumberWithUnit(std::map<std::string, double>{{"ms", 0.001}, {"s", 1}}))
      ->check(CLI::Range(0.01, 600.0));
  cli::GatewayOptions gateway_options;
  cli::AddGatewayServeOptions(*serve, gateway_options);
  std::string serve_store = "sqlite";
  std::vector<std::string> serve_pg;
  serve->add_option("--store", serve_store,
                    "Where new ULBs go: sqlite (files in --data) or postgres (the first --pg)");
  serve->add_option("--pg", serve_pg,
                    "A PostgreSQL cluster as NAME=URL (repeatable; the shard map names clusters; "
                    "a bare URL is named pg1, pg2, ...)");
  int serve_pg_connections = 0;
  serve
      ->add_option("--pg-connections", serve_pg_connections,
                   "Connections to each PostgreSQL cluster at most, shared by all its ULBs "
                   "(default: 3/4 of the server's max_connections)")
      ->check(CLI::Range(0, 10000));

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

  auto* import = cli.add_subcommand("import", "Bulk import of legacy records");
  import->require_subcommand(1);
  auto* import_properties = import->add_subcommand(
      "properties", "Import properties from CSV (columns: docs/import-properties.md)");
  std::string import_ulb, import_file, import_report;
  import_properties->add_option("--data", dir, "Data directory")->required();
  import_properties->add_option("--ulb", import_ulb, "ULB code")->required();
  import_properties->add_option("--report", import_report,
                                "Write a CSV report of every row (id given, or the problem)");
  import_properties->add_option("file", import_file, "CSV file")->required();

  auto* verify = cli.add_subcommand("verify", "Verify every ledger: tree, signatures, replay");
  std::string verify_ulb, verify_backup, verify_key;
  auto* verify_data = verify->add_option("--data", dir, "Data directory");
  verify->add_option("--ulb", verify_ulb, "Only this ULB");
  verify->add_option("--backup", verify_backup, "Check a backup directory instead")
      ->excludes(verify_data);
  verify->add_option("--key", verify_key, "backup.key, to read encrypted segments (--backup)");
  std::vector<std::string> verify_pg;
  verify->add_option("--pg", verify_pg,
                     "A PostgreSQL cluster as NAME=URL, as given to serve (repeatable): ULBs the "
                     "shard map places there are verified in their schemas");

  auto* exp = cli.add_subcommand(
      "export", "Write a ULB's complete data as CSV per table, with its ledger and checkpoint");
  std::string export_ulb, export_to;
  exp->add_option("--data", dir, "Data directory")->required();
  exp->add_option("--ulb", export_ulb, "ULB code")->required();
  exp->add_option("--to", export_to, "New directory to write (must not exist)")->required();

  auto* otp = cli.add_subcommand("demo-otp", "Print a demo account's current one-time code");
  std::string otp_user;
  otp->add_option("--data", dir, "Data directory")->required();
  otp->add_option("--username", otp_user, "Username")->required();

  std::vector<cli::CommandRun> runs;
  cli::AddBillingCommands(cli, runs);
  cli::AddPaymentCommands(cli, runs);
  cli::AddAccountsCommands(cli, runs);
  cli::AddBackupCommands(cli, runs);
  cli::AddReplicationCommands(cli, runs);
  cli::AddGatewayCommands(cli, runs);
  cli::AddStoreCommands(cli, runs);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints what was wrong in English ("--batch: Value 0 not in range [1 - 5000]"); a
    // person at a counter may read Hindi, so say in Hindi what to do as well. Nothing has been
    // opened or written yet. `--help` is a ParseError too, with exit code 0.
    const int code = cli.exit(e);
    if (code != 0) {
      std::cerr << "त्रुटि: आदेश में दिया गया विकल्प या मान गलत है (ऊपर अंग्रेज़ी में बताया गया है: " << e.what()
                << "); उसे ठीक करके फिर चलाएँ, सब विकल्प `palika --help` में देखें।"
                << " कुछ भी लिखा या बदला नहीं गया।\n";
    }
    return code;
  }
  spdlog::set_level(spdlog::level::info);
  if (const char* lvl = getenv("PALIKA_LOG")) spdlog::set_level(spdlog::level::from_str(lvl));

  if (init->parsed()) return Init(dir, demo, demo_properties);
  if (serve->parsed()) {
    return Serve(dir, listen, web_options, sync_backups, sync_timeout_s, gateway_options,
                 serve_store, serve_pg, serve_pg_connections);
  }
  if (ulb_add->parsed()) {
    if (info.district.empty()) info.district = info.name;
    return UlbAdd(dir, info);
  }
  if (user_add->parsed()) return UserAdd(dir, username, display, role, user_ulb);
  if (import_properties->parsed()) {
    return ImportPropertiesCommand(dir, import_ulb, import_file, import_report);
  }
  if (verify->parsed() && !verify_backup.empty()) {
    return cli::VerifyBackupCommand(verify_backup, verify_key, verify_ulb);
  }
  if (verify->parsed()) {
    if (verify_data->count() == 0) {
      return Fail(Status::InvalidArgument("invalid_field",
                                          "verify needs --data DIR or --backup DIR",
                                          "verify के लिए --data DIR या --backup DIR दें"));
    }
    return Verify(dir, verify_ulb, verify_pg);
  }
  if (otp->parsed()) return DemoOtp(dir, otp_user);
  if (exp->parsed()) return Export(dir, export_ulb, export_to);
  for (const auto& r : runs) {
    if (r.command->parsed()) return r.run();
  }
  return 1;
}
