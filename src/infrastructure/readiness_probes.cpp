#include "infrastructure/readiness_probes.h"

#include "infrastructure/fs_blob_store.h"
#include "infrastructure/migrator.h"

namespace castor {
namespace {

// Connects afresh each time (not from the pool: a hung pool must not hide an outage, nor the
// probe wait behind busy requests), with libpq's connect_timeout.
class DatabaseProbe final : public ReadinessProbe {
 public:
  explicit DatabaseProbe(std::string url) : url_(std::move(url)) {}
  const char* name() const override { return "database"; }
  Status check() override {
    auto version = applied_migration_version(url_);
    if (!version) {
      return Error{ErrorCode::kUnavailable, "database unreachable"};
    }
    const int expected = embedded_migrations().empty() ? 0 : embedded_migrations().back().version;
    if (*version != expected) {
      return Error{ErrorCode::kUnavailable, "migrations: database is at version " +
                                                std::to_string(*version) + ", expected " +
                                                std::to_string(expected)};
    }
    return {};
  }

 private:
  std::string url_;
};

class StorageProbe final : public ReadinessProbe {
 public:
  explicit StorageProbe(std::vector<std::filesystem::path> roots) : roots_(std::move(roots)) {}
  const char* name() const override { return "storage"; }
  Status check() override {
    for (const auto& root : roots_) {
      if (auto s = check_writable(root / ".tmp"); !s) {
        return s;
      }
    }
    return {};
  }

 private:
  std::vector<std::filesystem::path> roots_;
};

}  // namespace

std::vector<std::unique_ptr<ReadinessProbe>> make_readiness_probes(
    std::string database_url, std::vector<std::filesystem::path> storage_roots) {
  std::vector<std::unique_ptr<ReadinessProbe>> probes;
  probes.push_back(std::make_unique<DatabaseProbe>(std::move(database_url)));
  probes.push_back(std::make_unique<StorageProbe>(std::move(storage_roots)));
  return probes;
}

}  // namespace castor
