#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "application/ports/metadata_store.h"
#include "fakes/memory_bucket_repository.h"
#include "fakes/memory_s3_credential_repository.h"
#include "fakes/memory_upload_repositories.h"
#include "fakes/memory_usage_repository.h"

namespace castor::testing {

// MetadataStore in memory, with the semantics of the PostgreSQL schema (migrations/001_init.sql):
// the unique key among WRITING and COMMITTED objects, keyset listing by (key bytes, id), work
// queues by (status, updated_at), blobs with reference counts, retention and grants of possession
// (deleted with their blob, like the ON DELETE CASCADE), bundles with their files.
//
// Transactions run one at a time (one mutex), each on a copy of the state that replaces the state
// only if `work` succeeds, so a failed unit of work leaves no trace. Because they are serial, row
// locks and content locks are granted at once, unless a test holds a content lock (see
// hold_content_lock) to play a concurrent upload. kReadOnly transactions refuse writes (Internal).
// Injected failures are returned as they are, never retried. Thread-safe.
class MemoryMetadataStore final : public MetadataStore {
 public:
  // When an injected failure strikes: before `work` runs, or after it succeeded (a failed COMMIT:
  // whatever `work` did outside the database, such as placing a file, stays done).
  enum class FailAt { kBegin, kCommit };

  using BlobKey = std::pair<StorageClass, ContentHash>;

  // The scrubber's columns of a blob row.
  struct Verification {
    std::optional<Timestamp> verified_at;
    std::optional<Timestamp> damaged_at;
  };

  // A grant of possession: (tenant, storage class, content hash).
  using GrantKey = std::tuple<std::string, StorageClass, ContentHash>;

  struct State {
    std::map<ObjectId, Object> objects;
    std::map<BlobKey, Blob> blobs;
    std::map<BlobKey, Verification> verifications;  // rows never verified have no entry
    std::map<BlobKey, Timestamp> retain_until;      // blobs without retention have no entry
    std::map<BlobKey, std::vector<std::byte>> inline_content;  // rows holding their content
    std::map<GrantKey, Timestamp> grants;                      // deleted with their blob row
    std::map<BundleId, Bundle> bundles;                        // with their files and metadata
    std::map<std::string, ApiKey> api_keys;
    UploadTables uploads;  // upload sessions, their parts, and composite blobs' segments
    BucketTable buckets;
    S3CredentialTable s3_credentials;
    // Namespace retention configurations by (tenant, namespace). The fake does not apply their
    // defaults at commit (PostgreSQL does, in a trigger: migrations/014_retention.sql).
    std::map<std::pair<std::string, std::string>, NamespaceRetention> namespace_retention;
    QuotaTable quotas;
    std::map<std::string, std::string> cursors;  // CursorRepository, by name
  };

  Status transact(const std::function<Status(MetadataTransaction&)>& work,
                  Mode mode = Mode::kReadWrite) override;

  // Makes the n-th transact call from now (1 = the next one) fail with `error`.
  void fail_next(int n, Error error, FailAt at = FailAt::kBegin);
  // Plays another transaction holding the content lock: try_lock_content answers false and
  // lock_content fails with Aborted (it would wait) until released.
  void hold_content_lock(StorageClass storage_class, const ContentHash& hash);
  void release_content_lock(StorageClass storage_class, const ContentHash& hash);

  // Inspection of the committed state, outside any transaction.
  std::optional<Object> object(const ObjectId& id) const;
  std::vector<Object> objects() const;
  std::optional<Blob> blob(StorageClass storage_class, const ContentHash& hash) const;
  std::vector<Blob> blobs() const;
  Verification verification(StorageClass storage_class, const ContentHash& hash) const;
  // Set-up outside the port: overwrites (or inserts) a blob row, to play a damaged database.
  void put_blob(const Blob& blob);
  // Set-up outside the port: deletes a blob row (and its grants), whatever its ref_count.
  void erase_blob(StorageClass storage_class, const ContentHash& hash);
  // Whether `tenant` holds a grant on the content.
  bool granted(const TenantId& tenant, StorageClass storage_class, const ContentHash& hash) const;
  // The blob's retention (retain_until); nullopt when it has none.
  std::optional<Timestamp> retain_until(StorageClass storage_class, const ContentHash& hash) const;
  // Every bundle, by id.
  std::vector<Bundle> bundles() const;
  // The upload sessions, parts and segments.
  UploadTables upload_tables() const;
  // The buckets, by (tenant, name).
  BucketTable buckets() const;
  // Set-up outside the port: inserts an object row as it is (any status), to play data written
  // before the buckets table existed or by another process.
  void put_object(const Object& object);
  // How many times transact was called (failed calls included).
  std::uint64_t transact_count() const;

 private:
  struct Fault {
    Error error;
    FailAt at;
  };

  mutable std::mutex mu_;
  State state_;                            // guarded by mu_
  std::uint64_t transacts_ = 0;            // guarded by mu_
  std::map<std::uint64_t, Fault> faults_;  // by transact number; guarded by mu_
  std::set<BlobKey> held_locks_;           // guarded by mu_
};

}  // namespace castor::testing
