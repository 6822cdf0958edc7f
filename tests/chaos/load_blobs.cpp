#include "chaos/load_blobs.h"

#include <algorithm>
#include <exception>
#include <optional>

#include <boost/json/serialize.hpp>

#include "chaos/bundle_model.h"
#include "chaos/bundle_ops.h"
#include "chaos/http_util.h"
#include "chaos/session_ops.h"
#include "support/http_client.h"
#include "support/raw_connection.h"

namespace castor::chaos {
namespace {

using testing::Headers;
using testing::HttpClient;
using testing::HttpResponse;

constexpr std::size_t kMaxBlobs = 60;                // past this, stores repeat known content
constexpr std::uint64_t kMaxBlobBytes = 6ull << 20;  // likewise
constexpr std::size_t kMaxBundles = 10;              // past this, creations become deletions
constexpr std::size_t kMaxBundleFiles = 5;

Headers tenant(const BlobContext& c) { return {{"X-Tenant", c.settings.tenant}}; }

void fail(BlobContext& c, const std::string& failure) { c.observations.fail(failure); }

// Holds the answer to a store of `content` (`again`: stored before) to the model and records it.
void blob_stored(BlobContext& c, const Content& content, bool again, Clock::time_point sent,
                 const HttpResponse& response, const std::string& how) {
  const int status = response.status;
  const std::string what = "blob_put " + how + " " + content.hash + ": ";
  if (status == 200 || status == 201) {
    boost::json::value storage;
    const boost::json::object* body = parse(response.body, storage);
    if (body == nullptr || json_string(*body, "hash") != content.hash ||
        json_count(*body, "size_bytes") != static_cast<std::int64_t>(content.bytes.size()) ||
        json_string(*body, "storage_class") != "hot") {
      fail(c, what + "wrong body " + status_text(response));
    }
    if (!again && status == 200) {
      fail(c, what + "200 (already held) for content never stored before");
    }
    if (status == 201 && c.blobs.guaranteed(content.hash, sent, Clock::now())) {
      fail(c, what + "201 (not held) for a blob the tenant held all along");
    }
    c.blobs.stored_blob(content.hash, content.bytes, sent, true);
  } else if (tolerated_5xx(status)) {
    if (!again) {
      c.blobs.stored_blob(content.hash, content.bytes, sent, false);  // perhaps stored
    }
  } else if (status != 507) {
    fail(c, what + status_text(response));
  }
}

// A raw exchange's status and body ("HTTP/1.1 200 OK\r\n...\r\n\r\nbody").
HttpResponse raw_response(const std::string& raw) {
  HttpResponse response;
  if (raw.size() < 12 || !raw.starts_with("HTTP/1.1 ")) {
    throw std::runtime_error("no response");
  }
  response.status = std::stoi(raw.substr(9, 3));
  if (const auto end = raw.find("\r\n\r\n"); end != std::string::npos) {
    response.body = raw.substr(end + 4);
  }
  return response;
}

// Stores known content again with Expect: 100-continue: castor answers 200 at once (without the
// body) if the tenant holds it, else 100 Continue and the store's answer.
void put_expecting(BlobContext& c, const BlobRecord& record, std::uint16_t port) {
  const std::string head = "PUT /v1/blobs/" + record.hash +
                           " HTTP/1.1\r\nHost: chaos\r\nX-Tenant: " + c.settings.tenant +
                           "\r\nContent-Length: " + std::to_string(record.bytes.size()) +
                           "\r\nExpect: 100-continue\r\n\r\n";
  const Clock::time_point sent = Clock::now();
  HttpResponse response;
  bool continued = false;
  try {
    testing::RawConnection raw(port);
    if (!raw.send(head)) {
      throw std::runtime_error("send failed");
    }
    response = raw_response(raw.read_response(kRequestTimeout));
    if (response.status == 100) {
      continued = true;
      raw.send(record.bytes);
      response = raw_response(raw.read_response(kRequestTimeout));
    }
  } catch (const std::exception&) {
    c.observations.count("blob_put_expect network error");
    return;
  }
  observe(c.observations, continued ? "blob_put_expect continued" : "blob_put_expect", response);
  if (continued && c.blobs.guaranteed(record.hash, sent, Clock::now())) {
    fail(c, "blob_put Expect " + record.hash + ": 100 Continue for a blob the tenant held");
  }
  blob_stored(c, {record.bytes, record.hash}, true, sent, response, "(Expect: 100-continue)");
}

// A store whose body does not hash to the address: 400, and the address stays unknown.
void put_mismatched(BlobContext& c, std::mt19937_64& rng, std::uint16_t port) {
  const Content body = make_content(rng, between(rng, 1, 4096));
  const std::string address = make_content(rng, 32).hash;
  try {
    HttpClient client("127.0.0.1", port, kRequestTimeout);
    const HttpResponse response =
        client.request("PUT", "/v1/blobs/" + address, tenant(c), body.bytes);
    observe(c.observations, "blob_put_mismatch", response);
    if (response.status == 400 &&
        response.body.find("content_hash_mismatch") == std::string::npos) {
      fail(c, "blob_put with a wrong hash: " + status_text(response));
    } else if (response.status != 400 && response.status != 507 &&
               !tolerated_5xx(response.status)) {
      fail(c, "blob_put with a wrong hash: " + status_text(response) + ", not 400");
    }
    const HttpResponse got = client.request("GET", "/v1/blobs/" + address, tenant(c));
    if (got.status != 404 && !tolerated_5xx(got.status)) {
      fail(c, "blob " + address + " stored with a wrong body is served: " + status_text(got));
    }
  } catch (const std::exception&) {
    c.observations.count("blob_put_mismatch network error");
  }
}

void put_blob(BlobContext& c, std::mt19937_64& rng, std::uint16_t port) {
  const std::size_t dice = between(rng, 0, 99);
  if (dice < 5) {
    put_mismatched(c, rng, port);
    return;
  }
  std::optional<BlobRecord> again;
  if (dice < 25 || c.blobs.blob_count() >= kMaxBlobs || c.blobs.blob_bytes() >= kMaxBlobBytes) {
    again = c.blobs.pick_blob(rng);
    if (!again) {
      return;
    }
    if (between(rng, 0, 1) == 0) {
      put_expecting(c, *again, port);
      return;
    }
  }
  const Content content =
      again ? Content{again->bytes, again->hash} : make_content(rng, blob_size(rng));
  std::string target =
      "/v1/blobs/" + std::string(between(rng, 0, 3) == 0 ? "sha256:" : "") + content.hash;
  if (between(rng, 0, 2) == 0) {
    target += "?size_bytes=" + std::to_string(content.bytes.size());
  }
  // The empty content is also stored by the object load, whose uploads grant possession too.
  const bool known = again.has_value() || content.bytes.empty();
  const bool chunked = !content.bytes.empty() && between(rng, 0, 3) == 0;
  const Clock::time_point sent = Clock::now();
  try {
    HttpClient client("127.0.0.1", port, kRequestTimeout);
    const HttpResponse response =
        chunked ? client.request_chunked("PUT", target, tenant(c), content.bytes, 16 * 1024)
                : client.request("PUT", target, tenant(c), content.bytes);
    observe(c.observations, "blob_put", response);
    blob_stored(c, content, known, sent, response, target);
  } catch (const std::exception&) {
    c.observations.count("blob_put network error");
    if (!known) {
      c.blobs.stored_blob(content.hash, content.bytes, sent, false);  // perhaps stored
    }
  }
}

void get_blob(BlobContext& c, std::mt19937_64& rng, std::uint16_t port) {
  const auto record = c.blobs.pick_blob(rng);
  if (!record) {
    return;
  }
  const std::uint64_t size = record->bytes.size();
  Headers headers = tenant(c);
  std::uint64_t first = 0;
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (size >= 2 && between(rng, 0, 1) == 0) {
    // Across a part boundary of a composite, anywhere otherwise.
    const std::uint64_t cut = record->part_ends.size() > 1
                                  ? record->part_ends[between(rng, 0, record->part_ends.size() - 2)]
                                  : between(rng, 1, size - 1);
    first = between(rng, 0, cut - 1);
    last = between(rng, cut, size - 1);
    headers["Range"] = range_header(first, last);
  }
  const Clock::time_point sent = Clock::now();
  try {
    HttpClient client("127.0.0.1", port, kRequestTimeout);
    const HttpResponse response = client.request("GET", "/v1/blobs/" + record->hash, headers);
    observe(c.observations, "blob_get", response);
    const std::string what = "blob_get " + record->hash + " (" + std::to_string(size) + " bytes" +
                             (headers.contains("Range") ? ", " + headers["Range"] : "") + "): ";
    if (response.status == 200 || response.status == 206) {
      const bool ranged = headers.contains("Range");
      const std::string want =
          ranged ? record->bytes.substr(first, last - first + 1) : record->bytes;
      if (response.status != (ranged ? 206 : 200) || response.body != want ||
          response.header("ETag") != "\"" + record->hash + "\"") {
        fail(c, what + "wrong answer " + std::to_string(response.status) + " with " +
                    std::to_string(response.body.size()) + " bytes");
      }
    } else if (response.status == 404 || response.body.find("data_loss") != std::string::npos) {
      // A GET that finds the row without its file waits for any collection in progress (the
      // content lock) and answers 404 once it commits; a collection that removed the file and
      // was then killed before committing leaves the row without content (data_loss) until the
      // next collection. Tolerated (a finding) only for content nothing protects.
      if (c.blobs.guaranteed(record->hash, sent, Clock::now())) {
        fail(c, what + status_text(response) + " while it is protected or held by a live bundle");
      }
    } else if (!tolerated_5xx(response.status)) {
      fail(c, what + status_text(response));
    }
  } catch (const std::exception&) {
    c.observations.count("blob_get network error");
  }
}

void preflight(BlobContext& c, std::mt19937_64& rng, std::uint16_t port) {
  std::vector<std::string> hashes;
  std::vector<std::string> never;  // never stored by anybody
  for (std::size_t i = between(rng, 0, 6); i > 0; --i) {
    if (const auto record = c.blobs.pick_blob(rng)) {
      hashes.push_back(record->hash);
    }
  }
  for (std::size_t i = between(rng, 1, 2); i > 0; --i) {
    never.push_back(make_content(rng, 32).hash);
    hashes.push_back(never.back());
  }
  std::shuffle(hashes.begin(), hashes.end(), rng);
  boost::json::array listed;
  for (const std::string& hash : hashes) {
    listed.push_back(boost::json::string(between(rng, 0, 3) == 0 ? "sha256:" + hash : hash));
  }
  const Clock::time_point sent = Clock::now();
  try {
    HttpClient client("127.0.0.1", port, kRequestTimeout);
    const HttpResponse response =
        client.request("POST", "/v1/blobs/preflight", tenant(c),
                       boost::json::serialize(boost::json::object{{"hashes", listed}}));
    observe(c.observations, "preflight", response);
    if (tolerated_5xx(response.status)) {
      return;
    }
    boost::json::value storage;
    const boost::json::object* body = parse(response.body, storage);
    if (response.status != 200 || body == nullptr || !body->contains("missing") ||
        !body->at("missing").is_array()) {
      fail(c, "preflight: " + status_text(response));
      return;
    }
    std::vector<std::string> missing;
    for (const auto& value : body->at("missing").as_array()) {
      missing.push_back(value.is_string() ? std::string(value.as_string()) : "?");
    }
    // In request order, each once: the request's hashes, deduplicated, filtered.
    std::vector<std::string> order;
    for (const std::string& hash : hashes) {
      if (std::find(order.begin(), order.end(), hash) == order.end() &&
          std::find(missing.begin(), missing.end(), hash) != missing.end()) {
        order.push_back(hash);
      }
    }
    const Clock::time_point answered = Clock::now();
    for (const std::string& hash : never) {
      if (std::find(missing.begin(), missing.end(), hash) == missing.end()) {
        fail(c, "preflight: never stored " + hash + " is present: " + response.body);
      }
    }
    for (const std::string& hash : hashes) {
      if (std::find(missing.begin(), missing.end(), hash) != missing.end() &&
          c.blobs.guaranteed(hash, sent, answered)) {
        fail(c, "preflight: " + hash + " is missing while protected or held by a live bundle");
      }
    }
    if (order != missing) {
      fail(c, "preflight: missing not in request order, each once: " + response.body);
    }
  } catch (const std::exception&) {
    c.observations.count("preflight network error");
  }
}

}  // namespace

std::size_t blob_size(std::mt19937_64& rng) {
  const std::size_t dice = between(rng, 0, 99);
  if (dice < 70) {
    return between(rng, 0, 16 * 1024);
  }
  if (dice < 95) {
    return between(rng, 16 * 1024, 128 * 1024);
  }
  return between(rng, 256 * 1024, 600 * 1024);
}

std::string range_header(std::uint64_t first, std::uint64_t last) {
  return "bytes=" + std::to_string(first) + "-" + std::to_string(last);
}

void blob_operation(BlobContext& c, int worker, std::mt19937_64& rng, std::uint64_t& serial) {
  const std::uint16_t port = pick_port(c.endpoints, rng);
  if (port == 0) {
    return;
  }
  const std::size_t dice = between(rng, 0, 99);
  if (dice < 20) {
    put_blob(c, rng, port);
  } else if (dice < 30) {
    get_blob(c, rng, port);
  } else if (dice < 34) {
    preflight(c, rng, port);
  } else if (dice < 48) {
    if (c.blobs.live_bundles() >= kMaxBundles) {
      delete_bundle(c, rng, port);
    } else {
      create_bundle(c, worker, rng, serial, port, kMaxBundleFiles);
    }
  } else if (dice < 52) {
    read_manifest(c, rng, port);
  } else if (dice < 60) {
    download_bundle(c, rng, port);
  } else if (dice < 67) {
    delete_bundle(c, rng, port);
  } else if (dice < 69) {
    list_bundles(c, rng, port);
  } else {
    session_operation(c, worker, rng, serial, port);
  }
}

}  // namespace castor::chaos
