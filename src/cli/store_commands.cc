// palika subcommands of the shard map (issue 6):
//
//   palika ulb place --data DIR --ulb CODE --store sqlite|postgres:NAME [--pg NAME=URL ...]
//       where a ULB that has no ledger yet is to be created (before `ulb add`)
//   palika ulb where --data DIR
//       the map: every ULB and its store, and every move
//   palika move-ulb --data DIR --ulb CODE --to sqlite|postgres:NAME [--pg NAME=URL ...]
//       copies the ULB's ledger to the target, verifies it, switches the map, keeps the source
//
// Each takes the data directory's lock, so none runs while a server serves the directory (stop
// it first; a move takes the ULB away from its counters for its duration anyway).

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/commands.h"
#include "core/ids.h"
#include "ledger/move_ulb.h"
#include "ledger/shard_map.h"

namespace palika::cli {

Result<ledger::StoreOptions> ParseStoreOptions(const std::string& store,
                                               const std::vector<std::string>& pg) {
  ledger::StoreOptions out;
  int bare = 0;
  for (const auto& arg : pg) {
    std::string name, url;
    const auto eq = arg.find('=');
    // "NAME=URL"; a URL itself may hold '=' only after its '?' or in key=value form.
    if (eq != std::string::npos && ledger::IsValidClusterName(arg.substr(0, eq))) {
      name = arg.substr(0, eq);
      url = arg.substr(eq + 1);
    } else {
      name = "pg" + std::to_string(++bare);
      url = arg;
      std::cerr << "note: the cluster " << url << " is named " << name
                << " by its place among the unnamed --pg options; name it (--pg " << name
                << "=URL) so that reordering them cannot change it.\n";
    }
    if (url.empty() || out.clusters.contains(name)) {
      return Status::InvalidArgument("invalid_pg",
                                     "--pg takes NAME=URL, each name once (got '" + arg + "').",
                                     "--pg में NAME=URL दें, हर नाम एक बार ('" + arg + "' मिला)।");
    }
    out.clusters[name] = url;
  }
  if (store == "postgres") {
    if (out.clusters.empty()) {
      return Status::InvalidArgument("invalid_pg",
                                     "--store postgres needs at least one --pg NAME=URL.",
                                     "--store postgres के साथ कम से कम एक --pg NAME=URL दें।");
    }
    // New ULBs go to the first cluster given on the command line.
    const std::string first_arg = pg.front();
    const auto eq = first_arg.find('=');
    std::string first =
        eq != std::string::npos && ledger::IsValidClusterName(first_arg.substr(0, eq))
            ? first_arg.substr(0, eq)
            : std::string("pg1");
    out.new_ulbs = ledger::Placement{"postgres", first};
  } else if (store != "sqlite") {
    return Status::InvalidArgument("invalid_store", "--store is sqlite or postgres.",
                                   "--store sqlite या postgres होना चाहिए।");
  }
  return out;
}

namespace {

struct StoreArgs {
  std::string dir;
  std::string ulb;
  std::string placement;
  std::vector<std::string> pg;
};

void AddPgOption(CLI::App* cmd, StoreArgs& a) {
  cmd->add_option(
      "--pg", a.pg,
      "A PostgreSQL cluster as NAME=URL (repeatable; a bare URL is named pg1, pg2, ...)");
}

int RunPlace(const StoreArgs& a) {
  auto placement = ledger::ParsePlacement(a.placement);
  if (!placement.ok()) return Fail(placement.status());
  if (!IsValidUlbCode(a.ulb)) {
    return Fail(Status::InvalidArgument("invalid_ulb_code", "A ULB code is exactly 4 digits.",
                                        "निकाय कोड ठीक 4 अंकों का होता है।"));
  }
  auto stores = ParseStoreOptions("sqlite", a.pg);
  if (!stores.ok()) return Fail(stores.status());
  auto app = App::Open(a.dir, *stores);
  if (!app.ok()) return Fail(app.status());
  Status s = (*app)->ledgers().PlaceUlb("cli", a.ulb, *placement);
  if (!s.ok()) return Fail(s);
  std::cout << "ULB " << a.ulb << " will be created in " << placement->ToString()
            << " (recorded in the state ledger's shard map).\n";
  return 0;
}

int RunWhere(const StoreArgs& a) {
  auto app = App::Open(a.dir);
  if (!app.ok()) return Fail(app.status());
  auto& set = (*app)->ledgers();
  auto registered = (*app)->registry().ListUlbs();
  if (!registered.ok()) return Fail(registered.status());
  for (const auto& u : *registered) {
    std::cout << u.code << "  " << set.PlacementOf(u.code).ToString() << "  " << u.name << "\n";
  }
  for (const auto& [code, p] : set.Placements()) {
    bool listed = false;
    for (const auto& u : *registered) listed = listed || u.code == code;
    if (!listed) std::cout << code << "  " << p.ToString() << "  (placed, not yet added)\n";
  }
  std::vector<ledger::UlbMove> moves;
  Status s = set.state().Read([&](store::Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(moves, ledger::ReadMoves(tx));
    return Status::OK();
  });
  if (!s.ok()) return Fail(s);
  for (const auto& m : moves) {
    std::cout << "moved " << m.ulb << " from " << m.from.ToString() << " to " << m.to.ToString()
              << " at state entry " << m.seq << ": " << m.entries << " entries, root " << m.root
              << "; the source is kept as " << m.kept_as << "\n";
  }
  return 0;
}

int RunMove(const StoreArgs& a) {
  auto to = ledger::ParsePlacement(a.placement);
  if (!to.ok()) return Fail(to.status());
  auto stores = ParseStoreOptions("sqlite", a.pg);
  if (!stores.ok()) return Fail(stores.status());
  auto app = App::Open(a.dir, *stores);
  if (!app.ok()) return Fail(app.status());
  auto report = ledger::MoveUlb((*app)->ledgers(), a.ulb, *to, UlbProjections(), "cli",
                                [](const std::string& line) { std::cout << line << std::endl; });
  if (!report.ok()) return Fail(report.status());
  std::cout << fmt::format(
      "Moved ULB {} from {} to {} in {:.1f} s: {} entries, {} checkpoints, root {}. The source "
      "is kept, unused, as {}.\n",
      a.ulb, report->from.ToString(), report->to.ToString(), report->seconds,
      report->copied.entries, report->copied.checkpoints, report->copied.root_hex, report->kept_as);
  return 0;
}

}  // namespace

void AddStoreCommands(CLI::App& cli, std::vector<CommandRun>& runs) {
  auto a = std::make_shared<StoreArgs>();
  CLI::App* ulb = cli.get_subcommand("ulb");

  auto* place = ulb->add_subcommand(
      "place", "Say where a ULB that has no ledger yet is to be created (before `ulb add`)");
  place->add_option("--data", a->dir, "Data directory")->required();
  place->add_option("--ulb", a->ulb, "4-digit ULB code")->required();
  place->add_option("--store", a->placement, "sqlite, or postgres:NAME")->required();
  AddPgOption(place, *a);
  runs.push_back({place, [a] { return RunPlace(*a); }});

  auto* where = ulb->add_subcommand("where", "The shard map: where each ULB lives, and its moves");
  where->add_option("--data", a->dir, "Data directory")->required();
  runs.push_back({where, [a] { return RunWhere(*a); }});

  auto* move = cli.add_subcommand(
      "move-ulb",
      "Copy a ULB's ledger to another store, verify it, switch the map (stop the server first)");
  move->add_option("--data", a->dir, "Data directory")->required();
  move->add_option("--ulb", a->ulb, "4-digit ULB code")->required();
  move->add_option("--to", a->placement, "sqlite, or postgres:NAME")->required();
  AddPgOption(move, *a);
  runs.push_back({move, [a] { return RunMove(*a); }});
}

}  // namespace palika::cli
