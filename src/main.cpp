// castor: content-addressed object storage. `main` only wires the layers together.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "api/http_server.h"
#include "api/prometheus_text.h"
#include "application/background_gc.h"
#include "application/background_scrub.h"
#include "application/check_integrity.h"
#include "cli/fsck_command.h"
#include "cli/gc_log.h"
#include "cli/keys_command.h"
#include "cli/migrate_storage_command.h"
#include "cli/server_setup.h"
#include "infrastructure/aes_gcm_secret_box.h"
#include "infrastructure/blob_store_factory.h"
#include "infrastructure/checksummers.h"
#include "infrastructure/config.h"
#include "infrastructure/fd_budget.h"
#include "infrastructure/jwt_verifier.h"
#include "infrastructure/libarchive_archiver.h"
#include "infrastructure/logging.h"
#include "infrastructure/migrator.h"
#include "infrastructure/mime_types_file.h"
#include "infrastructure/openssl_hmac.h"
#include "infrastructure/openssl_sha256.h"
#include "infrastructure/pg_metadata_store.h"
#include "infrastructure/process_metrics.h"
#include "infrastructure/readiness_probes.h"
#include "infrastructure/storage_stats.h"
#include "infrastructure/system_services.h"

namespace {

using namespace castor;
using castor::cli::make_jwt_verifier;
using castor::cli::make_secret_box;
using castor::cli::write_port_file;

constexpr const char* kUsage =
    "usage: castor <command> [--setting value ...]\n"
    "commands:\n"
    "  serve     run the HTTP server (applies migrations first unless MIGRATE_ON_START=false)\n"
    "  migrate   apply pending database migrations and exit\n"
    "  gc        run one garbage-collection cycle and exit\n"
    "  fsck [--repair]  check that the database and the content files agree; --repair\n"
    "            removes orphan files and corrects ref counts (exit 0 clean, 1 problems left)\n"
    "  keys create --tenant T|* --scopes \"objects:read ...\" [--expires RFC3339 |\n"
    "              --expires-in SECONDS] [--name NAME] [--namespaces a,b | *]\n"
    "              [--description TEXT]                     issue an API key (printed once)\n"
    "  keys list                                            list API keys (no secrets)\n"
    "  keys update ID [--scopes ...] [--namespaces a,b | *] [--name NAME] [--description TEXT]\n"
    "              [--expires RFC3339 | --expires-in SECONDS | --no-expiry]   change a key\n"
    "  keys revoke ID                                       revoke an API key\n"
    "  keys create|list|revoke --s3 ...                     the same for S3 credentials\n"
    "  migrate-storage --class hot|cold --to s3|fs [--restart] [--parallel N]\n"
    "            copy the class's content from its other backend to this one, verified by hash,\n"
    "            online and resumable (docs/OPERATIONS.md; exit 0 done, 1 damaged or failed)\n";

int fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "castor: %s\n", message.c_str());
  return code;
}

PgTimeouts timeouts_of(const Config& config) {
  return {.statement_timeout = config.db_statement_timeout,
          .acquire_timeout = config.db_pool_timeout,
          .connect_timeout = config.db_connect_timeout};
}

int serve(const Config& config) {
  auto jwt = make_jwt_verifier(config);
  if (!jwt) {
    return fail(jwt.error().message, 2);
  }
  auto secret_box = make_secret_box(config);
  if (!secret_box) {
    return fail(secret_box.error().message, 2);
  }
  if (!config.auth_required) {
    spdlog::warn(
        "AUTH_MODE=disabled: anyone who can reach this port can read, write and delete every "
        "tenant's objects. Never run like this outside a local experiment.");
  }
  if (config.migrate_on_start) {
    if (auto applied = apply_migrations(config.database_url); !applied) {
      return fail("migrations failed: " + applied.error().message);
    }
  }
  auto blob_store = make_blob_store(config);
  if (!blob_store) {
    return fail(blob_store.error().message);
  }
  // HTTP series for the route table's labels and the method labels.
  Metrics metrics(api::http_route_labels().size(), api::http_method_labels().size());
  PgMetadataStore metadata(
      config.database_url, config.db_pool_size,
      [&metrics](std::string_view statement, double seconds) {
        metrics.db_query(statement, seconds);
      },
      timeouts_of(config));
  SystemClock clock;
  RandomIdGenerator ids;
  const MimeTypesFile media_types = MimeTypesFile::load();
  const Checksummers checksummers;
  UploadObject upload(metadata, **blob_store, clock, ids, config.max_object_size, &media_types,
                      {.max_bytes = config.inline_max_bytes, .sha256 = &checksummers});
  DownloadObject download(metadata, **blob_store);
  DeleteObject remove(metadata, clock);
  ListObjects list(metadata);
  ManageBuckets buckets(metadata, clock);
  ListS3 list_s3(metadata);
  SearchObjects search(metadata);
  StoreBlob store_blob(metadata, **blob_store, clock, ids, config.max_object_size,
                       config.blob_grace);
  ReadBlob read_blob(metadata, **blob_store);
  PreflightBlobs preflight(metadata);
  CreateBundle create_bundle(metadata, **blob_store, clock, ids, openssl_sha256);
  ReadBundles read_bundles(metadata);
  DeleteBundle delete_bundle(metadata);
  LibarchiveArchiver archiver;
  DownloadBundle download_bundle(metadata, **blob_store, archiver);
  const UploadLimits upload_limits{.max_size = config.max_object_size,
                                   .ttl = config.upload_ttl,
                                   .max_open = config.max_open_uploads,
                                   .blob_grace = config.blob_grace,
                                   .s3_min_part_size = config.s3_min_part_size};
  CreateUpload create_upload(metadata, clock, ids, upload_limits);
  ReadUploads read_uploads(metadata);
  StoreUploadPart store_upload_part(metadata, **blob_store, clock, ids, upload_limits);
  CompleteUpload complete_upload(metadata, **blob_store, clock, ids, upload_limits, &media_types,
                                 &checksummers);
  AbortUpload abort_upload(metadata);
  CopyUploadPart copy_upload_part(download, store_upload_part, checksummers);
  CopyObject copy(metadata, clock, ids);
  UpdateObjectMetadata update_metadata(metadata, clock);
  ManageRetention retention(metadata, clock);
  // A move that finds the stored content other than its hash refuses, counts and logs it.
  MoveStorageClass move_storage_class(
      metadata, **blob_store, clock, ids,
      [&metrics](const Object& object, const std::optional<ContentHash>& actual) {
        metrics.integrity_errors(1);
        spdlog::error("integrity error: object {} ({} content {}) reads back as {}; not moved",
                      object.id().to_string(), to_string(object.storage_class()),
                      object.content_hash()->hex(),
                      actual ? actual->hex() : std::string("content of another size"));
      });
  ReadUsage usage(metadata);
  ManageQuotas quotas(metadata, clock);
  const OpensslSigv4Crypto sigv4_crypto;
  CollectGarbage gc(metadata, **blob_store, clock, config.writing_timeout,
                    config.tombstone_retention);
  CheckIntegrity fsck(metadata, **blob_store);
  ScrubContent scrub(metadata, **blob_store, clock, &checksummers);
  OpenSslKeyMaterial key_material;
  Authenticate auth(metadata, key_material, jwt->get(), clock);
  ManageApiKeys keys(metadata, key_material, clock);
  ManageS3Credentials s3_credentials(metadata, secret_box->get(), key_material, clock);
  RateLimiter limiter(static_cast<double>(config.rate_limit_rps),
                      static_cast<double>(config.rate_limit_burst), 100'000);
  auto probes =
      make_readiness_probes(config.database_url, filesystem_roots(config), timeouts_of(config));
  for (auto& probe : make_s3_probes(config)) {
    probes.push_back(std::move(probe));
  }
  ReadinessMonitor readiness(std::move(probes), std::chrono::milliseconds(1000),
                             std::chrono::milliseconds(2000));
  readiness.start();

  // Descriptors: soft limit raised to the hard one; connections get what the reserve leaves.
  const std::uint64_t fd_limit = raise_fd_limit();
  const FdBudget budget;
  const std::size_t max_connections = config.max_connections > 0
                                          ? config.max_connections
                                          : budget.max_connections(fd_limit, config.db_pool_size);
  if (budget.needed(max_connections, config.db_pool_size) > fd_limit) {
    spdlog::warn(
        "MAX_CONNECTIONS={} may need {} file descriptors, over the limit of {}: a connection "
        "flood can starve temp files and database connections",
        max_connections, budget.needed(max_connections, config.db_pool_size), fd_limit);
  }

  HttpServer server(
      {.host = config.listen_host,
       .port = config.listen_port,
       .io_threads = config.io_threads,
       .worker_threads = config.db_pool_size,
       .disk_threads = config.disk_threads,
       .shutdown_delay = config.shutdown_delay,
       .shutdown_timeout = config.shutdown_timeout,
       .max_connections = max_connections,
       .header_timeout = config.header_timeout,
       .idle_timeout = config.idle_timeout,
       .max_manifest_bytes = static_cast<std::size_t>(config.max_manifest_bytes),
       .metrics_host = config.metrics_host.value_or("0.0.0.0"),
       .metrics_port =
           config.metrics_host ? std::optional<std::uint16_t>(config.metrics_port) : std::nullopt,
       .metrics_auth = config.metrics_auth,
       .auth_required = config.auth_required,
       .access_logger = kAccessLoggerName,
       .access_log_json = config.log_format == "json",
       .s3_domain = config.s3_domain,
       .console_dir = config.console_dir},
      {upload,
       download,
       remove,
       list,
       buckets,
       list_s3,
       store_blob,
       read_blob,
       preflight,
       create_bundle,
       read_bundles,
       delete_bundle,
       download_bundle,
       create_upload,
       read_uploads,
       store_upload_part,
       complete_upload,
       abort_upload,
       upload_limits,
       gc,
       fsck,
       readiness,
       auth,
       keys,
       s3_credentials,
       limiter,
       metrics,
       copy,
       checksummers,
       sigv4_crypto,
       copy_upload_part,
       update_metadata,
       retention,
       move_storage_class,
       usage,
       quotas,
       search,
       [&metrics, &metadata] {
         const PgMetadataStore::PoolStats pool = metadata.pool_stats();
         metrics.set_db_pool(pool.idle, pool.in_use, pool.size);
         return api::render_prometheus_text(metrics, {render_process_metrics()});
       }});
  auto port = server.listen();
  if (!port) {
    return fail(port.error().message);
  }
  spdlog::info(
      "listening on {}:{} (hot={}, cold={}, io_threads={}, db_pool={}, max_connections={}, "
      "fd_limit={})",
      config.listen_host, *port, storage_location(config, StorageClass::kHot),
      storage_location(config, StorageClass::kCold), config.io_threads, config.db_pool_size,
      max_connections, fd_limit);
  if (auto metrics_port = server.metrics_port()) {
    spdlog::info("metrics and probes also on {}:{}", *config.metrics_host, *metrics_port);
  }
  if (config.port_file && !write_port_file(*config.port_file, *port, server.metrics_port())) {
    return fail("cannot write PORT_FILE " + config.port_file->string());
  }

  std::optional<BackgroundGc> background;
  if (config.gc_interval.count() > 0) {
    background.emplace(gc, config.gc_interval,
                       [&metrics](const Result<CollectGarbage::Report>& r, double seconds) {
                         metrics.gc_cycle(r ? *r : CollectGarbage::Report{}, seconds,
                                          r.has_value());
                         if (r) {
                           spdlog::info("gc cycle: {} in {:.3f} s", describe(*r), seconds);
                           log_failures(*r);
                         } else {
                           spdlog::warn("gc cycle failed: {}", r.error().message);
                         }
                       });
    background->start();
  }
  std::optional<BackgroundScrub> scrubber;
  if (config.scrub_bytes_per_second > 0) {
    scrubber.emplace(scrub, clock, config.scrub_bytes_per_second, config.scrub_interval,
                     BackgroundScrub::Observer{
                         [](const Result<ScrubContent::Report>& r, double seconds) {
                           if (!r) {
                             spdlog::warn("scrub pass failed: {}", r.error().message);
                           } else if (r->verified_blobs + r->damaged_blobs > 0) {
                             spdlog::info(
                                 "scrub pass: verified_blobs={} verified_bytes={} damaged_blobs={} "
                                 "in {:.3f} s",
                                 r->verified_blobs, r->verified_bytes, r->damaged_blobs, seconds);
                           }
                         },
                         [&metrics](std::uint64_t bytes) { metrics.scrub_verified(1, bytes); },
                         [&metrics](const ScrubContent::Damage& d) {
                           if (d.newly_found) {
                             metrics.integrity_errors(1);
                           }
                           log_damage(d);
                         }});
    scrubber->start();
  }
  // Free space is a filesystem's figure: classes kept in S3 have none.
  std::vector<StorageStatsRefresher::Root> stat_roots;
  if (config.hot_backend == Config::Backend::kFs) {
    stat_roots.push_back({StorageClass::kHot, config.hot_storage_path});
  }
  if (config.cold_backend == Config::Backend::kFs) {
    stat_roots.push_back({StorageClass::kCold, config.cold_storage_path});
  }
  StorageStatsRefresher storage_stats(metrics, config.database_url, std::move(stat_roots),
                                      config.storage_stats_interval, timeouts_of(config));
  storage_stats.start();
  server.run();
  if (scrubber) {
    scrubber->stop();
  }
  if (background) {
    background->stop();
  }
  storage_stats.stop();
  readiness.stop();
  spdlog::info("stopped");
  spdlog::shutdown();
  return 0;
}

int migrate(const Config& config) {
  auto applied = apply_migrations(config.database_url);
  if (!applied) {
    return fail("migrations failed: " + applied.error().message);
  }
  std::printf("applied %d migration(s)\n", *applied);
  return 0;
}

int collect_once(const Config& config) {
  auto blob_store = make_blob_store(config);
  if (!blob_store) {
    return fail(blob_store.error().message);
  }
  PgMetadataStore metadata(config.database_url, 2, {}, timeouts_of(config));
  SystemClock clock;
  CollectGarbage gc(metadata, **blob_store, clock, config.writing_timeout,
                    config.tombstone_retention);
  auto report = gc.run_once();
  if (!report) {
    return fail("gc failed: " + report.error().message);
  }
  log_failures(*report);
  std::printf("%s\n", describe(*report).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fprintf(args.empty() ? stderr : stdout, "%s%s", kUsage, config_usage());
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  if (command == "keys") {
    setenv("PGCONNECT_TIMEOUT", "5", /*overwrite=*/0);
    return cli::run_keys({args.begin() + 1, args.end()});
  }
  if (command == "fsck") {
    setenv("PGCONNECT_TIMEOUT", "5", /*overwrite=*/0);
    return cli::run_fsck({args.begin() + 1, args.end()});
  }
  if (command == "migrate-storage") {
    setenv("PGCONNECT_TIMEOUT", "5", /*overwrite=*/0);
    return cli::run_migrate_storage({args.begin() + 1, args.end()});
  }
  if (command != "serve" && command != "migrate" && command != "gc") {
    return fail("unknown command '" + command + "'\n" + kUsage, 2);
  }
  auto config = Config::load({args.begin() + 1, args.end()},
                             [](const char* name) { return std::getenv(name); });
  if (!config) {
    return fail(config.error().message, 2);
  }
  // libpq waits this long for a connection before giving up (unless the caller chose otherwise).
  setenv("PGCONNECT_TIMEOUT", "5", /*overwrite=*/0);
  init_logging(config->log_level, *parse_log_format(config->log_format));
  if (command == "serve") {
    return serve(*config);
  }
  if (command == "migrate") {
    return migrate(*config);
  }
  return collect_once(*config);
}
