#include "client/merkle.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

#include "client/sha256.h"
#include "domain/hex.h"

namespace castor::client {

std::string merkle_root(std::vector<MerkleLeaf> entries) {
  if (entries.empty()) {
    return std::string(kEmptySha256);
  }
  std::sort(entries.begin(), entries.end(),
            [](const MerkleLeaf& a, const MerkleLeaf& b) { return a.path < b.path; });
  using Digest = std::array<std::uint8_t, 32>;
  Sha256 sha;
  std::vector<Digest> level;
  level.reserve(entries.size());
  for (const MerkleLeaf& entry : entries) {
    sha.update(entry.path);
    sha.update(":");
    sha.update(entry.hash);
    level.push_back(sha.digest());
  }
  auto bytes = [](const Digest& d) {
    return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
  };
  while (level.size() > 1) {
    std::vector<Digest> parents;
    parents.reserve((level.size() + 1) / 2);
    for (std::size_t i = 0; i < level.size(); i += 2) {
      const Digest& left = level[i];
      const Digest& right = i + 1 < level.size() ? level[i + 1] : level[i];
      sha.update(bytes(left));
      sha.update(bytes(right));
      parents.push_back(sha.digest());
    }
    level = std::move(parents);
  }
  return to_hex(level.front());
}

}  // namespace castor::client
