#pragma once

#include <atomic>
#include <cstdint>

#include "application/ports/id_generator.h"

namespace castor::testing {

// Deterministic UUID v4 ids: the n-th id (from 1) carries n big-endian in its last eight bytes, so
// ids compare in the order they were made. Thread-safe.
class SequentialIds final : public IdGenerator {
 public:
  ObjectId next() override { return nth(++count_); }

  // The id next() returns the n-th time.
  static ObjectId nth(std::uint64_t n) {
    ObjectId::Bytes bytes{};
    for (int i = 15; i >= 8; --i, n >>= 8) {
      bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n & 0xff);
    }
    return ObjectId::from_random(bytes);
  }

 private:
  std::atomic<std::uint64_t> count_{0};
};

}  // namespace castor::testing
