#include "fakes/memory_s3_credential_repository.h"

#include <algorithm>
#include <vector>

namespace castor::testing {
namespace {

Error read_only_write() { return internal_error("write in a read-only transaction (fake)"); }

class MemoryS3CredentialRepository final : public S3CredentialRepository {
 public:
  MemoryS3CredentialRepository(S3CredentialTable& table, bool read_only)
      : table_(table), read_only_(read_only) {}

  Status insert(const S3Credential& credential) override {
    if (read_only_) {
      return read_only_write();
    }
    if (!table_.emplace(credential.access_key_id, credential).second) {
      return Error{ErrorCode::kAlreadyExists, "S3 access key id taken"};
    }
    return {};
  }
  Result<S3Credential> find(const std::string& access_key_id) override {
    auto it = table_.find(access_key_id);
    if (it == table_.end()) {
      return not_found("no such S3 credential");
    }
    return it->second;
  }
  Result<std::vector<S3Credential>> list() override {
    std::vector<S3Credential> all;
    for (const auto& [id, c] : table_) {
      all.push_back(c);
    }
    std::stable_sort(all.begin(), all.end(), [](const S3Credential& a, const S3Credential& b) {
      return a.created_at > b.created_at;
    });
    return all;
  }
  Result<bool> revoke(const std::string& access_key_id, Timestamp now) override {
    if (read_only_) {
      return read_only_write();
    }
    auto it = table_.find(access_key_id);
    if (it == table_.end()) {
      return not_found("no such S3 credential");
    }
    if (it->second.revoked_at) {
      return false;
    }
    it->second.revoked_at = now;
    return true;
  }
  Status touch(const std::string& access_key_id, Timestamp now) override {
    if (read_only_) {
      return read_only_write();
    }
    if (auto it = table_.find(access_key_id); it != table_.end()) {
      it->second.last_used_at = now;
    }
    return {};
  }

 private:
  S3CredentialTable& table_;
  bool read_only_;
};

}  // namespace

std::unique_ptr<S3CredentialRepository> memory_s3_credential_repository(S3CredentialTable& table,
                                                                        bool read_only) {
  return std::make_unique<MemoryS3CredentialRepository>(table, read_only);
}

}  // namespace castor::testing
