#pragma once
// The store's engine-neutral view of one database transaction: run SQL with bound values and read
// rows back. Apply functions, decide functions and verify see only this, so the same code runs on
// SQLite and (later) PostgreSQL. SQL uses '?' placeholders and the subset of SQL both engines
// share (INSERT ... ON CONFLICT, no engine-specific types).
//
// Every call returns a Status; a failed statement leaves the transaction usable only for rollback.
// Not thread-safe: a Transaction belongs to the thread that opened it.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace palika::store {

// Raw bytes, kept apart from text so that engines store them as BLOB / bytea.
struct Blob {
  std::string bytes;
  auto operator<=>(const Blob&) const = default;
};

// A column value: NULL, integer, text or bytes.
using Value = std::variant<std::monostate, int64_t, std::string, Blob>;

// "NULL", the integer, 'text' or x'hex': for reports that name a row.
std::string ValueToString(const Value& v);

class Row {
 public:
  Row() = default;
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}

  size_t size() const { return values_.size(); }
  const Value& at(size_t i) const { return values_.at(i); }
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(values_.at(i)); }
  // Typed accessors; a NULL reads as 0 / "".
  int64_t Int(size_t i) const;
  std::string Text(size_t i) const;
  const std::vector<Value>& values() const { return values_; }
  // For a store filling one row after another in place (keeps the strings' buffers).
  std::vector<Value>& mutable_values() { return values_; }
  bool operator==(const Row&) const = default;

 private:
  std::vector<Value> values_;
};

class Transaction {
 public:
  virtual ~Transaction() = default;

  // Runs one or more statements without parameters (schema).
  virtual Status ExecScript(const std::string& sql) = 0;

  // Runs a statement that returns no rows. `changes` (optional) receives the rows it touched.
  virtual Status Exec(std::string_view sql, const std::vector<Value>& params = {},
                      int64_t* changes = nullptr) = 0;
  // Runs a query and returns all its rows.
  virtual Result<std::vector<Row>> Query(std::string_view sql,
                                         const std::vector<Value>& params = {}) = 0;
  // Runs a query expected to return at most one row.
  Result<std::optional<Row>> QueryOne(std::string_view sql, const std::vector<Value>& params = {});
  // Streams rows to `fn` without holding them all in memory; `fn` returning false stops early.
  virtual Status ForEach(std::string_view sql, const std::vector<Value>& params,
                         const std::function<bool(const Row&)>& fn) = 0;
};

}  // namespace palika::store
