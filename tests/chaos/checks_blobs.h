#pragma once

#include <random>

#include "chaos/load_blobs.h"

// The chaos run's checks of blobs, bundles and upload sessions, with the load paused after a
// fault (see checks.h for the storage invariants and the objects).
namespace castor::chaos {

// Before the storage check: settles whatever went unanswered, so that nothing is left unknown —
// sessions whose creation, completion or abort was cut off (found by their hash, completed or
// aborted again: that must succeed or answer as a retry), bundles whose creation or deletion was
// (found by the tag in their metadata). The bundle listing must then be exactly the live bundles.
// Failures go to c.observations.
void settle_blob_api(BlobContext& c, std::mt19937_64& rng);

// After the storage check: every live bundle lists its files and downloads as tar and ZIP with
// the right bytes; every open session holds the parts acknowledged, and no other session is
// open; every blob that is protected (its grace) or held by a live bundle reads back byte-exact
// (composites also across a part boundary). Blobs found collected are dropped from the model.
// Failures go to c.observations.
void check_blob_api(BlobContext& c, std::mt19937_64& rng);

}  // namespace castor::chaos
