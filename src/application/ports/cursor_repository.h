#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/error.h"

namespace castor {

// Named progress markers of long, incremental jobs that must resume where they stopped, across
// restarts and processes: the collector's orphan scan of each storage class ("gc.orphans.hot"),
// `castor migrate-storage` ("migrate.hot.s3"). A value is an opaque string of at most 1024 bytes
// (the jobs store a content hash in hex). Seen through one transaction (see MetadataStore); not
// thread-safe. Infrastructure failures are returned as Unavailable, Aborted or Internal.
class CursorRepository {
 public:
  virtual ~CursorRepository() = default;

  // The cursor's value; nullopt if it was never set or was cleared. Does not lock.
  virtual Result<std::optional<std::string>> get(std::string_view name) = 0;
  // Sets the cursor (inserting it if new); nullopt clears it. InvalidArgument past 1024 bytes.
  virtual Status set(std::string_view name, const std::optional<std::string>& value) = 0;
};

}  // namespace castor
