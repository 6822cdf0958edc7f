#include "power_loss_blob_store.h"

#include <regex>
#include <vector>

namespace castor::testing {
namespace {

namespace fs = std::filesystem;

// Delegates to the real writer and remembers whether its bytes were fsynced.
class TrackedWriter final : public BlobWriter {
 public:
  TrackedWriter(std::unique_ptr<BlobWriter> inner, bool fsync_lies)
      : inner_(std::move(inner)), fsync_lies_(fsync_lies) {}

  Status write(std::span<const std::byte> data) override { return inner_->write(data); }
  std::uint64_t size() const override { return inner_->size(); }
  Result<ContentHash> finish() override {
    auto hash = inner_->finish();
    synced_ = hash.has_value() && !fsync_lies_;
    return hash;
  }

  BlobWriter& inner() { return *inner_; }
  bool synced() const { return synced_; }

 private:
  std::unique_ptr<BlobWriter> inner_;
  const bool fsync_lies_;
  bool synced_ = false;
};

}  // namespace

Result<std::unique_ptr<BlobWriter>> PowerLossBlobStore::create_temp(StorageClass storage_class,
                                                                    const ObjectId& object) {
  auto writer = inner_.create_temp(storage_class, object);
  if (!writer) {
    return std::move(writer).error();
  }
  return std::unique_ptr<BlobWriter>(
      std::make_unique<TrackedWriter>(std::move(*writer), faults_.fsync_lies));
}

Status PowerLossBlobStore::place(BlobWriter& writer, StorageClass storage_class,
                                 const ContentHash& hash) {
  auto* tracked = dynamic_cast<TrackedWriter*>(&writer);
  if (tracked == nullptr) {
    return Error{ErrorCode::kInternal, "PowerLossBlobStore::place: not one of its writers"};
  }
  const Key key{std::string(to_string(storage_class)), hash.hex()};
  std::lock_guard lock(mutex_);
  const bool existed = durable_.contains(key);
  if (auto s = inner_.place(tracked->inner(), storage_class, hash); !s) {
    return s;
  }
  // An existing content file is kept as it is (the temporary one is discarded).
  if (!existed) {
    durable_[key] = tracked->synced() ? Durability::kNameAndBytes : Durability::kNameOnly;
  }
  return {};
}

Status PowerLossBlobStore::remove(StorageClass storage_class, const ContentHash& hash) {
  std::lock_guard lock(mutex_);
  if (auto s = inner_.remove(storage_class, hash); !s) {
    return s;
  }
  durable_.erase({std::string(to_string(storage_class)), hash.hex()});
  return {};
}

Status PowerLossBlobStore::quarantine(StorageClass storage_class, const ContentHash& hash) {
  std::lock_guard lock(mutex_);
  if (auto s = inner_.quarantine(storage_class, hash); !s) {
    return s;
  }
  durable_.erase({std::string(to_string(storage_class)), hash.hex()});
  return {};
}

std::size_t PowerLossBlobStore::durable_files() const {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const auto& [key, durability] : durable_) {
    count += durability == Durability::kNameAndBytes ? 1 : 0;
  }
  return count;
}

std::size_t PowerLossBlobStore::power_loss() {
  static const std::regex kContentName("[0-9a-f]{2}/[0-9a-f]{2}/([0-9a-f]{64})");
  std::lock_guard lock(mutex_);
  std::size_t dropped = 0;
  for (const auto& [storage_class, root] :
       {std::pair<std::string, fs::path>{"hot", hot_root_}, {"cold", cold_root_}}) {
    if (!fs::exists(root)) {
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_regular_file()) {
        files.push_back(entry.path());
      }
    }
    for (const fs::path& file : files) {
      const std::string relative = fs::relative(file, root).generic_string();
      if (relative.starts_with(std::string(FsBlobStore::kQuarantineDir) + "/")) {
        continue;  // moved aside durably by quarantine(); not content
      }
      std::smatch match;
      const bool content = std::regex_match(relative, match, kContentName);
      const auto durable =
          content ? durable_.find({storage_class, match[1].str()}) : durable_.end();
      if (durable == durable_.end()) {
        fs::remove(file);  // a temporary file, or a name that never became durable
        ++dropped;
      } else if (durable->second == Durability::kNameOnly) {
        fs::resize_file(file, 0);
        ++dropped;
      }
    }
  }
  return dropped;
}

}  // namespace castor::testing
