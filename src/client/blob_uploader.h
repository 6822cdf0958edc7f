#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "client/blob_api.h"
#include "client/context.h"
#include "client/scan.h"

namespace castor::client {

// Uploads one file's content as a blob in one streamed PUT /v1/blobs/{hash} (files up to push's
// --part-size; larger ones go through SessionUploader). Push uploads only what a preflight has
// just reported missing, so the PUT sends its body without waiting for 100 Continue: the wait
// would cost a round trip and a lookup on the server per file to skip, at best, a body another
// client stored in the meantime. DataLoss naming the file when it no longer has `hash`.
// Thread-safe (each call uses the caller's client).
class BlobUploader {
 public:
  explicit BlobUploader(const Context& context) : context_(context) {}

  Result<BlobPut> upload(HttpClient& http, const ScannedFile& file, const std::string& hash,
                         const std::function<void(std::int64_t)>& on_progress) const;

 private:
  const Context& context_;
};

}  // namespace castor::client
