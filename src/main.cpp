// castor: content-addressed object storage. `main` only wires the layers together.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "api/http_server.h"
#include "application/background_gc.h"
#include "infrastructure/config.h"
#include "infrastructure/fs_blob_store.h"
#include "infrastructure/logging.h"
#include "infrastructure/migrator.h"
#include "infrastructure/pg_metadata_store.h"
#include "infrastructure/readiness_probes.h"
#include "infrastructure/system_services.h"

namespace {

using namespace castor;

constexpr const char* kUsage =
    "usage: castor <command> [--setting value ...]\n"
    "commands:\n"
    "  serve     run the HTTP server (applies migrations first unless MIGRATE_ON_START=false)\n"
    "  migrate   apply pending database migrations and exit\n"
    "  gc        run one garbage-collection cycle and exit\n";

int fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "castor: %s\n", message.c_str());
  return code;
}

std::string describe(const CollectGarbage::Report& r) {
  return "tombstoned_objects=" + std::to_string(r.tombstoned_objects) +
         " expired_writing_objects=" + std::to_string(r.expired_writing_objects) +
         " removed_temp_files=" + std::to_string(r.removed_temp_files) +
         " deleted_blobs=" + std::to_string(r.deleted_blobs) +
         " reclaimed_bytes=" + std::to_string(r.reclaimed_bytes) +
         " removed_orphan_files=" + std::to_string(r.removed_orphan_files);
}

// Writes the bound port to `path` atomically (write a temp file, rename), for scripts and tests
// that start the server on port 0.
bool write_port_file(const std::filesystem::path& path, std::uint16_t port) {
  const std::filesystem::path temp = path.string() + ".tmp";
  {
    std::ofstream out(temp);
    out << port << "\n";
    if (!out) {
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  return !ec;
}

int serve(const Config& config) {
  if (config.migrate_on_start) {
    if (auto applied = apply_migrations(config.database_url); !applied) {
      return fail("migrations failed: " + applied.error().message);
    }
  }
  auto blob_store = FsBlobStore::create(config.hot_storage_path, config.cold_storage_path);
  if (!blob_store) {
    return fail(blob_store.error().message);
  }
  PgMetadataStore metadata(config.database_url, config.db_pool_size);
  SystemClock clock;
  RandomIdGenerator ids;
  UploadObject upload(metadata, **blob_store, clock, ids, config.max_object_size);
  DownloadObject download(metadata, **blob_store);
  DeleteObject remove(metadata, clock);
  ListObjects list(metadata);
  CollectGarbage gc(metadata, **blob_store, clock, config.writing_timeout);
  ReadinessMonitor readiness(make_readiness_probes(config.database_url, {config.hot_storage_path,
                                                                         config.cold_storage_path}),
                             std::chrono::milliseconds(1000), std::chrono::milliseconds(2000));
  readiness.start();

  HttpServer server({.host = config.listen_host,
                     .port = config.listen_port,
                     .io_threads = config.io_threads,
                     .worker_threads = config.db_pool_size,
                     .shutdown_timeout = config.shutdown_timeout},
                    {upload, download, remove, list, gc, readiness});
  auto port = server.listen();
  if (!port) {
    return fail(port.error().message);
  }
  spdlog::info("listening on {}:{} (hot={}, cold={}, io_threads={}, db_pool={})",
               config.listen_host, *port, config.hot_storage_path.string(),
               config.cold_storage_path.string(), config.io_threads, config.db_pool_size);
  if (config.port_file && !write_port_file(*config.port_file, *port)) {
    return fail("cannot write PORT_FILE " + config.port_file->string());
  }

  std::optional<BackgroundGc> background;
  if (config.gc_interval.count() > 0) {
    background.emplace(gc, config.gc_interval, [](const Result<CollectGarbage::Report>& r) {
      if (r) {
        spdlog::info("gc cycle: {}", describe(*r));
      } else {
        spdlog::warn("gc cycle failed: {}", r.error().message);
      }
    });
    background->start();
  }
  server.run();
  if (background) {
    background->stop();
  }
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
  auto blob_store = FsBlobStore::create(config.hot_storage_path, config.cold_storage_path);
  if (!blob_store) {
    return fail(blob_store.error().message);
  }
  PgMetadataStore metadata(config.database_url, 2);
  SystemClock clock;
  CollectGarbage gc(metadata, **blob_store, clock, config.writing_timeout);
  auto report = gc.run_once();
  if (!report) {
    return fail("gc failed: " + report.error().message);
  }
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
  init_logging(config->log_level);
  if (command == "serve") {
    return serve(*config);
  }
  if (command == "migrate") {
    return migrate(*config);
  }
  return collect_once(*config);
}
