#include "application/manage_s3_credentials.h"

#include <catch2/catch.hpp>

#include <deque>
#include <vector>

#include "fakes/fake_clock.h"
#include "fakes/memory_metadata_store.h"

namespace castor::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Random bytes from a counter, unless a test scripted the next draws.
class FakeKeyMaterial final : public KeyMaterial {
 public:
  NewKeyMaterial generate() override { return {}; }
  std::optional<std::pair<std::string, std::string>> split(std::string_view) override {
    return std::nullopt;
  }
  std::string hash_secret(std::string_view secret) override { return std::string(secret); }
  bool equal(std::string_view a, std::string_view b) override { return a == b; }
  void random_bytes(std::span<std::uint8_t> out) override {
    if (!scripted.empty()) {
      const std::vector<std::uint8_t> next = scripted.front();
      scripted.pop_front();
      REQUIRE(next.size() == out.size());
      std::copy(next.begin(), next.end(), out.begin());
      return;
    }
    for (std::uint8_t& b : out) {
      b = static_cast<std::uint8_t>(++n_ * 37);
    }
  }
  std::deque<std::vector<std::uint8_t>> scripted;

 private:
  unsigned n_ = 0;
};

// A transparent "seal" that still checks the key and the associated data, so tests can read what
// was stored and play a wrong master key.
class FakeSecretBox final : public SecretBox {
 public:
  explicit FakeSecretBox(std::string key) : key_(std::move(key)) {}
  std::string seal(std::string_view plaintext, std::string_view associated_data) override {
    return "sealed[" + key_ + "|" + std::string(associated_data) + "]" + std::string(plaintext);
  }
  Result<std::string> open(std::string_view sealed, std::string_view associated_data) override {
    ++opens;
    const std::string prefix = "sealed[" + key_ + "|" + std::string(associated_data) + "]";
    if (!sealed.starts_with(prefix)) {
      return Error{ErrorCode::kDataLoss, "does not open (fake)"};
    }
    return std::string(sealed.substr(prefix.size()));
  }
  int opens = 0;

 private:
  std::string key_;
};

// Counts the transactions run through it: the database round trips a call costs.
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

struct World {
  MemoryMetadataStore metadata;
  CountingStore counted{metadata};
  FakeKeyMaterial material;
  FakeClock clock;
  FakeSecretBox box{"k1"};
  ManageS3Credentials credentials{counted, &box, material, clock};

  ManageS3Credentials::Created create(std::string tenant = "acme",
                                      Scopes scopes = {Scope::kObjectsRead, Scope::kObjectsWrite},
                                      std::optional<Timestamp> expires_at = std::nullopt) {
    auto created =
        credentials.create(*TenantId::parse(tenant), scopes, expires_at, "ci", "key:admin");
    REQUIRE(created);
    return *created;
  }
};

TEST_CASE("an S3 credential is created with a sealed secret and resolves to it", "[unit][s3]") {
  World w;
  const auto created = w.create();
  const S3Credential& c = created.credential;
  CHECK(is_s3_access_key_id(c.access_key_id));
  CHECK(created.secret_key.size() == 40);
  CHECK(c.tenant.str() == "acme");
  CHECK(c.created_at == FakeClock::kStart);
  CHECK(c.created_by == "key:admin");
  CHECK(c.description == "ci");
  // Stored sealed, with the access key id as associated data.
  CHECK(c.sealed_secret == "sealed[k1|" + c.access_key_id + "]" + created.secret_key);

  auto listed = w.credentials.list();
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].access_key_id == c.access_key_id);
  CHECK((*listed)[0].sealed_secret == c.sealed_secret);

  auto resolved = w.credentials.resolve(c.access_key_id);
  REQUIRE(resolved);
  CHECK(resolved->secret_key == created.secret_key);
  CHECK(resolved->principal.credential == "s3:" + c.access_key_id);
  REQUIRE(resolved->principal.tenant);
  CHECK(resolved->principal.tenant->str() == "acme");
  CHECK(resolved->principal.scopes == Scopes{Scope::kObjectsRead, Scope::kObjectsWrite});

  // Two credentials never share an id or a secret.
  const auto second = w.create();
  CHECK(second.credential.access_key_id != c.access_key_id);
  CHECK(second.secret_key != created.secret_key);
}

TEST_CASE("S3 credential creation refuses bad input and stores nothing", "[unit][s3]") {
  World w;
  auto refused = [&](Scopes scopes, std::optional<Timestamp> expires_at, std::string description) {
    auto r = w.credentials.create(*TenantId::parse("acme"), scopes, expires_at,
                                  std::move(description), "cli:test");
    return !r && r.error().code == ErrorCode::kInvalidArgument;
  };
  CHECK(refused({}, std::nullopt, ""));
  CHECK(refused({Scope::kAdmin}, std::nullopt, ""));
  CHECK(refused({Scope::kObjectsRead, Scope::kAdmin}, std::nullopt, ""));
  CHECK(refused({Scope::kObjectsRead}, FakeClock::kStart, ""));
  CHECK(refused({Scope::kObjectsRead}, FakeClock::kStart - seconds(1), ""));
  CHECK(refused({Scope::kObjectsRead}, std::nullopt, std::string(1025, 'd')));
  CHECK(w.credentials.list()->empty());
  CHECK(w.credentials.create(*TenantId::parse("acme"), {Scope::kObjectsDelete},
                             FakeClock::kStart + seconds(1), std::string(1024, 'd'), "cli:test"));
}

TEST_CASE("without a master key S3 credentials cannot be created or resolved", "[unit][s3]") {
  World w;
  const auto created = w.create();
  ManageS3Credentials keyless(w.counted, nullptr, w.material, w.clock);
  auto c = keyless.create(*TenantId::parse("acme"), {Scope::kObjectsRead}, std::nullopt, "", "x");
  REQUIRE_FALSE(c);
  CHECK(c.error().code == ErrorCode::kFailedPrecondition);
  CHECK(c.error().message.find("S3_MASTER_KEY_FILE") != std::string::npos);
  auto r = keyless.resolve(created.credential.access_key_id);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kFailedPrecondition);
  CHECK(r.error().message.find("S3_MASTER_KEY_FILE") != std::string::npos);
  // Listing and revoking need no key.
  auto listed = keyless.list();
  REQUIRE(listed);
  CHECK(listed->size() == 1);
  auto revoked = keyless.revoke(created.credential.access_key_id);
  REQUIRE(revoked);
  CHECK(*revoked);
}

TEST_CASE("unknown and malformed access key ids resolve to NotFound", "[unit][s3]") {
  World w;
  const int before = w.counted.transactions;
  for (std::string_view id : {"", "AKIAIOSFODNN7EXAMPLE", "CKabc", "ckabcdefghijklmnopqr"}) {
    auto r = w.credentials.resolve(id);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kNotFound);
  }
  CHECK(w.counted.transactions == before);  // malformed: no database read
  auto unknown = w.credentials.resolve("CKAAAAAAAAAAAAAAAAAA");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::kNotFound);
  CHECK(w.counted.transactions == before + 1);
  // Remembered for the TTL: a client repeating it costs no query.
  CHECK_FALSE(w.credentials.resolve("CKAAAAAAAAAAAAAAAAAA"));
  CHECK(w.counted.transactions == before + 1);
}

TEST_CASE("revoking an S3 credential: at once here, within the TTL elsewhere", "[unit][s3]") {
  World w;
  const auto created = w.create();
  const std::string& id = created.credential.access_key_id;
  // Another process on the same database, which has the credential cached.
  ManageS3Credentials other(w.metadata, &w.box, w.material, w.clock);
  REQUIRE(other.resolve(id));
  REQUIRE(w.credentials.resolve(id));

  auto revoked = w.credentials.revoke(id);
  REQUIRE(revoked);
  CHECK(*revoked);
  auto again = w.credentials.revoke(id);
  REQUIRE(again);
  CHECK_FALSE(*again);
  auto missing = w.credentials.revoke("CKAAAAAAAAAAAAAAAAAA");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kNotFound);

  auto here = w.credentials.resolve(id);
  REQUIRE_FALSE(here);
  CHECK(here.error().code == ErrorCode::kNotFound);
  w.clock.advance(milliseconds(1999));
  CHECK(other.resolve(id));  // still cached there
  w.clock.advance(milliseconds(1));
  auto there = other.resolve(id);
  REQUIRE_FALSE(there);
  CHECK(there.error().code == ErrorCode::kNotFound);
  auto listed = w.credentials.list();
  REQUIRE(listed);
  CHECK((*listed)[0].revoked_at == FakeClock::kStart);
}

TEST_CASE("resolved S3 credentials are cached for 2 s on the clock", "[unit][s3]") {
  World w;
  const auto created = w.create();
  const std::string& id = created.credential.access_key_id;
  const int before = w.counted.transactions;
  REQUIRE(w.credentials.resolve(id));
  REQUIRE(w.credentials.resolve(id));
  w.clock.advance(milliseconds(1999));
  REQUIRE(w.credentials.resolve(id));
  CHECK(w.counted.transactions == before + 1);
  CHECK(w.box.opens == 1);
  w.clock.advance(milliseconds(1));
  REQUIRE(w.credentials.resolve(id));
  CHECK(w.counted.transactions == before + 2);
  // A clock that steps back does not keep an entry alive forever.
  w.clock.advance(-seconds(60));
  REQUIRE(w.credentials.resolve(id));
  CHECK(w.counted.transactions == before + 3);
}

TEST_CASE("an expired S3 credential resolves to NotFound, cached or not", "[unit][s3]") {
  World w;
  const auto created = w.create("acme", {Scope::kObjectsRead}, FakeClock::kStart + seconds(10));
  const std::string& id = created.credential.access_key_id;
  w.clock.advance(milliseconds(9000));
  REQUIRE(w.credentials.resolve(id));  // cached from here on
  w.clock.advance(milliseconds(1000));
  auto cached = w.credentials.resolve(id);
  REQUIRE_FALSE(cached);
  CHECK(cached.error().code == ErrorCode::kNotFound);
  ManageS3Credentials fresh(w.metadata, &w.box, w.material, w.clock);
  auto uncached = fresh.resolve(id);
  REQUIRE_FALSE(uncached);
  CHECK(uncached.error().code == ErrorCode::kNotFound);
}

TEST_CASE("a sealed secret that does not open is DataLoss, every time", "[unit][s3]") {
  World w;
  const auto created = w.create();
  FakeSecretBox wrong_key("k2");
  ManageS3Credentials other(w.counted, &wrong_key, w.material, w.clock);
  const int before = w.counted.transactions;
  for (int i = 0; i < 3; ++i) {
    auto r = other.resolve(created.credential.access_key_id);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kDataLoss);
  }
  // Not cached: once the right key is configured it works at once.
  CHECK(w.counted.transactions == before + 3);
  CHECK(wrong_key.opens == 3);
  CHECK(w.credentials.resolve(created.credential.access_key_id));
}

TEST_CASE("a database failure while resolving is returned and not cached", "[unit][s3]") {
  World w;
  const auto created = w.create();
  w.metadata.fail_next(1, Error{ErrorCode::kUnavailable, "database down"});
  auto r = w.credentials.resolve(created.credential.access_key_id);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kUnavailable);
  CHECK(w.credentials.resolve(created.credential.access_key_id));
}

TEST_CASE("a colliding access key id is drawn again", "[unit][s3]") {
  World w;
  const std::vector<std::uint8_t> secret(S3Credential::kSecretRandomBytes, 7);
  const std::vector<std::uint8_t> id_a(S3Credential::kIdRandomBytes, 0);
  const std::vector<std::uint8_t> id_b(S3Credential::kIdRandomBytes, 0xff);
  w.material.scripted = {secret, id_a};
  const auto first = w.create();
  CHECK(first.credential.access_key_id == "CKAAAAAAAAAAAAAAAAAA");
  w.material.scripted = {secret, id_a, id_b};
  const auto second = w.create();
  CHECK(second.credential.access_key_id == "CK777777777777777777");
  CHECK(second.credential.sealed_secret == "sealed[k1|CK777777777777777777]" + second.secret_key);
  auto r = w.credentials.resolve("CK777777777777777777");
  REQUIRE(r);
  CHECK(r->secret_key == second.secret_key);
}

TEST_CASE("last_used_at is written at most once a minute per credential", "[unit][s3]") {
  World w;
  const auto created = w.create();
  const std::string& id = created.credential.access_key_id;
  const int before = w.counted.transactions;
  REQUIRE(w.credentials.record_use(id));
  REQUIRE(w.credentials.record_use(id));
  CHECK(w.counted.transactions == before + 1);
  CHECK((*w.credentials.list())[0].last_used_at == FakeClock::kStart);
  w.clock.advance(seconds(60));
  REQUIRE(w.credentials.record_use(id));
  CHECK((*w.credentials.list())[0].last_used_at == FakeClock::kStart + seconds(60));
}

}  // namespace
}  // namespace castor::testing
