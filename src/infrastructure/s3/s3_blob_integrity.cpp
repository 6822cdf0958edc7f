// The integrity side of S3BlobStore: re-hashing content (the scrubber, completions of upload
// sessions), quarantine and the scan of content keys (fsck, the collector's orphan step).
#include <cassert>
#include <chrono>
#include <vector>

#include <spdlog/spdlog.h>

#include "application/io_thread.h"
#include "infrastructure/checksummers.h"
#include "infrastructure/s3/s3_blob_store.h"

namespace castor {
namespace {

constexpr std::size_t kHashReadSize = 1 << 20;  // bytes per read_at while hashing (as FileHasher)
constexpr std::size_t kMaxListKeys = 1000;      // ListObjectsV2's max-keys ceiling

Result<ContentHash> digest_of(Checksummer& sha) {
  const std::vector<std::uint8_t> digest = sha.digest();
  ContentHash::Bytes bytes{};
  if (digest.size() != bytes.size()) {
    return internal_error("SHA-256 digest of the wrong size");
  }
  std::copy(digest.begin(), digest.end(), bytes.begin());
  return ContentHash::from_bytes(bytes);
}

}  // namespace

Result<std::uint64_t> S3BlobStore::hash_into(const std::string& key, Checksummer& sha,
                                             const std::function<bool(std::uint64_t)>& pace) {
  auto reader = open_key(key);
  if (!reader) {
    return std::move(reader).error();
  }
  std::vector<std::byte> buffer(kHashReadSize);
  std::uint64_t total = 0;
  for (;;) {
    auto n = (*reader)->read_at(total, buffer);
    if (!n) {
      return std::move(n).error();
    }
    if (*n == 0) {
      return total;
    }
    sha.update(buffer.data(), *n);
    total += *n;
    if (pace && !pace(*n)) {
      return Error{ErrorCode::kAborted, "re-hashing stopped"};
    }
  }
}

Result<ContentHash> S3BlobStore::hash_content(StorageClass storage_class, const ContentHash& hash,
                                              const std::function<bool(std::uint64_t)>& pace) {
  check_class(storage_class);
  assert(!on_io_thread() && "content re-hashed on an IO thread");
  auto sha = make_checksummer(ChecksumAlgorithm::kSha256);
  if (!sha) {
    return std::move(sha).error();
  }
  if (auto n = hash_into(keys_.content_key(hash), **sha, pace); !n) {
    return std::move(n).error();
  }
  return digest_of(**sha);
}

Result<ContentHash> S3BlobStore::hash_segments(StorageClass storage_class,
                                               std::span<const Segment> segments,
                                               const std::function<bool(std::uint64_t)>& pace) {
  check_class(storage_class);
  assert(!on_io_thread() && "content hashed on an IO thread");
  auto sha = make_checksummer(ChecksumAlgorithm::kSha256);
  if (!sha) {
    return std::move(sha).error();
  }
  for (const Segment& segment : segments) {
    auto n = hash_into(keys_.content_key(segment.hash), **sha, pace);
    if (!n) {
      if (n.error().code == ErrorCode::kNotFound) {
        return not_found("content file of segment " + segment.hash.hex() + " missing");
      }
      return std::move(n).error();
    }
    if (*n != segment.size_bytes) {
      return Error{ErrorCode::kDataLoss, "segment " + segment.hash.hex() + " holds " +
                                             std::to_string(*n) + " bytes, not " +
                                             std::to_string(segment.size_bytes)};
    }
  }
  return digest_of(**sha);
}

Status S3BlobStore::quarantine(StorageClass storage_class, const ContentHash& hash) {
  check_class(storage_class);
  const std::string from = keys_.content_key(hash);
  auto head = client_->head(from);
  if (!head) {
    return std::move(head).error();
  }
  if (!*head) {
    return {};
  }
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count();
  const std::string to = keys_.quarantine_key(hash, seconds);
  if (auto s = client_->copy(from, to, (*head)->size); !s) {
    if (s.error().code == ErrorCode::kNotFound) {
      return {};  // gone meanwhile
    }
    return s;
  }
  if (auto s = client_->remove(from); !s) {
    return s;
  }
  spdlog::warn("storage: content {} moved to {}", from, to);
  return {};
}

Status S3BlobStore::scan(StorageClass storage_class,
                         const std::function<Status(const std::vector<ContentHash>&)>& visit) {
  std::optional<ContentHash> after;
  for (;;) {
    auto page = scan_page(storage_class, after, kMaxListKeys);
    if (!page) {
      return std::move(page).error();
    }
    if (!page->hashes.empty()) {
      if (auto s = visit(page->hashes); !s) {
        return s;
      }
      after = page->hashes.back();
    }
    if (page->end) {
      return {};
    }
  }
}

Result<ContentPage> S3BlobStore::scan_page(StorageClass storage_class,
                                           const std::optional<ContentHash>& after,
                                           std::size_t limit) {
  check_class(storage_class);
  assert(limit >= 1);
  ContentPage page;
  std::string start_after = after ? keys_.content_key(*after) : keys_.before_content();
  const std::string last = keys_.last_content_key();
  // At most kListRequestsPerScanPage requests once the page holds a hash; until then, on: an
  // empty page that is not the end would send the collector's cursor back to the start.
  for (int request = 0; request < kListRequestsPerScanPage || page.hashes.empty(); ++request) {
    const std::size_t want = std::min(limit - page.hashes.size(), kMaxListKeys);
    auto listed = client_->list(keys_.prefix(), start_after, want);
    if (!listed) {
      return std::move(listed).error();
    }
    for (const S3ObjectInfo& object : listed->objects) {
      if (object.key > last) {
        page.end = true;  // past every content key ({prefix}ff/ff/ff…f)
        return page;
      }
      if (auto hash = keys_.parse_content_key(object.key)) {
        page.hashes.push_back(std::move(*hash));
      }
    }
    if (!listed->truncated || listed->objects.empty()) {
      page.end = true;
      return page;
    }
    if (page.hashes.size() == limit) {
      return page;
    }
    start_after = listed->objects.back().key;
  }
  return page;
}

}  // namespace castor
