#include "client/keyed_push.h"

#include <atomic>
#include <mutex>
#include <utility>
#include <vector>

#include "client/client_pool.h"
#include "client/object_api.h"
#include "client/parallel.h"
#include "client/part_layout.h"
#include "client/progress.h"
#include "client/session_uploader.h"

namespace castor::client {
namespace {

// What a key holds now: nothing, the file's content, or something else.
enum class KeyState { kMissing, kSame, kDifferent };

Result<KeyState> key_state(HttpClient& http, const Config& config, const std::string& key,
                           const std::string& hash) {
  auto head = head_object(http, config, object_ref(key, true));
  if (!head) {
    if (head.error().code == ErrorCode::kNotFound) {
      return KeyState::kMissing;
    }
    return std::move(head).error();
  }
  return etag_hash(head->header("etag")) == hash ? KeyState::kSame : KeyState::kDifferent;
}

}  // namespace

Status push_keyed_objects(const Context& context, const PushOptions& options,
                          const std::vector<ScannedFile>& files,
                          const std::vector<std::string>& hashes, PushSummary& summary) {
  ClientPool clients(context.http_options(), options.jobs);
  std::uint64_t bytes = 0;
  for (const ScannedFile& file : files) {
    bytes += file.size;
  }
  Progress progress(context.style(), options.dry_run ? "checking" : "objects", files.size(), bytes);
  std::atomic<std::uint64_t> created{0}, replaced{0}, unchanged{0}, sent{0};
  const std::string& prefix = *options.prefix;
  // Files over the part size whose key needs them: uploaded through sessions after the others.
  std::mutex deferred_mutex;
  std::vector<std::pair<std::size_t, KeyState>> deferred;  // guarded by deferred_mutex
  Status status = run_parallel(files.size(), options.jobs, [&](std::size_t i, int worker) {
    HttpClient& http = clients.at(worker);
    const ScannedFile& file = files[i];
    const std::string key = prefix + file.relative;
    auto state = key_state(http, context.config, key, hashes[i]);
    if (!state) {
      return Status(std::move(state).error());
    }
    if (*state == KeyState::kSame) {
      unchanged.fetch_add(1);
    } else if (!options.dry_run) {
      if (*state == KeyState::kDifferent) {
        if (Status s = delete_object(http, context.config, object_ref(key, true));
            !s && s.error().code != ErrorCode::kNotFound) {
          return s;
        }
      }
      if (needs_session(file.size, options.part_size)) {
        std::lock_guard lock(deferred_mutex);
        deferred.emplace_back(i, *state);
        return Status();
      }
      std::uint64_t before = 0;
      auto on_progress = [&](std::int64_t delta) {
        progress.add_bytes(delta);
        before += static_cast<std::uint64_t>(delta);
      };
      auto posted = post_object(http, context.config, key, file.source, hashes[i], on_progress);
      sent.fetch_add(before);
      if (!posted) {
        // A retried POST whose first attempt was stored answers 409: fine if it holds our content.
        auto again = key_state(http, context.config, key, hashes[i]);
        if (!again || *again != KeyState::kSame) {
          return Status(std::move(posted).error());
        }
      }
      (*state == KeyState::kDifferent ? replaced : created).fetch_add(1);
      progress.add_file();
      return Status();
    } else {
      (*state == KeyState::kDifferent ? replaced : created).fetch_add(1);
    }
    progress.add_bytes(static_cast<std::int64_t>(file.size));
    progress.add_file();
    return Status();
  });
  if (status && !deferred.empty()) {
    std::vector<SessionUpload> uploads;
    for (const auto& [index, state] : deferred) {
      uploads.push_back(
          {.file = files[index], .sha256 = hashes[index], .key = prefix + files[index].relative});
    }
    auto totals = SessionUploader(context, options.part_size, options.jobs)
                      .upload(clients, uploads, progress);
    if (!totals) {
      status = std::move(totals).error();
    } else {
      summary.add(*totals, false);
      for (const auto& [index, state] : deferred) {
        (state == KeyState::kDifferent ? replaced : created).fetch_add(1);
      }
    }
  }
  progress.finish();
  summary.objects_created += created.load();
  summary.objects_replaced += replaced.load();
  summary.objects_unchanged += unchanged.load();
  summary.bytes_uploaded += sent.load();
  return status;
}

}  // namespace castor::client
