#pragma once

#include <string_view>

#include "domain/error.h"
#include "domain/names.h"
#include "domain/object_key.h"

namespace castor::api {

// The (namespace, tenant, key) of a by-key path: /v1/objects/by-key/{ns}/{tenant}/{key...}.
struct KeyPath {
  Namespace ns;
  TenantId tenant;
  ObjectKey key;
};

// Parses the part of a by-key path after "/v1/objects/by-key/" (the route's {rest...}, still
// percent-encoded): "{ns}/{tenant}/{key...}", the key running to the end, slashes included. Each
// part is percent-decoded, then validated. InvalidArgument when a part is missing, an escape is
// malformed, or a part is not a valid name or key. Pure (no Beast), so that the fuzz targets
// reach it.
Result<KeyPath> parse_key_path(std::string_view rest);

}  // namespace castor::api
