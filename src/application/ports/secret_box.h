#pragma once

#include <string>
#include <string_view>

#include "domain/error.h"

namespace castor {

// Authenticated encryption of small secrets at rest (the secret access keys of S3 credentials,
// docs/S3.md "Credentials") under a master key the process was configured with. What is sealed
// can be opened only with the same key and the same associated data, and any change to the sealed
// bytes is detected. Implementations never log or quote plaintext or key material, in messages
// either. Thread-safe.
class SecretBox {
 public:
  SecretBox() = default;
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;
  virtual ~SecretBox() = default;

  // `plaintext` encrypted and authenticated together with `associated_data` (which is not
  // encrypted and not part of the result: the caller supplies it again to open). A fresh random
  // nonce per call, so sealing the same plaintext twice gives different bytes. Opaque bytes.
  virtual std::string seal(std::string_view plaintext, std::string_view associated_data) = 0;

  // The plaintext of `sealed`. DataLoss if it does not open: other bytes, other associated data,
  // or another master key (a message that says so, never the bytes).
  virtual Result<std::string> open(std::string_view sealed, std::string_view associated_data) = 0;
};

}  // namespace castor
