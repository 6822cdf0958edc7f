#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/content_hash.h"
#include "domain/error.h"
#include "domain/names.h"
#include "domain/object.h"
#include "domain/object_id.h"
#include "domain/object_key.h"
#include "domain/segment.h"
#include "domain/storage_class.h"

namespace castor {

// An upload session's id: a random UUID like an object's.
using UploadId = ObjectId;

// The most parts a session may hold, and the largest part number (S3's limit too).
inline constexpr std::uint32_t kMaxUploadParts = 10000;

// A part the server holds for an open session: part `number` (1..kMaxUploadParts) is the file blob
// `hash` of `size_bytes` (> 0) bytes in the session's storage class. Parts stored through S3
// (UploadPart, UploadPartCopy) also carry their MD5, their S3 ETag, and the flexible checksum the
// client sent, if any.
struct UploadPart {
  std::uint32_t number = 0;
  ContentHash hash;
  std::uint64_t size_bytes = 0;
  std::string md5 = {};  // lowercase hex of the part's MD5; empty for native parts
  ObjectAttributes::Pairs checksums =
      {};                   // {"crc32c", base64}; at most one; empty if none was sent
  Timestamp uploaded_at{};  // when the part was stored (S3 ListParts LastModified)
};

// InvalidArgument unless 1 <= number <= kMaxUploadParts.
Status check_part_number(std::uint64_t number);

// A resumable upload (docs/BLOBS_AND_BUNDLES.md, "Upload sessions"): parts arrive in any order
// and over any number of requests until the session is completed into an object (when it names a
// namespace) or a blob (when it does not). open -> completed; an abort or expiry deletes it.
class UploadSession {
 public:
  enum class State { kOpen, kCompleted };

  // What the session completed into: the whole content, and the object when it made one.
  struct Outcome {
    ContentHash hash;
    std::uint64_t size_bytes = 0;
    std::optional<ObjectId> object_id;
  };

  struct Fields {
    UploadId id;
    TenantId tenant;
    std::optional<Namespace> ns;   // set: completes into an object; unset: into a blob
    std::optional<ObjectKey> key;  // only with ns
    StorageClass storage_class = StorageClass::kHot;
    std::optional<std::uint64_t> size_bytes;  // declared total, checked at completion
    std::optional<ContentHash> sha256;        // declared whole-content hash, checked likewise
    std::optional<std::string> content_type;  // only with ns
    State state = State::kOpen;
    Timestamp created_at;
    Timestamp expires_at;
    std::optional<Outcome> outcome;  // set once completed
    // An S3 multipart upload (CreateMultipartUpload; docs/S3.md "Multipart uploads"): it has a
    // namespace (the bucket) and a key, its parts carry MD5s, it completes only through
    // CompleteMultipartUpload, and its object gets `attributes` and a multipart ETag.
    bool s3 = false;
    // User metadata and stored headers (a native session's: metadata and Content-Disposition).
    ObjectAttributes attributes = {};
  };

  // A new open session, expiring `ttl` after `now`. InvalidArgument when a key or content type
  // comes without a namespace, or an S3 session has no key, or a native one has checksums.
  static Result<UploadSession> open(Fields fields, Timestamp now, std::chrono::seconds ttl);
  // Rebuilds a session from storage. DataLoss if a completed session has no outcome.
  static Result<UploadSession> restore(Fields fields);

  // Whether the session may no longer be used at `now` (its expiry passed).
  bool expired(Timestamp now) const { return now >= f_.expires_at; }

  // Checks that a part may be stored now and moves the expiry to `ttl` after `now`.
  // FailedPrecondition ("upload_not_open") once completed; NotFound once expired.
  Status accept_part(Timestamp now, std::chrono::seconds ttl);

  // The segments of the content the session completes into: the parts numbered in `chosen`
  // (strictly ascending), or every held part in number order when `chosen` is empty, laid end to
  // end. `held` is in part-number order. InvalidArgument ("invalid_parts") when no part is chosen,
  // the list is not strictly ascending, or names a part the server does not hold; OutOfRange when
  // the total exceeds `max_size` bytes; InvalidArgument ("size_mismatch") when the total is not the
  // declared size.
  Result<std::vector<Segment>> plan(std::span<const UploadPart> held,
                                    std::span<const std::uint32_t> chosen,
                                    std::uint64_t max_size) const;

  // open -> completed with `outcome`; the record stays until `expires_at` so that a retried
  // completion gets the same answer. FailedPrecondition if not open.
  Status complete(Outcome outcome);

  bool completes_into_object() const { return f_.ns.has_value(); }
  bool s3() const { return f_.s3; }
  const UploadId& id() const { return f_.id; }
  const TenantId& tenant() const { return f_.tenant; }
  StorageClass storage_class() const { return f_.storage_class; }
  State state() const { return f_.state; }
  const Fields& fields() const { return f_; }

 private:
  explicit UploadSession(Fields fields) : f_(std::move(fields)) {}

  Fields f_;
};

// "open" / "completed", and back (InvalidArgument otherwise).
const char* to_string(UploadSession::State state);
Result<UploadSession::State> parse_upload_state(std::string_view text);

}  // namespace castor
