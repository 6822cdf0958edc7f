#include "domain/s3_credential.h"

#include <catch2/catch.hpp>

namespace castor {
namespace {

TEST_CASE("an S3 access key id is CK + 18 base32 characters of the random bytes", "[unit][s3]") {
  std::array<std::uint8_t, S3Credential::kIdRandomBytes> zeros{};
  CHECK(s3_access_key_id(zeros) == "CKAAAAAAAAAAAAAAAAAA");
  std::array<std::uint8_t, S3Credential::kIdRandomBytes> ones{};
  ones.fill(0xff);
  CHECK(s3_access_key_id(ones) == "CK777777777777777777");
  // RFC 4648 section 10: BASE32("foobar") = "MZXW6YTBOI======"; the id takes the first 90 bits.
  std::array<std::uint8_t, S3Credential::kIdRandomBytes> foobar{'f', 'o', 'o', 'b', 'a', 'r'};
  CHECK(s3_access_key_id(foobar) == "CKMZXW6YTBOIAAAAAAAA");
  CHECK(s3_access_key_id(foobar).size() == S3Credential::kIdLength);
  CHECK(is_s3_access_key_id(s3_access_key_id(foobar)));
}

TEST_CASE("an S3 secret is the base64 of 30 random bytes: 40 characters", "[unit][s3]") {
  std::array<std::uint8_t, S3Credential::kSecretRandomBytes> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<std::uint8_t>(0xf8 + i);  // high bits set: '+' and '/' show up
  }
  const std::string secret = s3_secret_access_key(bytes);
  CHECK(secret.size() == 40);
  CHECK(secret.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") ==
        std::string::npos);
  CHECK(secret.substr(0, 8) == "+Pn6+/z9");
  bytes.fill(0);
  CHECK(s3_secret_access_key(bytes) == std::string(40, 'A'));
}

TEST_CASE("is_s3_access_key_id accepts only the generated shape", "[unit][s3]") {
  CHECK(is_s3_access_key_id("CKABCDEFGHIJKLMNOPQR"));
  CHECK(is_s3_access_key_id("CK234567234567234567"));
  CHECK_FALSE(is_s3_access_key_id(""));
  CHECK_FALSE(is_s3_access_key_id("AKIAIOSFODNN7EXAMPLE"));   // AWS's example: not ours
  CHECK_FALSE(is_s3_access_key_id("CKABCDEFGHIJKLMNOPQ"));    // 19
  CHECK_FALSE(is_s3_access_key_id("CKABCDEFGHIJKLMNOPQRS"));  // 21
  CHECK_FALSE(is_s3_access_key_id("CKabcdefghijklmnopqr"));   // lowercase
  CHECK_FALSE(is_s3_access_key_id("CKABCDEFGHIJKLMNOPQ1"));   // 1 is not base32
  CHECK_FALSE(is_s3_access_key_id(std::string_view("CKABCDEFGHIJKLMNOPQ\0", 20)));
}

TEST_CASE("an S3 credential's principal is s3:<id>, its tenant and scopes", "[unit][s3]") {
  const S3Credential c{.access_key_id = "CKABCDEFGHIJKLMNOPQR",
                       .tenant = *TenantId::parse("acme"),
                       .scopes = {Scope::kObjectsRead},
                       .description = "",
                       .created_by = "cli:test",
                       .created_at = Timestamp(std::chrono::seconds(100)),
                       .expires_at = Timestamp(std::chrono::seconds(200)),
                       .revoked_at = std::nullopt,
                       .last_used_at = std::nullopt,
                       .sealed_secret = "x"};
  const Principal p = c.principal();
  CHECK(p.credential == "s3:CKABCDEFGHIJKLMNOPQR");
  REQUIRE(p.tenant);
  CHECK(p.tenant->str() == "acme");
  CHECK(p.scopes == Scopes{Scope::kObjectsRead});
  CHECK(c.usable(Timestamp(std::chrono::seconds(199))));
  CHECK_FALSE(c.usable(Timestamp(std::chrono::seconds(200))));
  S3Credential revoked = c;
  revoked.revoked_at = Timestamp(std::chrono::seconds(150));
  CHECK_FALSE(revoked.usable(Timestamp(std::chrono::seconds(160))));
}

}  // namespace
}  // namespace castor
