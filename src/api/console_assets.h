#pragma once
// The web console's files (console/dist, issue 14): built into the binary by CMake, or read from
// a directory (CONSOLE_DIR) while developing the console. Internal to src/api.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace castor::api {

// One file of the console, built into the binary.
struct ConsoleAsset {
  std::string_view path;        // relative to /console/: "index.html", "assets/app-3F2AC1.js"
  std::string_view body;        // the file's bytes
  std::string_view sha256_hex;  // of body: the ETag
};

// The console files CMake embedded from console/dist, sorted by path; empty when the binary was
// built before the console was (scripts/run and scripts/test build it first).
std::span<const ConsoleAsset> embedded_console_assets();

// The Content-Type of a console file, from its extension (UTF-8 for text types);
// application/octet-stream for an unknown one.
std::string_view console_content_type(std::string_view path);

// Whether `path` (relative to /console/, still percent-encoded as on the request line) may name
// a console file: 1..255 bytes of [A-Za-z0-9._-/], no empty, "." or ".." segment. Anything else
// can never be a file of console/dist, so nothing else is looked up, on disk or in the binary.
bool console_path_valid(std::string_view path);

// A console file served to a request: its bytes and the ETag (quoted hex SHA-256).
struct ConsoleFile {
  std::string body;
  std::string etag;
};

// Looks `path` up among the embedded files, or, when `dir` is not empty, reads `dir`/`path`
// (blocking: call it off the IO threads). nullopt if there is no such regular file, or `path` is
// not console_path_valid.
std::optional<ConsoleFile> find_console_file(std::string_view dir, std::string_view path);

}  // namespace castor::api
