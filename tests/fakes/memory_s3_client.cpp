#include "fakes/memory_s3_client.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

namespace castor::testing {
namespace {

std::string quoted_md5(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  out.push_back('"');
  return out;
}

std::string to_string(std::span<const std::byte> body) {
  return std::string(reinterpret_cast<const char*>(body.data()), body.size());
}

Error no_such_upload() { return not_found("NoSuchUpload"); }

}  // namespace

std::optional<Error> MemoryS3Client::begin(const S3Call& call) {
  std::function<void(const S3Call&)> hook;
  {
    std::lock_guard lock(mu_);
    ++counts_[call.op];
    hook = hook_;
  }
  if (hook) {
    hook(call);
  }
  std::lock_guard lock(mu_);
  auto it = faults_.find(call.op);
  if (it == faults_.end()) {
    return std::nullopt;
  }
  Error error = it->second.second;
  if (--it->second.first <= 0) {
    faults_.erase(it);
  }
  return error;
}

Status MemoryS3Client::check_bucket() {
  if (auto f = begin({.op = S3Op::kCheckBucket, .key = {}})) {
    return *f;
  }
  return {};
}

Result<std::optional<S3ObjectInfo>> MemoryS3Client::head(const std::string& key) {
  if (auto f = begin({.op = S3Op::kHead, .key = key})) {
    return *f;
  }
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) {
    return std::optional<S3ObjectInfo>();
  }
  return std::optional<S3ObjectInfo>(S3ObjectInfo{
      .key = key, .size = it->second.bytes.size(), .last_modified = it->second.modified});
}

Status MemoryS3Client::put(const std::string& key, std::span<const std::byte> body) {
  if (auto f = begin({.op = S3Op::kPut, .key = key, .bytes = body.size()})) {
    return *f;
  }
  std::lock_guard lock(mu_);
  objects_[key] = Stored{.bytes = to_string(body), .modified = clock_.now()};
  return {};
}

Result<std::size_t> MemoryS3Client::get(const std::string& key, std::uint64_t offset,
                                        std::span<std::byte> out) {
  if (auto f = begin({.op = S3Op::kGet, .key = key, .bytes = out.size()})) {
    return *f;
  }
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) {
    return not_found("NoSuchKey");
  }
  const std::string& bytes = it->second.bytes;
  if (offset >= bytes.size()) {
    return std::size_t{0};
  }
  const std::size_t n = std::min<std::size_t>(out.size(), bytes.size() - offset);
  std::memcpy(out.data(), bytes.data() + offset, n);
  return n;
}

Status MemoryS3Client::remove(const std::string& key) {
  if (auto f = begin({.op = S3Op::kRemove, .key = key})) {
    return *f;
  }
  std::lock_guard lock(mu_);
  objects_.erase(key);
  return {};
}

Status MemoryS3Client::copy(const std::string& from, const std::string& to, std::uint64_t size) {
  if (auto f = begin({.op = S3Op::kCopy, .key = from, .bytes = static_cast<std::size_t>(size)})) {
    return *f;
  }
  std::lock_guard lock(mu_);
  auto it = objects_.find(from);
  if (it == objects_.end()) {
    return not_found("NoSuchKey");
  }
  if (it->second.bytes.size() != size) {
    return internal_error("copy: the source holds " + std::to_string(it->second.bytes.size()) +
                          " bytes, not " + std::to_string(size));
  }
  Stored copied{.bytes = it->second.bytes, .modified = clock_.now()};
  objects_[to] = std::move(copied);
  return {};
}

Result<S3ListPage> MemoryS3Client::list(const std::string& prefix, const std::string& start_after,
                                        std::size_t max_keys) {
  if (auto f = begin({.op = S3Op::kList, .key = prefix, .bytes = max_keys})) {
    return *f;
  }
  if (max_keys < 1 || max_keys > 1000) {
    return invalid_argument("list: max-keys " + std::to_string(max_keys));
  }
  std::lock_guard lock(mu_);
  S3ListPage page;
  auto it = objects_.upper_bound(start_after);
  if (it != objects_.end() && it->first < prefix) {
    it = objects_.lower_bound(prefix);
  }
  for (; it != objects_.end() && it->first.starts_with(prefix); ++it) {
    if (page.objects.size() == max_keys) {
      page.truncated = true;
      break;
    }
    page.objects.push_back(S3ObjectInfo{
        .key = it->first, .size = it->second.bytes.size(), .last_modified = it->second.modified});
  }
  return page;
}

Result<std::string> MemoryS3Client::create_multipart(const std::string& key) {
  if (auto f = begin({.op = S3Op::kCreateMultipart, .key = key})) {
    return *f;
  }
  std::lock_guard lock(mu_);
  std::string id = "upload-" + std::to_string(next_upload_++);
  uploads_[id] = Upload{.key = key, .initiated = clock_.now(), .parts = {}};
  return id;
}

Result<std::string> MemoryS3Client::upload_part(const std::string& key,
                                                const std::string& upload_id, int number,
                                                std::span<const std::byte> body) {
  {
    std::lock_guard lock(mu_);
    part_bytes_in_flight_ += body.size();
    max_in_flight_ = std::max(max_in_flight_, part_bytes_in_flight_);
    std::size_t& mine = upload_in_flight_[upload_id];
    mine += body.size();
    max_in_flight_per_upload_ = std::max(max_in_flight_per_upload_, mine);
  }
  auto landed = [&]() -> Result<std::string> {
    if (auto f = begin(
            {.op = S3Op::kUploadPart, .key = key, .part_number = number, .bytes = body.size()})) {
      return *f;
    }
    if (number < 1 || number > 10000) {
      return invalid_argument("upload_part: part number " + std::to_string(number));
    }
    std::lock_guard lock(mu_);
    auto it = uploads_.find(upload_id);
    if (it == uploads_.end() || it->second.key != key) {
      return no_such_upload();
    }
    Part part{.bytes = to_string(body), .etag = {}, .at = clock_.now()};
    part.etag = quoted_md5(part.bytes);
    std::string etag = part.etag;
    it->second.parts[number] = std::move(part);
    return etag;
  }();
  std::lock_guard lock(mu_);
  part_bytes_in_flight_ -= body.size();
  upload_in_flight_[upload_id] -= body.size();
  return landed;
}

Status MemoryS3Client::complete_multipart(const std::string& key, const std::string& upload_id,
                                          const std::vector<S3UploadedPart>& parts) {
  if (auto f = begin({.op = S3Op::kCompleteMultipart, .key = key})) {
    return *f;
  }
  std::lock_guard lock(mu_);
  auto it = uploads_.find(upload_id);
  if (it == uploads_.end() || it->second.key != key) {
    return no_such_upload();
  }
  if (parts.empty()) {
    return invalid_argument("MalformedXML: no parts");
  }
  std::string bytes;
  Completed completed{.key = key, .part_sizes = {}};
  int previous = 0;
  for (const S3UploadedPart& p : parts) {
    auto part = it->second.parts.find(p.number);
    if (p.number <= previous) {
      return invalid_argument("InvalidPartOrder");
    }
    if (part == it->second.parts.end() || part->second.etag != p.etag) {
      return invalid_argument("InvalidPart: " + std::to_string(p.number));
    }
    previous = p.number;
    bytes += part->second.bytes;
    completed.part_sizes.push_back(part->second.bytes.size());
  }
  objects_[key] = Stored{.bytes = std::move(bytes), .modified = clock_.now()};
  uploads_.erase(it);
  completed_.push_back(std::move(completed));
  return {};
}

Status MemoryS3Client::abort_multipart(const std::string& key, const std::string& upload_id) {
  if (auto f = begin({.op = S3Op::kAbortMultipart, .key = key})) {
    return *f;
  }
  std::lock_guard lock(mu_);
  auto it = uploads_.find(upload_id);
  if (it != uploads_.end() && it->second.key == key) {
    uploads_.erase(it);
    ++aborted_;
  }
  return {};
}

Result<std::vector<S3MultipartUpload>> MemoryS3Client::list_multipart_uploads(
    const std::string& prefix) {
  if (auto f = begin({.op = S3Op::kListMultipartUploads, .key = prefix})) {
    return *f;
  }
  std::lock_guard lock(mu_);
  std::vector<S3MultipartUpload> out;
  for (const auto& [id, upload] : uploads_) {
    if (upload.key.starts_with(prefix)) {
      out.push_back(
          S3MultipartUpload{.key = upload.key, .upload_id = id, .initiated = upload.initiated});
    }
  }
  // ListMultipartUploads: by key, then by initiation time.
  std::sort(out.begin(), out.end(), [](const S3MultipartUpload& a, const S3MultipartUpload& b) {
    return std::tie(a.key, a.initiated) < std::tie(b.key, b.initiated);
  });
  if (out.size() > 1000) {
    out.resize(1000);
  }
  return out;
}

Result<std::optional<Timestamp>> MemoryS3Client::last_part_at(const std::string& key,
                                                              const std::string& upload_id) {
  if (auto f = begin({.op = S3Op::kLastPartAt, .key = key})) {
    return *f;
  }
  std::lock_guard lock(mu_);
  auto it = uploads_.find(upload_id);
  if (it == uploads_.end() || it->second.key != key) {
    return no_such_upload();
  }
  std::optional<Timestamp> latest;
  for (const auto& [number, part] : it->second.parts) {
    if (!latest || part.at > *latest) {
      latest = part.at;
    }
  }
  return latest;
}

std::string MemoryS3Client::presign_get(const std::string& key, std::chrono::seconds ttl,
                                        std::string_view content_type,
                                        std::string_view content_disposition) const {
  std::string url = "memory://bucket/" + key + "?X-Amz-Expires=" + std::to_string(ttl.count());
  if (!content_type.empty()) {
    url += "&response-content-type=" + std::string(content_type);
  }
  if (!content_disposition.empty()) {
    url += "&response-content-disposition=" + std::string(content_disposition);
  }
  return url;
}

void MemoryS3Client::fail_next(S3Op op, int n, Error error) {
  std::lock_guard lock(mu_);
  faults_.insert_or_assign(op, std::make_pair(n, std::move(error)));
}

void MemoryS3Client::on_call(std::function<void(const S3Call&)> hook) {
  std::lock_guard lock(mu_);
  hook_ = std::move(hook);
}

std::size_t MemoryS3Client::calls(S3Op op) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find(op);
  return it == counts_.end() ? 0 : it->second;
}

void MemoryS3Client::reset_counts() {
  std::lock_guard lock(mu_);
  counts_.clear();
}

std::size_t MemoryS3Client::max_part_bytes_in_flight() const {
  std::lock_guard lock(mu_);
  return max_in_flight_;
}

std::size_t MemoryS3Client::max_part_bytes_in_flight_per_upload() const {
  std::lock_guard lock(mu_);
  return max_in_flight_per_upload_;
}

std::optional<std::string> MemoryS3Client::object(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) {
    return std::nullopt;
  }
  return it->second.bytes;
}

std::optional<Timestamp> MemoryS3Client::modified(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) {
    return std::nullopt;
  }
  return it->second.modified;
}

std::vector<std::string> MemoryS3Client::keys() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [key, stored] : objects_) {
    out.push_back(key);
  }
  return out;
}

void MemoryS3Client::put_object(const std::string& key, std::string_view bytes) {
  std::lock_guard lock(mu_);
  objects_[key] = Stored{.bytes = std::string(bytes), .modified = clock_.now()};
}

std::size_t MemoryS3Client::upload_count() const {
  std::lock_guard lock(mu_);
  return uploads_.size();
}

std::vector<MemoryS3Client::Completed> MemoryS3Client::completed_uploads() const {
  std::lock_guard lock(mu_);
  return completed_;
}

std::size_t MemoryS3Client::aborted_uploads() const {
  std::lock_guard lock(mu_);
  return aborted_;
}

}  // namespace castor::testing
