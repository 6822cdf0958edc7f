#pragma once

#include <string>
#include <vector>

#include "domain/api_key.h"
#include "domain/error.h"

namespace castor {

// The api_keys table, seen through one transaction (see MetadataStore). Not thread-safe; must not
// outlive its transaction. Infrastructure failures are returned as Unavailable or Internal.
class ApiKeyRepository {
 public:
  virtual ~ApiKeyRepository() = default;

  // Stores a new key. AlreadyExists if the id is taken.
  virtual Status insert(const ApiKey& key) = 0;
  // The key with `id`; NotFound if there is none.
  virtual Result<ApiKey> find(const std::string& id) = 0;
  // The key with `id`, locked against concurrent updates and revocations until the transaction
  // ends (SELECT ... FOR UPDATE); NotFound if there is none.
  virtual Result<ApiKey> find_for_update(const std::string& id) = 0;
  // Every key, newest first.
  virtual Result<std::vector<ApiKey>> list() = 0;
  // The keys bound to `tenant` (not the "*" keys), newest first.
  virtual Result<std::vector<ApiKey>> list_tenant(const TenantId& tenant) = 0;
  // Stores key.scopes, name, description, namespaces and expires_at for the key with key.id (the
  // other fields never change). NotFound if there is none.
  virtual Status update(const ApiKey& key) = 0;
  // Sets revoked_at to `now` unless already set: true if this call revoked the key, false if it
  // was revoked before. NotFound if there is no such key.
  virtual Result<bool> revoke(const std::string& id, Timestamp now) = 0;
  // Records that the key was used at `now`.
  virtual Status touch(const std::string& id, Timestamp now) = 0;
};

}  // namespace castor
