#include "pg_test_clusters.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "integration/server_fixture.h"

namespace palika::pgtest {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kUrlVars[kClusters] = {"PALIKA_TEST_PG_URL", "PALIKA_TEST_PG_URL2"};

std::string Script() { return std::string(PALIKA_SOURCE_DIR) + "/scripts/pg-test-cluster.sh"; }

// A loopback port nobody listens on right now (the kernel's choice for port 0).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string Chomp(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

struct Cluster {
  fs::path dir;  // empty: not started by us
  int port = 0;
  std::string url;
};

// Starts a cluster in c.dir on a free port; the error, or "" once c.url is set.
std::string Start(Cluster& c) {
  // A port another process takes between FreePort() and the start: try another.
  integration::RunResult r;
  for (int attempt = 0; attempt < 3; ++attempt) {
    c.port = FreePort();
    r = integration::RunProgram(
        {Script(), "start", c.dir.string(), std::to_string(c.port), std::to_string(::getpid())});
    if (r.exit_code == 0) {
      c.url = Chomp(r.output.substr(r.output.rfind("postgresql://")));
      return "";
    }
  }
  return "scripts/pg-test-cluster.sh start " + c.dir.string() + " failed:\n" + r.output;
}

struct Clusters {
  std::mutex mu;
  bool tried = false;                    // guarded by mu
  bool ok = false;                       // guarded by mu
  std::string error;                     // guarded by mu
  std::array<Cluster, kClusters> all{};  // guarded by mu
  int databases = 0;                     // guarded by mu

  // Starts both clusters (once). Returns false with `error` set if that failed.
  bool EnsureStarted() {
    if (tried) return ok;
    tried = true;
    bool preset = true;
    for (int i = 0; i < kClusters; ++i) {
      const char* v = std::getenv(std::string(kUrlVars[i]).c_str());
      if (v == nullptr || *v == '\0') preset = false;
    }
    if (preset) {
      for (int i = 0; i < kClusters; ++i) {
        all[i].url = std::getenv(std::string(kUrlVars[i]).c_str());
      }
      ok = true;
      return ok;
    }
    // Both at once: each start is mostly waiting for the server.
    std::array<std::string, kClusters> errors;
    std::vector<std::thread> starts;
    for (int i = 0; i < kClusters; ++i) {
      std::string templ = (fs::temp_directory_path() / "palika-pg-XXXXXX").string();
      if (::mkdtemp(templ.data()) == nullptr) {
        error = "mkdtemp failed for " + templ;
        return false;
      }
      all[i].dir = templ;
      starts.emplace_back([this, i, &errors] { errors[i] = Start(all[i]); });
    }
    for (auto& t : starts) t.join();
    for (int i = 0; i < kClusters; ++i) {
      if (!errors[i].empty()) {
        error = errors[i];
        return false;
      }
      ::setenv(std::string(kUrlVars[i]).c_str(), all[i].url.c_str(), 1);
    }
    ok = true;
    return ok;
  }

  void StopAll() {
    std::lock_guard lock(mu);
    for (auto& c : all) {
      if (c.dir.empty()) continue;
      integration::RunProgram({Script(), "stop", c.dir.string()});
      c.dir.clear();
    }
  }
};

Clusters& Get() {
  static Clusters* clusters = new Clusters();  // never destroyed: the environment stops them
  return *clusters;
}

class StopClusters : public ::testing::Environment {
 public:
  void TearDown() override { Get().StopAll(); }
};

[[maybe_unused]] const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new StopClusters());

}  // namespace

std::string Url(int i) {
  auto& c = Get();
  std::lock_guard lock(c.mu);
  if (i < 0 || i >= kClusters) {
    ADD_FAILURE() << "no test cluster " << i;
    return "";
  }
  if (!c.EnsureStarted()) {
    ADD_FAILURE() << c.error;
    return "";
  }
  return c.all[i].url;
}

std::string NewDatabase(int i) {
  const std::string base = Url(i);
  if (base.empty()) return "";
  std::string name;
  {
    auto& c = Get();
    std::lock_guard lock(c.mu);
    name = "t_" + std::to_string(::getpid()) + "_" + std::to_string(++c.databases);
  }
  if (Psql(base, "CREATE DATABASE " + name).find("ERROR") != std::string::npos) return "";
  return base.substr(0, base.rfind('/') + 1) + name;
}

::testing::AssertionResult Halt(int i, bool crash) {
  if (Url(i).empty()) return ::testing::AssertionFailure() << "no cluster " << i;
  auto& c = Get();
  std::lock_guard lock(c.mu);
  if (c.all[i].dir.empty()) {
    return ::testing::AssertionFailure() << "cluster " << i << " was started outside the test";
  }
  auto r = integration::RunProgram(
      {Script(), "halt", c.all[i].dir.string(), crash ? "immediate" : "fast"});
  if (r.exit_code != 0) return ::testing::AssertionFailure() << "halt failed: " << r.output;
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Resume(int i) {
  if (Url(i).empty()) return ::testing::AssertionFailure() << "no cluster " << i;
  auto& c = Get();
  std::lock_guard lock(c.mu);
  if (c.all[i].dir.empty()) {
    return ::testing::AssertionFailure() << "cluster " << i << " was started outside the test";
  }
  auto r = integration::RunProgram(
      {Script(), "start", c.all[i].dir.string(), std::to_string(c.all[i].port)});
  if (r.exit_code != 0) return ::testing::AssertionFailure() << "restart failed: " << r.output;
  return ::testing::AssertionSuccess();
}

std::string Psql(const std::string& url, const std::string& sql) {
  auto r = integration::RunProgram({"psql", url, "-X", "-v", "ON_ERROR_STOP=1", "-tAq", "-c", sql});
  if (r.exit_code != 0) {
    ADD_FAILURE() << "psql " << url << " -c \"" << sql << "\" failed:\n" << r.output;
    return "ERROR: " + r.output;
  }
  return Chomp(r.output);
}

}  // namespace palika::pgtest
