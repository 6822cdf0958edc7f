#include "application/content_reader.h"

#include <algorithm>
#include <string>

namespace castor {

namespace {

class MemoryReader final : public BlobReader {
 public:
  explicit MemoryReader(std::vector<std::byte> content) : content_(std::move(content)) {}

  std::uint64_t size() const override { return content_.size(); }

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    if (offset >= content_.size()) {
      return std::size_t{0};
    }
    const std::size_t n =
        std::min<std::size_t>(out.size(), content_.size() - static_cast<std::size_t>(offset));
    std::copy_n(content_.begin() + static_cast<std::ptrdiff_t>(offset), n, out.begin());
    return n;
  }

 private:
  std::vector<std::byte> content_;
};

class SegmentedReader final : public BlobReader {
 public:
  SegmentedReader(MetadataStore& metadata, BlobStore& blobs, StorageClass storage_class,
                  std::vector<Segment> segments)
      : metadata_(metadata),
        blobs_(blobs),
        storage_class_(storage_class),
        segments_(std::move(segments)) {}

  std::uint64_t size() const override { return segments_size(segments_); }

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    std::size_t done = 0;
    for (std::size_t i = segment_at(segments_, offset); i < segments_.size() && done < out.size();
         ++i) {
      const Segment& segment = segments_[i];
      auto reader = open(i);
      if (!reader) {
        return std::move(reader).error();
      }
      std::uint64_t within = offset + done - segment.offset_bytes;
      while (within < segment.size_bytes && done < out.size()) {
        const std::size_t want = static_cast<std::size_t>(
            std::min<std::uint64_t>(out.size() - done, segment.size_bytes - within));
        auto n = (*reader)->read_at(within, out.subspan(done, want));
        if (!n) {
          return std::move(n).error();
        }
        if (*n == 0) {
          return Error{ErrorCode::kDataLoss, "segment " + segment.hash.hex() + " ends after " +
                                                 std::to_string(within) + " of its " +
                                                 std::to_string(segment.size_bytes) + " bytes"};
        }
        within += *n;
        done += *n;
      }
    }
    return done;
  }

 private:
  // The reader of segment `i`, reusing the open one.
  Result<BlobReader*> open(std::size_t i) {
    if (!current_ || current_index_ != i) {
      current_.reset();
      auto reader = open_content(metadata_, blobs_, storage_class_, segments_[i].hash);
      if (!reader) {
        return std::move(reader).error();
      }
      current_ = std::move(*reader);
      current_index_ = i;
    }
    return current_.get();
  }

  MetadataStore& metadata_;
  BlobStore& blobs_;
  StorageClass storage_class_;
  std::vector<Segment> segments_;
  std::unique_ptr<BlobReader> current_;
  std::size_t current_index_ = 0;
};

}  // namespace

Result<ContentHash> hash_bytes(const ChecksummerFactory& sha256,
                               std::span<const std::byte> content) {
  auto summer = sha256.create(ChecksumAlgorithm::kSha256);
  if (!summer) {
    return std::move(summer).error();
  }
  (*summer)->update(content.data(), content.size());
  const std::vector<std::uint8_t> digest = (*summer)->digest();
  ContentHash::Bytes bytes{};
  if (digest.size() != bytes.size()) {
    return Error{ErrorCode::kInternal, "SHA-256 digest of unexpected size"};
  }
  std::copy(digest.begin(), digest.end(), bytes.begin());
  return ContentHash::from_bytes(bytes);
}

std::unique_ptr<BlobReader> memory_reader(std::vector<std::byte> content) {
  return std::make_unique<MemoryReader>(std::move(content));
}

std::unique_ptr<BlobReader> segmented_reader(MetadataStore& metadata, BlobStore& blobs,
                                             StorageClass storage_class,
                                             std::vector<Segment> segments) {
  return std::make_unique<SegmentedReader>(metadata, blobs, storage_class, std::move(segments));
}

Result<std::unique_ptr<BlobReader>> open_unfiled_content(MetadataTransaction& tx,
                                                         MetadataStore& metadata, BlobStore& blobs,
                                                         StorageClass storage_class,
                                                         const ContentHash& hash) {
  auto row = tx.blobs().inline_content(storage_class, hash);
  if (!row) {
    return std::move(row).error();
  }
  if (*row) {
    return memory_reader(std::move(**row));
  }
  auto segments = tx.segments().segments(storage_class, hash);
  if (!segments) {
    return std::move(segments).error();
  }
  if (segments->empty()) {
    return not_found("content " + hash.hex() + " is stored nowhere");
  }
  return segmented_reader(metadata, blobs, storage_class, std::move(*segments));
}

Result<std::unique_ptr<BlobReader>> open_content(MetadataStore& metadata, BlobStore& blobs,
                                                 StorageClass storage_class,
                                                 const ContentHash& hash) {
  auto file = blobs.open(storage_class, hash);
  if (file || file.error().code != ErrorCode::kNotFound) {
    return file;
  }
  auto unfiled = read_only(metadata, [&](MetadataTransaction& tx) {
    return open_unfiled_content(tx, metadata, blobs, storage_class, hash);
  });
  if (!unfiled && unfiled.error().code == ErrorCode::kNotFound) {
    return file;  // the file's own NotFound, as before
  }
  return unfiled;
}

Result<bool> content_present(MetadataTransaction& tx, BlobStore& blobs, StorageClass storage_class,
                             const ContentHash& hash) {
  auto file = blobs.exists(storage_class, hash);
  if (!file || *file) {
    return file;
  }
  auto row = tx.blobs().find(storage_class, hash);
  if (!row) {
    return std::move(row).error();
  }
  if (*row && (*row)->stored_inline()) {
    return true;
  }
  auto segments = tx.segments().segments(storage_class, hash);
  if (!segments) {
    return std::move(segments).error();
  }
  return !segments->empty();
}

Result<bool> content_present(MetadataStore& metadata, BlobStore& blobs, StorageClass storage_class,
                             const ContentHash& hash) {
  return read_only(metadata, [&](MetadataTransaction& tx) {
    return content_present(tx, blobs, storage_class, hash);
  });
}

}  // namespace castor
