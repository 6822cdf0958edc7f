#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/error.h"
#include "infrastructure/s3/s3_backend_settings.h"

namespace castor {

// Settings of `castor serve`, `migrate` and `gc`. Each comes from an environment variable or the
// matching flag (`DB_POOL_SIZE` <-> `--db-pool-size`; a flag wins), else its default.
struct Config {
  std::string database_url;                                 // DATABASE_URL (required)
  std::string listen_host = "0.0.0.0";                      // LISTEN_ADDR host part
  std::uint16_t listen_port = 8080;                         // LISTEN_ADDR port; 0 = any free
  std::optional<std::filesystem::path> port_file;           // PORT_FILE: bound port written here
  std::filesystem::path hot_storage_path = "./data/hot";    // HOT_STORAGE_PATH
  std::filesystem::path cold_storage_path = "./data/cold";  // COLD_STORAGE_PATH
  std::uint64_t max_object_size = std::uint64_t{5} << 30;   // MAX_OBJECT_SIZE, bytes
  // INLINE_MAX_BYTES: content up to this size (Content-Length) is kept in its blob row, committed
  // with the object in one transaction (docs/PERFORMANCE.md "Small objects"); 0 = never. <= 1 MiB.
  std::uint64_t inline_max_bytes = 65536;
  std::chrono::seconds gc_interval{60};                      // GC_INTERVAL_SECONDS; 0 = off
  std::chrono::seconds writing_timeout{3600};                // WRITING_TIMEOUT_SECONDS
  std::size_t db_pool_size = 8;                              // DB_POOL_SIZE
  std::size_t io_threads = 2;                                // IO_THREADS (default: cores)
  std::string log_level = "info";                            // LOG_LEVEL
  bool migrate_on_start = true;                              // MIGRATE_ON_START
  std::chrono::seconds shutdown_timeout{30};                 // SHUTDOWN_TIMEOUT_SECONDS
  std::chrono::seconds shutdown_delay{2};                    // SHUTDOWN_DELAY_SECONDS
  std::string log_format = "text";                           // LOG_FORMAT: text | json
  bool auth_required = true;                                 // AUTH_MODE: required | disabled
  std::string jwt_secret;                                    // JWT_SECRET (HS256), secret
  std::optional<std::filesystem::path> jwt_public_key_file;  // JWT_PUBLIC_KEY_FILE (RS/ES256)
  std::optional<std::string> jwt_issuer;                     // JWT_ISSUER
  std::optional<std::string> jwt_audience;                   // JWT_AUDIENCE
  std::chrono::seconds jwt_leeway{30};                       // JWT_LEEWAY_SECONDS
  std::uint64_t rate_limit_rps = 1000;                       // RATE_LIMIT_RPS, 0 = off
  std::uint64_t rate_limit_burst = 2000;                     // RATE_LIMIT_BURST
  std::size_t max_connections = 0;          // MAX_CONNECTIONS; 0 = from the fd limit
  std::chrono::seconds header_timeout{10};  // HEADER_TIMEOUT_SECONDS
  std::chrono::seconds idle_timeout{75};    // IDLE_TIMEOUT_SECONDS
  std::optional<std::string> metrics_host;  // METRICS_ADDR host part (unset: no listener)
  std::uint16_t metrics_port = 0;           // METRICS_ADDR port; 0 = any free
  bool metrics_auth = false;                // METRICS_AUTH: /metrics needs the admin scope
  std::chrono::seconds tombstone_retention{7 * 86400};  // TOMBSTONE_RETENTION_SECONDS
  std::uint64_t scrub_bytes_per_second = 8 << 20;       // SCRUB_BYTES_PER_SECOND; 0 = off
  std::chrono::seconds scrub_interval{7 * 86400};       // SCRUB_INTERVAL_SECONDS
  unsigned storage_file_mode = 0640;                    // STORAGE_FILE_MODE (octal)
  unsigned storage_dir_mode = 0750;                     // STORAGE_DIR_MODE (octal)
  std::chrono::seconds db_statement_timeout{5};         // DB_STATEMENT_TIMEOUT_SECONDS
  std::chrono::seconds db_pool_timeout{5};              // DB_POOL_TIMEOUT_SECONDS
  std::chrono::seconds db_connect_timeout{5};           // DB_CONNECT_TIMEOUT_SECONDS
  std::size_t disk_threads = 8;                         // DISK_THREADS
  std::chrono::seconds storage_stats_interval{30};      // STORAGE_STATS_INTERVAL_SECONDS
  std::chrono::seconds blob_grace{86400};               // BLOB_GRACE_SECONDS
  std::uint64_t max_manifest_bytes = 64 << 20;          // MAX_MANIFEST_BYTES
  std::chrono::seconds upload_ttl{86400};               // UPLOAD_TTL_SECONDS
  std::size_t max_open_uploads = 1000;                  // MAX_OPEN_UPLOADS (per tenant)
  std::uint64_t s3_min_part_size = 5ull << 20;  // S3_MIN_PART_SIZE: EntityTooSmall below (bytes)
  std::string s3_domain;  // S3_DOMAIN: virtual-hosted S3 under <bucket>.<domain>; "" = path only
  // CONSOLE_DIR: serve the web console from this directory (development) instead of the files
  // built into the binary; "" = the built-in ones (docs/CONSOLE.md).
  std::string console_dir;
  // S3_MASTER_KEY_FILE: the key that seals S3 secrets (32 raw bytes or 64 hex digits); unset: S3
  // credentials cannot be created or used (docs/S3.md, "Credentials").
  std::optional<std::filesystem::path> s3_master_key_file;

  // Where each storage class keeps its content (docs/OPERATIONS.md "Storage backends"):
  // <CLASS>_STORAGE_BACKEND = fs (the <CLASS>_STORAGE_PATH directory) or s3 (<CLASS>_S3_*).
  enum class Backend { kFs, kS3 };
  Backend hot_backend = Backend::kFs;   // HOT_STORAGE_BACKEND
  Backend cold_backend = Backend::kFs;  // COLD_STORAGE_BACKEND
  S3BackendSettings hot_s3;             // HOT_S3_*, HOT_REDIRECT_*; used when hot_backend is s3
  S3BackendSettings cold_s3;            // COLD_S3_*, COLD_REDIRECT_*
  // <CLASS>_STORAGE_FALLBACK=fs, while moving a class to S3 (`castor migrate-storage`): content
  // missing from the S3 bucket is read from <CLASS>_STORAGE_PATH, and removed from both.
  bool hot_fs_fallback = false;
  bool cold_fs_fallback = false;

  // Reads the settings from `args` (flags, after the subcommand) and `getenv`. InvalidArgument
  // with one clear sentence naming the setting on an unknown flag, a malformed value or a missing
  // DATABASE_URL.
  static Result<Config> load(const std::vector<std::string>& args,
                             const std::function<const char*(const char*)>& getenv);
};

// Each storage class's backend settings, without their "HOT_" / "COLD_" prefix.
inline constexpr const char* kStorageBackendSettings[] = {"STORAGE_BACKEND",
                                                          "STORAGE_FALLBACK",
                                                          "S3_ENDPOINT",
                                                          "S3_REGION",
                                                          "S3_BUCKET",
                                                          "S3_PREFIX",
                                                          "S3_ACCESS_KEY_ID",
                                                          "S3_SECRET_ACCESS_KEY",
                                                          "S3_SECRET_ACCESS_KEY_FILE",
                                                          "S3_PATH_STYLE",
                                                          "S3_PUBLIC_URL",
                                                          "REDIRECT_DOWNLOADS",
                                                          "REDIRECT_TTL_SECONDS",
                                                          "S3_PART_SIZE",
                                                          "S3_MAX_CONNECTIONS",
                                                          "S3_TIMEOUT_SECONDS",
                                                          "S3_MAX_RETRIES"};

// Reads the <CLASS>_STORAGE_BACKEND family of settings into `config` (config_storage.cpp);
// `get` returns a setting's value, or null when unset. InvalidArgument naming the setting.
Status load_storage_backends(Config& config,
                             const std::function<const std::string*(const char*)>& get);

// The help text listing every setting.
const char* config_usage();

}  // namespace castor
