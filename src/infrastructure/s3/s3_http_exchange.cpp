#include "infrastructure/s3/s3_http_exchange.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstring>
#include <string_view>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "domain/amz_date.h"
#include "domain/base64.h"
#include "domain/sigv4_signer.h"

namespace castor {

namespace {

// State shared with curl's callbacks during one attempt.
struct Transfer {
  CURL* handle = nullptr;
  const S3BackendCall* call = nullptr;
  S3Reply reply;
  std::size_t upload_at = 0;  // next byte of call->body to send
  std::uint64_t skip = 0;     // bytes of a 200 body before the range asked for
  bool body_started = false;
  bool overflow = false;   // the body exceeded kMaxS3ResponseBody
  bool range_gap = false;  // a 206 that starts after the offset asked for
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    // A new response (after a 100 Continue, say): forget what the previous one said.
    transfer.reply.content_length.reset();
    transfer.reply.etag.clear();
    transfer.reply.last_modified.clear();
    transfer.range_gap = false;
    return size * count;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return size * count;
  }
  const std::string_view name = trim(line.substr(0, colon));
  const std::string_view value = trim(line.substr(colon + 1));
  if (iequals(name, "etag")) {
    transfer.reply.etag = std::string(value);
  } else if (iequals(name, "last-modified")) {
    transfer.reply.last_modified = std::string(value);
  } else if (iequals(name, "content-length")) {
    std::uint64_t length = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (ec == std::errc{} && end == value.data() + value.size()) {
      transfer.reply.content_length = length;
    }
  } else if (iequals(name, "content-range") && value.starts_with("bytes ")) {
    // "bytes first-last/total": where the body starts. A 206 must start where we asked; one that
    // starts earlier is skipped up to there, one that starts later fails the attempt.
    std::uint64_t first = 0;
    const std::string_view range = value.substr(6);
    const auto [end, ec] = std::from_chars(range.data(), range.data() + range.size(), first);
    if (ec == std::errc{} && first < transfer.call->range_offset) {
      transfer.skip = transfer.call->range_offset - first;
    } else if (ec == std::errc{} && first > transfer.call->range_offset) {
      transfer.range_gap = true;
    }
  }
  return size * count;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t total = size * count;
  long status = 0;
  curl_easy_getinfo(transfer.handle, CURLINFO_RESPONSE_CODE, &status);
  const bool success = status >= 200 && status < 300;
  std::string_view bytes(data, total);
  if (success && !transfer.call->sink.empty()) {
    if (status == 206 && transfer.range_gap) {
      return 0;
    }
    if (!transfer.body_started) {
      transfer.body_started = true;
      if (status == 200) {
        transfer.skip = transfer.call->range_offset;  // the server ignored Range
      }
    }
    const std::size_t skipped =
        static_cast<std::size_t>(std::min<std::uint64_t>(transfer.skip, bytes.size()));
    transfer.skip -= skipped;
    bytes.remove_prefix(skipped);
    const std::span<std::byte> sink = transfer.call->sink;
    const std::size_t room = sink.size() - transfer.reply.sink_bytes;
    const std::size_t take = std::min(room, bytes.size());
    std::memcpy(sink.data() + transfer.reply.sink_bytes, bytes.data(), take);
    transfer.reply.sink_bytes += take;
    if (take < bytes.size()) {
      transfer.reply.sink_full = true;
      return 0;  // stops the transfer (CURLE_WRITE_ERROR): the rest is not wanted
    }
    return total;
  }
  if (transfer.reply.body.size() + bytes.size() > kMaxS3ResponseBody) {
    transfer.overflow = true;
    return 0;
  }
  transfer.reply.body.append(bytes);
  return total;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::span<const std::byte> body = transfer.call->body;
  const std::size_t take = std::min(size * count, body.size() - transfer.upload_at);
  std::memcpy(buffer, body.data() + transfer.upload_at, take);
  transfer.upload_at += take;
  return take;
}

int on_seek(void* user, curl_off_t offset, int origin) {
  auto& transfer = *static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 ||
      static_cast<std::uint64_t>(offset) > transfer.call->body.size()) {
    return CURL_SEEKFUNC_FAIL;
  }
  transfer.upload_at = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

std::string lower_name(std::string_view header) {
  std::string name(trim(header.substr(0, header.find(':'))));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

// The Authorization and x-amz-date fields of `call` signed by castor's signer, for what curl
// would sign wrongly. `fields` are the request's own fields ("Name: value").
std::vector<std::string> own_signature(const S3BackendCall& call,
                                       const std::vector<std::string>& fields,
                                       const S3UrlBuilder& urls, const S3BackendSettings& settings,
                                       const Sigv4Crypto& crypto) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  const std::string amz_date = format_amz_date(now.count());
  const std::string target = urls.target(call.key, call.bucket_level, s3_query_string(call.query));
  const std::string host = urls.host_header();
  std::vector<std::pair<std::string, std::string>> owned;  // the views below point here
  for (const std::string& field : fields) {
    const std::size_t colon = field.find(':');
    owned.emplace_back(lower_name(field), std::string(trim(field.substr(colon + 1))));
  }
  Sigv4Request request{.method = call.method, .target = target, .headers = {}};
  request.headers.push_back({"host", host});
  request.headers.push_back({"x-amz-date", amz_date});
  for (const auto& [name, value] : owned) {
    request.headers.push_back({name, value});
  }
  const Sigv4SigningCredentials credentials{.access_key_id = settings.access_key_id,
                                            .secret_key = settings.secret_access_key,
                                            .region = settings.region};
  auto authorization =
      sign_authorization(request, credentials, amz_date, "UNSIGNED-PAYLOAD", crypto);
  if (!authorization) {
    return {};  // unreachable for targets S3UrlBuilder builds; the server will refuse it
  }
  return {"Authorization: " + *authorization, "x-amz-date: " + amz_date};
}

}  // namespace

std::string s3_content_md5(std::span<const std::byte> body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(body.data(), body.size(), digest, &size, EVP_md5(), nullptr) != 1) {
    return {};
  }
  return base64_encode(std::span<const std::uint8_t>(digest, size));
}

bool curl_sigv4_misorders(const std::vector<std::string>& headers) {
  for (const std::string& a : headers) {
    for (const std::string& b : headers) {
      const std::string shorter = lower_name(a);
      if (lower_name(b).starts_with(shorter + "-")) {
        return true;
      }
    }
  }
  return false;
}

S3Attempt perform_s3_attempt(CURL* handle, const S3BackendCall& call, const S3UrlBuilder& urls,
                             const S3BackendSettings& settings, const Sigv4Crypto& crypto) {
  Transfer transfer;
  transfer.handle = handle;
  transfer.call = &call;
  char error_text[CURL_ERROR_SIZE] = {0};

  curl_easy_reset(handle);
  const std::string url = urls.url(call.key, call.bucket_level, s3_query_string(call.query));
  const std::string sigv4 = "aws:amz:" + settings.region + ":s3";
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "castor-s3-backend");
  const long timeout = static_cast<long>(settings.timeout.count());
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, timeout);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, timeout);
  curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);

  // Every header given here is signed (curl's signed headers are host, x-amz-date and the
  // request's own fields).
  std::vector<std::string> fields{"x-amz-content-sha256: UNSIGNED-PAYLOAD"};
  if (!call.sink.empty()) {
    fields.push_back("Range: bytes=" + std::to_string(call.range_offset) + "-" +
                     std::to_string(call.range_offset + call.sink.size() - 1));
  }
  fields.insert(fields.end(), call.headers.begin(), call.headers.end());
  if (curl_sigv4_misorders(fields)) {
    for (std::string& field : own_signature(call, fields, urls, settings, crypto)) {
      fields.push_back(std::move(field));
    }
  } else {
    curl_easy_setopt(handle, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(handle, CURLOPT_USERNAME, settings.access_key_id.c_str());
    curl_easy_setopt(handle, CURLOPT_PASSWORD, settings.secret_access_key.c_str());
  }
  curl_slist* headers = nullptr;
  for (const std::string& field : fields) {
    headers = curl_slist_append(headers, field.c_str());
  }

  if (call.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (call.method == "PUT") {
    curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  } else if (call.method == "POST") {
    curl_easy_setopt(handle, CURLOPT_POST, 1L);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(call.body.size()));
  } else if (call.method != "GET") {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  if (call.method == "PUT" || call.method == "POST") {
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(handle, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(handle, CURLOPT_SEEKDATA, &transfer);
  }
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);

  const CURLcode code = curl_easy_perform(handle);
  curl_slist_free_all(headers);

  S3Attempt attempt;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &transfer.reply.status);
  attempt.curl_code = static_cast<int>(code);
  if (code == CURLE_WRITE_ERROR && transfer.reply.sink_full) {
    attempt.curl_code = CURLE_OK;  // we stopped it: everything asked for arrived
  } else if (code == CURLE_WRITE_ERROR && transfer.overflow) {
    attempt.curl_error =
        "the response body exceeds " + std::to_string(kMaxS3ResponseBody >> 20) + " MiB";
  } else if (code == CURLE_WRITE_ERROR && transfer.range_gap) {
    attempt.curl_error = "the response's Content-Range starts after the offset asked for";
  } else if (code != CURLE_OK) {
    attempt.curl_error = error_text[0] != '\0' ? error_text : curl_easy_strerror(code);
  }
  attempt.reply = std::move(transfer.reply);
  return attempt;
}

}  // namespace castor
