#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "domain/error.h"

struct evp_md_ctx_st;

namespace castor::client {

// An incremental SHA-256 (OpenSSL EVP). Not thread-safe; one per stream.
class Sha256 {
 public:
  Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  ~Sha256();

  void update(std::string_view bytes);
  // The 32-byte digest of everything updated so far; the object is then reset for reuse.
  std::array<std::uint8_t, 32> digest();
  // digest() as 64 lowercase hex digits.
  std::string hex_digest();

 private:
  evp_md_ctx_st* ctx_;
};

// The SHA-256 of `bytes` as lowercase hex.
std::string sha256_hex(std::string_view bytes);

// The SHA-256 of an empty content.
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Reads the file at `path` in 1 MiB chunks and returns its SHA-256 as lowercase hex, calling
// `on_bytes` (if set) after each chunk with its size. An unreadable file is a usage error.
Result<std::string> hash_file(const std::filesystem::path& path,
                              const std::function<void(std::size_t)>& on_bytes = {});

// The SHA-256 (lowercase hex) of the `length` bytes of the file at `path` from `offset`. A usage
// error for an unreadable file; DataLoss when the file ends before offset + length.
Result<std::string> hash_file_range(const std::filesystem::path& path, std::uint64_t offset,
                                    std::uint64_t length);

}  // namespace castor::client
