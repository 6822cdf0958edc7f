#include "domain/segment.h"

#include <algorithm>
#include <limits>
#include <string>

namespace castor {

Result<std::vector<Segment>> lay_out_segments(std::span<const SegmentPiece> pieces) {
  std::vector<Segment> out;
  out.reserve(pieces.size());
  std::uint64_t offset = 0;
  for (const SegmentPiece& piece : pieces) {
    if (piece.size_bytes == 0) {
      return invalid_argument("segment " + std::to_string(out.size() + 1) + " is empty");
    }
    if (piece.size_bytes > std::numeric_limits<std::uint64_t>::max() - offset) {
      return invalid_argument("the segments add up to more than 2^64 bytes");
    }
    out.push_back({piece.hash, offset, piece.size_bytes});
    offset += piece.size_bytes;
  }
  return out;
}

std::uint64_t segments_size(std::span<const Segment> segments) {
  return segments.empty() ? 0 : segments.back().offset_bytes + segments.back().size_bytes;
}

std::size_t segment_at(std::span<const Segment> segments, std::uint64_t offset) {
  // The first segment that ends after `offset`.
  auto it = std::upper_bound(
      segments.begin(), segments.end(), offset,
      [](std::uint64_t o, const Segment& s) { return o < s.offset_bytes + s.size_bytes; });
  return static_cast<std::size_t>(it - segments.begin());
}

}  // namespace castor
