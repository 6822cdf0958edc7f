#include "application/content_reader.h"

#include <algorithm>
#include <string>

namespace castor {

namespace {

class SegmentedReader final : public BlobReader {
 public:
  SegmentedReader(BlobStore& blobs, StorageClass storage_class, std::vector<Segment> segments)
      : blobs_(blobs), storage_class_(storage_class), segments_(std::move(segments)) {}

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
      auto reader = blobs_.open(storage_class_, segments_[i].hash);
      if (!reader) {
        return std::move(reader).error();
      }
      current_ = std::move(*reader);
      current_index_ = i;
    }
    return current_.get();
  }

  BlobStore& blobs_;
  StorageClass storage_class_;
  std::vector<Segment> segments_;
  std::unique_ptr<BlobReader> current_;
  std::size_t current_index_ = 0;
};

}  // namespace

std::unique_ptr<BlobReader> segmented_reader(BlobStore& blobs, StorageClass storage_class,
                                             std::vector<Segment> segments) {
  return std::make_unique<SegmentedReader>(blobs, storage_class, std::move(segments));
}

Result<std::unique_ptr<BlobReader>> open_content(MetadataStore& metadata, BlobStore& blobs,
                                                 StorageClass storage_class,
                                                 const ContentHash& hash) {
  auto file = blobs.open(storage_class, hash);
  if (file || file.error().code != ErrorCode::kNotFound) {
    return file;
  }
  auto segments = read_only(metadata, [&](MetadataTransaction& tx) {
    return tx.segments().segments(storage_class, hash);
  });
  if (!segments) {
    return std::move(segments).error();
  }
  if (segments->empty()) {
    return file;
  }
  return segmented_reader(blobs, storage_class, std::move(*segments));
}

Result<bool> content_present(MetadataTransaction& tx, BlobStore& blobs, StorageClass storage_class,
                             const ContentHash& hash) {
  auto file = blobs.exists(storage_class, hash);
  if (!file || *file) {
    return file;
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
