#pragma once
// Integration-test harness: a real `palika` process on a fresh data directory, driven over HTTP.
//
// PalikaServer owns a temporary directory (removed by its destructor; set PALIKA_KEEP_TEST_DIRS=1
// to keep it) holding the data directory and the server's logs. It runs `palika init --demo`,
// starts `palika serve --listen 127.0.0.1:0` as a child process (which reads its port from the
// "Palika is serving ... on http://127.0.0.1:PORT" line), stops it with SIGTERM, kills it with
// SIGKILL, restarts it, and runs `palika verify` and the `sqlite3` tool on its files. The child
// gets SIGKILL if the test process dies, and the destructor kills it too, so a failing test leaves
// nothing behind. Demo users sign in with their TOTP code computed from state.db.
//
// Not thread-safe: drive one PalikaServer from the test's main thread. Worker threads of a test
// use their own http::TestClient on port().

#include <gtest/gtest.h>
#include <sys/types.h>

#include <boost/json.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/test_client.h"

namespace palika::integration {

namespace fs = std::filesystem;

using Headers = std::vector<std::pair<std::string, std::string>>;

inline constexpr char kDemoPassword[] = "palika-demo-2026";
inline constexpr char kIndore[] = "0152";
inline constexpr char kSehore[] = "0276";
inline constexpr char kSanwer[] = "0157";

struct RunResult {
  int exit_code = -1;  // 128 + signal number if it was killed; -1 if it could not run
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (a path) with argv, stdin from /dev/null, stdout and stderr captured; kills it
// after timeout_seconds.
RunResult RunProgram(const std::vector<std::string>& argv, int timeout_seconds = 120);
// `palika ARGS...`.
RunResult RunPalika(const std::vector<std::string>& args);
// `sqlite3 -batch -bail FILE SQL`; read_only adds -readonly (safe while the server runs).
RunResult Sqlite(const fs::path& db, const std::string& sql, bool read_only = false);

// The body as JSON (null if it is not JSON).
boost::json::value ParseJson(const std::string& body);
// `Authorization: Bearer TOKEN` (no header for an empty token).
Headers Bearer(const std::string& token);
// The response has `status` and the error body DESIGN.md defines: {"error": {"code": code,
// "message": English text, "message_hi": text in Devanagari}}.
::testing::AssertionResult IsApiError(const http::ClientResponse& r, int status,
                                      std::string_view code);
// "METHOD TARGET -> STATUS BODY" for failure messages.
std::string Describe(std::string_view method, std::string_view target,
                     const http::ClientResponse& r);

class PalikaServer {
 public:
  // A fresh data directory with the demo state (`palika init --demo`), not yet serving.
  // Returns nullptr (after adding a test failure with init's output) if init failed.
  static std::unique_ptr<PalikaServer> CreateDemo();
  // A copy of this server's data directory in a new temporary directory, not serving. Copy only
  // while this server is stopped. The copy remembers which one-time codes were used.
  std::unique_ptr<PalikaServer> CopyDataDir() const;

  ~PalikaServer();
  PalikaServer(const PalikaServer&) = delete;
  PalikaServer& operator=(const PalikaServer&) = delete;

  const fs::path& data_dir() const { return data_dir_; }
  fs::path state_db() const { return data_dir_ / "state.db"; }
  fs::path ulb_db(const std::string& code) const { return data_dir_ / "ulb" / (code + ".db"); }
  // "state" -> state.db, a ULB code -> ulb/CODE.db.
  fs::path ledger_db(const std::string& ledger) const;

  // An environment variable for the server processes started from now on (the test seams).
  void SetServerEnv(const std::string& name, const std::string& value) { env_[name] = value; }
  // The temporary directory that holds the data directory (for a test's own files).
  const fs::path& root() const { return root_; }

  // Starts `palika serve` and waits until it announces its port (or exits, or 60 s pass).
  ::testing::AssertionResult Start();
  // Starts `palika serve` and returns at once, before it opens its ledgers (to kill it while it
  // starts up); Kill() reaps it. False if it could not be spawned.
  bool Launch();
  // Options added to `palika serve` from the next Start() on (e.g. {"--sync-backup", "1"}).
  void set_serve_args(std::vector<std::string> args) { serve_args_ = std::move(args); }
  // SIGTERM, then waits up to timeout_seconds for the exit; *exit_code receives the status.
  ::testing::AssertionResult Stop(int* exit_code = nullptr, int timeout_seconds = 30);
  // SIGKILL and reap.
  void Kill();
  ::testing::AssertionResult Restart();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  // Everything the server processes started by this object printed, in order.
  std::string ServerLog() const;
  // The end of ServerLog() on stderr, for a failed test's TearDown.
  void PrintLogTail() const;

  // `palika verify --data DIR [--ulb CODE]`.
  RunResult Verify(const std::string& ulb = "") const;
  // sqlite3 on a ledger file ("state" or a ULB code); read-only while the server runs.
  RunResult Sql(const std::string& ledger, const std::string& sql) const;
  // The output of a query, without the final newline; adds a failure if sqlite3 fails.
  std::string Query(const std::string& ledger, const std::string& sql) const;
  // Entries in every ledger file: {"state": n, "0152": n, ...}.
  std::map<std::string, int64_t> EntryCounts() const;

  // One request on this object's kept-alive client (recreated on every start).
  http::ClientResponse Request(std::string_view method, std::string_view target,
                               std::string_view body = "", const std::string& token = "",
                               const Headers& extra = {});
  // A client of its own (for other threads).
  std::unique_ptr<http::TestClient> NewClient() const;

  // A one-time code for the demo user that no earlier sign-in used: the current TOTP step, or the
  // next one if the current one was used (waiting for time to move on if both were).
  std::string NextOtp(const std::string& username);
  // Signs in with the demo password and returns the bearer token; "" (and a test failure) if the
  // server refused.
  std::string SignIn(const std::string& username);

 private:
  PalikaServer() = default;
  static std::unique_ptr<PalikaServer> InNewTempDir();

  fs::path root_;  // temporary directory: data/, server-N.log
  fs::path data_dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int starts_ = 0;
  std::vector<std::string> serve_args_;
  std::vector<fs::path> logs_;
  std::map<std::string, std::string> env_;  // added to the server's environment
  std::unique_ptr<http::TestClient> client_;
  std::map<std::string, int64_t> last_totp_step_;  // username -> last step used
};

// What is wrong with a ULB's receipt numbers (empty: nothing): each financial year's series must
// run 1, 2, ... n with no gap and no number twice, and end where receipt_series says it does.
// Reads the ULB's file (read-only while the server runs).
std::vector<std::string> ReceiptNumberProblems(const PalikaServer& server, const std::string& ulb);

// `palika ARGS...` running in the background (a backup puller), stdout and stderr into `log`.
// The destructor kills it if it still runs. Not thread-safe.
class BackgroundPalika {
 public:
  BackgroundPalika(const std::vector<std::string>& args, fs::path log);
  ~BackgroundPalika();
  BackgroundPalika(const BackgroundPalika&) = delete;
  BackgroundPalika& operator=(const BackgroundPalika&) = delete;

  bool running();  // reaps it if it has exited
  // SIGTERM, then waits up to timeout_seconds (SIGKILL after); the exit code (128 + signal).
  int Stop(int timeout_seconds = 30);
  void Kill();  // SIGKILL and reap
  int exit_code() const { return exit_code_; }
  std::string Output() const;

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  fs::path log_;
};

// A test with its own demo server, started in SetUp.
class DemoServerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::unique_ptr<PalikaServer> server_;
};

}  // namespace palika::integration
