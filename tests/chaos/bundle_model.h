#pragma once

#include <string>
#include <vector>

#include "chaos/blob_ledger.h"
#include "support/http_client.h"

// What castor must answer about a bundle the chaos load created: its Merkle root (computed here
// from docs/BLOBS_AND_BUNDLES.md, not by castor's code), its manifest and its archives.
namespace castor::chaos {

// The bundle's Merkle root: leaves SHA-256("path:hash") sorted by path, parents
// SHA-256(left || right), an odd level's last node paired with itself; SHA-256("") if empty.
std::string merkle_root(const std::vector<BundleFile>& files);

// The body of POST /v1/bundles for `bundle` (its files, its tag as metadata, the root if asked).
std::string bundle_request(const BundleRecord& bundle, bool with_root);

// "" if `response` (to GET /v1/bundles/{id}) is the bundle's manifest, else what is wrong.
std::string manifest_problem(const BundleRecord& bundle, const testing::HttpResponse& response);

// "" if `response` (to GET /v1/bundles/{id}/download) is a 200 with an archive of the format
// whose entries are the bundle's files in path order, with their modes and bytes; else what is
// wrong.
std::string archive_problem(const BundleRecord& bundle, const testing::HttpResponse& response,
                            bool zip);

}  // namespace castor::chaos
