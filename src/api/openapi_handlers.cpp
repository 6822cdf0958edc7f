// GET /openapi.json: castor's OpenAPI 3.1 document (src/api/openapi/, docs/OPENAPI.md).
#include "api/conditional.h"
#include "api/openapi_document.h"
#include "api/routes.h"

namespace castor::api {

namespace http = boost::beast::http;

// Open like the probes. The document is fixed for a build, so its ETag is its SHA-256 and
// If-None-Match gets a 304 (RFC 9110 §13.1.2, weak comparison).
Awaitable<void> handle_openapi(ServerCore& s, Connection& c, Exchange& ex, const PathParams&) {
  const OpenApiDocument& doc = openapi_document();
  Headers headers;
  headers.emplace_back("ETag", doc.etag);
  headers.emplace_back("Cache-Control", "no-cache");
  const std::string_view tag = std::string_view(doc.etag).substr(1, doc.etag.size() - 2);
  const auto inm = ex.header("If-None-Match");
  const bool unchanged = inm && http_params::etag_list_matches(*inm, tag, /*strong=*/false);
  // Locals, not temporaries, in the co_await expressions (GCC 12's coroutine bugs).
  const http::status status = unchanged ? http::status::not_modified : http::status::ok;
  std::string body = unchanged ? std::string() : doc.json;
  const std::string_view content_type = "application/json";
  co_await s.send(c, ex, status, std::move(body), content_type, std::move(headers));
}

}  // namespace castor::api
