#pragma once
// Small helpers every benchmark program in bench/ uses: each is a program of its own, so these are
// inline here rather than a library.

#include <fmt/core.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
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

// The scheduler's account of this process's threads named `name` (/proc/self/task/*/schedstat):
// time on a CPU, time runnable but waiting for one, and times scheduled in, summed.
struct SchedStat {
  double run_seconds = 0;
  double runqueue_seconds = 0;
  double slices = 0;
  SchedStat operator-(const SchedStat& o) const {
    return {run_seconds - o.run_seconds, runqueue_seconds - o.runqueue_seconds, slices - o.slices};
  }
};
// Calls fn with the /proc/self/task/<tid> directory of each of this process's threads named `name`
// (as in its comm file; the ledger names its writer threads "writer-<ulb>").
template <typename Fn>
void ForEachNamedThread(std::string_view name, Fn fn) {
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream comm(task.path() / "comm");
    std::string n;
    std::getline(comm, n);
    if (n == name) fn(task.path());
  }
}

inline SchedStat NamedThreadsSchedStat(std::string_view name) {
  SchedStat total;
  ForEachNamedThread(name, [&](const std::filesystem::path& task) {
    std::ifstream stat(task / "schedstat");
    double run = 0;
    double wait = 0;
    double slices = 0;
    if (stat >> run >> wait >> slices) {
      total.run_seconds += run / 1e9;
      total.runqueue_seconds += wait / 1e9;
      total.slices += slices;
    }
  });
  return total;
}

// CPU time (user + system, seconds) of this process's threads named `name` (as in
// /proc/self/task/*/comm; the ledger names its writer threads "writer-<ulb>").
inline double NamedThreadsCpuSeconds(std::string_view name) {
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  double total = 0;
  ForEachNamedThread(name, [&](const std::filesystem::path& task) {
    std::ifstream stat(task / "stat");
    std::string line;
    std::getline(stat, line);
    const size_t close = line.rfind(')');
    if (close == std::string::npos) return;
    // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
    std::vector<std::string> fields;
    std::string_view rest = std::string_view(line).substr(close + 2);
    while (!rest.empty()) {
      const size_t sp = rest.find(' ');
      fields.emplace_back(rest.substr(0, sp));
      rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    }
    if (fields.size() > 12) total += (std::stod(fields[11]) + std::stod(fields[12])) / tick;
  });
  return total;
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

// A throw-away PostgreSQL cluster for a benchmark (scripts/pg-test-cluster.sh, as the tests use):
// started in a temporary directory on a free loopback port with fsync and synchronous_commit on,
// stopped and removed by the destructor, or by the script's watcher if the benchmark dies first.
// Not copyable; one thread.
class ThrowAwayCluster {
 public:
  // Whether PostgreSQL's server programs are installed (scripts/install-deps.sh installs them).
  static bool Installed() {
    std::error_code ec;
    for (const auto& d : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
      if (std::filesystem::exists(d.path() / "bin" / "initdb", ec)) return true;
    }
    return false;
  }

  // Starts one; `why` says what failed when the result is empty.
  static std::optional<ThrowAwayCluster> Start(std::string* why) {
    std::string dir = (std::filesystem::temp_directory_path() / "palika-bench-pg-XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr) {
      *why = "mkdtemp failed";
      return std::nullopt;
    }
    std::string output;
    int rc =
        Run(fmt::format("{} start {} {} {} 2>&1", Script(), dir, FreePort(), ::getpid()), &output);
    const auto at = output.rfind("postgresql://");
    if (rc != 0 || at == std::string::npos) {
      *why = output;
      Run(fmt::format("{} stop {} 2>&1", Script(), dir), &output);
      return std::nullopt;
    }
    std::string url = output.substr(at);
    while (!url.empty() && (url.back() == '\n' || url.back() == '\r')) url.pop_back();
    return ThrowAwayCluster(std::move(dir), std::move(url));
  }

  ThrowAwayCluster(ThrowAwayCluster&& o) noexcept : dir_(std::move(o.dir_)), url_(o.url_) {
    o.dir_.clear();
  }
  ThrowAwayCluster(const ThrowAwayCluster&) = delete;
  ThrowAwayCluster& operator=(const ThrowAwayCluster&) = delete;
  ThrowAwayCluster& operator=(ThrowAwayCluster&&) = delete;
  ~ThrowAwayCluster() {
    if (dir_.empty()) return;
    std::string ignored;
    Run(fmt::format("{} stop {} 2>&1", Script(), dir_), &ignored);
  }

  // postgresql://palika@127.0.0.1:PORT/palika
  const std::string& url() const { return url_; }

 private:
  ThrowAwayCluster(std::string dir, std::string url) : dir_(std::move(dir)), url_(std::move(url)) {}

  static std::string Script() {
    return std::string(PALIKA_SOURCE_DIR) + "/scripts/pg-test-cluster.sh";
  }

  // A loopback port nobody listens on right now (the kernel's choice for port 0).
  static int FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    if (fd >= 0) ::close(fd);
    return port;
  }

  // Runs a shell command; its exit code, and its output in `out`.
  static int Run(const std::string& command, std::string* out) {
    out->clear();
    FILE* p = ::popen(command.c_str(), "r");
    if (p == nullptr) return -1;
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out->append(buf.data(), n);
    return ::pclose(p);
  }

  std::string dir_;
  std::string url_;
};

}  // namespace palika::bench
