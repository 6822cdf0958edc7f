#include "application/authenticate.h"

#include <catch2/catch.hpp>

#include "application/keys/manage_api_keys.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_key_material.h"
#include "fakes/memory_metadata_store.h"

namespace castor::testing {
namespace {

// Counts the transactions run through it: the database queries an authentication costs.
class CountingStore final : public MetadataStore {
 public:
  explicit CountingStore(MetadataStore& inner) : inner_(inner) {}
  Status transact(const std::function<Status(MetadataTransaction&)>& work, Mode mode) override {
    ++transactions;
    return inner_.transact(work, mode);
  }
  int transactions = 0;

 private:
  MetadataStore& inner_;
};

const Principal kOperator = ManageApiKeys::operator_principal("test");

struct World {
  MemoryMetadataStore metadata;
  FakeKeyMaterial material;
  FakeClock clock;
  // A zero cache TTL: every check reads the (fake) database.
  Authenticate auth{metadata, material, nullptr, clock, std::chrono::milliseconds(0)};
  ManageApiKeys keys{metadata, material, clock};

  std::string create(std::optional<std::string> tenant, Scopes scopes,
                     std::optional<Timestamp> expires = std::nullopt) {
    std::optional<TenantId> t;
    if (tenant) {
      t = *TenantId::parse(*tenant);
    }
    auto created = keys.create(
        kOperator, {.tenant = t, .scopes = scopes, .description = "test", .expires_at = expires});
    REQUIRE(created);
    return created->token;
  }
};

}  // namespace

TEST_CASE("an API key authenticates as its tenant and scopes", "[unit]") {
  World w;
  const std::string token = w.create("acme", {Scope::kObjectsRead});
  auto principal = w.auth.credential(token);
  REQUIRE(principal);
  CHECK(principal->credential == "key:" + token.substr(4, 12));
  CHECK(principal->tenant->str() == "acme");
  CHECK(principal->authorize(*TenantId::parse("acme"), Scope::kObjectsRead));
  CHECK(principal->authorize(*TenantId::parse("acme"), Scope::kObjectsWrite).error().code ==
        ErrorCode::kPermissionDenied);
  CHECK(principal->authorize(*TenantId::parse("other"), Scope::kObjectsRead).error().code ==
        ErrorCode::kPermissionDenied);
}

TEST_CASE("wrong, unknown, malformed, revoked and expired keys are refused", "[unit]") {
  World w;
  const std::string token = w.create("acme", {Scope::kObjectsRead});
  auto refused = [&](std::string_view presented) {
    auto p = w.auth.credential(presented);
    return !p && p.error().code == ErrorCode::kUnauthenticated;
  };
  CHECK(refused(token + "x"));                   // wrong secret
  CHECK(refused("cst_nosuchkey000_secret1"));    // unknown id
  CHECK(refused("cst_garbage"));                 // malformed
  CHECK(refused("eyJhbGciOiJIUzI1NiJ9.e30.x"));  // a JWT, but no verifier configured

  const std::string expiring =
      w.create("acme", {Scope::kObjectsRead}, w.clock.now() + std::chrono::seconds(10));
  CHECK(w.auth.credential(expiring));
  w.clock.advance(std::chrono::seconds(11));
  CHECK(refused(expiring));

  auto first = w.keys.revoke(kOperator, token.substr(4, 12));
  REQUIRE(first);
  CHECK(*first);  // revoked by this call
  CHECK(refused(token));
  auto second = w.keys.revoke(kOperator, token.substr(4, 12));
  REQUIRE(second);
  CHECK_FALSE(*second);  // already revoked: fine, and says so
  CHECK(w.keys.revoke(kOperator, "nosuchkey000").error().code == ErrorCode::kNotFound);
}

TEST_CASE("a JWT sent to a server without JWT configuration is told so", "[unit]") {
  World w;
  auto jwt = w.auth.credential("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln");
  REQUIRE_FALSE(jwt);
  CHECK(jwt.error().code == ErrorCode::kUnauthenticated);
  CHECK(jwt.error().message ==
        "the token looks like a JWT, but JWT authentication is not configured on this server (set "
        "JWT_SECRET or JWT_PUBLIC_KEY_FILE)");
  CHECK(w.auth.credential("not-a-key").error().message == "invalid API key");
}

TEST_CASE("a revocation reaches a cached key once forgotten or after the TTL", "[unit]") {
  World w;
  Authenticate cached{w.metadata, w.material, nullptr, w.clock, std::chrono::hours(1)};
  const std::string token = w.create("acme", {Scope::kObjectsRead});
  REQUIRE(cached.credential(token));
  REQUIRE(w.keys.revoke(kOperator, token.substr(4, 12)));
  CHECK(cached.credential(token));  // still cached: the TTL bounds how long
  cached.forget(token.substr(4, 12));
  CHECK(cached.credential(token).error().code == ErrorCode::kUnauthenticated);
}

TEST_CASE("admin needs a credential for every tenant", "[unit]") {
  World w;
  auto bound =
      w.keys.create(kOperator, {.tenant = *TenantId::parse("acme"), .scopes = {Scope::kAdmin}});
  REQUIRE_FALSE(bound);
  CHECK(bound.error().code == ErrorCode::kInvalidArgument);

  const Principal tenant_admin{"jwt:alice", *TenantId::parse("acme"), {Scope::kAdmin}};
  CHECK(tenant_admin.authorize(Scope::kAdmin).error().code == ErrorCode::kPermissionDenied);
  CHECK(tenant_admin.authorize(Scope::kAdmin).error().message ==
        "admin requires a credential for every tenant (\"*\"); this one has the admin scope but "
        "is bound to tenant acme");
  // Without the admin scope at all, that is what the caller is told.
  const Principal writer{"key:w", *TenantId::parse("acme"), {Scope::kObjectsWrite}};
  CHECK(writer.authorize(Scope::kAdmin).error().message == "credential lacks scope admin");
  const Principal admin{"key:x", std::nullopt, {Scope::kAdmin}};
  CHECK(admin.authorize(Scope::kAdmin));
  CHECK(admin.authorize(*TenantId::parse("any"), Scope::kObjectsDelete));
}

TEST_CASE("key creation validates scopes and expiry, and lists without secrets", "[unit]") {
  World w;
  CHECK(w.keys.create(kOperator, {.tenant = std::nullopt, .scopes = Scopes{}}).error().code ==
        ErrorCode::kInvalidArgument);
  CHECK(w.keys
            .create(kOperator, {.tenant = std::nullopt,
                                .scopes = {Scope::kObjectsRead},
                                .expires_at = w.clock.now()})
            .error()
            .code == ErrorCode::kInvalidArgument);
  const std::string token = w.create(std::nullopt, {Scope::kObjectsRead, Scope::kObjectsWrite});
  auto all = w.keys.list(kOperator);
  REQUIRE(all);
  REQUIRE(all->size() == 1);
  CHECK((*all)[0].secret_hash != token.substr(17));
  CHECK((*all)[0].scopes.to_string() == "objects:read objects:write");
  CHECK_FALSE((*all)[0].tenant);
}

TEST_CASE("an unknown key id costs one query, not one per attempt", "[unit]") {
  World w;
  CountingStore counting(w.metadata);
  Authenticate auth{counting,
                    w.material,
                    nullptr,
                    w.clock,
                    std::chrono::milliseconds(0),
                    std::chrono::minutes(1),
                    std::chrono::hours(1)};
  const std::string bogus = "cst_key000000099_guessed";
  for (int i = 0; i < 100; ++i) {
    auto r = auth.credential(bogus);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kUnauthenticated);
  }
  CHECK(counting.transactions == 1);
  CHECK_FALSE(auth.known_key(bogus));

  // A real key is still read every time (cache TTL 0 here) and is known afterwards.
  const std::string token = w.create("acme", {Scope::kObjectsRead});
  const int before = counting.transactions;
  REQUIRE(auth.credential(token));
  CHECK(counting.transactions > before);
  CHECK(auth.known_key(token));
  CHECK_FALSE(auth.known_key("not-a-key"));
}

TEST_CASE("the unknown-key cache stays bounded under a flood of fresh ids", "[unit]") {
  World w;
  CountingStore counting(w.metadata);
  Authenticate auth{counting,
                    w.material,
                    nullptr,
                    w.clock,
                    std::chrono::milliseconds(0),
                    std::chrono::minutes(1),
                    std::chrono::hours(1)};
  const int flood = static_cast<int>(2 * Authenticate::kMaxUnknownKeys + 10);
  for (int i = 0; i < flood; ++i) {
    const std::string n = std::to_string(i);
    REQUIRE_FALSE(auth.credential("cst_x" + std::string(11 - n.size(), '0') + n + "_s"));
  }
  CHECK(counting.transactions == flood);  // every fresh id is one query (the per-IP limit bounds
                                          // how many an address may try)
  // The most recent ids are still remembered.
  const std::string n = std::to_string(flood - 1);
  const std::string last = "cst_x" + std::string(11 - n.size(), '0') + n + "_s";
  REQUIRE_FALSE(auth.credential(last));
  CHECK(counting.transactions == flood);
}

}  // namespace castor::testing
