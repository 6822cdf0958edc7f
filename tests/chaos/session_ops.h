#pragma once

#include <cstdint>
#include <random>

#include "chaos/load_blobs.h"

// The chaos load's upload sessions. A session lives across many operations (and faults): it is
// created (into an object of the namespace or into a blob), its parts are sent out of order,
// retried, sometimes first with other bytes (replaced later) or a wrong X-Content-SHA256 (400),
// its status is read and held to the parts acknowledged, and it is completed (the result read
// back whole and with a Range across a part boundary, and completed again as a retry) or aborted.
// A session whose last request went unanswered is settled by the next operation that picks it:
// GET it, and if it is open complete (or abort) it again, which must succeed or answer as a retry.
namespace castor::chaos {

void session_operation(BlobContext& c, int worker, std::mt19937_64& rng, std::uint64_t& serial,
                       std::uint16_t port);

// With the load paused and no fault under way: settles every session whose creation, completion
// or abort went unanswered (found by its hash, completed or aborted again); every answer must be
// definite. Failures go to c.observations.
void settle_sessions(BlobContext& c, std::uint16_t port, std::mt19937_64& rng);

// With the load paused: the open sessions castor lists are exactly the open ones of the model,
// and each holds the parts the model allows (acknowledged parts listed with their hashes).
void check_sessions(BlobContext& c, std::uint16_t port, std::mt19937_64& rng);

}  // namespace castor::chaos
