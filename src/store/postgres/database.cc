#include "store/postgres/database.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <pqxx/pqxx>
#include <unordered_map>
#include <vector>

#include "core/encoding.h"

namespace palika::store::postgres {
namespace {

// A parameter as libpqxx passes it: text, or NULL. Blobs go as bytea's hex input (\x...).
struct Param {
  const Value* value;
};

constexpr unsigned kBoolOid = 16, kByteaOid = 17, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23,
                   kOidOid = 26, kNumericOid = 1700;

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Calls fn(start, end, quoted) for each run of `sql` that is or is not inside a quoted literal,
// a quoted identifier or a comment.
template <typename Fn>
void ForEachRun(std::string_view sql, Fn fn) {
  size_t i = 0, start = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      fn(start, i, false);
      size_t j = i + 1;
      while (j < sql.size()) {
        if (sql[j] == c) {
          if (j + 1 < sql.size() && sql[j + 1] == c) {
            j += 2;  // a doubled quote inside the literal
            continue;
          }
          break;
        }
        ++j;
      }
      j = std::min(j + 1, sql.size());
      fn(i, j, true);
      i = start = j;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      fn(start, i, false);
      size_t j = sql.find('\n', i);
      j = j == std::string_view::npos ? sql.size() : j;
      fn(i, j, true);
      i = start = j;
    } else {
      ++i;
    }
  }
  fn(start, sql.size(), false);
}

// Replaces whole words (case-insensitive) in unquoted text.
std::string ReplaceWords(std::string_view text,
                         const std::vector<std::pair<std::string, std::string>>& words) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (IsWordChar(text[i]) && (i == 0 || !IsWordChar(text[i - 1]))) {
      size_t j = i;
      while (j < text.size() && IsWordChar(text[j])) ++j;
      std::string word(text.substr(i, j - i));
      std::string upper = word;
      for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      bool replaced = false;
      for (const auto& [from, to] : words) {
        if (upper == from) {
          out += to;
          replaced = true;
          break;
        }
      }
      if (!replaced) out += word;
      i = j;
    } else {
      out += text[i++];
    }
  }
  return out;
}

Status Unreachable(const std::string& where, const std::string& detail) {
  return Status::Unavailable(
      "store_unavailable",
      fmt::format("The database server for {} cannot be reached ({}); nothing was saved. Try "
                  "again shortly.",
                  where, detail),
      "डेटाबेस सर्वर से संपर्क नहीं हो पा रहा है; कुछ भी सहेजा नहीं गया। थोड़ी देर बाद पुनः प्रयास करें।");
}

std::string WithConnectTimeout(const std::string& url) {
  if (url.find("connect_timeout") != std::string::npos) return url;
  if (url.find("://") != std::string::npos) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=5";
  }
  return url + " connect_timeout=5";
}

}  // namespace
}  // namespace palika::store::postgres

namespace pqxx {
// How libpqxx turns a Param into its text form (or NULL).
template <>
struct string_traits<palika::store::postgres::Param> {
  using Param = palika::store::postgres::Param;
  static constexpr const char* name() noexcept { return "palika::store::Value"; }
  static constexpr bool has_null() noexcept { return true; }
  static bool is_null(const Param& p) { return std::holds_alternative<std::monostate>(*p.value); }
  static Param null() { return Param{nullptr}; }
  static void from_string(const char[], Param&) {
    throw conversion_error("a palika value is never read back as a parameter");
  }
  static std::string to_string(const Param& p) {
    const auto& v = *p.value;
    if (const auto* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    return "\\x" + palika::HexEncode(std::get<palika::store::Blob>(v).bytes);
  }
};
}  // namespace pqxx

namespace palika::store::postgres {

namespace detail {

// The connections of one URL: how many are open, the idle ones, and the limit. Lives as long as
// the process (sessions point at it).
struct Budget {
  std::mutex mu;
  std::condition_variable cv;                  // a connection was handed back or closed
  int limit = 0;                               // guarded by mu; 0 until known
  bool limit_set = false;                      // guarded by mu; by SetConnectionLimit
  bool probing = false;                        // guarded by mu; learning the server's limit
  std::chrono::milliseconds wait{5000};        // guarded by mu
  int open = 0;                                // guarded by mu
  std::vector<std::unique_ptr<Session>> idle;  // guarded by mu; most recent last
};

struct Session {
  Session(const std::string& url, Budget* b) : budget(b), conn(url), work(conn, "palika") {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    // Never reconnect behind our back: our own BEGIN would be lost with the old session.
    conn.inhibit_reactivation(true);
#pragma GCC diagnostic pop
  }
  // Closing the connection frees its place in the budget.
  ~Session() {
    std::lock_guard lk(budget->mu);
    --budget->open;
    budget->cv.notify_all();
  }
  Budget* budget;
  pqxx::connection conn;
  pqxx::nontransaction work;  // statements run on it; BEGIN / COMMIT are ours
  std::string schema;         // its search_path now ("" until set)
  std::unordered_map<std::string, std::string> statements;  // SQL -> prepared name
  int prepared = 0;  // names handed out on this connection (a failed prepare keeps its name)
};

}  // namespace detail

namespace {

detail::Budget& BudgetFor(const std::string& url) {
  static std::mutex mu;
  // Never destroyed: sessions parked in it may outlive every static.
  static auto* budgets = new std::map<std::string, std::unique_ptr<detail::Budget>>();
  std::lock_guard lk(mu);
  auto& b = (*budgets)[url];
  if (!b) b = std::make_unique<detail::Budget>();
  return *b;
}

Status Busy(const std::string& where, int limit, std::chrono::milliseconds wait) {
  return Status::Unavailable(
      "store_busy",
      fmt::format("All {} connections this server may open to the database of {} were busy for "
                  "{} s; nothing was saved. Try again shortly. If it persists, the operator can "
                  "raise serve's --pg-connections (within the server's max_connections) or put "
                  "pgbouncer in front (docs/postgres.md).",
                  limit, where, static_cast<double>(wait.count()) / 1000),
      "डेटाबेस के सभी कनेक्शन व्यस्त हैं; कुछ भी सहेजा नहीं गया। थोड़ी देर बाद पुनः प्रयास करें। "
      "समस्या बनी रहे तो सिस्टम प्रशासक को सूचित करें।");
}

// A connection to `url`: an idle one (`reused`), a new one while under the limit, or one handed
// back within the budget's wait. Throws what libpqxx throws for a new connection.
Result<std::unique_ptr<detail::Session>> Acquire(const std::string& url, const std::string& where,
                                                 bool* reused) {
  detail::Budget& b = BudgetFor(url);
  std::unique_lock lk(b.mu);
  const auto deadline = std::chrono::steady_clock::now() + b.wait;
  for (;;) {
    while (!b.idle.empty()) {
      std::unique_ptr<detail::Session> s = std::move(b.idle.back());
      b.idle.pop_back();
      if (s->conn.is_open()) {
        *reused = true;
        return s;
      }
      lk.unlock();
      s.reset();  // a connection that died while idle
      lk.lock();
    }
    const bool known = b.limit > 0;
    if ((known && b.open < b.limit) || (!known && !b.probing)) {
      ++b.open;
      b.probing = b.probing || !known;
      lk.unlock();
      std::unique_ptr<detail::Session> s;
      try {
        s = std::make_unique<detail::Session>(WithConnectTimeout(url), &b);
        s->work.exec("SET synchronous_commit TO on; SET client_min_messages TO warning");
      } catch (...) {
        if (!s) {
          std::lock_guard relock(b.mu);
          --b.open;
        }
        s.reset();
        std::lock_guard relock(b.mu);
        if (!known) b.probing = false;
        b.cv.notify_all();
        throw;
      }
      if (!known) {
        // The first connection learns what the server allows; 3/4 of it leaves room for psql,
        // backups and a second palika process.
        int allowed = 0;
        try {
          allowed = s->work
                        .exec(
                            "SELECT current_setting('max_connections')::int - "
                            "current_setting('superuser_reserved_connections')::int")[0][0]
                        .as<int>();
        } catch (const std::exception&) {
          allowed = 100 - 3;  // PostgreSQL's defaults
        }
        std::lock_guard relock(b.mu);
        if (!b.limit_set) b.limit = std::max(4, allowed * 3 / 4);
        b.probing = false;
        b.cv.notify_all();
      }
      return s;
    }
    if (b.cv.wait_until(lk, deadline) == std::cv_status::timeout && b.idle.empty() &&
        (b.limit == 0 || b.open >= b.limit)) {
      return Busy(where, b.limit, b.wait);
    }
  }
}

// Hands a connection back: kept idle for the next user, or closed beyond kMaxIdleConnections.
void Park(std::unique_ptr<detail::Session> s) {
  if (!s) return;
  detail::Budget& b = *s->budget;
  std::unique_lock lk(b.mu);
  if (s->conn.is_open() && b.idle.size() < static_cast<size_t>(kMaxIdleConnections)) {
    b.idle.push_back(std::move(s));
    b.cv.notify_all();
    return;
  }
  lk.unlock();
  s.reset();
}

// Closes every idle connection of `url`: after one was found lost (a server restart, a cut
// network) the others are likely lost too, and the next user should get a fresh one.
void DropIdle(const std::string& url) {
  detail::Budget& b = BudgetFor(url);
  std::vector<std::unique_ptr<detail::Session>> lost;
  {
    std::lock_guard lk(b.mu);
    lost.swap(b.idle);
  }
}

}  // namespace

void SetConnectionLimit(const std::string& url, int connections, std::chrono::milliseconds wait) {
  detail::Budget& b = BudgetFor(url);
  std::lock_guard lk(b.mu);
  b.limit_set = connections > 0;
  if (connections > 0) b.limit = connections;
  b.wait = wait;
  b.cv.notify_all();
}

ConnectionCount Connections(const std::string& url) {
  detail::Budget& b = BudgetFor(url);
  std::lock_guard lk(b.mu);
  return ConnectionCount{b.limit, b.open, static_cast<int>(b.idle.size())};
}

std::string NumberPlaceholders(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  // As SQLite numbers them: `?N` is parameter N, a bare `?` the one after the largest so far.
  int n = 0;
  ForEachRun(sql, [&](size_t a, size_t b, bool quoted) {
    for (size_t i = a; i < b; ++i) {
      if (quoted || sql[i] != '?') {
        out += sql[i];
        continue;
      }
      size_t end = i + 1;
      while (end < b && end - i <= 3 && std::isdigit(static_cast<unsigned char>(sql[end]))) ++end;
      int k = end > i + 1 ? std::stoi(std::string(sql.substr(i + 1, end - i - 1))) : n + 1;
      n = std::max(n, k);
      out += '$' + std::to_string(k);
      i = end - 1;
    }
  });
  if (count) *count = n;
  return out;
}

std::string TranslateDdl(std::string_view sql) {
  static const std::vector<std::pair<std::string, std::string>> kWords = {
      {"BLOB", "BYTEA"}, {"INTEGER", "BIGINT"}, {"TEXT", "TEXT COLLATE \"C\""}};
  std::string out;
  ForEachRun(sql, [&](size_t a, size_t b, bool quoted) {
    if (quoted) {
      out += sql.substr(a, b - a);
      return;
    }
    std::string part = ReplaceWords(sql.substr(a, b - a), kWords);
    // SQLite's WITHOUT ROWID: PostgreSQL tables have no rowid to drop.
    for (const char* w : {" WITHOUT ROWID", " without rowid"}) {
      for (size_t p; (p = part.find(w)) != std::string::npos;) part.erase(p, std::strlen(w));
    }
    out += part;
  });
  return out;
}

std::string SchemaFor(const std::string& ulb) { return ulb == "state" ? "state" : "ulb_" + ulb; }

Database::Database(Location location, OpenOptions options)
    : location_(std::move(location)), options_(options) {}

Database::~Database() {
  if (session_ && drop_schema_on_close_) {
    try {
      if (in_transaction_) session_->work.exec("ROLLBACK");
      in_transaction_ = false;
      session_->work.exec("DROP SCHEMA IF EXISTS " + session_->conn.quote_name(location_.schema) +
                          " CASCADE");
    } catch (const std::exception&) {
      // A scratch schema left behind holds no record; the next scratch uses another name.
      session_.reset();
    }
  }
  // A connection inside a transaction is closed (the server rolls it back), never handed on.
  if (in_transaction_) session_.reset();
  Park(std::move(session_));
}

void Database::Disconnect() {
  if (!in_transaction_) Park(std::move(session_));
}

void Database::ParkIfReader() {
  if (options_.read_only && !in_transaction_) Park(std::move(session_));
}

Result<std::unique_ptr<Database>> Database::Open(const Location& location,
                                                 const OpenOptions& options) {
  const std::string& schema = location.schema;
  const bool plain = !schema.empty() && schema.size() <= 63 && !std::isdigit(schema[0]) &&
                     std::all_of(schema.begin(), schema.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                     });
  if (!plain) {
    return Status::InvalidArgument(
        "invalid_schema",
        "'" + schema + "' is not a usable schema name: use lower-case letters, digits and _.",
        "'" + schema + "' स्कीमा का मान्य नाम नहीं है: छोटे अक्षर, अंक और _ उपयोग करें।");
  }
  std::unique_ptr<Database> db(new Database(location, options));
  PALIKA_RETURN_IF_ERROR(db->Connect());
  return db;
}

Result<std::unique_ptr<Database>> Database::OpenScratch(const std::string& url) {
  Location l = Location::Postgres(url, "scratch_" + HexEncode(RandomBytes(8)));
  OpenOptions o;
  o.create = true;
  std::unique_ptr<Database> db(new Database(l, o));
  db->drop_schema_on_close_ = true;
  PALIKA_RETURN_IF_ERROR(db->Connect());
  return db;
}

Status Database::Connect() {
  if (session_ && session_->conn.is_open()) return Status::OK();
  // An idle connection may have died since it was handed back (a server restart, a terminated
  // backend): its first use fails, the idle ones are dropped (DropIdle) and a fresh one is tried.
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    Status s = ConnectOnce(&reused);
    if (s.ok() || !reused || attempt > 0 || s.code() != "store_unavailable") return s;
  }
}

Status Database::ConnectOnce(bool* reused) {
  session_.reset();
  in_transaction_ = false;
  try {
    PALIKA_ASSIGN_OR_RETURN(session_, Acquire(location_.url, location_.ToString(), reused));
    pqxx::nontransaction* work = &session_->work;
    const std::string schema = session_->conn.quote_name(location_.schema);
    if (!schema_checked_) {
      if (options_.create && !options_.read_only) {
        // Two connections creating one schema at once may race; the loser finds it there.
        try {
          work->exec("CREATE SCHEMA IF NOT EXISTS " + schema);
        } catch (const pqxx::unique_violation&) {
        }
      } else {
        auto found = work->exec("SELECT 1 FROM pg_namespace WHERE nspname = " +
                                work->quote(location_.schema));
        if (found.empty()) {
          Park(std::move(session_));
          return Status::NotFound("database_missing",
                                  "There is no ledger at " + location_.ToString() + ".",
                                  location_.ToString() + " पर कोई लेजर नहीं है।");
        }
      }
      schema_checked_ = true;
    }
    if (session_->schema != location_.schema) {
      // application_name shows in pg_stat_activity which ledger a connection serves now.
      session_->schema.clear();
      work->exec("SET search_path TO " + schema + "; SET application_name TO " +
                 work->quote("palika/" + location_.schema));
      session_->schema = location_.schema;
    }
  } catch (const pqxx::broken_connection& e) {
    session_.reset();
    DropIdle(location_.url);
    return Unreachable(location_.ToString(), e.what());
  } catch (const std::exception&) {
    return Error("connect");
  }
  return Status::OK();
}

Status Database::Error(std::string_view what) {
  const std::string where = location_.ToString();
  std::string shown(what.substr(0, 120));
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    session_.reset();
    DropIdle(location_.url);
    in_transaction_ = false;
    return Unreachable(where, e.what());
  } catch (const pqxx::in_doubt_error& e) {
    // The connection died during COMMIT: the batch may or may not be there. The caller treats
    // it as not saved and a retry with the same idempotency key finds out.
    session_.reset();
    DropIdle(location_.url);
    in_transaction_ = false;
    return Unreachable(where, e.what());
  } catch (const pqxx::sql_error& e) {
    const std::string& state = e.sqlstate();
    std::string msg = fmt::format("{} ({}): {}", shown, where, e.what());
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    if (state == "53100") {
      return Status::Unavailable("storage_full",
                                 "The server's storage is full; nothing was saved. Try again later "
                                 "and tell the system administrator.",
                                 "सर्वर का भंडारण भरा हुआ है; कुछ भी सहेजा नहीं गया। बाद में पुनः प्रयास "
                                 "करें और सिस्टम प्रशासक को सूचित करें।");
    }
    if (state.rfind("23", 0) == 0) {
      return Status::Conflict("constraint", msg, "यह रिकॉर्ड पहले से मौजूद है या नियम के विरुद्ध है।");
    }
    if (state == "40001" || state == "40P01") {
      return Status::Unavailable("store_retry", msg,
                                 "डेटाबेस में एक साथ हुए बदलाव टकरा गए; पुनः प्रयास करें।");
    }
    // Connection exceptions, server shutting down or starting, too many connections.
    if (state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0 || state == "53300") {
      session_.reset();
      if (state != "53300") DropIdle(location_.url);
      in_transaction_ = false;
      return Unreachable(where, e.what());
    }
    if (state == "XX001" || state == "XX002") return Status::Corruption(msg);
    return Status::IOError(msg);
  } catch (const std::exception& e) {
    return Status::IOError(fmt::format("{} ({}): {}", shown, where, e.what()));
  }
}

Status Database::Simple(const std::string& sql) {
  if (!in_transaction_) PALIKA_RETURN_IF_ERROR(Connect());
  if (!session_) return Unreachable(location_.ToString(), "connection lost");
  try {
    session_->work.exec(sql);
  } catch (const std::exception&) {
    return Error(sql);
  }
  return Status::OK();
}

Status Database::Begin(const std::string& sql) {
  PALIKA_RETURN_IF_ERROR(Connect());
  Status s = Simple(sql);
  // A connection that died while idle (a server restart) is found out only now; nothing had
  // begun, so one fresh connection is tried at once.
  if (s.code() == "store_unavailable") {
    PALIKA_RETURN_IF_ERROR(Connect());
    s = Simple(sql);
  }
  PALIKA_RETURN_IF_ERROR(s);
  in_transaction_ = true;
  return Status::OK();
}

Status Database::BeginWrite() {
  // The advisory lock makes this schema's writers take turns, like SQLite's BEGIN IMMEDIATE.
  // hashtext of the schema name: two schemas may share a lock (a rare, harmless wait).
  return Begin("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(hashtext('" +
               location_.schema + "'))");
}

Status Database::BeginRead() { return Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }

Status Database::Commit() {
  Status s = Simple("COMMIT");
  in_transaction_ = false;
  if (s.ok()) ParkIfReader();
  return s;
}

Status Database::Rollback() {
  Status s = Simple("ROLLBACK");
  in_transaction_ = false;
  if (s.ok()) ParkIfReader();
  return s;
}

Status Database::Savepoint(const std::string& name) { return Simple("SAVEPOINT " + name); }
Status Database::ReleaseSavepoint(const std::string& name) { return Simple("RELEASE " + name); }
Status Database::RollbackToSavepoint(const std::string& name) {
  return Simple("ROLLBACK TO " + name + "; RELEASE " + name);
}

Result<bool> Database::TableExists(const std::string& table) {
  PALIKA_ASSIGN_OR_RETURN(auto found, QueryOne("SELECT 1 FROM pg_tables WHERE schemaname = "
                                               "current_schema() AND tablename = ?",
                                               {table}));
  return found.has_value();
}

Result<std::vector<std::string>> Database::TableColumns(const std::string& table) {
  std::vector<std::string> columns;
  PALIKA_RETURN_IF_ERROR(ForEach(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
      "AND table_name = ? ORDER BY ordinal_position",
      {table}, [&](const Row& r) {
        columns.push_back(r.Text(0));
        return true;
      }));
  return columns;
}

Result<std::vector<std::pair<std::string, std::string>>> Database::SchemaObjects() {
  std::vector<std::pair<std::string, std::string>> out;
  PALIKA_RETURN_IF_ERROR(ForEach(
      "SELECT c.relname, CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'table' "
      "END FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "
      "UNION ALL SELECT t.tgname, 'trigger' FROM pg_trigger t JOIN pg_class c ON c.oid = "
      "t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = "
      "current_schema() AND NOT t.tgisinternal ORDER BY 1",
      {}, [&](const Row& r) {
        out.emplace_back(r.Text(0), r.Text(1));
        return true;
      }));
  return out;
}

Status Database::ExecScript(const std::string& sql) { return Simple(TranslateDdl(sql)); }

Status Database::Exec(std::string_view sql, const std::vector<Value>& params, int64_t* changes) {
  return Run(sql, params, nullptr, changes);
}

Status Database::ForEach(std::string_view sql, const std::vector<Value>& params,
                         const std::function<bool(const Row&)>& fn) {
  return Run(sql, params, fn, nullptr);
}

Result<std::vector<Row>> Database::Query(std::string_view sql, const std::vector<Value>& params) {
  std::vector<Row> rows;
  PALIKA_RETURN_IF_ERROR(Run(
      sql, params,
      [&](const Row& r) {
        rows.push_back(r);
        return true;
      },
      nullptr));
  return rows;
}

Status Database::Run(std::string_view sql, const std::vector<Value>& params,
                     const std::function<bool(const Row&)>& fn, int64_t* changes) {
  if (!in_transaction_) PALIKA_RETURN_IF_ERROR(Connect());
  if (!session_) return Unreachable(location_.ToString(), "connection lost");
  // DDL goes through the simple protocol, translated; it takes no parameters.
  std::string_view head = sql.substr(0, 16);
  if (params.empty() &&
      (head.starts_with("CREATE") || head.starts_with("DROP") || head.starts_with("ALTER") ||
       head.starts_with("SAVEPOINT") || head.starts_with("RELEASE") || head.starts_with("BEGIN") ||
       head.starts_with("COMMIT") || head.starts_with("ROLLBACK"))) {
    return ExecScript(std::string(sql));
  }
  std::string key(sql);
  auto& statements = session_->statements;
  auto it = statements.find(key);
  try {
    if (it == statements.end()) {
      int count = 0;
      std::string numbered = NumberPlaceholders(sql, &count);
      if (count != static_cast<int>(params.size())) {
        return Status::Internal(
            fmt::format("statement wants {} parameters, got {}: {}", count, params.size(), key));
      }
      std::string name = "p" + std::to_string(++session_->prepared);
      session_->conn.prepare(name, numbered);
      it = statements.emplace(std::move(key), std::move(name)).first;
    }
    std::vector<Param> bound;
    bound.reserve(params.size());
    for (const auto& v : params) bound.push_back(Param{&v});
    pqxx::result r =
        session_->work.exec_prepared(it->second, pqxx::prepare::make_dynamic_params(bound));
    if (changes) *changes = static_cast<int64_t>(r.affected_rows());
    if (!fn) return Status::OK();
    const auto columns = r.columns();
    std::vector<unsigned> types(columns);
    for (pqxx::row::size_type c = 0; c < columns; ++c) types[c] = r.column_type(c);
    Row row{std::vector<Value>(columns)};
    std::vector<Value>& values = row.mutable_values();
    for (const auto& record : r) {
      for (pqxx::row::size_type c = 0; c < columns; ++c) {
        const pqxx::field f = record[c];
        Value& v = values[c];
        if (f.is_null()) {
          v = std::monostate{};
          continue;
        }
        switch (types[c]) {
          case kInt8Oid:
          case kInt4Oid:
          case kInt2Oid:
          case kOidOid:
            v = f.as<int64_t>();
            break;
          case kBoolOid:
            v = static_cast<int64_t>(f.as<bool>() ? 1 : 0);
            break;
          case kNumericOid: {
            // SUM over bigint is numeric; Palika's numbers are whole (paise), so read an integer.
            std::string text = f.c_str();
            if (text.find_first_of(".eE") == std::string::npos) {
              v = static_cast<int64_t>(std::stoll(text));
            } else {
              v = std::move(text);
            }
            break;
          }
          case kByteaOid:
            v = Blob{pqxx::binarystring(f).str()};
            break;
          default:
            v = std::string(f.c_str(), f.size());
        }
      }
      if (!fn(row)) break;
    }
  } catch (const std::exception&) {
    return Error(sql);
  }
  return Status::OK();
}

}  // namespace palika::store::postgres
