#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "application/ports/blob_store.h"
#include "application/ports/metadata_store.h"
#include "domain/object.h"

namespace castor {

// Finds a COMMITTED object of a tenant and opens its content. Objects of other tenants and objects
// that are not COMMITTED are reported as NotFound, exactly like ids that never existed, so that a
// caller cannot learn that they exist.
class DownloadObject {
 public:
  struct Download {
    Object object;
    std::unique_ptr<BlobReader> content;  // null when opened with want_content = false
    // With allow_redirect: where the client may fetch the content itself (the storage class
    // redirects downloads and the content is one content file; BlobStore::download_url), and
    // then `content` is null.
    std::optional<std::string> redirect_url;
  };

  DownloadObject(MetadataStore& metadata, BlobStore& blobs) : metadata_(metadata), blobs_(blobs) {}

  // NotFound as above; DataLoss if the object's content is missing (no file, no row content, no
  // segments). With `allow_redirect` (a GET of the whole, unverified content), content that the
  // blob store can serve by URL is not opened: see Download::redirect_url. Blocking; content in
  // a remote store (S3 backend) is opened after the database transaction ends, so that no
  // connection waits on the network.
  Result<Download> by_id(const TenantId& tenant, const ObjectId& id, bool want_content,
                         bool allow_redirect = false);
  Result<Download> by_key(const Namespace& ns, const TenantId& tenant, const ObjectKey& key,
                          bool want_content, bool allow_redirect = false);

 private:
  Result<Download> find_and_open(const TenantId& tenant, bool want_content, bool allow_redirect,
                                 const std::function<Result<Object>(MetadataTransaction&)>& find);

  MetadataStore& metadata_;
  BlobStore& blobs_;
};

}  // namespace castor
