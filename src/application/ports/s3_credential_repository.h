#pragma once

#include <string>
#include <vector>

#include "domain/error.h"
#include "domain/s3_credential.h"

namespace castor {

// The s3_credentials table (migrations/006_s3_credentials.sql), seen through one transaction (see
// MetadataStore). Not thread-safe; must not outlive its transaction. Infrastructure failures are
// returned as Unavailable or Internal; a row that does not parse as DataLoss.
class S3CredentialRepository {
 public:
  virtual ~S3CredentialRepository() = default;

  // Stores a new credential with its sealed secret. AlreadyExists if the access key id is taken.
  virtual Status insert(const S3Credential& credential) = 0;
  // The credential with `access_key_id` (revoked and expired ones too); NotFound if there is none.
  virtual Result<S3Credential> find(const std::string& access_key_id) = 0;
  // Every credential, newest first.
  virtual Result<std::vector<S3Credential>> list() = 0;
  // Sets revoked_at to `now` unless already set: true if this call revoked it, false if it was
  // revoked before. NotFound if there is no such credential.
  virtual Result<bool> revoke(const std::string& access_key_id, Timestamp now) = 0;
  // Records that the credential was used at `now` (no error for an unknown id).
  virtual Status touch(const std::string& access_key_id, Timestamp now) = 0;
};

}  // namespace castor
