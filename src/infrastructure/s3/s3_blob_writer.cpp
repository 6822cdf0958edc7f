#include "infrastructure/s3/s3_blob_writer.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "application/io_thread.h"
#include "infrastructure/s3/s3_blob_store.h"

namespace castor {
namespace {

constexpr int kMaxParts = 10000;                  // S3's limit on a multipart upload's parts
constexpr std::size_t kFirstReserve = 64 * 1024;  // the first allocation of a writer's buffer

}  // namespace

// One part on the transfer pool: its bytes, and the ETag UploadPart returns.
struct S3BlobWriter::Part {
  int number = 0;
  std::vector<std::byte> body;
  std::promise<Result<std::string>> etag;
  std::shared_future<Result<std::string>> landed = etag.get_future().share();
};

S3BlobWriter::S3BlobWriter(S3BlobStore& store, std::string object, std::unique_ptr<Checksummer> sha)
    : store_(store),
      object_(std::move(object)),
      temp_key_(store.keys().temp_prefix() + object_),
      part_size_(static_cast<std::size_t>(store.settings().part_size)),
      sha_(std::move(sha)) {
  store_.writer_started(object_);
}

S3BlobWriter::~S3BlobWriter() {
  if (!placed_ && (upload_id_ || completed_)) {
    if (on_io_thread()) {
      // Never block an IO thread on the network: the pool waits for the part and cleans up.
      store_.pool().submit([&client = store_.client(), key = temp_key_, upload_id = upload_id_,
                            completed = completed_, part = in_flight_] {
        clean_up(client, key, upload_id, completed, part);
      });
    } else {
      clean_up(store_.client(), temp_key_, upload_id_, completed_, in_flight_);
    }
  } else if (in_flight_) {
    in_flight_->landed.wait();
  }
  store_.writer_ended(object_);
  store_.account(-static_cast<std::int64_t>(accounted_));
}

void S3BlobWriter::clean_up(S3Client& client, const std::string& key,
                            const std::optional<std::string>& upload_id, bool completed,
                            const std::shared_ptr<Part>& in_flight) {
  if (in_flight) {
    // An abort while a part is still arriving may leave that part behind (AbortMultipartUpload).
    in_flight->landed.wait();
  }
  if (completed) {
    if (auto s = client.remove(key); !s) {
      spdlog::warn("storage: cannot delete the temporary object {}: {}", key, s.error().message);
    }
  } else if (upload_id) {
    if (auto s = client.abort_multipart(key, *upload_id); !s) {
      spdlog::warn("storage: cannot abort the multipart upload of {}: {}", key, s.error().message);
    }
  }
}

Status S3BlobWriter::write(std::span<const std::byte> data) {
  if (failed_) {
    return *failed_;
  }
  if (hash_) {
    return internal_error("write after finish");
  }
  sha_->update(data.data(), data.size());
  while (!data.empty()) {
    if (filling_.size() == part_size_) {
      // More than a part: the full one goes out (the last part always has at least one byte).
      if (auto s = send_part(); !s) {
        return s;
      }
    }
    const std::size_t n = std::min(data.size(), part_size_ - filling_.size());
    reserve(filling_.size() + n);
    filling_.insert(filling_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    data = data.subspan(n);
    size_ += n;
  }
  account();
  store_.writer_wrote(object_);
  return {};
}

Result<ContentHash> S3BlobWriter::finish() {
  if (failed_) {
    return *failed_;
  }
  if (hash_) {
    return *hash_;
  }
  const std::vector<std::uint8_t> digest = sha_->digest();
  ContentHash::Bytes bytes{};
  if (digest.size() != bytes.size()) {
    return internal_error("SHA-256 digest of the wrong size");
  }
  std::copy(digest.begin(), digest.end(), bytes.begin());
  if (upload_id_) {
    if (auto s = wait_in_flight(); !s) {
      return fail(std::move(s).error());
    }
    const int number = static_cast<int>(parts_.size()) + 1;
    auto etag = store_.client().upload_part(temp_key_, *upload_id_, number, filling_);
    if (!etag) {
      return fail(std::move(etag).error());
    }
    parts_.push_back(S3UploadedPart{.number = number, .etag = std::move(*etag)});
    if (auto s = store_.client().complete_multipart(temp_key_, *upload_id_, parts_); !s) {
      return fail(std::move(s).error());
    }
    completed_ = true;
    upload_id_.reset();
    // The content is in the bucket now: the buffers go.
    std::vector<std::byte>().swap(filling_);
    std::vector<std::byte>().swap(spare_);
    account();
  }
  hash_ = ContentHash::from_bytes(bytes);
  return *hash_;
}

void S3BlobWriter::drop_temp() {
  if (completed_) {
    if (auto s = store_.client().remove(temp_key_); !s) {
      spdlog::warn("storage: cannot delete the temporary object {} (the collector will): {}",
                   temp_key_, s.error().message);
    }
  }
  placed_ = true;
}

Status S3BlobWriter::send_part() {
  if (auto s = wait_in_flight(); !s) {
    return fail(std::move(s).error());
  }
  if (!upload_id_) {
    auto id = store_.client().create_multipart(temp_key_);
    if (!id) {
      return fail(std::move(id).error());
    }
    upload_id_ = std::move(*id);
  }
  // +1 for this part, +1 for the last one, which finish() sends.
  if (parts_.size() + 2 > static_cast<std::size_t>(kMaxParts)) {
    return fail(Error{ErrorCode::kOutOfRange, "content larger than " + std::to_string(kMaxParts) +
                                                  " parts of " + std::to_string(part_size_) +
                                                  " bytes"});
  }
  auto part = std::make_shared<Part>();
  part->number = static_cast<int>(parts_.size()) + 1;
  part->body = std::move(filling_);
  filling_ = std::move(spare_);
  filling_.clear();
  spare_ = {};
  in_flight_ = part;
  store_.pool().submit([&client = store_.client(), key = temp_key_, upload_id = *upload_id_,
                        part = std::move(part)] {
    part->etag.set_value(client.upload_part(key, upload_id, part->number, part->body));
  });
  account();
  return {};
}

Status S3BlobWriter::wait_in_flight() {
  if (!in_flight_) {
    return {};
  }
  std::shared_ptr<Part> part = std::move(in_flight_);
  Result<std::string> etag = part->landed.get();
  spare_ = std::move(part->body);
  spare_.clear();
  if (!etag) {
    return std::move(etag).error();
  }
  parts_.push_back(S3UploadedPart{.number = part->number, .etag = std::move(*etag)});
  return {};
}

Error S3BlobWriter::fail(Error error) {
  (void)wait_in_flight();
  if (upload_id_) {
    if (auto s = store_.client().abort_multipart(temp_key_, *upload_id_); !s) {
      spdlog::warn("storage: cannot abort the multipart upload of {}: {}", temp_key_,
                   s.error().message);
    }
    upload_id_.reset();
  }
  std::vector<std::byte>().swap(filling_);
  std::vector<std::byte>().swap(spare_);
  account();
  spdlog::warn("storage: upload to {} failed: {}", temp_key_, error.message);
  failed_ = error;
  return error;
}

void S3BlobWriter::reserve(std::size_t needed) {
  if (needed <= filling_.capacity()) {
    return;
  }
  const std::size_t grown = std::max({needed, filling_.capacity() * 2, kFirstReserve});
  filling_.reserve(std::min(grown, std::max(needed, part_size_)));
}

void S3BlobWriter::account() {
  std::uint64_t held = filling_.capacity() + spare_.capacity();
  if (in_flight_) {
    held += in_flight_->body.capacity();
  }
  store_.account(static_cast<std::int64_t>(held) - static_cast<std::int64_t>(accounted_));
  accounted_ = held;
}

}  // namespace castor
