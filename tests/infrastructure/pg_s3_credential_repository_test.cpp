#include <catch2/catch.hpp>

#include <pqxx/pqxx>

#include "infrastructure/aes_gcm_secret_box.h"
#include "pg_fixture.h"

namespace castor::testing {
namespace {

Timestamp at(int seconds) { return Timestamp{} + std::chrono::seconds(1'700'000'000 + seconds); }

S3Credential credential(std::string id, int created, std::string sealed) {
  return S3Credential{.access_key_id = std::move(id),
                      .tenant = *TenantId::parse("acme"),
                      .scopes = {Scope::kObjectsRead, Scope::kObjectsDelete},
                      .description = "ci \"reader\"",
                      .created_by = "cli:test",
                      .created_at = at(created),
                      .expires_at = std::nullopt,
                      .revoked_at = std::nullopt,
                      .last_used_at = std::nullopt,
                      .sealed_secret = std::move(sealed)};
}

Status insert(PgMetadataStore& store, const S3Credential& c) {
  return store.transact([&](MetadataTransaction& tx) { return tx.s3_credentials().insert(c); });
}

Result<S3Credential> find(PgMetadataStore& store, const std::string& id) {
  return read_only(store, [&](MetadataTransaction& tx) { return tx.s3_credentials().find(id); });
}

// Every byte value, NUL included: the sealed secret is binary.
std::string all_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) {
    s += static_cast<char>(i);
  }
  return s;
}

}  // namespace

TEST_CASE("S3 credentials round-trip through PostgreSQL with binary sealed secrets", "[pg][s3]") {
  PgFixture f;
  S3Credential a = credential("CKAAAAAAAAAAAAAAAAAA", 1, all_bytes());
  a.expires_at = at(100);
  const S3Credential b = credential("CKBBBBBBBBBBBBBBBBBB", 2, std::string(69, '\0'));
  REQUIRE(insert(*f.store, a));
  REQUIRE(insert(*f.store, b));
  auto dup = insert(*f.store, b);
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == ErrorCode::kAlreadyExists);

  auto found = find(*f.store, a.access_key_id);
  REQUIRE(found);
  CHECK(found->access_key_id == a.access_key_id);
  CHECK(found->tenant == a.tenant);
  CHECK(found->scopes == a.scopes);
  CHECK(found->description == a.description);
  CHECK(found->created_by == "cli:test");
  CHECK(found->created_at == at(1));
  CHECK(found->expires_at == at(100));
  CHECK_FALSE(found->revoked_at);
  CHECK_FALSE(found->last_used_at);
  CHECK(found->sealed_secret == all_bytes());

  auto missing = find(*f.store, "CKCCCCCCCCCCCCCCCCCC");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kNotFound);

  auto listed =
      read_only(*f.store, [](MetadataTransaction& tx) { return tx.s3_credentials().list(); });
  REQUIRE(listed);
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[0].access_key_id == b.access_key_id);  // newest first
  CHECK((*listed)[1].sealed_secret == all_bytes());
}

TEST_CASE("S3 credentials are revoked once and touched", "[pg][s3]") {
  PgFixture f;
  const S3Credential a = credential("CKAAAAAAAAAAAAAAAAAA", 1, std::string(69, 'x'));
  REQUIRE(insert(*f.store, a));
  auto revoke = [&](const std::string& id, int t) {
    Result<bool> out = false;
    auto s = f.store->transact([&](MetadataTransaction& tx) -> Status {
      out = tx.s3_credentials().revoke(id, at(t));
      return {};
    });
    REQUIRE(s);
    return out;
  };
  auto first = revoke(a.access_key_id, 5);
  REQUIRE(first);
  CHECK(*first);
  auto second = revoke(a.access_key_id, 6);
  REQUIRE(second);
  CHECK_FALSE(*second);
  auto unknown = revoke("CKZZZZZZZZZZZZZZZZZZ", 7);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::kNotFound);
  REQUIRE(f.store->transact(
      [&](MetadataTransaction& tx) { return tx.s3_credentials().touch(a.access_key_id, at(9)); }));
  auto found = find(*f.store, a.access_key_id);
  REQUIRE(found);
  CHECK(found->revoked_at == at(5));
  CHECK(found->last_used_at == at(9));
}

TEST_CASE("the s3_credentials table refuses malformed ids and empty secrets", "[pg][s3]") {
  PgFixture f;
  for (const S3Credential& bad : {credential("AKIAIOSFODNN7EXAMPLE", 1, std::string(69, 'x')),
                                  credential("CKAAAAAAAAAAAAAAAAAA", 1, "")}) {
    CHECK_FALSE(insert(*f.store, bad));
  }
  CHECK_FALSE(find(*f.store, "CKAAAAAAAAAAAAAAAAAA"));
}

TEST_CASE("a secret sealed with AES-GCM opens after a PostgreSQL round trip", "[pg][s3]") {
  PgFixture f;
  std::array<std::uint8_t, AesGcmSecretBox::kKeyBytes> key{};
  key.fill(0x42);
  AesGcmSecretBox box(key);
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const std::string id = "CKAAAAAAAAAAAAAAAAAA";
  REQUIRE(insert(*f.store, credential(id, 1, box.seal(secret, id))));
  auto found = find(*f.store, id);
  REQUIRE(found);
  auto opened = box.open(found->sealed_secret, id);
  REQUIRE(opened);
  CHECK(*opened == secret);
  // The column holds no plaintext.
  pqxx::connection conn(f.db.url());
  pqxx::work tx(conn);
  const auto r = tx.exec("SELECT position(convert_to('" + secret +
                         "', 'UTF8') in sealed_secret) FROM s3_credentials");
  CHECK(r[0][0].as<int>() == 0);
}

}  // namespace castor::testing
