#pragma once

#include <optional>
#include <string>
#include <vector>

#include "application/ports/blob_store.h"
#include "application/ports/clock.h"
#include "application/ports/id_generator.h"
#include "application/ports/metadata_store.h"
#include "domain/bundle.h"

namespace castor {

// POST /v1/bundles: records a manifest of relative path -> content whose every content the tenant
// possesses, holding one reference per file on its blob so that the collector keeps them while the
// bundle lives.
//
// Race with the collector (docs/BLOBS_AND_BUNDLES.md): the possessed blob rows are locked in
// content-hash order and their counts raised on existing rows only, never inserted. A row the
// collector deleted first is simply not found, and the bundle is refused as missing that content;
// a row the bundle locked first is skipped by the collector and referenced once the bundle
// commits. Under the row locks the content files are checked too, so that a bundle never points at
// content whose file is gone.
class CreateBundle {
 public:
  struct Request {
    TenantId tenant;
    StorageClass storage_class = StorageClass::kHot;
    std::vector<BundleFile> files;           // in any order
    std::optional<std::string> merkle_root;  // the client's, checked when given (hex, lowercase)
    std::string metadata;                    // a JSON object as text, or empty
  };

  // Either the bundle created or the contents it names that the tenant does not possess (or whose
  // content vanished), each once, in content-hash order.
  struct Outcome {
    std::optional<BundleSummary> created;
    std::vector<ContentHash> missing;
  };

  // `sha256` computes the Merkle root (domain/bundle.h).
  CreateBundle(MetadataStore& metadata, BlobStore& blobs, Clock& clock, IdGenerator& ids,
               Sha256Function sha256)
      : metadata_(metadata), blobs_(blobs), clock_(clock), ids_(ids), sha256_(sha256) {}

  // InvalidArgument for a bad manifest (BundleManifest::create), a file whose size_bytes is not
  // its blob's size, or "merkle_root_mismatch"; OutOfRange for too many files. Blocking.
  Result<Outcome> create(Request request);

 private:
  MetadataStore& metadata_;
  BlobStore& blobs_;
  Clock& clock_;
  IdGenerator& ids_;
  Sha256Function sha256_;
};

}  // namespace castor
