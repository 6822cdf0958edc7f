#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "application/collect_garbage.h"
#include "application/list_objects.h"
#include "domain/object.h"
#include "domain/usage.h"

namespace castor {

// The JSON shape of an object, as JustStorage returns it:
// {id, namespace, tenant_id, key, status, storage_class, content_hash ("sha256:<hex>" or null),
//  size_bytes, content_type, created_at, updated_at (RFC 3339 UTC), content_disposition (or null),
//  metadata (the user metadata object, {} when none; docs/METADATA.md), retention ({mode,
//  retain_until} or null) and legal_hold (docs/RETENTION.md)}.
std::string object_json(const Object& object);

// {"objects": [...], "next_cursor": "..." | null}
std::string list_page_json(const ListObjects::Page& page);

// The counts of one garbage-collection cycle.
std::string gc_report_json(const CollectGarbage::Report& report);

// {"objects", "logical_bytes", "physical_bytes"} of one class or a total
// (docs/USAGE_AND_QUOTAS.md).
boost::json::object usage_figures_json(const UsageFigures& figures);

}  // namespace castor
