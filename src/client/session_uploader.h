#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/client_pool.h"
#include "client/context.h"
#include "client/progress.h"
#include "client/scan.h"
#include "domain/error.h"

namespace castor::client {

// One content to upload through an upload session.
struct SessionUpload {
  ScannedFile file{};
  std::string sha256{};              // of the whole file, as hashed before
  std::optional<std::string> key{};  // set: the object <key> in the configured namespace; unset: a
                                     // blob the tenant holds (for a bundle)
};

// What the uploads of one SessionUploader::upload() did.
struct SessionTotals {
  std::uint64_t completed = 0;         // sessions completed (each a blob or object now stored)
  std::uint64_t sessions_resumed = 0;  // open sessions found on the server and continued
  std::uint64_t parts_uploaded = 0;
  std::uint64_t parts_reused = 0;  // parts the server already held with this file's bytes
  std::uint64_t bytes_sent = 0;    // part bodies sent, over every attempt
  std::uint64_t bytes_reused = 0;  // bytes of the reused parts

  SessionTotals& operator+=(const SessionTotals& other) {
    completed += other.completed;
    sessions_resumed += other.sessions_resumed;
    parts_uploaded += other.parts_uploaded;
    parts_reused += other.parts_reused;
    bytes_sent += other.bytes_sent;
    bytes_reused += other.bytes_reused;
    return *this;
  }
};

// Uploads contents larger than the part size through upload sessions (POST /v1/uploads, parts,
// complete), resuming what an interrupted push left on the server, without local state: for each
// content it lists the tenant's open sessions for that SHA-256 (and key), takes the one whose
// parts lie on this push's part layout (PartLayout) and hold the most bytes, or opens a new one;
// then for each part it hashes the file's bytes, skips a part the server holds with that hash and
// size, and sends the others (X-Content-SHA256); once all parts are there it completes the
// session with the full list. Parts of all contents go on `jobs` connections, one content after
// the other. A session that disappears meanwhile (404: expired, aborted, completed by someone
// else) is replaced by a new one, at most twice per upload() call. A keyed completion refused
// because the key is in use counts as done when the key holds this content (the session is then
// aborted). Thread-safe to call from one thread at a time.
class SessionUploader {
 public:
  SessionUploader(const Context& context, std::uint64_t part_size, int jobs)
      : context_(context), part_size_(part_size), jobs_(jobs) {}

  // Uploads every item; `clients` has at least `jobs` clients. Adds to `progress` the bytes sent
  // and reused and one file per completed item. Errors: the server's; DataLoss naming the file
  // when it changed since it was hashed; Unavailable when sessions kept disappearing.
  Result<SessionTotals> upload(ClientPool& clients, const std::vector<SessionUpload>& items,
                               Progress& progress) const;

 private:
  const Context& context_;
  std::uint64_t part_size_;
  int jobs_;
};

}  // namespace castor::client
