#pragma once
// The demo state `palika init --demo` loads: three real Madhya Pradesh ULBs (Indore municipal
// corporation, a municipal council and a nagar parishad), a few wards each, and a staff account
// for every role, all with one documented demo password. Printed sign-in help for `make run`.

#include <string>

#include "cli/app.h"

namespace palika::cli {

inline constexpr char kDemoPassword[] = "palika-demo-2026";

// Loads the demo state into a freshly initialised directory (through the normal commands).
Status LoadDemo(App& app);

// The sign-in help that `make run` prints for a demo directory.
std::string DemoSignInHelp(const std::string& data_dir, const std::string& url);

}  // namespace palika::cli
