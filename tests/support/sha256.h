#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace castor::testing {

// Lowercase hex SHA-256 (64 characters) of `data`, computed with OpenSSL EVP.
std::string sha256_hex(std::string_view data);

// Lowercase hex SHA-256 of the file at `path`, read in fixed-size pieces. Throws
// std::runtime_error if the file cannot be read.
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace castor::testing
