// ListS3 on the in-memory fakes: S3's ListObjects/ListObjectsV2 semantics (prefix, delimiter
// folding into common prefixes, start-after, max-keys, exact truncation), checked case by case and
// against a straightforward model over every key.
#include "application/list_s3.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "application/delete_object.h"
#include "fakes/fake_store.h"

namespace castor {
namespace {

const Namespace kNs = *Namespace::parse("bucket");
const TenantId kTenant = *TenantId::parse("t1");

using Strings = std::vector<std::string>;

// One listing item: a key, or a common prefix (is_prefix).
struct Item {
  std::string text;
  bool is_prefix = false;
  friend bool operator==(const Item&, const Item&) = default;
};

std::vector<Item> items_of(const ListS3::Page& page) {
  std::vector<Item> items;
  for (const Object& o : page.contents) {
    items.push_back({o.key()->str(), false});
  }
  for (const std::string& p : page.common_prefixes) {
    items.push_back({p, true});
  }
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.text < b.text; });
  return items;
}

// The listing S3 defines, computed over every key at once.
std::vector<Item> model(const std::set<std::string>& keys, const ListS3::Request& r) {
  std::vector<Item> items;
  std::set<std::string> seen;
  const std::string delimiter = r.delimiter.value_or("");
  for (const std::string& key : keys) {
    if (!key.starts_with(r.prefix)) {
      continue;
    }
    Item item{key, false};
    if (!delimiter.empty()) {
      if (auto at = key.find(delimiter, r.prefix.size()); at != std::string::npos) {
        item = {key.substr(0, at + delimiter.size()), true};
      }
    }
    if (item.text <= r.start_after || !seen.insert(item.text).second) {
      continue;
    }
    items.push_back(item);
  }
  return items;
}

struct World : testing::FakeStore {
  std::set<std::string> keys;

  void add(const Strings& new_keys, const Namespace& ns = kNs, const TenantId& tenant = kTenant) {
    for (const std::string& k : new_keys) {
      put(ns, tenant, k, k);
      if (ns == kNs && tenant == kTenant) {
        keys.insert(k);
      }
    }
  }

  ListS3::Page page(const ListS3::Request& r, std::size_t max_pages = ListS3::kDefaultMaxPages) {
    ListS3 lister(metadata, max_pages);
    auto p = lister.list(kNs, kTenant, r);
    REQUIRE(p);
    return *p;
  }

  // Follows next_marker until the listing ends, checking every page's bounds; returns all items.
  std::vector<Item> walk(ListS3::Request r, std::size_t max_pages = ListS3::kDefaultMaxPages) {
    std::vector<Item> all;
    for (int calls = 0; calls < 10000; ++calls) {
      ListS3::Page p = page(r, max_pages);
      const auto items = items_of(p);
      CHECK(items.size() <= r.max_keys);
      if (!items.empty()) {
        CHECK(p.next_marker == items.back().text);
      }
      // A truncated page promised more: the next one is not empty.
      CHECK((calls == 0 || !items.empty()));
      all.insert(all.end(), items.begin(), items.end());
      if (!p.truncated) {
        return all;
      }
      REQUIRE_FALSE(p.next_marker.empty());
      r.start_after = p.next_marker;
    }
    FAIL("the listing does not end");
    return all;
  }
};

Strings keys_of(const ListS3::Page& p) {
  Strings out;
  for (const Object& o : p.contents) {
    out.push_back(o.key()->str());
  }
  return out;
}

ListS3::Request req(std::string prefix, std::optional<std::string> delimiter,
                    std::string start_after = "", std::size_t max_keys = 1000) {
  return {std::move(prefix), std::move(delimiter), std::move(start_after), max_keys};
}

}  // namespace

TEST_CASE("S3 listing folds keys at the delimiter into common prefixes", "[unit][s3][list]") {
  World w;
  w.add({"a.txt", "dir/x", "dir/y/z", "dir2/q", "top", "zz/1"});
  auto p = w.page(req("", "/"));
  CHECK(keys_of(p) == Strings{"a.txt", "top"});
  CHECK(p.common_prefixes == Strings{"dir/", "dir2/", "zz/"});
  CHECK_FALSE(p.truncated);
  CHECK(p.next_marker == "zz/");

  // Without a delimiter: every key.
  p = w.page(req("", std::nullopt));
  CHECK(keys_of(p) == Strings{"a.txt", "dir/x", "dir/y/z", "dir2/q", "top", "zz/1"});
  CHECK(p.common_prefixes.empty());
  // An empty delimiter is no delimiter.
  CHECK(keys_of(w.page(req("", ""))).size() == 6);
}

TEST_CASE("S3 listing with a prefix and a delimiter", "[unit][s3][list]") {
  World w;
  w.add({"dir/", "dir/a", "dir/b/1", "dir/b/2", "dir/c/", "dir/d", "dirt", "other/x"});
  auto p = w.page(req("dir/", "/"));
  // "dir/" itself has nothing after the prefix: it is a key, not a prefix.
  CHECK(keys_of(p) == Strings{"dir/", "dir/a", "dir/d"});
  CHECK(p.common_prefixes == Strings{"dir/b/", "dir/c/"});
  CHECK_FALSE(p.truncated);

  p = w.page(req("dir", "/"));
  CHECK(keys_of(p) == Strings{"dirt"});
  CHECK(p.common_prefixes == Strings{"dir/"});

  p = w.page(req("nothing/", "/"));
  CHECK(p.contents.empty());
  CHECK(p.common_prefixes.empty());
  CHECK_FALSE(p.truncated);
  CHECK(p.next_marker.empty());
}

TEST_CASE("S3 listing resumes after a start-after, past a whole folded prefix",
          "[unit][s3][list]") {
  World w;
  w.add({"a/1", "a/2", "a/3", "b", "c/1", "c/2", "d"});
  // Inside folded prefix "a/": "a/" sorts before "a/1", so neither it nor its keys come back.
  auto p = w.page(req("", "/", "a/1"));
  CHECK(keys_of(p) == Strings{"b", "d"});
  CHECK(p.common_prefixes == Strings{"c/"});
  // The common prefix itself as the marker (what next_marker gives).
  p = w.page(req("", "/", "a/"));
  CHECK(keys_of(p) == Strings{"b", "d"});
  CHECK(p.common_prefixes == Strings{"c/"});
  // Just before the prefix.
  p = w.page(req("", "/", "a"));
  CHECK(p.common_prefixes == Strings{"a/", "c/"});
  // Without a delimiter, start-after is a plain exclusive key bound.
  p = w.page(req("", std::nullopt, "a/2"));
  CHECK(keys_of(p) == Strings{"a/3", "b", "c/1", "c/2", "d"});
  // A start-after between keys, and one past every key.
  CHECK(keys_of(w.page(req("", std::nullopt, "c/15"))) == Strings{"c/2", "d"});
  CHECK(w.page(req("", "/", "zzz")).contents.empty());
  // A start-after before the prefix changes nothing; one after it ends the listing.
  CHECK(keys_of(w.page(req("c/", std::nullopt, "b"))) == Strings{"c/1", "c/2"});
  CHECK(w.page(req("c/", std::nullopt, "d")).contents.empty());
}

TEST_CASE("S3 listing max-keys boundaries and exact truncation", "[unit][s3][list]") {
  World w;
  w.add({"k1", "k2", "k3", "p/1", "p/2"});
  // Exactly as many items as max-keys, the last a common prefix whose keys fill the rest of the
  // repository page: not truncated.
  auto p = w.page(req("", "/", "", 4));
  CHECK(keys_of(p) == Strings{"k1", "k2", "k3"});
  CHECK(p.common_prefixes == Strings{"p/"});
  CHECK_FALSE(p.truncated);
  // One fewer: truncated, and the marker resumes after the last item.
  p = w.page(req("", "/", "", 3));
  CHECK(keys_of(p) == Strings{"k1", "k2", "k3"});
  CHECK(p.common_prefixes.empty());
  CHECK(p.truncated);
  CHECK(p.next_marker == "k3");
  p = w.page(req("", "/", p.next_marker, 3));
  CHECK(p.common_prefixes == Strings{"p/"});
  CHECK_FALSE(p.truncated);
  // Without a delimiter: five keys in five, then in four.
  p = w.page(req("", std::nullopt, "", 5));
  CHECK_FALSE(p.truncated);
  p = w.page(req("", std::nullopt, "", 4));
  CHECK(p.truncated);
  CHECK(p.next_marker == "p/1");
  // max-keys 0: an empty page, not truncated (as S3 answers).
  p = w.page(req("", "/", "", 0));
  CHECK(p.contents.empty());
  CHECK(p.common_prefixes.empty());
  CHECK_FALSE(p.truncated);
  // Over 1000 is 1000.
  CHECK(w.page(req("", std::nullopt, "", 5000)).contents.size() == 5);
  // One at a time.
  CHECK(w.walk(req("", "/", "", 1)) == model(w.keys, req("", "/")));
}

TEST_CASE("S3 listing compares keys as bytes, beyond ASCII", "[unit][s3][list]") {
  World w;
  // U+00E9, U+4E2D, U+1F600 and U+10FFFF (the largest code point) sort after every ASCII byte.
  w.add({"caf\xC3\xA9/1", "caf\xC3\xA9/2", "cafe/1", "caf\xE4\xB8\xAD", "caf\xF0\x9F\x98\x80/x",
         "cafz", "\xF4\x8F\xBF\xBF/a", "\xF4\x8F\xBF\xBF/b", "\xF4\x8F\xBF\xBF\xF4\x8F\xBF\xBF"});
  auto p = w.page(req("caf", "/"));
  CHECK(keys_of(p) == Strings{"cafz", "caf\xE4\xB8\xAD"});
  CHECK(p.common_prefixes == Strings{"cafe/", "caf\xC3\xA9/", "caf\xF0\x9F\x98\x80/"});
  // After the common prefix "U+10FFFF/" comes the key "U+10FFFF U+10FFFF".
  p = w.page(req("", "/"));
  CHECK(p.common_prefixes ==
        Strings{"cafe/", "caf\xC3\xA9/", "caf\xF0\x9F\x98\x80/", "\xF4\x8F\xBF\xBF/"});
  CHECK(keys_of(p) == Strings{"cafz", "caf\xE4\xB8\xAD", "\xF4\x8F\xBF\xBF\xF4\x8F\xBF\xBF"});
  // Folding by a non-ASCII delimiter into a common prefix of U+10FFFF only: nothing sorts after it.
  p = w.page(req("", "\xF4\x8F\xBF\xBF"));
  CHECK(p.common_prefixes == Strings{"\xF4\x8F\xBF\xBF"});
  CHECK(keys_of(p) == Strings{"cafe/1", "cafz", "caf\xC3\xA9/1", "caf\xC3\xA9/2", "caf\xE4\xB8\xAD",
                              "caf\xF0\x9F\x98\x80/x"});
  CHECK_FALSE(p.truncated);
  // A start-after inside that prefix ends the listing.
  p = w.page(req("", "\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF/a"));
  CHECK(p.contents.empty());
  CHECK(p.common_prefixes.empty());
  CHECK_FALSE(p.truncated);
  for (std::size_t max_keys : {1, 2, 3, 7}) {
    for (const char* delimiter : {"/", "\xC3\xA9", "\xF4\x8F\xBF\xBF"}) {
      INFO("max_keys " << max_keys << ", delimiter " << delimiter);
      CHECK(w.walk(req("", delimiter, "", max_keys)) == model(w.keys, req("", delimiter)));
    }
  }
}

TEST_CASE("S3 listing with a multi-character delimiter", "[unit][s3][list]") {
  World w;
  w.add({"a--b--c", "a--d", "a-b", "ab--", "b", "b---c"});
  auto p = w.page(req("", "--"));
  CHECK(p.common_prefixes == Strings{"a--", "ab--", "b--"});
  CHECK(keys_of(p) == Strings{"a-b", "b"});
  p = w.page(req("a--", "--"));
  CHECK(p.common_prefixes == Strings{"a--b--"});
  CHECK(keys_of(p) == Strings{"a--d"});
  // The delimiter is searched after the prefix only.
  p = w.page(req("b-", "--"));
  CHECK(p.common_prefixes == Strings{"b---"});
  CHECK(p.contents.empty());
}

TEST_CASE("S3 listing skips keyless objects and other namespaces and tenants", "[unit][s3][list]") {
  World w;
  w.put(kNs, kTenant, "", "keyless one");
  w.put(kNs, kTenant, "", "keyless two");
  w.add({"a", "b/c"});
  w.add({"a2", "x/y"}, *Namespace::parse("other"));
  w.add({"a3"}, kNs, *TenantId::parse("t2"));
  auto p = w.page(req("", "/"));
  CHECK(keys_of(p) == Strings{"a"});
  CHECK(p.common_prefixes == Strings{"b/"});
  CHECK_FALSE(p.truncated);
  p = w.page(req("", std::nullopt, "", 1));
  CHECK(keys_of(p) == Strings{"a"});
  CHECK(p.truncated);
}

TEST_CASE("S3 listing leaves out deleted objects", "[unit][s3][list]") {
  World w;
  w.add({"a", "b"});
  Object gone = w.put(kNs, kTenant, "c", "c");
  DeleteObject remove{w.metadata, w.clock};
  REQUIRE(remove.by_id(kTenant, gone.id()));
  auto p = w.page(req("", std::nullopt, "", 2));
  CHECK(keys_of(p) == Strings{"a", "b"});
  CHECK_FALSE(p.truncated);
}

TEST_CASE("S3 listing refuses text PostgreSQL cannot compare", "[unit][s3][list]") {
  World w;
  ListS3 lister(w.metadata);
  for (const auto& r : {req("\xFF", std::nullopt), req("", "\xC3"), req("", "/", "a\xC3"),
                        req(std::string("a\0b", 3), std::nullopt)}) {
    auto p = lister.list(kNs, kTenant, r);
    REQUIRE_FALSE(p);
    CHECK(p.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("S3 listing bounds its repository pages and still makes progress", "[unit][s3][list]") {
  World w;
  Strings keys;
  for (char d = 'a'; d <= 'h'; ++d) {
    for (int i = 0; i < 5; ++i) {
      keys.push_back(std::string(1, d) + "/" + std::to_string(i));
    }
    keys.push_back(std::string(1, d) + "-file");
  }
  w.add(keys);
  const std::uint64_t before = w.metadata.transact_count();
  // Two queries at most: the first page (11 rows: a-file, a/0..4, b-file, b/0..3), then a
  // probe that finds c-file after the cursor.
  auto p = w.page(req("", "/", "", 10), 2);
  CHECK(w.metadata.transact_count() == before + 1);  // one read-only transaction
  CHECK(p.common_prefixes == Strings{"a/", "b/"});
  CHECK(keys_of(p) == Strings{"a-file", "b-file"});
  CHECK(p.truncated);
  CHECK(p.next_marker == "b/");
  // The first page (h-file, h/0, h/1) fills up inside "h/"; the probe past "h/" finds nothing:
  // not truncated.
  p = w.page(req("h", "/", "", 2), 2);
  CHECK(keys_of(p) == Strings{"h-file"});
  CHECK(p.common_prefixes == Strings{"h/"});
  CHECK_FALSE(p.truncated);
  // Whatever the bound, walking the markers gives the whole listing, each item once.
  for (std::size_t max_pages : {2, 3, 16}) {
    for (std::size_t max_keys : {1, 2, 3, 10, 1000}) {
      for (const auto& r : {req("", "/"), req("", std::nullopt), req("c", "/"), req("", "/", "c/2"),
                            req("", "-"), req("b/", "/", "a")}) {
        ListS3::Request bounded = r;
        bounded.max_keys = max_keys;
        INFO("max_pages " << max_pages << ", max_keys " << max_keys << ", prefix " << r.prefix
                          << ", start-after " << r.start_after);
        CHECK(w.walk(bounded, max_pages) == model(w.keys, r));
      }
    }
  }
}

}  // namespace castor
