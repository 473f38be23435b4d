#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <variant>

namespace karpenter {

// What went wrong, coarse enough for callers to steer on (retry, surface, give up).
enum class ErrorKind {
  kInvalid,               // the input is malformed or breaks a rule; do not retry
  kNotFound,              // the thing asked for does not exist
  kConflict,              // a precondition (resourceVersion, uid) no longer holds
  kGone,                  // a resourceVersion or continue token expired (HTTP 410); relist
  kThrottled,             // the peer asked us to slow down; retry with backoff
  kInsufficientCapacity,  // the cloud has no capacity for this offering
  kUnavailable,           // the peer could not be reached or failed; retry
  kInternal,              // a bug; surface loudly
};

const char* errorKindName(ErrorKind kind);

// An error value with a message a user can act on. Messages name the field or object involved,
// e.g. "spec.template.spec.requirements[2].operator: unsupported value \"Foo\"".
struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string message;
  // For kThrottled/kUnavailable: how long the peer asked us to wait (Retry-After); 0 = unknown.
  std::chrono::seconds retryAfter{0};

  // Returns a copy whose message is prefixed with `context` (a field path or an operation).
  Error withContext(const std::string& context) const;
};

inline Error invalidError(std::string message) {
  return Error{ErrorKind::kInvalid, std::move(message)};
}
inline Error notFoundError(std::string message) {
  return Error{ErrorKind::kNotFound, std::move(message)};
}

// Result<T>: either a T or an Error (a small stand-in for C++23 std::expected).
// Accessing value() on an error, or error() on a value, is a programming error and aborts.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const Error& error() const { return std::get<1>(state_); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace karpenter
