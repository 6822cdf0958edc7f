#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "application/ports/blob_store.h"
#include "application/ports/clock.h"
#include "application/ports/id_generator.h"
#include "application/ports/metadata_store.h"
#include "application/uploads/upload_limits.h"
#include "domain/upload_session.h"

namespace castor {

// Stores one part of an upload session (PUT /v1/uploads/{id}/parts/{n}), in two phases like
// StoreBlob:
//   begin()/write(): the session is checked (it exists, is the tenant's and is open), then the
//                    body streams into a temporary file, hashed as it goes (no fsync);
//   commit():        the file is fsynced and its hash verified against the one the client sent;
//                    then in one transaction — session row locked, then the content lock, then
//                    the blob row — the part's blob gains a reference (inserted if new), the
//                    tenant a grant, the file is put in place, the part row is written (a part of
//                    the same number is replaced and its reference dropped), and the session's
//                    expiry moves to now + ttl.
// Nothing changes before the commit; a crash leaves only a temporary file for the collector.
class StoreUploadPart {
 public:
  struct Request {
    TenantId tenant;
    UploadId upload;
    std::uint32_t number = 0;             // 1..kMaxUploadParts
    std::optional<ContentHash> expected;  // from X-Content-SHA256
    // Set by S3's UploadPart and UploadPartCopy: NotFound unless the session is an S3 one (and
    // FailedPrecondition "upload_not_open" when an S3 session gets a part without an MD5). Unset
    // (the native API): NotFound for an S3 session.
    bool s3 = false;
  };

  // A part upload in progress. Owned by one connection; not thread-safe.
  class Upload {
   public:
    // Appends content. OutOfRange once the part would exceed the size limit; ResourceExhausted
    // when the disk is full. Does not block on fsync or the database.
    Status write(std::span<const std::byte> data);
    std::uint64_t size() const { return writer_->size(); }
    // The S3 digests of the part, computed beside the write: its MD5 (lowercase hex, the part's
    // ETag) and the flexible checksum the client sent, if any. Before commit().
    void set_digests(std::string md5_hex, ObjectAttributes::Pairs checksums) {
      md5_ = std::move(md5_hex);
      checksums_ = std::move(checksums);
    }

   private:
    friend class StoreUploadPart;
    Upload(Request request, StorageClass storage_class, std::unique_ptr<BlobWriter> writer,
           std::uint64_t max_size)
        : request_(std::move(request)),
          storage_class_(storage_class),
          writer_(std::move(writer)),
          max_size_(max_size) {}

    Request request_;
    StorageClass storage_class_;
    std::unique_ptr<BlobWriter> writer_;
    std::uint64_t max_size_;
    std::string md5_;
    ObjectAttributes::Pairs checksums_;
  };

  StoreUploadPart(MetadataStore& metadata, BlobStore& blobs, Clock& clock, IdGenerator& ids,
                  UploadLimits limits)
      : metadata_(metadata), blobs_(blobs), clock_(clock), ids_(ids), limits_(limits) {}

  // Phase one. InvalidArgument for a bad part number; NotFound if the session does not exist, is
  // another tenant's or has expired; FailedPrecondition ("upload_not_open") if it is completed;
  // OutOfRange if `declared_size` (the Content-Length) is over the limit. Blocking.
  Result<std::unique_ptr<Upload>> begin(Request request,
                                        std::optional<std::uint64_t> declared_size);

  // Phase two, as above; returns the part stored. InvalidArgument for an empty part or
  // ("content_hash_mismatch") a body that is not the declared hash; the errors of begin() if the
  // session changed meanwhile; ResourceExhausted when the disk is full. On any error the
  // temporary file is removed. Blocking.
  Result<UploadPart> commit(Upload& upload);

  // Abandons the part (removes its temporary file). Blocking; never fails.
  void abort(Upload& upload);

 private:
  MetadataStore& metadata_;
  BlobStore& blobs_;
  Clock& clock_;
  IdGenerator& ids_;
  UploadLimits limits_;
};

}  // namespace castor
