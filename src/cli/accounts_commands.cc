// palika subcommands: accounts reports.

#include "cli/commands.h"

namespace palika::cli {

void AddAccountsCommands(CLI::App& /*cli*/, std::vector<CommandRun>& /*runs*/) {}

}  // namespace palika::cli
