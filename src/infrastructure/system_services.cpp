#include "infrastructure/system_services.h"

#include <cstdlib>
#include <vector>

#include <openssl/rand.h>

#include "domain/hex.h"

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

std::string random_hex(std::size_t bytes) {
  std::vector<std::uint8_t> buf(bytes);
  fill_random(buf.data(), buf.size());
  return to_hex(buf);
}

}  // namespace castor
