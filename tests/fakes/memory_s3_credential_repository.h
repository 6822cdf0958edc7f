#pragma once

#include <map>
#include <memory>
#include <string>

#include "application/ports/s3_credential_repository.h"

namespace castor::testing {

// The s3_credentials table of MemoryMetadataStore's state, by access key id.
using S3CredentialTable = std::map<std::string, S3Credential>;

// S3CredentialRepository over `table` (a transaction's copy of the state), with the semantics of
// migrations/006_s3_credentials.sql. Refuses writes (Internal) when read-only.
std::unique_ptr<S3CredentialRepository> memory_s3_credential_repository(S3CredentialTable& table,
                                                                        bool read_only);

}  // namespace castor::testing
