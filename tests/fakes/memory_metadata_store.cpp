#include "fakes/memory_metadata_store.h"

#include <algorithm>
#include <tuple>

namespace castor::testing {
namespace {

using State = MemoryMetadataStore::State;

Error read_only_write() {
  return internal_error("write in a read-only transaction (fake metadata store)");
}

bool holds_key(const Object& o) {
  return o.key() &&
         (o.status() == ObjectStatus::kWriting || o.status() == ObjectStatus::kCommitted);
}

// Whether an object other than `self` holds `self`'s key (the objects_live_key unique index).
bool key_taken(const State& state, const Object& self) {
  if (!holds_key(self)) {
    return false;
  }
  return std::any_of(state.objects.begin(), state.objects.end(), [&](const auto& entry) {
    const Object& o = entry.second;
    return o.id() != self.id() && holds_key(o) && o.ns() == self.ns() &&
           o.tenant() == self.tenant() && o.key() == self.key();
  });
}

// The listing order: (key bytes, keyless as "", id).
std::tuple<const std::string&, const ObjectId&> list_position(const Object& o) {
  static const std::string kEmpty;
  return {o.key() ? o.key()->str() : kEmpty, o.id()};
}

void truncate(std::vector<Object>& objects, std::size_t size) {
  if (objects.size() > size) {
    objects.erase(objects.begin() + static_cast<std::ptrdiff_t>(size), objects.end());
  }
}

class MemoryObjectRepository final : public ObjectRepository {
 public:
  MemoryObjectRepository(State& state, bool read_only) : state_(state), read_only_(read_only) {}

  Status insert(const Object& object) override {
    if (read_only_) {
      return read_only_write();
    }
    if (state_.objects.contains(object.id())) {
      return Error{ErrorCode::kAlreadyExists, "object id in use"};
    }
    if (key_taken(state_, object)) {
      return Error{ErrorCode::kAlreadyExists, "key in use"};
    }
    state_.objects.emplace(object.id(), object);
    return {};
  }

  Status insert_small(const Object& object, std::span<const std::byte> content) override {
    if (read_only_) {
      return read_only_write();
    }
    // The steps of the one SQL statement, on this transaction's copy of the state (an error
    // discards it, as the statement's failure does).
    if (auto bucket = memory_bucket_repository(state_.buckets, false)
                          ->ensure(object.ns(), object.tenant(), object.created_at());
        !bucket) {
      return std::move(bucket).error();
    }
    const MemoryMetadataStore::BlobKey address{object.storage_class(), *object.content_hash()};
    auto [it, inserted] =
        state_.blobs.try_emplace(address, address.first, address.second, content.size(), 0, true);
    const bool has_content = state_.inline_content.contains(address);
    it->second = Blob(address.first, address.second, it->second.size_bytes(),
                      it->second.ref_count() + 1, true);
    if (inserted || !has_content) {
      state_.inline_content[address].assign(content.begin(), content.end());
    }
    state_.grants.try_emplace({object.tenant().str(), address.first, address.second},
                              object.updated_at());
    return insert(object);
  }

  Result<Object> find(const ObjectId& id, bool /*for_update*/) override {
    auto it = state_.objects.find(id);
    if (it == state_.objects.end()) {
      return not_found("no such object");
    }
    return it->second;
  }

  Result<Object> find_by_key(const Namespace& ns, const TenantId& tenant, const ObjectKey& key,
                             bool /*for_update*/) override {
    for (const auto& [id, o] : state_.objects) {
      if (o.status() == ObjectStatus::kCommitted && o.ns() == ns && o.tenant() == tenant &&
          o.key() == key) {
        return o;
      }
    }
    return not_found("no such object");
  }

  Status update(const Object& object) override {
    if (read_only_) {
      return read_only_write();
    }
    auto it = state_.objects.find(object.id());
    if (it == state_.objects.end()) {
      return not_found("no such object");
    }
    // Only these columns are written, as by the SQL UPDATE.
    Object::Fields fields = it->second.fields();
    fields.key = object.key();
    fields.attributes = object.attributes();
    fields.etag = object.fields().etag;
    fields.status = object.status();
    fields.storage_class = object.storage_class();
    fields.content_hash = object.content_hash();
    fields.size_bytes = object.size_bytes();
    fields.updated_at = object.updated_at();
    fields.content_type = object.content_type();
    auto updated = Object::restore(std::move(fields));
    if (!updated) {
      return internal_error("check constraint: " + updated.error().message);
    }
    if (key_taken(state_, *updated)) {
      return Error{ErrorCode::kAlreadyExists, "key in use"};
    }
    it->second = std::move(*updated);
    return {};
  }

  Status remove(const ObjectId& id) override {
    if (read_only_) {
      return read_only_write();
    }
    state_.objects.erase(id);
    return {};
  }

  Result<std::vector<Object>> list(const ListQuery& q) override {
    std::vector<Object> page;
    for (const auto& [id, o] : state_.objects) {
      const bool listed = o.status() == ObjectStatus::kCommitted && o.ns() == q.ns &&
                          o.tenant() == q.tenant &&
                          (q.prefix.empty() || (o.key() && o.key()->str().starts_with(q.prefix)));
      if (listed && (!q.after || list_position(o) > std::tie(q.after->key, q.after->id))) {
        page.push_back(o);
      }
    }
    std::sort(page.begin(), page.end(),
              [](const Object& a, const Object& b) { return list_position(a) < list_position(b); });
    truncate(page, q.limit);
    return page;
  }

  Result<bool> any_committed(const Namespace& ns, const TenantId& tenant) override {
    return std::any_of(state_.objects.begin(), state_.objects.end(), [&](const auto& entry) {
      const Object& o = entry.second;
      return o.status() == ObjectStatus::kCommitted && o.ns() == ns && o.tenant() == tenant;
    });
  }

  Result<std::vector<Object>> lock_batch(ObjectStatus status, Timestamp before,
                                         std::size_t limit) override {
    std::vector<Object> batch;
    for (const auto& [id, o] : state_.objects) {
      if (o.status() == status && o.updated_at() < before) {
        batch.push_back(o);
      }
    }
    std::sort(batch.begin(), batch.end(), [](const Object& a, const Object& b) {
      return std::make_pair(a.updated_at(), a.id()) < std::make_pair(b.updated_at(), b.id());
    });
    truncate(batch, limit);
    return batch;
  }

  Result<std::vector<ObjectId>> using_content(StorageClass storage_class, const ContentHash& hash,
                                              std::size_t limit) override {
    std::vector<ObjectId> ids;
    for (const auto& [id, o] : state_.objects) {
      if (ids.size() < limit && uses(o, storage_class, hash)) {
        ids.push_back(id);
      }
    }
    return ids;
  }

  Result<std::uint64_t> count_using_content(StorageClass storage_class,
                                            const ContentHash& hash) override {
    return static_cast<std::uint64_t>(
        std::count_if(state_.objects.begin(), state_.objects.end(),
                      [&](const auto& entry) { return uses(entry.second, storage_class, hash); }));
  }

  Result<std::size_t> purge_tombstones(Timestamp before, std::size_t limit) override {
    if (read_only_) {
      return read_only_write();
    }
    std::vector<Object> batch;
    if (auto b = lock_batch(ObjectStatus::kDeleted, before, limit); b) {
      batch = std::move(*b);
    }
    for (const Object& o : batch) {
      state_.objects.erase(o.id());
    }
    return batch.size();
  }

 private:
  static bool uses(const Object& o, StorageClass storage_class, const ContentHash& hash) {
    return o.status() == ObjectStatus::kCommitted && o.storage_class() == storage_class &&
           o.content_hash() == hash;
  }

  State& state_;
  bool read_only_;
};

// Deletes a blob row with its retention and grants (the ON DELETE CASCADE of blob_grants).
void erase_blob_row(State& state, StorageClass storage_class, const ContentHash& hash) {
  state.blobs.erase({storage_class, hash});
  state.inline_content.erase({storage_class, hash});
  state.verifications.erase({storage_class, hash});
  state.retain_until.erase({storage_class, hash});
  std::erase_if(state.grants, [&](const auto& entry) {
    return std::get<1>(entry.first) == storage_class && std::get<2>(entry.first) == hash;
  });
}

bool held(const State& state, const TenantId& tenant, StorageClass storage_class,
          const ContentHash& hash) {
  return state.blobs.contains({storage_class, hash}) &&
         state.grants.contains({tenant.str(), storage_class, hash});
}

class MemoryBlobRepository final : public BlobRepository {
 public:
  // COMMITTED objects and bundle files naming the content.
  std::uint64_t live_refs(StorageClass storage_class, const ContentHash& hash) const {
    auto n = static_cast<std::uint64_t>(
        std::count_if(state_.objects.begin(), state_.objects.end(), [&](const auto& entry) {
          const Object& o = entry.second;
          return o.status() == ObjectStatus::kCommitted && o.storage_class() == storage_class &&
                 o.content_hash() == hash;
        }));
    for (const auto& [id, bundle] : state_.bundles) {
      if (bundle.summary.storage_class == storage_class) {
        n += static_cast<std::uint64_t>(
            std::count_if(bundle.files.begin(), bundle.files.end(),
                          [&](const BundleFile& f) { return f.hash == hash; }));
      }
    }
    // Segments of composite blobs and parts of open uploads.
    for (const auto& [key, segments] : state_.uploads.segments) {
      if (key.first == storage_class) {
        n += static_cast<std::uint64_t>(std::count_if(
            segments.begin(), segments.end(), [&](const Segment& s) { return s.hash == hash; }));
      }
    }
    for (const auto& [id, parts] : state_.uploads.parts) {
      auto session = state_.uploads.sessions.find(id);
      if (session != state_.uploads.sessions.end() &&
          session->second.storage_class() == storage_class) {
        n += static_cast<std::uint64_t>(std::count_if(
            parts.begin(), parts.end(), [&](const auto& p) { return p.second.hash == hash; }));
      }
    }
    return n;
  }

  MemoryBlobRepository(State& state, bool read_only) : state_(state), read_only_(read_only) {}

  Result<Blob> add_ref(StorageClass storage_class, const ContentHash& hash,
                       std::uint64_t size_bytes) override {
    if (read_only_) {
      return read_only_write();
    }
    auto [it, inserted] =
        state_.blobs.try_emplace({storage_class, hash}, storage_class, hash, size_bytes, 1);
    if (!inserted) {
      it->second.add_ref();
    }
    return it->second;
  }

  Result<Blob> add_ref_inline(StorageClass storage_class, const ContentHash& hash,
                              std::span<const std::byte> content) override {
    if (read_only_) {
      return read_only_write();
    }
    auto [it, inserted] =
        state_.blobs.try_emplace({storage_class, hash}, storage_class, hash, content.size(), 0);
    it->second = Blob(storage_class, hash, it->second.size_bytes(), it->second.ref_count() + 1,
                      /*stored_inline=*/true);
    state_.inline_content.try_emplace({storage_class, hash}, content.begin(), content.end());
    return it->second;
  }

  Result<std::optional<std::vector<std::byte>>> inline_content(StorageClass storage_class,
                                                               const ContentHash& hash) override {
    auto it = state_.inline_content.find({storage_class, hash});
    if (it == state_.inline_content.end()) {
      return std::optional<std::vector<std::byte>>();
    }
    return std::optional<std::vector<std::byte>>(it->second);
  }

  Result<Blob> release(StorageClass storage_class, const ContentHash& hash) override {
    if (read_only_) {
      return read_only_write();
    }
    auto it = state_.blobs.find({storage_class, hash});
    if (it == state_.blobs.end()) {
      return not_found("no such blob");
    }
    if (auto s = it->second.release(); !s) {
      return std::move(s).error();
    }
    return it->second;
  }

  Result<std::optional<Blob>> find(StorageClass storage_class, const ContentHash& hash) override {
    auto it = state_.blobs.find({storage_class, hash});
    if (it == state_.blobs.end()) {
      return std::optional<Blob>();
    }
    return std::optional<Blob>(it->second);
  }

  Result<std::vector<ContentHash>> missing(StorageClass storage_class,
                                           const std::vector<ContentHash>& hashes) override {
    std::vector<ContentHash> absent;
    for (const ContentHash& hash : hashes) {
      if (!state_.blobs.contains({storage_class, hash})) {
        absent.push_back(hash);
      }
    }
    return absent;
  }

  Result<std::vector<Blob>> lock_unreferenced(std::size_t limit,
                                              const std::optional<BlobAddress>& after,
                                              Timestamp now) override {
    std::vector<Blob> batch;
    for (const auto& [key, blob] : state_.blobs) {
      if (batch.size() < limit && blob.unreferenced() && !retained(key, now) &&
          (!after || key > *after)) {
        batch.push_back(blob);
      }
    }
    return batch;
  }

  Result<bool> remove_unreferenced(StorageClass storage_class, const ContentHash& hash,
                                   Timestamp now) override {
    if (read_only_) {
      return read_only_write();
    }
    auto it = state_.blobs.find({storage_class, hash});
    if (it == state_.blobs.end() || !it->second.unreferenced() ||
        retained({storage_class, hash}, now)) {
      return false;
    }
    erase_blob_row(state_, storage_class, hash);
    return true;
  }

  Result<Blob> retain(StorageClass storage_class, const ContentHash& hash, std::uint64_t size_bytes,
                      Timestamp until) override {
    if (read_only_) {
      return read_only_write();
    }
    auto it =
        state_.blobs.try_emplace({storage_class, hash}, storage_class, hash, size_bytes, 0).first;
    extend({storage_class, hash}, until);
    return it->second;
  }

  Result<bool> grant(const TenantId& tenant, StorageClass storage_class, const ContentHash& hash,
                     Timestamp now) override {
    if (read_only_) {
      return read_only_write();
    }
    if (!state_.blobs.contains({storage_class, hash})) {
      return internal_error("foreign key: grant on a blob without a row (fake)");
    }
    return state_.grants.try_emplace({tenant.str(), storage_class, hash}, now).second;
  }

  Result<std::optional<Blob>> find_held(const TenantId& tenant, StorageClass storage_class,
                                        const ContentHash& hash) override {
    if (!held(state_, tenant, storage_class, hash)) {
      return std::optional<Blob>();
    }
    return std::optional<Blob>(state_.blobs.at({storage_class, hash}));
  }

  Result<std::optional<Blob>> retain_held(const TenantId& tenant, StorageClass storage_class,
                                          const ContentHash& hash, Timestamp until) override {
    if (read_only_) {
      return read_only_write();
    }
    if (!held(state_, tenant, storage_class, hash)) {
      return std::optional<Blob>();
    }
    extend({storage_class, hash}, until);
    return std::optional<Blob>(state_.blobs.at({storage_class, hash}));
  }

  Result<std::vector<ContentHash>> not_held(const TenantId& tenant, StorageClass storage_class,
                                            const std::vector<ContentHash>& hashes) override {
    std::vector<ContentHash> out;
    for (const ContentHash& h : hashes) {
      if (!held(state_, tenant, storage_class, h) &&
          std::find(out.begin(), out.end(), h) == out.end()) {
        out.push_back(h);
      }
    }
    return out;
  }

  Result<std::vector<Blob>> lock_held(const TenantId& tenant, StorageClass storage_class,
                                      const std::vector<ContentHash>& hashes) override {
    std::set<ContentHash> sorted(hashes.begin(), hashes.end());
    std::vector<Blob> out;
    for (const ContentHash& h : sorted) {
      if (held(state_, tenant, storage_class, h)) {
        out.push_back(state_.blobs.at({storage_class, h}));
      }
    }
    return out;
  }

  Result<std::size_t> add_refs(
      StorageClass storage_class,
      const std::vector<std::pair<ContentHash, std::uint64_t>>& refs) override {
    if (read_only_) {
      return read_only_write();
    }
    std::size_t changed = 0;
    for (const auto& [hash, n] : refs) {
      auto it = state_.blobs.find({storage_class, hash});
      if (it == state_.blobs.end()) {
        continue;
      }
      it->second = Blob(storage_class, hash, it->second.size_bytes(), it->second.ref_count() + n);
      ++changed;
    }
    return changed;
  }

  Status release_refs(StorageClass storage_class,
                      const std::vector<std::pair<ContentHash, std::uint64_t>>& refs) override {
    if (read_only_) {
      return read_only_write();
    }
    for (const auto& [hash, n] : refs) {
      auto it = state_.blobs.find({storage_class, hash});
      if (it != state_.blobs.end()) {
        const std::uint64_t count = it->second.ref_count();
        it->second = Blob(storage_class, hash, it->second.size_bytes(), count > n ? count - n : 0);
      }
    }
    return {};
  }

  Result<std::uint64_t> count_live_refs(StorageClass storage_class,
                                        const ContentHash& hash) override {
    return live_refs(storage_class, hash);
  }

  Result<std::vector<BlobAudit>> audit(StorageClass storage_class,
                                       const std::optional<ContentHash>& after,
                                       std::size_t limit) override {
    std::vector<BlobAudit> page;
    for (const auto& [key, blob] : state_.blobs) {
      if (page.size() < limit && key.first == storage_class && (!after || key.second > *after)) {
        page.push_back({blob, live_refs(storage_class, key.second)});
      }
    }
    return page;
  }

  Result<std::vector<BlobAudit>> audit_rowless(StorageClass storage_class,
                                               std::size_t limit) override {
    std::map<ContentHash, BlobAudit> rowless;
    for (const auto& [id, o] : state_.objects) {
      if (o.status() != ObjectStatus::kCommitted || o.storage_class() != storage_class ||
          state_.blobs.contains({storage_class, *o.content_hash()})) {
        continue;
      }
      auto [it, inserted] = rowless.try_emplace(
          *o.content_hash(), BlobAudit{Blob(storage_class, *o.content_hash(), o.size_bytes(), 0)});
      ++it->second.live_refs;
    }
    std::vector<BlobAudit> out;
    for (auto& [hash, audit] : rowless) {
      if (out.size() < limit) {
        out.push_back(std::move(audit));
      }
    }
    return out;
  }

  Result<std::optional<Blob>> lock(StorageClass storage_class, const ContentHash& hash) override {
    return find(storage_class, hash);
  }

  Status set_ref_count(StorageClass storage_class, const ContentHash& hash,
                       std::uint64_t size_bytes, std::uint64_t ref_count) override {
    if (read_only_) {
      return read_only_write();
    }
    auto it = state_.blobs.find({storage_class, hash});
    const std::uint64_t size = it == state_.blobs.end() ? size_bytes : it->second.size_bytes();
    state_.blobs.insert_or_assign({storage_class, hash},
                                  Blob(storage_class, hash, size, ref_count));
    return {};
  }

  Result<std::vector<Blob>> unverified_since(Timestamp since, std::size_t limit) override {
    std::vector<std::pair<std::optional<Timestamp>, Blob>> due;
    for (const auto& [key, blob] : state_.blobs) {
      auto v = state_.verifications.find(key);
      std::optional<Timestamp> at =
          v == state_.verifications.end() ? std::nullopt : v->second.verified_at;
      if (blob.ref_count() > 0 && (!at || *at < since)) {
        due.emplace_back(at, blob);
      }
    }
    std::stable_sort(due.begin(), due.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Blob> out;
    for (auto& [at, blob] : due) {
      if (out.size() < limit) {
        out.push_back(std::move(blob));
      }
    }
    return out;
  }

  Result<bool> record_verification(StorageClass storage_class, const ContentHash& hash,
                                   Timestamp now, bool intact) override {
    if (read_only_) {
      return read_only_write();
    }
    if (!state_.blobs.contains({storage_class, hash})) {
      return false;
    }
    auto& v = state_.verifications[{storage_class, hash}];
    const bool was_damaged = v.damaged_at.has_value();
    v.verified_at = now;
    if (intact) {
      v.damaged_at.reset();
    } else if (!v.damaged_at) {
      v.damaged_at = now;
    }
    return was_damaged;
  }

 private:
  // Whether the blob's retention runs past `now`.
  bool retained(const BlobAddress& key, Timestamp now) const {
    auto it = state_.retain_until.find(key);
    return it != state_.retain_until.end() && !(it->second < now);
  }
  // retain_until = the later of its value and `until`.
  void extend(const BlobAddress& key, Timestamp until) {
    auto [it, inserted] = state_.retain_until.try_emplace(key, until);
    if (!inserted && it->second < until) {
      it->second = until;
    }
  }

  State& state_;
  bool read_only_;
};

class MemoryBundleRepository final : public BundleRepository {
 public:
  MemoryBundleRepository(State& state, bool read_only) : state_(state), read_only_(read_only) {}

  Status insert(const BundleSummary& summary, const std::string& metadata,
                const std::vector<BundleFile>& files) override {
    if (read_only_) {
      return read_only_write();
    }
    if (!state_.bundles.try_emplace(summary.id, Bundle{summary, metadata, files}).second) {
      return Error{ErrorCode::kAlreadyExists, "bundle id in use"};
    }
    return {};
  }

  Result<std::vector<BundleSummary>> list(const TenantId& tenant,
                                          const std::optional<BundleCursor>& after,
                                          std::size_t limit) override {
    std::vector<BundleSummary> out;
    for (const auto& [id, b] : state_.bundles) {
      if (b.summary.tenant == tenant && (!after || std::tie(b.summary.created_at, b.summary.id) <
                                                       std::tie(after->created_at, after->id))) {
        out.push_back(b.summary);
      }
    }
    std::sort(out.begin(), out.end(), [](const BundleSummary& a, const BundleSummary& b) {
      return std::tie(a.created_at, a.id) > std::tie(b.created_at, b.id);
    });
    if (out.size() > limit) {
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(limit), out.end());
    }
    return out;
  }

  Result<std::optional<Bundle>> find(const TenantId& tenant, const BundleId& id) override {
    auto it = state_.bundles.find(id);
    if (it == state_.bundles.end() || it->second.summary.tenant != tenant) {
      return std::optional<Bundle>();
    }
    return std::optional<Bundle>(it->second);
  }

  Result<std::optional<Removed>> remove(const TenantId& tenant, const BundleId& id) override {
    if (read_only_) {
      return read_only_write();
    }
    auto it = state_.bundles.find(id);
    if (it == state_.bundles.end() || it->second.summary.tenant != tenant) {
      return std::optional<Removed>();
    }
    std::map<ContentHash, std::uint64_t> counts;
    for (const BundleFile& f : it->second.files) {
      ++counts[f.hash];
    }
    Removed removed{it->second.summary.storage_class, {counts.begin(), counts.end()}};
    state_.bundles.erase(it);
    return std::optional<Removed>(std::move(removed));
  }

 private:
  State& state_;
  bool read_only_;
};

class MemoryApiKeyRepository final : public ApiKeyRepository {
 public:
  MemoryApiKeyRepository(State& state, bool read_only) : state_(state), read_only_(read_only) {}

  Status insert(const ApiKey& key) override {
    if (read_only_) {
      return read_only_write();
    }
    if (!state_.api_keys.emplace(key.id, key).second) {
      return Error{ErrorCode::kAlreadyExists, "API key id taken"};
    }
    return {};
  }
  Result<ApiKey> find(const std::string& id) override {
    auto it = state_.api_keys.find(id);
    if (it == state_.api_keys.end()) {
      return not_found("no such API key");
    }
    return it->second;
  }
  Result<ApiKey> find_for_update(const std::string& id) override { return find(id); }
  Result<std::vector<ApiKey>> list() override {
    std::vector<ApiKey> keys;
    for (const auto& [id, key] : state_.api_keys) {
      keys.push_back(key);
    }
    std::stable_sort(keys.begin(), keys.end(),
                     [](const ApiKey& a, const ApiKey& b) { return a.created_at > b.created_at; });
    return keys;
  }
  Result<std::vector<ApiKey>> list_tenant(const TenantId& tenant) override {
    auto all = list();
    std::erase_if(*all, [&](const ApiKey& k) { return !k.tenant || *k.tenant != tenant; });
    return all;
  }
  Status update(const ApiKey& key) override {
    if (read_only_) {
      return read_only_write();
    }
    auto it = state_.api_keys.find(key.id);
    if (it == state_.api_keys.end()) {
      return not_found("no such API key");
    }
    it->second.scopes = key.scopes;
    it->second.name = key.name;
    it->second.description = key.description;
    it->second.namespaces = key.namespaces;
    it->second.expires_at = key.expires_at;
    return {};
  }
  Result<bool> revoke(const std::string& id, Timestamp now) override {
    if (read_only_) {
      return read_only_write();
    }
    auto it = state_.api_keys.find(id);
    if (it == state_.api_keys.end()) {
      return not_found("no such API key");
    }
    if (it->second.revoked_at) {
      return false;
    }
    it->second.revoked_at = now;
    return true;
  }
  Status touch(const std::string& id, Timestamp now) override {
    if (read_only_) {
      return read_only_write();
    }
    if (auto it = state_.api_keys.find(id); it != state_.api_keys.end()) {
      it->second.last_used_at = now;
    }
    return {};
  }

 private:
  State& state_;
  bool read_only_;
};

class MemoryRetentionRepository final : public RetentionRepository {
 public:
  MemoryRetentionRepository(State& state, bool read_only) : state_(state), read_only_(read_only) {}

  Result<std::optional<NamespaceRetention>> find_namespace(const TenantId& tenant,
                                                           const Namespace& ns,
                                                           bool /*for_update*/) override {
    auto it = state_.namespace_retention.find({tenant.str(), ns.str()});
    if (it == state_.namespace_retention.end()) {
      return std::optional<NamespaceRetention>();
    }
    return std::optional<NamespaceRetention>(it->second);
  }
  Status insert_namespace(const TenantId& tenant, const Namespace& ns,
                          const NamespaceRetention& config, Timestamp /*now*/) override {
    if (read_only_) {
      return read_only_write();
    }
    if (!state_.namespace_retention.try_emplace({tenant.str(), ns.str()}, config).second) {
      return Error{ErrorCode::kAlreadyExists, "namespace has a retention configuration"};
    }
    return {};
  }
  Status update_namespace(const TenantId& tenant, const Namespace& ns,
                          const NamespaceRetention& config, Timestamp /*now*/) override {
    if (read_only_) {
      return read_only_write();
    }
    auto it = state_.namespace_retention.find({tenant.str(), ns.str()});
    if (it == state_.namespace_retention.end()) {
      return not_found("namespace has no retention configuration");
    }
    it->second = config;
    return {};
  }
  Status remove_namespace(const TenantId& tenant, const Namespace& ns) override {
    if (read_only_) {
      return read_only_write();
    }
    state_.namespace_retention.erase({tenant.str(), ns.str()});
    return {};
  }
  Status update_object_lock(const Object& object) override {
    if (read_only_) {
      return read_only_write();
    }
    auto it = state_.objects.find(object.id());
    if (it == state_.objects.end()) {
      return not_found("object " + object.id().to_string() + " is gone");
    }
    Object::Fields f = it->second.fields();
    f.retention = object.retention();
    f.legal_hold = object.legal_hold();
    auto restored = Object::restore(std::move(f));
    if (!restored) {
      return std::move(restored).error();
    }
    it->second = std::move(*restored);
    return {};
  }

 private:
  State& state_;
  bool read_only_;
};

// Search is PostgreSQL's (pg_trgm, jsonb @>, ICU collation: tests/infrastructure/
// search_pg_test.cpp); the fake has only the by-content listing, and refuses the rest.
class MemorySearchRepository final : public ObjectSearchRepository {
 public:
  explicit MemorySearchRepository(State& state) : state_(state) {}

  Result<std::vector<Object>> search(const SearchQuery&) override { return unsupported(); }
  Result<std::uint64_t> count(const SearchFilter&) override { return unsupported(); }
  Result<std::vector<Object>> list_natural(const ListQuery&) override { return unsupported(); }
  Result<std::vector<Object>> list_by_content(const TenantId& tenant, const ContentHash& hash,
                                              std::size_t limit,
                                              const std::optional<ObjectId>& after) override {
    std::vector<Object> page;
    for (const auto& [id, o] : state_.objects) {  // in id order
      if (o.status() == ObjectStatus::kCommitted && o.tenant() == tenant &&
          o.content_hash() == hash && (!after || *after < id) && page.size() < limit) {
        page.push_back(o);
      }
    }
    return page;
  }

 private:
  static Error unsupported() {
    return Error{ErrorCode::kInternal, "search is not supported by the in-memory fake"};
  }
  State& state_;
};

class MemoryCursorRepository final : public CursorRepository {
 public:
  MemoryCursorRepository(State& state, bool read_only) : state_(state), read_only_(read_only) {}

  Result<std::optional<std::string>> get(std::string_view name) override {
    auto it = state_.cursors.find(std::string(name));
    if (it == state_.cursors.end()) {
      return std::optional<std::string>();
    }
    return std::optional<std::string>(it->second);
  }
  Status set(std::string_view name, const std::optional<std::string>& value) override {
    if (read_only_) {
      return Error{ErrorCode::kInternal, "write in a read-only transaction (fake)"};
    }
    if (value && value->size() > 1024) {
      return invalid_argument("a cursor value is at most 1024 bytes");
    }
    if (value) {
      state_.cursors[std::string(name)] = *value;
    } else {
      state_.cursors.erase(std::string(name));
    }
    return {};
  }

 private:
  State& state_;
  bool read_only_;
};

class MemoryTransaction final : public MetadataTransaction {
 public:
  MemoryTransaction(State& state, bool read_only,
                    const std::set<MemoryMetadataStore::BlobKey>& held_locks)
      : objects_(state, read_only),
        blobs_(state, read_only),
        api_keys_(state, read_only),
        bundles_(state, read_only),
        uploads_(memory_upload_repository(state.uploads, read_only)),
        segments_(memory_segment_repository(
            state.uploads, read_only,
            [&state](StorageClass c, const ContentHash& h, std::int64_t delta) {
              auto it = state.blobs.find({c, h});
              if (it == state.blobs.end()) {
                return false;
              }
              const std::uint64_t n = it->second.ref_count();
              const std::uint64_t after = delta >= 0 ? n + static_cast<std::uint64_t>(delta)
                                                     : (n > static_cast<std::uint64_t>(-delta)
                                                            ? n - static_cast<std::uint64_t>(-delta)
                                                            : 0);
              it->second = Blob(c, h, it->second.size_bytes(), after, it->second.stored_inline());
              return true;
            })),
        buckets_(memory_bucket_repository(state.buckets, read_only)),
        s3_credentials_(memory_s3_credential_repository(state.s3_credentials, read_only)),
        retention_(state, read_only),
        usage_(memory_usage_repository(state.objects, state.buckets, state.quotas, read_only)),
        search_(state),
        cursors_(state, read_only),
        held_locks_(held_locks) {}

  ObjectRepository& objects() override { return objects_; }
  BlobRepository& blobs() override { return blobs_; }
  ApiKeyRepository& api_keys() override { return api_keys_; }
  BundleRepository& bundles() override { return bundles_; }
  UploadRepository& uploads() override { return *uploads_; }
  SegmentRepository& segments() override { return *segments_; }
  BucketRepository& buckets() override { return *buckets_; }
  S3CredentialRepository& s3_credentials() override { return *s3_credentials_; }
  RetentionRepository& retention() override { return retention_; }
  UsageRepository& usage() override { return *usage_; }
  ObjectSearchRepository& search() override { return search_; }
  CursorRepository& cursors() override { return cursors_; }

  Status lock_content(StorageClass storage_class, const ContentHash& hash) override {
    if (held_locks_.contains({storage_class, hash})) {
      return Error{ErrorCode::kAborted, "content lock held by another transaction (fake)"};
    }
    return {};
  }

  Result<bool> try_lock_content(StorageClass storage_class, const ContentHash& hash) override {
    return !held_locks_.contains({storage_class, hash});
  }

  // Transactions of the fake run one at a time: the key lock is always free.
  Status lock_key(const Namespace&, const TenantId&, const ObjectKey&) override { return {}; }

 private:
  MemoryObjectRepository objects_;
  MemoryBlobRepository blobs_;
  MemoryApiKeyRepository api_keys_;
  MemoryBundleRepository bundles_;
  std::unique_ptr<UploadRepository> uploads_;
  std::unique_ptr<SegmentRepository> segments_;
  std::unique_ptr<BucketRepository> buckets_;
  std::unique_ptr<S3CredentialRepository> s3_credentials_;
  MemoryRetentionRepository retention_;
  std::unique_ptr<UsageRepository> usage_;
  MemorySearchRepository search_;
  MemoryCursorRepository cursors_;
  const std::set<MemoryMetadataStore::BlobKey>& held_locks_;
};

}  // namespace

Status MemoryMetadataStore::transact(const std::function<Status(MetadataTransaction&)>& work,
                                     Mode mode) {
  std::lock_guard lock(mu_);
  std::optional<Fault> fault;
  if (auto it = faults_.find(++transacts_); it != faults_.end()) {
    fault = std::move(it->second);
    faults_.erase(it);
  }
  if (fault && fault->at == FailAt::kBegin) {
    return fault->error;
  }
  State copy = state_;
  MemoryTransaction tx(copy, mode == Mode::kReadOnly, held_locks_);
  if (auto s = work(tx); !s) {
    return s;
  }
  if (fault) {
    return fault->error;
  }
  state_ = std::move(copy);
  return {};
}

void MemoryMetadataStore::fail_next(int n, Error error, FailAt at) {
  std::lock_guard lock(mu_);
  faults_.insert_or_assign(transacts_ + static_cast<std::uint64_t>(n), Fault{std::move(error), at});
}

void MemoryMetadataStore::hold_content_lock(StorageClass storage_class, const ContentHash& hash) {
  std::lock_guard lock(mu_);
  held_locks_.insert({storage_class, hash});
}

void MemoryMetadataStore::release_content_lock(StorageClass storage_class,
                                               const ContentHash& hash) {
  std::lock_guard lock(mu_);
  held_locks_.erase({storage_class, hash});
}

std::optional<Object> MemoryMetadataStore::object(const ObjectId& id) const {
  std::lock_guard lock(mu_);
  auto it = state_.objects.find(id);
  return it == state_.objects.end() ? std::nullopt : std::optional<Object>(it->second);
}

std::vector<Object> MemoryMetadataStore::objects() const {
  std::lock_guard lock(mu_);
  std::vector<Object> all;
  for (const auto& [id, o] : state_.objects) {
    all.push_back(o);
  }
  return all;
}

std::optional<Blob> MemoryMetadataStore::blob(StorageClass storage_class,
                                              const ContentHash& hash) const {
  std::lock_guard lock(mu_);
  auto it = state_.blobs.find({storage_class, hash});
  return it == state_.blobs.end() ? std::nullopt : std::optional<Blob>(it->second);
}

std::vector<Blob> MemoryMetadataStore::blobs() const {
  std::lock_guard lock(mu_);
  std::vector<Blob> all;
  for (const auto& [key, blob] : state_.blobs) {
    all.push_back(blob);
  }
  return all;
}

MemoryMetadataStore::Verification MemoryMetadataStore::verification(StorageClass storage_class,
                                                                    const ContentHash& hash) const {
  std::lock_guard lock(mu_);
  auto it = state_.verifications.find({storage_class, hash});
  return it == state_.verifications.end() ? Verification{} : it->second;
}

void MemoryMetadataStore::put_blob(const Blob& blob) {
  std::lock_guard lock(mu_);
  state_.blobs.insert_or_assign({blob.storage_class(), blob.hash()}, blob);
}

void MemoryMetadataStore::erase_blob(StorageClass storage_class, const ContentHash& hash) {
  std::lock_guard lock(mu_);
  erase_blob_row(state_, storage_class, hash);
}

bool MemoryMetadataStore::granted(const TenantId& tenant, StorageClass storage_class,
                                  const ContentHash& hash) const {
  std::lock_guard lock(mu_);
  return state_.grants.contains({tenant.str(), storage_class, hash});
}

std::optional<Timestamp> MemoryMetadataStore::retain_until(StorageClass storage_class,
                                                           const ContentHash& hash) const {
  std::lock_guard lock(mu_);
  auto it = state_.retain_until.find({storage_class, hash});
  return it == state_.retain_until.end() ? std::nullopt : std::optional<Timestamp>(it->second);
}

std::vector<Bundle> MemoryMetadataStore::bundles() const {
  std::lock_guard lock(mu_);
  std::vector<Bundle> all;
  for (const auto& [id, b] : state_.bundles) {
    all.push_back(b);
  }
  return all;
}

UploadTables MemoryMetadataStore::upload_tables() const {
  std::lock_guard lock(mu_);
  return state_.uploads;
}

BucketTable MemoryMetadataStore::buckets() const {
  std::lock_guard lock(mu_);
  return state_.buckets;
}

void MemoryMetadataStore::put_object(const Object& object) {
  std::lock_guard lock(mu_);
  state_.objects.insert_or_assign(object.id(), object);
}

std::uint64_t MemoryMetadataStore::transact_count() const {
  std::lock_guard lock(mu_);
  return transacts_;
}

}  // namespace castor::testing
