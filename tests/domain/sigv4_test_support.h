#pragma once

// Shared by the SigV4 and aws-chunked tests: AWS's example credentials and time, and a verifier
// that runs parse then verify like the S3 front end will.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/error.h"
#include "domain/sigv4.h"
#include "infrastructure/openssl_hmac.h"

namespace castor::sigv4_test {

// The credentials and time of every example in AWS's SigV4 documentation for S3.
inline constexpr std::string_view kAccessKeyId = "AKIAIOSFODNN7EXAMPLE";
inline constexpr std::string_view kSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
inline constexpr std::int64_t kExampleTime = 1369353600;  // 2013-05-24T00:00:00Z
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

inline const OpensslSigv4Crypto& crypto() {
  static const OpensslSigv4Crypto instance;
  return instance;
}

// Owns the strings a Sigv4Request views.
struct OwnedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;

  Sigv4Request view() const {
    Sigv4Request request{method, target, {}};
    for (const auto& [name, value] : headers) {
      request.headers.push_back({name, value});
    }
    return request;
  }
  std::string* header(std::string_view name) {
    for (auto& [n, v] : headers) {
      if (n == name) {
        return &v;
      }
    }
    return nullptr;
  }
};

// parse_sigv4_auth + verify_sigv4 with the example secret; an anonymous request is an error here.
inline Result<Sigv4Verified> parse_and_verify(const OwnedRequest& owned,
                                              std::int64_t now = kExampleTime,
                                              Sigv4Diagnostics* diagnostics = nullptr) {
  const Sigv4Request request = owned.view();
  auto auth = parse_sigv4_auth(request);
  if (!auth) {
    return std::move(auth).error();
  }
  if (!auth->has_value()) {
    return Error{ErrorCode::kUnauthenticated, "anonymous", "Anonymous"};
  }
  return verify_sigv4(request, **auth, kSecretKey, now, crypto(), diagnostics);
}

// The reason of a failed result, or "OK".
template <class T>
std::string reason_of(const Result<T>& result) {
  return result ? std::string("OK") : result.error().reason;
}

}  // namespace castor::sigv4_test
