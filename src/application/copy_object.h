#pragma once

#include <optional>
#include <string>

#include "application/ports/clock.h"
#include "application/ports/id_generator.h"
#include "application/ports/metadata_store.h"
#include "application/write_policy.h"
#include "domain/object.h"

namespace castor {

// S3 CopyObject without copying data: the destination is a new object that references the
// source's blob (one more reference, in the transaction that commits it). Blocking; thread-safe.
class CopyObject {
 public:
  struct Request {
    Namespace source_ns;
    ObjectKey source_key;
    Namespace ns;  // destination
    ObjectKey key;
    TenantId tenant;  // of both: an S3 credential acts for one tenant
    // x-amz-metadata-directive REPLACE: these attributes and content type; nullopt (COPY): the
    // source's.
    std::optional<ObjectAttributes> attributes = {};
    std::optional<std::string> content_type = {};
    // The source's ETag as the caller evaluated x-amz-copy-source-if-* against it: if the source
    // changed since, FailedPrecondition (PreconditionFailed), so the conditions hold for what is
    // copied. nullopt: any source.
    std::optional<std::string> source_etag = {};
    WritePolicy policy = WritePolicy::replace();
  };

  CopyObject(MetadataStore& metadata, Clock& clock, IdGenerator& ids)
      : metadata_(metadata), clock_(clock), ids_(ids) {}

  // The new COMMITTED object. Errors: NotFound (reason "NoSuchKey") when the source is not a
  // committed object of the tenant; FailedPrecondition (PreconditionFailed) as above or from the
  // policy; claim_key()'s errors for the destination; InvalidArgument for bad attributes.
  Result<Object> run(const Request& request);

 private:
  MetadataStore& metadata_;
  Clock& clock_;
  IdGenerator& ids_;
};

}  // namespace castor
