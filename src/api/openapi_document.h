#pragma once
// castor's OpenAPI 3.1 document (GET /openapi.json): src/api/openapi/openapi.json merged with every
// fragment in src/api/openapi/paths/*.json, all embedded into the binary at build time (CMake,
// src/api/openapi_embedded.cpp.in). docs/OPENAPI.md says how the document is kept true.

#include <span>
#include <string>
#include <string_view>

#include "domain/error.h"

namespace castor::api {

// The served document: its JSON text and its strong ETag, quoted ("\"<sha256 hex>\"").
struct OpenApiDocument {
  std::string json;
  std::string etag;
};

// The embedded sources: the base document first, then the fragments in file-name order.
// Defined in the generated openapi_embedded.cpp.
std::span<const std::string_view> embedded_openapi_sources();

// The merged document, built once on first use (thread-safe). Sources that do not merge abort the
// process: a build error every test run would hit (tests/api/openapi_test.cpp).
const OpenApiDocument& openapi_document();

// Merges `fragments` into `base`, in order, and returns the compact JSON text. Each source must be
// a JSON object. A fragment's objects merge member by member, recursively; its arrays append the
// elements the base's array lacks (so "parameters", "required", "tags" and "security" grow);
// anything else (a string, a number, or a value of another type) replaces the base's value.
// InvalidArgument naming the source (0 = base) that is not a JSON object.
[[nodiscard]] Result<std::string> merge_openapi(std::span<const std::string_view> sources);

}  // namespace castor::api
