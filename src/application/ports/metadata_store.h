#pragma once

#include <functional>
#include <optional>
#include <utility>

#include "application/ports/api_key_repository.h"
#include "application/ports/blob_repository.h"
#include "application/ports/bucket_repository.h"
#include "application/ports/bundle_repository.h"
#include "application/ports/cursor_repository.h"
#include "application/ports/object_repository.h"
#include "application/ports/object_search_repository.h"
#include "application/ports/retention_repository.h"
#include "application/ports/s3_credential_repository.h"
#include "application/ports/segment_repository.h"
#include "application/ports/upload_repository.h"
#include "application/ports/usage_repository.h"
#include "domain/error.h"

namespace castor {

// The repositories of one database transaction, plus locks on content addresses.
//
// A content lock is an exclusive lock on one (storage class, content hash), held until the
// transaction ends. Everything that creates or deletes a content file takes it first, so that the
// garbage collector can never delete a file that an upload is placing or has just re-referenced.
class MetadataTransaction {
 public:
  virtual ~MetadataTransaction() = default;

  virtual ObjectRepository& objects() = 0;
  virtual BlobRepository& blobs() = 0;
  virtual ApiKeyRepository& api_keys() = 0;
  virtual BundleRepository& bundles() = 0;
  virtual UploadRepository& uploads() = 0;
  virtual SegmentRepository& segments() = 0;
  virtual BucketRepository& buckets() = 0;
  virtual S3CredentialRepository& s3_credentials() = 0;
  virtual RetentionRepository& retention() = 0;
  virtual UsageRepository& usage() = 0;
  // Search and the natural / by-content listings (POST /v1/objects/search, docs/SEARCH.md).
  virtual ObjectSearchRepository& search() = 0;
  virtual CursorRepository& cursors() = 0;

  // Waits for and takes the content lock.
  virtual Status lock_content(StorageClass storage_class, const ContentHash& hash) = 0;
  // Takes the content lock if nobody holds it; returns false at once otherwise.
  virtual Result<bool> try_lock_content(StorageClass storage_class, const ContentHash& hash) = 0;

  // Waits for and takes the key lock on (ns, tenant, key), held until the transaction ends: the
  // commits that claim a key (application/write_policy.h) take it so that two writers of one key,
  // in any processes, decide their preconditions one after the other. Lock order: first, before
  // the content lock and blob row of the content being committed (write_policy.h). Taking it
  // again in the same transaction is a no-op.
  virtual Status lock_key(const Namespace& ns, const TenantId& tenant, const ObjectKey& key) = 0;
};

// Runs units of work against the metadata database. Thread-safe: every call gets its own
// connection and transaction. Blocking: never call it from an IO thread.
class MetadataStore {
 public:
  // kSingleStatement: `work` runs exactly one statement, which commits on its own (no BEGIN and
  // COMMIT round trips); a statement that fails changes nothing.
  enum class Mode { kReadWrite, kReadOnly, kSingleStatement };

  virtual ~MetadataStore() = default;

  // Runs `work` in one transaction and commits it if `work` succeeds, rolls it back otherwise. A
  // transaction the database aborts (deadlock, serialization failure) is retried a few times, so
  // `work` must be safe to run again. Returns work's error, or Unavailable/Internal from the
  // database. kReadOnly may skip BEGIN/COMMIT (each statement sees its own snapshot).
  virtual Status transact(const std::function<Status(MetadataTransaction&)>& work,
                          Mode mode = Mode::kReadWrite) = 0;
};

// Runs `query` (MetadataTransaction& -> Result<T>) in a kReadOnly transaction and returns what it
// returned, or the store's error. `query` may run more than once (see transact).
template <class Query>
auto read_only(MetadataStore& store, Query query)
    -> decltype(query(std::declval<MetadataTransaction&>())) {
  std::optional<decltype(query(std::declval<MetadataTransaction&>()))> out;
  auto s = store.transact(
      [&](MetadataTransaction& tx) -> Status {
        out.emplace(query(tx));
        if (!*out) {
          return out->error();
        }
        return {};
      },
      MetadataStore::Mode::kReadOnly);
  if (!s) {
    return std::move(s).error();
  }
  return std::move(*out);
}

}  // namespace castor
