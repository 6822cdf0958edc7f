#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "domain/content_hash.h"
#include "domain/error.h"

namespace castor {

// One piece of a segmented content: the bytes [offset_bytes, offset_bytes + size_bytes) of the
// whole, stored as the file blob `hash` of the same storage class (docs/BLOBS_AND_BUNDLES.md,
// "Segmented content"). A content stored as one file is the single segment {its hash, 0, size}.
struct Segment {
  ContentHash hash;
  std::uint64_t offset_bytes = 0;
  std::uint64_t size_bytes = 0;

  friend bool operator==(const Segment&, const Segment&) = default;
};

// A content's piece hash and size, in content order, before offsets are assigned.
struct SegmentPiece {
  ContentHash hash;
  std::uint64_t size_bytes = 0;
};

// Lays `pieces` end to end: each segment starts where the previous one ends. InvalidArgument if a
// piece is empty or the total overflows 64 bits.
Result<std::vector<Segment>> lay_out_segments(std::span<const SegmentPiece> pieces);

// The total size in bytes of laid-out segments (the end of the last one; 0 for none).
std::uint64_t segments_size(std::span<const Segment> segments);

// The index of the segment that holds byte `offset` of laid-out, non-empty segments; the number
// of segments when `offset` is at or past the end.
std::size_t segment_at(std::span<const Segment> segments, std::uint64_t offset);

}  // namespace castor
