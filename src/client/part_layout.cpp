#include "client/part_layout.h"

#include <algorithm>

namespace castor::client {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

std::uint64_t divide_up(std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

}  // namespace

PartLayout::PartLayout(std::uint64_t content_size, std::uint64_t requested_part_size)
    : content_size_(content_size), part_size_(std::max<std::uint64_t>(requested_part_size, 1)) {
  if (divide_up(content_size_, part_size_) > kMaxUploadParts) {
    part_size_ = divide_up(divide_up(content_size_, kMaxUploadParts), kMiB) * kMiB;
  }
  count_ = static_cast<std::uint32_t>(divide_up(content_size_, part_size_));
}

std::uint64_t PartLayout::size_of(std::uint32_t n) const {
  const std::uint64_t start = offset(n);
  return std::min(part_size_, content_size_ - start);
}

}  // namespace castor::client
