#include "client/upload_session.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

namespace castor::client {
namespace {

const std::string kHash(64, 'a');
const std::string kOther(64, 'b');

boost::json::object parse(std::string_view text) { return boost::json::parse(text).as_object(); }

UploadSessionInfo open_session(std::string id, std::vector<UploadPartInfo> parts) {
  return {.id = std::move(id),
          .state = "open",
          .storage_class = "hot",
          .ns = std::nullopt,
          .key = std::nullopt,
          .size = 10,
          .sha256 = kHash,
          .parts = std::move(parts)};
}

}  // namespace

TEST_CASE("upload session: parsed from the server's JSON", "[unit][client]") {
  auto session = parse_upload_session(parse(R"({"upload_id":"u1","state":"open",
      "tenant_id":"t","namespace":null,"key":null,"storage_class":"hot","size_bytes":10,
      "sha256":")" + kHash + R"(","content_type":null,"created_at":"2024-01-01T00:00:00Z",
      "expires_at":"2024-01-02T00:00:00Z","part_size_hint":67108864,"max_parts":10000,
      "parts":[{"part_number":1,"size_bytes":4,"sha256":")" +
                                            kOther + R"("},
               {"part_number":3,"size_bytes":2,"sha256":")" +
                                            kHash + R"("}]})"));
  REQUIRE(session);
  CHECK(session->id == "u1");
  CHECK(session->state == "open");
  CHECK(session->storage_class == "hot");
  CHECK_FALSE(session->ns);
  CHECK_FALSE(session->key);
  CHECK(session->size == 10u);
  CHECK(session->sha256 == kHash);
  REQUIRE(session->parts.size() == 2);
  CHECK(session->parts[1].number == 3);
  CHECK(session->parts[1].size == 2);
  CHECK(session->parts[1].sha256 == kHash);

  auto keyed = parse_upload_session(
      parse(R"({"upload_id":"u2","state":"completed","namespace":"ns","key":"a/b.bin",
               "storage_class":"hot","size_bytes":null,"sha256":null})"));
  REQUIRE(keyed);
  CHECK(keyed->ns == "ns");
  CHECK(keyed->key == "a/b.bin");
  CHECK_FALSE(keyed->size);
  CHECK(keyed->parts.empty());
}

TEST_CASE("upload session: malformed answers are Internal errors", "[unit][client]") {
  for (const char* text :
       {R"({"state":"open"})", R"({"upload_id":7})", R"({"upload_id":"u","size_bytes":"10"})",
        R"({"upload_id":"u","size_bytes":-1})", R"({"upload_id":"u","parts":{}})",
        R"({"upload_id":"u","parts":[{"part_number":0,"size_bytes":1,"sha256":"x"}]})",
        R"({"upload_id":"u","parts":[{"part_number":10001,"size_bytes":1,"sha256":"x"}]})",
        R"({"upload_id":"u","parts":[{"part_number":1,"sha256":"x"}]})",
        R"({"upload_id":"u","parts":[{"part_number":1,"size_bytes":1}]})"}) {
    INFO(text);
    auto session = parse_upload_session(parse(text));
    REQUIRE_FALSE(session);
    CHECK(session.error().code == ErrorCode::kInternal);
  }
}

TEST_CASE("upload session: the create body declares hash, size, class and key", "[unit][client]") {
  UploadTarget blob{.sha256 = kHash, .size = 10};
  CHECK(boost::json::serialize(blob.to_json()) ==
        R"({"sha256":")" + kHash + R"(","size_bytes":10,"storage_class":"hot"})");
  UploadTarget keyed{.sha256 = kHash, .size = 10, .ns = "e2e", .key = "m/big.bin"};
  const boost::json::object body = keyed.to_json();
  CHECK(body.at("namespace").as_string() == "e2e");
  CHECK(body.at("key").as_string() == "m/big.bin");
}

TEST_CASE("upload session: only open sessions for the same content and target resume",
          "[unit][client]") {
  const UploadTarget blob{.sha256 = kHash, .size = 10};
  UploadSessionInfo session = open_session("u", {});
  CHECK(resumable_for(session, blob));

  UploadSessionInfo other = session;
  other.state = "completed";
  CHECK_FALSE(resumable_for(other, blob));
  other = session;
  other.sha256 = kOther;
  CHECK_FALSE(resumable_for(other, blob));
  other = session;
  other.sha256.reset();
  CHECK_FALSE(resumable_for(other, blob));
  other = session;
  other.size = 11;
  CHECK_FALSE(resumable_for(other, blob));
  other = session;
  other.storage_class = "cold";
  CHECK_FALSE(resumable_for(other, blob));
  // A keyed session does not complete into a blob, nor the other way round, nor another key.
  other = session;
  other.ns = "e2e";
  other.key = "k";
  CHECK_FALSE(resumable_for(other, blob));
  const UploadTarget keyed{.sha256 = kHash, .size = 10, .ns = "e2e", .key = "k"};
  CHECK(resumable_for(other, keyed));
  CHECK_FALSE(resumable_for(session, keyed));
  UploadTarget other_key = keyed;
  other_key.key = "k2";
  CHECK_FALSE(resumable_for(other, other_key));
  other_key.key.reset();  // an unkeyed object in the namespace
  CHECK_FALSE(resumable_for(other, other_key));
}

TEST_CASE("upload session: parts must lie on the layout's boundaries", "[unit][client]") {
  const PartLayout layout(10, 4);  // 4 + 4 + 2
  CHECK(fits_layout(layout, {}));
  CHECK(fits_layout(layout, {{1, 4, kHash}, {3, 2, kHash}}));
  CHECK(fits_layout(layout, {{2, 4, kOther}}));       // a wrong hash is replaced, not a misfit
  CHECK_FALSE(fits_layout(layout, {{1, 3, kHash}}));  // another part size
  CHECK_FALSE(fits_layout(layout, {{3, 4, kHash}}));  // last part too long
  CHECK_FALSE(fits_layout(layout, {{4, 2, kHash}}));  // past the last part
  CHECK_FALSE(fits_layout(PartLayout(10, 5), {{1, 4, kHash}}));  // cut with 4 (or less)
}

TEST_CASE("upload session: the fitting session holding most bytes is resumed, newest first",
          "[unit][client]") {
  const PartLayout layout(10, 4);
  CHECK_FALSE(choose_session(layout, {}));
  CHECK(choose_session(layout, {open_session("empty", {})}) == 0u);
  const std::vector<UploadSessionInfo> sessions = {
      open_session("newest-empty", {}), open_session("misfit", {{1, 5, kHash}, {2, 5, kHash}}),
      open_session("one", {{1, 4, kHash}}), open_session("two", {{1, 4, kHash}, {3, 2, kHash}}),
      open_session("also-two", {{2, 4, kHash}, {3, 2, kHash}})};
  CHECK(choose_session(layout, sessions) == 3u);
  CHECK(choose_session(layout, {sessions[0], sessions[2]}) == 1u);
  CHECK(choose_session(layout, {sessions[0], open_session("e2", {})}) == 0u);
  CHECK_FALSE(choose_session(layout, {sessions[1]}));
}

}  // namespace castor::client
