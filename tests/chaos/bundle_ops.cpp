#include "chaos/bundle_ops.h"

#include <algorithm>
#include <exception>
#include <set>

#include "chaos/bundle_model.h"
#include "chaos/http_util.h"
#include "support/http_client.h"

namespace castor::chaos {
namespace {

using testing::Headers;
using testing::HttpClient;
using testing::HttpResponse;

constexpr unsigned kModes[] = {0644, 0755, 0600, 0444};

Headers tenant(const BlobContext& c) { return {{"X-Tenant", c.settings.tenant}}; }

std::string bundle_path(std::mt19937_64& rng, std::size_t i) {
  const std::size_t dice = between(rng, 0, 99);
  if (dice < 15) {  // past ustar's 100 bytes: a pax header
    return "deep/" + std::string(between(rng, 100, 140), 'p') + "/f" + std::to_string(i);
  }
  if (dice < 25) {  // non-ASCII: a pax header, the ZIP UTF-8 flag
    return "\xc3\xbc"
           "n"
           "\xc3\xaf"
           "c"
           "\xc3\xb8"
           "de/f" +
           std::to_string(i) + ".txt";
  }
  return "d" + std::to_string(i % 2) + "/f" + std::to_string(i) + ".bin";
}

// Holds a 404 for a bundle to the model: only fine once it was claimed for deletion.
void not_found(BlobContext& c, std::size_t index, const std::string& what,
               const HttpResponse& response) {
  if (c.blobs.bundle(index).state == BundleState::kLive) {
    c.observations.fail(what + ": 404 for a live bundle: " + response.body.substr(0, 200));
  }
}

}  // namespace

void create_bundle(BlobContext& c, int worker, std::mt19937_64& rng, std::uint64_t& serial,
                   std::uint16_t port, std::size_t max_files) {
  BundleRecord bundle;
  bundle.tag = "b" + std::to_string(worker) + "-" + std::to_string(serial++);
  const std::size_t count = between(rng, 0, 19) == 0 ? 0 : between(rng, 1, max_files);
  for (std::size_t i = 0; i < count; ++i) {
    const auto record = c.blobs.pick_blob(rng);
    if (!record) {
      break;
    }
    bundle.files.push_back({.path = bundle_path(rng, i),
                            .hash = record->hash,
                            .size = record->bytes.size(),
                            .mode = kModes[between(rng, 0, std::size(kModes) - 1)]});
  }
  std::sort(bundle.files.begin(), bundle.files.end(),
            [](const BundleFile& a, const BundleFile& b) { return a.path < b.path; });
  bundle.merkle_root = merkle_root(bundle.files);
  const std::string body = bundle_request(bundle, between(rng, 0, 1) == 0);
  const std::size_t index = c.blobs.begin_bundle(bundle);
  const Clock::time_point sent = Clock::now();
  try {
    HttpClient client("127.0.0.1", port, kRequestTimeout);
    const HttpResponse response = client.request("POST", "/v1/bundles", tenant(c), body);
    const Clock::time_point answered = Clock::now();
    observe(c.observations, "bundle_create", response);
    const std::string what = "bundle_create " + bundle.tag + ": ";
    boost::json::value storage;
    const boost::json::object* json = parse(response.body, storage);
    if (response.status == 201) {
      std::uint64_t total = 0;
      for (const BundleFile& file : bundle.files) {
        total += file.size;
      }
      const std::string id = json != nullptr ? json_string(*json, "id") : "";
      if (id.empty() || json_string(*json, "merkle_root") != bundle.merkle_root ||
          json_count(*json, "file_count") != static_cast<std::int64_t>(bundle.files.size()) ||
          json_count(*json, "total_bytes") != static_cast<std::int64_t>(total) ||
          response.header("Location") != "/v1/bundles/" + id) {
        c.observations.fail(what + "201 with a wrong summary " + response.body.substr(0, 300) +
                            " (expected root " + bundle.merkle_root + ")");
      }
      c.blobs.set_bundle(index, BundleState::kLive, id, answered);
    } else if (response.status == 409) {
      // Only content that may have been collected meanwhile can be missing.
      const boost::json::value* missing = json != nullptr ? json->if_contains("missing") : nullptr;
      if (missing == nullptr || !missing->is_array() || missing->as_array().empty()) {
        c.observations.fail(what + "409 without missing: " + response.body.substr(0, 300));
      } else {
        for (const auto& value : missing->as_array()) {
          const std::string hash = value.is_string() ? std::string(value.as_string()) : "?";
          if (std::none_of(bundle.files.begin(), bundle.files.end(),
                           [&](const BundleFile& f) { return f.hash == hash; }) ||
              c.blobs.guaranteed(hash, sent, answered)) {
            c.observations.fail(what + "409 names " + hash +
                                ", not requested or protected/held all along");
          }
        }
      }
      c.blobs.set_bundle(index, BundleState::kGone);
    } else if (tolerated_5xx(response.status)) {
      c.blobs.set_bundle(index, BundleState::kUnknown);
    } else {
      c.observations.fail(what + status_text(response) + " for " + body.substr(0, 300));
      c.blobs.set_bundle(index, BundleState::kGone);
    }
  } catch (const std::exception&) {
    c.observations.count("bundle_create network error");
    c.blobs.set_bundle(index, BundleState::kUnknown);
  }
}

void read_manifest(BlobContext& c, std::mt19937_64& rng, std::uint16_t port) {
  const auto picked = c.blobs.pick_bundle(rng);
  if (!picked) {
    return;
  }
  const auto& [index, bundle] = *picked;
  try {
    HttpClient client("127.0.0.1", port, kRequestTimeout);
    const HttpResponse response = client.request("GET", "/v1/bundles/" + bundle.id, tenant(c));
    observe(c.observations, "bundle_get", response);
    if (response.status == 404) {
      not_found(c, index, "bundle_get " + bundle.id, response);
    } else if (!tolerated_5xx(response.status)) {
      if (const std::string problem = manifest_problem(bundle, response); !problem.empty()) {
        c.observations.fail("bundle_get " + bundle.id + " (" + bundle.tag + "): " + problem);
      }
    }
  } catch (const std::exception&) {
    c.observations.count("bundle_get network error");
  }
}

void download_bundle(BlobContext& c, std::mt19937_64& rng, std::uint16_t port) {
  const auto picked = c.blobs.pick_bundle(rng);
  if (!picked) {
    return;
  }
  const auto& [index, bundle] = *picked;
  const std::size_t dice = between(rng, 0, 2);
  const bool zip = dice != 0;
  const std::string target = "/v1/bundles/" + bundle.id + "/download" +
                             (dice == 0   ? "?format=tar"
                              : dice == 1 ? "?format=zip"
                                          : "");
  try {
    HttpClient client("127.0.0.1", port, kRequestTimeout);
    const HttpResponse response = client.request("GET", target, tenant(c));
    observe(c.observations, zip ? "bundle_download_zip" : "bundle_download_tar", response);
    if (response.status == 404) {
      not_found(c, index, "bundle_download " + target, response);
    } else if (!tolerated_5xx(response.status)) {
      if (const std::string problem = archive_problem(bundle, response, zip); !problem.empty()) {
        if (c.blobs.bundle(index).state == BundleState::kLive) {
          c.observations.fail("bundle_download " + target + " (" + bundle.tag + "): " + problem);
        }
      }
    }
  } catch (const std::exception&) {
    c.observations.count("bundle_download network error");
  }
}

void delete_bundle(BlobContext& c, std::mt19937_64& rng, std::uint16_t port) {
  const auto claimed = c.blobs.claim_bundle(rng);
  if (!claimed) {
    return;
  }
  const auto& [index, bundle] = *claimed;
  try {
    HttpClient client("127.0.0.1", port, kRequestTimeout);
    const HttpResponse response = client.request("DELETE", "/v1/bundles/" + bundle.id, tenant(c));
    observe(c.observations, "bundle_delete", response);
    if (response.status == 204) {
      c.blobs.set_bundle(index, BundleState::kGone);
      if (between(rng, 0, 2) == 0) {
        const HttpResponse after = client.request("GET", "/v1/bundles/" + bundle.id, tenant(c));
        if (after.status != 404 && !tolerated_5xx(after.status)) {
          c.observations.fail("bundle " + bundle.id +
                              " after its 204 DELETE: " + status_text(after));
        }
      }
      return;
    }
    if (!tolerated_5xx(response.status)) {
      c.observations.fail("bundle_delete " + bundle.id + ": " + status_text(response));
    }
  } catch (const std::exception&) {
    c.observations.count("bundle_delete network error");
  }
  if (c.blobs.bundle(index).state == BundleState::kDeleting) {
    c.blobs.set_bundle(index, BundleState::kDeleteUnknown);
  }
}

void list_bundles(BlobContext& c, std::mt19937_64& rng, std::uint16_t port) {
  const std::size_t limit = between(rng, 1, 50);
  try {
    HttpClient client("127.0.0.1", port, kRequestTimeout);
    const HttpResponse response =
        client.request("GET", "/v1/bundles?limit=" + std::to_string(limit), tenant(c));
    observe(c.observations, "bundle_list", response);
    if (tolerated_5xx(response.status)) {
      return;
    }
    boost::json::value storage;
    const boost::json::object* body = parse(response.body, storage);
    bool good = response.status == 200 && body != nullptr && body->contains("next_cursor") &&
                body->contains("bundles") && body->at("bundles").is_array() &&
                body->at("bundles").as_array().size() <= limit;
    if (good) {
      for (const auto& summary : body->at("bundles").as_array()) {
        good = good && summary.is_object() && json_string(summary.as_object(), "id").size() == 36 &&
               json_string(summary.as_object(), "merkle_root").size() == 64;
      }
    }
    if (!good) {
      c.observations.fail("bundle_list limit " + std::to_string(limit) + ": " +
                          status_text(response));
    }
  } catch (const std::exception&) {
    c.observations.count("bundle_list network error");
  }
}

}  // namespace castor::chaos
