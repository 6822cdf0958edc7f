#include "api/key_path.h"

#include <string>

#include <catch2/catch.hpp>

namespace castor::api {

TEST_CASE("parse_key_path decodes and validates namespace, tenant and key", "[unit]") {
  auto kp = parse_key_path("/v1/objects/by-key/docs/acme/reports%2F2026%20q1/a%C3%A9.pdf");
  REQUIRE(kp);
  CHECK(kp->ns.str() == "docs");
  CHECK(kp->tenant.str() == "acme");
  CHECK(kp->key.str() == "reports/2026 q1/a\xc3\xa9.pdf");
  // Slashes after the tenant belong to the key.
  auto nested = parse_key_path("/v1/objects/by-key/docs/acme/a/b/c");
  REQUIRE(nested);
  CHECK(nested->key.str() == "a/b/c");
}

TEST_CASE("parse_key_path refuses malformed paths with InvalidArgument", "[unit]") {
  for (const char* bad : {
           "/v1/objects/by-key/docs/acme",         // no key
           "/v1/objects/by-key/docs/acme/",        // empty key
           "/v1/objects/by-key/docs",              // no tenant
           "/v1/objects/by-key/",                  // nothing
           "/v1/objects/by-key/Docs/acme/k",       // namespace not a name
           "/v1/objects/by-key/docs/ac%2Fme/k",    // tenant not a name once decoded
           "/v1/objects/by-key/docs/acme/k%",      // truncated escape
           "/v1/objects/by-key/docs/acme/k%zz",    // bad escape
           "/v1/objects/by-key/docs/acme/k%00",    // control character in the key
           "/v1/objects/by-key/docs/acme/%C3%28",  // invalid UTF-8
           "/v1/objects/by-key",                   // shorter than the prefix
           "/v1/objects/other/docs/acme/k",        // not a by-key path at all
           "",
       }) {
    INFO(bad);
    auto kp = parse_key_path(bad);
    REQUIRE_FALSE(kp);
    CHECK(kp.error().code == ErrorCode::kInvalidArgument);
  }
}

}  // namespace castor::api
