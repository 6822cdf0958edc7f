#pragma once

#include <exception>
#include <utility>

#include "domain/error.h"

namespace castor {

// Maps the exception in flight (call only inside a catch block) to castor's error vocabulary:
// unique_violation -> AlreadyExists, serialization_failure/deadlock_detected -> Aborted,
// broken_connection -> Unavailable, in_doubt_error -> Internal (and logged), std::bad_alloc and
// everything else -> Internal.
Error current_exception_to_error();

// Runs `body` (which returns a Result), turning any exception into its Error. This is where
// libpqxx's exceptions stop.
template <class F>
auto guarded(F&& body) -> decltype(body()) {
  try {
    return std::forward<F>(body)();
  } catch (...) {
    return current_exception_to_error();
  }
}

}  // namespace castor
