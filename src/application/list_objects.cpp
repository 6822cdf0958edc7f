#include "application/list_objects.h"

#include <cstdint>
#include <vector>

#include "application/list_s3.h"
#include "domain/hex.h"

namespace castor {

std::string ListObjects::encode_cursor(const ListCursor& cursor) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(cursor.key.data());
  return to_hex({bytes, cursor.key.size()}) + "." + cursor.id.to_string();
}

Result<ListCursor> ListObjects::decode_cursor(std::string_view text) {
  const auto dot = text.rfind('.');
  if (dot == std::string_view::npos) {
    return invalid_argument("malformed cursor");
  }
  std::vector<std::uint8_t> key(dot / 2);
  if (!from_hex(text.substr(0, dot), key)) {
    return invalid_argument("malformed cursor");
  }
  auto id = ObjectId::parse(text.substr(dot + 1));
  if (!id) {
    return invalid_argument("malformed cursor");
  }
  // The key is compared in SQL: it must be text PostgreSQL takes (what a real key always is;
  // objects without a key page with an empty one).
  std::string after(key.begin(), key.end());
  if (!after.empty() && !ObjectKey::parse(after)) {
    return invalid_argument("malformed cursor");
  }
  return ListCursor{std::move(after), *id};
}

Result<ListObjects::Page> ListObjects::list(const Namespace& ns, const TenantId& tenant,
                                            std::string prefix, std::size_t limit,
                                            const std::optional<std::string>& cursor, Order order) {
  if (limit < 1 || limit > kMaxLimit) {
    return invalid_argument("limit must be between 1 and 1000");
  }
  ListQuery query{ns, tenant, std::move(prefix), limit + 1, std::nullopt};
  if (cursor) {
    auto after = decode_cursor(*cursor);
    if (!after) {
      return std::move(after).error();
    }
    query.after = std::move(*after);
  }
  Page page;
  auto s = metadata_.transact(
      [&](MetadataTransaction& tx) -> Status {
        auto objects =
            order == Order::kNatural ? tx.search().list_natural(query) : tx.objects().list(query);
        if (!objects) {
          return std::move(objects).error();
        }
        page.objects = std::move(*objects);
        return {};
      },
      MetadataStore::Mode::kReadOnly);
  if (!s) {
    return std::move(s).error();
  }
  // One more row than asked for tells whether another page follows.
  if (page.objects.size() > limit) {
    page.objects.erase(page.objects.begin() + static_cast<std::ptrdiff_t>(limit),
                       page.objects.end());
    const Object& last = page.objects.back();
    page.next_cursor = encode_cursor({last.key() ? last.key()->str() : "", last.id()});
  }
  return page;
}

namespace {

Status check_limit(std::size_t limit) {
  if (limit < 1 || limit > ListObjects::kMaxLimit) {
    return invalid_argument("limit must be between 1 and 1000");
  }
  return {};
}

}  // namespace

Result<ListObjects::Page> ListObjects::list_folders(const Namespace& ns, const TenantId& tenant,
                                                    std::string prefix, std::string delimiter,
                                                    std::size_t limit,
                                                    const std::optional<std::string>& cursor) {
  if (auto s = check_limit(limit); !s) {
    return std::move(s).error();
  }
  if (delimiter.empty()) {
    return invalid_argument("delimiter must not be empty");
  }
  ListS3::Request request{std::move(prefix), std::move(delimiter), "", limit};
  if (cursor) {
    std::string_view text = *cursor;
    if (!text.starts_with("d.") || text.size() % 2 != 0) {
      return invalid_argument("malformed cursor");
    }
    std::vector<std::uint8_t> bytes((text.size() - 2) / 2);
    if (!from_hex(text.substr(2), bytes)) {
      return invalid_argument("malformed cursor");
    }
    request.start_after.assign(bytes.begin(), bytes.end());
  }
  // ListS3 reads a bounded number of index pages per call; a page it cuts short is still exact
  // (truncated, resumable), so callers just follow next_cursor.
  ListS3 s3(metadata_);
  auto listed = s3.list(ns, tenant, request);
  if (!listed) {
    return std::move(listed).error();
  }
  Page page;
  page.objects = std::move(listed->contents);
  page.common_prefixes = std::move(listed->common_prefixes);
  if (listed->truncated) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(listed->next_marker.data());
    page.next_cursor = "d." + to_hex({bytes, listed->next_marker.size()});
  }
  return page;
}

Result<ListObjects::Page> ListObjects::list_by_content(const TenantId& tenant,
                                                       const ContentHash& hash, std::size_t limit,
                                                       const std::optional<std::string>& cursor) {
  if (auto s = check_limit(limit); !s) {
    return std::move(s).error();
  }
  std::optional<ObjectId> after;
  if (cursor) {
    auto id = ObjectId::parse(*cursor);
    if (!id) {
      return invalid_argument("malformed cursor");
    }
    after = *id;
  }
  auto objects = read_only(metadata_, [&](MetadataTransaction& tx) {
    return tx.search().list_by_content(tenant, hash, limit + 1, after);
  });
  if (!objects) {
    return std::move(objects).error();
  }
  Page page;
  page.objects = std::move(*objects);
  if (page.objects.size() > limit) {
    page.objects.erase(page.objects.begin() + static_cast<std::ptrdiff_t>(limit),
                       page.objects.end());
    page.next_cursor = page.objects.back().id().to_string();
  }
  return page;
}

}  // namespace castor
