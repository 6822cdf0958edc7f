#include "client/merkle.h"

#include "client/sha256.h"
#include "domain/bundle.h"

namespace castor::client {
namespace {

Sha256Digest digest_of(std::string_view data) {
  Sha256 sha;
  sha.update(data);
  return sha.digest();
}

}  // namespace

std::string merkle_root(std::vector<MerkleLeaf> entries) {
  // The server's definition (domain/bundle.h), over castorctl's own OpenSSL digest.
  std::vector<BundleFile> files;
  files.reserve(entries.size());
  for (MerkleLeaf& entry : entries) {
    auto hash = ContentHash::parse(entry.hash);
    if (!hash) {
      return {};  // not a hash: no root (never equal to a server's)
    }
    files.push_back(BundleFile{std::move(entry.path), std::move(*hash)});
  }
  return bundle_merkle_root(files, digest_of);
}

}  // namespace castor::client
