#include "chaos/ledger.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace castor::chaos {

const char* to_string(ObjectState state) {
  switch (state) {
    case ObjectState::kUploading:
      return "uploading";
    case ObjectState::kLive:
      return "acknowledged";
    case ObjectState::kDeleting:
      return "being deleted";
    case ObjectState::kDeleted:
      return "deleted";
    case ObjectState::kRejected:
      return "rejected";
    case ObjectState::kUnknown:
      return "unknown";
    case ObjectState::kGone:
      return "gone";
  }
  return "?";
}

std::size_t Ledger::begin_upload(std::string key, std::string hash, std::uint64_t size) {
  std::lock_guard lock(mutex_);
  records_.push_back({.key = std::move(key), .hash = std::move(hash), .size = size});
  ++counts_.uploads;
  return records_.size() - 1;
}

void Ledger::finish_upload(std::size_t index, ObjectState state, int status, std::string id) {
  std::lock_guard lock(mutex_);
  ObjectRecord& record = records_.at(index);
  record.state = state;
  record.upload_status = status;
  record.id = std::move(id);
  if (state == ObjectState::kLive) {
    record.was_acknowledged = true;
    live_.push_back(index);
    ++counts_.acknowledged;
  } else if (state == ObjectState::kRejected) {
    ++counts_.rejected;
  } else {
    ++counts_.unknown;
  }
}

void Ledger::acknowledge(std::size_t index, std::string id) {
  std::lock_guard lock(mutex_);
  ObjectRecord& record = records_.at(index);
  if (record.state != ObjectState::kUploading && record.state != ObjectState::kUnknown) {
    throw std::logic_error("acknowledge: the record of " + record.key + " is " +
                           to_string(record.state));
  }
  record.state = ObjectState::kLive;
  record.id = std::move(id);
  record.was_acknowledged = true;
  live_.push_back(index);
  ++counts_.acknowledged;
}

std::optional<std::pair<std::size_t, ObjectRecord>> Ledger::pick_live(std::mt19937_64& rng) const {
  std::lock_guard lock(mutex_);
  if (live_.empty()) {
    return std::nullopt;
  }
  const std::size_t index =
      live_[std::uniform_int_distribution<std::size_t>(0, live_.size() - 1)(rng)];
  return std::pair{index, records_[index]};
}

std::optional<std::pair<std::size_t, ObjectRecord>> Ledger::claim_for_delete(std::mt19937_64& rng) {
  std::lock_guard lock(mutex_);
  if (live_.empty()) {
    return std::nullopt;
  }
  const std::size_t index =
      live_[std::uniform_int_distribution<std::size_t>(0, live_.size() - 1)(rng)];
  remove_live(index);
  records_[index].state = ObjectState::kDeleting;
  return std::pair{index, records_[index]};
}

void Ledger::finish_delete(std::size_t index, ObjectState state) {
  std::lock_guard lock(mutex_);
  records_.at(index).state = state;
  if (state == ObjectState::kDeleted) {
    ++counts_.deleted;
  }
}

ObjectState Ledger::state(std::size_t index) const {
  std::lock_guard lock(mutex_);
  return records_.at(index).state;
}

ObjectRecord Ledger::get(std::size_t index) const {
  std::lock_guard lock(mutex_);
  return records_.at(index);
}

std::size_t Ledger::live_count() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

std::uint64_t Ledger::live_bytes() const {
  std::lock_guard lock(mutex_);
  std::uint64_t bytes = 0;
  for (std::size_t index : live_) {
    bytes += records_[index].size;
  }
  return bytes;
}

std::vector<std::size_t> Ledger::unsettled() const {
  std::lock_guard lock(mutex_);
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < records_.size(); ++i) {
    if (records_[i].state != ObjectState::kGone) {
      indices.push_back(i);
    }
  }
  return indices;
}

void Ledger::resolve(std::size_t index, bool present) {
  std::lock_guard lock(mutex_);
  ObjectRecord& record = records_.at(index);
  if (present) {
    if (record.state != ObjectState::kLive) {
      record.state = ObjectState::kLive;
      record.was_acknowledged = true;
      live_.push_back(index);
    }
  } else {
    if (record.state == ObjectState::kLive) {
      throw std::logic_error("resolve: an acknowledged object cannot be resolved absent");
    }
    record.state = ObjectState::kGone;
  }
}

Ledger::Counts Ledger::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

void Ledger::remove_live(std::size_t index) {
  const auto it = std::find(live_.begin(), live_.end(), index);
  if (it != live_.end()) {
    *it = live_.back();
    live_.pop_back();
  }
}

}  // namespace castor::chaos
