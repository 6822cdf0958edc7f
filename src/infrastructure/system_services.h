#pragma once

#include "application/ports/clock.h"
#include "application/ports/id_generator.h"

namespace castor {

// The system's real-time clock, truncated to microseconds.
class SystemClock final : public Clock {
 public:
  Timestamp now() override;
};

// UUID v4 ids from OpenSSL's CSPRNG (RAND_bytes). Aborts the process if the CSPRNG fails, as
// there is no safe way on without one.
class RandomIdGenerator final : public IdGenerator {
 public:
  ObjectId next() override;
};

// `bytes` random bytes from OpenSSL's CSPRNG as lowercase hex (request ids).
std::string random_hex(std::size_t bytes);

}  // namespace castor
