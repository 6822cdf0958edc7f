#include "application/retention/manage_retention.h"

namespace castor {
namespace {

Error no_configuration(const TenantId& tenant, const Namespace& ns) {
  return not_found("namespace " + ns.str() + " of tenant " + tenant.str() +
                   " has no retention configuration");
}

// The tenant's COMMITTED object `id`, locked FOR UPDATE; NotFound otherwise.
Result<Object> find_locked(MetadataTransaction& tx, const TenantId& tenant, const ObjectId& id) {
  auto found = tx.objects().find(id, /*for_update=*/true);
  if (!found) {
    return found;
  }
  if (!found->visible() || found->tenant() != tenant) {
    return not_found("no such object");
  }
  return found;
}

}  // namespace

Result<NamespaceRetention> ManageRetention::get_namespace(const TenantId& tenant,
                                                          const Namespace& ns) {
  return read_only(metadata_, [&](MetadataTransaction& tx) -> Result<NamespaceRetention> {
    auto found = tx.retention().find_namespace(tenant, ns, /*for_update=*/false);
    if (!found) {
      return std::move(found).error();
    }
    if (!*found) {
      return no_configuration(tenant, ns);
    }
    return **found;
  });
}

Result<std::optional<NamespaceRetention>> ManageRetention::put_namespace(
    const TenantId& tenant, const Namespace& ns, const NamespaceRetention& config) {
  std::optional<NamespaceRetention> before;
  auto attempt = [&] {
    return metadata_.transact([&](MetadataTransaction& tx) -> Status {
      auto current = tx.retention().find_namespace(tenant, ns, /*for_update=*/true);
      if (!current) {
        return std::move(current).error();
      }
      if (auto s = check_namespace_retention_change(*current, config); !s) {
        return s;
      }
      before = *current;
      return *current ? tx.retention().update_namespace(tenant, ns, config, clock_.now())
                      : tx.retention().insert_namespace(tenant, ns, config, clock_.now());
    });
  };
  Status s = attempt();
  if (!s && s.error().code == ErrorCode::kAlreadyExists) {
    s = attempt();  // a concurrent first PUT inserted the row: decide again against it, locked
  }
  if (!s) {
    return std::move(s).error();
  }
  return before;
}

Result<NamespaceRetention> ManageRetention::remove_namespace(const TenantId& tenant,
                                                             const Namespace& ns) {
  std::optional<NamespaceRetention> before;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    auto current = tx.retention().find_namespace(tenant, ns, /*for_update=*/true);
    if (!current) {
      return std::move(current).error();
    }
    if (!*current) {
      return no_configuration(tenant, ns);
    }
    if (auto c = check_namespace_retention_change(*current, std::nullopt); !c) {
      return c;
    }
    before = *current;
    return tx.retention().remove_namespace(tenant, ns);
  });
  if (!s) {
    return std::move(s).error();
  }
  return *before;
}

Result<ManageRetention::Changed> ManageRetention::set_retention(const TenantId& tenant,
                                                                const ObjectId& id,
                                                                std::optional<Retention> requested,
                                                                RetentionActor actor) {
  std::optional<Changed> out;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    auto object = find_locked(tx, tenant, id);
    if (!object) {
      return std::move(object).error();
    }
    const std::optional<Retention> before = object->retention();
    auto change = object->change_retention(requested, actor, clock_.now());
    if (!change) {
      return std::move(change).error();
    }
    if (auto u = tx.retention().update_object_lock(*object); !u) {
      return u;
    }
    out.emplace(Changed{std::move(*object), before, *change});
    return {};
  });
  if (!s) {
    return std::move(s).error();
  }
  return std::move(*out);
}

Result<Object> ManageRetention::set_legal_hold(const TenantId& tenant, const ObjectId& id,
                                               bool on) {
  std::optional<Object> out;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    auto object = find_locked(tx, tenant, id);
    if (!object) {
      return std::move(object).error();
    }
    if (auto h = object->set_legal_hold(on); !h) {
      return h;
    }
    if (auto u = tx.retention().update_object_lock(*object); !u) {
      return u;
    }
    out.emplace(std::move(*object));
    return {};
  });
  if (!s) {
    return std::move(s).error();
  }
  return std::move(*out);
}

}  // namespace castor
