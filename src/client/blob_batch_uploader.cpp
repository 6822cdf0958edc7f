#include "client/blob_batch_uploader.h"

#include <utility>

#include "client/blob_uploader.h"
#include "client/part_layout.h"
#include "client/session_uploader.h"

namespace castor::client {

bool BlobBatchUploader::has_large(const std::vector<BlobUpload>& uploads) const {
  for (const BlobUpload& upload : uploads) {
    if (needs_session(files_[upload.file].size, part_size_)) {
      return true;
    }
  }
  return false;
}

Status BlobBatchUploader::upload_large(ClientPool& clients,
                                       const std::vector<BlobUpload>& uploads) {
  std::vector<SessionUpload> items;
  for (const BlobUpload& upload : uploads) {
    if (needs_session(files_[upload.file].size, part_size_)) {
      items.push_back({.file = files_[upload.file], .sha256 = upload.hash, .key = std::nullopt});
    }
  }
  if (items.empty()) {
    return {};
  }
  auto totals = SessionUploader(context_, part_size_, jobs_).upload(clients, items, progress_);
  if (!totals) {
    return std::move(totals).error();
  }
  sessions_ += *totals;
  return {};
}

void BlobBatchUploader::submit_small(WorkerPool& pool, ClientPool& clients,
                                     const std::vector<BlobUpload>& uploads) {
  for (const BlobUpload& upload : uploads) {
    const ScannedFile& file = files_[upload.file];
    if (needs_session(file.size, part_size_)) {
      continue;
    }
    pool.submit([this, &clients, &file, hash = upload.hash](int worker) -> Status {
      auto put = BlobUploader(context_).upload(
          clients.at(worker), file, hash, [&](std::int64_t delta) { progress_.add_bytes(delta); });
      if (!put) {
        return std::move(put).error();
      }
      stored_.fetch_add(put->stored ? 1 : 0);
      sent_.fetch_add(put->bytes_sent);
      progress_.add_file();
      return {};
    });
  }
}

void BlobBatchUploader::add_to(PushSummary& summary) const {
  summary.add(sessions_, true);
  summary.blobs_uploaded += stored_.load();
  summary.bytes_uploaded += sent_.load();
}

}  // namespace castor::client
