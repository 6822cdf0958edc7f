#include "application/uploads/complete_upload.h"

#include <map>
#include <string>

#include "application/content_reader.h"
#include "application/upload_object.h"
#include "application/uploads/abort_upload.h"

namespace castor {

namespace {
Error no_such_upload(const UploadId& id) {
  return {ErrorCode::kNotFound, "no upload " + id.to_string()};
}

// The tenant's session `id`, unexpired.
Result<UploadSession> tenant_session(MetadataTransaction& tx, const TenantId& tenant,
                                     const UploadId& id, bool for_update, Timestamp now) {
  auto session = tx.uploads().find(id, for_update);
  if (!session) {
    return std::move(session).error();
  }
  if (session->tenant() != tenant || session->expired(now)) {
    return no_such_upload(id);
  }
  return session;
}

// DataLoss if the stored blob with this content is recorded with another size.
Status check_size(const Blob& blob, std::uint64_t size) {
  if (blob.size_bytes() != size) {
    return Error{ErrorCode::kDataLoss, "blob " + blob.hash().hex() + " is recorded with " +
                                           std::to_string(blob.size_bytes()) +
                                           " bytes, the parts add up to " + std::to_string(size)};
  }
  return {};
}

// What a completed session made, answered to a retried completion.
Result<CompleteUpload::Completed> earlier_outcome(MetadataTransaction& tx, UploadSession session) {
  std::optional<Object> object;
  if (const auto& outcome = session.fields().outcome; outcome && outcome->object_id) {
    auto found = tx.objects().find(*outcome->object_id, /*for_update=*/false);
    if (!found) {
      return std::move(found).error();
    }
    object = std::move(*found);
  }
  return CompleteUpload::Completed{std::move(session), std::move(object), false};
}
}  // namespace

Result<CompleteUpload::Completed> CompleteUpload::run(const TenantId& tenant, const UploadId& id,
                                                      std::vector<std::uint32_t> chosen) {
  return complete(tenant, id, std::move(chosen), nullptr);
}

Result<CompleteUpload::Completed> CompleteUpload::run_s3(const TenantId& tenant, const UploadId& id,
                                                         S3Completion s3) {
  return complete(tenant, id, {}, &s3);
}

Result<CompleteUpload::S3Object> CompleteUpload::s3_object(
    const S3Completion& s3, const std::vector<UploadPart>& chosen) const {
  if (checksummers_ == nullptr) {
    return Error{ErrorCode::kInternal, "S3 completion without checksummers"};
  }
  auto input = multipart_etag_input(chosen);
  if (!input) {
    return std::move(input).error();
  }
  auto md5 = checksummers_->create(ChecksumAlgorithm::kMd5);
  if (!md5) {
    return std::move(md5).error();
  }
  (*md5)->update(input->data(), input->size());
  S3Object out{multipart_etag((*md5)->digest(), chosen.size()), {}, s3.policy};
  // A composite checksum when every part carries a checksum of the same algorithm.
  if (!chosen.front().checksums.empty()) {
    const std::string& name = chosen.front().checksums.front().first;
    auto composite_input = composite_checksum_input(chosen, name);
    std::optional<ChecksumAlgorithm> algorithm;
    for (ChecksumAlgorithm a : kChecksumAlgorithms) {
      std::string lower(checksum_name(a));
      for (char& c : lower) {
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      }
      if (lower == name && a != ChecksumAlgorithm::kMd5) {
        algorithm = a;
      }
    }
    if (composite_input && algorithm) {
      auto sum = checksummers_->create(*algorithm);
      if (!sum) {
        return std::move(sum).error();
      }
      (*sum)->update(composite_input->data(), composite_input->size());
      out.checksums.emplace_back(name, composite_checksum((*sum)->digest(), chosen.size()));
    }
  }
  return out;
}

Result<CompleteUpload::Completed> CompleteUpload::complete(const TenantId& tenant,
                                                           const UploadId& id,
                                                           std::vector<std::uint32_t> chosen,
                                                           const S3Completion* s3) {
  struct Plan {
    UploadSession session;
    std::vector<Segment> segments;
    std::optional<Completed> earlier;  // when already completed
    std::optional<S3Object> s3;
  };
  auto plan = read_only(metadata_, [&](MetadataTransaction& tx) -> Result<Plan> {
    auto session = tenant_session(tx, tenant, id, false, clock_.now());
    if (!session) {
      return std::move(session).error();
    }
    if (session->s3() != (s3 != nullptr)) {
      return Error{ErrorCode::kNotFound, session->s3()
                                             ? "upload " + id.to_string() +
                                                   " is an S3 multipart upload: complete it with "
                                                   "CompleteMultipartUpload"
                                             : "no multipart upload " + id.to_string()};
    }
    if (session->state() == UploadSession::State::kCompleted) {
      auto earlier = earlier_outcome(tx, *session);
      if (!earlier) {
        return std::move(earlier).error();
      }
      return Plan{std::move(*session), {}, std::move(*earlier), {}};
    }
    auto parts = tx.uploads().parts(id);
    if (!parts) {
      return std::move(parts).error();
    }
    std::optional<S3Object> s3_result;
    if (s3 != nullptr) {
      auto listed = check_completion(*parts, s3->parts, limits_.s3_min_part_size);
      if (!listed) {
        return std::move(listed).error();
      }
      chosen.clear();
      for (const UploadPart& part : *listed) {
        chosen.push_back(part.number);
      }
      auto made = s3_object(*s3, *listed);
      if (!made) {
        return std::move(made).error();
      }
      s3_result = std::move(*made);
    }
    auto segments = session->plan(*parts, chosen, limits_.max_size);
    if (!segments) {
      return std::move(segments).error();
    }
    return Plan{std::move(*session), std::move(*segments), {}, std::move(s3_result)};
  });
  if (!plan) {
    return std::move(plan).error();
  }
  if (plan->earlier) {
    return std::move(*plan->earlier);
  }
  // The parts are referenced by the session's part rows, so they stay while they are read.
  auto whole = blobs_.hash_segments(plan->session.storage_class(), plan->segments, {});
  if (!whole) {
    return std::move(whole).error();
  }
  if (const auto& declared = plan->session.fields().sha256; declared && *declared != *whole) {
    return Error{ErrorCode::kInvalidArgument,
                 "content hash mismatch: the parts hash to " + whole->hex() +
                     ", the upload declared " + declared->hex(),
                 "content_hash_mismatch"};
  }
  return finish(tenant, id, plan->segments, *whole, plan->s3);
}

Result<CompleteUpload::Completed> CompleteUpload::finish(const TenantId& tenant, const UploadId& id,
                                                         const std::vector<Segment>& planned,
                                                         const ContentHash& whole,
                                                         const std::optional<S3Object>& s3) {
  std::optional<Completed> out;
  auto s = metadata_.transact([&](MetadataTransaction& tx) -> Status {
    out.reset();
    const Timestamp now = clock_.now();
    auto session = tenant_session(tx, tenant, id, true, now);
    if (!session) {
      return std::move(session).error();
    }
    if (session->state() == UploadSession::State::kCompleted) {
      // Another completion won the race: answer as a retry would be answered.
      auto earlier = earlier_outcome(tx, *session);
      if (!earlier) {
        return std::move(earlier).error();
      }
      out = std::move(*earlier);
      return {};
    }
    if (s3 && session->fields().key) {
      // An S3 completion claims its key: the key lock first (write_policy.h).
      const auto& sf = session->fields();
      if (auto t = tx.lock_key(*sf.ns, sf.tenant, *sf.key); !t) {
        return t;
      }
    }
    auto parts = tx.uploads().parts(id);
    if (!parts) {
      return std::move(parts).error();
    }
    // The parts hashed must still be the parts held.
    std::size_t h = 0;
    for (const Segment& segment : planned) {
      while (h < parts->size() && (*parts)[h].hash != segment.hash) {
        ++h;
      }
      if (h == parts->size() || (*parts)[h].size_bytes != segment.size_bytes) {
        return Error{ErrorCode::kFailedPrecondition,
                     "a part was replaced while the upload was being completed; complete again",
                     "parts_changed"};
      }
      ++h;
    }
    const StorageClass c = session->storage_class();
    const std::uint64_t size = segments_size(planned);
    // Lock order: session row, content lock, blob row, bucket row (KEY SHARE), segment blob rows.
    if (auto t = tx.lock_content(c, whole); !t) {
      return t;
    }
    auto existing = tx.blobs().find(c, whole);
    if (!existing) {
      return std::move(existing).error();
    }
    // A blob with this content that is readable stays as it is (dedup); a new one, or one whose
    // file is gone and that has no segments, is laid out as the parts.
    bool readable = false;
    if (*existing) {
      auto present = content_present(tx, blobs_, c, whole);
      if (!present) {
        return std::move(present).error();
      }
      readable = *present;
    }
    const auto& f = session->fields();
    std::optional<Object> object;
    if (session->completes_into_object()) {
      // The namespace becomes (or stays) a bucket, held FOR KEY SHARE until the commit so that a
      // concurrent DeleteBucket either sees this object or runs before the row is made again.
      // (An S3 completion requires the bucket instead, in claim_key below: NoSuchBucket.)
      if (!s3) {
        if (auto bucket = tx.buckets().ensure(*f.ns, f.tenant, now); !bucket) {
          return std::move(bucket).error();
        }
      }
      auto blob = tx.blobs().add_ref(c, whole, size);
      if (!blob) {
        return std::move(blob).error();
      }
      if (auto t = check_size(*blob, size); !t) {
        return t;
      }
      std::string content_type =
          effective_content_type(f.content_type.value_or(""), f.key, media_types_);
      // An S3 object claims its key below, under the request's policy.
      object = Object::begin(ids_.next(), *f.ns, f.tenant, s3 ? std::nullopt : f.key, c,
                             std::move(content_type), now);
      if (s3) {
        ObjectAttributes attributes = f.attributes;
        attributes.checksums = s3->checksums;
        if (auto t = object->set_attributes(std::move(attributes), s3->etag); !t) {
          return t;
        }
        if (auto t = claim_key(tx, *object, *f.key, s3->policy, now); !t) {
          Error e = std::move(t).error();
          if (e.code == ErrorCode::kNotFound && e.reason.empty()) {
            e.reason = "NoSuchKey";  // If-Match without an object, not a missing upload
          }
          return e;
        }
      } else if (!f.attributes.empty()) {
        // A native session's metadata and Content-Disposition (docs/METADATA.md).
        if (auto t = object->set_attributes(f.attributes, ""); !t) {
          return t;
        }
      }
      if (auto t = object->commit(whole, size, now); !t) {
        return t;
      }
      if (auto t = tx.objects().insert(*object); !t) {
        if (t.error().code == ErrorCode::kAlreadyExists && f.key) {
          return Error{ErrorCode::kAlreadyExists, "key '" + f.key->str() +
                                                      "' is already used in namespace " +
                                                      f.ns->str() + " of tenant " + f.tenant.str()};
        }
        return t;
      }
    } else {
      auto blob = tx.blobs().retain(c, whole, size, now + limits_.blob_grace);
      if (!blob) {
        return std::move(blob).error();
      }
      if (auto t = check_size(*blob, size); !t) {
        return t;
      }
    }
    if (auto granted = tx.blobs().grant(f.tenant, c, whole, now); !granted) {
      return std::move(granted).error();
    }
    if (!readable) {
      if (auto t = tx.segments().attach(c, whole, planned); !t) {
        return t;
      }
    }
    if (auto t = release_parts(tx, *session); !t) {
      return t;
    }
    if (auto t =
            session->complete({whole, size, object ? std::optional(object->id()) : std::nullopt});
        !t) {
      return t;
    }
    if (auto t = tx.uploads().update(*session); !t) {
      return t;
    }
    out = Completed{std::move(*session), std::move(object), true};
    return {};
  });
  if (!s) {
    return std::move(s).error();
  }
  return std::move(*out);
}

}  // namespace castor
