#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "domain/error.h"
#include "domain/upload_session.h"

namespace castor {

// Which open sessions GET /v1/uploads lists: a tenant's, narrowed by every filter that is set.
struct UploadFilter {
  TenantId tenant;
  std::optional<ContentHash> sha256;
  std::optional<Namespace> ns;
  std::optional<ObjectKey> key;
  std::optional<StorageClass> storage_class;
  std::size_t limit = 100;
};

// Which open S3 multipart uploads ListMultipartUploads lists: those of a tenant's bucket whose key
// starts with `prefix`, in (key, id) order (key bytewise, id as its lowercase text), after the
// cursor: keys after `after_key`, or equal to it with an id after `after_id` when that is set.
struct S3UploadFilter {
  TenantId tenant;
  Namespace ns;
  std::string prefix;
  std::string after_key;  // "" = from the first key
  std::optional<UploadId> after_id;
  std::size_t limit = 1000;
};

// The upload_sessions and upload_parts tables, seen through one transaction (see MetadataStore).
// Not thread-safe; must not outlive its transaction. Infrastructure failures are returned as
// Unavailable, Aborted or Internal.
//
// A part row is a reference on its blob (counted in blobs.ref_count): whoever inserts, replaces or
// deletes part rows adjusts the references in the same transaction (BlobRepository).
class UploadRepository {
 public:
  virtual ~UploadRepository() = default;

  // Stores a new session.
  virtual Status insert(const UploadSession& session) = 0;
  // The session with `id`, of any tenant; NotFound if there is none. `for_update` locks the row
  // until the transaction ends.
  virtual Result<UploadSession> find(const UploadId& id, bool for_update) = 0;
  // Writes the session's state, expiry and outcome. NotFound if the row is gone.
  virtual Status update(const UploadSession& session) = 0;
  // Deletes the session's row; its parts must be removed first. Succeeds if it is gone.
  virtual Status remove(const UploadId& id) = 0;

  // How many open sessions `tenant` has.
  virtual Result<std::size_t> count_open(const TenantId& tenant) = 0;
  // Open sessions matching `filter`, newest first, at most filter.limit.
  virtual Result<std::vector<UploadSession>> list_open(const UploadFilter& filter) = 0;
  // Open S3 sessions matching `filter`, in its order, at most filter.limit.
  virtual Result<std::vector<UploadSession>> list_open_s3(const S3UploadFilter& filter) = 0;
  // Locks and returns up to `limit` sessions (open or completed) whose expiry is before `now`,
  // skipping rows other transactions hold.
  virtual Result<std::vector<UploadSession>> lock_expired(Timestamp now, std::size_t limit) = 0;

  // The session's parts in part-number order.
  virtual Result<std::vector<UploadPart>> parts(const UploadId& id) = 0;
  // Stores `part` for the session, replacing a part of the same number; returns the replaced
  // part, if any.
  virtual Result<std::optional<UploadPart>> put_part(const UploadId& id,
                                                     const UploadPart& part) = 0;
  // Deletes every part of the session and returns them, in part-number order.
  virtual Result<std::vector<UploadPart>> remove_parts(const UploadId& id) = 0;
};

}  // namespace castor
