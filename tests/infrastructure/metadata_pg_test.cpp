// Object metadata on a real database (docs/METADATA.md): nested JSON values through the JSONB
// column and back unchanged (numbers included), containment on what is stored, S3 rows written
// before nested values existed, and UpdateObjectMetadata's row-locked update, concurrent merges
// included.
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "application/objects/update_object_metadata.h"
#include "application/upload_object.h"
#include "infrastructure/system_services.h"
#include "pg_fixture.h"
#include "support/temp_dir.h"

namespace castor::testing {
namespace {

using Pairs = ObjectAttributes::Pairs;

const TenantId kTenant = *TenantId::parse("t");
const Namespace kNs = *Namespace::parse("ns");

struct Stack : PgFixture {
  Object put(std::string_view metadata_json, std::string_view key) {
    UploadObject::Request r{.ns = kNs,
                            .tenant = kTenant,
                            .key = *ObjectKey::parse(key),
                            .storage_class = StorageClass::kHot,
                            .content_type = "text/plain",
                            .expected_hash = {}};
    auto m = parse_metadata_object(metadata_json);
    REQUIRE(m);
    r.attributes.metadata = *m;
    r.attributes.headers = {{"content-disposition", "inline"}};
    const std::string content = "content of " + std::string(key);
    auto up = uploads.begin(std::move(r), content.size());
    REQUIRE(up);
    REQUIRE((*up)->write(std::as_bytes(std::span(content.data(), content.size()))));
    auto o = uploads.commit(**up);
    REQUIRE(o);
    return *o;
  }

  Object find(const Object& o) {
    std::optional<Object> found;
    REQUIRE(metadata.transact([&](MetadataTransaction& tx) -> Status {
      auto f = tx.objects().find(o.id(), false);
      if (!f) {
        return std::move(f).error();
      }
      found = std::move(*f);
      return {};
    }));
    return *found;
  }

  std::string query(const std::string& statement) {
    pqxx::connection conn(db.url());
    pqxx::nontransaction tx(conn);
    auto r = tx.exec(statement);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
  }

  UpdateObjectMetadata::Request patch(const Object& o, std::string_view json) {
    auto m = parse_metadata_object(json, /*patch=*/true);
    REQUIRE(m);
    return {.tenant = kTenant, .id = o.id(), .metadata = *m};
  }

  TempDir dir;
  std::unique_ptr<FsBlobStore> files = make_fs_blob_store(dir);
  PgMetadataStore& metadata = *PgFixture::store;
  SystemClock clock;
  RandomIdGenerator ids;
  UploadObject uploads{metadata, *files, clock, ids, 1 << 20};
  UpdateObjectMetadata update{metadata, clock};
};

}  // namespace

TEST_CASE("metadata: nested values round-trip through JSONB unchanged", "[pg][metadata]") {
  Stack s;
  const std::string json =
      R"({"model":{"family":"llama","params":7e9,"ratio":1.50,"tags":["a","\u00e9",null]},)"
      R"("n":-0.0,"big":123456789012345678901234567890,"s":"q\"\\\n"})";
  const Object o = s.put(json, "k");
  const Object back = s.find(o);
  CHECK(back.attributes() == o.attributes());
  CHECK(back.attributes().metadata_json() ==
        R"({"big":123456789012345678901234567890,)"
        R"("model":{"family":"llama","params":7000000000,"ratio":1.50,"tags":["a","é",null]},)"
        R"("n":0.0,"s":"q\"\\\n"})");
  // Stored as JSONB a search can use: containment of a nested member.
  const std::string id = o.id().to_string();
  CHECK(s.query("SELECT count(*) FROM objects WHERE id = '" + id +
                R"(' AND metadata @> '{"model":{"family":"llama"}}')") == "1");
  CHECK(s.query("SELECT metadata->'model'->>'params' FROM objects WHERE id = '" + id + "'") ==
        "7000000000");
}

TEST_CASE("metadata: S3 rows written as flat strings read as JSON strings", "[pg][metadata]") {
  Stack s;
  const Object o = s.put("{}", "k");
  s.query(R"(UPDATE objects SET metadata = '{"colour": "blue", "a": "1"}' WHERE id = ')" +
          o.id().to_string() + "'");
  CHECK(s.find(o).attributes().metadata == Pairs{{"a", "\"1\""}, {"colour", "\"blue\""}});
}

TEST_CASE("metadata: the update writes metadata, content type and updated_at only",
          "[pg][metadata]") {
  Stack s;
  const Object o = s.put(R"({"a":1,"b":{"x":1}})", "k");
  auto r = s.patch(o, R"({"a":null,"b":{"y":[2]}})");
  r.content_type = "application/json";
  r.content_disposition.emplace(std::nullopt);
  auto changed = s.update.run(r);
  REQUIRE(changed);
  const Object back = s.find(o);
  CHECK(back.attributes().metadata == Pairs{{"b", R"({"x":1,"y":[2]})"}});
  CHECK(back.attributes().headers.empty());
  CHECK(back.content_type() == "application/json");
  CHECK(back.updated_at() == changed->updated_at());
  CHECK(back.updated_at() >= o.updated_at());
  CHECK(back.created_at() == o.created_at());
  CHECK(back.content_hash() == o.content_hash());
  CHECK(back.etag() == o.etag());
  CHECK(back.size_bytes() == o.size_bytes());
}

TEST_CASE("metadata: concurrent merges of different members all land", "[pg][metadata]") {
  Stack s;
  const Object o = s.put("{}", "k");
  constexpr int kWriters = 4;
  constexpr int kEach = 10;
  std::vector<std::thread> threads;
  std::vector<int> failures(kWriters, 0);
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        UpdateObjectMetadata::Request r{.tenant = kTenant, .id = o.id()};
        r.metadata = {{"w" + std::to_string(t) + "-" + std::to_string(i), "1"}};
        std::sort(r.metadata.begin(), r.metadata.end());
        if (!s.update.run(r)) {
          ++failures[t];
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  for (int t = 0; t < kWriters; ++t) {
    CHECK(failures[t] == 0);
  }
  // Without the row lock, read-modify-write would lose members.
  CHECK(s.find(o).attributes().metadata.size() == kWriters * kEach);
}

}  // namespace castor::testing
