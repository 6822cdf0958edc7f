#pragma once

#include <string>

#include "domain/error.h"

namespace castor::client {

// castorctl's exit codes (documented in `castorctl --help` and the README).
enum class ExitCode : int {
  kOk = 0,
  kUsage = 1,         // bad flags or arguments, missing configuration, unreadable local file
  kServer = 2,        // the server refused the request, or could not be reached after retries
  kVerification = 3,  // a content's SHA-256 differs from the one expected
  kNotFound = 4,      // the object, key or bundle does not exist (or is not visible)
};

// The reason that marks an Error as a usage error (exit code 1) rather than a server's refusal.
inline constexpr const char* kUsageReason = "usage";

// An error in how castorctl was called or configured (exit code 1).
inline Error usage_error(std::string message) {
  return {ErrorCode::kInvalidArgument, std::move(message), kUsageReason};
}

// A content whose SHA-256 is not the expected one (exit code 3).
inline Error verification_error(std::string message) {
  return {ErrorCode::kDataLoss, std::move(message)};
}

// The exit code for `error`: usage → 1, kNotFound → 4, kDataLoss → 3, anything else → 2.
ExitCode exit_code_for(const Error& error);

// The text of the exit-code table, as `--help` and the README print it.
const char* exit_code_help();

}  // namespace castor::client
