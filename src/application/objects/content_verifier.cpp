#include "application/objects/content_verifier.h"

#include <algorithm>
#include <vector>

namespace castor {

Result<std::unique_ptr<ContentVerifier>> ContentVerifier::create(const ChecksummerFactory& sha256,
                                                                 ContentHash expected,
                                                                 std::uint64_t size) {
  auto summer = sha256.create(ChecksumAlgorithm::kSha256);
  if (!summer) {
    return std::move(summer).error();
  }
  return std::unique_ptr<ContentVerifier>(
      new ContentVerifier(std::move(*summer), std::move(expected), size));
}

void ContentVerifier::update(std::span<const std::byte> data) {
  summer_->update(data.data(), data.size());
  seen_ += data.size();
}

ContentVerifier::Verdict ContentVerifier::finish() {
  const std::vector<std::uint8_t> digest = summer_->digest();
  ContentHash::Bytes bytes{};
  std::copy_n(digest.begin(), std::min(digest.size(), bytes.size()), bytes.begin());
  ContentHash actual = ContentHash::from_bytes(bytes);
  const bool intact = digest.size() == bytes.size() && seen_ == size_ && actual == expected_;
  return Verdict{std::move(actual), intact};
}

}  // namespace castor
