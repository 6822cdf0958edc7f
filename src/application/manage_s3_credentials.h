#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "application/ports/clock.h"
#include "application/ports/key_material.h"
#include "application/ports/metadata_store.h"
#include "application/ports/secret_box.h"
#include "domain/s3_credential.h"

namespace castor {

// Issues, lists and revokes S3 credentials (POST/GET/DELETE /v1/admin/s3-credentials and `castor
// keys --s3`), and resolves an access key id to its secret and principal for the S3 front end's
// SigV4 verification (docs/S3.md, "Credentials").
//
// Secrets are sealed with the SecretBox (AES-256-GCM under the master key of S3_MASTER_KEY_FILE,
// the access key id as associated data). Without a box (no master key configured) list and
// revoke still work, create and resolve answer FailedPrecondition naming S3_MASTER_KEY_FILE.
//
// Resolved credentials are cached for `cache_ttl` (2 s by default, like Authenticate's key cache),
// measured on `clock`, so a revocation takes effect on every process within that time without a
// database read per request; ids the database does not know (or that are revoked) are remembered
// as unknown for the same time. Each of the two holds at most kMaxCached entries (and starts over
// when full), so made-up ids cannot push out the credentials in use. A revocation through this
// object takes effect here at once. Thread-safe; blocking (reads the database), so call it from the
// worker pool, never from an IO thread.
class ManageS3Credentials {
 public:
  struct Created {
    S3Credential credential;
    std::string secret_key;  // the secret access key: shown once, never stored in plain text
  };
  struct Resolved {
    std::string secret_key;  // what SigV4 derives its signing key from
    Principal principal;     // {"s3:<access key id>", tenant, scopes}
  };

  static constexpr std::size_t kMaxCached = 10'000;
  // description's bound, in bytes (as for API keys).
  static constexpr std::size_t kMaxDescriptionBytes = 1024;

  // `box` may be null: no master key configured. Every reference must outlive this object.
  ManageS3Credentials(MetadataStore& metadata, SecretBox* box, KeyMaterial& keys, Clock& clock,
                      std::chrono::milliseconds cache_ttl = std::chrono::seconds(2),
                      std::chrono::seconds touch_interval = std::chrono::minutes(1));

  // A new credential for `tenant` with `scopes` (at least one; never admin, which is only for
  // credentials of every tenant), optionally expiring at `expires_at` (which must be in the
  // future). InvalidArgument otherwise (also for a description over kMaxDescriptionBytes);
  // FailedPrecondition without a master key; the store's errors. `namespaces` (at most 100)
  // restricts it to those buckets; empty: every bucket of the tenant.
  Result<Created> create(TenantId tenant, Scopes scopes, std::optional<Timestamp> expires_at,
                         std::string description, std::string created_by,
                         std::vector<Namespace> namespaces = {});
  // Every credential, newest first, with sealed secrets only (callers show none of them).
  Result<std::vector<S3Credential>> list();
  // Revokes the credential: at once in this process, on others within the cache TTL. True if this
  // call revoked it, false if it was already revoked (revoking twice is fine). NotFound if there
  // is no such credential.
  Result<bool> revoke(const std::string& access_key_id);

  // The secret and principal of a usable credential, for the S3 front end on every signed
  // request. NotFound for a malformed, unknown, revoked or expired id (the front end answers
  // InvalidAccessKeyId); DataLoss if the sealed secret does not open (the master key is not the
  // one it was sealed under); FailedPrecondition when no master key is configured; Unavailable if
  // the database is down.
  Result<Resolved> resolve(std::string_view access_key_id);

  // Records that a request signed with the credential verified: writes last_used_at at most once
  // per `touch_interval` per credential and process (best effort: the caller may ignore errors).
  Status record_use(std::string_view access_key_id);

 private:
  struct Entry {
    Timestamp fetched;
    std::optional<Resolved> resolved;     // nullopt: unknown or revoked at `fetched`
    std::optional<Timestamp> expires_at;  // of the credential
  };

  Error no_master_key() const;
  void remember(const std::string& access_key_id, Entry entry);

  MetadataStore& metadata_;
  SecretBox* box_;  // may be null
  KeyMaterial& keys_;
  Clock& clock_;
  const std::chrono::milliseconds cache_ttl_;
  const std::chrono::seconds touch_interval_;

  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;    // usable at fetch time; guarded by mu_
  std::unordered_map<std::string, Entry> unknown_;  // unknown or revoked; guarded by mu_
  // When this process last wrote last_used_at, by access key id; guarded by mu_; bounded like
  // cache_.
  std::unordered_map<std::string, Timestamp> touched_;
};

}  // namespace castor
