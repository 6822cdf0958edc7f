// Retention (WORM) against a real PostgreSQL (migrations/014_retention.sql): the delete decision
// under a concurrent retention or legal-hold change (both decide under the object row's FOR UPDATE
// lock, played with a second connection that holds its transaction open), the namespace default
// that the database applies on every commit path, and the triggers that refuse what no code path
// may do (a locked object leaving COMMITTED, a compliance retention shortened).
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "application/delete_object.h"
#include "application/retention/manage_retention.h"
#include "application/write_policy.h"
#include "infrastructure/pg_object_repository.h"
#include "infrastructure/pg_retention_repository.h"
#include "infrastructure/system_services.h"
#include "pg_fixture.h"
#include "support/sha256.h"

namespace castor::testing {
namespace {

using std::chrono::days;
using std::chrono::seconds;

const TenantId kA = *TenantId::parse("tenant-a");
const Namespace kNs = *Namespace::parse("vault");

// A COMMITTED object of (kNs, kA) with `key`, committed now (the triggers compare with the
// database's wall clock, so these tests use the real one).
Object committed(const std::string& key, std::optional<Retention> retention = std::nullopt,
                 bool hold = false) {
  static RandomIdGenerator ids;
  SystemClock clock;
  const Timestamp now = clock.now();
  Object o = Object::begin(ids.next(), kNs, kA, *ObjectKey::parse(key), StorageClass::kHot,
                           "text/plain", now);
  REQUIRE(o.set_lock(retention, hold, now));
  REQUIRE(o.commit(*ContentHash::parse(sha256_hex(key)), key.size(), now));
  return o;
}

// Inserts `o` with a blob reference for its content (DeleteObject releases one).
void store(MetadataStore& store, const Object& o) {
  REQUIRE(store.transact([&](MetadataTransaction& tx) -> Status {
    if (auto b = tx.blobs().add_ref(o.storage_class(), *o.content_hash(), o.size_bytes()); !b) {
      return std::move(b).error();
    }
    return tx.objects().insert(o);
  }));
}

Object reread(MetadataStore& store, const ObjectId& id) {
  std::optional<Object> out;
  REQUIRE(store.transact([&](MetadataTransaction& tx) -> Status {
    auto o = tx.objects().find(id, false);
    if (!o) {
      return std::move(o).error();
    }
    out.emplace(std::move(*o));
    return {};
  }));
  return std::move(*out);
}

// A transaction on its own connection, held open by the test: another server process in the
// middle of a retention change or a delete.
struct OpenTransaction {
  explicit OpenTransaction(const std::string& url) : conn(url) {
    PgObjectRepository::prepare(conn);
    PgRetentionRepository::prepare(conn);
    work.emplace(conn);
  }
  PgObjectRepository objects() { return PgObjectRepository(*work, nullptr); }
  PgRetentionRepository retention() { return PgRetentionRepository(*work, nullptr); }

  pqxx::connection conn;
  std::optional<pqxx::work> work;
};

// Waits until some backend of the database waits on a lock; false after 10 s. Polls
// pg_stat_activity: the wait is observed, not assumed.
bool blocked_on_lock(const std::string& url) {
  pqxx::connection conn(url);
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    pqxx::nontransaction tx(conn);
    auto r = tx.exec(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'");
    if (r[0][0].as<int>() > 0) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

// Runs `sql` on its own connection; the SQLSTATE it failed with, or "" if it succeeded.
std::string sqlstate_of(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  try {
    pqxx::work tx(conn);
    tx.exec(sql);
    tx.commit();
    return "";
  } catch (const pqxx::sql_error& e) {
    return e.sqlstate();
  }
}

}  // namespace

TEST_CASE("a delete waits for a legal hold being set, then refuses", "[pg][retention][race]") {
  PgFixture f;
  SystemClock clock;
  DeleteObject remove(*f.store, clock);
  const Object o = committed("held");
  store(*f.store, o);

  OpenTransaction hold(f.db.url());
  auto locked = hold.objects().find(o.id(), /*for_update=*/true);
  REQUIRE(locked);
  REQUIRE(locked->set_legal_hold(true));
  REQUIRE(hold.retention().update_object_lock(*locked));

  auto deletion = std::async(std::launch::async, [&] { return remove.by_id(kA, o.id()); });
  REQUIRE(blocked_on_lock(f.db.url()));
  hold.work->commit();
  const Status s = deletion.get();
  REQUIRE_FALSE(s);
  CHECK(s.error().code == ErrorCode::kFailedPrecondition);
  CHECK(s.error().reason == "object_locked");
  const Object after = reread(*f.store, o.id());
  CHECK(after.status() == ObjectStatus::kCommitted);
  CHECK(after.legal_hold());
}

TEST_CASE("a retention change waits for a delete in progress, then finds no object",
          "[pg][retention][race]") {
  PgFixture f;
  SystemClock clock;
  ManageRetention retention(*f.store, clock);
  const Object o = committed("doomed");
  store(*f.store, o);

  OpenTransaction deletion(f.db.url());
  auto locked = deletion.objects().find(o.id(), /*for_update=*/true);
  REQUIRE(locked);
  REQUIRE(locked->mark_deleting(clock.now()));
  REQUIRE(deletion.objects().update(*locked));

  auto hold =
      std::async(std::launch::async, [&] { return retention.set_legal_hold(kA, o.id(), true); });
  REQUIRE(blocked_on_lock(f.db.url()));
  deletion.work->commit();
  auto r = hold.get();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kNotFound);
  CHECK(reread(*f.store, o.id()).status() == ObjectStatus::kDeleting);
}

TEST_CASE("a delete that waited for a governance bypass to remove the retention goes ahead",
          "[pg][retention][race]") {
  PgFixture f;
  SystemClock clock;
  DeleteObject remove(*f.store, clock);
  const Object o =
      committed("bypassed", Retention{RetentionMode::kGovernance, clock.now() + days(1)});
  store(*f.store, o);
  CHECK(remove.by_id(kA, o.id()).error().reason == "object_locked");

  OpenTransaction bypass(f.db.url());
  auto locked = bypass.objects().find(o.id(), /*for_update=*/true);
  REQUIRE(locked);
  REQUIRE(locked->change_retention(std::nullopt, {.admin = true, .bypass_governance = true},
                                   clock.now()));
  REQUIRE(bypass.retention().update_object_lock(*locked));
  auto deletion = std::async(std::launch::async, [&] { return remove.by_id(kA, o.id()); });
  REQUIRE(blocked_on_lock(f.db.url()));
  bypass.work->commit();
  REQUIRE(deletion.get());
  CHECK(reread(*f.store, o.id()).status() == ObjectStatus::kDeleting);
}

TEST_CASE("the database refuses what no code path may do with a locked object", "[pg][retention]") {
  PgFixture f;
  SystemClock clock;
  const Object held = committed("held", std::nullopt, /*hold=*/true);
  const Object comp =
      committed("comp", Retention{RetentionMode::kCompliance, clock.now() + days(30)});
  store(*f.store, held);
  store(*f.store, comp);
  const std::string url = f.db.url();
  auto where = [](const Object& o) { return " WHERE id = '" + o.id().to_string() + "'"; };

  CHECK(sqlstate_of(url, "UPDATE objects SET status = 'DELETING'" + where(held)) == "CR001");
  CHECK(sqlstate_of(url, "DELETE FROM objects" + where(held)) == "CR001");
  CHECK(sqlstate_of(url, "UPDATE objects SET status = 'DELETING'" + where(comp)) == "CR001");
  CHECK(sqlstate_of(url, "UPDATE objects SET retain_until = NULL, retention_mode = NULL" +
                             where(comp)) == "CR001");
  CHECK(sqlstate_of(url, "UPDATE objects SET retain_until = retain_until - interval '1 day'" +
                             where(comp)) == "CR001");
  CHECK(sqlstate_of(url, "UPDATE objects SET retention_mode = 'governance'" + where(comp)) ==
        "CR001");
  // Extending is allowed; so is lifting the hold (then the object may go).
  CHECK(sqlstate_of(url, "UPDATE objects SET retain_until = retain_until + interval '1 day'" +
                             where(comp)) == "");
  CHECK(sqlstate_of(url, "UPDATE objects SET legal_hold = false" + where(held)) == "");
  CHECK(sqlstate_of(url, "UPDATE objects SET status = 'DELETING'" + where(held)) == "");

  // Through the repositories: the guard's refusal is reported as object_locked.
  auto sneaky = f.store->transact([&](MetadataTransaction& tx) -> Status {
    auto o = tx.objects().find(comp.id(), true);
    REQUIRE(o);
    Object::Fields fields = o->fields();
    fields.retention.reset();  // as if some path forgot it
    auto forged = Object::restore(fields);
    REQUIRE(forged);
    return tx.retention().update_object_lock(*forged);
  });
  REQUIRE_FALSE(sneaky);
  CHECK(sneaky.error().reason == "object_locked");
  auto d = f.store->transact([&](MetadataTransaction& tx) -> Status {
    auto o = tx.objects().find(comp.id(), true);
    REQUIRE(o);
    REQUIRE(o->mark_deleting(clock.now()));  // the domain check skipped on purpose
    return tx.objects().update(*o);
  });
  REQUIRE_FALSE(d);
  CHECK(d.error().code == ErrorCode::kFailedPrecondition);
  CHECK(d.error().reason == "object_locked");
  CHECK(reread(*f.store, comp.id()).status() == ObjectStatus::kCommitted);
}

TEST_CASE("the namespace default is applied by the database on every commit path",
          "[pg][retention]") {
  PgFixture f;
  SystemClock clock;
  ManageRetention retention(*f.store, clock);
  REQUIRE(retention.put_namespace(kA, kNs, {RetentionMode::kCompliance, 7, false}));
  auto config = retention.get_namespace(kA, kNs);
  REQUIRE(config);
  CHECK(*config == NamespaceRetention{RetentionMode::kCompliance, 7, false});

  // Inserted COMMITTED (CopyObject, session completions).
  const Object direct = committed("direct");
  store(*f.store, direct);
  const Object a = reread(*f.store, direct.id());
  REQUIRE(a.retention());
  CHECK(*a.retention() == Retention{RetentionMode::kCompliance, a.updated_at() + days(7)});

  // The one-statement small upload.
  const Object small = committed("small");
  const std::string bytes = "small";
  REQUIRE(f.store->transact(
      [&](MetadataTransaction& tx) {
        return tx.objects().insert_small(
            small, std::as_bytes(std::span<const char>(bytes.data(), bytes.size())));
      },
      MetadataStore::Mode::kSingleStatement));
  const Object b = reread(*f.store, small.id());
  REQUIRE(b.retention());
  CHECK(*b.retention() == Retention{RetentionMode::kCompliance, b.updated_at() + days(7)});

  // WRITING, then committed by an update (the streamed path); a later own date wins.
  static RandomIdGenerator ids;
  Object streamed = Object::begin(ids.next(), kNs, kA, *ObjectKey::parse("streamed"),
                                  StorageClass::kHot, "text/plain", clock.now());
  const Timestamp later = clock.now() + days(100);
  REQUIRE(streamed.set_lock(Retention{RetentionMode::kGovernance, later}, false, clock.now()));
  REQUIRE(
      f.store->transact([&](MetadataTransaction& tx) { return tx.objects().insert(streamed); }));
  CHECK_FALSE(reread(*f.store, streamed.id()).retention()->mode == RetentionMode::kCompliance);
  REQUIRE(streamed.commit(*ContentHash::parse(sha256_hex("s")), 1, clock.now()));
  REQUIRE(
      f.store->transact([&](MetadataTransaction& tx) { return tx.objects().update(streamed); }));
  const Object c = reread(*f.store, streamed.id());
  REQUIRE(c.retention());
  CHECK(*c.retention() == Retention{RetentionMode::kCompliance, later});

  // Another namespace gets nothing.
  Object elsewhere = committed("x");
  Object::Fields fields = elsewhere.fields();
  fields.ns = *Namespace::parse("scratch");
  store(*f.store, *Object::restore(fields));
  CHECK_FALSE(reread(*f.store, elsewhere.id()).retention());

  // The compliance configuration cannot be weakened or removed; a stronger one is taken.
  CHECK(retention.put_namespace(kA, kNs, {RetentionMode::kCompliance, 6, false}).error().reason ==
        "retention_locked");
  CHECK(retention.remove_namespace(kA, kNs).error().reason == "retention_locked");
  REQUIRE(retention.put_namespace(kA, kNs, {RetentionMode::kCompliance, 8, false}));
  CHECK(retention.get_namespace(kA, kNs)->default_retention_days == 8);
}

TEST_CASE("an S3 overwrite is refused over a locked object and in a no-overwrite namespace",
          "[pg][retention]") {
  PgFixture f;
  SystemClock clock;
  ManageRetention retention(*f.store, clock);
  static RandomIdGenerator ids;
  auto overwrite = [&](const std::string& key, const Namespace& space) {
    return f.store->transact([&](MetadataTransaction& tx) -> Status {
      Object w = Object::begin(ids.next(), space, kA, std::nullopt, StorageClass::kHot,
                               "text/plain", clock.now());
      return claim_key(tx, w, *ObjectKey::parse(key), WritePolicy::replace(), clock.now());
    });
  };
  const Object held = committed("held", std::nullopt, true);
  store(*f.store, held);
  const Object plain = committed("plain");
  store(*f.store, plain);
  auto s = overwrite("held", kNs);
  REQUIRE_FALSE(s);
  CHECK(s.error().reason == "object_locked");
  REQUIRE(overwrite("plain", kNs));  // no configuration: S3 replaces

  const Object plain2 = committed("plain2");
  store(*f.store, plain2);
  REQUIRE(retention.put_namespace(kA, kNs, {RetentionMode::kGovernance, 0, false}));
  auto refused = overwrite("plain2", kNs);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().reason == "overwrite_refused");
  REQUIRE(overwrite("new-key", kNs));  // a new key is fine
  REQUIRE(retention.put_namespace(kA, kNs, {RetentionMode::kGovernance, 0, true}));
  REQUIRE(overwrite("plain2", kNs));
  REQUIRE(retention.remove_namespace(kA, kNs));
  CHECK(retention.get_namespace(kA, kNs).error().code == ErrorCode::kNotFound);
}

}  // namespace castor::testing
