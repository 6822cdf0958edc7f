#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/http_date.h"  // parse_http_date, the dates the two date preconditions carry
#include "domain/object.h"

// Conditional requests (RFC 9110 section 13): the four precondition header fields evaluated
// against the validators of the selected representation, for the native API and the S3 front end
// alike (no Beast). Total: any header value gives an answer, never a crash.
namespace castor::http_params {

// The validators of the current representation.
struct Validators {
  std::string etag = {};         // the opaque tag WITHOUT quotes (e.g. md5 hex or "hex-3"); strong
  Timestamp last_modified = {};  // compared at whole-second precision (HTTP-dates have none)
};

// The four precondition header fields as received (nullopt = absent). A value that is empty or
// only whitespace counts as absent (it is no valid field value; Beast yields "" for it).
// (Each member has a default, so designated initializers may name only some of them.)
struct Preconditions {
  std::optional<std::string> if_match = {};
  std::optional<std::string> if_none_match = {};
  std::optional<std::string> if_modified_since = {};
  std::optional<std::string> if_unmodified_since = {};
};

enum class PreconditionResult {
  kProceed,      // perform the method (the handler may still answer 404, 416, ...)
  kNotModified,  // 304 Not Modified (GET/HEAD only)
  kFailed,       // 412 Precondition Failed (S3: PreconditionFailed)
};

// Evaluates the preconditions in the order of RFC 9110 section 13.2.2:
//   1. If-Match (13.1.1): false when no representation exists; "*" is true when one does;
//      otherwise true when a listed tag equals the ETag by strong comparison (a W/ tag never
//      matches). False gives kFailed.
//   2. Only when If-Match is absent, If-Unmodified-Since (13.1.4): false when the representation
//      was modified after the date. False gives kFailed. Ignored when no representation exists
//      or the value is not a valid HTTP-date.
//   3. If-None-Match (13.1.2): false when "*" and a representation exists, or when a listed tag
//      equals the ETag by weak comparison (W/ accepted). False gives kNotModified when `safe`
//      (GET/HEAD), kFailed otherwise.
//   4. Only when If-None-Match is absent and `safe`, If-Modified-Since (13.1.3): false when the
//      representation was not modified after the date. False gives kNotModified. Ignored when no
//      representation exists or the value is not a valid HTTP-date.
// `current` = nullopt when no representation exists (a write creating the object, a missing
// key). `safe` = the method is GET or HEAD. Entity tags are read as a comma-separated list with
// optional whitespace (RFC 9110 section 5.6.1), each quoted (a comma may sit inside the quotes) or,
// leniently, a bare token as some S3 clients send it; an item that is neither is skipped.
PreconditionResult evaluate_preconditions(const Preconditions& p,
                                          const std::optional<Validators>& current, bool safe);

// Whether an If-Match (`strong`) or If-None-Match (weak) field value lists `etag` (unquoted), or
// is "*"; the matching used by evaluate_preconditions, for callers (S3 CopyObject's
// x-amz-copy-source-if-match) that must test a tag list against something other than a request's
// own target.
bool etag_list_matches(std::string_view field_value, std::string_view etag, bool strong);

}  // namespace castor::http_params
