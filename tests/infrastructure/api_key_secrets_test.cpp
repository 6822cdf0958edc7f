#include "infrastructure/api_key_secrets.h"

#include <set>
#include <string>

#include <catch2/catch.hpp>

namespace castor {
namespace {

bool only(std::string_view text, std::string_view alphabet) {
  return text.find_first_not_of(alphabet) == std::string_view::npos;
}

constexpr std::string_view kIdChars = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kSecretChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

TEST_CASE("generate_api_key makes cst_<id>_<secret> with the documented shapes", "[unit]") {
  const GeneratedKey key = generate_api_key();
  CHECK(key.id.size() == 12);
  CHECK(only(key.id, kIdChars));
  CHECK(key.secret.size() == 43);
  CHECK(only(key.secret, kSecretChars));
  CHECK(key.token == std::string("cst_").append(key.id).append("_").append(key.secret));
  CHECK(key.token.size() == 60);

  const auto parts = split_api_key(key.token);
  REQUIRE(parts);
  CHECK(parts->first == key.id);
  CHECK(parts->second == key.secret);
}

TEST_CASE("generate_api_key never repeats and uses the whole alphabet", "[unit]") {
  std::set<std::string> ids;
  std::set<std::string> secrets;
  std::set<char> id_chars;
  std::set<char> secret_chars;
  for (int i = 0; i < 2000; ++i) {
    const GeneratedKey key = generate_api_key();
    ids.insert(key.id);
    secrets.insert(key.secret);
    id_chars.insert(key.id.begin(), key.id.end());
    secret_chars.insert(key.secret.begin(), key.secret.end());
  }
  CHECK(ids.size() == 2000);
  CHECK(secrets.size() == 2000);
  CHECK(id_chars.size() == kIdChars.size());
  CHECK(secret_chars.size() == kSecretChars.size());
}

TEST_CASE("split_api_key refuses anything but the exact shape", "[unit]") {
  const std::string id = "abc123def456";
  const std::string secret = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-";
  REQUIRE(secret.size() == 43);
  const std::string good = std::string("cst_").append(id).append("_").append(secret);
  REQUIRE(split_api_key(good));
  // The secret may hold '_' like the separator: the split is by position.
  const auto underscores = split_api_key(std::string("cst_").append(id).append(44, '_'));
  REQUIRE(underscores);
  CHECK(underscores->first == id);
  CHECK(underscores->second == std::string(43, '_'));

  for (const std::string& bad : {
           std::string(),
           std::string("cst_"),
           good.substr(0, 59),
           good + "A",
           std::string("CST_").append(good.substr(4)),
           std::string("cst-").append(good.substr(4)),
           std::string("cst_").append("ABC123DEF456_").append(secret),  // upper-case id
           std::string("cst_").append("abc123def45_").append(secret).append("A"),
           std::string("cst_").append(id).append("-").append(secret),
           std::string("cst_").append(id).append("_").append(secret.substr(1)).append("+"),
           std::string("cst_").append(id).append("_").append(secret.substr(1)).append("="),
           std::string("cst_").append(id).append("_").append(secret.substr(1)).append(" "),
           std::string(" ").append(good.substr(1)),
           std::string("Bearer ").append(good),
       }) {
    INFO(bad);
    CHECK_FALSE(split_api_key(bad));
  }
  std::string with_nul = good;
  with_nul[20] = '\0';
  CHECK_FALSE(split_api_key(with_nul));
}

TEST_CASE("hash_secret is lowercase hex SHA-256", "[unit]") {
  CHECK(hash_secret("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hash_secret("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const GeneratedKey key = generate_api_key();
  const std::string hash = hash_secret(key.secret);
  CHECK(hash.size() == 64);
  CHECK(only(hash, "0123456789abcdef"));
  CHECK(hash == hash_secret(key.secret));
  CHECK(hash != hash_secret(generate_api_key().secret));
}

TEST_CASE("constant_time_equal compares bytes and lengths", "[unit]") {
  CHECK(constant_time_equal("", ""));
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "ab"));
  CHECK_FALSE(constant_time_equal("", "a"));
  CHECK_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
  CHECK(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  const std::string hash = hash_secret("secret");
  CHECK(constant_time_equal(hash, hash_secret("secret")));
  CHECK_FALSE(constant_time_equal(hash, hash_secret("Secret")));
}

}  // namespace castor
