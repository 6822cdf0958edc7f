#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "e2e/s3_credentials.h"
#include "support/http_client.h"
#include "support/server_process.h"
#include "support/test_database.h"

// A minimal S3 client for the end-to-end tests: requests signed with castor's own SigV4 signer
// (domain/sigv4_signer.h, which the unit tests check against AWS's published examples), and a
// server with S3 credentials. The real SDKs and tools are tested by tests/s3clients/.
namespace castor::e2e {

using S3Credential = S3KeyPair;

// A server of its own for the [s3] tests: its own database, AUTH_MODE=disabled for the native
// API (so tests can create credentials through the admin API). Started on first use, stopped at
// exit. (Every test server has the same S3 master key: see s3_credentials.h.)
struct S3Environment {
  testing::TestDatabase database;
  testing::ServerProcess server;
};
S3Environment& s3_environment();

// Options for another server on `env`'s database and storage, plus `extra_env`.
testing::ServerOptions s3_server_options(const S3Environment& env,
                                         std::map<std::string, std::string> extra_env = {});

// A credential of `tenant` with `scopes` (space-separated) through the admin API of the
// auth-disabled server on `port` (create_s3_credential of s3_credentials.h).
S3Credential create_s3_credential(
    std::uint16_t port, std::string_view tenant,
    std::string_view scopes = "objects:read objects:write objects:delete");

// How a request's payload is signed.
enum class S3Payload {
  kSigned,          // x-amz-content-sha256: hex SHA-256 of the body
  kUnsigned,        // UNSIGNED-PAYLOAD
  kWrongHash,       // the SHA-256 of other bytes (the server must refuse)
  kChunkedTrailer,  // STREAMING-UNSIGNED-PAYLOAD-TRAILER, aws-chunked with a CRC32 trailer
};

struct S3Request {
  std::string method = "GET";
  std::string bucket = {};                                      // empty: the service
  std::string key = {};                                         // decoded; empty: the bucket
  std::vector<std::pair<std::string, std::string>> query = {};  // decoded
  testing::Headers headers = {};
  std::string body = {};
  S3Payload payload = S3Payload::kSigned;
};

// Signs and sends S3 requests, path style, to 127.0.0.1:<port>.
class S3TestClient {
 public:
  S3TestClient(std::uint16_t port, S3Credential credential);

  testing::HttpResponse send(const S3Request& request);
  testing::HttpResponse put(const std::string& bucket, const std::string& key, std::string body,
                            testing::Headers headers = {});
  testing::HttpResponse get(const std::string& bucket, const std::string& key,
                            testing::Headers headers = {});
  testing::HttpResponse head(const std::string& bucket, const std::string& key);
  testing::HttpResponse remove(const std::string& bucket, const std::string& key);
  testing::HttpResponse create_bucket(const std::string& bucket);

  // A presigned GET target for bucket/key valid `expires_seconds` from `signed_at` (Unix s).
  std::string presigned_get(const std::string& bucket, const std::string& key,
                            std::int64_t expires_seconds, std::int64_t signed_at);
  testing::HttpClient& http() { return http_; }
  std::uint16_t port() const { return port_; }

 private:
  std::uint16_t port_;
  S3Credential credential_;
  testing::HttpClient http_;
};

// The request-target of bucket/key and query, percent-encoded as SDKs send it.
std::string s3_target(const std::string& bucket, const std::string& key,
                      const std::vector<std::pair<std::string, std::string>>& query);

// Hex MD5 of `data` (OpenSSL), and the base64 of its digest (Content-MD5).
std::string md5_hex(std::string_view data);
std::string md5_base64(std::string_view data);

// The text of the first <element>...</element> in `xml`, or nullopt; how many there are.
std::optional<std::string> xml_value(std::string_view xml, std::string_view element);
std::size_t xml_count(std::string_view xml, std::string_view element);

}  // namespace castor::e2e
