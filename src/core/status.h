#pragma once
// Status and Result<T>: expected failures as values (LevelDB style).
//
// A Status is either OK or carries a kind (which decides the HTTP status in one place, see
// http/api_error.h), a stable machine code ("ulb_not_found"), and a message in English and Hindi
// that says what was wrong and what to do. Exceptions are kept for bugs and broken invariants.
// Status and Result are values: copyable, thread-compatible.

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace palika {

enum class StatusKind {
  kOk = 0,
  kInvalidArgument,   // bad input: 400
  kUnauthenticated,   // no or bad credentials: 401
  kPermissionDenied,  // signed in but not allowed: 403
  kNotFound,          // 404
  kConflict,          // already exists, stale state: 409
  kTooLarge,          // body or header over the limit: 413 / 431
  kTooManyRequests,   // throttled: 429
  kUnavailable,       // storage full, ledger refused, shutting down: 503
  kCorruption,        // a ledger or projection does not verify
  kIOError,           // the operating system said no
  kInternal,          // a bug
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string code, std::string en, std::string hi = {}) {
    return Status(StatusKind::kInvalidArgument, std::move(code), std::move(en), std::move(hi));
  }
  static Status Unauthenticated(std::string code, std::string en, std::string hi = {}) {
    return Status(StatusKind::kUnauthenticated, std::move(code), std::move(en), std::move(hi));
  }
  static Status PermissionDenied(std::string code, std::string en, std::string hi = {}) {
    return Status(StatusKind::kPermissionDenied, std::move(code), std::move(en), std::move(hi));
  }
  static Status NotFound(std::string code, std::string en, std::string hi = {}) {
    return Status(StatusKind::kNotFound, std::move(code), std::move(en), std::move(hi));
  }
  static Status Conflict(std::string code, std::string en, std::string hi = {}) {
    return Status(StatusKind::kConflict, std::move(code), std::move(en), std::move(hi));
  }
  static Status TooLarge(std::string code, std::string en, std::string hi = {}) {
    return Status(StatusKind::kTooLarge, std::move(code), std::move(en), std::move(hi));
  }
  static Status TooManyRequests(std::string code, std::string en, std::string hi = {}) {
    return Status(StatusKind::kTooManyRequests, std::move(code), std::move(en), std::move(hi));
  }
  static Status Unavailable(std::string code, std::string en, std::string hi = {}) {
    return Status(StatusKind::kUnavailable, std::move(code), std::move(en), std::move(hi));
  }
  static Status Corruption(std::string en) {
    return Status(StatusKind::kCorruption, "corruption", std::move(en), {});
  }
  static Status IOError(std::string en) {
    return Status(StatusKind::kIOError, "io_error", std::move(en), {});
  }
  static Status Internal(std::string en) {
    return Status(StatusKind::kInternal, "internal", std::move(en), {});
  }

  bool ok() const { return kind_ == StatusKind::kOk; }
  StatusKind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  // The Hindi message; falls back to the English one where none was given.
  const std::string& message_hi() const { return message_hi_.empty() ? message_ : message_hi_; }

  // "code: message", for logs and the command line.
  std::string ToString() const { return ok() ? "OK" : code_ + ": " + message_; }

 private:
  Status(StatusKind kind, std::string code, std::string en, std::string hi)
      : kind_(kind), code_(std::move(code)), message_(std::move(en)), message_hi_(std::move(hi)) {}

  StatusKind kind_ = StatusKind::kOk;
  std::string code_;
  std::string message_;
  std::string message_hi_;
};

// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "a Result built from a Status must carry an error");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace palika

// Propagates a non-OK Status from an expression returning Status.
#define PALIKA_RETURN_IF_ERROR(expr) \
  do {                               \
    ::palika::Status _st = (expr);   \
    if (!_st.ok()) return _st;       \
  } while (0)

#define PALIKA_CONCAT_INNER(a, b) a##b
#define PALIKA_CONCAT(a, b) PALIKA_CONCAT_INNER(a, b)
// Assigns the value of a Result expression to lhs, or returns its Status.
#define PALIKA_ASSIGN_OR_RETURN(lhs, expr)                                                  \
  auto PALIKA_CONCAT(_res_, __LINE__) = (expr);                                             \
  if (!PALIKA_CONCAT(_res_, __LINE__).ok()) return PALIKA_CONCAT(_res_, __LINE__).status(); \
  lhs = std::move(PALIKA_CONCAT(_res_, __LINE__)).value()
