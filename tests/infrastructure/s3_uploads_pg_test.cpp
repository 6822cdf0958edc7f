// The S3 side of the upload tables against a real PostgreSQL (migration 009): S3 sessions with
// their attributes, parts with MD5, checksum and upload time, and ListMultipartUploads' query
// (order, markers, a prefix with LIKE's special characters).
#include <cstdio>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "pg_fixture.h"
#include "support/sha256.h"

namespace castor::testing {
namespace {

const TenantId kA = *TenantId::parse("tenant-a");
const Namespace kNs = *Namespace::parse("bucket");
const Timestamp kT0{std::chrono::seconds(1'700'000'000)};

ContentHash sha256_of(std::string_view data) { return *ContentHash::parse(sha256_hex(data)); }

UploadId uuid(int n) {
  char text[37];
  std::snprintf(text, sizeof text, "00000000-0000-4000-8000-%012d", n);
  return *UploadId::parse(text);
}

UploadSession s3_session(int n, std::string_view key, ObjectAttributes attributes = {}) {
  UploadSession::Fields f{.id = uuid(n),
                          .tenant = kA,
                          .ns = kNs,
                          .key = *ObjectKey::parse(key),
                          .storage_class = StorageClass::kHot,
                          .size_bytes = {},
                          .sha256 = {},
                          .content_type = std::string("text/plain"),
                          .state = UploadSession::State::kOpen,
                          .created_at = {},
                          .expires_at = {},
                          .outcome = {},
                          .s3 = true,
                          .attributes = std::move(attributes)};
  return *UploadSession::open(std::move(f), kT0, std::chrono::seconds(3600));
}

std::vector<std::string> keys_of(const std::vector<UploadSession>& sessions) {
  std::vector<std::string> out;
  for (const auto& s : sessions) {
    out.push_back(s.fields().key->str() + "#" + s.id().to_string().substr(24));
  }
  return out;
}

}  // namespace

TEST_CASE("S3 sessions and parts keep what S3 needs", "[pg][s3]") {
  PgFixture f;
  ObjectAttributes attributes;
  attributes.metadata = {{"colour", "\"blue\""}};
  attributes.headers = {{"cache-control", "max-age=5"}};
  const UploadSession session = s3_session(1, "dir/k", attributes);
  const UploadPart part{.number = 3,
                        .hash = sha256_of("part"),
                        .size_bytes = 4,
                        .md5 = "0123456789abcdef0123456789abcdef",
                        .checksums = {{"crc32c", "AAAAAA=="}},
                        .uploaded_at = kT0 + std::chrono::seconds(9)};
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    if (auto s = tx.blobs().add_ref(StorageClass::kHot, part.hash, 4); !s) {
      return std::move(s).error();
    }
    if (auto s = tx.uploads().insert(session); !s) {
      return s;
    }
    auto put = tx.uploads().put_part(session.id(), part);
    if (!put) {
      return std::move(put).error();
    }
    // A native part (no MD5, no checksum) next to it.
    return tx.uploads()
                   .put_part(session.id(), {.number = 4,
                                            .hash = part.hash,
                                            .size_bytes = 4,
                                            .md5 = "",
                                            .checksums = {},
                                            .uploaded_at = kT0})
                   .has_value()
               ? Status{}
               : Status{Error{ErrorCode::kInternal, "put_part"}};
  }));
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    auto found = tx.uploads().find(session.id(), false);
    REQUIRE(found);
    CHECK(found->s3());
    CHECK(found->fields().attributes == attributes);
    auto parts = tx.uploads().parts(session.id());
    REQUIRE(parts);
    REQUIRE(parts->size() == 2);
    CHECK((*parts)[0].md5 == part.md5);
    CHECK((*parts)[0].checksums == part.checksums);
    CHECK((*parts)[0].uploaded_at == part.uploaded_at);
    CHECK((*parts)[1].md5.empty());
    CHECK((*parts)[1].checksums.empty());
    return {};
  }));
}

TEST_CASE("list_open_s3: (key, id) order, markers, prefix taken literally", "[pg][s3]") {
  PgFixture f;
  REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
    int n = 0;
    for (const char* key : {"b", "a%1", "a_2", "ab", "b", "c"}) {
      if (auto s = tx.uploads().insert(s3_session(++n, key)); !s) {
        return s;
      }
    }
    // Native sessions with keys are not S3 uploads.
    UploadSession::Fields native{.id = uuid(99),
                                 .tenant = kA,
                                 .ns = kNs,
                                 .key = *ObjectKey::parse("a%0"),
                                 .storage_class = StorageClass::kHot,
                                 .size_bytes = {},
                                 .sha256 = {},
                                 .content_type = {},
                                 .state = UploadSession::State::kOpen,
                                 .created_at = {},
                                 .expires_at = {},
                                 .outcome = {},
                                 .s3 = false,
                                 .attributes = {}};
    return tx.uploads().insert(*UploadSession::open(native, kT0, std::chrono::seconds(60)));
  }));
  auto list = [&](S3UploadFilter filter) {
    std::vector<UploadSession> out;
    REQUIRE(f.store->transact([&](MetadataTransaction& tx) -> Status {
      auto r = tx.uploads().list_open_s3(filter);
      if (!r) {
        return std::move(r).error();
      }
      out = std::move(*r);
      return {};
    }));
    return keys_of(out);
  };
  S3UploadFilter all{
      .tenant = kA, .ns = kNs, .prefix = "", .after_key = "", .after_id = {}, .limit = 100};
  CHECK(list(all) == std::vector<std::string>{"a%1#000000000002", "a_2#000000000003",
                                              "ab#000000000004", "b#000000000001", "b#000000000005",
                                              "c#000000000006"});
  S3UploadFilter prefix = all;
  prefix.prefix = "a%";
  CHECK(list(prefix) == std::vector<std::string>{"a%1#000000000002"});
  prefix.prefix = "a_";
  CHECK(list(prefix) == std::vector<std::string>{"a_2#000000000003"});
  S3UploadFilter after = all;
  after.after_key = "b";
  CHECK(list(after) == std::vector<std::string>{"c#000000000006"});
  after.after_id = uuid(1);
  CHECK(list(after) == std::vector<std::string>{"b#000000000005", "c#000000000006"});
  after.limit = 1;
  CHECK(list(after) == std::vector<std::string>{"b#000000000005"});
}

}  // namespace castor::testing
