#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "application/ports/blob_store.h"

namespace castor {

class S3BlobStore;

// Read access to one content key of an S3 bucket through ranged GETs (GetObject with Range) of
// windows of part_size bytes. A read is served from the current window; when reads are
// sequential (each starts where the previous one ended), the next window is fetched ahead on the
// store's transfer pool, so a whole-content read streams at about the backend's speed with one
// GET per window. A read elsewhere fetches a fresh window from its offset. Memory: at most two
// windows (the current one and the one ahead). Not thread-safe (BlobReader). The store outlives
// it; a window still arriving when the reader goes is dropped when it lands.
class S3BlobReader final : public BlobReader {
 public:
  // Use S3BlobStore::open. `size` is what HEAD said.
  S3BlobReader(S3BlobStore& store, std::string key, std::uint64_t size);
  ~S3BlobReader() override;
  S3BlobReader(const S3BlobReader&) = delete;
  S3BlobReader& operator=(const S3BlobReader&) = delete;

  std::uint64_t size() const override { return size_; }
  // Fills `out` from `offset` up to the end of the content (0 at or past it). Blocks on the
  // network when the bytes are not in a window yet. S3Client's errors (NotFound if the content
  // went meanwhile); DataLoss if the content ends before `size()`.
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override;

  struct Window;

 private:
  // Makes current_ the window holding `position`: the one ahead if it holds it, else a fresh one.
  Status move_to(std::uint64_t position);
  // A window of up to part_size bytes from `offset`, not fetched yet.
  std::shared_ptr<Window> make_window(std::uint64_t offset);

  S3BlobStore& store_;
  std::string key_;
  std::uint64_t size_;
  std::shared_ptr<Window> current_;  // fetched
  std::shared_ptr<Window> ahead_;    // on the transfer pool, or fetched
  std::uint64_t last_end_ = 0;       // where the previous read ended
};

}  // namespace castor
