#pragma once

// How the server and `castor gc` report the background maintenance in the log: a collection
// cycle's counts and skipped items, and damaged blobs found by the scrubber.

#include <string>

#include "application/collect_garbage.h"
#include "application/scrub_content.h"

namespace castor {

// One collection cycle's counts as "name=value ..." for a log line.
std::string describe(const CollectGarbage::Report& r);

// Logs (warn) what a collection cycle had to skip.
void log_failures(const CollectGarbage::Report& r);

// Logs (error) a damaged blob and the objects using it.
void log_damage(const ScrubContent::Damage& d);

}  // namespace castor
