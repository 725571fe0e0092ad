#pragma once
// The demo state `palika init --demo` loads: three real Madhya Pradesh ULBs (Indore municipal
// corporation, a municipal council and a nagar parishad), a few wards each, a staff account for
// every role, all with one documented demo password, and made-up properties in every ward
// (property_samples.h), a few of them corrected so that their history shows; last year's and this
// year's rate tables and demand, and some of this year's counter collections. Printed sign-in
// help for `make run`.

#include <string>

#include "cli/app.h"

namespace palika::cli {

inline constexpr char kDemoPassword[] = "palika-demo-2026";

// Properties of the demo corporation (Indore) by default; the council gets half as many and the
// nagar parishad a quarter, as a smaller town has: 35,000 in all, a living register for `make
// run`. The integration tests ask for fewer (`--demo-properties 300`) to stay quick.
inline constexpr int kDemoProperties = 20000;

// Loads the demo state into a freshly initialised directory (through the normal commands).
Status LoadDemo(App& app, int properties = kDemoProperties);

// The sign-in help that `make run` prints for a demo directory.
std::string DemoSignInHelp(const std::string& data_dir, const std::string& url);

}  // namespace palika::cli
