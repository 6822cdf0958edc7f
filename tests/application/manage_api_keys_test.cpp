#include "application/keys/manage_api_keys.h"

#include <catch2/catch.hpp>

#include "fakes/fake_clock.h"
#include "fakes/fake_key_material.h"
#include "fakes/memory_metadata_store.h"

namespace castor::testing {
namespace {

TenantId tenant(std::string_view name) { return *TenantId::parse(name); }
Namespace ns(std::string_view name) { return *Namespace::parse(name); }

const Principal kAdmin = ManageApiKeys::operator_principal("test");
constexpr Scope kRead = Scope::kObjectsRead;
constexpr Scope kWrite = Scope::kObjectsWrite;
constexpr Scope kDelete = Scope::kObjectsDelete;
constexpr Scope kKeys = Scope::kKeysManage;

struct World {
  MemoryMetadataStore metadata;
  FakeKeyMaterial material;
  FakeClock clock;
  ManageApiKeys keys{metadata, material, clock};

  // The key as stored.
  ApiKey stored(const std::string& id) {
    auto k = keys.get(kAdmin, id);
    REQUIRE(k);
    return *k;
  }

  // A key made by the administrator; its id.
  std::string make(std::optional<std::string> t, Scopes scopes,
                   std::vector<Namespace> namespaces = {}) {
    auto created = keys.create(kAdmin, {.tenant = t ? std::optional(tenant(*t)) : std::nullopt,
                                        .scopes = scopes,
                                        .namespaces = std::move(namespaces)});
    REQUIRE(created);
    return created->key.id;
  }
};

// acme's key manager: reads, writes and manages keys, in every namespace of acme.
const Principal kManager{"key:manager", tenant("acme"), {kRead, kWrite, kKeys}};
// The same, restricted to namespaces a and b.
const Principal kNsManager{
    "key:nsmanager", tenant("acme"), {kRead, kWrite, kKeys}, {ns("a"), ns("b")}};

// The error code of a failed result; nullopt for a success.
std::optional<ErrorCode> code_of(const auto& result) {
  return result ? std::nullopt : std::optional(result.error().code);
}

}  // namespace

TEST_CASE("keys:manage is a scope of its own, and admin implies it", "[unit]") {
  auto parsed = Scopes::parse("objects:read keys:manage");
  REQUIRE(parsed);
  CHECK(parsed->to_string() == "objects:read keys:manage");
  CHECK(parsed->has(kKeys));
  CHECK(Scopes{Scope::kAdmin}.allows(kKeys));
  CHECK_FALSE(Scopes{Scope::kAdmin}.has(kKeys));
  CHECK(Scopes({kRead, kWrite}).contains({kRead}));
  CHECK_FALSE(Scopes({kRead}).contains({kRead, kDelete}));
  CHECK(Scopes({kRead}).missing({kRead, kDelete}).to_string() == "objects:delete");
  CHECK_FALSE(Scopes({Scope::kAdmin}).contains({kRead}));  // by name: admin implies nothing
}

TEST_CASE("a namespace-restricted principal reaches only its namespaces", "[unit]") {
  const Principal p{"key:p", tenant("acme"), {kRead}, {ns("a"), ns("b")}};
  CHECK(p.namespace_restricted());
  CHECK(p.sees(ns("a")));
  CHECK_FALSE(p.sees(ns("c")));
  CHECK(p.authorize(tenant("acme"), ns("b"), kRead));
  auto other_ns = p.authorize(tenant("acme"), ns("c"), kRead);
  REQUIRE_FALSE(other_ns);
  CHECK(other_ns.error().code == ErrorCode::kPermissionDenied);
  CHECK(other_ns.error().message == "credential is not valid for namespace c");
  CHECK(code_of(p.authorize(tenant("other"), ns("a"), kRead)) == ErrorCode::kPermissionDenied);
  CHECK(code_of(p.authorize(tenant("acme"), ns("a"), kWrite)) == ErrorCode::kPermissionDenied);
  // Nothing namespaced (blobs, bundles, tenant-wide): refused, the safe default.
  CHECK(code_of(p.authorize(tenant("acme"), kRead)) == ErrorCode::kPermissionDenied);
  // By id: tenant and scope now, the namespace after the lookup.
  CHECK(p.authorize_before_lookup(tenant("acme"), kRead));
  CHECK(code_of(p.authorize_before_lookup(tenant("other"), kRead)) == ErrorCode::kPermissionDenied);
  // An unrestricted principal sees every namespace, as before.
  const Principal q{"key:q", tenant("acme"), {kRead}};
  CHECK(q.sees(ns("zzz")));
  CHECK(q.authorize(tenant("acme"), kRead));
  CHECK(q.authorize(tenant("acme"), ns("zzz"), kRead));
  // admin needs every namespace too.
  const Principal ns_admin{"jwt:x", std::nullopt, {Scope::kAdmin}, {ns("a")}};
  CHECK(code_of(ns_admin.authorize(Scope::kAdmin)) == ErrorCode::kPermissionDenied);
}

TEST_CASE("an API key carries its name and namespaces into its principal", "[unit]") {
  World w;
  auto created = w.keys.create(kAdmin, {.tenant = tenant("acme"),
                                        .scopes = {kRead},
                                        .namespaces = {ns("b"), ns("a"), ns("b")},
                                        .name = "ci-reader",
                                        .expires_at = w.clock.now() + std::chrono::hours(1)});
  REQUIRE(created);
  CHECK(created->key.name == "ci-reader");
  REQUIRE(created->key.namespaces == std::vector{ns("a"), ns("b")});  // sorted, distinct
  const Principal p = created->key.principal();
  CHECK(p.namespaces == created->key.namespaces);
  CHECK(p.expires_at == created->key.expires_at);
  auto stored = w.keys.get(kAdmin, created->key.id);
  REQUIRE(stored);
  CHECK(stored->name == "ci-reader");
  CHECK(stored->namespaces == created->key.namespaces);
  CHECK(stored->created_by == "test");

  CHECK(
      code_of(w.keys.create(
          kAdmin, {.tenant = tenant("acme"), .scopes = {kRead}, .name = std::string(129, 'n')})) ==
      ErrorCode::kInvalidArgument);
  CHECK(code_of(w.keys.create(kAdmin, {.tenant = std::nullopt,
                                       .scopes = {Scope::kAdmin},
                                       .namespaces = {ns("a")}})) == ErrorCode::kInvalidArgument);
}

TEST_CASE("keys:manage creates keys of its own tenant within its own rights", "[unit]") {
  World w;
  auto made = w.keys.create(kManager, {.tenant = tenant("acme"), .scopes = {kRead}, .name = "r"});
  REQUIRE(made);
  CHECK(made->key.created_by == "key:manager");
  CHECK(made->key.tenant == tenant("acme"));
  // keys:manage itself may be handed on (the new key is no wider than its maker).
  CHECK(w.keys.create(kManager, {.tenant = tenant("acme"), .scopes = {kRead, kKeys}}));

  struct Attempt {
    const char* what;
    ManageApiKeys::NewKey key;
    const char* message;
  };
  const std::vector<Attempt> escalations = {
      {"a * key",
       {.tenant = std::nullopt, .scopes = {kRead}},
       "only an administrator may create keys for every tenant (\"*\")"},
      {"an admin key",
       {.tenant = tenant("acme"), .scopes = {Scope::kAdmin}},
       "only an administrator may grant the admin scope"},
      {"a scope it lacks",
       {.tenant = tenant("acme"), .scopes = {kRead, kDelete}},
       "a credential cannot grant scopes it lacks: objects:delete"},
      {"a key of another tenant",
       {.tenant = tenant("other"), .scopes = {kRead}},
       "credential is not valid for tenant other"},
  };
  for (const Attempt& a : escalations) {
    INFO(a.what);
    auto r = w.keys.create(kManager, a.key);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kPermissionDenied);
    CHECK(r.error().message == a.message);
  }
  // Without keys:manage nothing goes.
  const Principal writer{"key:w", tenant("acme"), {kRead, kWrite}};
  CHECK(code_of(w.keys.create(writer, {.tenant = tenant("acme"), .scopes = {kRead}})) ==
        ErrorCode::kPermissionDenied);
  CHECK(code_of(w.keys.list(writer)) == ErrorCode::kPermissionDenied);
  // A tenant-bound "admin" (a JWT) is no administrator and has no keys:manage.
  const Principal tenant_admin{"jwt:t", tenant("acme"), {Scope::kAdmin}};
  CHECK(code_of(w.keys.create(tenant_admin, {.tenant = tenant("acme"), .scopes = {kRead}})) ==
        ErrorCode::kPermissionDenied);
}

TEST_CASE("a namespace-restricted manager grants only its namespaces", "[unit]") {
  World w;
  auto ok = w.keys.create(kNsManager,
                          {.tenant = tenant("acme"), .scopes = {kRead}, .namespaces = {ns("a")}});
  REQUIRE(ok);
  auto every = w.keys.create(kNsManager, {.tenant = tenant("acme"), .scopes = {kRead}});
  REQUIRE_FALSE(every);
  CHECK(every.error().code == ErrorCode::kPermissionDenied);
  CHECK(every.error().message ==
        "a namespace-restricted credential cannot grant every namespace; name some of yours");
  auto other = w.keys.create(
      kNsManager, {.tenant = tenant("acme"), .scopes = {kRead}, .namespaces = {ns("a"), ns("c")}});
  REQUIRE_FALSE(other);
  CHECK(other.error().message == "credential is not valid for namespace c");
}

TEST_CASE("a key never outlives the credential that creates or updates it", "[unit]") {
  World w;
  Principal expiring = kManager;
  expiring.expires_at = w.clock.now() + std::chrono::hours(1);
  auto inherits = w.keys.create(expiring, {.tenant = tenant("acme"), .scopes = {kRead}});
  REQUIRE(inherits);
  CHECK(inherits->key.expires_at == expiring.expires_at);
  auto later = w.keys.create(expiring, {.tenant = tenant("acme"),
                                        .scopes = {kRead},
                                        .expires_at = w.clock.now() + std::chrono::hours(2)});
  CHECK(code_of(later) == ErrorCode::kPermissionDenied);
  auto never =
      w.keys.update(expiring, inherits->key.id, {.expires_at = std::optional<Timestamp>()});
  CHECK(code_of(never) == ErrorCode::kPermissionDenied);
  auto sooner = w.keys.update(
      expiring, inherits->key.id,
      {.expires_at = std::optional<Timestamp>(w.clock.now() + std::chrono::minutes(5))});
  CHECK(sooner);
}

TEST_CASE("keys of other tenants are not found for keys:manage; its own are", "[unit]") {
  World w;
  const std::string mine = w.make("acme", {kRead});
  const std::string theirs = w.make("other", {kRead});
  const std::string everyone = w.make(std::nullopt, {kRead});
  const std::string wider = w.make("acme", {kRead, kDelete});

  CHECK(w.keys.get(kManager, mine));
  for (const std::string& id : {theirs, everyone}) {
    INFO(id);
    CHECK(code_of(w.keys.get(kManager, id)) == ErrorCode::kNotFound);
    CHECK(code_of(w.keys.revoke(kManager, id)) == ErrorCode::kNotFound);
    CHECK(code_of(w.keys.update(kManager, id, {.name = std::string("x")})) == ErrorCode::kNotFound);
    CHECK(w.keys.get(kManager, id).error().message == "no such API key");
  }
  CHECK(code_of(w.keys.get(kManager, "nosuchkey000")) == ErrorCode::kNotFound);
  // Its own tenant's key with wider scopes: visible, but not to be changed or revoked.
  CHECK(w.keys.get(kManager, wider));
  auto revoke_wider = w.keys.revoke(kManager, wider);
  REQUIRE_FALSE(revoke_wider);
  CHECK(revoke_wider.error().code == ErrorCode::kPermissionDenied);
  CHECK(revoke_wider.error().message ==
        "this key has scopes beyond your credential's: objects:delete");
  CHECK(code_of(w.keys.update(kManager, wider, {.scopes = Scopes{kRead}})) ==
        ErrorCode::kPermissionDenied);
  CHECK_FALSE(w.stored(wider).revoked_at);
  CHECK_FALSE(w.stored(theirs).revoked_at);

  auto listed = w.keys.list(kManager);
  REQUIRE(listed);
  std::vector<std::string> ids;
  for (const ApiKey& k : *listed) {
    ids.push_back(k.id);
  }
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> expected{mine, wider};
  std::sort(expected.begin(), expected.end());
  CHECK(ids == expected);
  auto all = w.keys.list(kAdmin);
  REQUIRE(all);
  CHECK(all->size() == 4);

  auto revoked = w.keys.revoke(kManager, mine);
  REQUIRE(revoked);
  CHECK(*revoked);
}

TEST_CASE("a namespace-restricted manager reaches only keys inside its namespaces", "[unit]") {
  World w;
  const std::string inside = w.make("acme", {kRead}, {ns("a")});
  const std::string outside = w.make("acme", {kRead}, {ns("c")});
  const std::string unrestricted = w.make("acme", {kRead});
  CHECK(w.keys.get(kNsManager, inside));
  CHECK(code_of(w.keys.get(kNsManager, outside)) == ErrorCode::kNotFound);
  CHECK(code_of(w.keys.get(kNsManager, unrestricted)) == ErrorCode::kNotFound);
  auto listed = w.keys.list(kNsManager);
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].id == inside);
}

TEST_CASE("updates change scopes, name and namespaces but never widen", "[unit]") {
  World w;
  // The manager's own key, as stored: it tries to lift its own limits.
  auto self = w.keys.create(kAdmin, {.tenant = tenant("acme"),
                                     .scopes = {kRead, kWrite, kKeys},
                                     .namespaces = {ns("a"), ns("b")}});
  REQUIRE(self);
  Principal me = self->key.principal();
  const std::string id = self->key.id;
  CHECK(code_of(w.keys.update(me, id, {.scopes = Scopes{kRead, kWrite, kKeys, kDelete}})) ==
        ErrorCode::kPermissionDenied);
  CHECK(code_of(w.keys.update(me, id, {.scopes = Scopes{Scope::kAdmin}})) ==
        ErrorCode::kPermissionDenied);
  CHECK(code_of(w.keys.update(me, id, {.namespaces = std::vector<Namespace>{}})) ==
        ErrorCode::kPermissionDenied);  // lifting its own restriction
  CHECK(code_of(w.keys.update(me, id, {.namespaces = std::vector{ns("a"), ns("c")}})) ==
        ErrorCode::kPermissionDenied);
  CHECK(w.stored(id).scopes == Scopes{kRead, kWrite, kKeys});
  CHECK(w.stored(id).namespaces == std::vector{ns("a"), ns("b")});

  // Narrowing is fine.
  auto narrowed = w.keys.update(
      me, id, {.scopes = Scopes{kRead, kKeys}, .namespaces = std::vector{ns("a")}, .name = "me"});
  REQUIRE(narrowed);
  CHECK(narrowed->scopes == Scopes{kRead, kKeys});
  CHECK(narrowed->namespaces == std::vector{ns("a")});
  CHECK(narrowed->name == "me");
  CHECK(w.stored(id).name == "me");

  // The administrator may widen; an empty scope set and a past expiry are malformed.
  CHECK(w.keys.update(kAdmin, id, {.namespaces = std::vector<Namespace>{}}));
  CHECK(w.stored(id).namespaces.empty());
  CHECK(code_of(w.keys.update(kAdmin, id, {.scopes = Scopes{}})) == ErrorCode::kInvalidArgument);
  CHECK(code_of(w.keys.update(kAdmin, id, {.expires_at = std::optional(w.clock.now())})) ==
        ErrorCode::kInvalidArgument);
  // A revoked key stays as it was revoked.
  REQUIRE(w.keys.revoke(kAdmin, id));
  CHECK(code_of(w.keys.update(kAdmin, id, {.name = std::string("x")})) ==
        ErrorCode::kFailedPrecondition);
}

}  // namespace castor::testing
