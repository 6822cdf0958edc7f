#include <string>

#include <catch2/catch.hpp>

#include "domain/blob.h"
#include "domain/content_hash.h"
#include "domain/names.h"
#include "domain/object_id.h"
#include "domain/object_key.h"
#include "domain/storage_class.h"

namespace castor {
namespace {

constexpr const char* kEmptySha =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

template <class T>
bool rejected(const Result<T>& r) {
  return !r && r.error().code == ErrorCode::kInvalidArgument;
}

}  // namespace

TEST_CASE("ObjectId parses a v4 UUID and prints it back", "[unit]") {
  const std::string text = "0b5e3f1c-2a4d-4c6e-9f80-1a2b3c4d5e6f";
  auto id = ObjectId::parse(text);
  REQUIRE(id);
  CHECK(id->to_string() == text);
  CHECK(*ObjectId::parse(id->to_string()) == *id);

  auto upper = ObjectId::parse("0B5E3F1C-2A4D-4C6E-9F80-1A2B3C4D5E6F");
  REQUIRE(upper);
  CHECK(*upper == *id);
  CHECK(upper->to_string() == text);
  // Every RFC 9562 variant nibble (8, 9, a, b) is accepted.
  for (const char* v : {"8", "9", "a", "b", "A", "B"}) {
    CHECK(ObjectId::parse(std::string("0b5e3f1c-2a4d-4c6e-") + v + "f80-1a2b3c4d5e6f"));
  }
}

TEST_CASE("ObjectId rejects other versions, variants and shapes", "[unit]") {
  for (const char* text : {
           "0b5e3f1c-2a4d-1c6e-9f80-1a2b3c4d5e6f",   // v1
           "0b5e3f1c-2a4d-7c6e-9f80-1a2b3c4d5e6f",   // v7
           "0b5e3f1c-2a4d-0c6e-9f80-1a2b3c4d5e6f",   // version 0
           "0b5e3f1c-2a4d-4c6e-7f80-1a2b3c4d5e6f",   // NCS variant (0xxx)
           "0b5e3f1c-2a4d-4c6e-cf80-1a2b3c4d5e6f",   // Microsoft variant (110x)
           "0b5e3f1c-2a4d-4c6e-ef80-1a2b3c4d5e6f",   // reserved variant (111x)
           "0b5e3f1c-2a4d-4c6e-9f80-1a2b3c4d5e6",    // 35 characters
           "0b5e3f1c-2a4d-4c6e-9f80-1a2b3c4d5e6f0",  // 37 characters
           "0b5e3f1c2a4d4c6e9f801a2b3c4d5e6f",       // no dashes
           "0b5e3f1c-2a4d-4c6e-9f80-1a2b3c4d5e-f",   // a dash out of place
           "0b5e3f1c-2a4d-4c6e-9f80_1a2b3c4d5e6f",   // a dash replaced
           "0b5e3f1g-2a4d-4c6e-9f80-1a2b3c4d5e6f",   // non-hex
           "{b5e3f1c-2a4d-4c6e-9f80-1a2b3c4d5e6f}",  // braces
           " 0b5e3f1c-2a4d-4c6e-9f80-1a2b3c4d5e6f",  // leading space
           "",
       }) {
    INFO(text);
    CHECK(rejected(ObjectId::parse(text)));
  }
}

TEST_CASE("ObjectId::from_random forces version 4 and the RFC variant", "[unit]") {
  ObjectId::Bytes ones;
  ones.fill(0xff);
  CHECK(ObjectId::from_random(ones).to_string() == "ffffffff-ffff-4fff-bfff-ffffffffffff");
  CHECK(ObjectId::from_random({}).to_string() == "00000000-0000-4000-8000-000000000000");
  const ObjectId id = ObjectId::from_random(ones);
  REQUIRE(ObjectId::parse(id.to_string()));
  CHECK(*ObjectId::parse(id.to_string()) == id);
}

TEST_CASE("ContentHash accepts bare, prefixed and uppercase hex and normalises it", "[unit]") {
  const std::string upper = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
  for (const std::string& text :
       {std::string(kEmptySha), "sha256:" + std::string(kEmptySha), upper, "sha256:" + upper}) {
    INFO(text);
    auto hash = ContentHash::parse(text);
    REQUIRE(hash);
    CHECK(hash->hex() == kEmptySha);
    CHECK(hash->to_string() == "sha256:" + std::string(kEmptySha));
    CHECK(*hash == *ContentHash::parse(kEmptySha));
  }
  ContentHash::Bytes digest{};
  digest[0] = 0xab;
  digest[31] = 0x01;
  CHECK(ContentHash::from_bytes(digest).hex() == "ab" + std::string(60, '0') + "01");
}

TEST_CASE("ContentHash rejects wrong lengths and non-hex", "[unit]") {
  const std::string sha = kEmptySha;
  for (const std::string& text :
       {sha.substr(1), sha + "0", std::string(), std::string("sha256:"), "sha256:sha256:" + sha,
        "sha1:" + sha.substr(0, 40), "g" + sha.substr(1), " " + sha.substr(1), sha + "\n"}) {
    INFO(text);
    CHECK(rejected(ContentHash::parse(text)));
  }
}

TEST_CASE("Namespace and TenantId match [a-z0-9][a-z0-9._-]{0,62}", "[unit]") {
  for (const std::string& ok : {std::string("a"), std::string("0"), std::string("team-a.prod_1"),
                                std::string("9-._"), "a" + std::string(62, 'z')}) {
    INFO(ok);
    CHECK(Namespace::parse(ok));
    CHECK(TenantId::parse(ok));
    CHECK(Namespace::parse(ok)->str() == ok);
  }
  for (const std::string& bad :
       {std::string(), "a" + std::string(63, 'z'), std::string("Abc"), std::string("aBc"),
        std::string("-a"), std::string(".a"), std::string("_a"), std::string("a b"),
        std::string("a/b"), std::string("a:b"), std::string("caf\xc3\xa9"), std::string("a\0b", 3),
        std::string("a\n")}) {
    INFO(bad);
    CHECK(rejected(Namespace::parse(bad)));
    CHECK(rejected(TenantId::parse(bad)));
  }
  CHECK_THAT(TenantId::parse("-").error().message, Catch::Contains("tenant"));
  CHECK_THAT(Namespace::parse("-").error().message, Catch::Contains("namespace"));
}

TEST_CASE("ObjectKey takes 1..1024 bytes of UTF-8 without control characters", "[unit]") {
  for (const std::string& ok : {
           std::string("a"),
           std::string("photos/2024/cat.jpg"),
           std::string("/leading/and/trailing/"),
           std::string("\xe6\x97\xa5\xe6\x9c\xac/\xc3\xbc"),  // 日本/ü
           std::string("\xf0\x9f\x98\x80"),                   // U+1F600, four bytes
           std::string("\xf4\x8f\xbf\xbf"),                   // U+10FFFF, the last code point
           std::string("\xc2\xa0"),                           // U+00A0, just after C1
           std::string("\xef\xbb\xbf"),                       // U+FEFF
           std::string(1024, 'k'),
           [] {
             std::string s;
             for (int i = 0; i < 512; ++i) {
               s += "\xc3\xa9";  // é: 1024 bytes in all
             }
             return s;
           }(),
       }) {
    INFO(ok);
    auto key = ObjectKey::parse(ok);
    REQUIRE(key);
    CHECK(key->str() == ok);
  }
}

TEST_CASE("ObjectKey rejects empty, oversized, invalid UTF-8 and control characters", "[unit]") {
  for (const std::string& bad : {
           std::string(),
           std::string(1025, 'k'),
           std::string(1023, 'k') + "\xc3\xa9",  // 1025 bytes
           std::string("\xc0\xaf"),              // overlong '/'
           std::string("\xc1\xbf"),              // overlong
           std::string("\xe0\x80\xaf"),          // overlong, three bytes
           std::string("\xf0\x80\x80\xaf"),      // overlong, four bytes
           std::string("\xed\xa0\x80"),          // U+D800, a surrogate
           std::string("\xed\xbf\xbf"),          // U+DFFF
           std::string("\xf4\x90\x80\x80"),      // U+110000, beyond Unicode
           std::string("ab\xe6\x97"),            // truncated sequence at the end
           std::string("\xe6\x97x"),             // truncated sequence inside
           std::string("\x80"),                  // lone continuation byte
           std::string("\xff"),
           std::string("\xf8\x88\x80\x80\x80"),  // five-byte form
           std::string("a\0b", 3),               // NUL
           std::string("a\x01"),
           std::string("tab\there"),
           std::string("line\n"),
           std::string("\x1f"),
           std::string("del\x7f"),
           std::string("nel\xc2\x85"),  // U+0085, C1
           std::string("\xc2\x80"),     // U+0080, C1
           std::string("\xc2\x9f"),     // U+009F, C1
       }) {
    INFO(bad);
    CHECK(rejected(ObjectKey::parse(bad)));
  }
}

TEST_CASE("StorageClass is hot or cold", "[unit]") {
  for (StorageClass c : kAllStorageClasses) {
    auto parsed = parse_storage_class(to_string(c));
    REQUIRE(parsed);
    CHECK(*parsed == c);
  }
  CHECK(*parse_storage_class("hot") == StorageClass::kHot);
  CHECK(*parse_storage_class("cold") == StorageClass::kCold);
  for (const char* bad : {"", "HOT", "Cold", "warm", " hot", "hot "}) {
    INFO(bad);
    CHECK(rejected(parse_storage_class(bad)));
  }
}

TEST_CASE("a blob's reference count never goes below zero", "[unit]") {
  Blob blob(StorageClass::kHot, *ContentHash::parse(kEmptySha), 0, 1);
  CHECK_FALSE(blob.unreferenced());
  blob.add_ref();
  CHECK(blob.ref_count() == 2);
  REQUIRE(blob.release());
  REQUIRE(blob.release());
  CHECK(blob.unreferenced());
  auto s = blob.release();
  REQUIRE_FALSE(s);
  CHECK(s.error().code == ErrorCode::kFailedPrecondition);
  CHECK(blob.ref_count() == 0);
}

TEST_CASE("key_prefix_end bounds exactly the keys that start with a prefix", "[unit]") {
  CHECK(key_prefix_end("abc") == "abd");
  CHECK(key_prefix_end("a/") == "a0");
  CHECK(key_prefix_end("k\x7f") == "k\xc2\x80");              // U+007F -> U+0080
  CHECK(key_prefix_end("\xed\x9f\xbf") == "\xee\x80\x80");    // U+D7FF -> U+E000 (no surrogates)
  CHECK(key_prefix_end("a\xf4\x8f\xbf\xbf") == "b");          // a trailing U+10FFFF is dropped
  CHECK(key_prefix_end("") == std::nullopt);                  // every key
  CHECK(key_prefix_end("\xf4\x8f\xbf\xbf") == std::nullopt);  // every key from there on
  CHECK(key_prefix_end("a\xff") == std::nullopt);             // not UTF-8
  CHECK(key_prefix_end("a\xc3") == std::nullopt);             // truncated
  CHECK(key_prefix_end("\xc0\xaf") == std::nullopt);          // overlong
  // Every key with the prefix sorts below the end, in byte order.
  const std::string end = *key_prefix_end("photos/2024");
  for (const char* key : {"photos/2024", "photos/2024/", "photos/2024\xf4\x8f\xbf\xbfzzz"}) {
    CHECK(std::string(key) < end);
  }
  CHECK_FALSE(std::string("photos/2025") < end);
}

}  // namespace castor
