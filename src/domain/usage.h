#pragma once

#include <cstdint>
#include <optional>

#include "domain/names.h"

namespace castor {

// What a set of COMMITTED objects occupies (docs/USAGE_AND_QUOTAS.md). Objects count from their
// commit until their delete (DELETING), whatever the write path.
struct UsageFigures {
  std::uint64_t objects = 0;
  std::uint64_t logical_bytes = 0;   // sum of the objects' sizes
  std::uint64_t physical_bytes = 0;  // sum of the sizes of the distinct contents they reference

  friend bool operator==(const UsageFigures&, const UsageFigures&) = default;
};

// The usage of a namespace of a tenant, or of a whole tenant, by storage class. `total` adds the
// classes: its physical bytes count a content once per class it is stored in.
struct Usage {
  UsageFigures hot;
  UsageFigures cold;
  UsageFigures total;

  friend bool operator==(const Usage&, const Usage&) = default;
};

// One tenant of a catalog listing (GET /v1/tenants) with its usage over all its namespaces and
// storage classes (physical bytes: its distinct contents, per class).
struct TenantUsage {
  TenantId tenant;
  UsageFigures total;
};

// One namespace of a catalog listing (GET /v1/namespaces) with its usage.
struct NamespaceUsage {
  Namespace ns;
  Usage usage;
};

// The limits an admin set on a tenant or on one namespace of a tenant; nullopt: no limit. Both
// measure COMMITTED objects, all storage classes together: their number and their logical bytes.
struct Quota {
  std::optional<std::uint64_t> max_bytes;
  std::optional<std::uint64_t> max_objects;

  bool limits_anything() const { return max_bytes.has_value() || max_objects.has_value(); }
  friend bool operator==(const Quota&, const Quota&) = default;
};

}  // namespace castor
