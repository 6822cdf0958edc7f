#pragma once

#include <string_view>

#include "domain/bundle.h"

namespace castor {

// The SHA-256 digest of `data` through OpenSSL: the Sha256Function the domain's Merkle root takes
// (domain/bundle.h). Thread-safe; never fails.
Sha256Digest openssl_sha256(std::string_view data);

}  // namespace castor
