#include "api/key_path.h"

#include <string>

#include <catch2/catch.hpp>

namespace castor::api {

TEST_CASE("parse_key_path decodes and validates namespace, tenant and key", "[unit]") {
  auto kp = parse_key_path("docs/acme/reports%2F2026%20q1/a%C3%A9.pdf");
  REQUIRE(kp);
  CHECK(kp->ns.str() == "docs");
  CHECK(kp->tenant.str() == "acme");
  CHECK(kp->key.str() == "reports/2026 q1/a\xc3\xa9.pdf");
  // Slashes after the tenant belong to the key.
  auto nested = parse_key_path("docs/acme/a/b/c");
  REQUIRE(nested);
  CHECK(nested->key.str() == "a/b/c");
}

TEST_CASE("parse_key_path refuses malformed paths with InvalidArgument", "[unit]") {
  // The part of the path after /v1/objects/by-key/ (the route's {rest...}).
  for (const char* bad : {
           "docs/acme",         // no key
           "docs/acme/",        // empty key
           "docs",              // no tenant
           "docs/",             // empty tenant, no key
           "",                  // nothing
           "Docs/acme/k",       // namespace not a name
           "docs/ac%2Fme/k",    // tenant not a name once decoded
           "docs/acme/k%",      // truncated escape
           "docs/acme/k%zz",    // bad escape
           "docs/acme/k%00",    // control character in the key
           "docs/acme/%C3%28",  // invalid UTF-8
       }) {
    INFO(bad);
    auto kp = parse_key_path(bad);
    REQUIRE_FALSE(kp);
    CHECK(kp.error().code == ErrorCode::kInvalidArgument);
  }
}

}  // namespace castor::api
