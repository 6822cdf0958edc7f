#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "client/context.h"
#include "client/push_batches.h"
#include "client/session_uploader.h"
#include "domain/error.h"

namespace castor::client {

struct PushOptions {
  std::vector<std::filesystem::path> roots{};
  std::vector<std::string> excludes{};
  bool bundle = false;                  // create a bundle of the pushed files
  std::optional<std::string> prefix{};  // create keyed objects <prefix><relative path>
  int jobs = 8;
  // Files larger than this go through resumable upload sessions, in parts of this size.
  std::uint64_t part_size = 64ull << 20;
  bool follow_symlinks = false;
  bool dry_run = false;     // scan, hash and ask the server, but change nothing
  PushBatching batching{};  // how hashing and uploading are pipelined
};

// What a push did (or, with dry_run, would do).
struct PushSummary {
  std::uint64_t files = 0;
  std::uint64_t bytes_total = 0;       // of the scanned files
  std::uint64_t blobs_total = 0;       // distinct contents
  std::uint64_t blobs_missing = 0;     // contents the server lacked (preflight)
  std::uint64_t blobs_uploaded = 0;    // PUT /v1/blobs that stored (201), blob sessions completed
  std::uint64_t bytes_uploaded = 0;    // body bytes sent: blobs, objects and session parts
  std::uint64_t sessions_resumed = 0;  // upload sessions found open and continued
  std::uint64_t parts_uploaded = 0;    // session parts sent
  std::uint64_t parts_reused = 0;      // session parts the server already held (not sent again)
  std::uint64_t bytes_reused = 0;      // their bytes
  std::uint64_t objects_created = 0;   // keyed mode
  std::uint64_t objects_replaced = 0;  // keyed mode: a key held other content
  std::uint64_t objects_unchanged = 0;
  std::optional<boost::json::object> bundle{};  // the created bundle's summary
  std::vector<std::string> skipped{};
  bool dry_run = false;

  boost::json::object to_json() const;
  // Adds what a SessionUploader did (completed sessions count as blobs uploaded when `blobs`).
  void add(const SessionTotals& totals, bool blobs);
};

// castorctl push: scan, then hash and upload in a pipeline (run_push_pipeline: batches are hashed
// on their own thread while the batches before them are uploaded): with `bundle` the contents the
// server lacks (preflight per batch) as blobs (those over `part_size` through upload sessions,
// resuming what an interrupted push left), then the bundle of all the files, once; with `prefix`
// the keyed objects whose content differs (large ones through sessions too). Usage error when
// neither `bundle` nor `prefix` is asked for.
Result<PushSummary> run_push(const Context& context, const PushOptions& options);

}  // namespace castor::client
