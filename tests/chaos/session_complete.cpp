// SessionDriver: completing an upload session, and what the completion must yield.
#include "chaos/session_driver.h"

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "chaos/http_util.h"
#include "support/sha256.h"

namespace castor::chaos {

using testing::Headers;
using testing::HttpResponse;

// Sends the completion; `again`: an earlier one went unanswered.
void SessionDriver::complete(SessionRecord& s, bool again) {
  if (!s.key.empty() && !s.object_index) {
    s.object_index = c_.ledger.begin_upload(s.key, s.hash, s.bytes.size());
  }
  s.completion_sent = std::min(s.completion_sent, Clock::now());
  s.state = SessionState::kCompleteUnknown;  // until answered
  std::string body;
  if (between(rng_, 0, 1) == 0) {
    boost::json::array parts;
    for (std::size_t n = 1; n <= s.held.size(); ++n) {
      parts.push_back(n);
    }
    body = boost::json::serialize(boost::json::object{{"parts", parts}});
  }
  const HttpResponse r = send("POST", "/v1/uploads/" + s.id + "/complete", body);
  observe(c_.observations, again ? "upload_complete_again" : "upload_complete", r);
  if (r.status == 201 || (again && r.status == 200)) {
    completed(s, r);
  } else if (!unanswered(s, r, "complete")) {
    fail(s, std::string(again ? "completing again" : "complete") + ": " + status_text(r));
    s.state = SessionState::kOpen;
  }
}

// The result a completion answered: the object (or blob) of the declared bytes.
std::string SessionDriver::result_of(const SessionRecord& s, const HttpResponse& r) {
  boost::json::value storage;
  const boost::json::object* json = parse(r.body, storage);
  const char* member = s.key.empty() ? "blob" : "object";
  const boost::json::value* result = json != nullptr ? json->if_contains(member) : nullptr;
  if (json == nullptr || json_string(*json, "state") != "completed" || result == nullptr ||
      !result->is_object()) {
    fail(s, "completion answered " + status_text(r));
    return {};
  }
  const boost::json::object& o = result->as_object();
  const auto size = static_cast<std::int64_t>(s.bytes.size());
  if (s.key.empty()) {
    if (json_string(o, "hash") != s.hash || json_count(o, "size_bytes") != size) {
      fail(s, "completed into the wrong blob: " + r.body.substr(0, 400));
    }
    return s.hash;
  }
  const std::string id = json_string(o, "id");
  if (id.empty() || json_string(o, "content_hash") != "sha256:" + s.hash ||
      json_count(o, "size_bytes") != size || json_string(o, "key") != s.key ||
      (r.status == 201 && r.header("Location") != "/v1/objects/" + id)) {
    fail(s, "completed into the wrong object: " + r.body.substr(0, 400));
  }
  return id;
}

void SessionDriver::completed(SessionRecord& s, const HttpResponse& r) {
  const std::string result = result_of(s, r);
  if (between(rng_, 0, 3) == 0) {  // a retry after a lost answer
    const HttpResponse again = send("POST", "/v1/uploads/" + s.id + "/complete");
    observe(c_.observations, "upload_complete_retry", again);
    if (!unanswered(s, again, "retried completion") &&
        (again.status != 200 || result_of(s, again) != result)) {
      fail(s, "completing a completed upload again answered " + status_text(again));
    }
  }
  // Read back whole and across a part boundary.
  const std::string target = (s.key.empty() ? "/v1/blobs/" : "/v1/objects/") + result;
  const std::size_t boundary = between(rng_, 0, s.part_ends.size() - 2);
  const std::uint64_t cut = s.part_ends[boundary];
  const std::uint64_t first = between(rng_, 0, cut - 1);
  const std::uint64_t last = between(rng_, cut, s.bytes.size() - 1);
  for (const bool ranged : {false, true}) {
    Headers headers;
    if (ranged) {
      headers["Range"] = range_header(first, last);
    }
    const HttpResponse got = send("GET", target, {}, headers);
    observe(c_.observations, "upload_read_back", got);
    const std::string want = ranged ? s.bytes.substr(first, last - first + 1) : s.bytes;
    if (!unanswered(s, got, "read back") &&
        (got.status != (ranged ? 206 : 200) || got.body != want)) {
      fail(s, "reading " + target + (ranged ? " " + headers["Range"] : std::string()) + " back: " +
                  std::to_string(got.status) + " with " + std::to_string(got.body.size()) +
                  " bytes, sha256 " + testing::sha256_hex(got.body) + ", not " +
                  std::to_string(want.size()) + " bytes");
    }
  }
  if (s.key.empty()) {
    c_.blobs.stored_blob(s.hash, s.bytes, s.completion_sent, true, s.part_ends);
  } else {
    c_.ledger.acknowledge(*s.object_index, result);
  }
  s.state = SessionState::kGone;
  if (between(rng_, 0, 4) == 0) {  // forget the completed session; its result stays
    const HttpResponse forgot = send("DELETE", "/v1/uploads/" + s.id);
    observe(c_.observations, "upload_forget", forgot);
    if (forgot.status != 204 && !unanswered(s, forgot, "forget")) {
      fail(s, "DELETE of the completed session: " + status_text(forgot));
    }
  }
}

}  // namespace castor::chaos
