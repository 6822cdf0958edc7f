#include "infrastructure/system_services.h"

#include <cstdlib>
#include <vector>

#include <openssl/rand.h>

#include "domain/hex.h"
#include "infrastructure/api_key_secrets.h"

namespace castor {
namespace {

void fill_random(std::uint8_t* out, std::size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    std::abort();
  }
}

}  // namespace

Timestamp SystemClock::now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

ObjectId RandomIdGenerator::next() {
  ObjectId::Bytes bytes{};
  fill_random(bytes.data(), bytes.size());
  return ObjectId::from_random(bytes);
}

NewKeyMaterial OpenSslKeyMaterial::generate() {
  GeneratedKey key = generate_api_key();
  return {std::move(key.id), std::move(key.secret), std::move(key.token)};
}

std::optional<std::pair<std::string, std::string>> OpenSslKeyMaterial::split(
    std::string_view token) {
  return split_api_key(token);
}

std::string OpenSslKeyMaterial::hash_secret(std::string_view secret) {
  return castor::hash_secret(secret);
}

bool OpenSslKeyMaterial::equal(std::string_view a, std::string_view b) {
  return constant_time_equal(a, b);
}

void OpenSslKeyMaterial::random_bytes(std::span<std::uint8_t> out) {
  fill_random(out.data(), out.size());
}

std::string random_hex(std::size_t bytes) {
  std::vector<std::uint8_t> buf(bytes);
  fill_random(buf.data(), buf.size());
  return to_hex(buf);
}

}  // namespace castor
