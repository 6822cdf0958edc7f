#include "client/blob_uploader.h"

namespace castor::client {

Result<BlobPut> BlobUploader::upload(HttpClient& http, const ScannedFile& file,
                                     const std::string& hash,
                                     const std::function<void(std::int64_t)>& on_progress) const {
  auto put = put_blob(http, context_.config, file.source, hash, file.size, on_progress,
                      /*expect_continue=*/false);
  if (!put && put.error().code == ErrorCode::kDataLoss) {
    return Error{
        ErrorCode::kDataLoss,
        file.source.string() + " changed while it was being pushed (" + put.error().message + ")"};
  }
  return put;
}

}  // namespace castor::client
