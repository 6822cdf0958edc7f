#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace castor {

// Where and how one storage class keeps its content in an S3-compatible bucket (AWS S3, Ceph RGW,
// MinIO, R2, another castor). Read from <CLASS>_S3_* settings (Config; docs/OPERATIONS.md
// "Storage backends"); <CLASS> is HOT or COLD.
struct S3BackendSettings {
  // Base URL of the service, "http(s)://host[:port]" (<CLASS>_S3_ENDPOINT); required.
  std::string endpoint;
  std::string region = "us-east-1";  // <CLASS>_S3_REGION: the SigV4 credential scope's region
  std::string bucket;                // <CLASS>_S3_BUCKET; required
  // <CLASS>_S3_PREFIX: prepended to every key; "" or ending in '/'. Content lives at
  // {prefix}{h[0:2]}/{h[2:4]}/{h}, uploads in progress at {prefix}.tmp/{object id}, content the
  // scrubber set aside at {prefix}.quarantine/{h}.{unix seconds}.
  std::string prefix;
  std::string access_key_id;  // <CLASS>_S3_ACCESS_KEY_ID; required
  // <CLASS>_S3_SECRET_ACCESS_KEY, or the first line of the file <CLASS>_S3_SECRET_ACCESS_KEY_FILE
  // names (a Kubernetes Secret mounted as a file); required; never logged.
  std::string secret_access_key;
  // <CLASS>_S3_PATH_STYLE: requests as {endpoint}/{bucket}/{key} (true, what MinIO, Ceph and
  // castor expect by default) or {bucket}.{endpoint host}/{key} (false, AWS's preference).
  bool path_style = true;
  // <CLASS>_S3_PUBLIC_URL: when set, redirected downloads go to {public_url}/{key} (a CDN or a
  // public bucket) instead of a presigned URL of the endpoint.
  std::optional<std::string> public_url;
  // <CLASS>_REDIRECT_DOWNLOADS: GET of an object whose content is one content file answers 302 to
  // a URL of the backend valid for redirect_ttl, taking castor out of the data path.
  bool redirect_downloads = false;
  std::chrono::seconds redirect_ttl{300};  // <CLASS>_REDIRECT_TTL_SECONDS (1 .. 604800)
  // <CLASS>_S3_PART_SIZE, bytes (5 MiB .. 5 GiB): content up to this size is sent in one
  // PutObject; larger content as a multipart upload of parts this size. Memory per upload is
  // about two parts (the one being sent and the one being received).
  std::uint64_t part_size = std::uint64_t{16} << 20;
  // <CLASS>_S3_MAX_CONNECTIONS: the connection (curl easy handle) pool, and so the number of
  // requests in flight to the backend at once from this process.
  std::size_t max_connections = 32;
  // <CLASS>_S3_TIMEOUT_SECONDS: connect timeout, and the longest a request may make no progress
  // (below 1 byte/s) before it is abandoned and retried.
  std::chrono::seconds timeout{30};
  // <CLASS>_S3_MAX_RETRIES: retries of a failed request (5xx, 429/SlowDown, connection errors,
  // truncated bodies), with exponential backoff from 100 ms (capped at 5 s) and full jitter.
  int max_retries = 5;
};

}  // namespace castor
