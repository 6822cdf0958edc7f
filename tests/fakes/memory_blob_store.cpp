#include "fakes/memory_blob_store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace castor::testing {
namespace {

class MemoryBlobReader final : public BlobReader {
 public:
  explicit MemoryBlobReader(std::shared_ptr<const std::string> bytes) : bytes_(std::move(bytes)) {}

  std::uint64_t size() const override { return bytes_->size(); }

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    if (offset >= bytes_->size()) {
      return std::size_t{0};
    }
    const std::size_t n = std::min(out.size(), bytes_->size() - static_cast<std::size_t>(offset));
    std::memcpy(out.data(), bytes_->data() + offset, n);
    return n;
  }

 private:
  std::shared_ptr<const std::string> bytes_;  // like an open file: survives its unlinking
};

}  // namespace

ContentHash sha256_of(std::string_view data) {
  ContentHash::Bytes digest{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return ContentHash::from_bytes(digest);
}

// Writes one temporary file, hashing as it goes.
class MemoryBlobWriter final : public BlobWriter {
 public:
  MemoryBlobWriter(MemoryBlobStore& store, ObjectId object,
                   std::shared_ptr<MemoryBlobStore::TempFile> file)
      : store_(store), object_(object), file_(std::move(file)), sha_(EVP_MD_CTX_new()) {
    if (sha_ == nullptr || EVP_DigestInit_ex(sha_, EVP_sha256(), nullptr) != 1) {
      throw std::runtime_error("SHA-256 init failed");
    }
  }
  ~MemoryBlobWriter() override {
    EVP_MD_CTX_free(sha_);
    if (!placed_) {
      store_.drop_temp(object_, file_);
    }
  }
  MemoryBlobWriter(const MemoryBlobWriter&) = delete;
  MemoryBlobWriter& operator=(const MemoryBlobWriter&) = delete;

  Status write(std::span<const std::byte> data) override {
    std::size_t written = 0;
    Status s = store_.append(*file_, data, written);
    EVP_DigestUpdate(sha_, data.data(), written);
    size_ += written;
    return s;
  }

  std::uint64_t size() const override { return size_; }

  Result<ContentHash> finish() override {
    {
      std::lock_guard lock(store_.mu_);
      if (auto e = store_.take_fault(MemoryBlobStore::Op::kFinish)) {
        return *e;
      }
    }
    if (!hash_) {
      ContentHash::Bytes digest{};
      unsigned int len = 0;
      EVP_DigestFinal_ex(sha_, digest.data(), &len);
      hash_ = ContentHash::from_bytes(digest);
    }
    return *hash_;
  }

  const ObjectId& object() const { return object_; }
  const std::shared_ptr<MemoryBlobStore::TempFile>& file() const { return file_; }
  const std::optional<ContentHash>& hash() const { return hash_; }
  void mark_placed() { placed_ = true; }

 private:
  MemoryBlobStore& store_;
  ObjectId object_;
  std::shared_ptr<MemoryBlobStore::TempFile> file_;  // bytes_ guarded by store_.mu_
  EVP_MD_CTX* sha_;                                  // owned
  std::uint64_t size_ = 0;
  std::optional<ContentHash> hash_;  // set by finish()
  bool placed_ = false;
};

std::optional<Error> MemoryBlobStore::take_fault(Op op) {
  auto it = faults_.find(op);
  if (it == faults_.end()) {
    return std::nullopt;
  }
  Error e = std::move(it->second);
  faults_.erase(it);
  return e;
}

Status MemoryBlobStore::append(TempFile& file, std::span<const std::byte> data,
                               std::size_t& written) {
  std::lock_guard lock(mu_);
  written = data.size();
  if (free_bytes_) {
    written = static_cast<std::size_t>(std::min<std::uint64_t>(written, *free_bytes_));
    *free_bytes_ -= written;
  }
  file.bytes.append(reinterpret_cast<const char*>(data.data()), written);
  file.modified = clock_.now();
  if (written < data.size()) {
    return Error{ErrorCode::kResourceExhausted, "insufficient storage"};
  }
  return {};
}

void MemoryBlobStore::drop_temp(const ObjectId& object, const std::shared_ptr<TempFile>& file) {
  std::lock_guard lock(mu_);
  if (auto it = temps_.find(object); it != temps_.end() && it->second == file) {
    temps_.erase(it);
  }
}

Result<std::unique_ptr<BlobWriter>> MemoryBlobStore::create_temp(StorageClass storage_class,
                                                                 const ObjectId& object) {
  std::lock_guard lock(mu_);
  if (auto e = take_fault(Op::kCreateTemp)) {
    return *e;
  }
  if (temps_.contains(object)) {
    return internal_error("temporary file exists (O_EXCL)");
  }
  auto file = std::make_shared<TempFile>(TempFile{storage_class, {}, clock_.now()});
  temps_.emplace(object, file);
  return std::unique_ptr<BlobWriter>(new MemoryBlobWriter(*this, object, std::move(file)));
}

Status MemoryBlobStore::place(BlobWriter& writer, StorageClass storage_class,
                              const ContentHash& hash) {
  auto& temp = dynamic_cast<MemoryBlobWriter&>(writer);
  std::lock_guard lock(mu_);
  ++place_calls_;
  if (auto e = take_fault(Op::kPlace)) {
    return *e;
  }
  if (temp.hash() != hash) {
    return internal_error("place() of content that hashes otherwise (fake blob store)");
  }
  auto it = temps_.find(temp.object());
  const bool temp_present = it != temps_.end() && it->second == temp.file();
  // A stored copy of the right size is trusted (dedup); one of the wrong size is damaged and gets
  // replaced by the upload's copy, as FsBlobStore does.
  if (auto c = contents_.find({storage_class, hash});
      c != contents_.end() && (!temp_present || c->second->size() == it->second->bytes.size())) {
    if (temp_present) {
      temps_.erase(it);  // the content is stored already: discard the copy
    }
    temp.mark_placed();
    return {};
  }
  if (!temp_present) {
    return internal_error("rename: temporary file is gone");
  }
  contents_[{storage_class, hash}] = std::make_shared<const std::string>(it->second->bytes);
  temps_.erase(it);
  temp.mark_placed();
  return {};
}

Result<std::unique_ptr<BlobReader>> MemoryBlobStore::open(StorageClass storage_class,
                                                          const ContentHash& hash) {
  std::lock_guard lock(mu_);
  if (auto e = take_fault(Op::kOpen)) {
    return *e;
  }
  auto it = contents_.find({storage_class, hash});
  if (it == contents_.end()) {
    return not_found("content file missing");
  }
  return std::unique_ptr<BlobReader>(new MemoryBlobReader(it->second));
}

Result<bool> MemoryBlobStore::exists(StorageClass storage_class, const ContentHash& hash) {
  std::lock_guard lock(mu_);
  if (auto e = take_fault(Op::kExists)) {
    return *e;
  }
  return contents_.contains({storage_class, hash});
}

Status MemoryBlobStore::remove(StorageClass storage_class, const ContentHash& hash) {
  std::lock_guard lock(mu_);
  if (auto e = take_fault(Op::kRemove)) {
    return *e;
  }
  if (auto it = remove_faults_.find({storage_class, hash}); it != remove_faults_.end()) {
    return it->second;
  }
  contents_.erase({storage_class, hash});
  return {};
}

Status MemoryBlobStore::remove_temp(StorageClass storage_class, const ObjectId& object) {
  std::lock_guard lock(mu_);
  if (auto e = take_fault(Op::kRemoveTemp)) {
    return *e;
  }
  if (auto it = remove_temp_faults_.find(object); it != remove_temp_faults_.end()) {
    return it->second;
  }
  if (auto it = temps_.find(object);
      it != temps_.end() && it->second->storage_class == storage_class) {
    temps_.erase(it);
  }
  return {};
}

Result<std::optional<Timestamp>> MemoryBlobStore::temp_modified_at(StorageClass storage_class,
                                                                   const ObjectId& object) {
  std::lock_guard lock(mu_);
  if (auto it = temps_.find(object);
      it != temps_.end() && it->second->storage_class == storage_class) {
    return std::optional<Timestamp>(it->second->modified);
  }
  return std::optional<Timestamp>();
}

Result<std::size_t> MemoryBlobStore::remove_temps_older_than(Timestamp before) {
  std::lock_guard lock(mu_);
  return std::erase_if(temps_, [&](const auto& entry) { return entry.second->modified < before; });
}

Status MemoryBlobStore::scan(StorageClass storage_class,
                             const std::function<Status(const std::vector<ContentHash>&)>& visit) {
  std::vector<ContentHash> hashes;
  {
    std::lock_guard lock(mu_);
    if (auto e = take_fault(Op::kScan)) {
      return *e;
    }
    for (const auto& [key, bytes] : contents_) {
      if (key.first == storage_class) {
        hashes.push_back(key.second);
      }
    }
  }
  // One batch per top-level shard directory (first two hex digits), in order, as FsBlobStore.
  for (auto first = hashes.begin(); first != hashes.end();) {
    auto last = std::find_if(first, hashes.end(), [&](const ContentHash& h) {
      return h.hex().substr(0, 2) != first->hex().substr(0, 2);
    });
    if (auto s = visit(std::vector<ContentHash>(first, last)); !s) {
      return s;
    }
    first = last;
  }
  return {};
}

Result<ContentPage> MemoryBlobStore::scan_page(StorageClass storage_class,
                                               const std::optional<ContentHash>& after,
                                               std::size_t limit) {
  std::lock_guard lock(mu_);
  if (auto e = take_fault(Op::kScan)) {
    return *e;
  }
  ContentPage page;
  auto it = after ? contents_.upper_bound({storage_class, *after})
                  : contents_.lower_bound({storage_class, ContentHash::from_bytes({})});
  for (; it != contents_.end() && it->first.first == storage_class; ++it) {
    if (page.hashes.size() == limit) {
      return page;
    }
    page.hashes.push_back(it->first.second);
  }
  page.end = true;
  return page;
}

Result<std::optional<std::uint64_t>> MemoryBlobStore::size_of(StorageClass storage_class,
                                                              const ContentHash& hash) {
  std::lock_guard lock(mu_);
  if (auto e = take_fault(Op::kSizeOf)) {
    return *e;
  }
  auto it = contents_.find({storage_class, hash});
  if (it == contents_.end()) {
    return std::optional<std::uint64_t>();
  }
  return std::optional<std::uint64_t>(it->second->size());
}

Result<ContentHash> MemoryBlobStore::hash_segments(StorageClass storage_class,
                                                   std::span<const Segment> segments,
                                                   const std::function<bool(std::uint64_t)>& pace) {
  std::string whole;
  {
    std::lock_guard lock(mu_);
    for (const Segment& segment : segments) {
      auto it = contents_.find({storage_class, segment.hash});
      if (it == contents_.end()) {
        return not_found("content file of segment " + segment.hash.hex() + " missing");
      }
      if (it->second->size() != segment.size_bytes) {
        return Error{ErrorCode::kDataLoss, "segment " + segment.hash.hex() + " is not its size"};
      }
      whole += *it->second;
    }
  }
  if (pace && !pace(whole.size())) {
    return Error{ErrorCode::kAborted, "stopped"};
  }
  return sha256_of(whole);
}

Result<ContentHash> MemoryBlobStore::hash_content(StorageClass storage_class,
                                                  const ContentHash& hash,
                                                  const std::function<bool(std::uint64_t)>& pace) {
  std::shared_ptr<const std::string> bytes;
  std::function<void()> hook;
  {
    std::lock_guard lock(mu_);
    if (auto e = take_fault(Op::kHashContent)) {
      return *e;
    }
    auto it = contents_.find({storage_class, hash});
    if (it == contents_.end()) {
      return not_found("content file missing");
    }
    bytes = it->second;
    hook = std::exchange(hash_hook_, nullptr);
  }
  if (pace && !pace(bytes->size())) {
    return Error{ErrorCode::kAborted, "stopped"};
  }
  if (hook) {
    hook();
  }
  return sha256_of(*bytes);
}

Status MemoryBlobStore::quarantine(StorageClass storage_class, const ContentHash& hash) {
  std::lock_guard lock(mu_);
  if (auto e = take_fault(Op::kQuarantine)) {
    return *e;
  }
  if (auto it = contents_.find({storage_class, hash}); it != contents_.end()) {
    quarantined_.push_back(it->second);
    contents_.erase(it);
  }
  return {};
}

void MemoryBlobStore::fail_remove_of(StorageClass storage_class, const ContentHash& hash,
                                     Error error) {
  std::lock_guard lock(mu_);
  remove_faults_.insert_or_assign({storage_class, hash}, std::move(error));
}

void MemoryBlobStore::fail_remove_temp_of(const ObjectId& object, Error error) {
  std::lock_guard lock(mu_);
  remove_temp_faults_.insert_or_assign(object, std::move(error));
}

void MemoryBlobStore::on_next_hash(std::function<void()> hook) {
  std::lock_guard lock(mu_);
  hash_hook_ = std::move(hook);
}

void MemoryBlobStore::overwrite_content(StorageClass storage_class, const ContentHash& hash,
                                        std::string_view bytes) {
  std::lock_guard lock(mu_);
  contents_[{storage_class, hash}] = std::make_shared<const std::string>(bytes);
}

std::size_t MemoryBlobStore::quarantined_count() const {
  std::lock_guard lock(mu_);
  return quarantined_.size();
}

void MemoryBlobStore::fail_next(Op op, Error error) {
  std::lock_guard lock(mu_);
  faults_.insert_or_assign(op, std::move(error));
}

void MemoryBlobStore::fail_writes_after(std::optional<std::uint64_t> bytes) {
  std::lock_guard lock(mu_);
  free_bytes_ = bytes;
}

bool MemoryBlobStore::has_content(StorageClass storage_class, const ContentHash& hash) const {
  std::lock_guard lock(mu_);
  return contents_.contains({storage_class, hash});
}

std::optional<std::string> MemoryBlobStore::content(StorageClass storage_class,
                                                    const ContentHash& hash) const {
  std::lock_guard lock(mu_);
  auto it = contents_.find({storage_class, hash});
  return it == contents_.end() ? std::nullopt : std::optional<std::string>(*it->second);
}

std::size_t MemoryBlobStore::content_count() const {
  std::lock_guard lock(mu_);
  return contents_.size();
}

bool MemoryBlobStore::has_temp(const ObjectId& object) const {
  std::lock_guard lock(mu_);
  return temps_.contains(object);
}

std::size_t MemoryBlobStore::temp_count() const {
  std::lock_guard lock(mu_);
  return temps_.size();
}

std::size_t MemoryBlobStore::place_calls() const {
  std::lock_guard lock(mu_);
  return place_calls_;
}

ContentHash MemoryBlobStore::put_content(StorageClass storage_class, std::string_view bytes) {
  ContentHash hash = sha256_of(bytes);
  std::lock_guard lock(mu_);
  contents_[{storage_class, hash}] = std::make_shared<const std::string>(bytes);
  return hash;
}

void MemoryBlobStore::put_temp(StorageClass storage_class, const ObjectId& object,
                               std::string_view bytes) {
  std::lock_guard lock(mu_);
  temps_[object] =
      std::make_shared<TempFile>(TempFile{storage_class, std::string(bytes), clock_.now()});
}

}  // namespace castor::testing
