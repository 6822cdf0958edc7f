#include "fakes/memory_upload_repositories.h"

#include <algorithm>
#include <functional>
#include <tuple>

namespace castor::testing {
namespace {

Error read_only_write() { return Error{ErrorCode::kInternal, "write in a read-only transaction"}; }

class MemoryUploadRepository final : public UploadRepository {
 public:
  MemoryUploadRepository(UploadTables& t, bool read_only) : t_(t), read_only_(read_only) {}

  Status insert(const UploadSession& session) override {
    if (read_only_) {
      return read_only_write();
    }
    if (!t_.sessions.emplace(session.id(), session).second) {
      return Error{ErrorCode::kAlreadyExists, "duplicate upload id"};
    }
    return {};
  }

  Result<UploadSession> find(const UploadId& id, bool) override {
    auto it = t_.sessions.find(id);
    if (it == t_.sessions.end()) {
      return Error{ErrorCode::kNotFound, "no upload " + id.to_string()};
    }
    return it->second;
  }

  Status update(const UploadSession& session) override {
    if (read_only_) {
      return read_only_write();
    }
    auto it = t_.sessions.find(session.id());
    if (it == t_.sessions.end()) {
      return Error{ErrorCode::kNotFound, "no upload " + session.id().to_string()};
    }
    it->second = session;
    return {};
  }

  Status remove(const UploadId& id) override {
    if (read_only_) {
      return read_only_write();
    }
    if (auto it = t_.parts.find(id); it != t_.parts.end() && !it->second.empty()) {
      return Error{ErrorCode::kInternal, "upload_parts rows still reference the session"};
    }
    t_.sessions.erase(id);
    t_.parts.erase(id);
    return {};
  }

  Result<std::size_t> count_open(const TenantId& tenant) override {
    return static_cast<std::size_t>(
        std::count_if(t_.sessions.begin(), t_.sessions.end(), [&](const auto& e) {
          return e.second.tenant() == tenant && e.second.state() == UploadSession::State::kOpen;
        }));
  }

  Result<std::vector<UploadSession>> list_open(const UploadFilter& filter) override {
    std::vector<UploadSession> out;
    for (const auto& [id, s] : t_.sessions) {
      const auto& f = s.fields();
      if (f.tenant == filter.tenant && f.state == UploadSession::State::kOpen &&
          (!filter.sha256 || f.sha256 == filter.sha256) && (!filter.ns || f.ns == filter.ns) &&
          (!filter.key || f.key == filter.key) &&
          (!filter.storage_class || f.storage_class == *filter.storage_class)) {
        out.push_back(s);
      }
    }
    std::sort(out.begin(), out.end(), [](const UploadSession& a, const UploadSession& b) {
      return std::tie(a.fields().created_at, a.fields().id) >
             std::tie(b.fields().created_at, b.fields().id);
    });
    if (out.size() > filter.limit) {
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(filter.limit), out.end());
    }
    return out;
  }

  Result<std::vector<UploadSession>> list_open_s3(const S3UploadFilter& filter) override {
    std::vector<UploadSession> out;
    for (const auto& [id, s] : t_.sessions) {
      const auto& f = s.fields();
      if (f.tenant != filter.tenant || f.state != UploadSession::State::kOpen || !f.s3 ||
          f.ns != filter.ns || !f.key || !f.key->str().starts_with(filter.prefix)) {
        continue;
      }
      const std::string& key = f.key->str();
      if (key > filter.after_key || (key == filter.after_key && filter.after_id &&
                                     f.id.to_string() > filter.after_id->to_string())) {
        out.push_back(s);
      }
    }
    std::sort(out.begin(), out.end(), [](const UploadSession& a, const UploadSession& b) {
      return std::pair(a.fields().key->str(), a.id().to_string()) <
             std::pair(b.fields().key->str(), b.id().to_string());
    });
    if (out.size() > filter.limit) {
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(filter.limit), out.end());
    }
    return out;
  }

  Result<std::vector<UploadSession>> lock_expired(Timestamp now, std::size_t limit) override {
    std::vector<UploadSession> out;
    for (const auto& [id, s] : t_.sessions) {
      if (s.fields().expires_at < now && out.size() < limit) {
        out.push_back(s);
      }
    }
    return out;
  }

  Result<std::vector<UploadPart>> parts(const UploadId& id) override {
    std::vector<UploadPart> out;
    if (auto it = t_.parts.find(id); it != t_.parts.end()) {
      for (const auto& [n, part] : it->second) {
        out.push_back(part);
      }
    }
    return out;
  }

  Result<std::optional<UploadPart>> put_part(const UploadId& id, const UploadPart& part) override {
    if (read_only_) {
      return read_only_write();
    }
    if (!t_.sessions.contains(id)) {
      return Error{ErrorCode::kInternal, "upload_parts row without its session"};
    }
    auto& parts = t_.parts[id];
    std::optional<UploadPart> old;
    if (auto it = parts.find(part.number); it != parts.end()) {
      old = it->second;
    }
    parts.insert_or_assign(part.number, part);
    return old;
  }

  Result<std::vector<UploadPart>> remove_parts(const UploadId& id) override {
    if (read_only_) {
      return read_only_write();
    }
    auto out = parts(id);
    t_.parts.erase(id);
    return out;
  }

 private:
  UploadTables& t_;
  bool read_only_;
};

class MemorySegmentRepository final : public SegmentRepository {
 public:
  MemorySegmentRepository(UploadTables& t, bool read_only, RefAdjuster adjust)
      : t_(t), read_only_(read_only), adjust_(std::move(adjust)) {}

  Result<std::vector<Segment>> segments(StorageClass c, const ContentHash& hash) override {
    auto it = t_.segments.find({c, hash});
    return it == t_.segments.end() ? std::vector<Segment>() : it->second;
  }

  Status attach(StorageClass c, const ContentHash& hash,
                const std::vector<Segment>& segments) override {
    if (read_only_) {
      return read_only_write();
    }
    if (t_.segments.contains({c, hash})) {
      return Error{ErrorCode::kAlreadyExists, "blob " + hash.hex() + " already has segments"};
    }
    // Check every segment blob first, so that a refusal changes nothing.
    for (const Segment& s : segments) {
      if (!adjust_(c, s.hash, 0)) {
        return Error{ErrorCode::kFailedPrecondition,
                     "a segment of blob " + hash.hex() + " is no longer stored"};
      }
    }
    for (const Segment& s : segments) {
      adjust_(c, s.hash, +1);
    }
    t_.segments.emplace(std::pair(c, hash), segments);
    return {};
  }

  Result<std::vector<Segment>> detach(StorageClass c, const ContentHash& hash) override {
    if (read_only_) {
      return read_only_write();
    }
    auto it = t_.segments.find({c, hash});
    if (it == t_.segments.end()) {
      return std::vector<Segment>();
    }
    std::vector<Segment> out = std::move(it->second);
    t_.segments.erase(it);
    for (const Segment& s : out) {
      adjust_(c, s.hash, -1);
    }
    return out;
  }

 private:
  UploadTables& t_;
  bool read_only_;
  RefAdjuster adjust_;
};

}  // namespace

std::unique_ptr<UploadRepository> memory_upload_repository(UploadTables& tables, bool read_only) {
  return std::make_unique<MemoryUploadRepository>(tables, read_only);
}

std::unique_ptr<SegmentRepository> memory_segment_repository(UploadTables& tables, bool read_only,
                                                             RefAdjuster adjust) {
  return std::make_unique<MemorySegmentRepository>(tables, read_only, std::move(adjust));
}

}  // namespace castor::testing
