#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace castor {

// The canonical error codes castor uses (a subset of absl::StatusCode). Each maps to one HTTP
// status in one table in src/api/error_response.cpp.
enum class ErrorCode {
  kInvalidArgument,     // the caller sent something malformed
  kNotFound,            // no such object (or not visible to this caller)
  kAlreadyExists,       // a unique key is taken
  kFailedPrecondition,  // the entity is not in a state that allows the operation
  kOutOfRange,          // a size limit was exceeded (object larger than MAX_OBJECT_SIZE)
  kAborted,             // a concurrency conflict; retrying the whole operation may succeed
  kResourceExhausted,   // the disk is full (ENOSPC/EDQUOT) or a queue is full
  kUnavailable,         // a dependency (PostgreSQL) cannot be reached right now
  kInternal,            // an invariant broke; a bug or an unexpected system error
  kDataLoss,            // stored content is missing or corrupt
  kUnauthenticated,     // no credential, or one that is invalid, expired or revoked
  kPermissionDenied,    // a valid credential that may not do this
};

// Returns the snake_case name of `code` ("not_found"), used in JSON error bodies and logs.
const char* error_code_name(ErrorCode code);

// An error: what went wrong, with a message meant for the caller (no secrets, no paths that leak
// tenants' data).
struct Error {
  ErrorCode code;
  std::string message;
  // A more specific machine-readable reason, when callers need to tell cases of one code apart
  // ("content_hash_mismatch"); shown as the JSON error code instead of the code's name.
  std::string reason = {};
};

// Either a value of type T or an Error. Check before dereferencing:
//   if (auto r = repo.find(id); !r) return r.error();
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    assert(!has_value());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

// The result of an operation that returns nothing but may fail.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool has_value() const { return !error_.has_value(); }
  explicit operator bool() const { return has_value(); }
  const Error& error() const& {
    assert(error_.has_value());
    return *error_;
  }
  Error&& error() && {
    assert(error_.has_value());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Error invalid_argument(std::string message) {
  return {ErrorCode::kInvalidArgument, std::move(message)};
}
inline Error not_found(std::string message) { return {ErrorCode::kNotFound, std::move(message)}; }
inline Error internal_error(std::string message) {
  return {ErrorCode::kInternal, std::move(message)};
}

}  // namespace castor
