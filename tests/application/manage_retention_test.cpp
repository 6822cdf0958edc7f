// Retention (WORM) in the application layer, on the in-memory fakes (which have no database
// guard): DeleteObject and an S3 overwrite decide on the lock themselves, ManageRetention applies
// the domain rules and writes the lock, namespace configurations only get stronger when compliance.
#include "application/retention/manage_retention.h"

#include <span>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "application/delete_object.h"
#include "application/upload_object.h"
#include "fakes/fake_clock.h"
#include "fakes/memory_blob_store.h"
#include "fakes/memory_metadata_store.h"
#include "fakes/sequential_ids.h"

namespace castor {
namespace {

using std::chrono::days;
using std::chrono::hours;

const Namespace kNs = *Namespace::parse("vault");
const TenantId kTenant = *TenantId::parse("t1");
const TenantId kOther = *TenantId::parse("t2");

struct World {
  testing::FakeClock clock;
  testing::SequentialIds ids;
  testing::MemoryMetadataStore metadata;
  testing::MemoryBlobStore blobs{clock};
  UploadObject uploads{metadata, blobs, clock, ids, 1 << 20};
  DeleteObject deletes{metadata, clock};
  ManageRetention retention{metadata, clock};

  Result<Object> put(std::string_view k, std::string_view content,
                     std::optional<Retention> lock = std::nullopt, bool hold = false,
                     std::optional<WritePolicy> policy = std::nullopt) {
    UploadObject::Request r{.ns = kNs,
                            .tenant = kTenant,
                            .key = *ObjectKey::parse(k),
                            .content_type = "text/plain",
                            .expected_hash = {},
                            .attributes = {},
                            .policy = std::move(policy),
                            .retention = lock,
                            .legal_hold = hold};
    auto upload = uploads.begin(std::move(r), content.size());
    if (!upload) {
      return std::move(upload).error();
    }
    REQUIRE((*upload)->write(std::as_bytes(std::span(content.data(), content.size()))));
    return uploads.commit(**upload);
  }
  Timestamp in(std::chrono::microseconds d) { return clock.now() + d; }
};

void check_locked(const Status& s) {
  REQUIRE_FALSE(s);
  CHECK(s.error().code == ErrorCode::kFailedPrecondition);
  CHECK(s.error().reason == "object_locked");
}

}  // namespace

TEST_CASE("DeleteObject refuses a held or retained object, and deletes it once free",
          "[unit][retention]") {
  World w;
  auto held = w.put("held", "a", std::nullopt, /*hold=*/true);
  REQUIRE(held);
  CHECK(held->legal_hold());
  check_locked(w.deletes.by_id(kTenant, held->id()));
  check_locked(w.deletes.by_key(kNs, kTenant, *ObjectKey::parse("held")));
  CHECK(w.metadata.object(held->id())->status() == ObjectStatus::kCommitted);
  REQUIRE(w.retention.set_legal_hold(kTenant, held->id(), false));
  REQUIRE(w.deletes.by_id(kTenant, held->id()));

  auto kept = w.put("kept", "b", Retention{RetentionMode::kGovernance, w.in(hours(2))});
  REQUIRE(kept);
  check_locked(w.deletes.by_id(kTenant, kept->id()));
  w.clock.advance(hours(2));  // retain_until reached: the retention no longer binds
  REQUIRE(w.deletes.by_id(kTenant, kept->id()));
}

TEST_CASE("an S3 overwrite of a locked object is refused and leaves it in place",
          "[unit][retention]") {
  World w;
  auto first = w.put("k", "one", Retention{RetentionMode::kCompliance, w.in(days(1))}, false,
                     WritePolicy::replace());
  REQUIRE(first);
  auto second = w.put("k", "two", std::nullopt, false, WritePolicy::replace());
  check_locked(second.has_value() ? Status() : Status(second.error()));
  CHECK(w.metadata.object(first->id())->status() == ObjectStatus::kCommitted);
  // Without a lock, S3 replaces; with allow_overwrite false in the namespace, it does not.
  REQUIRE(w.put("free", "one", std::nullopt, false, WritePolicy::replace()));
  REQUIRE(w.put("free", "two", std::nullopt, false, WritePolicy::replace()));
  REQUIRE(w.retention.put_namespace(kTenant, kNs, {RetentionMode::kGovernance, 0, false}));
  auto refused = w.put("free", "three", std::nullopt, false, WritePolicy::replace());
  REQUIRE_FALSE(refused);
  CHECK(refused.error().reason == "overwrite_refused");
  REQUIRE(w.put("fresh", "x", std::nullopt, false, WritePolicy::replace()));
}

TEST_CASE("ManageRetention: tenant isolation, the rules, and what it reports for the audit",
          "[unit][retention]") {
  World w;
  const Retention gov{RetentionMode::kGovernance, w.in(days(1))};
  auto o = w.put("doc", "x", gov);
  REQUIRE(o);
  CHECK(w.retention.set_legal_hold(kOther, o->id(), true).error().code == ErrorCode::kNotFound);
  CHECK(w.retention.set_retention(kOther, o->id(), std::nullopt, {}).error().code ==
        ErrorCode::kNotFound);

  auto locked = w.retention.set_retention(kTenant, o->id(), std::nullopt, {});
  REQUIRE_FALSE(locked);
  CHECK(locked.error().reason == "retention_locked");
  CHECK(w.retention.set_retention(kTenant, o->id(), std::nullopt, {.bypass_governance = true})
            .error()
            .code == ErrorCode::kPermissionDenied);
  CHECK(*w.metadata.object(o->id())->retention() == gov);

  const Retention later{RetentionMode::kCompliance, w.in(days(3))};
  auto extended = w.retention.set_retention(kTenant, o->id(), later, {});
  REQUIRE(extended);
  CHECK_FALSE(extended->change.bypassed_governance);
  CHECK(*extended->before == gov);
  CHECK(*w.metadata.object(o->id())->retention() == later);
  // Compliance now: not even an admin's bypass removes it.
  auto admin = w.retention.set_retention(kTenant, o->id(), std::nullopt,
                                         {.admin = true, .bypass_governance = true});
  REQUIRE_FALSE(admin);
  CHECK(admin.error().reason == "retention_locked");

  auto g = w.put("gov", "y", gov);
  REQUIRE(g);
  auto bypassed = w.retention.set_retention(kTenant, g->id(), std::nullopt,
                                            {.admin = true, .bypass_governance = true});
  REQUIRE(bypassed);
  CHECK(bypassed->change.bypassed_governance);
  CHECK(*bypassed->before == gov);
  CHECK_FALSE(w.metadata.object(g->id())->retention());
  REQUIRE(w.deletes.by_id(kTenant, g->id()));
  CHECK(w.retention.set_legal_hold(kTenant, g->id(), true).error().code == ErrorCode::kNotFound);
}

TEST_CASE("ManageRetention: namespace configurations", "[unit][retention]") {
  World w;
  CHECK(w.retention.get_namespace(kTenant, kNs).error().code == ErrorCode::kNotFound);
  CHECK(w.retention.remove_namespace(kTenant, kNs).error().code == ErrorCode::kNotFound);
  auto first = w.retention.put_namespace(kTenant, kNs, {RetentionMode::kGovernance, 5, true});
  REQUIRE(first);
  CHECK_FALSE(*first);
  auto second = w.retention.put_namespace(kTenant, kNs, {RetentionMode::kCompliance, 10, false});
  REQUIRE(second);
  CHECK(**second == NamespaceRetention{RetentionMode::kGovernance, 5, true});
  CHECK(w.retention.put_namespace(kTenant, kNs, {RetentionMode::kCompliance, 9, false})
            .error()
            .reason == "retention_locked");
  CHECK(w.retention.remove_namespace(kTenant, kNs).error().reason == "retention_locked");
  CHECK(*w.retention.get_namespace(kTenant, kNs) ==
        NamespaceRetention{RetentionMode::kCompliance, 10, false});
  // Another tenant's namespace of the same name is its own.
  CHECK(w.retention.get_namespace(kOther, kNs).error().code == ErrorCode::kNotFound);
}

}  // namespace castor
