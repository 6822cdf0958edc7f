#include "application/storage/migrate_storage.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <utility>
#include <vector>

namespace castor {

std::string MigrateStorage::cursor_name(StorageClass storage_class, std::string_view target_kind) {
  return "migrate." + std::string(to_string(storage_class)) + "." + std::string(target_kind);
}

// One run: its options, its progress and the first error of its workers.
class MigrateStorage::Run {
 public:
  Run(MigrateStorage& m, const Options& o)
      : m_(m), o_(o), cls_(o.storage_class), start_(o.now()), last_report_(start_) {}

  Result<Progress> go();

 private:
  enum class Outcome { kCopied, kPresent, kUnfiled, kDamaged, kVanished };

  // Walks one page, `parallel` rows at a time; the first error stops it (the copies in flight
  // end first).
  Status walk(const std::vector<BlobAudit>& page);
  Result<Outcome> migrate(const Blob& blob, std::vector<std::byte>& buffer);
  // The verified copy into place, under the content lock.
  Result<Outcome> place(const Blob& blob, BlobWriter& copy);
  Outcome damaged(const Blob& blob, const std::optional<ContentHash>& actual, std::uint64_t read);
  void record(const Blob& blob, Outcome outcome);
  // Calls on_progress if the interval has passed (or `force`). Requires mu_.
  void report(bool force);

  MigrateStorage& m_;
  const Options& o_;
  const StorageClass cls_;
  const std::chrono::steady_clock::time_point start_;

  std::mutex mu_;
  Progress progress_;                                  // guarded by mu_
  std::chrono::steady_clock::time_point last_report_;  // guarded by mu_
};

Result<MigrateStorage::Progress> MigrateStorage::Run::go() {
  if (o_.page_size == 0 || o_.parallel == 0 || o_.cursor.empty()) {
    return invalid_argument("migrate-storage needs a cursor name, a page size and parallel >= 1");
  }
  if (o_.restart) {
    if (auto s = m_.metadata_.transact(
            [&](MetadataTransaction& tx) { return tx.cursors().set(o_.cursor, std::nullopt); });
        !s) {
      return std::move(s).error();
    }
  }
  auto saved =
      read_only(m_.metadata_, [&](MetadataTransaction& tx) { return tx.cursors().get(o_.cursor); });
  if (!saved) {
    return std::move(saved).error();
  }
  std::optional<ContentHash> after;
  if (*saved) {
    auto h = ContentHash::parse(**saved);
    if (!h) {
      return Error{ErrorCode::kFailedPrecondition,
                   "cursor " + o_.cursor + " holds '" + **saved +
                       "', not a content hash; start over with --restart"};
    }
    after = std::move(*h);
  }
  if (o_.count) {
    if (auto t = o_.count(cls_, after)) {
      std::lock_guard lock(mu_);
      progress_.total = *t;
    }
  }
  for (;;) {
    auto page = read_only(m_.metadata_, [&](MetadataTransaction& tx) {
      return tx.blobs().audit(cls_, after, o_.page_size);
    });
    if (!page) {
      return std::move(page).error();
    }
    if (page->empty()) {
      break;
    }
    if (auto s = walk(*page); !s) {
      return std::move(s).error();
    }
    after = page->back().blob.hash();
    if (auto s = m_.metadata_.transact(
            [&](MetadataTransaction& tx) { return tx.cursors().set(o_.cursor, after->hex()); });
        !s) {
      return std::move(s).error();
    }
    if (page->size() < o_.page_size) {
      break;
    }
  }
  // The end: the next run walks every row again, for the content written meanwhile.
  if (auto s = m_.metadata_.transact(
          [&](MetadataTransaction& tx) { return tx.cursors().set(o_.cursor, std::nullopt); });
      !s) {
    return std::move(s).error();
  }
  std::lock_guard lock(mu_);
  progress_.finished = true;
  report(/*force=*/true);
  return progress_;
}

Status MigrateStorage::Run::walk(const std::vector<BlobAudit>& page) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex error_mu;
  std::optional<Error> first_error;  // guarded by error_mu
  auto work = [&] {
    std::vector<std::byte> buffer(kCopyChunk);
    while (!stop.load()) {
      const std::size_t i = next.fetch_add(1);
      if (i >= page.size()) {
        return;
      }
      auto outcome = migrate(page[i].blob, buffer);
      if (!outcome) {
        std::lock_guard lock(error_mu);
        if (!first_error) {
          first_error = std::move(outcome).error();
        }
        stop.store(true);
        return;
      }
      record(page[i].blob, *outcome);
    }
  };
  const std::size_t threads = std::min(o_.parallel, page.size());
  if (threads <= 1) {
    work();
  } else {
    std::vector<std::jthread> pool;
    pool.reserve(threads);
    for (std::size_t t = 0; t < threads; ++t) {
      pool.emplace_back(work);
    }
  }  // the jthreads join here
  if (first_error) {
    return std::move(*first_error);
  }
  return {};
}

Result<MigrateStorage::Run::Outcome> MigrateStorage::Run::migrate(const Blob& blob,
                                                                  std::vector<std::byte>& buffer) {
  const ContentHash& hash = blob.hash();
  const std::uint64_t size = blob.size_bytes();
  auto source_size = m_.source_.size_of(cls_, hash);
  if (!source_size) {
    return std::move(source_size).error();
  }
  if (!*source_size) {
    return Outcome::kUnfiled;
  }
  if (**source_size != size) {
    return damaged(blob, std::nullopt, **source_size);
  }
  auto target_size = m_.target_.size_of(cls_, hash);
  if (!target_size) {
    return std::move(target_size).error();
  }
  if (*target_size && **target_size == size) {
    return Outcome::kPresent;
  }
  auto reader = m_.source_.open(cls_, hash);
  if (!reader) {
    if (reader.error().code != ErrorCode::kNotFound) {
      return std::move(reader).error();
    }
    // Gone since size_of: the collector deleted it, with its row (or the row lost its file).
    auto row = read_only(m_.metadata_,
                         [&](MetadataTransaction& tx) { return tx.blobs().find(cls_, hash); });
    if (!row) {
      return std::move(row).error();
    }
    return *row ? Outcome::kUnfiled : Outcome::kVanished;
  }
  // A fresh name per copy: the ids of objects and of copies never meet.
  auto writer = m_.target_.create_temp(cls_, m_.ids_.next());
  if (!writer) {
    return std::move(writer).error();
  }
  std::uint64_t offset = 0;
  for (;;) {
    auto n = (*reader)->read_at(offset, buffer);
    if (!n) {
      return std::move(n).error();
    }
    if (*n == 0) {
      break;
    }
    offset += *n;
    if (offset > size) {
      return damaged(blob, std::nullopt, offset);  // the writer's temporary goes with it
    }
    if (auto s = (*writer)->write(std::span<const std::byte>(buffer.data(), *n)); !s) {
      return std::move(s).error();
    }
  }
  if (offset != size) {
    return damaged(blob, std::nullopt, offset);
  }
  auto actual = (*writer)->finish();
  if (!actual) {
    return std::move(actual).error();
  }
  if (*actual != hash) {
    return damaged(blob, *actual, offset);
  }
  return place(blob, **writer);
}

Result<MigrateStorage::Run::Outcome> MigrateStorage::Run::place(const Blob& blob,
                                                                BlobWriter& copy) {
  const ContentHash& hash = blob.hash();
  std::optional<Outcome> outcome;
  bool placed = false;  // by an earlier attempt of a retried transaction
  auto s = m_.metadata_.transact([&](MetadataTransaction& tx) -> Status {
    outcome.reset();
    // Held until the end: the collector cannot delete the row (nor content at this address)
    // meanwhile.
    if (auto t = tx.lock_content(cls_, hash); !t) {
      return t;
    }
    auto row = tx.blobs().find(cls_, hash);
    if (!row) {
      return std::move(row).error();
    }
    if (!*row) {
      outcome = Outcome::kVanished;
      return {};
    }
    auto present = m_.target_.size_of(cls_, hash);
    if (!present) {
      return std::move(present).error();
    }
    if (*present) {
      if (**present == blob.size_bytes()) {
        outcome = placed ? Outcome::kCopied : Outcome::kPresent;
        return {};
      }
      // A file of the wrong size (a torn copy by hand, a damaged bucket): ours replaces it.
      if (auto t = m_.target_.remove(cls_, hash); !t) {
        return t;
      }
    }
    if (auto t = m_.target_.place(copy, cls_, hash); !t) {
      return t;
    }
    placed = true;
    outcome = Outcome::kCopied;
    return {};
  });
  if (!s) {
    return std::move(s).error();
  }
  return *outcome;
}

MigrateStorage::Run::Outcome MigrateStorage::Run::damaged(const Blob& blob,
                                                          const std::optional<ContentHash>& actual,
                                                          std::uint64_t read) {
  if (o_.on_damage) {
    std::lock_guard lock(mu_);
    o_.on_damage(blob, actual, read);
  }
  return Outcome::kDamaged;
}

void MigrateStorage::Run::record(const Blob& blob, Outcome outcome) {
  std::lock_guard lock(mu_);
  ++progress_.blobs_done;
  progress_.bytes_done += blob.size_bytes();
  switch (outcome) {
    case Outcome::kCopied:
      ++progress_.copied;
      progress_.copied_bytes += blob.size_bytes();
      break;
    case Outcome::kPresent:
      ++progress_.present;
      break;
    case Outcome::kUnfiled:
      ++progress_.unfiled;
      break;
    case Outcome::kDamaged:
      ++progress_.damaged;
      break;
    case Outcome::kVanished:
      ++progress_.vanished;
      break;
  }
  report(/*force=*/false);
}

void MigrateStorage::Run::report(bool force) {
  const auto now = o_.now();
  progress_.elapsed = now - start_;
  if (!o_.on_progress || (!force && now - last_report_ < o_.progress_interval)) {
    return;
  }
  last_report_ = now;
  o_.on_progress(progress_);
}

Result<MigrateStorage::Progress> MigrateStorage::run(const Options& options) {
  Run run(*this, options);
  return run.go();
}

}  // namespace castor
