#include "infrastructure/openssl_hmac.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

#include "infrastructure/openssl_sha256.h"

namespace castor {
namespace {

class OpensslSha256Hasher final : public Sha256Hasher {
 public:
  OpensslSha256Hasher() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
      std::abort();
    }
  }
  ~OpensslSha256Hasher() override { EVP_MD_CTX_free(ctx_); }
  OpensslSha256Hasher(const OpensslSha256Hasher&) = delete;
  OpensslSha256Hasher& operator=(const OpensslSha256Hasher&) = delete;

  void update(std::string_view data) override { EVP_DigestUpdate(ctx_, data.data(), data.size()); }

  Sha256Digest finish() override {
    Sha256Digest digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx_, digest.data(), &length);
    EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
    return digest;
  }

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace

Sha256Digest openssl_hmac_sha256(std::string_view key, std::string_view data) {
  Sha256Digest digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &length);
  return digest;
}

Sha256Digest OpensslSigv4Crypto::sha256(std::string_view data) const {
  return openssl_sha256(data);
}

Sha256Digest OpensslSigv4Crypto::hmac_sha256(std::string_view key, std::string_view data) const {
  return openssl_hmac_sha256(key, data);
}

std::unique_ptr<Sha256Hasher> OpensslSigv4Crypto::new_sha256() const {
  return std::make_unique<OpensslSha256Hasher>();
}

}  // namespace castor
