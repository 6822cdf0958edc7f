#include "chaos/blob_ledger.h"

#include <algorithm>

namespace castor::chaos {
namespace {

// Castor measures the grace on its own clock from a moment after the request was sent; this
// covers the difference between that clock and the steady clock over a few seconds.
constexpr auto kGraceMargin = std::chrono::seconds(1);

template <class Deque, class Pred>
std::vector<std::size_t> indices_where(const Deque& records, Pred pred) {
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (pred(records[i])) {
      indices.push_back(i);
    }
  }
  return indices;
}

std::size_t pick(std::mt19937_64& rng, std::size_t count) {
  return std::uniform_int_distribution<std::size_t>(0, count - 1)(rng);
}

}  // namespace

std::string part_bytes(const SessionRecord& session, std::size_t part) {
  const std::uint64_t begin = part == 0 ? 0 : session.part_ends[part - 1];
  return session.bytes.substr(begin, session.part_ends[part] - begin);
}

void BlobLedger::stored_blob(const std::string& hash, const std::string& bytes,
                             Clock::time_point sent, bool acknowledged,
                             std::vector<std::uint64_t> part_ends) {
  std::lock_guard lock(mutex_);
  BlobRecord& record = blobs_[hash];
  record.hash = hash;
  record.bytes = bytes;
  if (!part_ends.empty()) {
    record.part_ends = std::move(part_ends);
  }
  if (acknowledged) {
    record.acknowledged = true;
    record.protected_until = std::max(record.protected_until, sent + grace_ - kGraceMargin);
  }
}

std::optional<BlobRecord> BlobLedger::pick_blob(std::mt19937_64& rng) const {
  std::lock_guard lock(mutex_);
  if (blobs_.empty()) {
    return std::nullopt;
  }
  return std::next(blobs_.begin(), static_cast<std::ptrdiff_t>(pick(rng, blobs_.size())))->second;
}

std::optional<BlobRecord> BlobLedger::blob(const std::string& hash) const {
  std::lock_guard lock(mutex_);
  const auto it = blobs_.find(hash);
  return it == blobs_.end() ? std::nullopt : std::optional(it->second);
}

std::vector<std::string> BlobLedger::blob_hashes() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> hashes;
  for (const auto& [hash, record] : blobs_) {
    hashes.push_back(hash);
  }
  return hashes;
}

void BlobLedger::forget_blob(const std::string& hash) {
  std::lock_guard lock(mutex_);
  blobs_.erase(hash);
}

std::size_t BlobLedger::blob_count() const {
  std::lock_guard lock(mutex_);
  return blobs_.size();
}

std::uint64_t BlobLedger::blob_bytes() const {
  std::lock_guard lock(mutex_);
  std::uint64_t bytes = 0;
  for (const auto& [hash, record] : blobs_) {
    bytes += record.bytes.size();
  }
  return bytes;
}

bool BlobLedger::guaranteed(const std::string& hash, Clock::time_point from,
                            Clock::time_point to) const {
  std::lock_guard lock(mutex_);
  if (const auto it = blobs_.find(hash); it != blobs_.end() && it->second.protected_until > to) {
    return true;
  }
  return std::any_of(bundles_.begin(), bundles_.end(), [&](const BundleRecord& bundle) {
    return bundle.acked_at <= from && bundle.claimed_at >= to &&
           std::any_of(bundle.files.begin(), bundle.files.end(),
                       [&](const BundleFile& file) { return file.hash == hash; });
  });
}

std::size_t BlobLedger::begin_bundle(BundleRecord record) {
  std::lock_guard lock(mutex_);
  record.state = BundleState::kCreating;
  bundles_.push_back(std::move(record));
  return bundles_.size() - 1;
}

void BlobLedger::set_bundle(std::size_t index, BundleState state, std::string id,
                            Clock::time_point acked_at) {
  std::lock_guard lock(mutex_);
  BundleRecord& record = bundles_.at(index);
  const BundleState before = record.state;
  record.state = state;
  if (!id.empty()) {
    record.id = std::move(id);
  }
  if (state == BundleState::kLive) {
    if (before != BundleState::kLive) {
      record.acked_at = acked_at;
      record.claimed_at = Clock::time_point::max();
    }
    ++bundle_counts_[before == BundleState::kCreating ? "created" : "found"];
  } else if (state == BundleState::kGone) {
    ++bundle_counts_[before == BundleState::kCreating   ? "refused"
                     : before == BundleState::kDeleting ? "deleted"
                                                        : "found_absent"];
  } else if (state == BundleState::kUnknown || state == BundleState::kDeleteUnknown) {
    ++bundle_counts_["unanswered"];
  }
}

std::optional<std::pair<std::size_t, BundleRecord>> BlobLedger::pick_bundle(
    std::mt19937_64& rng) const {
  std::lock_guard lock(mutex_);
  const auto live =
      indices_where(bundles_, [](const BundleRecord& b) { return b.state == BundleState::kLive; });
  if (live.empty()) {
    return std::nullopt;
  }
  const std::size_t index = live[pick(rng, live.size())];
  return std::pair{index, bundles_[index]};
}

std::optional<std::pair<std::size_t, BundleRecord>> BlobLedger::claim_bundle(std::mt19937_64& rng) {
  std::lock_guard lock(mutex_);
  const auto live =
      indices_where(bundles_, [](const BundleRecord& b) { return b.state == BundleState::kLive; });
  if (live.empty()) {
    return std::nullopt;
  }
  const std::size_t index = live[pick(rng, live.size())];
  bundles_[index].state = BundleState::kDeleting;
  bundles_[index].claimed_at = Clock::now();
  return std::pair{index, bundles_[index]};
}

BundleRecord BlobLedger::bundle(std::size_t index) const {
  std::lock_guard lock(mutex_);
  return bundles_.at(index);
}

std::vector<std::size_t> BlobLedger::unsettled_bundles() const {
  std::lock_guard lock(mutex_);
  return indices_where(bundles_,
                       [](const BundleRecord& b) { return b.state != BundleState::kGone; });
}

std::size_t BlobLedger::live_bundles() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(bundles_.begin(), bundles_.end(), [](const auto& b) {
        return b.state == BundleState::kLive || b.state == BundleState::kUnknown;
      }));
}

std::map<std::string, std::uint64_t> BlobLedger::bundle_counts() const {
  std::lock_guard lock(mutex_);
  return bundle_counts_;
}

std::optional<std::size_t> BlobLedger::add_session(SessionRecord record) {
  std::lock_guard lock(mutex_);
  if (std::any_of(sessions_.begin(), sessions_.end(), [&](const SessionRecord& s) {
        return s.state != SessionState::kGone && s.hash == record.hash;
      })) {
    return std::nullopt;
  }
  sessions_.push_back(std::move(record));
  return sessions_.size() - 1;
}

std::optional<std::pair<std::size_t, SessionRecord>> BlobLedger::claim_session(
    std::mt19937_64& rng) {
  std::lock_guard lock(mutex_);
  const auto free = indices_where(sessions_, [](const SessionRecord& s) {
    return !s.busy && s.state != SessionState::kGone && s.state != SessionState::kCreateUnknown;
  });
  if (free.empty()) {
    return std::nullopt;
  }
  const std::size_t index = free[pick(rng, free.size())];
  sessions_[index].busy = true;
  return std::pair{index, sessions_[index]};
}

void BlobLedger::release_session(std::size_t index, SessionRecord record) {
  std::lock_guard lock(mutex_);
  record.busy = false;
  if (record.state == SessionState::kGone) {
    record.bytes.clear();  // settled: only its id and hash are kept
    record.held.clear();
  }
  sessions_.at(index) = std::move(record);
}

SessionRecord BlobLedger::session(std::size_t index) const {
  std::lock_guard lock(mutex_);
  return sessions_.at(index);
}

std::vector<std::size_t> BlobLedger::unsettled_sessions() const {
  std::lock_guard lock(mutex_);
  return indices_where(sessions_,
                       [](const SessionRecord& s) { return s.state != SessionState::kGone; });
}

std::size_t BlobLedger::active_sessions() const { return unsettled_sessions().size(); }

}  // namespace castor::chaos
