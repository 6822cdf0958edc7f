#pragma once

#include <string>
#include <vector>

namespace castor::client {

// One bundle entry as the Merkle root sees it.
struct MerkleLeaf {
  std::string path{};
  std::string hash{};  // 64 lowercase hex digits
};

// The bundle Merkle root of fal-bundles, as lowercase hex: entries sorted by path (bytewise);
// leaf = SHA-256 of "path:hash"; parent = SHA-256(left || right) over the 32-byte digests; an odd
// node is paired with itself; one leaf is its own root; no entries → SHA-256 of "". The
// definition is the server's (domain/bundle.h). Empty when an entry's hash is not 64 hex digits.
std::string merkle_root(std::vector<MerkleLeaf> entries);

}  // namespace castor::client
