#include "integration/server_fixture.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "core/encoding.h"
#include "services/identity/totp.h"

namespace palika::integration {
namespace {

using Clock = std::chrono::steady_clock;

// In a child between fork and exec (async-signal-safe calls only): close every inherited
// descriptor above stderr, so the child holds none of the test's sockets or files.
void CloseFrom(int first) {
  if (::syscall(SYS_close_range, first, ~0U, 0) == 0) return;
  for (int fd = first; fd < 4096; ++fd) ::close(fd);
}

std::vector<char*> Argv(const std::vector<std::string>& args) {
  std::vector<char*> out;
  for (const auto& a : args) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Forks and execs argv with stdin from /dev/null and stdout/stderr on out_fd, in this process's
// environment with `env` added (NAME=VALUE each). The child dies with the test process
// (PR_SET_PDEATHSIG).
pid_t Spawn(const std::vector<std::string>& args, int out_fd,
            const std::map<std::string, std::string>& env = {}) {
  std::vector<char*> argv = Argv(args);
  // Built before fork: the child may only make async-signal-safe calls.
  std::vector<std::string> vars;
  for (char** e = environ; *e; ++e) {
    const std::string var = *e;
    if (!env.contains(var.substr(0, var.find('=')))) vars.push_back(var);
  }
  for (const auto& [name, value] : env) vars.push_back(name + "=" + value);
  std::vector<char*> envp = Argv(vars);
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(devnull, 0);
    ::dup2(out_fd, 1);
    ::dup2(out_fd, 2);
    CloseFrom(3);
    ::execvpe(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  if (devnull >= 0) ::close(devnull);
  return pid;
}

std::string ReadFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string SqlQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

bool HasDevanagari(std::string_view s) {
  // U+0900..U+097F is E0 A4 80 .. E0 A5 BF in UTF-8.
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) == 0xE0 &&
        (static_cast<unsigned char>(s[i + 1]) == 0xA4 ||
         static_cast<unsigned char>(s[i + 1]) == 0xA5)) {
      return true;
    }
  }
  return false;
}

}  // namespace

RunResult RunProgram(const std::vector<std::string>& argv, int timeout_seconds) {
  RunResult out;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    out.output = "pipe failed";
    return out;
  }
  pid_t pid = Spawn(argv, fds[1]);
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    out.output = "fork failed";
    return out;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
  char buf[8192];
  for (;;) {
    pollfd p{fds[0], POLLIN, 0};
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (left <= 0 || ::poll(&p, 1, left) == 0) {
      ::kill(pid, SIGKILL);
      out.output += "\n[killed after " + std::to_string(timeout_seconds) + " s]";
      break;
    }
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.output.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out.exit_code = ExitCodeOf(status);
  return out;
}

RunResult RunPalika(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {PALIKA_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv);
}

RunResult Sqlite(const fs::path& db, const std::string& sql, bool read_only) {
  std::vector<std::string> argv = {"sqlite3", "-batch", "-bail"};
  if (read_only) argv.push_back("-readonly");
  argv.push_back(db.string());
  argv.push_back(sql);
  return RunProgram(argv, 60);
}

boost::json::value ParseJson(const std::string& body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) return nullptr;
  return v;
}

Headers Bearer(const std::string& token) {
  if (token.empty()) return {};
  return {{"Authorization", "Bearer " + token}};
}

std::string Describe(std::string_view method, std::string_view target,
                     const http::ClientResponse& r) {
  std::string body = r.body.size() > 400 ? r.body.substr(0, 400) + "..." : r.body;
  return std::string(method) + " " + std::string(target).substr(0, 200) + " -> " +
         std::to_string(r.status) + " " + body + (r.error.empty() ? "" : " (" + r.error + ")");
}

::testing::AssertionResult IsApiError(const http::ClientResponse& r, int status,
                                      std::string_view code) {
  auto fail = [&](std::string why) {
    return ::testing::AssertionFailure() << why << "; got " << r.status << " " << r.body
                                         << (r.error.empty() ? "" : " (" + r.error + ")");
  };
  if (r.status != status) return fail("expected HTTP " + std::to_string(status));
  if (r.Header("content-type").find("application/json") == std::string::npos) {
    return fail("expected a JSON error body");
  }
  boost::json::value v = ParseJson(r.body);
  const auto* root = v.if_object();
  const auto* error = root ? root->if_contains("error") : nullptr;
  if (!error || !error->is_object()) return fail("expected {\"error\": {...}}");
  const auto& e = error->get_object();
  const auto* c = e.if_contains("code");
  const auto* m = e.if_contains("message");
  const auto* hi = e.if_contains("message_hi");
  if (!c || !c->is_string() || c->get_string() != code) {
    return fail("expected error code '" + std::string(code) + "'");
  }
  if (!m || !m->is_string() || m->get_string().size() < 10) {
    return fail("expected an English message");
  }
  if (!hi || !hi->is_string() || !HasDevanagari(hi->get_string())) {
    return fail("expected a Hindi message");
  }
  return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------------------------------------

std::unique_ptr<PalikaServer> PalikaServer::InNewTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/palika-it-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) {
    ADD_FAILURE() << "mkdtemp " << pattern << ": " << strerror(errno);
    return nullptr;
  }
  std::unique_ptr<PalikaServer> s(new PalikaServer());
  s->root_ = buf.data();
  s->data_dir_ = s->root_ / "data";
  return s;
}

std::unique_ptr<PalikaServer> PalikaServer::CreateDemo() {
  auto s = InNewTempDir();
  if (!s) return nullptr;
  // A smaller demo register than `make run`'s keeps each fresh directory quick under the
  // sanitizers (the tamper and kill -9 tests make many of them); still over a page of results.
  RunResult init =
      RunPalika({"init", "--data", s->data_dir_.string(), "--demo", "--demo-properties", "300"});
  if (init.exit_code != 0) {
    ADD_FAILURE() << "palika init --demo exited " << init.exit_code << ":\n" << init.output;
    return nullptr;
  }
  return s;
}

std::unique_ptr<PalikaServer> PalikaServer::CopyDataDir() const {
  EXPECT_FALSE(running()) << "copy a data directory only while its server is stopped";
  auto copy = InNewTempDir();
  if (!copy) return nullptr;
  std::error_code ec;
  fs::copy(data_dir_, copy->data_dir_, fs::copy_options::recursive, ec);
  if (ec) {
    ADD_FAILURE() << "copying " << data_dir_ << ": " << ec.message();
    return nullptr;
  }
  copy->last_totp_step_ = last_totp_step_;
  return copy;
}

PalikaServer::~PalikaServer() {
  client_.reset();
  if (running()) Kill();
  const char* keep = std::getenv("PALIKA_KEEP_TEST_DIRS");
  if (!root_.empty()) {
    if (keep && *keep && std::string(keep) != "0") {
      std::cerr << "keeping " << root_ << "\n";
    } else {
      std::error_code ec;
      fs::remove_all(root_, ec);
    }
  }
}

fs::path PalikaServer::ledger_db(const std::string& ledger) const {
  return ledger == "state" ? state_db() : ulb_db(ledger);
}

bool PalikaServer::Launch() {
  if (running()) return false;
  fs::path log = root_ / ("server-" + std::to_string(++starts_) + ".log");
  logs_.push_back(log);
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  std::vector<std::string> args = {PALIKA_BINARY,      "serve",    "--data",
                                   data_dir_.string(), "--listen", "127.0.0.1:0"};
  args.insert(args.end(), serve_args_.begin(), serve_args_.end());
  pid_ = Spawn(args, fd, env_);
  ::close(fd);
  return pid_ > 0;
}

::testing::AssertionResult PalikaServer::Start() {
  if (running()) return ::testing::AssertionFailure() << "the server is already running";
  if (!Launch()) return ::testing::AssertionFailure() << "cannot spawn palika serve";
  const fs::path log = logs_.back();

  // Wait for "Palika is serving DIR on http://127.0.0.1:PORT (...)".
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    std::string text = ReadFile(log);
    size_t at = text.find("Palika is serving ");
    size_t on = at == std::string::npos ? at : text.find(" on http://", at);
    size_t end = on == std::string::npos ? on : text.find_first_of(" \n", on + 11);
    if (end != std::string::npos) {
      std::string url = text.substr(on + 11, end - on - 11);
      port_ = static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
      client_ = NewClient();
      return ::testing::AssertionSuccess();
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return ::testing::AssertionFailure()
             << "palika serve exited " << ExitCodeOf(status) << " before serving:\n"
             << text;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Kill();
  return ::testing::AssertionFailure() << "palika serve did not announce its port in 60 s:\n"
                                       << ReadFile(log);
}

::testing::AssertionResult PalikaServer::Stop(int* exit_code, int timeout_seconds) {
  if (!running()) return ::testing::AssertionFailure() << "the server is not running";
  client_.reset();
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) != pid_) {
    if (Clock::now() > deadline) {
      Kill();
      return ::testing::AssertionFailure()
             << "palika serve did not exit within " << timeout_seconds << " s of SIGTERM";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  port_ = 0;
  if (exit_code) *exit_code = ExitCodeOf(status);
  return ::testing::AssertionSuccess();
}

void PalikaServer::Kill() {
  client_.reset();
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  port_ = 0;
}

::testing::AssertionResult PalikaServer::Restart() {
  if (running()) {
    int code = -1;
    auto stopped = Stop(&code);
    if (!stopped) return stopped;
    if (code != 0) return ::testing::AssertionFailure() << "palika serve exited " << code;
  }
  return Start();
}

std::string PalikaServer::ServerLog() const {
  std::string out;
  for (const auto& log : logs_) out += ReadFile(log);
  return out;
}

RunResult PalikaServer::Verify(const std::string& ulb) const {
  std::vector<std::string> args = {"verify", "--data", data_dir_.string()};
  if (!ulb.empty()) {
    args.push_back("--ulb");
    args.push_back(ulb);
  }
  return RunPalika(args);
}

RunResult PalikaServer::Sql(const std::string& ledger, const std::string& sql) const {
  return Sqlite(ledger_db(ledger), sql, running());
}

std::string PalikaServer::Query(const std::string& ledger, const std::string& sql) const {
  RunResult r = Sql(ledger, sql);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "sqlite3 " << ledger_db(ledger) << " \"" << sql << "\" exited " << r.exit_code
                  << ": " << r.output;
  }
  return Trimmed(r.output);
}

std::map<std::string, int64_t> PalikaServer::EntryCounts() const {
  // One sqlite3 process for all ledgers: state.db with every ULB file attached.
  std::vector<std::string> names = {"state"};
  std::string sql;
  std::string select = "SELECT (SELECT COUNT(*) FROM main.ledger_entries)";
  std::vector<fs::path> files;
  for (const auto& f : fs::directory_iterator(data_dir_ / "ulb")) {
    if (f.path().extension() == ".db") files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const std::string code = f.stem().string();
    names.push_back(code);
    sql += "ATTACH " + SqlQuote(f.string()) + " AS u" + code + ";";
    select += " || ' ' || (SELECT COUNT(*) FROM u" + code + ".ledger_entries)";
  }
  std::istringstream in(Query("state", sql + select + ";"));
  std::map<std::string, int64_t> out;
  for (const auto& name : names) in >> out[name];
  return out;
}

http::ClientResponse PalikaServer::Request(std::string_view method, std::string_view target,
                                           std::string_view body, const std::string& token,
                                           const Headers& extra) {
  if (!client_) {
    http::ClientResponse r;
    r.error = "the server is not running";
    return r;
  }
  Headers headers = Bearer(token);
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  headers.insert(headers.end(), extra.begin(), extra.end());
  return client_->Request(method, target, body, headers);
}

std::unique_ptr<http::TestClient> PalikaServer::NewClient() const {
  return std::make_unique<http::TestClient>("127.0.0.1", port_, std::chrono::seconds(30));
}

std::string PalikaServer::NextOtp(const std::string& username) {
  auto secret = HexDecode(
      Query("state", "SELECT totp_secret FROM users WHERE username = " + SqlQuote(username)));
  if (!secret || secret->empty()) {
    ADD_FAILURE() << "no TOTP secret for " << username;
    return "";
  }
  for (;;) {
    const int64_t now = std::time(nullptr);
    const int64_t current = now / identity::kTotpPeriodSeconds;
    auto it = last_totp_step_.find(username);
    const int64_t step = std::max(current, it == last_totp_step_.end() ? 0 : it->second + 1);
    // The server accepts the step before, at and after its own.
    if (step <= current + 1) {
      last_totp_step_[username] = step;
      return identity::TotpCode(*secret,
                                static_cast<std::time_t>(step * identity::kTotpPeriodSeconds));
    }
    const int64_t wait = (current + 1) * identity::kTotpPeriodSeconds - now;
    std::this_thread::sleep_for(std::chrono::seconds(std::max<int64_t>(wait, 1)));
  }
}

std::string PalikaServer::SignIn(const std::string& username) {
  boost::json::object body{
      {"username", username}, {"password", kDemoPassword}, {"otp", NextOtp(username)}};
  auto r = Request("POST", "/api/v1/session", boost::json::serialize(body));
  if (r.status != 201) {
    ADD_FAILURE() << "sign-in of " << username << ": " << Describe("POST", "/api/v1/session", r);
    return "";
  }
  boost::json::value v = ParseJson(r.body);
  const auto* token = v.is_object() ? v.get_object().if_contains("token") : nullptr;
  if (!token || !token->is_string()) {
    ADD_FAILURE() << "sign-in of " << username << " returned no token: " << r.body;
    return "";
  }
  return std::string(token->get_string());
}

std::vector<std::string> ReceiptNumberProblems(const PalikaServer& server, const std::string& ulb) {
  // One row per series: fy series count distinct min max last_serial; a series the counter table
  // knows but no payment uses shows count 0.
  const std::string rows = server.Query(
      ulb,
      "SELECT p.fy || ' ' || p.series || ' ' || COUNT(*) || ' ' || COUNT(DISTINCT p.serial) || ' ' "
      "|| MIN(p.serial) || ' ' || MAX(p.serial) || ' ' || COALESCE((SELECT s.last_serial FROM "
      "receipt_series s WHERE s.fy = p.fy AND s.series = p.series), 0) FROM payments p GROUP BY "
      "p.fy, p.series UNION ALL SELECT s.fy || ' ' || s.series || ' 0 0 0 0 ' || s.last_serial "
      "FROM receipt_series s WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.fy = s.fy AND "
      "p.series = s.series)");
  std::vector<std::string> problems;
  std::istringstream lines(rows);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    std::string fy, series;
    int64_t count = -1, distinct = -1, min = -1, max = -1, last = -1;
    in >> fy >> series >> count >> distinct >> min >> max >> last;
    const std::string name = ulb + "/" + fy + "/" + series;
    if (in.fail()) {
      problems.push_back(name + ": unreadable row '" + line + "'");
    } else if (distinct != count) {
      problems.push_back(name + ": " + std::to_string(count - distinct) + " number(s) used twice");
    } else if (count > 0 && (min != 1 || max != count)) {
      problems.push_back(name + ": " + std::to_string(count) + " receipts numbered " +
                         std::to_string(min) + ".." + std::to_string(max) + " (a gap)");
    } else if (last != max) {
      problems.push_back(name + ": the series counter says " + std::to_string(last) +
                         ", the last receipt is " + std::to_string(max));
    }
  }
  return problems;
}

BackgroundPalika::BackgroundPalika(const std::vector<std::string>& args, fs::path log)
    : log_(std::move(log)) {
  int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    ADD_FAILURE() << "cannot create " << log_;
    return;
  }
  std::vector<std::string> argv = {PALIKA_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = Spawn(argv, fd);
  ::close(fd);
}

BackgroundPalika::~BackgroundPalika() { Kill(); }

bool BackgroundPalika::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    exit_code_ = ExitCodeOf(status);
    pid_ = -1;
  }
  return pid_ > 0;
}

int BackgroundPalika::Stop(int timeout_seconds) {
  if (!running()) return exit_code_;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
  while (running()) {
    if (Clock::now() > deadline) {
      ADD_FAILURE() << "palika did not exit within " << timeout_seconds << " s of SIGTERM";
      Kill();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_code_;
}

void BackgroundPalika::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exit_code_ = ExitCodeOf(status);
  pid_ = -1;
}

void PalikaServer::PrintLogTail() const {
  std::string log = ServerLog();
  if (log.size() > 6000) log = "...\n" + log.substr(log.size() - 6000);
  std::cerr << "--- server log (" << data_dir_ << ") ---\n" << log << "---\n";
}

std::string BackgroundPalika::Output() const { return ReadFile(log_); }

void DemoServerTest::SetUp() {
  server_ = PalikaServer::CreateDemo();
  ASSERT_NE(server_, nullptr);
  ASSERT_TRUE(server_->Start());
}

void DemoServerTest::TearDown() {
  if (HasFailure() && server_) server_->PrintLogTail();
  server_.reset();
}

}  // namespace palika::integration
