#include "application/manage_s3_credentials.h"

#include <algorithm>
#include <array>

namespace castor {
namespace {

// Attempts at drawing an unused access key id (90 random bits: a collision is a freak event).
constexpr int kCreateAttempts = 3;

Error unknown_key() { return not_found("no such S3 access key id"); }

}  // namespace

ManageS3Credentials::ManageS3Credentials(MetadataStore& metadata, SecretBox* box, KeyMaterial& keys,
                                         Clock& clock, std::chrono::milliseconds cache_ttl,
                                         std::chrono::seconds touch_interval)
    : metadata_(metadata),
      box_(box),
      keys_(keys),
      clock_(clock),
      cache_ttl_(cache_ttl),
      touch_interval_(touch_interval) {}

Error ManageS3Credentials::no_master_key() const {
  return {ErrorCode::kFailedPrecondition,
          "S3 credentials need a master key: this server has no S3_MASTER_KEY_FILE configured"};
}

Result<ManageS3Credentials::Created> ManageS3Credentials::create(
    TenantId tenant, Scopes scopes, std::optional<Timestamp> expires_at, std::string description,
    std::string created_by, std::vector<Namespace> namespaces) {
  const Timestamp now = clock_.now();
  std::sort(namespaces.begin(), namespaces.end());
  namespaces.erase(std::unique(namespaces.begin(), namespaces.end()), namespaces.end());
  if (namespaces.size() > 100) {
    return invalid_argument("a credential names at most 100 namespaces");
  }
  if (scopes.empty()) {
    return invalid_argument("an S3 credential needs at least one scope");
  }
  if (scopes.allows(Scope::kAdmin)) {
    return invalid_argument(
        "an S3 credential cannot have the admin scope (it is bound to one tenant)");
  }
  if (scopes.has(Scope::kKeysManage)) {
    return invalid_argument(
        "an S3 credential cannot have the keys:manage scope (S3 has no key "
        "routes)");
  }
  if (expires_at && *expires_at <= now) {
    return invalid_argument("expiry must be in the future");
  }
  if (description.size() > kMaxDescriptionBytes) {
    return invalid_argument("description must be at most 1024 bytes");
  }
  if (box_ == nullptr) {
    return no_master_key();
  }
  std::array<std::uint8_t, S3Credential::kSecretRandomBytes> secret_bytes{};
  keys_.random_bytes(secret_bytes);
  Created created{S3Credential{.access_key_id = {},
                               .tenant = std::move(tenant),
                               .scopes = scopes,
                               .description = std::move(description),
                               .created_by = std::move(created_by),
                               .created_at = now,
                               .expires_at = expires_at,
                               .revoked_at = std::nullopt,
                               .last_used_at = std::nullopt,
                               .sealed_secret = {},
                               .namespaces = std::move(namespaces)},
                  s3_secret_access_key(secret_bytes)};
  std::fill(secret_bytes.begin(), secret_bytes.end(), std::uint8_t{0});
  Status s = Error{ErrorCode::kAlreadyExists, "no attempt"};
  for (int attempt = 0;
       attempt < kCreateAttempts && !s && s.error().code == ErrorCode::kAlreadyExists; ++attempt) {
    std::array<std::uint8_t, S3Credential::kIdRandomBytes> id_bytes{};
    keys_.random_bytes(id_bytes);
    S3Credential& c = created.credential;
    c.access_key_id = s3_access_key_id(id_bytes);
    c.sealed_secret = box_->seal(created.secret_key, c.access_key_id);
    s = metadata_.transact([&](MetadataTransaction& tx) { return tx.s3_credentials().insert(c); });
  }
  if (!s) {
    return std::move(s).error();
  }
  return created;
}

Result<std::vector<S3Credential>> ManageS3Credentials::list() {
  return read_only(metadata_, [](MetadataTransaction& tx) { return tx.s3_credentials().list(); });
}

Result<bool> ManageS3Credentials::revoke(const std::string& access_key_id) {
  bool revoked_now = false;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    auto r = tx.s3_credentials().revoke(access_key_id, clock_.now());
    if (!r) {
      return std::move(r).error();
    }
    revoked_now = *r;
    return {};
  });
  if (!s) {
    return std::move(s).error();
  }
  std::lock_guard lock(mu_);
  cache_.erase(access_key_id);
  unknown_.erase(access_key_id);
  return revoked_now;
}

Result<ManageS3Credentials::Resolved> ManageS3Credentials::resolve(std::string_view access_key_id) {
  if (box_ == nullptr) {
    return no_master_key();
  }
  if (!is_s3_access_key_id(access_key_id)) {
    return unknown_key();
  }
  const std::string id(access_key_id);
  const Timestamp now = clock_.now();
  {
    std::lock_guard lock(mu_);
    for (auto* map : {&cache_, &unknown_}) {
      auto it = map->find(id);
      if (it == map->end() || now - it->second.fetched >= cache_ttl_ || now < it->second.fetched) {
        continue;
      }
      const Entry& e = it->second;
      if (!e.resolved || (e.expires_at && now >= *e.expires_at)) {
        return unknown_key();
      }
      return *e.resolved;
    }
  }
  Result<S3Credential> found = unknown_key();
  auto s = metadata_.transact(
      [&](MetadataTransaction& tx) -> Status {
        found = tx.s3_credentials().find(id);
        return {};
      },
      MetadataStore::Mode::kReadOnly);
  if (!s) {
    return std::move(s).error();
  }
  if (!found) {
    if (found.error().code == ErrorCode::kNotFound) {
      remember(id, Entry{now, std::nullopt, std::nullopt});
      return unknown_key();
    }
    return std::move(found).error();
  }
  if (found->revoked_at) {
    remember(id, Entry{now, std::nullopt, std::nullopt});
    return unknown_key();
  }
  auto secret = box_->open(found->sealed_secret, found->access_key_id);
  if (!secret) {
    return std::move(secret).error();  // DataLoss; not cached: a fixed master key heals at once
  }
  Resolved resolved{std::move(*secret), found->principal()};
  remember(id, Entry{now, resolved, found->expires_at});
  if (!found->usable(now)) {
    return unknown_key();
  }
  return resolved;
}

Status ManageS3Credentials::record_use(std::string_view access_key_id) {
  const std::string id(access_key_id);
  const Timestamp now = clock_.now();
  {
    std::lock_guard lock(mu_);
    if (auto it = touched_.find(id);
        it != touched_.end() && now - it->second < touch_interval_ && now >= it->second) {
      return {};
    }
    if (touched_.size() >= kMaxCached) {
      touched_.clear();
    }
    touched_.insert_or_assign(id, now);
  }
  return metadata_.transact(
      [&](MetadataTransaction& tx) { return tx.s3_credentials().touch(id, now); });
}

void ManageS3Credentials::remember(const std::string& access_key_id, Entry entry) {
  std::lock_guard lock(mu_);
  // Unknown ids have a map of their own, so a flood of made-up ids never evicts the credentials
  // clients are using.
  auto& map = entry.resolved ? cache_ : unknown_;
  (entry.resolved ? unknown_ : cache_).erase(access_key_id);
  if (map.size() >= kMaxCached) {
    map.clear();  // entries are re-read within a TTL anyway
  }
  map.insert_or_assign(access_key_id, std::move(entry));
}

}  // namespace castor
