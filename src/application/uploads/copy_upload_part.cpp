#include "application/uploads/copy_upload_part.h"

#include <string>
#include <vector>

#include "domain/hex.h"

namespace castor {

namespace {
constexpr std::size_t kCopyBuffer = 1 << 20;  // bytes read and written at a time
}  // namespace

Result<UploadPart> CopyUploadPart::run(Request request) {
  request.part.s3 = true;
  auto source = download_.by_key(request.source_ns, request.part.tenant, request.source_key,
                                 /*want_content=*/true);
  if (!source) {
    return std::move(source).error();
  }
  if (request.check_source) {
    if (auto s = request.check_source(source->object); !s) {
      return std::move(s).error();
    }
  }
  const std::uint64_t size = source->object.size_bytes();
  std::uint64_t first = 0;
  std::uint64_t end = size;  // exclusive
  if (request.range) {
    const auto [from, to] = *request.range;
    if (from > to || to >= size) {
      return Error{
          ErrorCode::kInvalidArgument,
          "Range specified is not valid for source object of size: " + std::to_string(size),
          "InvalidArgument"};
    }
    first = from;
    end = to + 1;
  }
  if (end == first) {
    return invalid_argument("the source range is empty: a part must hold at least one byte");
  }
  auto md5 = checksummers_.create(ChecksumAlgorithm::kMd5);
  if (!md5) {
    return std::move(md5).error();
  }
  auto begun = parts_.begin(request.part, end - first);
  if (!begun) {
    Error e = std::move(begun).error();
    if (e.code == ErrorCode::kNotFound && e.reason.empty()) {
      e.reason = "NoSuchUpload";  // the upload is missing, not the source
    }
    return e;
  }
  StoreUploadPart::Upload& upload = **begun;
  std::vector<std::byte> buffer(kCopyBuffer);
  for (std::uint64_t at = first; at < end;) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(kCopyBuffer, end - at));
    auto got = source->content->read_at(at, std::span<std::byte>(buffer.data(), want));
    if (!got) {
      parts_.abort(upload);
      return std::move(got).error();
    }
    if (*got == 0) {
      parts_.abort(upload);
      return Error{ErrorCode::kDataLoss, "the content of object " +
                                             source->object.id().to_string() + " ends at " +
                                             std::to_string(at) + " bytes, before its size"};
    }
    (*md5)->update(buffer.data(), *got);
    if (auto s = upload.write(std::span<const std::byte>(buffer.data(), *got)); !s) {
      parts_.abort(upload);
      return std::move(s).error();
    }
    at += *got;
  }
  const std::vector<std::uint8_t> digest = (*md5)->digest();
  upload.set_digests(to_hex(digest), {});
  return parts_.commit(upload);
}

}  // namespace castor
