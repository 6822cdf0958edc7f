#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "application/ports/blob_store.h"
#include "application/ports/clock.h"

namespace castor::testing {

// The SHA-256 of `data` (OpenSSL EVP).
ContentHash sha256_of(std::string_view data);

// BlobStore in memory: content "files" keyed by (storage class, content hash) and temporary files
// keyed by object id, with the semantics of FsBlobStore (a writer whose temporary file was removed
// keeps writing into the void and then cannot be placed; open content survives its removal).
// Temporary files carry the `clock` time of their last write as modification time.
//
// Faults: fail_next makes the next call of one operation fail; fail_writes_after plays a disk that
// fills up. Thread-safe.
class MemoryBlobStore final : public BlobStore {
 public:
  enum class Op {
    kCreateTemp,
    kFinish,
    kPlace,
    kOpen,
    kExists,
    kRemove,
    kRemoveTemp,
    kScan,
    kSizeOf,
    kHashContent,
    kQuarantine
  };

  explicit MemoryBlobStore(Clock& clock) : clock_(clock) {}

  Result<std::unique_ptr<BlobWriter>> create_temp(StorageClass storage_class,
                                                  const ObjectId& object) override;
  Status place(BlobWriter& writer, StorageClass storage_class, const ContentHash& hash) override;
  Result<std::unique_ptr<BlobReader>> open(StorageClass storage_class,
                                           const ContentHash& hash) override;
  Result<bool> exists(StorageClass storage_class, const ContentHash& hash) override;
  Status remove(StorageClass storage_class, const ContentHash& hash) override;
  Status remove_temp(StorageClass storage_class, const ObjectId& object) override;
  Result<std::optional<Timestamp>> temp_modified_at(StorageClass storage_class,
                                                    const ObjectId& object) override;
  Result<std::size_t> remove_temps_older_than(Timestamp before) override;
  Status scan(StorageClass storage_class,
              const std::function<Status(const std::vector<ContentHash>&)>& visit) override;
  Result<ContentPage> scan_page(StorageClass storage_class, const std::optional<ContentHash>& after,
                                std::size_t limit) override;
  Result<std::optional<std::uint64_t>> size_of(StorageClass storage_class,
                                               const ContentHash& hash) override;
  Result<ContentHash> hash_content(StorageClass storage_class, const ContentHash& hash,
                                   const std::function<bool(std::uint64_t)>& pace) override;
  Result<ContentHash> hash_segments(StorageClass storage_class, std::span<const Segment> segments,
                                    const std::function<bool(std::uint64_t)>& pace) override;
  Status quarantine(StorageClass storage_class, const ContentHash& hash) override;

  // Fault injection.
  // Every remove() of this content file fails with `error` until cleared (an undeletable file).
  void fail_remove_of(StorageClass storage_class, const ContentHash& hash, Error error);
  // Every remove_temp() of this object's temporary file fails with `error` (an undeletable path).
  void fail_remove_temp_of(const ObjectId& object, Error error);
  // Runs `hook` (once) inside the next hash_content, after reading and before returning: plays
  // whatever happens concurrently with a scrub's read.
  void on_next_hash(std::function<void()> hook);
  // The next call of `op` fails with `error` (one-shot, per operation).
  void fail_next(Op op, Error error);
  // The disk holds `bytes` more bytes of writes: the write that crosses it stores what fits and
  // fails with ResourceExhausted, as do all writes after it. nullopt = unlimited (the default).
  void fail_writes_after(std::optional<std::uint64_t> bytes);

  // Inspection and set-up, outside the port.
  bool has_content(StorageClass storage_class, const ContentHash& hash) const;
  // The bytes of a content file, or nullopt if there is none.
  std::optional<std::string> content(StorageClass storage_class, const ContentHash& hash) const;
  std::size_t content_count() const;
  bool has_temp(const ObjectId& object) const;
  std::size_t temp_count() const;
  // How many times place() was called.
  std::size_t place_calls() const;
  // Stores a content file directly (what a crash between rename and commit leaves); returns its
  // hash.
  ContentHash put_content(StorageClass storage_class, std::string_view bytes);
  // Replaces the bytes of a content file in place (bit rot, a truncated file); the name stays.
  void overwrite_content(StorageClass storage_class, const ContentHash& hash,
                         std::string_view bytes);
  // How many content files were moved to quarantine.
  std::size_t quarantined_count() const;
  // Stores a temporary file directly (what a crashed upload leaves), modified now.
  void put_temp(StorageClass storage_class, const ObjectId& object, std::string_view bytes);

  // A temporary file. Shared by the store's directory and the writer that writes it.
  struct TempFile {
    StorageClass storage_class;
    std::string bytes;
    Timestamp modified;
  };

 private:
  friend class MemoryBlobWriter;
  using ContentKey = std::pair<StorageClass, ContentHash>;

  // Returns and clears the fault injected for `op`, if any. Requires mu_.
  std::optional<Error> take_fault(Op op);
  // Appends to `file` as much of `data` as the disk allows; sets `written` to how much.
  Status append(TempFile& file, std::span<const std::byte> data, std::size_t& written);
  // Unlinks `object`'s temporary file if it is still `file`.
  void drop_temp(const ObjectId& object, const std::shared_ptr<TempFile>& file);

  Clock& clock_;
  mutable std::mutex mu_;
  std::map<ContentKey, std::shared_ptr<const std::string>> contents_;  // guarded by mu_
  std::map<ObjectId, std::shared_ptr<TempFile>> temps_;                // guarded by mu_
  std::map<Op, Error> faults_;                                         // guarded by mu_
  std::optional<std::uint64_t> free_bytes_;                            // guarded by mu_
  std::size_t place_calls_ = 0;                                        // guarded by mu_
  std::map<ContentKey, Error> remove_faults_;                          // guarded by mu_
  std::map<ObjectId, Error> remove_temp_faults_;                       // guarded by mu_
  std::function<void()> hash_hook_;                                    // guarded by mu_
  std::vector<std::shared_ptr<const std::string>> quarantined_;        // guarded by mu_
};

}  // namespace castor::testing
