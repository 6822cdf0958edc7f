#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "application/ports/clock.h"
#include "application/ports/key_material.h"
#include "domain/principal.h"
#include "domain/sigv4_crypto.h"

namespace castor {

// Presigned URLs (POST /v1/presign, docs/PRESIGNED_URLS.md): a credential lends a GET/HEAD of
// one content URL, for at most kMaxExpiry, to whoever holds the URL, without giving away its
// secret. The URL carries the issuing credential's NAME, the expiry and an HMAC-SHA256 under a
// signing key shared by every replica (kept in PostgreSQL); a request with such a URL runs as the
// issuing credential narrowed to objects:read. An API key's tenant, namespaces and state are
// re-read through Authenticate's cache at every use, so revoking or expiring the key stops its
// URLs within the cache TTL; a JWT's tenant and namespaces travel signed in the URL (a JWT
// cannot be revoked, and a URL never outlives the token's own expiry). Thread-safe.
class PresignedUrls {
 public:
  static constexpr std::chrono::seconds kMaxExpiry{3600};
  static constexpr std::chrono::seconds kDefaultExpiry{300};

  // The principal of an API key by id (Authenticate::key_principal): Unauthenticated when the key
  // is unknown, revoked or expired.
  using KeyLookup = std::function<Result<Principal>(const std::string& key_id)>;

  // `signing_key`: the shared secret (32 random bytes); `crypto` computes the HMAC, `compare`
  // the constant-time comparison; all must outlive this object.
  PresignedUrls(std::string signing_key, const Sigv4Crypto& crypto, KeyMaterial& compare,
                Clock& clock, KeyLookup keys);

  struct Url {
    std::string url;  // relative: the target, its parameters and the signature
    std::chrono::sys_seconds expires_at;
  };

  // Signs `target` (a path and optional query, as the client will send them) for `principal`,
  // valid for `expires_in` (1 s .. kMaxExpiry), cut to the credential's own expiry. The caller
  // checks which paths may be signed and that `principal` may read them. InvalidArgument for an
  // expiry out of range or a target carrying X-Castor-* parameters; PermissionDenied without
  // objects:read.
  Result<Url> sign(const Principal& principal, std::string_view target,
                   std::chrono::seconds expires_in);

  // Checks a request target carrying X-Castor-Signature and returns the principal it runs as
  // (objects:read only). PermissionDenied with reason "signature_mismatch" when the path, query,
  // parameters or signature were changed, "url_expired" once past its expiry; Unauthenticated
  // when its API key was revoked, expired or deleted; Unavailable from the database.
  Result<Principal> verify(std::string_view target);

 private:
  std::string signature_of(std::string_view path, std::string_view unsigned_query) const;

  const std::string signing_key_;
  const Sigv4Crypto& crypto_;
  KeyMaterial& compare_;
  Clock& clock_;
  const KeyLookup keys_;
};

}  // namespace castor
