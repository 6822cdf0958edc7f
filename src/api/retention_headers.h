#pragma once
// Internal to src/api: the WORM headers of uploads and downloads (docs/RETENTION.md), native and
// S3 (S3 API Reference, PutObject/HeadObject: x-amz-object-lock-mode,
// x-amz-object-lock-retain-until-date, x-amz-object-lock-legal-hold).

#include <optional>

#include "api/server_core.h"
#include "domain/object.h"
#include "domain/retention.h"

namespace castor::api {

// The lock an upload asks for.
struct LockRequest {
  std::optional<Retention> retention;
  bool legal_hold = false;
};

// Native uploads: X-Retain-Until (RFC 3339), X-Retention-Mode (governance | compliance; default
// governance), X-Legal-Hold (on | off). InvalidArgument naming the header: a bad date or mode, a
// mode without a date, a hold other than on/off.
Result<LockRequest> native_lock_request(Exchange& ex);
// S3 PutObject: x-amz-object-lock-mode (GOVERNANCE | COMPLIANCE) and
// x-amz-object-lock-retain-until-date (ISO 8601), both or neither; x-amz-object-lock-legal-hold
// (ON | OFF). InvalidArgument otherwise.
Result<LockRequest> s3_lock_request(Exchange& ex);

// What GET/HEAD answer: X-Retention-Mode, X-Retain-Until (RFC 3339) when the object has a
// retention, and X-Legal-Hold: on when it is held.
Headers native_lock_headers(const Object& object);
// S3 GetObject/HeadObject: x-amz-object-lock-mode (GOVERNANCE | COMPLIANCE),
// x-amz-object-lock-retain-until-date, x-amz-object-lock-legal-hold (ON | OFF, when either is set).
Headers s3_lock_headers(const Object& object);

}  // namespace castor::api
