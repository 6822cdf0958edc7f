#include "application/usage/manage_quotas.h"

namespace castor {
namespace {

std::string where(const TenantId& tenant, const std::optional<Namespace>& ns) {
  return ns ? "namespace " + ns->str() + " of tenant " + tenant.str() : "tenant " + tenant.str();
}

Result<UsageFigures> usage_of(MetadataTransaction& tx, const TenantId& tenant,
                              const std::optional<Namespace>& ns) {
  auto usage = ns ? tx.usage().namespace_usage(tenant, *ns) : tx.usage().tenant_usage(tenant);
  if (!usage) {
    return std::move(usage).error();
  }
  return usage->total;
}

}  // namespace

Result<ManageQuotas::View> ManageQuotas::get(const TenantId& tenant,
                                             const std::optional<Namespace>& ns) {
  return read_only(metadata_, [&](MetadataTransaction& tx) -> Result<View> {
    auto quota = tx.usage().find_quota(tenant, ns);
    if (!quota) {
      return std::move(quota).error();
    }
    if (!*quota) {
      return not_found("no quota is set on " + where(tenant, ns));
    }
    auto usage = usage_of(tx, tenant, ns);
    if (!usage) {
      return std::move(usage).error();
    }
    return View{**quota, *usage};
  });
}

Result<ManageQuotas::View> ManageQuotas::put(const TenantId& tenant,
                                             const std::optional<Namespace>& ns,
                                             const Quota& quota) {
  std::optional<View> view;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    if (auto put = tx.usage().put_quota(tenant, ns, quota, clock_.now()); !put) {
      return put;
    }
    auto usage = usage_of(tx, tenant, ns);
    if (!usage) {
      return std::move(usage).error();
    }
    view = View{quota.limits_anything() ? quota : Quota{}, *usage};
    return {};
  });
  if (!s) {
    return std::move(s).error();
  }
  return *view;
}

Result<bool> ManageQuotas::remove(const TenantId& tenant, const std::optional<Namespace>& ns) {
  std::optional<bool> removed;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    auto r = tx.usage().remove_quota(tenant, ns);
    if (!r) {
      return std::move(r).error();
    }
    removed = *r;
    return {};
  });
  if (!s) {
    return std::move(s).error();
  }
  return *removed;
}

}  // namespace castor
