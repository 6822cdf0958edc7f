#pragma once

#include <memory>
#include <string_view>

#include "domain/sigv4_crypto.h"

namespace castor {

// HMAC-SHA256 (RFC 2104) of `data` under `key` through OpenSSL. Thread-safe; never fails.
Sha256Digest openssl_hmac_sha256(std::string_view key, std::string_view data);

// The SigV4 primitives (domain/sigv4_crypto.h) through OpenSSL 3: one-shot SHA-256 and
// HMAC-SHA256, and incremental SHA-256 on an EVP_MD_CTX. Stateless and thread-safe; one instance
// may serve every request.
class OpensslSigv4Crypto final : public Sigv4Crypto {
 public:
  Sha256Digest sha256(std::string_view data) const override;
  Sha256Digest hmac_sha256(std::string_view key, std::string_view data) const override;
  // Aborts the process if OpenSSL cannot allocate a digest context (out of memory).
  std::unique_ptr<Sha256Hasher> new_sha256() const override;
};

}  // namespace castor
