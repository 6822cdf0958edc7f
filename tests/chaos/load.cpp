#include "chaos/load.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <utility>

#include <boost/json/parse.hpp>

#include "chaos/http_util.h"
#include "chaos/load_blobs.h"
#include "support/http_client.h"
#include "support/sha256.h"

namespace castor::chaos {
namespace {

using testing::Headers;
using testing::HttpClient;
using testing::HttpResponse;

constexpr std::size_t kPieceSize = 64 * 1024;

// Sizes of new content: mostly small, some medium, a few of a MiB or more.
std::size_t new_content_size(std::mt19937_64& rng) {
  const std::size_t dice = between(rng, 0, 99);
  if (dice < 70) {
    return between(rng, 0, 16 * 1024);
  }
  if (dice < 95) {
    return between(rng, 16 * 1024, 256 * 1024);
  }
  return between(rng, 1 << 20, 2 << 20);
}

std::string object_target(const std::string& ns, const std::string& tenant,
                          const ObjectRecord& record, bool by_id) {
  if (by_id && !record.id.empty()) {
    return "/v1/objects/" + record.id;
  }
  return "/v1/objects/by-key/" + ns + "/" + tenant + "/" +
         testing::percent_encode(record.key, /*keep_slashes=*/true);
}

}  // namespace

void Observations::fail(std::string failure) {
  std::lock_guard lock(mutex_);
  failures_.push_back(std::move(failure));
}

void Observations::count(const std::string& what) {
  std::lock_guard lock(mutex_);
  ++counters_[what];
}

void Observations::note(std::string finding) {
  std::lock_guard lock(mutex_);
  if (findings_.size() < 20 &&
      std::find(findings_.begin(), findings_.end(), finding) == findings_.end()) {
    findings_.push_back(std::move(finding));
  }
}

std::vector<std::string> Observations::findings() const {
  std::lock_guard lock(mutex_);
  return findings_;
}

std::vector<std::string> Observations::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

std::map<std::string, std::uint64_t> Observations::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

Content make_content(std::mt19937_64& rng, std::size_t size) {
  Content content{std::string(size, '\0'), ""};
  for (std::size_t pos = 0; pos < size; pos += sizeof(std::uint64_t)) {
    const std::uint64_t value = rng();
    std::memcpy(content.bytes.data() + pos, &value, std::min(sizeof(value), size - pos));
  }
  content.hash = testing::sha256_hex(content.bytes);
  return content;
}

Load::Load(LoadSettings settings, const Endpoints& endpoints, Ledger& ledger,
           BlobLedger& blob_ledger, Observations& observations)
    : settings_(std::move(settings)),
      endpoints_(endpoints),
      ledger_(ledger),
      blob_ledger_(blob_ledger),
      observations_(observations) {
  std::mt19937_64 rng(settings_.seed);
  for (std::size_t size : {0, 1, 4096, 65536, 300000, 1 << 20}) {
    shared_.push_back(make_content(rng, size));
  }
  for (int worker = 0; worker < settings_.workers; ++worker) {
    threads_.emplace_back([this, worker] { run(worker); });
  }
}

Load::~Load() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  threads_.clear();  // joins
}

void Load::pause() {
  std::unique_lock lock(mutex_);
  paused_ = true;
  changed_.wait(lock, [this] { return busy_ == 0; });
}

void Load::resume() {
  {
    std::lock_guard lock(mutex_);
    paused_ = false;
  }
  changed_.notify_all();
}

void Load::run(int worker) {
  std::mt19937_64 rng(settings_.seed * 1000 + static_cast<std::uint64_t>(worker) + 1);
  std::uint64_t serial = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return stop_ || !paused_; });
      if (stop_) {
        return;
      }
      ++busy_;
    }
    try {
      one_operation(worker, rng, serial);
    } catch (const std::exception& e) {
      observations_.fail(std::string("worker: unexpected exception: ") + e.what());
    }
    {
      std::lock_guard lock(mutex_);
      --busy_;
    }
    changed_.notify_all();
  }
}

void Load::one_operation(int worker, std::mt19937_64& rng, std::uint64_t& serial) {
  if (between(rng, 0, 99) < static_cast<std::size_t>(settings_.blob_share)) {
    BlobContext context{settings_, endpoints_, ledger_, blob_ledger_, observations_};
    blob_operation(context, worker, rng, serial);
    return;
  }
  const bool full = ledger_.live_count() >= settings_.max_live_objects ||
                    ledger_.live_bytes() >= settings_.max_live_bytes;
  const std::size_t dice = between(rng, 0, 99);
  if (dice < 45) {
    if (full) {
      remove(rng);
    } else {
      upload(worker, rng, serial);
    }
  } else if (dice < 70) {
    download(rng);
  } else if (dice < 85) {
    remove(rng);
  } else if (dice < 95) {
    list(rng);
  } else {
    collect_garbage(rng);
  }
}

std::uint16_t pick_port(const Endpoints& endpoints, std::mt19937_64& rng) {
  std::size_t server = between(rng, 0, endpoints.count() - 1);
  for (std::size_t tries = 0; tries < endpoints.count(); ++tries) {
    if (const std::uint16_t port = endpoints.port(server); port != 0) {
      return port;
    }
    server = (server + 1) % endpoints.count();
  }
  std::this_thread::sleep_for(kNoServerPause);
  return 0;
}

void Load::upload(int worker, std::mt19937_64& rng, std::uint64_t& serial) {
  const std::uint16_t port = pick_port(endpoints_, rng);
  if (port == 0) {
    return;
  }
  // A third of the uploads repeat shared content (dedup hits, and races on one blob).
  Content fresh;
  const bool duplicate = between(rng, 0, 2) == 0;
  if (!duplicate) {
    fresh = make_content(rng, new_content_size(rng));
  }
  const Content& content = duplicate ? shared_[between(rng, 0, shared_.size() - 1)] : fresh;
  const std::string key = "w" + std::to_string(worker) + "/" + std::to_string(serial++);
  const std::size_t index = ledger_.begin_upload(key, content.hash, content.bytes.size());

  bool body_sent = false;
  try {
    HttpClient client("127.0.0.1", port, kRequestTimeout);
    client.begin("POST", "/v1/objects",
                 {{"X-Namespace", settings_.ns}, {"X-Tenant", settings_.tenant}, {"X-Key", key}},
                 HttpClient::Framing::kContentLength, content.bytes.size());
    std::size_t sent = 0;
    while (sent < content.bytes.size()) {
      const std::size_t length = std::min(kPieceSize, content.bytes.size() - sent);
      if (!client.send(std::string_view(content.bytes).substr(sent, length))) {
        break;
      }
      sent += length;
    }
    body_sent = sent == content.bytes.size();
    const HttpResponse response = client.finish();
    observe(observations_, "upload", response);
    if (response.status == 201) {
      boost::json::value storage;
      const boost::json::object* body = parse(response.body, storage);
      const std::string id = body != nullptr ? json_string(*body, "id") : "";
      if (id.empty() || json_string(*body, "content_hash") != "sha256:" + content.hash) {
        observations_.fail("upload " + key + ": 201 with a wrong body: " + response.body);
      }
      ledger_.finish_upload(index, ObjectState::kLive, 201, id);
    } else if (response.status == 507 || (response.status >= 400 && response.status < 500)) {
      if (response.status != 507) {
        observations_.fail("upload " + key + ": " + status_text(response));
      }
      ledger_.finish_upload(index, ObjectState::kRejected, response.status);
    } else {
      if (response.status != 500 && response.status != 503) {
        observations_.fail("upload " + key + ": " + status_text(response));
      }
      ledger_.finish_upload(index, ObjectState::kUnknown, response.status);
    }
  } catch (const std::exception&) {
    observations_.count("upload network error");
    // A body that never fully left the client cannot have been stored.
    ledger_.finish_upload(index, body_sent ? ObjectState::kUnknown : ObjectState::kRejected, 0);
  }
}

void Load::download(std::mt19937_64& rng) {
  const auto picked = ledger_.pick_live(rng);
  const std::uint16_t port = pick_port(endpoints_, rng);
  if (!picked || port == 0) {
    return;
  }
  const auto& [index, record] = *picked;
  const std::string target =
      object_target(settings_.ns, settings_.tenant, record, between(rng, 0, 1) == 0);
  try {
    HttpClient client("127.0.0.1", port, kRequestTimeout);
    const HttpResponse response = client.request("GET", target, {{"X-Tenant", settings_.tenant}});
    observe(observations_, "download", response);
    if (response.status == 200) {
      if (response.body.size() != record.size ||
          testing::sha256_hex(response.body) != record.hash ||
          response.header("X-Content-Hash") != record.hash) {
        observations_.fail("download " + record.key + " (" + target +
                           "): " + std::to_string(response.body.size()) + " bytes, not the " +
                           std::to_string(record.size) + " acknowledged (sha256 " + record.hash +
                           ")");
      }
    } else if (response.status == 404) {
      // Fine only if a deleter claimed it meanwhile (claims happen before the DELETE is sent).
      if (ledger_.state(index) == ObjectState::kLive) {
        observations_.fail("download " + record.key + " (" + target +
                           "): 404 for an acknowledged object: " + response.body);
      }
    } else if (response.status != 500 && response.status != 503) {
      observations_.fail("download " + record.key + ": " + status_text(response));
    }
  } catch (const std::exception&) {
    observations_.count("download network error");
  }
}

void Load::remove(std::mt19937_64& rng) {
  const std::uint16_t port = pick_port(endpoints_, rng);
  if (port == 0) {
    return;
  }
  const auto claimed = ledger_.claim_for_delete(rng);
  if (!claimed) {
    return;
  }
  const auto& [index, record] = *claimed;
  const std::string target =
      object_target(settings_.ns, settings_.tenant, record, between(rng, 0, 1) == 0);
  try {
    HttpClient client("127.0.0.1", port, kRequestTimeout);
    const HttpResponse response =
        client.request("DELETE", target, {{"X-Tenant", settings_.tenant}});
    observe(observations_, "delete", response);
    if (response.status == 204) {
      ledger_.finish_delete(index, ObjectState::kDeleted);
      return;
    }
    if (response.status != 500 && response.status != 503) {
      observations_.fail("delete " + record.key + " (" + target + "): " + status_text(response));
    }
  } catch (const std::exception&) {
    observations_.count("delete network error");
  }
  ledger_.finish_delete(index, ObjectState::kUnknown);
}

void Load::list(std::mt19937_64& rng) {
  const std::uint16_t port = pick_port(endpoints_, rng);
  if (port == 0) {
    return;
  }
  const std::string target = "/v1/objects?namespace=" + settings_.ns +
                             "&tenant_id=" + settings_.tenant + "&limit=50&prefix=w" +
                             std::to_string(between(rng, 0, settings_.workers - 1)) + "/";
  try {
    HttpClient client("127.0.0.1", port, kRequestTimeout);
    const HttpResponse response = client.request("GET", target);
    observe(observations_, "list", response);
    if (response.status == 200) {
      boost::json::value storage;
      const boost::json::object* body = parse(response.body, storage);
      if (body == nullptr || body->if_contains("objects") == nullptr ||
          !body->at("objects").is_array() || body->at("objects").as_array().size() > 50) {
        observations_.fail("list " + target + ": bad body " + response.body.substr(0, 200));
      }
    } else if (response.status != 500 && response.status != 503) {
      observations_.fail("list " + target + ": " + status_text(response));
    }
  } catch (const std::exception&) {
    observations_.count("list network error");
  }
}

void Load::collect_garbage(std::mt19937_64& rng) {
  const std::uint16_t port = pick_port(endpoints_, rng);
  if (port == 0) {
    return;
  }
  try {
    HttpClient client("127.0.0.1", port, kRequestTimeout);
    const HttpResponse response = client.request("POST", "/v1/admin/gc");
    observe(observations_, "gc", response);
    if (response.status != 200 && response.status != 500 && response.status != 503) {
      observations_.fail("gc: " + status_text(response));
    }
  } catch (const std::exception&) {
    observations_.count("gc network error");
  }
}

}  // namespace castor::chaos
