#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "application/ports/clock.h"
#include "application/ports/key_material.h"
#include "application/ports/metadata_store.h"
#include "application/ports/token_verifier.h"
#include "domain/principal.h"

namespace castor {

// Turns a presented credential into a Principal: an API key ("cst_<id>_<secret>", checked against
// the stored SHA-256 of its secret in constant time) or a JWT (through the TokenVerifier).
//
// Verified keys are cached for `cache_ttl` (a couple of seconds), so a revocation takes effect on
// every replica within that time without a database read per request. Key ids the database does
// not know are remembered for `unknown_ttl` too (at most kMaxUnknownKeys of them), so a client
// repeating a bogus key costs no query after the first. `last_used_at` is written at most once
// per `touch_interval` per key and process. Thread-safe; blocking (may read the database), so
// call it from the worker pool.
class Authenticate {
 public:
  Authenticate(MetadataStore& metadata, KeyMaterial& keys, TokenVerifier* tokens, Clock& clock,
               std::chrono::milliseconds cache_ttl = std::chrono::seconds(2),
               std::chrono::seconds touch_interval = std::chrono::minutes(1),
               std::chrono::milliseconds unknown_ttl = std::chrono::seconds(2));

  static constexpr std::size_t kMaxUnknownKeys = 10'000;

  // Unauthenticated for a malformed, unknown, revoked or expired key, or a token that does not
  // verify (also when no TokenVerifier is configured); Unavailable if the database is down.
  Result<Principal> credential(std::string_view presented);

  // The principal of API key `id` (no secret: the key named by a presigned URL whose signature
  // verified), read through the same cache as credential(), so a revoked or expired key stops
  // its URLs within the cache TTL. Unauthenticated if the key is unknown, revoked or expired;
  // Unavailable if the database is down.
  Result<Principal> key_principal(const std::string& id);

  // Whether `presented` is an API key whose id this process has found in the database before
  // (whatever its secret). Cheap and non-blocking: for refusing unknown credentials from an
  // address that is over its rate limit before they cost a query, while known keys still pass.
  bool known_key(std::string_view presented);

  // Drops the cached copy of key `id`, so that a revocation made through this process takes
  // effect here at once (other processes follow within the cache TTL).
  void forget(const std::string& id);

 private:
  struct CachedKey {
    ApiKey key;
    std::chrono::steady_clock::time_point fetched;
  };

  Result<Principal> api_key(std::string_view token);
  Result<ApiKey> load(const std::string& id);

  MetadataStore& metadata_;
  KeyMaterial& keys_;
  TokenVerifier* tokens_;  // may be null: JWTs are then refused
  Clock& clock_;
  const std::chrono::milliseconds cache_ttl_;
  const std::chrono::seconds touch_interval_;
  const std::chrono::milliseconds unknown_ttl_;

  std::mutex mu_;
  std::unordered_map<std::string, CachedKey> cache_;  // by key id; guarded by mu_
  // Ids found unknown, and when; guarded by mu_. Past kMaxUnknownKeys the oldest half goes.
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> unknown_;
};

}  // namespace castor
