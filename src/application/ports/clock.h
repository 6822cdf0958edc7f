#pragma once

#include "domain/object.h"

namespace castor {

// The source of wall-clock time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() = 0;
};

}  // namespace castor
