#include "application/list_s3.h"

#include <algorithm>
#include <utility>

#include "domain/object_key.h"
#include "domain/utf8.h"

namespace castor {
namespace {

// The smallest and largest version 4 UUIDs (RFC 9562 section 5.4): every object id lies between.
// A cursor (k, largest) resumes after key k; (k, smallest) resumes at key k (but for an object
// whose id is exactly the smallest v4 UUID, one chance in 2^122).
ObjectId smallest_id() {
  ObjectId::Bytes bytes{};
  return ObjectId::from_random(bytes);
}
ObjectId largest_id() {
  ObjectId::Bytes bytes;
  bytes.fill(0xFF);
  return ObjectId::from_random(bytes);
}

// PostgreSQL text takes valid UTF-8 without NUL; S3 keys are UTF-8.
bool usable_text(std::string_view s) {
  return is_valid_utf8(s) && s.find('\0') == std::string_view::npos;
}

Error invalid(const char* what) {
  return invalid_argument(std::string(what) + " must be valid UTF-8 without NUL");
}

}  // namespace

Result<ListS3::Page> ListS3::list(const Namespace& ns, const TenantId& tenant,
                                  const Request& request) {
  if (!usable_text(request.prefix)) {
    return invalid("prefix");
  }
  if (request.delimiter && !usable_text(*request.delimiter)) {
    return invalid("delimiter");
  }
  if (!usable_text(request.start_after)) {
    return invalid("start-after");
  }
  const std::size_t max_keys = std::min(request.max_keys, kMaxKeys);
  if (max_keys == 0) {
    return Page{};
  }
  // Valid UTF-8 matches only on code point boundaries, so every common prefix (a key's bytes up to
  // and including the delimiter) is valid UTF-8 and has a key_prefix_end.
  const std::string delimiter = request.delimiter.value_or("");
  const std::string& prefix = request.prefix;
  auto fold = [&](const std::string& key) -> std::optional<std::string> {
    if (delimiter.empty()) {
      return std::nullopt;
    }
    const auto at = key.find(delimiter, prefix.size());
    if (at == std::string::npos) {
      return std::nullopt;
    }
    return key.substr(0, at + delimiter.size());
  };

  // Where the listing resumes: after start_after, or past the whole common prefix it lies in (that
  // prefix sorts before start_after, and so does everything it folds). A largest-id cursor after
  // the empty key also skips keyless objects, which list as the empty key.
  ListCursor start{request.start_after, largest_id()};
  if (request.start_after.starts_with(prefix)) {
    if (auto group = fold(request.start_after)) {
      auto end = key_prefix_end(*group);
      if (!end) {
        return Page{};  // nothing sorts after a prefix of U+10FFFF only
      }
      start = {std::move(*end), smallest_id()};
    }
  }

  return read_only(metadata_, [&](MetadataTransaction& tx) -> Result<Page> {
    Page page;
    std::size_t count = 0;
    ListCursor after = start;
    std::optional<std::string> group;  // the last common prefix emitted, while its keys follow
    for (std::size_t pages = 0;; ++pages) {
      // At the cap, one row past the cursor tells whether anything follows: the cursor is always
      // past every key already accounted for, so any row would be a new item.
      const bool last = pages + 1 == max_pages_;
      const std::size_t limit = last ? 1 : max_keys - count + 1;
      auto rows = tx.objects().list({ns, tenant, prefix, limit, after});
      if (!rows) {
        return std::move(rows).error();
      }
      if (last) {
        page.truncated = !rows->empty();
        return page;
      }
      for (const Object& o : *rows) {
        if (!o.key()) {
          continue;  // not S3-visible (and never listed after a non-empty cursor key)
        }
        const std::string& key = o.key()->str();
        if (group && key.starts_with(*group)) {
          continue;
        }
        group.reset();
        if (count == max_keys) {
          page.truncated = true;
          return page;
        }
        ++count;
        if (auto folded = fold(key)) {
          page.next_marker = *folded;
          page.common_prefixes.push_back(*folded);
          group = std::move(folded);
        } else {
          page.next_marker = key;
          page.contents.push_back(o);
        }
      }
      if (rows->size() < limit) {
        return page;  // the range is exhausted
      }
      if (group) {
        auto end = key_prefix_end(*group);
        if (!end) {
          return page;
        }
        after = {std::move(*end), smallest_id()};
      } else {
        const Object& tail = rows->back();
        after = {tail.key() ? tail.key()->str() : std::string(), tail.id()};
      }
    }
  });
}

}  // namespace castor
