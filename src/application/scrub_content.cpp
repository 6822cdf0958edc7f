#include "application/scrub_content.h"
#include "application/content_reader.h"

#include <optional>

namespace castor {

namespace {
// Why a content read as it did; empty when it is intact.
std::string damage_of(const Result<ContentHash>& read, const ContentHash& expected) {
  if (read) {
    return *read == expected ? std::string() : "content does not match its hash";
  }
  if (read.error().code == ErrorCode::kNotFound) {
    return "content file is missing";
  }
  return "content file cannot be read: " + read.error().message;
}
}  // namespace

Result<ScrubContent::Report> ScrubContent::run_pass(Timestamp since, const Hooks& hooks) {
  Report report;
  for (;;) {
    std::vector<Blob> due;
    auto s = metadata_.transact(
        [&](MetadataTransaction& tx) -> Status {
          auto d = tx.blobs().unverified_since(since, kBatchSize);
          if (!d) {
            return std::move(d).error();
          }
          due = std::move(*d);
          return {};
        },
        MetadataStore::Mode::kReadOnly);
    if (!s) {
      return std::move(s).error();
    }
    if (due.empty()) {
      report.complete = true;
      return report;
    }
    for (const Blob& blob : due) {
      auto going = check(blob, hooks, report);
      if (!going) {
        return std::move(going).error();
      }
      if (!*going) {
        return report;
      }
    }
  }
}

Result<ContentHash> ScrubContent::hash_stored(StorageClass storage_class, const ContentHash& hash,
                                              const std::function<bool(std::uint64_t)>& pace,
                                              MetadataTransaction* tx) {
  auto read = blobs_.hash_content(storage_class, hash, pace);
  if (read || read.error().code != ErrorCode::kNotFound || sha256_ == nullptr) {
    return read;
  }
  auto row = tx != nullptr ? tx->blobs().inline_content(storage_class, hash)
                           : read_only(metadata_, [&](MetadataTransaction& t) {
                               return t.blobs().inline_content(storage_class, hash);
                             });
  if (!row) {
    return std::move(row).error();
  }
  if (!*row) {
    return read;
  }
  if (pace && !pace((*row)->size())) {
    return Error{ErrorCode::kAborted, "scrub stopped"};
  }
  return hash_bytes(*sha256_, **row);
}

Result<bool> ScrubContent::check(const Blob& blob, const Hooks& hooks, Report& report) {
  auto read = hash_stored(blob.storage_class(), blob.hash(), hooks.pace, nullptr);
  if (!read && read.error().code == ErrorCode::kAborted) {
    return false;
  }
  if (damage_of(read, blob.hash()).empty()) {
    auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
      auto r = tx.blobs().record_verification(blob.storage_class(), blob.hash(), clock_.now(),
                                              /*intact=*/true);
      return r ? Status() : Status(std::move(r).error());
    });
    if (!s) {
      return std::move(s).error();
    }
    ++report.verified_blobs;
    report.verified_bytes += blob.size_bytes();
    if (hooks.on_verified) {
      hooks.on_verified(blob.size_bytes());
    }
    return true;
  }
  if (auto s = confirm(blob, hooks, report); !s) {
    return std::move(s).error();
  }
  return true;
}

Status ScrubContent::confirm(const Blob& blob, const Hooks& hooks, Report& report) {
  const StorageClass storage_class = blob.storage_class();
  const ContentHash& hash = blob.hash();
  std::optional<Damage> damage;
  bool intact = false;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    damage.reset();
    intact = false;
    // Under the content lock nobody places or deletes this content file; the row, locked, says
    // whether it is still referenced.
    if (auto t = tx.lock_content(storage_class, hash); !t) {
      return t;
    }
    auto row = tx.blobs().lock(storage_class, hash);
    if (!row) {
      return std::move(row).error();
    }
    if (!*row || (*row)->ref_count() == 0) {
      return {};  // collected, or about to be: not the scrubber's business
    }
    // Re-read under the lock (only on this rare path, so uploads are not held up otherwise): the
    // file may have been replaced by a good copy since the first read.
    auto reread = hash_stored(storage_class, hash, {}, &tx);
    const std::string reason = damage_of(reread, hash);
    auto recorded =
        tx.blobs().record_verification(storage_class, hash, clock_.now(), reason.empty());
    if (!recorded) {
      return std::move(recorded).error();
    }
    if (reason.empty()) {
      intact = true;
      return {};
    }
    auto users = tx.objects().using_content(storage_class, hash, kObjectsListed);
    if (!users) {
      return std::move(users).error();
    }
    if (reread) {
      // Wrong bytes: out of the content addresses, so that they are never served.
      if (auto t = blobs_.quarantine(storage_class, hash); !t) {
        return t;
      }
    }
    damage = Damage{storage_class, hash, reason, std::move(*users), !*recorded};
    return {};
  });
  if (!s) {
    return s;
  }
  if (intact) {
    ++report.verified_blobs;
    report.verified_bytes += blob.size_bytes();
    if (hooks.on_verified) {
      hooks.on_verified(blob.size_bytes());
    }
  }
  if (damage) {
    ++report.damaged_blobs;
    report.newly_damaged += damage->newly_found ? 1 : 0;
    if (hooks.on_damage) {
      hooks.on_damage(*damage);
    }
  }
  return {};
}

}  // namespace castor
