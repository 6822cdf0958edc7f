#pragma once
// Internal to src/api: the entry of the S3-compatible API (docs/S3.md). Includes Beast; never
// include it from another layer.

#include "api/server_core.h"

namespace castor::api::s3 {

// Whether the request is for the S3 front end rather than the native API: its Host is
// virtual-hosted under S3_DOMAIN ("<bucket>.<domain>"), or its path is outside the native API's
// (/v1/..., /health, /ready, /metrics, /console/..., /openapi.json). "/" is S3's ListBuckets when
// the request is S3-signed (an Authorization header other than "Bearer ...", or a presigned URL's
// X-Amz-Algorithm/-Credential/-Signature); otherwise it is the native probe that answers like
// /health.
bool is_s3_request(const ServerCore& s, Exchange& ex);

// Serves one S3 request: addressing (path or virtual-hosted style), SigV4 authentication of the
// Authorization header or a presigned URL against the credential's stored secret, the rate limit,
// then the operation (S3 API Reference), answering errors as S3 XML.
Awaitable<void> serve_s3(ServerCore& s, Connection& c, Exchange& ex);

}  // namespace castor::api::s3
