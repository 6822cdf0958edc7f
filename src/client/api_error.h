#pragma once

#include <string_view>

#include "client/http_client.h"
#include "domain/error.h"

namespace castor::client {

// The Error for a server's non-2xx `response` to the request described by `what` ("GET key
// docs/a.txt"): the server's {"error": {code, message}} when it sent one, its code in `reason`.
// 404 → NotFound (exit 4); 400 content_hash_mismatch → DataLoss (exit 3); 401 → Unauthenticated;
// 403 → PermissionDenied; 409 → AlreadyExists; 413 → OutOfRange; 429/503 → Unavailable; other
// 400 → FailedPrecondition; others → Internal (all exit 2).
Error server_error(const HttpResponse& response, std::string_view what);

// Whether `response` has a 2xx status.
inline bool ok(const HttpResponse& response) {
  return response.status >= 200 && response.status < 300;
}

}  // namespace castor::client
