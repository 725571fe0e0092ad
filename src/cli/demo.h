#pragma once
// The demo state `palika init --demo` loads: three real Madhya Pradesh ULBs (Indore municipal
// corporation, a municipal council and a nagar parishad), a few wards each, a staff account for
// every role, all with one documented demo password, and made-up properties in every ward
// (property_samples.h), a few of them corrected so that their history shows. Printed sign-in help
// for `make run`.

#include <string>

#include "cli/app.h"

namespace palika::cli {

inline constexpr char kDemoPassword[] = "palika-demo-2026";

// Properties of the demo corporation (Indore) by default; the council gets half as many and the
// nagar parishad a quarter, as a smaller town has. 3,500 in all keeps every `palika init --demo`
// the tests run quick (about a second in a release build, a few in the sanitizer build);
// `palika init --demo --demo-properties 40000` loads a larger town.
inline constexpr int kDemoProperties = 2000;

// Loads the demo state into a freshly initialised directory (through the normal commands).
Status LoadDemo(App& app, int properties = kDemoProperties);

// The sign-in help that `make run` prints for a demo directory.
std::string DemoSignInHelp(const std::string& data_dir, const std::string& url);

}  // namespace palika::cli
