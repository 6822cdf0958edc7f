#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "application/authenticate.h"
#include "application/blobs/preflight_blobs.h"
#include "application/blobs/read_blob.h"
#include "application/blobs/store_blob.h"
#include "application/buckets.h"
#include "application/bundles/create_bundle.h"
#include "application/bundles/delete_bundle.h"
#include "application/bundles/download_bundle.h"
#include "application/bundles/read_bundles.h"
#include "application/check_integrity.h"
#include "application/collect_garbage.h"
#include "application/copy_object.h"
#include "application/delete_object.h"
#include "application/download_object.h"
#include "application/keys/manage_api_keys.h"
#include "application/list_objects.h"
#include "application/list_s3.h"
#include "application/manage_s3_credentials.h"
#include "application/metrics.h"
#include "application/objects/move_storage_class.h"
#include "application/objects/update_object_metadata.h"
#include "application/ports/checksummer.h"
#include "application/rate_limiter.h"
#include "application/readiness_monitor.h"
#include "application/retention/manage_retention.h"
#include "application/search/search_objects.h"
#include "application/upload_object.h"
#include "application/uploads/abort_upload.h"
#include "application/uploads/complete_upload.h"
#include "application/uploads/copy_upload_part.h"
#include "application/uploads/create_upload.h"
#include "application/uploads/read_uploads.h"
#include "application/uploads/store_upload_part.h"
#include "application/usage/manage_quotas.h"
#include "application/usage/read_usage.h"
#include "domain/sigv4_crypto.h"

namespace castor {

// The use cases the HTTP API serves. Their blocking calls run on the server's worker pool.
struct UseCases {
  UploadObject& upload;
  DownloadObject& download;
  DeleteObject& remove;
  ListObjects& list;
  ManageBuckets& buckets;
  ListS3& list_s3;
  StoreBlob& store_blob;
  ReadBlob& read_blob;
  PreflightBlobs& preflight;
  CreateBundle& create_bundle;
  ReadBundles& read_bundles;
  DeleteBundle& delete_bundle;
  DownloadBundle& download_bundle;
  CreateUpload& create_upload;
  ReadUploads& read_uploads;
  StoreUploadPart& store_upload_part;
  CompleteUpload& complete_upload;
  AbortUpload& abort_upload;
  UploadLimits upload_limits;
  CollectGarbage& gc;
  CheckIntegrity& fsck;
  ReadinessMonitor& readiness;
  Authenticate& auth;
  ManageApiKeys& keys;
  ManageS3Credentials& s3_credentials;
  RateLimiter& limiter;
  Metrics& metrics;
  // The S3 front end's (docs/S3.md).
  CopyObject& copy;
  const ChecksummerFactory& checksummers;  // MD5 and the flexible checksums
  const Sigv4Crypto& sigv4_crypto;
  CopyUploadPart& copy_upload_part;       // S3 UploadPartCopy
  UpdateObjectMetadata& update_metadata;  // PATCH /v1/objects/{id}/metadata
  ManageRetention& retention;             // WORM (docs/RETENTION.md)
  // Tiering (docs/TIERING.md).
  MoveStorageClass& move_storage_class;
  // Usage statistics and quotas (docs/USAGE_AND_QUOTAS.md).
  ReadUsage& usage;
  ManageQuotas& quotas;
  SearchObjects& search;  // POST /v1/objects/search (docs/SEARCH.md)
  // The body of GET /metrics (Prometheus text format 0.0.4), built on the calling IO thread: it
  // must not block (it reads counters and /proc, never the database).
  std::function<std::string()> render_metrics;
};

// castor's HTTP/1.1 server (Boost.Beast): IO threads run the connections (one coroutine each, on
// its own strand); every blocking call runs on one of two fixed worker pools, PostgreSQL work on
// one, disk work (fsync, rename, content reads and writes) on the other, so an IO thread never
// waits on the database or the disk, and a busy disk never holds up authentication or listings.
// Request and response bodies stream in fixed-size chunks, so memory per connection is bounded
// whatever the object size.
class HttpServer {
 public:
  struct Options {
    std::string host = "0.0.0.0";
    std::uint16_t port = 8080;  // 0 = any free port
    std::size_t io_threads = 2;
    std::size_t worker_threads = 8;             // database pool threads (match the DB pool)
    std::size_t disk_threads = 8;               // disk pool threads: fsync, content reads/writes
    std::size_t max_queued_blocking = 1024;     // per pool; more calls: 503 + Retry-After
    std::chrono::seconds shutdown_delay{2};     // SIGTERM: keep accepting this long, /ready 503
    std::chrono::seconds shutdown_timeout{30};  // then let requests in flight finish this long
    std::size_t max_connections = 1024;         // open at once; past it: 503 and close
    std::chrono::seconds header_timeout{10};    // to receive a request's whole header
    std::chrono::seconds idle_timeout{75};      // keep-alive wait between requests
    std::size_t max_manifest_bytes = 64 << 20;  // POST /v1/bundles body; more: 413
    // A second listener serving only /metrics, /health and /ready (METRICS_ADDR); the API
    // listener then answers /metrics with 404.
    std::string metrics_host = "0.0.0.0";
    std::optional<std::uint16_t> metrics_port;  // 0 = any free port
    bool metrics_auth = false;                  // /metrics needs a credential with the admin scope
    bool auth_required = true;  // false: every caller is an anonymous admin (AUTH_MODE=disabled)
    // The spdlog logger that gets one line per request: a readable line, or (access_log_json)
    // already-escaped JSON members for a logger that wraps them in an object.
    std::string access_logger = "access";
    bool access_log_json = false;
    // S3_DOMAIN: the S3 API also answers Host: <bucket>.<s3_domain> (lowercase); "" = path style.
    std::string s3_domain;
    // CONSOLE_DIR: serve the web console (/console/) from this directory, read per request,
    // instead of the files built into the binary ("": the built-in ones). For developing it.
    std::string console_dir;
  };

  HttpServer(Options options, UseCases use_cases);
  ~HttpServer();

  // Binds and listens; returns the bound port. Internal error naming the address if it cannot.
  Result<std::uint16_t> listen();
  // The bound port of the metrics listener, after listen(), if there is one.
  std::optional<std::uint16_t> metrics_port() const;

  // Serves until SIGTERM or SIGINT, then drains: readiness turns false at once, the listener
  // closes after shutdown_delay, idle connections close, requests in flight get up to
  // shutdown_timeout to finish. Returns after every IO and worker thread has stopped.
  void run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace castor
