#include "api/console_assets.h"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

namespace castor::api {

namespace {

constexpr std::size_t kMaxPathBytes = 255;
// A console file read from CONSOLE_DIR larger than this is refused (not found): the console is
// a few hundred kilobytes, and the response is built in memory.
constexpr std::uintmax_t kMaxDirFileBytes = 16 << 20;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * digest.size());
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

std::string etag_of(std::string_view hex) { return "\"" + std::string(hex) + "\""; }

}  // namespace

std::string_view console_content_type(std::string_view path) {
  struct Type {
    std::string_view extension;
    std::string_view content_type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const Type& t : kTypes) {
    if (ends_with(path, t.extension)) {
      return t.content_type;
    }
  }
  return "application/octet-stream";
}

bool console_path_valid(std::string_view path) {
  if (path.empty() || path.size() > kMaxPathBytes) {
    return false;
  }
  const bool chars_ok = std::all_of(path.begin(), path.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '-' || ch == '/';
  });
  if (!chars_ok) {
    return false;
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return false;
    }
    start = end + 1;
  }
  return true;
}

std::optional<ConsoleFile> find_console_file(std::string_view dir, std::string_view path) {
  if (!console_path_valid(path)) {
    return std::nullopt;
  }
  if (dir.empty()) {
    const auto assets = embedded_console_assets();
    const auto it =
        std::lower_bound(assets.begin(), assets.end(), path,
                         [](const ConsoleAsset& a, std::string_view p) { return a.path < p; });
    if (it == assets.end() || it->path != path) {
      return std::nullopt;
    }
    return ConsoleFile{std::string(it->body), etag_of(it->sha256_hex)};
  }
  const std::filesystem::path file = std::filesystem::path(dir) / std::string(path);
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::is_regular_file(status)) {
    return std::nullopt;
  }
  const auto size = std::filesystem::file_size(file, ec);
  if (ec || size > kMaxDirFileBytes) {
    return std::nullopt;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string etag = etag_of(sha256_hex(body));
  return ConsoleFile{std::move(body), std::move(etag)};
}

}  // namespace castor::api
