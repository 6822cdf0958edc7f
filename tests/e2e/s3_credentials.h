#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "support/http_client.h"

// S3 credentials for end-to-end tests: a key pair created through a server's admin API
// (POST /v1/admin/s3-credentials), for tests that then sign S3 requests with it. Every
// testing::ServerProcess starts with the same S3 master key (kE2eS3MasterKeyHex), so a pair
// created through one server works on every server of the same database.
namespace castor::e2e {

// An S3 key pair as issued (the secret is shown once).
struct S3KeyPair {
  std::string access_key_id;      // "CK" + 18 of [A-Z2-7]
  std::string secret_access_key;  // 40 of [A-Za-z0-9+/]
};

// The scopes a test credential gets unless it asks otherwise: read, write and delete.
std::vector<std::string> all_object_scopes();

// POST /v1/admin/s3-credentials {"tenant_id": tenant, "scopes": scopes} through `client`, as
// `admin_key` (an API key with the admin scope; empty: no Authorization header, for servers with
// AUTH_MODE=disabled). Requires 201 and a well-formed pair (Catch2 REQUIRE), and returns it.
// `namespaces`, when not empty, restricts the credential to those buckets.
S3KeyPair create_s3_credential(testing::HttpClient& client, std::string_view admin_key,
                               std::string_view tenant,
                               const std::vector<std::string>& scopes = all_object_scopes(),
                               const std::vector<std::string>& namespaces = {});

// DELETE /v1/admin/s3-credentials/{id} as `admin_key` (empty: none), requiring 204.
void revoke_s3_credential(testing::HttpClient& client, std::string_view admin_key,
                          std::string_view access_key_id);

}  // namespace castor::e2e
