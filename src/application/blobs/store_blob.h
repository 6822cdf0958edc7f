#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "application/ports/blob_store.h"
#include "application/ports/clock.h"
#include "application/ports/id_generator.h"
#include "application/ports/metadata_store.h"
#include "domain/blob.h"
#include "domain/names.h"

namespace castor {

// Stores content through the blob API (PUT /v1/blobs/{sha256}) and grants the tenant possession
// of it, in two phases like UploadObject:
//   begin()/write(): the body streams into a temporary file, hashed as it goes (no fsync);
//   commit():        the file is fsynced and its hash (and size, when declared) verified; then in
//                    one transaction, under the content lock, the blob row is inserted with
//                    ref_count 0 (or found: dedup), its retention is extended to now + grace,
//                    the tenant's grant is written and the file is put in place.
// Nothing is visible before the commit; a crash leaves only a temporary file for the collector.
class StoreBlob {
 public:
  struct Request {
    TenantId tenant;
    StorageClass storage_class = StorageClass::kHot;
    ContentHash hash;                         // the address the client named
    std::optional<std::uint64_t> size_bytes;  // the size it declared (?size_bytes=N)
  };

  // The outcome of a commit: the blob, and whether the tenant newly possesses it (201) or held it
  // already (200).
  struct Stored {
    Blob blob;
    bool granted = false;
  };

  // A blob upload in progress. Owned by one connection; not thread-safe.
  class Upload {
   public:
    // Appends content. OutOfRange once it would exceed the size limit; InvalidArgument
    // ("size_mismatch") once it would exceed the declared size_bytes; ResourceExhausted when the
    // disk is full. Does not block on fsync or the database.
    Status write(std::span<const std::byte> data);
    std::uint64_t size() const { return writer_->size(); }
    const Request& request() const { return request_; }

   private:
    friend class StoreBlob;
    Upload(Request request, std::unique_ptr<BlobWriter> writer, std::uint64_t max_size)
        : request_(std::move(request)), writer_(std::move(writer)), max_size_(max_size) {}

    Request request_;
    std::unique_ptr<BlobWriter> writer_;
    std::uint64_t max_size_;
  };

  // `max_size` in bytes (MAX_OBJECT_SIZE); `grace`: how long content stored here is kept while
  // nothing references it (BLOB_GRACE_SECONDS).
  StoreBlob(MetadataStore& metadata, BlobStore& blobs, Clock& clock, IdGenerator& ids,
            std::uint64_t max_size, std::chrono::seconds grace)
      : metadata_(metadata),
        blobs_(blobs),
        clock_(clock),
        ids_(ids),
        max_size_(max_size),
        grace_(grace) {}

  // Whether the tenant already possesses the content with its file in place; if so, extends its
  // retention as a store would and returns the blob (an Expect: 100-continue request is then
  // answered 200 without its body). Blocking.
  Result<std::optional<Blob>> held(const TenantId& tenant, StorageClass storage_class,
                                   const ContentHash& hash);

  // Phase one: opens the temporary file. OutOfRange if `declared_size` (the Content-Length) or the
  // request's size_bytes is over the limit; InvalidArgument ("size_mismatch") if both are given
  // and differ. Blocking.
  Result<std::unique_ptr<Upload>> begin(Request request,
                                        std::optional<std::uint64_t> declared_size);

  // Phase two, as above. InvalidArgument "content_hash_mismatch" or "size_mismatch" when the body
  // is not what the request named; ResourceExhausted when the disk is full. On any error the
  // temporary file is removed. Blocking.
  Result<Stored> commit(Upload& upload);

  // Abandons the upload (removes its temporary file). Blocking; never fails.
  void abort(Upload& upload);

  std::uint64_t max_size() const { return max_size_; }

 private:
  MetadataStore& metadata_;
  BlobStore& blobs_;
  Clock& clock_;
  IdGenerator& ids_;
  std::uint64_t max_size_;
  std::chrono::seconds grace_;
};

}  // namespace castor
