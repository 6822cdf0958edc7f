#pragma once

#include <functional>
#include <optional>
#include <string>

#include "application/ports/clock.h"
#include "application/ports/metadata_store.h"
#include "domain/object.h"

namespace castor {

// Changes what a COMMITTED object carries besides its content: its user metadata (merged or
// replaced, domain/object_attributes.h MetadataMode), Content-Type and Content-Disposition
// (PATCH /v1/objects/{id}/metadata, docs/METADATA.md). The content, its hash, size, checksums and
// ETag never change; updated_at moves. Race-free: one transaction reads the row FOR UPDATE, checks
// the precondition, applies the change and writes it, so concurrent merges of different members
// both land.
class UpdateObjectMetadata {
 public:
  struct Request {
    TenantId tenant;
    ObjectId id;
    // The patch: members sorted by name, names unique, values canonical JSON text. A member set
    // to null removes (merge) or is left out (replace).
    ObjectAttributes::Pairs metadata = {};
    MetadataMode mode = MetadataMode::kMerge;
    std::optional<std::string> content_type = {};  // nullopt: unchanged
    // nullopt: unchanged; an empty inner optional: removed.
    std::optional<std::optional<std::string>> content_disposition = {};
    // Tested on the current object under the row lock (the API's If-Match); false refuses the
    // change. Empty: no precondition.
    std::function<bool(const Object&)> precondition = {};
  };

  UpdateObjectMetadata(MetadataStore& metadata, Clock& clock)
      : metadata_(metadata), clock_(clock) {}

  // The object as changed. NotFound for unknown ids, other tenants' objects and objects that are
  // not COMMITTED; FailedPrecondition (reason "precondition_failed") when the precondition is
  // false; InvalidArgument for a metadata name outside check_metadata_name() (a null member, a
  // removal, may name any stored member), a bad content type (reason "invalid_content_type") or a
  // result over kMaxMetadataJsonBytes (reason "metadata_too_large"); the store's errors.
  // Blocking.
  Result<Object> run(const Request& request);

 private:
  MetadataStore& metadata_;
  Clock& clock_;
};

}  // namespace castor
