#pragma once

#include <cstdint>
#include <random>
#include <set>
#include <string>

#include "chaos/blob_ledger.h"
#include "chaos/load_blobs.h"
#include "support/http_client.h"

// Drives one upload session of the chaos load (see session_ops.h) through one request or a few.
// Every answer is held to the SessionRecord, which it then updates; on a network error it throws
// and leaves the record saying what may have happened (kCompleteUnknown, kAbortUnknown, a part
// hash among the possible ones).
namespace castor::chaos {

// Whether the part is surely held with `hash` (and nothing else is possible).
bool surely(const std::set<std::string>& held, const std::string& hash);

class SessionDriver {
 public:
  // `settling`: the load is paused and no fault is under way, so a 5xx is a failure too.
  SessionDriver(BlobContext& c, std::uint16_t port, std::mt19937_64& rng, bool settling);

  // One step of an existing session: settle an unanswered completion or abort; or read the
  // status, abort, complete (when every part is surely right) or send a part.
  void step(SessionRecord& s);
  // POST /v1/uploads for `s` (kCreateUnknown until answered).
  void create(SessionRecord& s, std::size_t index);
  // A session whose creation went unanswered: found by its hash (then kOpen), or kGone.
  void find(SessionRecord& s);
  // GET /v1/uploads/{id}: the parts listed must be ones the model allows and every acknowledged
  // part must be listed; the model then knows exactly what castor holds. Returns the state seen
  // ("" if unanswered or wrong).
  std::string status(SessionRecord& s);

 private:
  testing::HttpResponse send(const std::string& method, const std::string& target,
                             const std::string& body = {}, testing::Headers headers = {});
  void fail(const SessionRecord& s, const std::string& what);
  // A tolerated 5xx: the request's outcome is unknown. A failure while settling.
  bool unanswered(const SessionRecord& s, const testing::HttpResponse& r, const std::string& what);
  bool ready(const SessionRecord& s) const;
  void put_part(SessionRecord& s);
  // Sends the completion; `again`: an earlier one went unanswered (then 200 is fine).
  void complete(SessionRecord& s, bool again);
  // The object id (or blob hash) a completion answered, checked against the declared content.
  std::string result_of(const SessionRecord& s, const testing::HttpResponse& r);
  // An acknowledged completion: retried, read back, recorded as an object or blob.
  void completed(SessionRecord& s, const testing::HttpResponse& r);
  void abort(SessionRecord& s);
  // A session whose completion (or abort) went unanswered: open with its parts, or completed (or
  // gone); then complete (or abort) it again.
  void settle(SessionRecord& s, bool complete_it);

  BlobContext& c_;
  testing::HttpClient client_;
  std::mt19937_64& rng_;
  const bool settling_;
};

}  // namespace castor::chaos
