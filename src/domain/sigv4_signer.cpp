#include "domain/sigv4_signer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "domain/amz_date.h"

namespace castor {
namespace {

std::vector<std::string> header_names(const Sigv4Request& request) {
  std::vector<std::string> names;
  for (const HttpField& field : request.headers) {
    std::string name(field.name);
    std::transform(name.begin(), name.end(), name.begin(), [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    });
    names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

// The signature of `request` whose query is `raw_query`, signing `names`.
Result<std::string> signature_of(const Sigv4Request& request, std::string_view raw_query,
                                 const std::vector<std::string>& names,
                                 const Sigv4SigningCredentials& credentials,
                                 std::string_view amz_date, std::string_view payload_hash,
                                 const Sigv4Crypto& crypto) {
  if (!parse_amz_date(amz_date)) {
    return invalid_argument("amz_date must be YYYYMMDDTHHMMSSZ");
  }
  if (!std::binary_search(names.begin(), names.end(), std::string("host"))) {
    return invalid_argument("a SigV4 request must carry a host header");
  }
  auto uri = canonical_uri(request.target.substr(0, request.target.find('?')));
  if (!uri) {
    return std::move(uri).error();
  }
  auto params = parse_query(raw_query);
  if (!params) {
    return std::move(params).error();
  }
  const std::string canonical = canonical_request(request.method, *uri, canonical_query(*params),
                                                  canonical_headers(request.headers, names),
                                                  join_signed_headers(names), payload_hash);
  const std::string date(amz_date.substr(0, 8));
  const std::string string_to_sign = sigv4_string_to_sign(
      amz_date, credential_scope(date, credentials.region, "s3"), canonical, crypto);
  const Sha256Digest key =
      sigv4_signing_key(credentials.secret_key, date, credentials.region, "s3", crypto);
  return sigv4_signature(key, string_to_sign, crypto);
}

std::string raw_query_of(std::string_view target) {
  const std::size_t question = target.find('?');
  return question == std::string_view::npos ? "" : std::string(target.substr(question + 1));
}

}  // namespace

Result<std::string> sign_authorization(const Sigv4Request& request,
                                       const Sigv4SigningCredentials& credentials,
                                       std::string_view amz_date, std::string_view payload_hash,
                                       const Sigv4Crypto& crypto, std::string* signature) {
  const std::vector<std::string> names = header_names(request);
  auto computed = signature_of(request, raw_query_of(request.target), names, credentials, amz_date,
                               payload_hash, crypto);
  if (!computed) {
    return std::move(computed).error();
  }
  if (signature != nullptr) {
    *signature = *computed;
  }
  return "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" +
         credential_scope(amz_date.substr(0, 8), credentials.region, "s3") +
         ", SignedHeaders=" + join_signed_headers(names) + ", Signature=" + *computed;
}

Result<std::string> presign_target(const Sigv4Request& request,
                                   const Sigv4SigningCredentials& credentials,
                                   std::string_view amz_date, std::int64_t expires_seconds,
                                   const Sigv4Crypto& crypto) {
  const std::vector<std::string> names = header_names(request);
  std::string query = raw_query_of(request.target);
  const std::string credential = credentials.access_key_id + "/" +
                                 credential_scope(amz_date.substr(0, 8), credentials.region, "s3");
  query.append(query.empty() ? "" : "&")
      .append("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=")
      .append(sigv4_uri_encode(credential, true))
      .append("&X-Amz-Date=")
      .append(amz_date)
      .append("&X-Amz-Expires=")
      .append(std::to_string(expires_seconds))
      .append("&X-Amz-SignedHeaders=")
      .append(sigv4_uri_encode(join_signed_headers(names), true));
  auto computed =
      signature_of(request, query, names, credentials, amz_date, "UNSIGNED-PAYLOAD", crypto);
  if (!computed) {
    return std::move(computed).error();
  }
  const std::string path(request.target.substr(0, request.target.find('?')));
  return path + "?" + query + "&X-Amz-Signature=" + *computed;
}

}  // namespace castor
