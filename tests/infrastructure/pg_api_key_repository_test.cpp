#include <catch2/catch.hpp>

#include "pg_fixture.h"

namespace castor::testing {
namespace {

Timestamp at(int seconds) { return Timestamp{} + std::chrono::seconds(1'700'000'000 + seconds); }

ApiKey key(std::string id, std::optional<std::string> tenant, int created) {
  return ApiKey{.id = std::move(id),
                .secret_hash = std::string(64, 'a'),
                .tenant = tenant ? std::optional(*TenantId::parse(*tenant)) : std::nullopt,
                .scopes = {Scope::kObjectsRead, Scope::kKeysManage},
                .description = "d",
                .created_by = "cli:test",
                .created_at = at(created),
                .expires_at = std::nullopt,
                .revoked_at = std::nullopt,
                .last_used_at = std::nullopt};
}

Status insert(PgMetadataStore& store, const ApiKey& k) {
  return store.transact([&](MetadataTransaction& tx) { return tx.api_keys().insert(k); });
}

Result<ApiKey> find(PgMetadataStore& store, const std::string& id) {
  return read_only(store, [&](MetadataTransaction& tx) { return tx.api_keys().find(id); });
}

std::vector<std::string> ids(const std::vector<ApiKey>& keys) {
  std::vector<std::string> out;
  for (const ApiKey& k : keys) {
    out.push_back(k.id);
  }
  return out;
}

}  // namespace

TEST_CASE("API keys keep their name, namespaces and keys:manage through PostgreSQL", "[pg]") {
  PgFixture f;
  ApiKey a = key("aaaaaaaaaaaa", "acme", 1);
  a.name = "ci \"reader\"";
  a.namespaces = {*Namespace::parse("logs"), *Namespace::parse("models")};
  const ApiKey b = key("bbbbbbbbbbbb", "acme", 2);        // every namespace, no name
  const ApiKey c = key("cccccccccccc", "other", 3);       // another tenant
  const ApiKey d = key("dddddddddddd", std::nullopt, 4);  // "*"
  for (const ApiKey* k : std::initializer_list<const ApiKey*>{&a, &b, &c, &d}) {
    REQUIRE(insert(*f.store, *k));
  }
  auto found = find(*f.store, a.id);
  REQUIRE(found);
  CHECK(found->name == a.name);
  CHECK(found->namespaces == a.namespaces);
  CHECK(found->scopes.to_string() == "objects:read keys:manage");
  auto plain = find(*f.store, b.id);
  REQUIRE(plain);
  CHECK(plain->name.empty());
  CHECK(plain->namespaces.empty());

  auto acme = read_only(*f.store, [](MetadataTransaction& tx) {
    return tx.api_keys().list_tenant(*TenantId::parse("acme"));
  });
  REQUIRE(acme);
  CHECK(ids(*acme) == std::vector<std::string>{b.id, a.id});  // newest first, acme's only
  auto all = read_only(*f.store, [](MetadataTransaction& tx) { return tx.api_keys().list(); });
  REQUIRE(all);
  CHECK(all->size() == 4);

  // An update stores scopes, name, description, namespaces and expiry, and nothing else.
  ApiKey changed = *plain;
  changed.scopes = {Scope::kObjectsWrite};
  changed.name = "renamed";
  changed.description = "new";
  changed.namespaces = {*Namespace::parse("x")};
  changed.expires_at = at(1000);
  changed.secret_hash = std::string(64, 'f');  // ignored
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    auto locked = tx.api_keys().find_for_update(b.id);
    if (!locked) {
      return std::move(locked).error();
    }
    return tx.api_keys().update(changed);
  }));
  auto after = find(*f.store, b.id);
  REQUIRE(after);
  CHECK(after->scopes == changed.scopes);
  CHECK(after->name == "renamed");
  CHECK(after->description == "new");
  CHECK(after->namespaces == changed.namespaces);
  CHECK(after->expires_at == at(1000));
  CHECK(after->secret_hash == b.secret_hash);
  // Back to every namespace and no expiry: NULLs again.
  changed.namespaces.clear();
  changed.expires_at.reset();
  REQUIRE(
      f.store->transact([&](MetadataTransaction& tx) { return tx.api_keys().update(changed); }));
  after = find(*f.store, b.id);
  REQUIRE(after);
  CHECK(after->namespaces.empty());
  CHECK_FALSE(after->expires_at);

  ApiKey ghost = key("zzzzzzzzzzzz", "acme", 9);
  auto missing =
      f.store->transact([&](MetadataTransaction& tx) { return tx.api_keys().update(ghost); });
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE("S3 credentials keep their namespaces through PostgreSQL", "[pg][s3]") {
  PgFixture f;
  S3Credential c{.access_key_id = "CKAAAAAAAAAAAAAAAAAA",
                 .tenant = *TenantId::parse("acme"),
                 .scopes = {Scope::kObjectsRead},
                 .description = "",
                 .created_by = "cli:test",
                 .created_at = at(1),
                 .expires_at = std::nullopt,
                 .revoked_at = std::nullopt,
                 .last_used_at = std::nullopt,
                 .sealed_secret = std::string(40, 's'),
                 .namespaces = {*Namespace::parse("b1"), *Namespace::parse("b2")}};
  REQUIRE(
      f.store->transact([&](MetadataTransaction& tx) { return tx.s3_credentials().insert(c); }));
  auto found = read_only(
      *f.store, [&](MetadataTransaction& tx) { return tx.s3_credentials().find(c.access_key_id); });
  REQUIRE(found);
  CHECK(found->namespaces == c.namespaces);
  CHECK(found->principal().namespaces == c.namespaces);
}

}  // namespace castor::testing
