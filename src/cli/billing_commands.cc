// palika subcommands: rates set/show, demand raise, outage declare, waiver declare.

#include "cli/commands.h"

namespace palika::cli {

void AddBillingCommands(CLI::App& /*cli*/, std::vector<CommandRun>& /*runs*/) {}

}  // namespace palika::cli
