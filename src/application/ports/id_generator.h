#pragma once

#include "domain/object_id.h"

namespace castor {

// Makes fresh object ids (UUID v4 from a CSPRNG in production). Implementations are thread-safe.
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual ObjectId next() = 0;
};

}  // namespace castor
