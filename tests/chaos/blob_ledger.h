#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

// What the chaos load has been told about blobs (PUT /v1/blobs), bundles and upload sessions:
// the oracle the blob checks hold castor to. Objects that upload sessions complete into go to the
// object Ledger like any other object.
namespace castor::chaos {

using Clock = std::chrono::steady_clock;

struct BlobRecord {
  std::string hash{};   // lowercase hex SHA-256
  std::string bytes{};  // the content
  // Until when castor must keep it even if nothing references it: the latest acknowledged
  // store's grace, counted from when its request was sent, less a safety margin.
  Clock::time_point protected_until{};
  bool acknowledged = false;               // a store was answered 201/200 once
  std::vector<std::uint64_t> part_ends{};  // a composite (upload session): where its parts end
};

enum class BundleState {
  kCreating,       // POST /v1/bundles in flight
  kLive,           // 201 received (or found): lists its files and downloads them until deleted
  kDeleting,       // claimed by a deleter, DELETE in flight
  kUnknown,        // creation not answered: may exist (found by its metadata tag) or not
  kDeleteUnknown,  // DELETE not answered: may still exist
  kGone,           // 409, deleted or found absent
};

struct BundleFile {
  std::string path{};
  std::string hash{};
  std::uint64_t size = 0;
  unsigned mode = 0644;
};

struct BundleRecord {
  std::string tag{};  // the "chaos" member of its metadata, unique
  std::string id{};
  std::vector<BundleFile> files{};  // sorted by path, bytewise
  std::string merkle_root{};
  BundleState state = BundleState::kCreating;
  Clock::time_point acked_at = Clock::time_point::max();    // since when it surely exists
  Clock::time_point claimed_at = Clock::time_point::max();  // since when it may be gone
};

enum class SessionState {
  kCreateUnknown,    // POST /v1/uploads not answered: found by its sha256 or never created
  kOpen,             // created; parts as `held` says
  kCompleteUnknown,  // completion not answered: open with its parts, or completed
  kAbortUnknown,     // abort not answered: open with its parts, or gone
  kGone,             // completed (and read back), aborted, or never created
};

struct SessionRecord {
  std::string id{};
  std::string hash{};   // of the whole content, declared at creation
  std::string bytes{};  // the whole content
  std::string key{};    // completes into the object of this key; "" into a blob
  std::vector<std::uint64_t>
      part_ends{};  // part n covers [part_ends[n-2] (0 for n=1), part_ends[n-1])
  // Per part: the hashes castor may hold for it ("" = none). One element once it is known.
  std::vector<std::set<std::string>> held{};
  SessionState state = SessionState::kOpen;
  std::optional<std::size_t>
      object_index{};  // the object Ledger's record, once completion was sent
  Clock::time_point completion_sent = Clock::time_point::max();  // the first completion request
  bool busy = false;                                             // a worker is driving it
};

// The bytes of a session's part as they should be.
std::string part_bytes(const SessionRecord& session, std::size_t part);  // part: 0-based

// Thread-safe. Bundle and session indices stay valid forever; blobs are keyed by hash.
class BlobLedger {
 public:
  explicit BlobLedger(std::chrono::seconds grace) : grace_(grace) {}
  std::chrono::seconds grace() const { return grace_; }

  // --- blobs ---
  // Records a store of `bytes` sent at `sent`: `acknowledged` extends its protection.
  void stored_blob(const std::string& hash, const std::string& bytes, Clock::time_point sent,
                   bool acknowledged, std::vector<std::uint64_t> part_ends = {});
  std::optional<BlobRecord> pick_blob(std::mt19937_64& rng) const;
  std::optional<BlobRecord> blob(const std::string& hash) const;
  std::vector<std::string> blob_hashes() const;
  void forget_blob(const std::string& hash);
  std::size_t blob_count() const;
  std::uint64_t blob_bytes() const;
  // Whether castor must have held `hash` from `from` to `to`: protected past `to`, or a file of a
  // bundle that existed before `from` and was not claimed for deletion before `to`.
  bool guaranteed(const std::string& hash, Clock::time_point from, Clock::time_point to) const;

  // --- bundles ---
  std::size_t begin_bundle(BundleRecord record);
  void set_bundle(std::size_t index, BundleState state, std::string id = {},
                  Clock::time_point acked_at = Clock::time_point::max());
  std::optional<std::pair<std::size_t, BundleRecord>> pick_bundle(std::mt19937_64& rng) const;
  // A random kLive bundle, marked kDeleting.
  std::optional<std::pair<std::size_t, BundleRecord>> claim_bundle(std::mt19937_64& rng);
  BundleRecord bundle(std::size_t index) const;
  std::vector<std::size_t> unsettled_bundles() const;  // every bundle not kGone
  std::size_t live_bundles() const;
  std::map<std::string, std::uint64_t> bundle_counts() const;  // by outcome

  // --- upload sessions ---
  // Adds a session unless an unsettled one has its hash (sessions whose creation went unanswered
  // are found by their hash).
  std::optional<std::size_t> add_session(SessionRecord record);
  // A random session a worker can drive (open or unanswered, not busy), marked busy.
  std::optional<std::pair<std::size_t, SessionRecord>> claim_session(std::mt19937_64& rng);
  // Stores the worker's view of the session and clears busy.
  void release_session(std::size_t index, SessionRecord record);
  SessionRecord session(std::size_t index) const;
  std::vector<std::size_t> unsettled_sessions() const;  // every session not kGone
  std::size_t active_sessions() const;

 private:
  const std::chrono::seconds grace_;
  mutable std::mutex mutex_;
  std::map<std::string, BlobRecord> blobs_;             // guarded by mutex_
  std::deque<BundleRecord> bundles_;                    // guarded by mutex_
  std::deque<SessionRecord> sessions_;                  // guarded by mutex_
  std::map<std::string, std::uint64_t> bundle_counts_;  // guarded by mutex_
};

}  // namespace castor::chaos
