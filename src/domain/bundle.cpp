#include "domain/bundle.h"

#include <algorithm>
#include <map>

#include "domain/hex.h"
#include "domain/utf8.h"

namespace castor {

Status validate_bundle_path(std::string_view path) {
  if (path.empty()) {
    return invalid_argument("path is empty");
  }
  if (path.size() > kMaxBundlePathBytes) {
    return invalid_argument("path is longer than " + std::to_string(kMaxBundlePathBytes) +
                            " bytes");
  }
  if (!is_valid_utf8(path)) {
    return invalid_argument("path is not valid UTF-8");
  }
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return invalid_argument(u == 0 ? "path contains NUL" : "path contains a control character");
    }
  }
  if (path.front() == '/') {
    return invalid_argument("path must be relative (it starts with '/')");
  }
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = path.find('/', start);
    const std::string_view segment = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment.empty()) {
      return invalid_argument("path has an empty segment");
    }
    if (segment == "." || segment == "..") {
      return invalid_argument("path has a '" + std::string(segment) + "' segment");
    }
    if (slash == std::string_view::npos) {
      return {};
    }
    start = slash + 1;
  }
}

std::string bundle_merkle_root(const std::vector<BundleFile>& files, Sha256Function sha256) {
  std::vector<const BundleFile*> sorted;
  sorted.reserve(files.size());
  for (const BundleFile& f : files) {
    sorted.push_back(&f);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const BundleFile* a, const BundleFile* b) { return a->path < b->path; });
  if (sorted.empty()) {
    return to_hex(sha256(std::string_view()));
  }
  std::vector<Sha256Digest> level;
  level.reserve(sorted.size());
  std::string leaf;
  for (const BundleFile* f : sorted) {
    leaf.assign(f->path).append(":").append(f->hash.hex());
    level.push_back(sha256(leaf));
  }
  std::string pair(64, '\0');
  while (level.size() > 1) {
    std::vector<Sha256Digest> parents;
    parents.reserve((level.size() + 1) / 2);
    for (std::size_t i = 0; i < level.size(); i += 2) {
      const Sha256Digest& left = level[i];
      const Sha256Digest& right = i + 1 < level.size() ? level[i + 1] : level[i];
      std::copy(left.begin(), left.end(), pair.begin());
      std::copy(right.begin(), right.end(), pair.begin() + 32);
      parents.push_back(sha256(pair));
    }
    level = std::move(parents);
  }
  return to_hex(level.front());
}

Result<BundleManifest> BundleManifest::create(std::vector<BundleFile> files,
                                              Sha256Function sha256) {
  if (files.size() > kMaxBundleFiles) {
    return Error{ErrorCode::kOutOfRange, "a bundle holds at most " +
                                             std::to_string(kMaxBundleFiles) + " files, not " +
                                             std::to_string(files.size())};
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (auto s = validate_bundle_path(files[i].path); !s) {
      return invalid_argument("files[" + std::to_string(i) + "]: " + s.error().message);
    }
    if (files[i].mode > 07777) {
      return invalid_argument("files[" + std::to_string(i) +
                              "]: mode must be permission bits (0 to 4095)");
    }
  }
  std::vector<std::size_t> order(files.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return files[a].path < files[b].path; });
  for (std::size_t i = 1; i < order.size(); ++i) {
    if (files[order[i]].path == files[order[i - 1]].path) {
      return invalid_argument("files[" + std::to_string(order[i]) + "]: duplicate path (as files[" +
                              std::to_string(order[i - 1]) + "])");
    }
  }
  BundleManifest m;
  m.files_.reserve(files.size());
  for (std::size_t i : order) {
    m.total_bytes_ += files[i].size_bytes;
    m.files_.push_back(std::move(files[i]));
  }
  m.merkle_root_ = bundle_merkle_root(m.files_, sha256);
  return m;
}

std::vector<std::pair<ContentHash, std::uint64_t>> BundleManifest::references() const {
  std::map<ContentHash, std::uint64_t> counts;
  for (const BundleFile& f : files_) {
    ++counts[f.hash];
  }
  return {counts.begin(), counts.end()};
}

}  // namespace castor
