#include "application/authenticate.h"

#include <algorithm>
#include <vector>

namespace castor {
namespace {

// Bounds the cache; past it, the cache starts over (keys are re-read within a TTL anyway).
constexpr std::size_t kMaxCachedKeys = 10'000;

// Drops the older half of `seen` (by time), so a flood of fresh ids cannot push out every entry
// at once.
void forget_older_half(
    std::unordered_map<std::string, std::chrono::steady_clock::time_point>& seen) {
  std::vector<std::chrono::steady_clock::time_point> times;
  times.reserve(seen.size());
  for (const auto& [id, at] : seen) {
    times.push_back(at);
  }
  auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), middle, times.end());
  const auto cutoff = *middle;
  std::erase_if(seen, [&](const auto& entry) { return entry.second < cutoff; });
  if (seen.size() >= Authenticate::kMaxUnknownKeys) {
    seen.clear();  // all alike: start over
  }
}

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
                           std::chrono::seconds touch_interval,
                           std::chrono::milliseconds unknown_ttl)
    : metadata_(metadata),
      keys_(keys),
      tokens_(tokens),
      clock_(clock),
      cache_ttl_(cache_ttl),
      touch_interval_(touch_interval),
      unknown_ttl_(unknown_ttl) {}

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

Result<Principal> Authenticate::key_principal(const std::string& id) {
  auto key = load(id);
  if (!key) {
    if (key.error().code == ErrorCode::kNotFound) {
      return unauthenticated("the API key that signed this URL no longer exists");
    }
    return std::move(key).error();
  }
  if (key->revoked_at) {
    return unauthenticated("the API key that signed this URL was revoked");
  }
  if (!key->usable(clock_.now())) {
    return unauthenticated("the API key that signed this URL expired");
  }
  return key->principal();
}

bool Authenticate::known_key(std::string_view presented) {
  if (!presented.starts_with("cst_")) {
    return false;
  }
  auto parts = keys_.split(presented);
  if (!parts) {
    return false;
  }
  std::lock_guard lock(mu_);
  return cache_.contains(parts->first);  // entries stay past their TTL until the cache is full
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
    if (auto it = unknown_.find(id); it != unknown_.end() && now - it->second < unknown_ttl_) {
      return not_found("no such key");
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
  std::lock_guard lock(mu_);
  if (key) {
    if (cache_.size() >= kMaxCachedKeys) {
      cache_.clear();
    }
    cache_.insert_or_assign(id, CachedKey{*key, now});
    unknown_.erase(id);
  } else if (key.error().code == ErrorCode::kNotFound) {
    if (unknown_.size() >= kMaxUnknownKeys) {
      forget_older_half(unknown_);
    }
    unknown_.insert_or_assign(id, now);
  }
  return key;
}

}  // namespace castor
