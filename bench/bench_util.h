#pragma once
// Small helpers every benchmark program in bench/ uses: each is a program of its own, so these are
// inline here rather than a library.

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace palika::bench {

// Prints what failed and exits 1: a benchmark whose setup fails has nothing to measure.
inline void Check(const Status& s, std::string_view what) {
  if (!s.ok()) {
    fmt::print(stderr, "{}: {}\n", what, s.ToString());
    std::exit(1);
  }
}

// The value of "--name=value" when `arg` is that flag.
inline std::optional<std::string> FlagValue(std::string_view arg, std::string_view name) {
  const std::string prefix = "--" + std::string(name) + "=";
  if (arg.starts_with(prefix)) return std::string(arg.substr(prefix.size()));
  return std::nullopt;
}

inline double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// The p-quantile (0..1) of `v` (0 when empty).
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// "/proc/loadavg"'s three figures, for the header of a benchmark's output.
inline std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a.empty() ? "unknown" : fmt::format("{} {} {}", a, b, c);
}

}  // namespace palika::bench
