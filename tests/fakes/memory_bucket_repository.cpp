#include "fakes/memory_bucket_repository.h"

namespace castor::testing {
namespace {

class MemoryBucketRepository final : public BucketRepository {
 public:
  MemoryBucketRepository(BucketTable& table, bool read_only)
      : table_(table), read_only_(read_only) {}

  Status insert(const Bucket& bucket) override {
    if (read_only_) {
      return read_only_write();
    }
    if (!table_.try_emplace(key(bucket.name, bucket.tenant), bucket).second) {
      return Error{ErrorCode::kAlreadyExists, "bucket exists (fake)"};
    }
    return {};
  }

  Result<Bucket> find(const Namespace& name, const TenantId& tenant, bool /*for_update*/) override {
    auto it = table_.find(key(name, tenant));
    if (it == table_.end()) {
      return not_found("no bucket " + name.str());
    }
    return it->second;
  }

  Result<Bucket> ensure(const Namespace& name, const TenantId& tenant, Timestamp now) override {
    if (auto it = table_.find(key(name, tenant)); it != table_.end()) {
      return it->second;
    }
    if (read_only_) {
      return read_only_write();
    }
    return table_.emplace(key(name, tenant), Bucket{name, tenant, now}).first->second;
  }

  Result<Bucket> require(const Namespace& name, const TenantId& tenant) override {
    return find(name, tenant, false);
  }

  Result<std::vector<Bucket>> list(const BucketQuery& q) override {
    std::vector<Bucket> out;
    for (auto it = table_.upper_bound({q.tenant.str(), q.after});
         it != table_.end() && it->first.first == q.tenant.str() && out.size() < q.limit; ++it) {
      if (it->first.second.starts_with(q.prefix)) {
        out.push_back(it->second);
      }
    }
    return out;
  }

  Status remove(const Namespace& name, const TenantId& tenant) override {
    if (read_only_) {
      return read_only_write();
    }
    if (table_.erase(key(name, tenant)) == 0) {
      return not_found("no bucket " + name.str());
    }
    return {};
  }

 private:
  static std::pair<std::string, std::string> key(const Namespace& name, const TenantId& tenant) {
    return {tenant.str(), name.str()};
  }
  static Error read_only_write() {
    return internal_error("write in a read-only transaction (fake bucket repository)");
  }

  BucketTable& table_;
  bool read_only_;
};

}  // namespace

std::unique_ptr<BucketRepository> memory_bucket_repository(BucketTable& table, bool read_only) {
  return std::make_unique<MemoryBucketRepository>(table, read_only);
}

}  // namespace castor::testing
