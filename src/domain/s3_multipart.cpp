#include "domain/s3_multipart.h"

#include <algorithm>

#include "domain/base64.h"
#include "domain/hex.h"

namespace castor {

namespace {

Error s3_error(std::string message, const char* code) {
  return Error{ErrorCode::kInvalidArgument, std::move(message), code};
}

// `etag` without surrounding quotes, lowercased.
std::string bare_etag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  std::string out(etag);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

}  // namespace

Result<std::vector<UploadPart>> check_completion(std::span<const UploadPart> held,
                                                 std::span<const S3ListedPart> listed,
                                                 std::uint64_t min_part_size) {
  if (listed.empty()) {
    return s3_error("You must specify at least one part", "InvalidPart");
  }
  std::vector<UploadPart> chosen;
  chosen.reserve(listed.size());
  std::size_t h = 0;
  for (std::size_t i = 0; i < listed.size(); ++i) {
    const S3ListedPart& part = listed[i];
    if (i > 0 && part.number <= listed[i - 1].number) {
      return s3_error(
          "The list of parts was not in ascending order. The parts list must be "
          "specified in order by part number.",
          "InvalidPartOrder");
    }
    while (h < held.size() && held[h].number < part.number) {
      ++h;
    }
    if (h == held.size() || held[h].number != part.number || bare_etag(part.etag) != held[h].md5 ||
        held[h].md5.empty()) {
      return s3_error(
          "One or more of the specified parts could not be found. The part may not "
          "have been uploaded, or the specified entity tag may not match the part's "
          "entity tag: part " +
              std::to_string(part.number),
          "InvalidPart");
    }
    chosen.push_back(held[h]);
  }
  for (std::size_t i = 0; i + 1 < chosen.size(); ++i) {
    if (chosen[i].size_bytes < min_part_size) {
      return s3_error("Your proposed upload is smaller than the minimum allowed size: part " +
                          std::to_string(chosen[i].number) + " has " +
                          std::to_string(chosen[i].size_bytes) + " bytes, the minimum is " +
                          std::to_string(min_part_size),
                      "EntityTooSmall");
    }
  }
  return chosen;
}

Result<std::vector<std::uint8_t>> multipart_etag_input(std::span<const UploadPart> parts) {
  std::vector<std::uint8_t> out(parts.size() * 16);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].md5.size() != 32 ||
        !from_hex(parts[i].md5, std::span<std::uint8_t>(out).subspan(i * 16, 16))) {
      return invalid_argument("part " + std::to_string(parts[i].number) + " has no MD5");
    }
  }
  return out;
}

std::string multipart_etag(std::span<const std::uint8_t> md5_of_input, std::size_t part_count) {
  return to_hex(md5_of_input) + "-" + std::to_string(part_count);
}

Result<std::vector<std::uint8_t>> composite_checksum_input(std::span<const UploadPart> parts,
                                                           std::string_view algorithm) {
  std::vector<std::uint8_t> out;
  for (const UploadPart& part : parts) {
    const auto value = ObjectAttributes::find(part.checksums, algorithm);
    auto decoded = value ? base64_decode(*value) : std::nullopt;
    if (!decoded) {
      return invalid_argument("part " + std::to_string(part.number) + " has no " +
                              std::string(algorithm) + " checksum");
    }
    out.insert(out.end(), decoded->begin(), decoded->end());
  }
  return out;
}

std::string composite_checksum(std::span<const std::uint8_t> checksum_of_input,
                               std::size_t part_count) {
  return base64_encode(checksum_of_input) + "-" + std::to_string(part_count);
}

}  // namespace castor
