#pragma once

#include <optional>

#include "application/ports/clock.h"
#include "application/ports/metadata_store.h"
#include "domain/object.h"
#include "domain/retention.h"

namespace castor {

// Retention (WORM, docs/RETENTION.md): namespaces' configurations (admin) and objects' retention
// and legal hold. Every change is decided in one transaction under the row's FOR UPDATE lock, the
// same lock DeleteObject and claim_key() decide under, so a delete racing a retention change sees
// either the old or the new state, never a mix. Blocking; thread-safe.
class ManageRetention {
 public:
  ManageRetention(MetadataStore& metadata, Clock& clock) : metadata_(metadata), clock_(clock) {}

  // The configuration of (tenant, ns); NotFound if it has none.
  Result<NamespaceRetention> get_namespace(const TenantId& tenant, const Namespace& ns);
  // Sets the configuration of (tenant, ns); returns the previous one (nullopt: none).
  // check_namespace_retention_change()'s errors (InvalidArgument; FailedPrecondition
  // "retention_locked" when it would weaken a compliance configuration).
  Result<std::optional<NamespaceRetention>> put_namespace(const TenantId& tenant,
                                                          const Namespace& ns,
                                                          const NamespaceRetention& config);
  // Removes the configuration of (tenant, ns); returns it. NotFound if there is none;
  // FailedPrecondition "retention_locked" for a compliance configuration.
  Result<NamespaceRetention> remove_namespace(const TenantId& tenant, const Namespace& ns);

  // What a change of an object did: the object after it, and its retention before.
  struct Changed {
    Object object;
    std::optional<Retention> before;
    RetentionChange change;  // bypassed_governance: the caller writes an audit line
  };
  // Sets (or, nullopt, removes) the retention of `tenant`'s COMMITTED object `id`. NotFound for
  // unknown ids, other tenants' objects and objects not COMMITTED; Object::change_retention()'s
  // errors (InvalidArgument, PermissionDenied, FailedPrecondition "retention_locked").
  Result<Changed> set_retention(const TenantId& tenant, const ObjectId& id,
                                std::optional<Retention> requested, RetentionActor actor);
  // Puts `tenant`'s COMMITTED object `id` on legal hold or takes it off. NotFound as above.
  Result<Object> set_legal_hold(const TenantId& tenant, const ObjectId& id, bool on);

 private:
  MetadataStore& metadata_;
  Clock& clock_;
};

}  // namespace castor
