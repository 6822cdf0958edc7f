#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "application/ports/blob_store.h"
#include "application/ports/checksummer.h"
#include "application/ports/clock.h"
#include "application/ports/id_generator.h"
#include "application/ports/media_types.h"
#include "application/ports/metadata_store.h"
#include "application/write_policy.h"
#include "domain/object.h"

namespace castor {

// The small-object path of UploadObject (below); off when max_bytes is 0 or sha256 is null.
struct InlineUploads {
  std::uint64_t max_bytes = 0;                 // INLINE_MAX_BYTES
  const ChecksummerFactory* sha256 = nullptr;  // hashes the buffered content
};

// Stores a new object, crash-safely, in two phases:
//   begin():  the object row is inserted in WRITING (invisible) and a temporary file is opened;
//   write():  content is streamed into the temporary file, hashed as it goes (no fsync);
//   commit(): the file is fsynced, then in one transaction the blob's reference count is raised
//             (row-locked, under the content lock), the tenant is granted possession of the
//             content (see docs/BLOBS_AND_BUNDLES.md), the file is renamed into place (or dropped
//             if the content is already stored), the directory is fsynced, and the object is
//             COMMITTED. Only then is the upload acknowledged.
// A crash at any point before the commit leaves nothing visible; the garbage collector later
// removes the WRITING row and the temporary file.
//
// Small objects (docs/PERFORMANCE.md "Small objects"): when the declared size (Content-Length)
// is at most InlineUploads::max_bytes, begin() touches neither the disk nor the database, write()
// appends to memory, and commit() hashes the bytes and, in ONE step (one statement for the
// native API, ObjectRepository::insert_small; one transaction under an S3 write policy), adds the
// blob's reference with the content in its row (a row that holds no content yet gets it, even if
// a file has it too: a small duplicate, never a missing copy), claims the key and inserts the
// object COMMITTED. The content is
// as durable as the commit (PostgreSQL, fsync on); there is no temporary file, no WRITING row and
// no fsync of castor's own. A crash before the commit leaves nothing at all.
class UploadObject {
 public:
  struct Request {
    Namespace ns;
    TenantId tenant;
    std::optional<ObjectKey> key;
    StorageClass storage_class = StorageClass::kHot;
    // As sent. Empty, or the form type that `curl --data-binary` sends by default
    // (application/x-www-form-urlencoded), means "not given": the type registered for the key's
    // extension is stored, else application/octet-stream.
    std::string content_type;
    std::optional<ContentHash> expected_hash = {};  // from X-Content-SHA256
    // What the object carries besides its content (S3 metadata, stored headers, checksums).
    ObjectAttributes attributes = {};
    // How the key is claimed. nullopt (the native API): at begin(), AlreadyExists if it is used.
    // Given (S3): the content is received under no key and the key is claimed by the commit's
    // transaction under this policy (write_policy.h), so a used key is replaced atomically.
    std::optional<WritePolicy> policy = {};
    // WORM (docs/RETENTION.md): the retention and legal hold the upload asks for (X-Retain-Until,
    // X-Retention-Mode, X-Legal-Hold; S3 x-amz-object-lock-*). The namespace's default retention,
    // if it has one, is applied on top at commit (by the database: migrations/014_retention.sql).
    std::optional<Retention> retention = {};
    bool legal_hold = false;
  };

  // An upload in progress. Owned by one connection; not thread-safe.
  class Upload {
   public:
    // Appends content. OutOfRange once the object would exceed the size limit; ResourceExhausted
    // when the disk is full. Does not block on fsync or the database: IO threads may call it.
    Status write(std::span<const std::byte> data);
    std::uint64_t size() const { return buffer_ ? buffer_->size() : writer_->size(); }
    // Whether the content is kept in memory for the small-object path: write() then only copies
    // (it never blocks), so it may run on an IO thread.
    bool buffered() const { return buffer_.has_value(); }
    // The S3 digests to store, computed beside the upload: the ETag (the MD5 of the content) and
    // the flexible checksums. Before commit().
    void set_digests(std::string etag, ObjectAttributes::Pairs checksums) {
      etag_ = std::move(etag);
      attributes_.checksums = std::move(checksums);
    }
    const Object& object() const { return object_; }

   private:
    friend class UploadObject;
    Upload(Object object, std::unique_ptr<BlobWriter> writer, std::optional<ContentHash> expected)
        : object_(std::move(object)), writer_(std::move(writer)), expected_(std::move(expected)) {}

    Object object_;
    std::unique_ptr<BlobWriter> writer_;            // null on the small-object path
    std::optional<std::vector<std::byte>> buffer_;  // the content, on the small-object path
    std::optional<ContentHash> expected_;
    std::uint64_t max_size_ = 0;
    ObjectAttributes attributes_;
    std::optional<WritePolicy> policy_;
    std::optional<ObjectKey> deferred_key_;  // claimed at commit (policy_ set)
    std::string etag_;
  };

  // `max_object_size` is in bytes. `media_types` (may be null: no guessing) must outlive this.
  UploadObject(MetadataStore& metadata, BlobStore& blobs, Clock& clock, IdGenerator& ids,
               std::uint64_t max_object_size, const MediaTypes* media_types = nullptr,
               InlineUploads small = {})
      : metadata_(metadata),
        blobs_(blobs),
        clock_(clock),
        ids_(ids),
        max_object_size_(max_object_size),
        media_types_(media_types),
        inline_(small) {}

  // Phase one. InvalidArgument for a bad content type or attributes (check_attributes()), or a
  // retention date not in the future;
  // AlreadyExists (naming the key) if the key is in use and no policy is given; OutOfRange if
  // `declared_size` (the Content-Length, when known) is over the limit. Blocking, except on the
  // small-object path (declared_size <= InlineUploads::max_bytes), where it only checks the
  // request.
  Result<std::unique_ptr<Upload>> begin(Request request,
                                        std::optional<std::uint64_t> declared_size);

  // Phase two: makes the upload durable and visible, and returns the COMMITTED object.
  // InvalidArgument if the content does not match the expected hash; ResourceExhausted when the
  // disk is full; Aborted if the WRITING row expired meanwhile; with a policy, claim_key()'s
  // errors (FailedPrecondition "PreconditionFailed", NotFound, AlreadyExists while a native upload
  // holds the key); AlreadyExists (naming the key) on the small-object path when the key is in
  // use and no policy is given. On any error the upload is abandoned (as by abort()). Blocking.
  Result<Object> commit(Upload& upload);

  // Abandons the upload: removes the temporary file and the WRITING row. Blocking; never fails
  // (a leftover is collected by the garbage collector).
  void abort(Upload& upload);

  std::uint64_t max_object_size() const { return max_object_size_; }
  // Whether an upload of `declared_size` bytes (nullopt: unknown) takes the small-object path,
  // where begin() never blocks (so an IO thread may call it) and write() only copies.
  bool is_small(std::optional<std::uint64_t> declared_size) const {
    return inline_.max_bytes > 0 && inline_.sha256 != nullptr && declared_size &&
           *declared_size <= inline_.max_bytes;
  }

 private:
  Status commit_metadata(Upload& upload, const ContentHash& hash, Object& committed);
  Result<Object> commit_inline(Upload& upload);

  MetadataStore& metadata_;
  BlobStore& blobs_;
  Clock& clock_;
  IdGenerator& ids_;
  std::uint64_t max_object_size_;
  const MediaTypes* media_types_;
  InlineUploads inline_;
};

// Returns true if `content_type` is acceptable to store and echo back: 1..255 printable ASCII
// characters (RFC 9110 section 8.3 media type, not parsed further).
bool is_valid_content_type(std::string_view content_type);

// The content type to store for an upload that sent `given` (see Request::content_type) under
// `key`: `given` unless it is empty or the form type, else the type `media_types` (may be null)
// has for the key's extension, else application/octet-stream.
std::string effective_content_type(std::string_view given, const std::optional<ObjectKey>& key,
                                   const MediaTypes* media_types);

}  // namespace castor
