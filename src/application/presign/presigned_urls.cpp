#include "application/presign/presigned_urls.h"

#include <utility>

#include "domain/hex.h"
#include "domain/presigned_url.h"

namespace castor {
namespace {

Error denied(std::string message, std::string reason = {}) {
  return {ErrorCode::kPermissionDenied, std::move(message), std::move(reason)};
}

// `p` narrowed to objects:read: PermissionDenied if it does not hold it.
Result<Principal> narrowed(Principal p) {
  if (!p.scopes.allows(Scope::kObjectsRead)) {
    return denied("the credential that signed this URL lacks objects:read");
  }
  p.scopes = Scopes{Scope::kObjectsRead};
  return p;
}

std::string joined(const std::vector<Namespace>& namespaces) {
  std::string out;
  for (const Namespace& ns : namespaces) {
    out += out.empty() ? "" : ",";
    out += ns.str();
  }
  return out;
}

Result<std::vector<Namespace>> split_namespaces(std::string_view text) {
  std::vector<Namespace> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    auto ns = Namespace::parse(text.substr(0, comma));
    if (!ns) {
      return denied("malformed X-Castor-Namespaces", "signature_mismatch");
    }
    out.push_back(std::move(*ns));
    if (comma == std::string_view::npos) {
      break;
    }
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

PresignedUrls::PresignedUrls(std::string signing_key, const Sigv4Crypto& crypto,
                             KeyMaterial& compare, Clock& clock, KeyLookup keys)
    : signing_key_(std::move(signing_key)),
      crypto_(crypto),
      compare_(compare),
      clock_(clock),
      keys_(std::move(keys)) {}

std::string PresignedUrls::signature_of(std::string_view path,
                                        std::string_view unsigned_query) const {
  const Sha256Digest mac =
      crypto_.hmac_sha256(signing_key_, presign_string_to_sign(path, unsigned_query));
  return to_hex(mac);
}

Result<PresignedUrls::Url> PresignedUrls::sign(const Principal& principal, std::string_view target,
                                               std::chrono::seconds expires_in) {
  if (expires_in < std::chrono::seconds(1) || expires_in > kMaxExpiry) {
    return invalid_argument("expires_in_seconds must be between 1 and " +
                            std::to_string(kMaxExpiry.count()));
  }
  if (!principal.scopes.allows(Scope::kObjectsRead)) {
    return denied("credential lacks scope objects:read");
  }
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  auto expires = now + expires_in;
  if (principal.expires_at) {
    const auto own = std::chrono::floor<std::chrono::seconds>(*principal.expires_at);
    if (own <= now) {
      return denied("the credential has expired");
    }
    expires = std::min(expires, own);
  }
  PresignParams params{.expires = expires.time_since_epoch().count(),
                       .credential = principal.credential};
  if (!principal.credential.starts_with("key:")) {
    params.tenant = principal.tenant ? principal.tenant->str() : "*";
    params.namespaces = joined(principal.namespaces);
  }
  auto unsigned_target = presign_unsigned_target(target, params);
  if (!unsigned_target) {
    return std::move(unsigned_target).error();
  }
  const auto q = unsigned_target->find('?');
  const std::string signature = signature_of(std::string_view(*unsigned_target).substr(0, q),
                                             std::string_view(*unsigned_target).substr(q + 1));
  Url url{.url = std::move(*unsigned_target), .expires_at = expires};
  url.url.append("&").append(kPresignSignatureParam).append("=").append(signature);
  return url;
}

Result<Principal> PresignedUrls::verify(std::string_view target) {
  auto parsed = parse_presigned_target(target);
  if (!parsed) {
    return std::move(parsed).error();
  }
  const std::string expected = signature_of(parsed->path, parsed->unsigned_query);
  if (parsed->signature_hex.size() != expected.size() ||
      !compare_.equal(parsed->signature_hex, expected)) {
    return denied("the URL's signature does not match its path and query", "signature_mismatch");
  }
  const PresignParams& params = parsed->params;
  const std::int64_t now =
      std::chrono::floor<std::chrono::seconds>(clock_.now()).time_since_epoch().count();
  if (now >= params.expires) {
    return denied("this presigned URL has expired", "url_expired");
  }
  const auto expires_at = std::chrono::sys_seconds(std::chrono::seconds(params.expires));
  if (params.credential.starts_with("key:")) {
    auto principal = keys_(params.credential.substr(4));
    if (!principal) {
      return std::move(principal).error();
    }
    return narrowed(std::move(*principal));
  }
  if (!params.tenant || !params.namespaces) {
    return denied("X-Castor-Tenant and X-Castor-Namespaces are required", "signature_mismatch");
  }
  Principal p{.credential = params.credential, .tenant = std::nullopt, .scopes = {}};
  if (*params.tenant != "*") {
    auto tenant = TenantId::parse(*params.tenant);
    if (!tenant) {
      return denied("malformed X-Castor-Tenant", "signature_mismatch");
    }
    p.tenant = std::move(*tenant);
  }
  auto namespaces = split_namespaces(*params.namespaces);
  if (!namespaces) {
    return std::move(namespaces).error();
  }
  p.namespaces = std::move(*namespaces);
  p.scopes = Scopes{Scope::kObjectsRead};
  p.expires_at = std::chrono::time_point_cast<std::chrono::microseconds>(expires_at);
  return p;
}

}  // namespace castor
