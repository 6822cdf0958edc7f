#include "chaos/session_ops.h"

#include <algorithm>
#include <exception>
#include <map>
#include <optional>
#include <set>

#include <boost/json/serialize.hpp>

#include "chaos/http_util.h"
#include "chaos/session_driver.h"
#include "support/http_client.h"
#include "support/sha256.h"

namespace castor::chaos {
namespace {

using testing::Headers;
using testing::HttpClient;
using testing::HttpResponse;

constexpr std::size_t kMaxSessions = 8;

void create_session(BlobContext& c, int worker, std::mt19937_64& rng, std::uint64_t& serial,
                    std::uint16_t port) {
  // A fifth complete into content stored before (dedup: the parts are released, or laid out as
  // the segments of a blob whose file a rolled-back collection removed).
  std::optional<BlobRecord> stored;
  if (between(rng, 0, 4) == 0) {
    stored = c.blobs.pick_blob(rng);
  }
  if (stored && stored->bytes.size() < 2) {
    stored.reset();
  }
  const std::size_t size = stored                    ? stored->bytes.size()
                           : between(rng, 0, 4) == 0 ? between(rng, 64 * 1024, 600 * 1024)
                                                     : between(rng, 2, 64 * 1024);
  const std::size_t parts = between(rng, 2, std::min<std::size_t>(5, size));
  std::set<std::uint64_t> cuts;
  while (cuts.size() < parts - 1) {
    cuts.insert(between(rng, 1, size - 1));
  }
  SessionRecord s;
  const Content content = stored ? Content{stored->bytes, stored->hash} : make_content(rng, size);
  s.hash = content.hash;
  s.bytes = content.bytes;
  s.part_ends.assign(cuts.begin(), cuts.end());
  s.part_ends.push_back(size);
  s.held.assign(parts, {std::string()});
  if (between(rng, 0, 4) < 3) {
    s.key = "s" + std::to_string(worker) + "/" + std::to_string(serial++);
  }
  s.state = SessionState::kCreateUnknown;  // until answered
  s.busy = true;
  const std::optional<std::size_t> index = c.blobs.add_session(s);
  if (!index) {
    return;  // another session uploads that content: they must be told apart by their hash
  }
  try {
    SessionDriver(c, port, rng, false).create(s, *index);
  } catch (const std::exception&) {
    c.observations.count("upload_create network error");
  }
  c.blobs.release_session(*index, std::move(s));
}

}  // namespace

void session_operation(BlobContext& c, int worker, std::mt19937_64& rng, std::uint64_t& serial,
                       std::uint16_t port) {
  const bool room = c.blobs.active_sessions() < kMaxSessions;
  if (room && between(rng, 0, 5) == 0) {
    create_session(c, worker, rng, serial, port);
    return;
  }
  auto claimed = c.blobs.claim_session(rng);
  if (!claimed) {
    if (room) {
      create_session(c, worker, rng, serial, port);
    }
    return;
  }
  auto& [index, s] = *claimed;
  try {
    SessionDriver(c, port, rng, false).step(s);
  } catch (const std::exception&) {
    c.observations.count("upload network error");
  }
  c.blobs.release_session(index, std::move(s));
}

void settle_sessions(BlobContext& c, std::uint16_t port, std::mt19937_64& rng) {
  for (const std::size_t index : c.blobs.unsettled_sessions()) {
    SessionRecord s = c.blobs.session(index);
    try {
      SessionDriver driver(c, port, rng, true);
      if (s.state == SessionState::kCreateUnknown) {
        driver.find(s);
      } else if (s.state != SessionState::kOpen) {
        driver.step(s);
      }
    } catch (const std::exception& e) {
      c.observations.fail("settling upload " + s.id + " (" + s.hash + "): " + e.what());
    }
    c.blobs.release_session(index, std::move(s));
  }
}

void check_sessions(BlobContext& c, std::uint16_t port, std::mt19937_64& rng) {
  std::set<std::string> open;
  try {
    SessionDriver driver(c, port, rng, true);
    for (const std::size_t index : c.blobs.unsettled_sessions()) {
      SessionRecord s = c.blobs.session(index);
      if (s.state != SessionState::kOpen) {
        c.observations.fail("upload " + s.id + " (" + s.hash + ") unsettled during the check");
      } else if (driver.status(s) != "open") {
        c.observations.fail("upload " + s.id + " (" + s.hash + ") is not open");
      }
      open.insert(s.id);
      c.blobs.release_session(index, std::move(s));
    }
    HttpClient client("127.0.0.1", port, kRequestTimeout);
    const HttpResponse r =
        client.request("GET", "/v1/uploads?limit=1000", {{"X-Tenant", c.settings.tenant}});
    boost::json::value storage;
    const boost::json::object* json = parse(r.body, storage);
    if (r.status != 200 || json == nullptr || !json->contains("uploads") ||
        !json->at("uploads").is_array()) {
      c.observations.fail("GET /v1/uploads: " + status_text(r));
      return;
    }
    std::set<std::string> listed;
    for (const auto& session : json->at("uploads").as_array()) {
      listed.insert(session.is_object() ? json_string(session.as_object(), "upload_id") : "?");
    }
    for (const std::string& id : listed) {
      if (!open.contains(id)) {
        c.observations.fail("upload " + id + " is listed open but no open session has that id");
      }
    }
    for (const std::string& id : open) {
      if (!listed.contains(id)) {
        c.observations.fail("open upload " + id + " is not listed");
      }
    }
  } catch (const std::exception& e) {
    c.observations.fail(std::string("checking the upload sessions: ") + e.what());
  }
}

}  // namespace castor::chaos
