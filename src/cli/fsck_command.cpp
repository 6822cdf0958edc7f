#include "cli/fsck_command.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include <spdlog/spdlog.h>

#include "application/check_integrity.h"
#include "infrastructure/blob_store_factory.h"
#include "infrastructure/config.h"
#include "infrastructure/logging.h"
#include "infrastructure/pg_metadata_store.h"

namespace castor::cli {

namespace {

std::string describe(const CheckIntegrity::Finding& f) {
  std::string line(to_string(f.kind));
  line += ' ';
  line += to_string(f.storage_class);
  line += '/';
  line += f.hash.hex();
  switch (f.kind) {
    case CheckIntegrity::Finding::Kind::kMissing:
      line += " size=" + std::to_string(f.expected_size);
      break;
    case CheckIntegrity::Finding::Kind::kSizeMismatch:
      line += " expected_size=" + std::to_string(f.expected_size) +
              " actual_size=" + std::to_string(f.actual_size);
      break;
    case CheckIntegrity::Finding::Kind::kOrphan:
      break;
    case CheckIntegrity::Finding::Kind::kRefCountMismatch:
      line += " ref_count=" + (f.has_row ? std::to_string(f.ref_count) : std::string("no-row")) +
              " live_refs=" + std::to_string(f.live_refs);
      break;
  }
  if (!f.objects.empty()) {
    line += " objects=";
    for (std::size_t i = 0; i < f.objects.size(); ++i) {
      line += (i == 0 ? "" : ",") + f.objects[i].to_string();
    }
  }
  if (f.repaired) {
    line += " repaired";
  }
  return line;
}

}  // namespace

int run_fsck(const std::vector<std::string>& args) {
  bool repair = false;
  std::vector<std::string> settings;
  for (const std::string& a : args) {
    if (a == "--repair") {
      repair = true;
    } else {
      settings.push_back(a);
    }
  }
  auto config = Config::load(settings, [](const char* name) { return std::getenv(name); });
  if (!config) {
    std::fprintf(stderr, "castor: %s\n", config.error().message.c_str());
    return 2;
  }
  init_logging(config->log_level, *parse_log_format(config->log_format));
  auto blob_store = make_blob_store(*config);
  if (!blob_store) {
    std::fprintf(stderr, "castor: %s\n", blob_store.error().message.c_str());
    return 2;
  }
  PgMetadataStore metadata(config->database_url, 2);
  CheckIntegrity fsck(metadata, **blob_store);
  auto report = fsck.run(repair, [](const CheckIntegrity::Finding& f) {
    const std::string line = describe(f);
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    if (f.kind == CheckIntegrity::Finding::Kind::kMissing ||
        f.kind == CheckIntegrity::Finding::Kind::kSizeMismatch) {
      spdlog::error("DATA LOSS: {}", line);
    }
  });
  if (!report) {
    std::fprintf(stderr, "castor: fsck failed: %s\n", report.error().message.c_str());
    return 1;
  }
  std::printf(
      "fsck: blobs=%llu files=%llu missing=%llu size_mismatch=%llu orphans=%llu "
      "refcount_mismatch=%llu repaired=%llu\n",
      static_cast<unsigned long long>(report->blobs),
      static_cast<unsigned long long>(report->files),
      static_cast<unsigned long long>(report->missing),
      static_cast<unsigned long long>(report->size_mismatch),
      static_cast<unsigned long long>(report->orphans),
      static_cast<unsigned long long>(report->refcount_mismatch),
      static_cast<unsigned long long>(report->repaired));
  return report->unresolved() == 0 ? 0 : 1;
}

}  // namespace castor::cli
