#include "application/authenticate.h"

namespace castor {
namespace {

// Bounds the cache; past it, the cache starts over (keys are re-read within a TTL anyway).
constexpr std::size_t kMaxCachedKeys = 10'000;

Error unauthenticated(std::string message) {
  return {ErrorCode::kUnauthenticated, std::move(message)};
}

// A compact JWS: base64url('{"...') . payload . signature.
bool looks_like_jwt(std::string_view token) {
  const auto first = token.find('.');
  return token.starts_with("eyJ") && first != std::string_view::npos &&
         token.find('.', first + 1) != std::string_view::npos;
}

}  // namespace

Authenticate::Authenticate(MetadataStore& metadata, KeyMaterial& keys, TokenVerifier* tokens,
                           Clock& clock, std::chrono::milliseconds cache_ttl,
                           std::chrono::seconds touch_interval)
    : metadata_(metadata),
      keys_(keys),
      tokens_(tokens),
      clock_(clock),
      cache_ttl_(cache_ttl),
      touch_interval_(touch_interval) {}

Result<Principal> Authenticate::credential(std::string_view presented) {
  if (presented.starts_with("cst_")) {
    return api_key(presented);
  }
  if (tokens_ == nullptr) {
    if (looks_like_jwt(presented)) {
      return unauthenticated(
          "the token looks like a JWT, but JWT authentication is not configured on this server "
          "(set JWT_SECRET or JWT_PUBLIC_KEY_FILE)");
    }
    return unauthenticated("invalid API key");
  }
  return tokens_->verify(presented);
}

Result<Principal> Authenticate::api_key(std::string_view token) {
  auto parts = keys_.split(token);
  if (!parts) {
    return unauthenticated("malformed API key");
  }
  auto key = load(parts->first);
  if (!key) {
    if (key.error().code == ErrorCode::kNotFound) {
      return unauthenticated("invalid API key");
    }
    return std::move(key).error();
  }
  if (!keys_.equal(keys_.hash_secret(parts->second), key->secret_hash)) {
    return unauthenticated("invalid API key");
  }
  const Timestamp now = clock_.now();
  if (key->revoked_at) {
    return unauthenticated("API key revoked");
  }
  if (!key->usable(now)) {
    return unauthenticated("API key expired");
  }
  if (!key->last_used_at || now - *key->last_used_at >= touch_interval_) {
    // Best effort: a failed write must not fail the request.
    (void)metadata_.transact(
        [&](MetadataTransaction& tx) { return tx.api_keys().touch(key->id, now); });
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(key->id); it != cache_.end()) {
      it->second.key.last_used_at = now;
    }
  }
  return key->principal();
}

void Authenticate::forget(const std::string& id) {
  std::lock_guard lock(mu_);
  cache_.erase(id);
}

Result<ApiKey> Authenticate::load(const std::string& id) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(id); it != cache_.end() && now - it->second.fetched < cache_ttl_) {
      return it->second.key;
    }
  }
  Result<ApiKey> key = not_found("no such key");
  auto s = metadata_.transact(
      [&](MetadataTransaction& tx) -> Status {
        key = tx.api_keys().find(id);
        return {};
      },
      MetadataStore::Mode::kReadOnly);
  if (!s) {
    return std::move(s).error();
  }
  if (key) {
    std::lock_guard lock(mu_);
    if (cache_.size() >= kMaxCachedKeys) {
      cache_.clear();
    }
    cache_.insert_or_assign(id, CachedKey{*key, now});
  }
  return key;
}

}  // namespace castor
