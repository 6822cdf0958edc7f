#pragma once

#include <cstdint>

namespace castor::client {

// The most parts an upload session takes (the server's `max_parts`).
inline constexpr std::uint32_t kMaxUploadParts = 10'000;

// How a content of `content_size` bytes is cut into the parts of an upload session: part n
// (1-based) covers the bytes [(n-1)·P, min(n·P, content_size)). P is the requested part size,
// raised when the content would otherwise need more than kMaxUploadParts parts (to the smallest
// multiple of 1 MiB that fits). The same size and request always give the same layout, which is
// what lets a later push resume a session: it compares the parts the server holds with these.
class PartLayout {
 public:
  // `requested_part_size` must be at least 1.
  PartLayout(std::uint64_t content_size, std::uint64_t requested_part_size);

  std::uint64_t content_size() const { return content_size_; }
  std::uint64_t part_size() const { return part_size_; }
  // How many parts: 0 for an empty content.
  std::uint32_t count() const { return count_; }
  // Where part `n` (1..count()) starts, and how many bytes it has.
  std::uint64_t offset(std::uint32_t n) const { return (n - 1) * part_size_; }
  std::uint64_t size_of(std::uint32_t n) const;

 private:
  std::uint64_t content_size_;
  std::uint64_t part_size_;
  std::uint32_t count_;
};

// Whether a content of `content_size` bytes goes through an upload session rather than one
// request: when it is larger than `part_size` (push's --part-size).
inline bool needs_session(std::uint64_t content_size, std::uint64_t part_size) {
  return content_size > part_size;
}

}  // namespace castor::client
