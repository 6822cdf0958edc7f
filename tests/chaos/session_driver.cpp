#include "chaos/session_driver.h"

#include <algorithm>
#include <map>
#include <set>

#include <boost/json/serialize.hpp>

#include "chaos/http_util.h"
#include "support/sha256.h"

namespace castor::chaos {

using testing::Headers;
using testing::HttpResponse;

bool surely(const std::set<std::string>& held, const std::string& hash) {
  return held.size() == 1 && *held.begin() == hash;
}

SessionDriver::SessionDriver(BlobContext& c, std::uint16_t port, std::mt19937_64& rng,
                             bool settling)
    : c_(c), client_("127.0.0.1", port, kRequestTimeout), rng_(rng), settling_(settling) {}

void SessionDriver::step(SessionRecord& s) {
  if (s.state == SessionState::kCompleteUnknown) {
    settle(s, /*complete=*/true);
    return;
  }
  if (s.state == SessionState::kAbortUnknown) {
    settle(s, /*complete=*/false);
    return;
  }
  const std::size_t dice = between(rng_, 0, 99);
  if (dice < 10) {
    status(s);
  } else if (dice < 13) {
    abort(s);
  } else if (ready(s)) {
    complete(s, false);
  } else {
    put_part(s);
  }
}

void SessionDriver::create(SessionRecord& s, std::size_t index) {
  boost::json::object body{{"sha256", s.hash}};
  if (!s.key.empty()) {
    body["namespace"] = c_.settings.ns;
    body["key"] = s.key;
  }
  if (between(rng_, 0, 1) == 0) {
    body["size_bytes"] = s.bytes.size();
  }
  const HttpResponse r = send("POST", "/v1/uploads", boost::json::serialize(body));
  observe(c_.observations, "upload_create", r);
  boost::json::value storage;
  const boost::json::object* json = parse(r.body, storage);
  if (r.status == 201) {
    s.id = json != nullptr ? json_string(*json, "upload_id") : "";
    if (s.id.empty() || json_string(*json, "state") != "open" ||
        json_string(*json, "sha256") != s.hash || r.header("Location") != "/v1/uploads/" + s.id) {
      fail(s, "create answered 201 with " + r.body.substr(0, 300));
    }
    s.state = SessionState::kOpen;
  } else if (!unanswered(s, r, "create")) {
    fail(s, "create (session " + std::to_string(index) + "): " + status_text(r));
    s.state = SessionState::kGone;
  }
}

// A session whose creation went unanswered: found by its hash, or never created.
void SessionDriver::find(SessionRecord& s) {
  const HttpResponse r = send("GET", "/v1/uploads?sha256=" + s.hash);
  boost::json::value storage;
  const boost::json::object* json = parse(r.body, storage);
  if (r.status != 200 || json == nullptr || !json->contains("uploads") ||
      !json->at("uploads").is_array() || json->at("uploads").as_array().size() > 1) {
    fail(s, "GET /v1/uploads?sha256=" + s.hash + ": " + status_text(r));
    return;
  }
  const auto& found = json->at("uploads").as_array();
  if (found.empty()) {
    s.state = SessionState::kGone;
    return;
  }
  s.id = found[0].is_object() ? json_string(found[0].as_object(), "upload_id") : "";
  s.state = SessionState::kOpen;
  status(s);
}

// GET /v1/uploads/{id}: the parts listed must be ones the model allows, every acknowledged
// part listed; the model then knows exactly what castor holds. Returns the state seen ("" if
// not answered or 404).
std::string SessionDriver::status(SessionRecord& s) {
  const HttpResponse r = send("GET", "/v1/uploads/" + s.id);
  observe(c_.observations, "upload_status", r);
  if (unanswered(s, r, "status")) {
    return "";
  }
  boost::json::value storage;
  const boost::json::object* json = parse(r.body, storage);
  const std::string state = json != nullptr ? json_string(*json, "state") : "";
  if (r.status != 200 || json == nullptr || json_string(*json, "upload_id") != s.id ||
      json_string(*json, "sha256") != s.hash || !json->contains("parts") ||
      !json->at("parts").is_array() || (state != "open" && state != "completed")) {
    fail(s, "status: " + status_text(r));
    return "";
  }
  if (state == "completed") {
    return state;
  }
  std::map<std::int64_t, std::string> listed;
  for (const auto& part : json->at("parts").as_array()) {
    const boost::json::object* p = part.if_object();
    const std::int64_t n = p != nullptr ? json_count(*p, "part_number") : -1;
    const std::string hash = p != nullptr ? json_string(*p, "sha256") : "";
    if (n < 1 || n > static_cast<std::int64_t>(s.held.size()) || !s.held[n - 1].contains(hash) ||
        (hash == testing::sha256_hex(part_bytes(s, n - 1)) &&
         json_count(*p, "size_bytes") != static_cast<std::int64_t>(part_bytes(s, n - 1).size()))) {
      fail(s, "status lists part " + boost::json::serialize(part) + " that was never sent");
    }
    listed[n] = hash;
  }
  for (std::size_t i = 0; i < s.held.size(); ++i) {
    const auto it = listed.find(static_cast<std::int64_t>(i + 1));
    if (it == listed.end() && !s.held[i].contains("")) {
      fail(s, "acknowledged part " + std::to_string(i + 1) + " (" + *s.held[i].begin() +
                  ") is not listed: " + r.body.substr(0, 400));
    }
    s.held[i] = {it == listed.end() ? std::string() : it->second};
  }
  return state;
}

HttpResponse SessionDriver::send(const std::string& method, const std::string& target,
                                 const std::string& body, Headers headers) {
  headers["X-Tenant"] = c_.settings.tenant;
  return client_.request(method, target, headers, body);
}

void SessionDriver::fail(const SessionRecord& s, const std::string& what) {
  c_.observations.fail("upload " + s.id + " (" + (s.key.empty() ? "blob " : s.key + " ") +
                       s.hash.substr(0, 12) + "): " + what);
}

// A tolerated 5xx: the request's outcome is unknown. Not tolerated while settling.
bool SessionDriver::unanswered(const SessionRecord& s, const HttpResponse& r,
                               const std::string& what) {
  if (!tolerated_5xx(r.status)) {
    return false;
  }
  if (settling_) {
    fail(s, what + " answered " + status_text(r) + " with no fault under way");
  }
  return true;
}

bool SessionDriver::ready(const SessionRecord& s) const {
  for (std::size_t i = 0; i < s.held.size(); ++i) {
    if (!surely(s.held[i], testing::sha256_hex(part_bytes(s, i)))) {
      return false;
    }
  }
  return true;
}

void SessionDriver::put_part(SessionRecord& s) {
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < s.held.size(); ++i) {
    if (!surely(s.held[i], testing::sha256_hex(part_bytes(s, i)))) {
      todo.push_back(i);
    }
  }
  const std::size_t part = todo.empty() || between(rng_, 0, 6) == 0
                               ? between(rng_, 0, s.held.size() - 1)  // a retry
                               : todo[between(rng_, 0, todo.size() - 1)];
  const std::size_t dice = between(rng_, 0, 99);
  const bool garbage = dice < 8;  // replaced by the right bytes later
  const bool wrong_header = dice >= 8 && dice < 12;
  const std::string bytes =
      garbage ? make_content(rng_, between(rng_, 1, 4096)).bytes : part_bytes(s, part);
  const std::string hash = testing::sha256_hex(bytes);
  Headers headers;
  if (wrong_header) {
    headers["X-Content-SHA256"] = make_content(rng_, 32).hash;
  } else if (dice < 40) {
    headers["X-Content-SHA256"] = hash;
  }
  const std::set<std::string> before = s.held[part];
  if (!wrong_header) {
    s.held[part].insert(hash);  // until answered
  }
  const std::string target = "/v1/uploads/" + s.id + "/parts/" + std::to_string(part + 1);
  const HttpResponse r = send("PUT", target, bytes, headers);
  observe(c_.observations, wrong_header ? "upload_part_wrong_sha" : "upload_part", r);
  const std::string what = "part " + std::to_string(part + 1) + " (" + hash.substr(0, 12) + "): ";
  if (wrong_header) {
    s.held[part] = before;  // never stored, whatever the answer
    if (r.status == 200 ||
        (r.status == 400 && r.body.find("content_hash_mismatch") == std::string::npos) ||
        (r.status != 400 && r.status != 507 && !tolerated_5xx(r.status))) {
      fail(s, what + "with a wrong X-Content-SHA256 answered " + status_text(r));
    }
    return;
  }
  if (r.status == 200) {
    boost::json::value storage;
    const boost::json::object* json = parse(r.body, storage);
    if (json == nullptr ||
        json_count(*json, "part_number") != static_cast<std::int64_t>(part + 1) ||
        json_string(*json, "sha256") != hash ||
        json_count(*json, "size_bytes") != static_cast<std::int64_t>(bytes.size()) ||
        r.header("ETag") != "\"" + hash + "\"") {
      fail(s, what + "200 with " + r.body.substr(0, 300));
    }
    s.held[part] = {hash};
  } else if (r.status == 507) {
    s.held[part] = before;
  } else if (!unanswered(s, r, what)) {
    fail(s, what + status_text(r));
    s.held[part] = before;
  }
}

void SessionDriver::abort(SessionRecord& s) {
  s.state = SessionState::kAbortUnknown;  // until answered
  const HttpResponse r = send("DELETE", "/v1/uploads/" + s.id);
  observe(c_.observations, "upload_abort", r);
  if (r.status == 204) {
    s.state = SessionState::kGone;
    const HttpResponse after = send("GET", "/v1/uploads/" + s.id);
    if (after.status != 404 && !unanswered(s, after, "GET after abort")) {
      fail(s, "GET after a 204 abort: " + status_text(after));
    }
  } else if (!unanswered(s, r, "abort")) {
    fail(s, "abort: " + status_text(r));
    s.state = r.status == 404 ? SessionState::kGone : SessionState::kOpen;
  }
}

// A session whose completion (or abort) went unanswered: open with its parts, completed (or
// gone); then complete (or abort) it again.
void SessionDriver::settle(SessionRecord& s, bool complete_it) {
  const HttpResponse probe = send("GET", "/v1/uploads/" + s.id);
  if (probe.status == 404) {
    if (complete_it) {
      fail(s, "the session whose completion went unanswered is gone");
      if (s.object_index) {
        c_.ledger.finish_upload(*s.object_index, ObjectState::kUnknown, 0);
      }
    }
    s.state = SessionState::kGone;
    return;
  }
  const std::string state = status(s);
  if (state.empty()) {
    return;  // unanswered (or failed)
  }
  if (complete_it) {
    complete(s, true);
  } else if (state == "completed") {
    fail(s, "an aborted session is completed");
    s.state = SessionState::kGone;
  } else {
    abort(s);
  }
}

}  // namespace castor::chaos
