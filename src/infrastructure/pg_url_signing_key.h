#pragma once

#include <string>

#include "application/ports/key_material.h"
#include "domain/error.h"

namespace castor {

// The presigned URLs' signing key (migrations/017_url_signing_keys.sql): 32 raw bytes. Creates it
// from `random` when the table has none (INSERT ... ON CONFLICT DO NOTHING, so that replicas
// starting together agree on one), then reads it. One short connection of its own; call once at
// start. Unavailable when the database cannot be reached, Internal when the stored key is
// malformed.
Result<std::string> load_url_signing_key(const std::string& database_url, KeyMaterial& random);

}  // namespace castor
