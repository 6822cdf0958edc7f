#include "cli/gc_log.h"

#include <spdlog/spdlog.h>

namespace castor {

std::string describe(const CollectGarbage::Report& r) {
  return "tombstoned_objects=" + std::to_string(r.tombstoned_objects) +
         " expired_writing_objects=" + std::to_string(r.expired_writing_objects) +
         " removed_temp_files=" + std::to_string(r.removed_temp_files) +
         " expired_uploads=" + std::to_string(r.expired_uploads) +
         " deleted_blobs=" + std::to_string(r.deleted_blobs) +
         " reclaimed_bytes=" + std::to_string(r.reclaimed_bytes) +
         " removed_orphan_files=" + std::to_string(r.removed_orphan_files) +
         " purged_tombstones=" + std::to_string(r.purged_tombstones) +
         " failed_items=" + std::to_string(r.failed_items);
}

void log_failures(const CollectGarbage::Report& r) {
  for (const std::string& failure : r.failures) {
    spdlog::warn("gc skipped {}", failure);
  }
  if (r.failed_items > r.failures.size()) {
    spdlog::warn("gc skipped {} more item(s)", r.failed_items - r.failures.size());
  }
}

void log_damage(const ScrubContent::Damage& d) {
  std::string objects;
  for (const ObjectId& id : d.objects) {
    objects += (objects.empty() ? "" : ",") + id.to_string();
  }
  spdlog::error("DATA LOSS: blob {}/{}: {}{}; objects using it: {}", to_string(d.storage_class),
                d.hash.hex(), d.reason, d.newly_found ? "" : " (known)",
                objects.empty() ? "none" : objects);
}

}  // namespace castor
