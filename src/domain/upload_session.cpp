#include "domain/upload_session.h"

#include <algorithm>

namespace castor {

namespace {
Error invalid_parts(std::string message) {
  return {ErrorCode::kInvalidArgument, std::move(message), "invalid_parts"};
}
}  // namespace

Status check_part_number(std::uint64_t number) {
  if (number < 1 || number > kMaxUploadParts) {
    return invalid_argument("part numbers run from 1 to " + std::to_string(kMaxUploadParts));
  }
  return {};
}

Result<UploadSession> UploadSession::open(Fields fields, Timestamp now, std::chrono::seconds ttl) {
  if (!fields.ns && (fields.key || fields.content_type || !fields.attributes.empty())) {
    return invalid_argument(
        "key, content_type and metadata need a namespace (without one the upload "
        "completes into a blob)");
  }
  if (fields.s3 && !fields.key) {
    return invalid_argument("an S3 multipart upload needs a bucket and a key");
  }
  if (!fields.s3 && !fields.attributes.checksums.empty()) {
    return invalid_argument("only S3 multipart uploads carry checksums");
  }
  fields.state = State::kOpen;
  fields.created_at = now;
  fields.expires_at = now + ttl;
  fields.outcome.reset();
  return UploadSession(std::move(fields));
}

Result<UploadSession> UploadSession::restore(Fields fields) {
  if (fields.state == State::kCompleted && !fields.outcome) {
    return Error{ErrorCode::kDataLoss,
                 "upload " + fields.id.to_string() + " is completed but records no content"};
  }
  return UploadSession(std::move(fields));
}

Status UploadSession::accept_part(Timestamp now, std::chrono::seconds ttl) {
  if (f_.state != State::kOpen) {
    return Error{ErrorCode::kFailedPrecondition,
                 "upload " + f_.id.to_string() + " is completed: it takes no more parts",
                 "upload_not_open"};
  }
  if (expired(now)) {
    return Error{ErrorCode::kNotFound, "upload " + f_.id.to_string() + " has expired"};
  }
  f_.expires_at = std::max(f_.expires_at, now + ttl);
  return {};
}

Result<std::vector<Segment>> UploadSession::plan(std::span<const UploadPart> held,
                                                 std::span<const std::uint32_t> chosen,
                                                 std::uint64_t max_size) const {
  std::vector<SegmentPiece> pieces;
  if (chosen.empty()) {
    for (const UploadPart& part : held) {
      pieces.push_back({part.hash, part.size_bytes});
    }
  } else {
    std::size_t h = 0;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      if (i > 0 && chosen[i] <= chosen[i - 1]) {
        return invalid_parts("the part list must be strictly ascending");
      }
      while (h < held.size() && held[h].number < chosen[i]) {
        ++h;
      }
      if (h == held.size() || held[h].number != chosen[i]) {
        return invalid_parts("part " + std::to_string(chosen[i]) + " has not been uploaded");
      }
      pieces.push_back({held[h].hash, held[h].size_bytes});
    }
  }
  if (pieces.empty()) {
    return invalid_parts("the upload holds no part to complete with");
  }
  auto segments = lay_out_segments(pieces);
  if (!segments) {
    return invalid_parts(segments.error().message);
  }
  const std::uint64_t total = segments_size(*segments);
  if (total > max_size) {
    return Error{ErrorCode::kOutOfRange, "the parts add up to " + std::to_string(total) +
                                             " bytes, more than the limit of " +
                                             std::to_string(max_size)};
  }
  if (f_.size_bytes && *f_.size_bytes != total) {
    return Error{ErrorCode::kInvalidArgument,
                 "size mismatch: the parts add up to " + std::to_string(total) +
                     " bytes, size_bytes said " + std::to_string(*f_.size_bytes),
                 "size_mismatch"};
  }
  return segments;
}

Status UploadSession::complete(Outcome outcome) {
  if (f_.state != State::kOpen) {
    return Error{ErrorCode::kFailedPrecondition,
                 "upload " + f_.id.to_string() + " is already completed", "upload_not_open"};
  }
  f_.state = State::kCompleted;
  f_.outcome = std::move(outcome);
  return {};
}

const char* to_string(UploadSession::State state) {
  return state == UploadSession::State::kOpen ? "open" : "completed";
}

Result<UploadSession::State> parse_upload_state(std::string_view text) {
  if (text == "open") {
    return UploadSession::State::kOpen;
  }
  if (text == "completed") {
    return UploadSession::State::kCompleted;
  }
  return invalid_argument("unknown upload state '" + std::string(text) + "'");
}

}  // namespace castor
