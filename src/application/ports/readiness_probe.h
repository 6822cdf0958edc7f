#pragma once

#include "domain/error.h"

namespace castor {

// One check behind GET /ready. Blocking; thread-safe.
class ReadinessProbe {
 public:
  virtual ~ReadinessProbe() = default;
  // Short name of what is checked ("database", "migrations", "storage").
  virtual const char* name() const = 0;
  // Ok when ready; otherwise an Unavailable error saying what is wrong.
  virtual Status check() = 0;
};

}  // namespace castor
