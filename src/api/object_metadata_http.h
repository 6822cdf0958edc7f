#pragma once
// Internal to src/api: an object's metadata on the native API's wire (docs/METADATA.md): what an
// upload sends, what a GET/HEAD answers with, and the body of PATCH /v1/objects/{id}/metadata.

#include <string_view>

#include "api/server_core.h"
#include "application/objects/update_object_metadata.h"
#include "domain/object.h"

namespace castor::api {

// What a native upload (POST /v1/objects) sends besides its content, as the object stores it:
// user metadata from X-Meta-<name> headers (names lowercased without the prefix, each value a JSON
// string; a name sent twice keeps both values, comma-joined) and from X-Metadata (a JSON object of
// any values), merged; and Content-Disposition. InvalidArgument with reason "invalid_metadata" for
// a name outside [a-z0-9-_]{1,128}, an X-Metadata that is not a JSON object, a value that is not
// UTF-8, or a name in both; "metadata_too_large" for X-Meta-* over 2 KiB of names and values or
// metadata over 16 KiB of JSON.
Result<ObjectAttributes> metadata_from_request(Exchange& ex);

// The headers of a native GET/HEAD besides the content's own: X-Meta-<name> for each member
// (domain metadata_header_value()) and Content-Disposition when stored.
Headers metadata_headers(const Object& object);

// The body of PATCH /v1/objects/{id}/metadata: {"metadata": {...}, "mode": "merge" | "replace",
// "content_type": "...", "content_disposition": "..." | null}, every member optional but at
// least one of metadata, content_type, content_disposition; unknown members refused. Fills the
// request's patch fields (not tenant, id or precondition). InvalidArgument: reason
// "invalid_metadata" (or "metadata_too_large") naming the bad field.
Status parse_metadata_patch(std::string_view body, UpdateObjectMetadata::Request& request);

}  // namespace castor::api
