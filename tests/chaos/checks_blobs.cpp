#include "chaos/checks_blobs.h"

#include <exception>
#include <map>
#include <set>

#include "chaos/bundle_model.h"
#include "chaos/http_util.h"
#include "chaos/session_ops.h"
#include "support/http_client.h"
#include "support/sha256.h"

namespace castor::chaos {
namespace {

using testing::Headers;
using testing::HttpClient;
using testing::HttpResponse;

// Every bundle id the tenant lists.
std::vector<std::string> list_bundle_ids(HttpClient& client, const Headers& tenant) {
  std::vector<std::string> ids;
  std::string cursor;
  for (int page = 0; page < 1000; ++page) {
    std::string url = "/v1/bundles?limit=1000";
    if (!cursor.empty()) {
      url += "&cursor=" + testing::percent_encode(cursor);
    }
    const HttpResponse response = client.request("GET", url, tenant);
    boost::json::value storage;
    const boost::json::object* body = parse(response.body, storage);
    if (response.status != 200 || body == nullptr || !body->contains("bundles") ||
        !body->at("bundles").is_array() || !body->contains("next_cursor")) {
      throw std::runtime_error("GET " + url + ": " + status_text(response));
    }
    for (const auto& summary : body->at("bundles").as_array()) {
      ids.push_back(summary.is_object() ? json_string(summary.as_object(), "id") : "?");
    }
    if (!body->at("next_cursor").is_string()) {
      return ids;
    }
    cursor = std::string(body->at("next_cursor").as_string());
  }
  throw std::runtime_error("the bundle listing did not end");
}

void settle_bundles(BlobContext& c, HttpClient& client) {
  const Headers tenant{{"X-Tenant", c.settings.tenant}};
  std::map<std::string, std::size_t> live;     // id -> index
  std::map<std::string, std::size_t> unknown;  // tag -> index
  for (const std::size_t index : c.blobs.unsettled_bundles()) {
    BundleRecord bundle = c.blobs.bundle(index);
    if (bundle.state == BundleState::kDeleteUnknown) {
      const HttpResponse response = client.request("GET", "/v1/bundles/" + bundle.id, tenant);
      if (response.status == 404) {
        c.blobs.set_bundle(index, BundleState::kGone);
        continue;
      }
      if (const std::string problem = manifest_problem(bundle, response); !problem.empty()) {
        c.observations.fail("bundle " + bundle.id + " whose DELETE went unanswered: " + problem);
      }
      c.blobs.set_bundle(index, BundleState::kLive, {}, Clock::now());
      live[bundle.id] = index;
    } else if (bundle.state == BundleState::kUnknown) {
      unknown[bundle.tag] = index;
    } else if (bundle.state == BundleState::kLive) {
      live[bundle.id] = index;
    } else {
      c.observations.fail("bundle " + bundle.tag + " still in flight during the check");
    }
  }
  std::set<std::string> listed;
  for (const std::string& id : list_bundle_ids(client, tenant)) {
    listed.insert(id);
    if (live.contains(id)) {
      continue;
    }
    // Not acknowledged: one whose creation went unanswered, found by its tag.
    const HttpResponse response = client.request("GET", "/v1/bundles/" + id, tenant);
    boost::json::value storage;
    const boost::json::object* body = parse(response.body, storage);
    const boost::json::value* metadata = body != nullptr ? body->if_contains("metadata") : nullptr;
    const std::string tag = metadata != nullptr && metadata->is_object()
                                ? json_string(metadata->as_object(), "chaos")
                                : std::string();
    const auto found = unknown.find(tag);
    if (found == unknown.end()) {
      c.observations.fail("listed bundle " + id +
                          " was never created (or deleted): " + status_text(response));
      continue;
    }
    BundleRecord bundle = c.blobs.bundle(found->second);
    bundle.id = id;
    if (const std::string problem = manifest_problem(bundle, response); !problem.empty()) {
      c.observations.fail("bundle " + id + " whose creation went unanswered: " + problem);
    }
    c.blobs.set_bundle(found->second, BundleState::kLive, id, Clock::now());
    unknown.erase(found);
  }
  for (const auto& [tag, index] : unknown) {
    c.blobs.set_bundle(index, BundleState::kGone);  // never created
  }
  for (const auto& [id, index] : live) {
    if (!listed.contains(id)) {
      c.observations.fail("live bundle " + id + " (" + c.blobs.bundle(index).tag +
                          ") is not listed");
    }
  }
}

void check_bundles(BlobContext& c, HttpClient& client) {
  const Headers tenant{{"X-Tenant", c.settings.tenant}};
  std::size_t turn = 0;
  for (const std::size_t index : c.blobs.unsettled_bundles()) {
    const BundleRecord bundle = c.blobs.bundle(index);
    const std::string what = "live bundle " + bundle.id + " (" + bundle.tag + "): ";
    if (bundle.state != BundleState::kLive) {
      c.observations.fail(what + "unsettled during the check");
      continue;
    }
    const HttpResponse manifest = client.request("GET", "/v1/bundles/" + bundle.id, tenant);
    if (const std::string problem = manifest_problem(bundle, manifest); !problem.empty()) {
      c.observations.fail(what + problem);
    }
    for (const bool zip : {false, true}) {
      if (zip && turn++ % 2 != 0) {
        continue;  // ZIP for every other bundle: tar is the one whose entries are hashed always
      }
      const HttpResponse archive = client.request(
          "GET", "/v1/bundles/" + bundle.id + "/download?format=" + (zip ? "zip" : "tar"), tenant);
      if (const std::string problem = archive_problem(bundle, archive, zip); !problem.empty()) {
        c.observations.fail(what + problem);
      }
    }
  }
}

void check_blobs(BlobContext& c, HttpClient& client, std::mt19937_64& rng) {
  const Headers tenant{{"X-Tenant", c.settings.tenant}};
  for (const std::string& hash : c.blobs.blob_hashes()) {
    const std::optional<BlobRecord> record = c.blobs.blob(hash);
    const Clock::time_point sent = Clock::now();
    const HttpResponse response = client.request("GET", "/v1/blobs/" + hash, tenant);
    const Clock::time_point answered = Clock::now();
    const std::string what = "blob " + hash + " (" + std::to_string(record->bytes.size()) +
                             " bytes" + (record->acknowledged ? ", acknowledged" : "") + "): ";
    if (response.status == 404) {
      if (c.blobs.guaranteed(hash, sent, answered)) {
        c.observations.fail(what + "404 while protected or held by a live bundle");
      } else {
        c.blobs.forget_blob(hash);  // collected
      }
      continue;
    }
    if (response.status != 200 || response.body != record->bytes) {
      c.observations.fail(what + "GET " + std::to_string(response.status) + " with " +
                          std::to_string(response.body.size()) + " bytes, sha256 " +
                          testing::sha256_hex(response.body));
      continue;
    }
    if (record->part_ends.size() > 1) {  // a composite: read across a part boundary
      const std::uint64_t cut = record->part_ends[between(rng, 0, record->part_ends.size() - 2)];
      const std::uint64_t first = between(rng, 0, cut - 1);
      const std::uint64_t last = between(rng, cut, record->bytes.size() - 1);
      Headers ranged = tenant;
      ranged["Range"] = range_header(first, last);
      const HttpResponse part = client.request("GET", "/v1/blobs/" + hash, ranged);
      if (part.status != 206 || part.body != record->bytes.substr(first, last - first + 1)) {
        c.observations.fail(what + ranged["Range"] + ": " + std::to_string(part.status) + " with " +
                            std::to_string(part.body.size()) + " bytes");
      }
    }
  }
}

}  // namespace

void settle_blob_api(BlobContext& c, std::mt19937_64& rng) {
  settle_sessions(c, c.endpoints.port(0), rng);
  try {
    HttpClient client("127.0.0.1", c.endpoints.port(1 % c.endpoints.count()), kRequestTimeout);
    settle_bundles(c, client);
  } catch (const std::exception& e) {
    c.observations.fail(std::string("settling the bundles: ") + e.what());
  }
}

void check_blob_api(BlobContext& c, std::mt19937_64& rng) {
  check_sessions(c, c.endpoints.port(1 % c.endpoints.count()), rng);
  try {
    HttpClient client("127.0.0.1", c.endpoints.port(0), kRequestTimeout);
    check_bundles(c, client);
    check_blobs(c, client, rng);
  } catch (const std::exception& e) {
    c.observations.fail(std::string("checking the blobs and bundles: ") + e.what());
  }
}

}  // namespace castor::chaos
