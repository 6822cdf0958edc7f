// ListS3 over PostgreSQL: common prefixes, start-after and truncation with keys compared as bytes
// (COLLATE "C"), beyond ASCII up to U+10FFFF, through the objects_listing index's keyset cursor.
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "application/list_s3.h"
#include "infrastructure/system_services.h"
#include "pg_fixture.h"
#include "support/sha256.h"

namespace castor::testing {
namespace {

const TenantId kA = *TenantId::parse("tenant-a");

Namespace ns(std::string_view name) { return *Namespace::parse(name); }
Timestamp at(std::int64_t s) { return Timestamp(std::chrono::seconds(s)); }

// A COMMITTED object of (space, tenant) with `key` ("" = keyless).
Object committed(const Namespace& space, const TenantId& tenant, const std::string& key) {
  static RandomIdGenerator ids;
  std::optional<ObjectKey> k;
  if (!key.empty()) {
    k = *ObjectKey::parse(key);
  }
  Object o = Object::begin(ids.next(), space, tenant, k, StorageClass::kHot, "text/plain", at(1));
  REQUIRE(o.commit(*ContentHash::parse(sha256_hex(key)), key.size(), at(2)));
  return o;
}

Status insert(MetadataStore& store, const Object& o) {
  return store.transact([&](MetadataTransaction& tx) { return tx.objects().insert(o); });
}

}  // namespace

TEST_CASE("S3 listing over PostgreSQL: folding, start-after, bytes beyond ASCII, truncation",
          "[pg][list]") {
  PgFixture f;
  const Namespace space = ns("bucket");
  for (const char* key : {"a/1", "a/2", "a-file", "b", "caf\xC3\xA9/x", "cafe/y", "d/e/f",
                          "\xF4\x8F\xBF\xBF/z", "\xF4\x8F\xBF\xBF\xF4\x8F\xBF\xBF"}) {
    REQUIRE(insert(*f.store, committed(space, kA, key)));
  }
  REQUIRE(insert(*f.store, committed(space, kA, "")));  // keyless: not S3-visible
  REQUIRE(insert(*f.store, committed(ns("other"), kA, "a/3")));
  ListS3 lister(*f.store);
  using V = std::vector<std::string>;
  auto keys = [](const ListS3::Page& p) {
    V out;
    for (const Object& o : p.contents) {
      out.push_back(o.key()->str());
    }
    return out;
  };
  auto p = lister.list(space, kA, {"", "/", "", 1000});
  REQUIRE(p);
  CHECK(keys(*p) == V{"a-file", "b", "\xF4\x8F\xBF\xBF\xF4\x8F\xBF\xBF"});
  // Byte order (COLLATE "C"): 'e' (0x65) before 0xC3.
  CHECK(p->common_prefixes == V{"a/", "cafe/", "caf\xC3\xA9/", "d/", "\xF4\x8F\xBF\xBF/"});
  CHECK_FALSE(p->truncated);

  p = lister.list(space, kA, {"", "/", "a/1", 2});
  REQUIRE(p);
  // "a-file" sorts before "a/1"; the rest of "a/" is skipped.
  CHECK(keys(*p) == V{"b"});
  CHECK(p->common_prefixes == V{"cafe/"});
  CHECK(p->truncated);
  CHECK(p->next_marker == "cafe/");

  p = lister.list(space, kA, {"", "/", "cafe/", 3});
  REQUIRE(p);
  CHECK(p->common_prefixes == V{"caf\xC3\xA9/", "d/", "\xF4\x8F\xBF\xBF/"});
  CHECK(p->contents.empty());
  CHECK(p->truncated);  // the U+10FFFF U+10FFFF key follows
  p = lister.list(space, kA, {"", "/", p->next_marker, 3});
  REQUIRE(p);
  CHECK(keys(*p) == V{"\xF4\x8F\xBF\xBF\xF4\x8F\xBF\xBF"});
  CHECK_FALSE(p->truncated);

  p = lister.list(space, kA, {"a", std::nullopt, "", 1000});
  REQUIRE(p);
  CHECK(keys(*p) == V{"a-file", "a/1", "a/2"});
}

}  // namespace castor::testing
