#include "infrastructure/s3/curl_s3_client.h"

#include <algorithm>
#include <cassert>
#include <random>
#include <thread>
#include <utility>

#include <curl/curl.h>

#include "application/io_thread.h"
#include "domain/amz_date.h"
#include "domain/sigv4_signer.h"
#include "infrastructure/openssl_hmac.h"
#include "infrastructure/s3/curl_handle_pool.h"
#include "infrastructure/s3/s3_http_exchange.h"
#include "infrastructure/s3/s3_request_url.h"
#include "infrastructure/s3/s3_response_xml.h"

namespace castor {

namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{5000};

// Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): a uniformly random wait
// in [0, min(cap, base * 2^attempt)].
std::chrono::milliseconds backoff(int attempt) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  const auto ceiling =
      std::min<std::int64_t>(kMaxBackoff.count(), kFirstBackoff.count() << std::min(attempt, 16));
  return std::chrono::milliseconds{std::uniform_int_distribution<std::int64_t>(0, ceiling)(random)};
}

bool retryable_code(std::string_view code) {
  return code == "InternalError" || code == "SlowDown" || code == "ServiceUnavailable" ||
         code == "RequestTimeout";
}

// What the final reply of `call` means (nullopt: success).
std::optional<Error> classify(const S3BackendCall& call, const S3Attempt& attempt,
                              const std::string& where, bool& retry) {
  retry = false;
  const std::string what = "S3 " + call.operation +
                           (call.bucket_level ? std::string() : " of '" + call.key + "'") + " at " +
                           where;
  if (attempt.curl_code != CURLE_OK) {
    retry = true;
    return Error{ErrorCode::kUnavailable, what + ": " + attempt.curl_error};
  }
  const S3Reply& reply = attempt.reply;
  if (reply.status >= 200 && reply.status < 300) {
    if (call.error_in_200) {
      if (auto error = parse_s3_error(reply.body)) {
        retry = retryable_code(error->code);
        return Error{retry ? ErrorCode::kUnavailable : ErrorCode::kInternal,
                     what + ": 200 with error " + error->code + ": " + error->message, error->code};
      }
    }
    return std::nullopt;
  }
  const auto body = parse_s3_error(reply.body);
  const std::string code = body ? body->code : std::string();
  const std::string detail = what + ": HTTP " + std::to_string(reply.status) +
                             (code.empty() ? "" : " " + code) +
                             (body && !body->message.empty() ? ": " + body->message : "");
  if (reply.status == 501 || code == "NotImplemented") {
    // The service lacks the operation (s3rver has no ListMultipartUploads): asking again will
    // not change that.
    return Error{ErrorCode::kInternal, detail, "NotImplemented"};
  }
  if (reply.status >= 500 || reply.status == 429 || retryable_code(code)) {
    retry = true;
    return Error{ErrorCode::kUnavailable, detail, code.empty() ? "SlowDown" : code};
  }
  if (reply.status == 404) {
    return Error{ErrorCode::kNotFound, detail, code.empty() ? "NotFound" : code};
  }
  if (reply.status == 403) {
    return Error{ErrorCode::kPermissionDenied, detail, code.empty() ? "AccessDenied" : code};
  }
  if (reply.status == 416) {
    return Error{ErrorCode::kOutOfRange, detail, "InvalidRange"};
  }
  return Error{ErrorCode::kInternal, detail, code};
}

}  // namespace

Result<std::unique_ptr<CurlS3Client>> CurlS3Client::create(S3BackendSettings settings,
                                                           S3CopyLimits copy_limits) {
  auto endpoint = parse_s3_endpoint(settings.endpoint);
  if (!endpoint) {
    return std::move(endpoint).error();
  }
  const auto bad = [](std::string what) { return invalid_argument("S3 backend: " + what); };
  const std::string& bucket = settings.bucket;
  if (bucket.size() < 3 || bucket.size() > 63 ||
      !std::all_of(bucket.begin(), bucket.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
      })) {
    return bad("the bucket name '" + bucket + "' is not 3 to 63 of [a-z0-9.-]");
  }
  if (settings.access_key_id.empty() || settings.secret_access_key.empty()) {
    return bad("the access key id and the secret access key are required");
  }
  if (settings.region.empty() || settings.region.find_first_of(":/ \t") != std::string::npos) {
    return bad("the region '" + settings.region + "' is not valid");
  }
  if (settings.max_connections < 1) {
    return bad("max connections must be at least 1");
  }
  if (settings.timeout < std::chrono::seconds{1}) {
    return bad("the timeout must be at least 1 second");
  }
  if (settings.max_retries < 0 || settings.max_retries > 20) {
    return bad("max retries must be 0 to 20");
  }
  if (copy_limits.part_size < 1 || copy_limits.single_copy_max < 1) {
    return bad("copy limits must be positive");
  }
  auto urls = std::make_unique<S3UrlBuilder>(std::move(*endpoint), bucket, settings.path_style);
  return std::unique_ptr<CurlS3Client>(
      new CurlS3Client(std::move(settings), copy_limits, std::move(urls)));
}

CurlS3Client::CurlS3Client(S3BackendSettings settings, S3CopyLimits copy_limits,
                           std::unique_ptr<S3UrlBuilder> urls)
    : settings_(std::move(settings)),
      copy_limits_(copy_limits),
      urls_(std::move(urls)),
      pool_(std::make_unique<CurlHandlePool>(settings_.max_connections)),
      crypto_(std::make_unique<OpensslSigv4Crypto>()) {}

CurlS3Client::~CurlS3Client() = default;

Result<S3Reply> CurlS3Client::execute(S3BackendCall& call) {
  assert(!on_io_thread() && "S3 request on an IO thread");
  const std::string where = urls_->endpoint_text() + "/" + urls_->bucket();
  std::size_t received = 0;  // into call.sink, over all attempts
  const std::span<std::byte> whole_sink = call.sink;
  const std::uint64_t first_offset = call.range_offset;
  int failures = 0;  // consecutive failed attempts without progress
  for (;;) {
    call.sink = whole_sink.subspan(received);
    call.range_offset = first_offset + received;
    S3Attempt outcome = [&] {
      CurlHandlePool::Lease lease = pool_->acquire();
      return perform_s3_attempt(lease.get(), call, *urls_, settings_, *crypto_);
    }();
    if (!whole_sink.empty() && outcome.reply.status >= 200 && outcome.reply.status < 300) {
      // A GetObject cut short keeps what arrived and resumes after it; progress earns a fresh
      // set of retries.
      received += outcome.reply.sink_bytes;
      if (outcome.reply.sink_bytes > 0) {
        failures = 0;
      }
      if (received == whole_sink.size()) {
        outcome.curl_code = CURLE_OK;
      }
    }
    bool retry = false;
    std::optional<Error> error = classify(call, outcome, where, retry);
    if (!error) {
      outcome.reply.sink_bytes = received;
      call.sink = whole_sink;
      call.range_offset = first_offset;
      return std::move(outcome.reply);
    }
    if (!retry || failures >= settings_.max_retries) {
      if (retry) {
        error->message += " (after " + std::to_string(failures + 1) + " attempts)";
      }
      return std::move(*error);
    }
    std::this_thread::sleep_for(backoff(failures));
    ++failures;
  }
}

Status CurlS3Client::check_bucket() {
  S3BackendCall call{.operation = "HeadBucket", .method = "HEAD", .bucket_level = true};
  auto reply = execute(call);
  if (reply) {
    return {};
  }
  const Error& error = reply.error();
  const std::string endpoint = urls_->endpoint_text();
  const std::string bucket = "'" + urls_->bucket() + "'";
  switch (error.code) {
    case ErrorCode::kNotFound:
      return Error{error.code, "the S3 bucket " + bucket + " does not exist at " + endpoint};
    case ErrorCode::kPermissionDenied:
      return Error{error.code, "access to the S3 bucket " + bucket + " at " + endpoint +
                                   " denied (check the access key id and secret)"};
    case ErrorCode::kUnavailable: {
      const std::size_t colon = error.message.find(": ");
      return Error{error.code, "cannot reach the S3 endpoint " + endpoint + ": " +
                                   (colon == std::string::npos ? error.message
                                                               : error.message.substr(colon + 2))};
    }
    default:
      return Error{error.code, "the S3 bucket " + bucket + " at " + endpoint +
                                   " cannot be used: " + error.message};
  }
}

Result<std::optional<S3ObjectInfo>> CurlS3Client::head(const std::string& key) {
  S3BackendCall call{.operation = "HeadObject", .method = "HEAD", .key = key};
  auto reply = execute(call);
  if (!reply) {
    if (reply.error().code == ErrorCode::kNotFound) {
      return std::optional<S3ObjectInfo>();
    }
    return std::move(reply).error();
  }
  S3ObjectInfo info{.key = key};
  if (!reply->content_length) {
    return internal_error("S3 HeadObject of '" + key + "' answered without Content-Length");
  }
  info.size = *reply->content_length;
  if (auto seconds = parse_imf_date(reply->last_modified)) {
    info.last_modified = Timestamp{std::chrono::seconds{*seconds}};
  }
  return std::optional<S3ObjectInfo>(std::move(info));
}

Status CurlS3Client::put(const std::string& key, std::span<const std::byte> body) {
  S3BackendCall call{.operation = "PutObject", .method = "PUT", .key = key, .body = body};
  call.headers.push_back("Content-Type: application/octet-stream");
  if (std::string md5 = s3_content_md5(body); !md5.empty()) {
    call.headers.push_back("Content-MD5: " + md5);
  }
  auto reply = execute(call);
  return reply ? Status{} : Status{std::move(reply).error()};
}

Result<std::size_t> CurlS3Client::get(const std::string& key, std::uint64_t offset,
                                      std::span<std::byte> out) {
  if (out.empty()) {
    auto info = head(key);
    if (!info) {
      return std::move(info).error();
    }
    if (!*info) {
      return not_found("S3 GetObject of '" + key + "': no such key");
    }
    return std::size_t{0};
  }
  S3BackendCall call{
      .operation = "GetObject", .method = "GET", .key = key, .sink = out, .range_offset = offset};
  auto reply = execute(call);
  if (!reply) {
    if (reply.error().reason == "InvalidRange") {
      return std::size_t{0};  // at or past the end
    }
    return std::move(reply).error();
  }
  return reply->sink_bytes;
}

Status CurlS3Client::remove(const std::string& key) {
  S3BackendCall call{.operation = "DeleteObject", .method = "DELETE", .key = key};
  auto reply = execute(call);
  if (!reply &&
      !(reply.error().code == ErrorCode::kNotFound && reply.error().reason != "NoSuchBucket")) {
    return std::move(reply).error();
  }
  return {};
}

Status CurlS3Client::copy(const std::string& from, const std::string& to, std::uint64_t size) {
  if (size > copy_limits_.single_copy_max) {
    return copy_multipart(from, to, size);
  }
  S3BackendCall call{.operation = "CopyObject", .method = "PUT", .key = to, .error_in_200 = true};
  call.headers.push_back("x-amz-copy-source: /" + urls_->bucket() + "/" + s3_escape_key(from));
  auto reply = execute(call);
  if (!reply) {
    return std::move(reply).error();
  }
  if (auto etag = parse_copy_result(reply->body); !etag) {
    return std::move(etag).error();
  }
  return {};
}

Result<S3ListPage> CurlS3Client::list(const std::string& prefix, const std::string& start_after,
                                      std::size_t max_keys) {
  S3BackendCall call{.operation = "ListObjectsV2", .method = "GET", .bucket_level = true};
  call.query = {{"list-type", "2"},
                {"max-keys", std::to_string(std::clamp<std::size_t>(max_keys, 1, 1000))}};
  if (!prefix.empty()) {
    call.query.emplace_back("prefix", prefix);
  }
  if (!start_after.empty()) {
    call.query.emplace_back("start-after", start_after);
  }
  auto reply = execute(call);
  if (!reply) {
    return std::move(reply).error();
  }
  return parse_list_objects_v2(reply->body);
}

std::string CurlS3Client::presign_get(const std::string& key, std::chrono::seconds ttl,
                                      std::string_view content_type,
                                      std::string_view content_disposition) const {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return presign_get_at(key, now.count(), ttl, content_type, content_disposition);
}

std::string CurlS3Client::presign_get_at(const std::string& key, std::int64_t signed_at,
                                         std::chrono::seconds ttl, std::string_view content_type,
                                         std::string_view content_disposition) const {
  std::vector<S3QueryParam> query;
  if (!content_type.empty()) {
    query.emplace_back("response-content-type", std::string(content_type));
  }
  if (!content_disposition.empty()) {
    query.emplace_back("response-content-disposition", std::string(content_disposition));
  }
  const std::string target = urls_->target(key, false, s3_query_string(std::move(query)));
  const std::string host = urls_->host_header();
  const Sigv4Request request{.method = "GET", .target = target, .headers = {{"host", host}}};
  const Sigv4SigningCredentials credentials{.access_key_id = settings_.access_key_id,
                                            .secret_key = settings_.secret_access_key,
                                            .region = settings_.region};
  const std::int64_t expires = std::clamp<std::int64_t>(ttl.count(), 1, 604800);
  auto signed_target =
      presign_target(request, credentials, format_amz_date(signed_at), expires, *crypto_);
  // presign_target fails only on a missing host, a malformed date or a bad escape: none can
  // happen with a target built by S3UrlBuilder and a formatted date.
  assert(signed_target);
  return urls_->origin() + *signed_target;
}

}  // namespace castor
