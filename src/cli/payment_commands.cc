// palika subcommands: verify-receipt, receipt.

#include "cli/commands.h"

namespace palika::cli {

void AddPaymentCommands(CLI::App& /*cli*/, std::vector<CommandRun>& /*runs*/) {}

}  // namespace palika::cli
