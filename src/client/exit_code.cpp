#include "client/exit_code.h"

namespace castor::client {

ExitCode exit_code_for(const Error& error) {
  if (error.reason == kUsageReason) {
    return ExitCode::kUsage;
  }
  switch (error.code) {
    case ErrorCode::kNotFound:
      return ExitCode::kNotFound;
    case ErrorCode::kDataLoss:
      return ExitCode::kVerification;
    default:
      return ExitCode::kServer;
  }
}

const char* exit_code_help() {
  return "Exit codes: 0 ok, 1 usage or configuration error, 2 server or network error (after\n"
         "retries), 3 verification failure (a SHA-256 differs), 4 not found.";
}

}  // namespace castor::client
