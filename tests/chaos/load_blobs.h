#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "chaos/blob_ledger.h"
#include "chaos/ledger.h"
#include "chaos/load.h"

// The chaos load's operations on blobs (PUT, GET with Range, preflight) and bundles (create,
// manifest, tar and ZIP downloads, delete, list); upload sessions are in session_ops.h. Every
// answer is held to what the BlobLedger says castor must do: an acknowledged blob is readable
// while it is protected (its grace) or a live bundle holds it, a 409 `missing_blobs` never names
// such a blob, a live bundle lists and downloads its files byte-exact.
namespace castor::chaos {

struct BlobContext {
  const LoadSettings& settings;
  const Endpoints& endpoints;
  Ledger& ledger;  // objects that upload sessions complete into
  BlobLedger& blobs;
  Observations& observations;
};

// One operation, chosen at random: two thirds go to blobs and bundles, a third to upload
// sessions.
void blob_operation(BlobContext& context, int worker, std::mt19937_64& rng, std::uint64_t& serial);

// Content for blobs and sessions: mostly small, some medium, a few of several hundred KiB.
std::size_t blob_size(std::mt19937_64& rng);

// A Range header value over [first, last] and the bytes of `content` it names.
std::string range_header(std::uint64_t first, std::uint64_t last);

}  // namespace castor::chaos
