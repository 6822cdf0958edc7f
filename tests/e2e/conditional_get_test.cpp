// Conditional downloads of the native API: If-Match, If-Unmodified-Since, If-None-Match and
// If-Modified-Since together, in the order of RFC 9110 section 13.2.2 (api/conditional.h).

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "e2e/castor_api.h"
#include "e2e/shared_server.h"
#include "support/random_data.h"
#include "support/sha256.h"

namespace castor::e2e {
namespace {

using testing::Headers;
using testing::HttpClient;
using testing::HttpResponse;

constexpr const char* kLongAgo = "Thu, 01 Jan 1970 00:00:00 GMT";
constexpr const char* kFarAhead = "Fri, 31 Dec 9999 23:59:59 GMT";

struct Stored {
  std::string tenant{};
  std::string id{};
  std::string content{};
  std::string etag{};           // quoted
  std::string last_modified{};  // as the server sends it
};

Stored store(HttpClient& client) {
  Stored s{.tenant = testing::unique_name("cond"), .content = testing::random_bytes(3000)};
  s.etag = "\"" + testing::sha256_hex(s.content) + "\"";
  s.id = string_field(upload(client, {.tenant = s.tenant, .key = "cond.bin"}, s.content), "id");
  const HttpResponse head = by_id(client, "HEAD", s.id, s.tenant);
  REQUIRE(head.status == 200);
  s.last_modified = head.header("Last-Modified");
  REQUIRE_FALSE(s.last_modified.empty());
  return s;
}

// The status of `method` with `headers`, checking what each status must carry.
int status_of(HttpClient& client, const Stored& s, const std::string& method,
              const Headers& headers) {
  const HttpResponse r = by_id(client, method, s.id, s.tenant, headers);
  if (r.status == 200) {
    CHECK((method == "HEAD" ? r.body.empty() : r.body == s.content));
  } else if (r.status == 304) {
    CHECK(r.body.empty());
    CHECK(r.header("ETag") == s.etag);
    CHECK(r.header("Last-Modified") == s.last_modified);
  } else if (r.status == 412 && method == "GET") {
    require_error(r, 412, "precondition_failed");
  }
  return r.status;
}

}  // namespace

TEST_CASE("native GET/HEAD evaluate the four preconditions of RFC 9110",
          "[e2e][conditional][backend]") {
  HttpClient client = shared_server().server.client();
  const Stored s = store(client);
  const std::string& lm = s.last_modified;

  struct Case {
    Headers headers;
    int status;
  };
  const std::vector<Case> cases = {
      // If-Match: strong comparison; 412 when false.
      {{{"If-Match", s.etag}}, 200},
      {{{"If-Match", "*"}}, 200},
      {{{"If-Match", "\"other\", " + s.etag}}, 200},
      {{{"If-Match", "\"other\""}}, 412},
      {{{"If-Match", "W/" + s.etag}}, 412},
      // If-Unmodified-Since: 412 when modified after the date.
      {{{"If-Unmodified-Since", lm}}, 200},
      {{{"If-Unmodified-Since", kFarAhead}}, 200},
      {{{"If-Unmodified-Since", kLongAgo}}, 412},
      {{{"If-Unmodified-Since", "not a date"}}, 200},
      // If-None-Match: weak comparison; 304 when false.
      {{{"If-None-Match", "W/" + s.etag}}, 304},
      {{{"If-None-Match", "\"other\""}}, 200},
      // If-Modified-Since: 304 when not modified after the date.
      {{{"If-Modified-Since", lm}}, 304},
      {{{"If-Modified-Since", kFarAhead}}, 304},
      {{{"If-Modified-Since", kLongAgo}}, 200},
      {{{"If-Modified-Since", "yesterday"}}, 200},
      // Precedence (section 13.2.2): If-Match true hides If-Unmodified-Since; If-None-Match
      // hides If-Modified-Since; a failed If-Match wins over a false If-None-Match.
      {{{"If-Match", s.etag}, {"If-Unmodified-Since", kLongAgo}}, 200},
      {{{"If-None-Match", s.etag}, {"If-Modified-Since", kLongAgo}}, 304},
      {{{"If-None-Match", "\"other\""}, {"If-Modified-Since", kFarAhead}}, 200},
      {{{"If-Match", "\"other\""}, {"If-None-Match", s.etag}}, 412},
      {{{"If-Unmodified-Since", kLongAgo}, {"If-Modified-Since", kFarAhead}}, 412},
      // Preconditions come before Range.
      {{{"If-Match", "\"other\""}, {"Range", "bytes=0-9"}}, 412},
      {{{"If-None-Match", s.etag}, {"Range", "bytes=0-9"}}, 304},
      {{{"If-Match", s.etag}, {"Range", "bytes=0-9"}}, 206},
  };
  for (const std::string method : {"GET", "HEAD"}) {
    for (const Case& c : cases) {
      std::string shown;
      for (const auto& [name, value] : c.headers) {
        shown += name + ": " + value + "; ";
      }
      INFO(method << " " << shown);
      CHECK(status_of(client, s, method, c.headers) == c.status);
    }
  }
  // The connection is still in step after the 304s and 412s of HEAD and GET.
  CHECK(status_of(client, s, "GET", {}) == 200);
}

}  // namespace castor::e2e
