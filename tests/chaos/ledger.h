#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

// What the chaos load has been told about every object it tried to store, and so what must (or
// must not) be downloadable: the oracle the checks hold castor to.
namespace castor::chaos {

enum class ObjectState {
  kUploading,  // the upload is in flight
  kLive,       // 201 received and no delete sent: must download byte-exact
  kDeleting,   // claimed by a deleter, DELETE in flight (a 404 on GET is then fine)
  kDeleted,    // 204 received: must be 404
  kRejected,   // a 4xx/507 answer, or the body never fully sent: must be 404
  kUnknown,    // no definite answer (network error, 5xx): 404 or byte-exact are both fine
  kGone,       // checked absent (deleted/rejected/unknown); never checked again
};

const char* to_string(ObjectState state);

struct ObjectRecord {
  std::string key{};
  std::string hash{};  // lowercase hex SHA-256 of the content
  std::uint64_t size = 0;
  std::string id{};               // once a 201 named it
  int upload_status = 0;          // HTTP status of the upload, 0 for a network error
  bool was_acknowledged = false;  // some upload or resolution made it kLive once
  ObjectState state = ObjectState::kUploading;
};

// Thread-safe. Indices stay valid forever (records are never removed).
class Ledger {
 public:
  // Records an upload about to be sent; returns its index.
  std::size_t begin_upload(std::string key, std::string hash, std::uint64_t size);
  void finish_upload(std::size_t index, ObjectState state, int status, std::string id = {});

  // An upload whose answer was missing (kUploading or kUnknown) turned out stored: an upload
  // session's completion acknowledged on a retry. The record becomes kLive.
  void acknowledge(std::size_t index, std::string id);

  // Picks a random kLive record (for a download), if any.
  std::optional<std::pair<std::size_t, ObjectRecord>> pick_live(std::mt19937_64& rng) const;
  // Picks a random kLive record and marks it kDeleting, if any.
  std::optional<std::pair<std::size_t, ObjectRecord>> claim_for_delete(std::mt19937_64& rng);
  void finish_delete(std::size_t index, ObjectState state);

  ObjectState state(std::size_t index) const;
  ObjectRecord get(std::size_t index) const;
  std::size_t live_count() const;
  std::uint64_t live_bytes() const;

  // Indices of every record not yet kGone (what a check must look at).
  std::vector<std::size_t> unsettled() const;
  // After a check: a kUnknown or kDeleting record found present becomes kLive; anything found
  // absent becomes kGone.
  void resolve(std::size_t index, bool present);

  struct Counts {
    std::uint64_t uploads = 0, acknowledged = 0, rejected = 0, unknown = 0, deleted = 0;
  };
  Counts counts() const;

 private:
  mutable std::mutex mutex_;
  std::deque<ObjectRecord> records_;  // guarded by mutex_
  std::vector<std::size_t> live_;     // indices of kLive records, guarded by mutex_
  Counts counts_;                     // guarded by mutex_

  void remove_live(std::size_t index);  // requires mutex_
};

}  // namespace castor::chaos
