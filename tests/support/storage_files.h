#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace castor::testing {

// Where castor keeps the content with hash `hex` under a storage class root:
// {root}/{hex[0:2]}/{hex[2:4]}/{hex}.
std::filesystem::path content_path(const std::filesystem::path& root, std::string_view hex);

// Every regular file under `root` outside its temp directory {root}/.tmp, whatever its name
// (empty if `root` does not exist).
std::vector<std::filesystem::path> content_files(const std::filesystem::path& root);

// Every regular file under {root}/.tmp that an upload may have left: hidden files are skipped,
// as the server's readiness probe briefly creates {root}/.tmp/.ready-probe to check that the
// root is writable.
std::vector<std::filesystem::path> temp_files(const std::filesystem::path& root);

// The whole file as bytes. Throws std::runtime_error if it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace castor::testing
