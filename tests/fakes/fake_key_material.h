#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "application/ports/key_material.h"

namespace castor::testing {

// Deterministic key material: "cst_<12 chars>_<secret>", hashing by prefixing "h:".
class FakeKeyMaterial final : public KeyMaterial {
 public:
  NewKeyMaterial generate() override {
    const std::string n = std::to_string(++n_);
    const std::string id = "key" + std::string(9 - n.size(), '0') + n;
    const std::string secret = "secret" + n;
    return {id, secret, "cst_" + id + "_" + secret};
  }
  std::optional<std::pair<std::string, std::string>> split(std::string_view token) override {
    if (!token.starts_with("cst_") || token.size() < 18 || token[16] != '_') {
      return std::nullopt;
    }
    return std::pair{std::string(token.substr(4, 12)), std::string(token.substr(17))};
  }
  std::string hash_secret(std::string_view secret) override { return "h:" + std::string(secret); }
  bool equal(std::string_view a, std::string_view b) override { return a == b; }
  void random_bytes(std::span<std::uint8_t> out) override {
    for (std::uint8_t& b : out) {
      b = static_cast<std::uint8_t>(++n_);
    }
  }

 private:
  int n_ = 0;
};

}  // namespace castor::testing
