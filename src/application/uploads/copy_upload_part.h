#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "application/download_object.h"
#include "application/ports/checksummer.h"
#include "application/uploads/store_upload_part.h"

namespace castor {

// S3's UploadPartCopy (S3 API Reference): stores a byte range of an existing object as a part of
// an S3 multipart upload. The range is read from the source's content and written as a new file
// blob through StoreUploadPart (so the part is like any other: content-addressed, deduplicated,
// referenced by its part row), with its MD5 computed as it goes (the part's ETag).
class CopyUploadPart {
 public:
  struct Request {
    StoreUploadPart::Request part;  // the destination part; part.s3 is forced on
    Namespace source_ns;
    ObjectKey source_key;
    // Bytes first..last (inclusive) of the source: x-amz-copy-source-range. Unset: all of it.
    std::optional<std::pair<std::uint64_t, std::uint64_t>> range;
    // The x-amz-copy-source-if-* checks, run on the source found (may be empty): its error is
    // returned as is.
    std::function<Status(const Object&)> check_source;
  };

  // All must outlive this.
  CopyUploadPart(DownloadObject& download, StoreUploadPart& parts,
                 const ChecksummerFactory& checksummers)
      : download_(download), parts_(parts), checksummers_(checksummers) {}

  // The part stored (with its MD5 and upload time). Errors: NotFound for a missing source (the
  // caller names it NoSuchKey) or upload; InvalidArgument when the range is not within the source
  // (first > last, or last past its end), or the part would be empty; check_source's; those of
  // StoreUploadPart::begin() and commit(); DataLoss when the source's content is short. Blocking.
  Result<UploadPart> run(Request request);

 private:
  DownloadObject& download_;
  StoreUploadPart& parts_;
  const ChecksummerFactory& checksummers_;
};

}  // namespace castor
