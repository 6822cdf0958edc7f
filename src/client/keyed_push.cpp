#include "client/keyed_push.h"

#include "client/object_api.h"
#include "client/part_layout.h"
#include "client/session_uploader.h"

namespace castor::client {

Result<KeyedPush::KeyState> KeyedPush::key_state(HttpClient& http, const std::string& key,
                                                 const std::string& hash) const {
  auto head = head_object(http, context_.config, object_ref(key, true));
  if (!head) {
    if (head.error().code == ErrorCode::kNotFound) {
      return KeyState::kMissing;
    }
    return std::move(head).error();
  }
  return etag_hash(head->header("etag")) == hash ? KeyState::kSame : KeyState::kDifferent;
}

bool KeyedPush::has_large(BatchRange batch) const {
  for (std::size_t i = batch.begin; i < batch.end; ++i) {
    if (needs_session(files_[i].size, options_.part_size)) {
      return true;
    }
  }
  return false;
}

void KeyedPush::submit(WorkerPool& pool, ClientPool& clients, BatchRange batch) {
  for (std::size_t i = batch.begin; i < batch.end; ++i) {
    pool.submit([this, &clients, i](int worker) { return push_file(clients.at(worker), i); });
  }
}

Status KeyedPush::push_file(HttpClient& http, std::size_t index) {
  const ScannedFile& file = files_[index];
  const std::string& hash = hashes_[index];
  const std::string key = *options_.prefix + file.relative;
  auto state = key_state(http, key, hash);
  if (!state) {
    return std::move(state).error();
  }
  if (*state == KeyState::kSame) {
    unchanged_.fetch_add(1);
  } else if (!options_.dry_run) {
    if (*state == KeyState::kDifferent) {
      if (Status s = delete_object(http, context_.config, object_ref(key, true));
          !s && s.error().code != ErrorCode::kNotFound) {
        return s;
      }
    }
    if (needs_session(file.size, options_.part_size)) {
      std::lock_guard lock(deferred_mutex_);
      deferred_.emplace_back(index, *state);
      return {};
    }
    std::uint64_t before = 0;
    auto on_progress = [&](std::int64_t delta) {
      progress_.add_bytes(delta);
      before += static_cast<std::uint64_t>(delta);
    };
    auto posted = post_object(http, context_.config, key, file.source, hash, on_progress);
    sent_.fetch_add(before);
    if (!posted) {
      // A retried POST whose first attempt was stored answers 409: fine if it holds our content.
      auto again = key_state(http, key, hash);
      if (!again || *again != KeyState::kSame) {
        return std::move(posted).error();
      }
    }
    (*state == KeyState::kDifferent ? replaced_ : created_).fetch_add(1);
    progress_.add_file();
    return {};
  } else {
    (*state == KeyState::kDifferent ? replaced_ : created_).fetch_add(1);
  }
  progress_.add_bytes(static_cast<std::int64_t>(file.size));
  progress_.add_file();
  return {};
}

Status KeyedPush::upload_deferred(ClientPool& clients) {
  std::vector<std::pair<std::size_t, KeyState>> deferred;
  {
    std::lock_guard lock(deferred_mutex_);
    deferred.swap(deferred_);
  }
  if (deferred.empty()) {
    return {};
  }
  std::vector<SessionUpload> uploads;
  for (const auto& [index, state] : deferred) {
    uploads.push_back({.file = files_[index],
                       .sha256 = hashes_[index],
                       .key = *options_.prefix + files_[index].relative});
  }
  auto totals = SessionUploader(context_, options_.part_size, options_.jobs)
                    .upload(clients, uploads, progress_);
  if (!totals) {
    return std::move(totals).error();
  }
  sessions_ += *totals;
  for (const auto& [index, state] : deferred) {
    (state == KeyState::kDifferent ? replaced_ : created_).fetch_add(1);
  }
  return {};
}

void KeyedPush::add_to(PushSummary& summary) const {
  summary.add(sessions_, false);
  summary.objects_created += created_.load();
  summary.objects_replaced += replaced_.load();
  summary.objects_unchanged += unchanged_.load();
  summary.bytes_uploaded += sent_.load();
}

}  // namespace castor::client
