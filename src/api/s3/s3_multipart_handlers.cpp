// Multipart uploads (S3 API Reference): not yet served; every operation answers NotImplemented.
#include "api/s3/s3_call.h"

namespace castor::api::s3 {

namespace {

Awaitable<void> not_yet(ServerCore& s, Connection& c, Exchange& ex, const S3Call& call) {
  co_await send_s3_code(s, c, ex, call.resource, "NotImplemented",
                        "multipart uploads are not implemented yet");
}

}  // namespace

Awaitable<void> create_multipart_upload(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  co_await not_yet(s, c, ex, call);
}
Awaitable<void> upload_part(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  co_await not_yet(s, c, ex, call);
}
Awaitable<void> upload_part_copy(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  co_await not_yet(s, c, ex, call);
}
Awaitable<void> complete_multipart_upload(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  co_await not_yet(s, c, ex, call);
}
Awaitable<void> abort_multipart_upload(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  co_await not_yet(s, c, ex, call);
}
Awaitable<void> list_parts(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  co_await not_yet(s, c, ex, call);
}
Awaitable<void> list_multipart_uploads(ServerCore& s, Connection& c, Exchange& ex, S3Call call) {
  co_await not_yet(s, c, ex, call);
}

}  // namespace castor::api::s3
