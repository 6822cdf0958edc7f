#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "application/search/search_objects.h"
#include "domain/error.h"

namespace castor::api {

// The body of POST /v1/objects/search (docs/SEARCH.md), parsed: the request for SearchObjects
// (its filter's tenant left empty) and the tenant_id the body named, if any.
struct SearchBody {
  SearchObjects::Request request;
  std::optional<TenantId> tenant;
};

// Parses a JSON object of the documented fields. InvalidArgument, naming the field, for a body
// that is not a JSON object, an unknown field (at the top or inside a range), a value of the wrong
// type, an invalid namespace, tenant, storage class, sort_by or sort_direction, a negative or
// non-integer size, a date that is not RFC 3339, or a limit that is not an integer. null means
// absent. Range and limit bounds are SearchObjects' to check.
Result<SearchBody> parse_search_request(std::string_view body);

// {"objects": [object JSON, as GET /v1/objects lists them], "next_cursor": string|null} and
// "total" when the page has one.
std::string search_page_json(const SearchObjects::Page& page);

}  // namespace castor::api
