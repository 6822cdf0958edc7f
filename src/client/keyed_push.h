#pragma once

#include <string>
#include <vector>

#include "client/context.h"
#include "client/push.h"
#include "client/scan.h"

namespace castor::client {

// The keyed-objects half of a push: for each file, the key <prefix><relative path>. A key whose
// object already has the file's hash (HEAD by key, ETag) is left alone; a missing key gets
// POST /v1/objects (a file over options.part_size: an upload session with the key, resumed if an
// interrupted push left one, see SessionUploader); a key holding other content is deleted, then
// uploaded. Runs on `options.jobs` threads and counts into `summary`.
Status push_keyed_objects(const Context& context, const PushOptions& options,
                          const std::vector<ScannedFile>& files,
                          const std::vector<std::string>& hashes, PushSummary& summary);

}  // namespace castor::client
