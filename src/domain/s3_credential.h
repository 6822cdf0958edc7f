#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/object.h"
#include "domain/principal.h"

namespace castor {

// An S3 credential (docs/S3.md, "Credentials"): an access key id and a secret access key bound to
// ONE tenant and a set of scopes, as AWS Signature Version 4 uses them. SigV4 needs the secret on
// the server, so it is stored sealed (AES-256-GCM under the master key, see SecretBox), never in
// plain text; this value carries only the sealed bytes.
struct S3Credential {
  // Random bytes behind an access key id: 12 (96 bits, of which the id keeps 90).
  static constexpr std::size_t kIdRandomBytes = 12;
  // Random bytes behind a secret access key: 30 (240 bits), 40 base64 characters.
  static constexpr std::size_t kSecretRandomBytes = 30;
  // "CK" + 18 characters of RFC 4648 base32 ([A-Z2-7]): 20 characters, like AWS's key ids.
  static constexpr std::size_t kIdLength = 20;
  static constexpr std::size_t kSecretLength = 40;

  std::string access_key_id;  // visible, greppable, not secret
  TenantId tenant;            // never "every tenant"
  Scopes scopes;              // objects:read / objects:write / objects:delete, never admin
  std::string description;
  std::string created_by;  // the credential that created it ("key:<id>", "cli:<user>")
  Timestamp created_at;
  std::optional<Timestamp> expires_at;
  std::optional<Timestamp> revoked_at;
  std::optional<Timestamp> last_used_at;
  // The secret access key as SecretBox::seal returned it (with the access key id as associated
  // data): opaque bytes. Never logged, never serialised to clients.
  std::string sealed_secret;
  // The namespaces (buckets) the credential is restricted to, sorted and distinct; empty: every
  // namespace of its tenant (docs/API_KEYS.md, "Namespace-restricted keys").
  std::vector<Namespace> namespaces = {};

  // Whether the credential may be used at `now`: not revoked and not expired.
  bool usable(Timestamp now) const { return !revoked_at && (!expires_at || now < *expires_at); }

  // The principal this credential authenticates as: {"s3:<access key id>", tenant, scopes,
  // namespaces, expires_at}.
  Principal principal() const {
    return {"s3:" + access_key_id, tenant, scopes, namespaces, expires_at};
  }
};

// The access key id made of `random` (uniform random bytes): "CK" followed by the first 90 bits of
// `random` in base32 (RFC 4648 section 6 alphabet, 18 characters).
std::string s3_access_key_id(const std::array<std::uint8_t, S3Credential::kIdRandomBytes>& random);

// The secret access key made of `random` (uniform random bytes): its base64 (RFC 4648 section 4),
// 40 characters of [A-Za-z0-9+/], without padding since 30 bytes need none.
std::string s3_secret_access_key(
    const std::array<std::uint8_t, S3Credential::kSecretRandomBytes>& random);

// Whether `text` has the shape of an access key id s3_access_key_id makes ("CK" + 18 of [A-Z2-7]).
// Lets the S3 front end and the admin API refuse malformed ids before a database read.
bool is_s3_access_key_id(std::string_view text);

}  // namespace castor
