#include "application/list_objects.h"

#include <cstdint>
#include <vector>

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
                                            const std::optional<std::string>& cursor) {
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
        auto objects = tx.objects().list(query);
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

}  // namespace castor
