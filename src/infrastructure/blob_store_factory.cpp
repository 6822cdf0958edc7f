#include "infrastructure/blob_store_factory.h"

#include <string>

#include "infrastructure/class_routed_blob_store.h"
#include "infrastructure/fallback_blob_store.h"
#include "infrastructure/fs_blob_store.h"
#include "infrastructure/s3/curl_s3_client.h"
#include "infrastructure/s3/s3_blob_store.h"

namespace castor {
namespace {

Config::Backend backend_of(const Config& config, StorageClass storage_class) {
  return storage_class == StorageClass::kCold ? config.cold_backend : config.hot_backend;
}

const S3BackendSettings& s3_of(const Config& config, StorageClass storage_class) {
  return storage_class == StorageClass::kCold ? config.cold_s3 : config.hot_s3;
}

bool fallback_of(const Config& config, StorageClass storage_class) {
  return storage_class == StorageClass::kCold ? config.cold_fs_fallback : config.hot_fs_fallback;
}

// "hot storage (S3 http://…/bucket): <why>", the one line a failed start prints.
Error in_class(StorageClass storage_class, const S3BackendSettings& s3, Error e) {
  e.message = std::string(to_string(storage_class)) + " storage (S3 " + s3.endpoint + ", bucket '" +
              s3.bucket + "'): " + e.message;
  return e;
}

Result<std::shared_ptr<BlobStore>> make_s3_store(const S3BackendSettings& s3,
                                                 StorageClass storage_class) {
  if (s3.endpoint.empty() || s3.bucket.empty() || s3.access_key_id.empty() ||
      s3.secret_access_key.empty()) {
    const std::string cls = storage_class == StorageClass::kCold ? "COLD" : "HOT";
    return invalid_argument(cls + "_S3_ENDPOINT, " + cls + "_S3_BUCKET, " + cls +
                            "_S3_ACCESS_KEY_ID and " + cls +
                            "_S3_SECRET_ACCESS_KEY are required for the s3 backend");
  }
  auto client = CurlS3Client::create(s3);
  if (!client) {
    return in_class(storage_class, s3, std::move(client).error());
  }
  auto store = S3BlobStore::create(std::move(*client), s3, storage_class);
  if (!store) {
    return in_class(storage_class, s3, std::move(store).error());
  }
  if (auto s = (*store)->check(); !s) {
    return in_class(storage_class, s3, std::move(s).error());
  }
  return std::shared_ptr<BlobStore>(std::move(*store));
}

Result<std::shared_ptr<BlobStore>> make_fs_store(const Config& config) {
  auto fs = FsBlobStore::create(
      config.hot_storage_path, config.cold_storage_path,
      FsBlobStore::Modes{.file = config.storage_file_mode, .dir = config.storage_dir_mode});
  if (!fs) {
    return std::move(fs).error();
  }
  return std::shared_ptr<BlobStore>(std::move(*fs));
}

class S3Probe final : public ReadinessProbe {
 public:
  explicit S3Probe(std::unique_ptr<S3Client> client) : client_(std::move(client)) {}
  const char* name() const override { return "storage"; }
  Status check() override {
    if (auto s = client_->check_bucket(); !s) {
      return Error{ErrorCode::kUnavailable, s.error().message};
    }
    return {};
  }

 private:
  std::unique_ptr<S3Client> client_;
};

}  // namespace

Result<std::unique_ptr<BlobStore>> make_blob_store(const Config& config) {
  std::shared_ptr<BlobStore> fs;
  std::shared_ptr<BlobStore> stores[2];
  for (StorageClass storage_class : kAllStorageClasses) {
    std::shared_ptr<BlobStore>& store = stores[storage_class == StorageClass::kCold ? 1 : 0];
    const bool s3 = backend_of(config, storage_class) == Config::Backend::kS3;
    if (!s3 || fallback_of(config, storage_class)) {
      if (!fs) {
        auto made = make_fs_store(config);
        if (!made) {
          return std::move(made).error();
        }
        fs = std::move(*made);
      }
      store = fs;
    }
    if (s3) {
      auto made = make_s3_store(s3_of(config, storage_class), storage_class);
      if (!made) {
        return std::move(made).error();
      }
      store = fallback_of(config, storage_class)
                  ? std::make_shared<FallbackBlobStore>(std::move(*made), fs)
                  : std::move(*made);
    }
  }
  return std::unique_ptr<BlobStore>(
      std::make_unique<ClassRoutedBlobStore>(std::move(stores[0]), std::move(stores[1])));
}

Result<std::unique_ptr<BlobStore>> make_class_blob_store(const Config& config,
                                                         StorageClass storage_class,
                                                         Config::Backend kind) {
  std::shared_ptr<BlobStore> store;
  if (kind == Config::Backend::kS3) {
    auto made = make_s3_store(s3_of(config, storage_class), storage_class);
    if (!made) {
      return std::move(made).error();
    }
    store = std::move(*made);
  } else {
    auto made = make_fs_store(config);
    if (!made) {
      return std::move(made).error();
    }
    store = std::move(*made);
  }
  return std::unique_ptr<BlobStore>(std::make_unique<ClassRoutedBlobStore>(store, store));
}

std::string storage_location(const Config& config, StorageClass storage_class) {
  if (backend_of(config, storage_class) == Config::Backend::kFs) {
    return (storage_class == StorageClass::kCold ? config.cold_storage_path
                                                 : config.hot_storage_path)
        .string();
  }
  const S3BackendSettings& s3 = s3_of(config, storage_class);
  return "s3://" + s3.bucket + "/" + s3.prefix + " at " + s3.endpoint +
         (fallback_of(config, storage_class) ? " (fallback: filesystem)" : "");
}

std::vector<std::filesystem::path> filesystem_roots(const Config& config) {
  std::vector<std::filesystem::path> roots;
  for (StorageClass storage_class : kAllStorageClasses) {
    if (backend_of(config, storage_class) == Config::Backend::kFs ||
        fallback_of(config, storage_class)) {
      roots.push_back(storage_class == StorageClass::kCold ? config.cold_storage_path
                                                           : config.hot_storage_path);
    }
  }
  return roots;
}

std::vector<std::unique_ptr<ReadinessProbe>> make_s3_probes(const Config& config) {
  std::vector<std::unique_ptr<ReadinessProbe>> probes;
  for (StorageClass storage_class : kAllStorageClasses) {
    if (backend_of(config, storage_class) != Config::Backend::kS3) {
      continue;
    }
    S3BackendSettings s3 = s3_of(config, storage_class);
    s3.max_connections = 1;
    s3.max_retries = 0;
    if (auto client = CurlS3Client::create(s3)) {
      probes.push_back(std::make_unique<S3Probe>(std::move(*client)));
    }
  }
  return probes;
}

}  // namespace castor
