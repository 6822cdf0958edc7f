#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "application/ports/checksummer.h"
#include "domain/content_hash.h"
#include "domain/error.h"

namespace castor {

// Re-hashes content read front to back, piece by piece, and compares it with its address: the
// check behind GET /v1/objects/{id}?verify=true (docs/TIERING.md, "Verified reads"). Not
// thread-safe; owned by one response.
class ContentVerifier {
 public:
  // What the verifier concluded once every byte was seen.
  struct Verdict {
    ContentHash actual;   // the SHA-256 of the bytes seen
    bool intact = false;  // actual == expected and exactly `size` bytes were seen
  };

  // A verifier of `size` bytes that must hash to `expected`. Internal if `sha256` cannot make a
  // SHA-256 checksummer.
  static Result<std::unique_ptr<ContentVerifier>> create(const ChecksummerFactory& sha256,
                                                         ContentHash expected, std::uint64_t size);

  // Adds the next bytes of the content, in order.
  void update(std::span<const std::byte> data);
  // Bytes seen so far.
  std::uint64_t seen() const { return seen_; }
  const ContentHash& expected() const { return expected_; }
  // The verdict over the bytes seen; call once, after the last update.
  Verdict finish();

 private:
  ContentVerifier(std::unique_ptr<Checksummer> summer, ContentHash expected, std::uint64_t size)
      : summer_(std::move(summer)), expected_(std::move(expected)), size_(size) {}

  std::unique_ptr<Checksummer> summer_;
  ContentHash expected_;
  std::uint64_t size_;
  std::uint64_t seen_ = 0;
};

}  // namespace castor
