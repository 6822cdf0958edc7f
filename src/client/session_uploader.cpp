#include "client/session_uploader.h"

#include <atomic>
#include <memory>
#include <utility>

#include "client/object_api.h"
#include "client/parallel.h"
#include "client/part_layout.h"
#include "client/sha256.h"
#include "client/upload_api.h"

namespace castor::client {
namespace {

// Rounds of upload(): the first, and up to two more for sessions that disappeared.
constexpr int kMaxRounds = 3;
// At most this many open sessions of one content are inspected (GET with parts) to pick one.
constexpr std::size_t kMaxCandidates = 4;

// The upload of one item in the current round.
struct ItemRun {
  ItemRun(const SessionUpload& upload, std::uint64_t part_size, const std::string& ns)
      : item(upload), layout(upload.file.size, part_size) {
    target.sha256 = upload.sha256;
    target.size = upload.file.size;
    if (upload.key) {
      target.ns = ns;
      target.key = upload.key;
    }
  }

  const SessionUpload& item;
  const PartLayout layout;
  UploadTarget target;
  // Set by prepare(), read by the part tasks after it (run_parallel's join orders them).
  std::string session_id{};
  std::vector<std::optional<UploadPartInfo>> held{};  // index: part number - 1
  std::atomic<std::uint32_t> remaining{0};            // parts not yet on the server this round
  std::atomic<bool> stale{false};  // the session disappeared: start over in the next round
  std::atomic<std::int64_t> progress_bytes{0};  // what this round added to the progress
  bool resumed = false;                         // this round continues a session found open
  std::atomic<std::uint64_t> parts_reused{0}, bytes_reused{0};  // this round
};

Error changed(const ScannedFile& file, const Error& error) {
  return Error{ErrorCode::kDataLoss,
               file.source.string() + " changed while it was being pushed (" + error.message + ")"};
}

// A session that is gone (404) or no longer open (409 upload_not_open).
bool session_gone(const Error& error) {
  return error.code == ErrorCode::kNotFound ||
         (error.code == ErrorCode::kAlreadyExists && error.reason == "upload_not_open");
}

// One upload() call: the items' runs, the shared counters and the steps of a round.
class Uploads {
 public:
  Uploads(const Context& context, Progress& progress) : context_(context), progress_(progress) {}

  // Finds the session to resume for `run`, or opens one.
  Status prepare(HttpClient& http, ItemRun& run);
  // Makes sure part `number` of `run` is on the server; completes the session after its last.
  Status ensure_part(HttpClient& http, ItemRun& run, std::uint32_t number);

  // The totals, given the runs of the items (their last rounds).
  SessionTotals totals(const std::vector<std::unique_ptr<ItemRun>>& runs) const {
    SessionTotals totals{.completed = completed_.load(),
                         .parts_uploaded = parts_uploaded_.load(),
                         .bytes_sent = bytes_sent_.load()};
    for (const auto& run : runs) {
      totals.sessions_resumed += run->resumed ? 1 : 0;
      totals.parts_reused += run->parts_reused.load();
      totals.bytes_reused += run->bytes_reused.load();
    }
    return totals;
  }

 private:
  Status complete(HttpClient& http, ItemRun& run);
  void add_progress(ItemRun& run, std::int64_t delta) {
    progress_.add_bytes(delta);
    run.progress_bytes.fetch_add(delta);
  }

  const Context& context_;
  Progress& progress_;
  // Over every round: what was completed and what was sent (also to sessions that then went).
  std::atomic<std::uint64_t> completed_{0}, parts_uploaded_{0}, bytes_sent_{0};
};

Status Uploads::prepare(HttpClient& http, ItemRun& run) {
  const Config& config = context_.config;
  run.stale.store(false);
  run.held.assign(run.layout.count(), std::nullopt);
  run.remaining.store(run.layout.count());
  run.progress_bytes.store(0);
  run.resumed = false;
  run.parts_reused.store(0);
  run.bytes_reused.store(0);
  auto listed = list_uploads(http, config, run.target);
  if (!listed) {
    return std::move(listed).error();
  }
  std::vector<UploadSessionInfo> candidates;
  for (const UploadSessionInfo& listed_session : *listed) {
    if (candidates.size() == kMaxCandidates) {
      break;
    }
    if (!resumable_for(listed_session, run.target)) {
      continue;
    }
    auto session = get_upload(http, config, listed_session.id);
    if (!session) {
      if (session.error().code == ErrorCode::kNotFound) {
        continue;  // expired or completed since it was listed
      }
      return std::move(session).error();
    }
    if (resumable_for(*session, run.target)) {
      candidates.push_back(*std::move(session));
    }
  }
  if (auto chosen = choose_session(run.layout, candidates)) {
    const UploadSessionInfo& session = candidates[*chosen];
    run.session_id = session.id;
    for (const UploadPartInfo& part : session.parts) {
      run.held[part.number - 1] = part;
    }
    run.resumed = true;
    return {};
  }
  auto created = create_upload(http, config, run.target);
  if (!created) {
    return std::move(created).error();
  }
  run.session_id = created->id;
  return {};
}

Status Uploads::ensure_part(HttpClient& http, ItemRun& run, std::uint32_t number) {
  if (run.stale.load()) {
    return {};
  }
  const ScannedFile& file = run.item.file;
  const std::uint64_t offset = run.layout.offset(number);
  const std::uint64_t size = run.layout.size_of(number);
  auto local = hash_file_range(file.source, offset, size);
  if (!local) {
    return local.error().code == ErrorCode::kDataLoss ? changed(file, local.error())
                                                      : std::move(local).error();
  }
  const std::optional<UploadPartInfo>& held = run.held[number - 1];
  if (held && held->size == size && held->sha256 == *local) {
    run.parts_reused.fetch_add(1);
    run.bytes_reused.fetch_add(size);
    add_progress(run, static_cast<std::int64_t>(size));
  } else {
    std::uint64_t pushed = 0;  // bytes handed to the connection, over every attempt
    auto put = put_upload_part(http, context_.config, run.session_id, number, file.source, offset,
                               size, *local, [&](std::int64_t delta) {
                                 add_progress(run, delta);
                                 pushed += delta > 0 ? static_cast<std::uint64_t>(delta) : 0;
                               });
    if (!put) {
      if (session_gone(put.error())) {
        bytes_sent_.fetch_add(pushed);
        run.stale.store(true);
        return {};
      }
      return put.error().code == ErrorCode::kDataLoss ? changed(file, put.error())
                                                      : std::move(put).error();
    }
    bytes_sent_.fetch_add(put->bytes_sent);
    if (put->part.size != size || put->part.sha256 != *local) {
      return Error{ErrorCode::kDataLoss, "the server stored part " + std::to_string(number) +
                                             " of " + file.source.string() + " as " +
                                             put->part.sha256 + ", not " + *local};
    }
    parts_uploaded_.fetch_add(1);
  }
  if (run.remaining.fetch_sub(1) == 1 && !run.stale.load()) {
    return complete(http, run);
  }
  return {};
}

Status Uploads::complete(HttpClient& http, ItemRun& run) {
  std::vector<std::uint32_t> parts(run.layout.count());
  for (std::uint32_t n = 1; n <= run.layout.count(); ++n) {
    parts[n - 1] = n;
  }
  // parts_changed: someone replaced a part while the server hashed them; it holds the same
  // numbers, so completing again is safe. Bounded.
  for (int attempt = 0;; ++attempt) {
    auto done = complete_upload(http, context_.config, run.session_id, parts);
    if (done) {
      completed_.fetch_add(1);
      progress_.add_file();
      return {};
    }
    const Error& error = done.error();
    if (error.code == ErrorCode::kNotFound) {
      run.stale.store(true);
      return {};
    }
    if (error.reason == "parts_changed" && attempt < 2) {
      continue;
    }
    if (error.code == ErrorCode::kDataLoss || error.reason == "size_mismatch") {
      return changed(run.item.file, error);
    }
    if (run.item.key && error.code == ErrorCode::kAlreadyExists) {
      // The key is in use: done if it holds this content (another push stored it meanwhile).
      auto head = head_object(http, context_.config, object_ref(*run.item.key, true));
      if (head && etag_hash(head->header("etag")) == run.item.sha256) {
        (void)abort_upload(http, context_.config, run.session_id);  // frees its parts early
        progress_.add_file();
        return {};
      }
    }
    return std::move(done).error();
  }
}

}  // namespace

Result<SessionTotals> SessionUploader::upload(ClientPool& clients,
                                              const std::vector<SessionUpload>& items,
                                              Progress& progress) const {
  Uploads uploads(context_, progress);
  std::vector<std::unique_ptr<ItemRun>> runs;
  runs.reserve(items.size());
  for (const SessionUpload& item : items) {
    runs.push_back(std::make_unique<ItemRun>(item, part_size_, context_.config.ns));
  }
  std::vector<ItemRun*> pending;
  for (auto& run : runs) {
    pending.push_back(run.get());
  }
  for (int round = 0; round < kMaxRounds && !pending.empty(); ++round) {
    Status prepared = run_parallel(pending.size(), jobs_, [&](std::size_t i, int worker) {
      return uploads.prepare(clients.at(worker), *pending[i]);
    });
    if (!prepared) {
      return prepared.error();
    }
    std::vector<std::pair<ItemRun*, std::uint32_t>> tasks;  // item-major: one file at a time
    for (ItemRun* run : pending) {
      for (std::uint32_t n = 1; n <= run->layout.count(); ++n) {
        tasks.emplace_back(run, n);
      }
    }
    Status sent = run_parallel(tasks.size(), jobs_, [&](std::size_t i, int worker) {
      return uploads.ensure_part(clients.at(worker), *tasks[i].first, tasks[i].second);
    });
    if (!sent) {
      return sent.error();
    }
    std::vector<ItemRun*> again;
    for (ItemRun* run : pending) {
      if (run->stale.load()) {
        progress.add_bytes(-run->progress_bytes.load());  // its parts are sent again
        again.push_back(run);
      }
    }
    pending = std::move(again);
  }
  if (!pending.empty()) {
    return Error{ErrorCode::kUnavailable,
                 "the upload session of " + pending.front()->item.file.source.string() +
                     " kept disappearing (expired, aborted or completed elsewhere)"};
  }
  return uploads.totals(runs);
}

}  // namespace castor::client
