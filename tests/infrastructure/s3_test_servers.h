#pragma once

#include <cstdint>
#include <string>

#include "infrastructure/s3/s3_backend_settings.h"

// Real S3 servers for the tests of CurlS3Client (tests/s3backend/): castor's own S3 API in a
// second castor process, and s3rver (npm) started by tests/s3backend/run.sh.
namespace castor::testing {

// One S3 server with a bucket of its own for the tests, and what it implements.
struct S3TestServer {
  std::string name;            // "castor" or "s3rver", for messages
  S3BackendSettings settings;  // endpoint, bucket and credentials; timeout 5 s, 3 retries
  std::uint16_t port = 0;      // where it listens on 127.0.0.1
  // s3rver accepts any SigV4 signature of a known access key id (it checks the key id only).
  bool verifies_signatures = true;
  // s3rver has no AbortMultipartUpload, ListParts, ListMultipartUploads nor UploadPartCopy.
  bool has_multipart_admin = true;
};

// castor serve on a database of its own (DATABASE_URL), with an S3 credential of a test tenant
// and a bucket. Started on first use, stopped at exit. Throws if it cannot be started.
const S3TestServer& castor_s3_server();

// s3rver at $S3RVER_ENDPOINT (account S3RVER/S3RVER) with a bucket created on first use. Throws
// std::runtime_error if S3RVER_ENDPOINT is unset: run the tests through tests/s3backend/run.sh.
const S3TestServer& s3rver_server();

// CreateBucket `bucket` at `settings.endpoint` with `settings`' credentials (a SigV4-signed
// PUT /bucket through libcurl). Throws std::runtime_error unless the server answers 200.
void create_s3_bucket(const S3BackendSettings& settings, const std::string& bucket);

// A TCP port of 127.0.0.1 on which nothing listens (bound, then released).
std::uint16_t closed_port();

}  // namespace castor::testing
