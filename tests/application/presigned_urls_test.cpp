// PresignedUrls: what a signed URL looks like, and that any change to its path, query, expiry,
// credential or signature is refused, as is a URL past its expiry or one whose API key was
// revoked; plus GcHistory's bound and order.
#include "application/presign/presigned_urls.h"

#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "application/gc_history.h"
#include "domain/presigned_url.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_key_material.h"
#include "infrastructure/openssl_hmac.h"

namespace castor {
namespace {

using std::chrono::seconds;

const std::string kKey(32, '\x5a');

struct World {
  testing::FakeClock clock;
  testing::FakeKeyMaterial compare;
  OpensslSigv4Crypto crypto;
  bool revoked = false;
  PresignedUrls urls{
      kKey, crypto, compare, clock, [this](const std::string& id) -> Result<Principal> {
        if (revoked) {
          return Error{ErrorCode::kUnauthenticated, "API key revoked"};
        }
        return Principal{"key:" + id, *TenantId::parse("acme"),
                         Scopes{Scope::kObjectsRead, Scope::kObjectsWrite, Scope::kObjectsDelete}};
      }};

  std::string sign(const Principal& p, std::string_view target, seconds ttl = seconds(300)) {
    auto url = urls.sign(p, target, ttl);
    REQUIRE(url);
    return url->url;
  }
};

Principal key_principal() {
  return {"key:k1", *TenantId::parse("acme"), Scopes{Scope::kObjectsRead, Scope::kObjectsWrite}};
}

std::int64_t unix_now(testing::FakeClock& clock) {
  return std::chrono::floor<seconds>(clock.now()).time_since_epoch().count();
}

void expect_refused(World& w, const std::string& target, std::string_view reason) {
  auto p = w.urls.verify(target);
  INFO(target);
  REQUIRE(!p);
  CHECK(p.error().code == ErrorCode::kPermissionDenied);
  CHECK(p.error().reason == reason);
}

TEST_CASE("presign: a signed URL verifies and runs as the key narrowed to objects:read", "[unit]") {
  World w;
  const std::string url = w.sign(key_principal(), "/v1/objects/0193a1b2?tenant_id=acme");
  const std::string expires = std::to_string(unix_now(w.clock) + 300);
  CHECK(url.starts_with("/v1/objects/0193a1b2?tenant_id=acme&X-Castor-Expires=" + expires +
                        "&X-Castor-Credential=key%3Ak1&X-Castor-Signature="));
  CHECK(url.size() == url.find("X-Castor-Signature=") + 19 + 64);
  auto p = w.urls.verify(url);
  REQUIRE(p);
  CHECK(p->credential == "key:k1");
  CHECK(p->tenant == TenantId::parse("acme").value());
  CHECK(p->scopes == Scopes{Scope::kObjectsRead});  // narrowed: the key also has write, delete

  // Without a query, the parameters start the query.
  const std::string blob = w.sign(key_principal(), "/v1/blobs/abc");
  CHECK(blob.starts_with("/v1/blobs/abc?X-Castor-Expires="));
  CHECK(w.urls.verify(blob));
}

TEST_CASE("presign: any change to the URL is refused", "[unit]") {
  World w;
  const std::string url = w.sign(key_principal(), "/v1/objects/by-key/docs/acme/a%20b.txt");
  REQUIRE(w.urls.verify(url));
  auto replace = [&](std::string_view from, std::string_view to) {
    std::string out = url;
    const auto at = out.find(from);
    REQUIRE(at != std::string::npos);
    out.replace(at, from.size(), to);
    return out;
  };
  const std::string expires = std::to_string(unix_now(w.clock) + 300);
  expect_refused(w, replace("a%20b.txt", "a%20c.txt"), "signature_mismatch");  // path
  expect_refused(w, replace("/docs/", "/other/"), "signature_mismatch");
  expect_refused(w,
                 replace("X-Castor-Expires=" + expires,
                         "X-Castor-Expires=" + std::to_string(unix_now(w.clock) + 9999)),
                 "signature_mismatch");                                        // expiry
  expect_refused(w, replace("key%3Ak1", "key%3Ak2"), "signature_mismatch");    // credential
  expect_refused(w, url + "&tenant_id=other", "signature_mismatch");           // added after
  expect_refused(w, replace("?", "?tenant_id=other&"), "signature_mismatch");  // added before
  expect_refused(w, url.substr(0, url.size() - 1) + (url.back() == '0' ? "1" : "0"),
                 "signature_mismatch");  // signature
  expect_refused(w, url.substr(0, url.find("&X-Castor-Signature")) + "&X-Castor-Signature=",
                 "signature_mismatch");
  // Upper-case hex is another text: refused too (the signer writes lower case).
  std::string upper = url;
  for (auto i = upper.find("Signature=") + 10; i < upper.size(); ++i) {
    upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[i])));
  }
  if (upper != url) {
    expect_refused(w, upper, "signature_mismatch");
  }
  // Another key signs other URLs.
  World other;
  PresignedUrls stranger{std::string(32, '\x11'), other.crypto, other.compare, w.clock,
                         [](const std::string&) -> Result<Principal> { return key_principal(); }};
  auto foreign =
      stranger.sign(key_principal(), "/v1/objects/by-key/docs/acme/a%20b.txt", seconds(300));
  REQUIRE(foreign);
  expect_refused(w, foreign->url, "signature_mismatch");
}

TEST_CASE("presign: expiry, revocation and refused requests", "[unit]") {
  World w;
  const std::string url = w.sign(key_principal(), "/v1/blobs/abc", seconds(1));
  REQUIRE(w.urls.verify(url));
  w.clock.advance(std::chrono::seconds(1));
  expect_refused(w, url, "url_expired");

  const std::string later = w.sign(key_principal(), "/v1/blobs/abc");
  w.revoked = true;
  auto revoked = w.urls.verify(later);
  REQUIRE(!revoked);
  CHECK(revoked.error().code == ErrorCode::kUnauthenticated);

  for (auto ttl : {seconds(0), seconds(3601)}) {
    auto refused = w.urls.sign(key_principal(), "/v1/blobs/abc", ttl);
    REQUIRE(!refused);
    CHECK(refused.error().code == ErrorCode::kInvalidArgument);
  }
  auto smuggled = w.urls.sign(key_principal(), "/v1/blobs/abc?X-Castor-Expires=1", seconds(5));
  REQUIRE(!smuggled);
  CHECK(smuggled.error().code == ErrorCode::kInvalidArgument);
  Principal writer{"key:w", *TenantId::parse("acme"), Scopes{Scope::kObjectsWrite}};
  auto unreadable = w.urls.sign(writer, "/v1/blobs/abc", seconds(5));
  REQUIRE(!unreadable);
  CHECK(unreadable.error().code == ErrorCode::kPermissionDenied);

  // A credential that expires sooner cuts the URL's life to its own.
  Principal short_lived = key_principal();
  short_lived.expires_at = w.clock.now() + seconds(10);
  auto cut = w.urls.sign(short_lived, "/v1/blobs/abc", seconds(3600));
  REQUIRE(cut);
  CHECK(cut->expires_at.time_since_epoch().count() == unix_now(w.clock) + 10);
}

TEST_CASE("presign: a JWT's tenant and namespaces travel signed", "[unit]") {
  World w;
  Principal jwt{"jwt:alice",
                *TenantId::parse("acme"),
                Scopes{Scope::kAdmin},
                {*Namespace::parse("a"), *Namespace::parse("b")}};
  const std::string url = w.sign(jwt, "/v1/objects/by-key/a/acme/k");
  CHECK(url.find("&X-Castor-Tenant=acme&X-Castor-Namespaces=a%2Cb&") != std::string::npos);
  auto p = w.urls.verify(url);
  REQUIRE(p);
  CHECK(p->credential == "jwt:alice");
  CHECK(p->tenant == TenantId::parse("acme").value());
  CHECK(p->namespaces.size() == 2);
  CHECK(p->scopes == Scopes{Scope::kObjectsRead});  // admin narrowed too

  std::string widened = url;
  widened.replace(widened.find("Namespaces=a%2Cb"), 16, "Namespaces=");
  expect_refused(w, widened, "signature_mismatch");
  std::string moved = url;
  moved.replace(moved.find("Tenant=acme"), 11, "Tenant=%2A");
  expect_refused(w, moved, "signature_mismatch");

  Principal everyone{"jwt:root", std::nullopt, Scopes{Scope::kObjectsRead}};
  auto all = w.urls.verify(w.sign(everyone, "/v1/objects/x?tenant_id=t"));
  REQUIRE(all);
  CHECK(!all->tenant);
  CHECK(all->namespaces.empty());
}

TEST_CASE("gc history: newest first, at most 50", "[unit]") {
  GcHistory history(seconds(60));
  CHECK(history.newest_first().empty());
  CHECK(history.interval() == seconds(60));
  for (std::uint64_t i = 0; i < 60; ++i) {
    GcHistory::Cycle c;
    c.report.deleted_blobs = i;
    history.record(c);
  }
  auto cycles = history.newest_first();
  REQUIRE(cycles.size() == GcHistory::kMaxCycles);
  CHECK(cycles.front().report.deleted_blobs == 59);
  CHECK(cycles.back().report.deleted_blobs == 10);
  CHECK(!GcHistory(std::nullopt).interval());
}

}  // namespace
}  // namespace castor
