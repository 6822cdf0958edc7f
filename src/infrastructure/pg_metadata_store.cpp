#include "infrastructure/pg_metadata_store.h"

#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include <cassert>
#include <optional>

#include "application/io_thread.h"
#include "infrastructure/pg_api_key_repository.h"
#include "infrastructure/pg_blob_repository.h"
#include "infrastructure/pg_bucket_repository.h"
#include "infrastructure/pg_bundle_repository.h"
#include "infrastructure/pg_connection_pool.h"
#include "infrastructure/pg_cursor_repository.h"
#include "infrastructure/pg_errors.h"
#include "infrastructure/pg_object_repository.h"
#include "infrastructure/pg_object_search_repository.h"
#include "infrastructure/pg_retention_repository.h"
#include "infrastructure/pg_s3_credential_repository.h"
#include "infrastructure/pg_segment_repository.h"
#include "infrastructure/pg_upload_repository.h"
#include "infrastructure/pg_usage_repository.h"

namespace castor {
namespace {

// Attempts per transact() call when the database aborts a transaction (deadlock, serialization
// failure) or a pooled connection turns out to be broken.
constexpr int kAttempts = 3;

class PgTransaction final : public MetadataTransaction {
 public:
  PgTransaction(pqxx::transaction_base& tx, const QueryObserver* observer)
      : sql_(tx, observer),
        objects_(tx, observer),
        blobs_(tx, observer),
        api_keys_(tx, observer),
        bundles_(tx, observer),
        uploads_(tx, observer),
        segments_(tx, observer),
        buckets_(tx, observer),
        s3_credentials_(tx, observer),
        retention_(tx, observer),
        usage_(tx, observer),
        search_(tx, observer),
        cursors_(tx, observer) {}

  ObjectRepository& objects() override { return objects_; }
  BlobRepository& blobs() override { return blobs_; }
  ApiKeyRepository& api_keys() override { return api_keys_; }
  BundleRepository& bundles() override { return bundles_; }
  UploadRepository& uploads() override { return uploads_; }
  SegmentRepository& segments() override { return segments_; }
  BucketRepository& buckets() override { return buckets_; }
  S3CredentialRepository& s3_credentials() override { return s3_credentials_; }
  RetentionRepository& retention() override { return retention_; }
  UsageRepository& usage() override { return usage_; }
  ObjectSearchRepository& search() override { return search_; }
  CursorRepository& cursors() override { return cursors_; }

  Status lock_content(StorageClass storage_class, const ContentHash& hash) override {
    return guarded([&]() -> Status {
      sql_.exec("content_lock", std::string(to_string(storage_class)), hash.hex());
      return {};
    });
  }

  Status lock_key(const Namespace& ns, const TenantId& tenant, const ObjectKey& key) override {
    return guarded([&]() -> Status {
      sql_.exec("key_lock", ns.str(), tenant.str(), key.str());
      return {};
    });
  }

  Result<bool> try_lock_content(StorageClass storage_class, const ContentHash& hash) override {
    return guarded([&]() -> Result<bool> {
      auto r = sql_.exec("content_try_lock", std::string(to_string(storage_class)), hash.hex());
      return r[0][0].as<bool>();
    });
  }

 private:
  PgStatements sql_;
  PgObjectRepository objects_;
  PgBlobRepository blobs_;
  PgApiKeyRepository api_keys_;
  PgBundleRepository bundles_;
  PgUploadRepository uploads_;
  PgSegmentRepository segments_;
  PgBucketRepository buckets_;
  PgS3CredentialRepository s3_credentials_;
  PgRetentionRepository retention_;
  PgUsageRepository usage_;
  PgObjectSearchRepository search_;
  PgCursorRepository cursors_;
};

void prepare_statements(pqxx::connection& conn) {
  PgObjectRepository::prepare(conn);
  PgBlobRepository::prepare(conn);
  PgApiKeyRepository::prepare(conn);
  PgBundleRepository::prepare(conn);
  PgUploadRepository::prepare(conn);
  PgSegmentRepository::prepare(conn);
  PgBucketRepository::prepare(conn);
  PgS3CredentialRepository::prepare(conn);
  PgRetentionRepository::prepare(conn);
  PgUsageRepository::prepare(conn);
  PgObjectSearchRepository::prepare(conn);
  PgCursorRepository::prepare(conn);
  conn.prepare("content_lock",
               "SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))");
  // Another seed than the content lock's: the two lock spaces do not share hash values by design.
  conn.prepare("key_lock",
               "SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2 || '/' || $3, 1))");
  conn.prepare("content_try_lock",
               "SELECT pg_try_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))");
}

bool retryable(const Error& e) {
  return e.code == ErrorCode::kAborted || e.code == ErrorCode::kUnavailable;
}

}  // namespace

PgMetadataStore::PgMetadataStore(std::string database_url, std::size_t pool_size,
                                 QueryObserver observer, PgTimeouts timeouts)
    : pool_(std::make_unique<PgConnectionPool>(std::move(database_url), pool_size,
                                               prepare_statements, timeouts)),
      observer_(std::move(observer)) {}

PgMetadataStore::~PgMetadataStore() = default;

Status PgMetadataStore::transact(const std::function<Status(MetadataTransaction&)>& work,
                                 Mode mode) {
  assert(!on_io_thread() && "PostgreSQL called from an IO thread");
  Status status;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    bool may_retry = true;
    status = transact_once(work, mode, may_retry);
    if (status || !may_retry || !retryable(status.error())) {
      break;
    }
  }
  return status;
}

PgMetadataStore::PoolStats PgMetadataStore::pool_stats() const {
  return {.idle = pool_->idle(), .in_use = pool_->in_use(), .size = pool_->size()};
}

Status PgMetadataStore::transact_once(const std::function<Status(MetadataTransaction&)>& work,
                                      Mode mode, bool& may_retry) {
  auto lease = pool_->acquire();
  if (!lease) {
    may_retry = false;  // the pool already waited, or the database is known to be failing
    return std::move(lease).error();
  }
  PgCallDeadline::Use use(*lease);
  pqxx::connection& conn = **lease;
  Status status = guarded([&]() -> Status {
    if (mode != Mode::kReadWrite) {
      pqxx::nontransaction tx(conn);  // each statement commits on its own
      PgTransaction unit(tx, &observer_);
      return work(unit);
    }
    std::optional<pqxx::work> tx;
    {
      PgCallDeadline deadline;
      tx.emplace(conn);
    }
    PgTransaction unit(*tx, &observer_);
    Status status = work(unit);
    PgCallDeadline deadline;
    if (status) {
      tx->commit();
    }
    tx.reset();  // an uncommitted pqxx::work rolls back here, under the deadline too
    return status;
  });
  if (!status && lease->deadline_fired()) {
    may_retry = false;  // the database did not answer in time: do not wait for it again
    return Error{ErrorCode::kUnavailable,
                 "database did not answer within " +
                     std::to_string(pool_->timeouts().client_deadline().count()) + " ms"};
  }
  return status;
}

}  // namespace castor
