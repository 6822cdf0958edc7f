#include "application/bundles/read_bundles.h"

#include <charconv>

namespace castor {

std::string ReadBundles::encode_cursor(const BundleCursor& cursor) {
  return std::to_string(cursor.created_at.time_since_epoch().count()) + "." + cursor.id.to_string();
}

Result<BundleCursor> ReadBundles::decode_cursor(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos) {
    return invalid_argument("malformed cursor");
  }
  std::int64_t us = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + dot, us);
  if (err != std::errc() || end != text.data() + dot) {
    return invalid_argument("malformed cursor");
  }
  auto id = BundleId::parse(text.substr(dot + 1));
  if (!id) {
    return invalid_argument("malformed cursor");
  }
  return BundleCursor{Timestamp(std::chrono::microseconds(us)), *id};
}

Result<ReadBundles::Page> ReadBundles::list(const TenantId& tenant, std::size_t limit,
                                            const std::optional<std::string>& cursor) {
  if (limit < 1 || limit > kMaxLimit) {
    return invalid_argument("limit must be between 1 and 1000");
  }
  std::optional<BundleCursor> after;
  if (cursor) {
    auto decoded = decode_cursor(*cursor);
    if (!decoded) {
      return std::move(decoded).error();
    }
    after = *decoded;
  }
  auto rows = read_only(metadata_, [&](MetadataTransaction& tx) {
    return tx.bundles().list(tenant, after, limit + 1);
  });
  if (!rows) {
    return std::move(rows).error();
  }
  Page page{std::move(*rows), std::nullopt};
  // One more row than asked for tells whether another page follows.
  if (page.bundles.size() > limit) {
    page.bundles.erase(page.bundles.begin() + static_cast<std::ptrdiff_t>(limit),
                       page.bundles.end());
    const BundleSummary& last = page.bundles.back();
    page.next_cursor = encode_cursor({last.created_at, last.id});
  }
  return page;
}

Result<Bundle> ReadBundles::get(const TenantId& tenant, const BundleId& id) {
  auto found =
      read_only(metadata_, [&](MetadataTransaction& tx) { return tx.bundles().find(tenant, id); });
  if (!found) {
    return std::move(found).error();
  }
  if (!*found) {
    return not_found("no such bundle");
  }
  return std::move(**found);
}

}  // namespace castor
