#include "fakes/memory_usage_repository.h"

#include <set>
#include <tuple>

namespace castor::testing {
namespace {

class MemoryUsageRepository final : public UsageRepository {
 public:
  MemoryUsageRepository(const std::map<ObjectId, Object>& objects, const BucketTable& buckets,
                        QuotaTable& quotas, bool read_only)
      : objects_(objects), buckets_(buckets), quotas_(quotas), read_only_(read_only) {}

  Result<Usage> namespace_usage(const TenantId& tenant, const Namespace& ns) override {
    return recount(tenant, &ns);
  }
  Result<Usage> tenant_usage(const TenantId& tenant) override { return recount(tenant, nullptr); }

  Result<std::vector<TenantUsage>> list_tenants(const std::string& after,
                                                std::size_t limit) override {
    std::set<std::string> names;
    for (const auto& [id, o] : objects_) {
      if (o.status() == ObjectStatus::kCommitted && o.tenant().str() > after) {
        names.insert(o.tenant().str());
      }
    }
    for (const auto& [key, bucket] : buckets_) {
      if (key.first > after) {
        names.insert(key.first);
      }
    }
    std::vector<TenantUsage> out;
    for (const std::string& name : names) {
      if (out.size() == limit) {
        break;
      }
      auto tenant = TenantId::parse(name);
      auto usage = recount(*tenant, nullptr);
      out.push_back({.tenant = *tenant, .total = usage->total});
    }
    return out;
  }

  Result<std::vector<NamespaceUsage>> list_namespaces(const TenantId& tenant,
                                                      const std::string& after, std::size_t limit,
                                                      const std::vector<Namespace>& only) override {
    std::set<std::string> names;
    auto wanted = [&](const std::string& name) {
      if (name <= after) {
        return false;
      }
      if (only.empty()) {
        return true;
      }
      for (const Namespace& ns : only) {
        if (ns.str() == name) {
          return true;
        }
      }
      return false;
    };
    for (const auto& [id, o] : objects_) {
      if (o.status() == ObjectStatus::kCommitted && o.tenant() == tenant && wanted(o.ns().str())) {
        names.insert(o.ns().str());
      }
    }
    for (const auto& [key, bucket] : buckets_) {
      if (key.first == tenant.str() && wanted(key.second)) {
        names.insert(key.second);
      }
    }
    std::vector<NamespaceUsage> out;
    for (const std::string& name : names) {
      if (out.size() == limit) {
        break;
      }
      auto ns = Namespace::parse(name);
      out.push_back({.ns = *ns, .usage = *recount(tenant, &*ns)});
    }
    return out;
  }

  Result<std::optional<Quota>> find_quota(const TenantId& tenant,
                                          const std::optional<Namespace>& ns) override {
    auto it = quotas_.find({tenant.str(), ns ? ns->str() : ""});
    if (it == quotas_.end()) {
      return std::optional<Quota>();
    }
    return std::optional<Quota>(it->second);
  }

  Status put_quota(const TenantId& tenant, const std::optional<Namespace>& ns, const Quota& quota,
                   Timestamp) override {
    if (read_only_) {
      return Error{ErrorCode::kInternal, "write in a read-only transaction (fake)"};
    }
    if (!quota.limits_anything()) {
      quotas_.erase({tenant.str(), ns ? ns->str() : ""});
    } else {
      quotas_[{tenant.str(), ns ? ns->str() : ""}] = quota;
    }
    return {};
  }

  Result<bool> remove_quota(const TenantId& tenant, const std::optional<Namespace>& ns) override {
    if (read_only_) {
      return Error{ErrorCode::kInternal, "write in a read-only transaction (fake)"};
    }
    return quotas_.erase({tenant.str(), ns ? ns->str() : ""}) > 0;
  }

  Status check_quota(const TenantId& tenant, const Namespace& ns, std::uint64_t objects,
                     std::uint64_t bytes) override {
    for (const std::string& area : {std::string(), ns.str()}) {
      auto it = quotas_.find({tenant.str(), area});
      if (it == quotas_.end()) {
        continue;
      }
      auto usage = area.empty() ? recount(tenant, nullptr) : recount(tenant, &ns);
      const Quota& q = it->second;
      const std::string what = area.empty()
                                   ? "tenant " + tenant.str()
                                   : "namespace " + ns.str() + " of tenant " + tenant.str();
      if (q.max_objects && objects > 0 && usage->total.objects + objects > *q.max_objects) {
        return quota_exceeded("quota exceeded: " + what + " may hold at most " +
                              std::to_string(*q.max_objects) + " objects (max_objects)");
      }
      if (q.max_bytes && bytes > 0 && usage->total.logical_bytes + bytes > *q.max_bytes) {
        return quota_exceeded("quota exceeded: " + what + " may hold at most " +
                              std::to_string(*q.max_bytes) + " bytes (max_bytes)");
      }
    }
    return {};
  }

 private:
  // The definition of the figures (docs/USAGE_AND_QUOTAS.md), by a scan.
  Result<Usage> recount(const TenantId& tenant, const Namespace* ns) const {
    Usage usage;
    std::set<std::tuple<StorageClass, std::string>> seen;
    for (const auto& [id, o] : objects_) {
      if (o.status() != ObjectStatus::kCommitted || o.tenant() != tenant ||
          (ns != nullptr && o.ns() != *ns)) {
        continue;
      }
      UsageFigures& f = o.storage_class() == StorageClass::kCold ? usage.cold : usage.hot;
      f.objects += 1;
      f.logical_bytes += o.size_bytes();
      if (seen.insert({o.storage_class(), o.content_hash()->hex()}).second) {
        f.physical_bytes += o.size_bytes();
      }
    }
    for (const UsageFigures* f : {&usage.hot, &usage.cold}) {
      usage.total.objects += f->objects;
      usage.total.logical_bytes += f->logical_bytes;
      usage.total.physical_bytes += f->physical_bytes;
    }
    return usage;
  }

  const std::map<ObjectId, Object>& objects_;
  const BucketTable& buckets_;
  QuotaTable& quotas_;
  bool read_only_;
};

}  // namespace

std::unique_ptr<UsageRepository> memory_usage_repository(const std::map<ObjectId, Object>& objects,
                                                         const BucketTable& buckets,
                                                         QuotaTable& quotas, bool read_only) {
  return std::make_unique<MemoryUsageRepository>(objects, buckets, quotas, read_only);
}

}  // namespace castor::testing
