#pragma once

#include <cstdint>
#include <random>

#include "chaos/load_blobs.h"

// The chaos load's bundle operations: create (from the blobs it stored, with long, non-ASCII and
// nested paths and modes), read the manifest, download as tar or ZIP, delete, list.
namespace castor::chaos {

void create_bundle(BlobContext& c, int worker, std::mt19937_64& rng, std::uint64_t& serial,
                   std::uint16_t port, std::size_t max_files);
void read_manifest(BlobContext& c, std::mt19937_64& rng, std::uint16_t port);
void download_bundle(BlobContext& c, std::mt19937_64& rng, std::uint16_t port);
void delete_bundle(BlobContext& c, std::mt19937_64& rng, std::uint16_t port);
void list_bundles(BlobContext& c, std::mt19937_64& rng, std::uint16_t port);

}  // namespace castor::chaos
