// The object metadata model (domain/object_attributes.h, docs/METADATA.md): names, limits, header
// values, merge and replace, and Object::replace_metadata.
#include <string>

#include <catch2/catch.hpp>

#include "domain/object.h"

namespace castor {
namespace {

using Pairs = ObjectAttributes::Pairs;

Pairs parse(std::string_view json, bool patch = false) {
  auto p = parse_metadata_object(json, patch);
  REQUIRE(p);
  return *p;
}

std::string reason_of(std::string_view json, bool patch = false) {
  auto p = parse_metadata_object(json, patch);
  REQUIRE_FALSE(p);
  CHECK(p.error().code == ErrorCode::kInvalidArgument);
  return p.error().reason;
}

Object committed() {
  const Timestamp t0 = Timestamp(std::chrono::seconds(1700000000));
  Object o = Object::begin(*ObjectId::parse("00000000-0000-4000-8000-000000000001"),
                           *Namespace::parse("ns"), *TenantId::parse("t1"), std::nullopt,
                           StorageClass::kHot, "text/plain", t0);
  ObjectAttributes a;
  a.metadata = {{"a", "1"}};
  a.headers = {{"content-disposition", "inline"}, {"cache-control", "no-cache"}};
  a.checksums = {{"crc32", "AAAAAA=="}};
  REQUIRE(o.set_attributes(a, "etag1"));
  REQUIRE(o.commit(*ContentHash::parse(std::string(64, 'a')), 5, t0));
  return o;
}

}  // namespace

TEST_CASE("metadata names: [a-z0-9-_], 1 to 128 bytes", "[unit][metadata]") {
  for (std::string_view good : {"a", "model-family_2", "0", "_-"}) {
    CHECK(check_metadata_name(good));
  }
  CHECK(check_metadata_name(std::string(128, 'n')));
  for (const std::string& bad : {std::string(), std::string(129, 'n'), std::string("Upper"),
                                 std::string("a.b"), std::string("a b"), std::string("\xc3\xa9")}) {
    INFO(bad);
    auto s = check_metadata_name(bad);
    REQUIRE_FALSE(s);
    CHECK(s.error().reason == "invalid_metadata");
  }
}

TEST_CASE("metadata objects: a JSON object, names checked, 16 KiB at most", "[unit][metadata]") {
  CHECK(parse(R"({"b": {"y": 2, "x": [true]}, "a": "s"})") ==
        Pairs{{"a", R"("s")"}, {"b", R"({"x":[true],"y":2})"}});
  CHECK(reason_of("[1]") == "invalid_metadata");
  CHECK(reason_of("not json") == "invalid_metadata");
  CHECK(reason_of(R"({"Bad":1})") == "invalid_metadata");
  CHECK(reason_of(R"({"a.b":null})") == "invalid_metadata");  // only a patch may name it
  CHECK(parse(R"({"a.b":null})", /*patch=*/true) == Pairs{{"a.b", "null"}});
  CHECK(reason_of(R"({"a.b":1})", /*patch=*/true) == "invalid_metadata");
  // {"v":"<x...>"} is 8 bytes of JSON around the string: exactly 16 KiB passes, one more fails.
  const std::string fits = "{\"v\":\"" + std::string(kMaxMetadataJsonBytes - 8, 'x') + "\"}";
  CHECK(parse(fits).size() == 1);
  const std::string over = "{\"v\":\"" + std::string(kMaxMetadataJsonBytes - 7, 'x') + "\"}";
  CHECK(reason_of(over) == "metadata_too_large");
  // Measured on the canonical text: whitespace does not count.
  CHECK(parse("{\"v\":    \"" + std::string(kMaxMetadataJsonBytes - 8, 'x') + "\"}").size() == 1);
}

TEST_CASE("metadata header values: strings as is, anything else as JSON", "[unit][metadata]") {
  CHECK(metadata_header_value(R"("llama")") == "llama");
  CHECK(metadata_header_value(R"("")") == "");
  CHECK(metadata_header_value("42") == "42");
  CHECK(metadata_header_value(R"({"family":"llama"})") == R"({"family":"llama"})");
  CHECK(metadata_header_value(R"("two\nlines")") == R"("two\nlines")");  // no header injection
  ObjectAttributes a;
  a.metadata = {{"n", "42"}, {"s", R"("abc")"}};
  CHECK(a.metadata_bytes() == 1 + 2 + 1 + 3);
  CHECK(a.metadata_json() == R"({"n":42,"s":"abc"})");
}

TEST_CASE("metadata merge: RFC 7396, null removes, objects merge, others replace",
          "[unit][metadata]") {
  const Pairs current = parse(R"({"a":1,"b":{"x":1,"y":2},"c":[1,2],"d":"keep"})");
  CHECK(patch_metadata(
            current, parse(R"({"a":null,"b":{"y":null,"z":3},"c":[3],"e":{"n":null}})", true),
            MetadataMode::kMerge) == parse(R"({"b":{"x":1,"z":3},"c":[3],"d":"keep","e":{}})"));
  // An object patch over a non-object replaces it by the patch (merged into {}).
  CHECK(patch_metadata(parse(R"({"a":"s"})"), parse(R"({"a":{"k":1,"g":null}})", true),
                       MetadataMode::kMerge) == parse(R"({"a":{"k":1}})"));
  // Removing a member that is not there is no error.
  CHECK(patch_metadata(current, parse(R"({"zz":null})", true), MetadataMode::kMerge) == current);
  CHECK(patch_metadata(current, parse(R"({"n":1,"o":null})", true), MetadataMode::kReplace) ==
        parse(R"({"n":1})"));
  CHECK(patch_metadata(current, {}, MetadataMode::kReplace).empty());
}

TEST_CASE("Object::replace_metadata: only COMMITTED; content, checksums, ETag stay",
          "[unit][metadata]") {
  Object o = committed();
  const Timestamp later = o.updated_at() + std::chrono::seconds(5);
  REQUIRE(o.replace_metadata({{"b", "2"}}, "application/json", std::nullopt, later));
  CHECK(o.attributes().metadata == Pairs{{"b", "2"}});
  CHECK(o.attributes().headers == Pairs{{"cache-control", "no-cache"}});
  CHECK(o.attributes().checksums == Pairs{{"crc32", "AAAAAA=="}});
  CHECK(o.content_type() == "application/json");
  CHECK(o.updated_at() == later);
  CHECK(o.etag() == "etag1");
  CHECK(o.size_bytes() == 5);
  REQUIRE(o.replace_metadata({}, "text/plain", "attachment; filename=\"a.txt\"", later));
  CHECK(o.attributes().headers == Pairs{{"content-disposition", "attachment; filename=\"a.txt\""},
                                        {"cache-control", "no-cache"}});
  // One value may take the whole 16 KiB (no per-value limit as for headers).
  REQUIRE(o.replace_metadata({{"v", "\"" + std::string(kMaxMetadataJsonBytes - 8, 'x') + "\""}},
                             "text/plain", std::nullopt, later));
  auto big = o.replace_metadata({{"v", "\"" + std::string(kMaxMetadataJsonBytes, 'x') + "\""}},
                                "text/plain", std::nullopt, later);
  REQUIRE_FALSE(big);
  CHECK(big.error().reason == "metadata_too_large");
  REQUIRE(o.mark_deleting(later));
  auto gone = o.replace_metadata({}, "text/plain", std::nullopt, later);
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == ErrorCode::kFailedPrecondition);
}

}  // namespace castor
