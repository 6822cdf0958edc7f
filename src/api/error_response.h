#pragma once

#include <string>
#include <string_view>

#include "domain/error.h"

namespace castor {

// The one table from error codes to HTTP status codes:
//   InvalidArgument 400, NotFound 404, AlreadyExists 409, FailedPrecondition 409, OutOfRange 413,
//   Aborted 503, ResourceExhausted 507, Unavailable 503, Internal 500, DataLoss 500,
//   Unauthenticated 401, PermissionDenied 403.
int http_status_for(ErrorCode code);

// The JSON error body: {"error": {"code": "...", "message": "..."}}.
std::string error_json(std::string_view code, std::string_view message);

}  // namespace castor
