#include "infrastructure/openssl_sha256.h"

#include <openssl/sha.h>

namespace castor {

Sha256Digest openssl_sha256(std::string_view data) {
  Sha256Digest digest;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return digest;
}

}  // namespace castor
