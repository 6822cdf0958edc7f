#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "application/ports/metadata_store.h"
#include "domain/object.h"

namespace castor {

// The listing of S3's ListObjects (v1) and ListObjectsV2 below the handlers (Amazon S3 API
// Reference, ListObjects / ListObjectsV2): the keyed COMMITTED objects of a (namespace, tenant)
// whose keys start with a prefix, in key byte order, with the keys that hold the delimiter after
// the prefix folded into common prefixes. Keyless objects (native uploads without a key) are not
// S3-visible and are skipped. Whether the bucket exists is the caller's business
// (ManageBuckets::find). Blocking; thread-safe (every call has its own transaction).
class ListS3 {
 public:
  static constexpr std::size_t kMaxKeys = 1000;
  // Repository pages one call reads at most, by default (see the constructor).
  static constexpr std::size_t kDefaultMaxPages = 16;

  struct Request {
    std::string prefix;                    // only keys starting with these bytes
    std::optional<std::string> delimiter;  // nullopt or empty = no folding
    std::string start_after;               // exclusive: StartAfter, Marker or the decoded
                                           // ContinuationToken; empty = from the first key
    std::size_t max_keys = kMaxKeys;       // clamped to 0..kMaxKeys
  };

  struct Page {
    std::vector<Object> contents;              // in key order
    std::vector<std::string> common_prefixes;  // in order, each ending with the delimiter
    // Whether anything follows what this page holds. Exact: never true when nothing follows.
    bool truncated = false;
    // The last key or common prefix of the page, whichever sorts last (NextMarker, and what a
    // ContinuationToken should carry): passed back as start_after, the next call resumes after
    // it (after the whole common prefix, when it is one). Empty when the page is empty.
    std::string next_marker;
  };

  // `max_pages` bounds the repository pages (queries) one call reads: a call that reaches it
  // returns what it has with truncated = true, so that S3 clients simply ask again. Each query
  // after the first starts past a common prefix or past the last key returned, so a call always
  // makes progress.
  explicit ListS3(MetadataStore& metadata, std::size_t max_pages = kDefaultMaxPages)
      : metadata_(metadata), max_pages_(max_pages < 2 ? 2 : max_pages) {}

  // Contents and common prefixes together are at most request.max_keys (0 gives an empty page,
  // not truncated, as S3 answers max-keys=0). Items that sort at or before start_after are left
  // out; a common prefix sorts as its own bytes, so a start_after inside a folded prefix skips
  // the rest of that prefix. InvalidArgument when the prefix, delimiter or start_after is not
  // valid UTF-8 (no key could match or be compared; S3 keys are UTF-8).
  Result<Page> list(const Namespace& ns, const TenantId& tenant, const Request& request);

 private:
  MetadataStore& metadata_;
  std::size_t max_pages_;
};

}  // namespace castor
