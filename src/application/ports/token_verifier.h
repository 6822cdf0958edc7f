#pragma once

#include <string_view>

#include "domain/error.h"
#include "domain/principal.h"

namespace castor {

// Verifies a bearer token (a JWT) and returns the principal it names. Implementations are
// thread-safe: one instance serves every connection.
class TokenVerifier {
 public:
  TokenVerifier() = default;
  TokenVerifier(const TokenVerifier&) = delete;
  TokenVerifier& operator=(const TokenVerifier&) = delete;
  virtual ~TokenVerifier() = default;

  // The principal named by `token` (the text after "Bearer "), once its signature, algorithm,
  // validity period and claims check out. Unauthenticated for anything that is not a valid token;
  // the message says why in words fit for the caller and for logs: it never contains the token,
  // a key or a secret.
  virtual Result<Principal> verify(std::string_view token) = 0;
};

}  // namespace castor
