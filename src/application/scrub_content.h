#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "application/ports/blob_store.h"
#include "application/ports/checksummer.h"
#include "application/ports/clock.h"
#include "application/ports/metadata_store.h"

namespace castor {

// The scrubber's work: re-reads stored content and checks it still hashes to its address, least
// recently verified first, recording in each blob row when it was verified and whether it was
// found damaged.
//
// Content kept in its blob row (the small-object path) is hashed from the row when it has no file.
// A blob is damaged when its content file no longer matches its hash, is missing although the
// blob is referenced, or cannot be read. A file that does not match is moved to quarantine
// (BlobStore::quarantine), so that downloads of the objects using it answer DataLoss instead of
// serving wrong bytes, and so that the next upload of the same content puts a good copy back.
//
// Hashing runs without any lock, so uploads and collections of the content being read are never
// held up. Only a mismatch is confirmed under the content lock (blob row re-read, file re-hashed),
// so that a file the garbage collector deleted, or an upload replaced, meanwhile is never
// mistaken for damage or quarantined wrongly. Safe to run in several processes at once.
class ScrubContent {
 public:
  struct Damage {
    StorageClass storage_class;
    ContentHash hash;
    std::string reason;             // "content does not match its hash", ...
    std::vector<ObjectId> objects;  // some of the COMMITTED objects using the content
    bool newly_found = true;        // false: the blob was marked damaged by an earlier pass
  };

  struct Hooks {
    // Called after each `bytes` read; may sleep to throttle. Returning false stops the pass.
    std::function<bool(std::uint64_t bytes)> pace;
    // Called after each blob found intact, with its size.
    std::function<void(std::uint64_t bytes)> on_verified;
    // Called for each damaged blob, as it is found.
    std::function<void(const Damage&)> on_damage;
  };

  struct Report {
    std::uint64_t verified_blobs = 0;  // found intact
    std::uint64_t verified_bytes = 0;
    std::uint64_t damaged_blobs = 0;  // found damaged (newly or again)
    std::uint64_t newly_damaged = 0;
    bool complete = false;  // false: stopped by `pace` before every due blob was checked
  };

  // Blobs fetched per query.
  static constexpr std::size_t kBatchSize = 64;
  // Objects named per damaged blob.
  static constexpr std::size_t kObjectsListed = 20;

  // `sha256` (may be null) hashes content kept in blob rows (the small-object path); without it
  // such content is reported damaged as missing, so wire it wherever INLINE_MAX_BYTES is on.
  ScrubContent(MetadataStore& metadata, BlobStore& blobs, Clock& clock,
               const ChecksummerFactory* sha256 = nullptr)
      : metadata_(metadata), blobs_(blobs), clock_(clock), sha256_(sha256) {}

  // Checks every referenced blob not verified at or after `since` (pass the start of the pass to
  // check them all, or now - interval to check those due). Returns the first infrastructure error
  // (Unavailable, Internal from the database or the quarantine); work done stays recorded.
  // Blocking.
  Result<Report> run_pass(Timestamp since, const Hooks& hooks);

 private:
  // Checks one blob. Returns false when `pace` stopped it.
  Result<bool> check(const Blob& blob, const Hooks& hooks, Report& report);
  // Confirms a damage the unlocked read suggested, under the content lock, and records it.
  Status confirm(const Blob& blob, const Hooks& hooks, Report& report);
  // The SHA-256 of the content as stored: its file, else (NotFound from the file) the bytes its
  // row holds, read through `tx` when given.
  Result<ContentHash> hash_stored(StorageClass storage_class, const ContentHash& hash,
                                  const std::function<bool(std::uint64_t)>& pace,
                                  MetadataTransaction* tx);

  MetadataStore& metadata_;
  BlobStore& blobs_;
  Clock& clock_;
  const ChecksummerFactory* sha256_;
};

}  // namespace castor
