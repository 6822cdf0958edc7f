#pragma once

#include <optional>

#include "application/ports/clock.h"
#include "application/ports/metadata_store.h"
#include "domain/usage.h"

namespace castor {

// Quotas (docs/USAGE_AND_QUOTAS.md): an admin limits a tenant (ns nullopt) or one namespace of a
// tenant to a number of COMMITTED objects and/or their logical bytes. The limits are enforced by
// the database when an object is committed, whatever the write path (castor_quota_check in
// migrations/013_usage_quotas.sql), and pre-checked by the uploads that know their size before
// their body. Setting a quota below the current usage refuses new uploads; nothing is deleted.
// Callers check the admin scope. Thread-safe; blocking (the database).
class ManageQuotas {
 public:
  // The quota with the usage it limits, as they stand.
  struct View {
    Quota quota;
    UsageFigures usage;  // of the tenant, or of the namespace
  };

  ManageQuotas(MetadataStore& metadata, Clock& clock) : metadata_(metadata), clock_(clock) {}

  // NotFound if no quota is set there.
  Result<View> get(const TenantId& tenant, const std::optional<Namespace>& ns);
  // Creates or replaces the quota; a quota limiting nothing removes it. Returns what is now set,
  // with the usage.
  Result<View> put(const TenantId& tenant, const std::optional<Namespace>& ns, const Quota& quota);
  // Removes the quota; false if none was set.
  Result<bool> remove(const TenantId& tenant, const std::optional<Namespace>& ns);

 private:
  MetadataStore& metadata_;
  Clock& clock_;
};

}  // namespace castor
