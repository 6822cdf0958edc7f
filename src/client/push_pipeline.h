#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "client/context.h"
#include "client/push.h"
#include "client/scan.h"
#include "domain/error.h"

namespace castor::client {

// What a push knows of its files' contents once every batch went through the pipeline.
struct HashedFiles {
  std::vector<std::string> hashes{};                // SHA-256 (lowercase hex); index: file
  std::map<std::string, std::size_t> first_file{};  // each content → index of its first file
};

// The hashing and uploading of castorctl push, pipelined in batches (options.batching,
// cut_batches). A thread of its own hashes one batch after the other (on the hashing threads)
// and, with options.bundle, asks the server which of the contents first seen in the batch it
// lacks (one POST /v1/blobs/preflight per batch; a content already seen in an earlier batch is
// neither asked about nor uploaded again). Meanwhile the calling thread takes the hashed batches in
// order and uploads their missing blobs (BlobBatchUploader) and, with options.prefix, pushes their
// keyed objects (KeyedPush), on options.jobs connections, starting a batch's tasks while the
// previous batch's last ones still run (it waits for all connections to be idle only around
// upload sessions, and between a batch's blobs and its keyed objects when both are asked for).
// At most options.batching.queued hashed batches wait between the two stages, so hashing never
// runs far ahead; only hashes are kept, never contents. With options.dry_run nothing is uploaded
// (the keyed objects' keys are still checked). Progress: "hashing", "uploading" (its totals grow
// as batches are preflighted) and "objects" ("checking" in a dry run) at the same time.
//
// The first error of either stage stops both (the batches already taken may have been uploaded)
// and is returned. Counts into `summary` what it did: blobs_total, blobs_missing, uploads,
// objects; not the bundle (run_push creates it once every blob is there).
Result<HashedFiles> run_push_pipeline(const Context& context, const PushOptions& options,
                                      const std::vector<ScannedFile>& files, PushSummary& summary);

}  // namespace castor::client
