#include "application/bundles/create_bundle.h"

#include <map>

#include "application/content_reader.h"

namespace castor {

Result<CreateBundle::Outcome> CreateBundle::create(Request request) {
  auto manifest = BundleManifest::create(std::move(request.files), sha256_);
  if (!manifest) {
    return std::move(manifest).error();
  }
  if (request.merkle_root && *request.merkle_root != manifest->merkle_root()) {
    return Error{ErrorCode::kInvalidArgument,
                 "merkle_root mismatch: the files give " + manifest->merkle_root() +
                     ", the request said " + *request.merkle_root,
                 "merkle_root_mismatch"};
  }
  const BundleReferences references = manifest->references();
  std::vector<ContentHash> hashes;
  hashes.reserve(references.size());
  for (const auto& [hash, count] : references) {
    hashes.push_back(hash);
  }
  const StorageClass storage_class = request.storage_class;
  BundleSummary summary{.id = ids_.next(),
                        .tenant = request.tenant,
                        .storage_class = storage_class,
                        .created_at = clock_.now(),
                        .merkle_root = manifest->merkle_root(),
                        .file_count = manifest->files().size(),
                        .total_bytes = manifest->total_bytes()};
  // Returned by the unit of work to roll it back when contents are missing.
  const Error refused{ErrorCode::kFailedPrecondition, "missing blobs", "missing_blobs"};
  Outcome outcome;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    outcome = {};
    auto held = tx.blobs().lock_held(request.tenant, storage_class, hashes);
    if (!held) {
      return std::move(held).error();
    }
    std::map<ContentHash, std::uint64_t> sizes;
    for (const Blob& blob : *held) {
      // Under the row lock the collector cannot remove the file: a file missing now is gone.
      auto present = content_present(tx, blobs_, storage_class, blob.hash());
      if (!present) {
        return std::move(present).error();
      }
      if (*present) {
        sizes.emplace(blob.hash(), blob.size_bytes());
      }
    }
    for (const ContentHash& hash : hashes) {
      if (!sizes.contains(hash)) {
        outcome.missing.push_back(hash);
      }
    }
    if (!outcome.missing.empty()) {
      return refused;
    }
    for (const BundleFile& f : manifest->files()) {
      if (const std::uint64_t size = sizes.at(f.hash); size != f.size_bytes) {
        return invalid_argument("file '" + f.path + "': size_bytes is " +
                                std::to_string(f.size_bytes) + ", its blob has " +
                                std::to_string(size) + " bytes");
      }
    }
    auto added = tx.blobs().add_refs(storage_class, references);
    if (!added) {
      return std::move(added).error();
    }
    if (*added != references.size()) {
      return internal_error("bundle references: " + std::to_string(*added) + " of " +
                            std::to_string(references.size()) + " locked blobs updated");
    }
    return tx.bundles().insert(summary, request.metadata, manifest->files());
  });
  if (!s) {
    if (!outcome.missing.empty() && s.error().reason == refused.reason) {
      return outcome;
    }
    return std::move(s).error();
  }
  outcome.created = std::move(summary);
  return outcome;
}

}  // namespace castor
