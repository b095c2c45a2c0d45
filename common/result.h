// Result<T>: the value of an operation that can fail in an expected way, or the Error saying why.
// Expected failures are values; broken invariants (reading the value of a failed Result) abort.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

namespace sup {

// Stable failure classes. They map one to one onto sup.v1.Error.Code on the wire, so a client
// can act on the kind without parsing messages.
enum class ErrorKind {
  kNotFound,
  kInvalidArgument,
  kPermissionDenied,
  kFailedPrecondition,
  kUnavailable,
  kInternal,
  kResourceExhausted,  // the caller's account holds its share of supd's connections
};

std::string_view ErrorKindName(ErrorKind kind);

class Error {
 public:
  // `message` says what was being done and what went wrong, complete enough for a log line or
  // the CLI; `code` keeps the underlying OS error (Win32 codes in system_category) for callers
  // that branch on it.
  Error(ErrorKind kind, std::string message, std::error_code code = {})
      : kind_(kind), message_(std::move(message)), code_(code) {}

  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  std::error_code code() const { return code_; }

  // Prefixes the message with what the caller was doing: "starting supd: " + message.
  Error WithContext(std::string_view context) const {
    return Error(kind_, std::string(context) + ": " + message_, code_);
  }

 private:
  ErrorKind kind_;
  std::string message_;
  std::error_code code_;
};

namespace result_detail {
[[noreturn]] inline void DieOnBadAccess(const Error* error) {
  std::fprintf(stderr, "sup: value of a failed Result read: %s\n",
               error ? error->message().c_str() : "?");
  std::abort();
}
}  // namespace result_detail

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return Checked(); }
  const T& value() const& { return const_cast<Result*>(this)->Checked(); }
  T&& value() && { return std::move(Checked()); }
  T& operator*() & { return Checked(); }
  T&& operator*() && { return std::move(Checked()); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->Checked(); }

  const Error& error() const {
    if (ok()) result_detail::DieOnBadAccess(nullptr);
    return std::get<1>(state_);
  }

 private:
  T& Checked() {
    if (!ok()) result_detail::DieOnBadAccess(&std::get<1>(state_));
    return std::get<0>(state_);
  }

  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    if (ok()) result_detail::DieOnBadAccess(nullptr);
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

inline Result<void> Ok() { return {}; }

}  // namespace sup
