#pragma once

#include <optional>

#include "domain/error.h"
#include "domain/names.h"
#include "domain/object.h"
#include "domain/retention.h"

namespace castor {

// Retention (WORM) state in the database, seen through one transaction (see MetadataStore): the
// namespaces' configurations (table namespace_retention) and the lock columns of objects
// (retain_until, retention_mode, legal_hold). Not thread-safe; errors as ObjectRepository's
// (Unavailable, Aborted, Internal), plus FailedPrecondition, reason "object_locked", when the
// database's own guard refuses a change (migrations/014_retention.sql).
class RetentionRepository {
 public:
  virtual ~RetentionRepository() = default;

  // The configuration of (tenant, ns); nullopt when it has none. `for_update` locks the row
  // until the transaction ends (a missing row is not locked: two first PUTs race on the primary
  // key, and one gets AlreadyExists, which the caller retries as an update).
  virtual Result<std::optional<NamespaceRetention>> find_namespace(const TenantId& tenant,
                                                                   const Namespace& ns,
                                                                   bool for_update) = 0;
  // Inserts the configuration of (tenant, ns), stamped `now`. AlreadyExists if it has one.
  virtual Status insert_namespace(const TenantId& tenant, const Namespace& ns,
                                  const NamespaceRetention& config, Timestamp now) = 0;
  // Replaces the configuration of (tenant, ns), stamped `now`. NotFound if it has none.
  virtual Status update_namespace(const TenantId& tenant, const Namespace& ns,
                                  const NamespaceRetention& config, Timestamp now) = 0;
  // Deletes the configuration of (tenant, ns); succeeds if there is none.
  virtual Status remove_namespace(const TenantId& tenant, const Namespace& ns) = 0;

  // Writes the object's retention and legal hold (nothing else; ObjectRepository::update never
  // writes them, so that a stale copy of an object cannot undo a lock). NotFound if the row is
  // gone.
  virtual Status update_object_lock(const Object& object) = 0;
};

}  // namespace castor
