#include "e2e/s3_support.h"

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include <openssl/evp.h>

#include "domain/amz_date.h"
#include "domain/base64.h"
#include "domain/hex.h"
#include "domain/sigv4_signer.h"
#include "e2e/shared_server.h"
#include "infrastructure/openssl_hmac.h"
#include "support/random_data.h"

namespace castor::e2e {

namespace {

std::vector<std::uint8_t> digest(const EVP_MD* md, std::string_view data) {
  std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &size, md, nullptr);
  out.resize(size);
  return out;
}

std::string sha256_hex(std::string_view data) { return to_hex(digest(EVP_sha256(), data)); }

std::string amz_now(std::int64_t unix_seconds) { return format_amz_date(unix_seconds); }

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// CRC-32 (zlib) for the trailer tests, bitwise: the test must not share the server's ISA-L.
std::uint32_t crc32(std::string_view data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int i = 0; i < 8; ++i) {
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
  }
  return ~crc;
}

}  // namespace

S3Environment& s3_environment() {
  static S3Environment env = [] {
    testing::TestDatabase database = testing::TestDatabase::create("castor_e2e_s3");
    testing::ServerOptions options;
    options.binary = castor_binary();
    options.database_url = database.url();
    testing::ServerProcess server = testing::ServerProcess::start(std::move(options));
    return S3Environment{std::move(database), std::move(server)};
  }();
  return env;
}

testing::ServerOptions s3_server_options(const S3Environment& env,
                                         std::map<std::string, std::string> extra_env) {
  testing::ServerOptions options = env.server.options();
  options.storage_root = env.server.storage_root();  // one content store for both
  for (auto& [name, value] : extra_env) {
    options.extra_env[name] = value;
  }
  return options;
}

S3Credential create_s3_credential(std::uint16_t port, std::string_view tenant,
                                  std::string_view scopes) {
  testing::HttpClient http("127.0.0.1", port);
  std::vector<std::string> list;
  const std::string text(scopes);
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t space = text.find(' ', at);
    list.push_back(text.substr(at, space - at));
    at = space == std::string::npos ? text.size() : space + 1;
  }
  return create_s3_credential(http, "", tenant, list);
}

std::string s3_target(const std::string& bucket, const std::string& key,
                      const std::vector<std::pair<std::string, std::string>>& query) {
  std::string target = "/";
  if (!bucket.empty()) {
    target += testing::percent_encode(bucket);
    if (!key.empty()) {
      target += "/" + testing::percent_encode(key, /*keep_slashes=*/true);
    }
  }
  char sep = '?';
  for (const auto& [name, value] : query) {
    target += sep + testing::percent_encode(name);
    if (!value.empty()) {
      target += "=" + testing::percent_encode(value);
    }
    sep = '&';
  }
  return target;
}

S3TestClient::S3TestClient(std::uint16_t port, S3Credential credential)
    : port_(port), credential_(std::move(credential)), http_("127.0.0.1", port) {}

testing::HttpResponse S3TestClient::send(const S3Request& request) {
  static const OpensslSigv4Crypto crypto;
  const std::string target = s3_target(request.bucket, request.key, request.query);
  const std::string amz_date = amz_now(now_unix());
  testing::Headers headers = request.headers;
  headers["Host"] = "127.0.0.1:" + std::to_string(port_);
  headers["x-amz-date"] = amz_date;
  std::string body = request.body;
  std::string payload_hash;
  switch (request.payload) {
    case S3Payload::kSigned:
      payload_hash = sha256_hex(body);
      break;
    case S3Payload::kUnsigned:
      payload_hash = "UNSIGNED-PAYLOAD";
      break;
    case S3Payload::kWrongHash:
      payload_hash = sha256_hex(body + "tampered");
      break;
    case S3Payload::kChunkedTrailer: {
      payload_hash = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
      headers["Content-Encoding"] = "aws-chunked";
      headers["x-amz-decoded-content-length"] = std::to_string(body.size());
      headers["x-amz-trailer"] = "x-amz-checksum-crc32";
      const std::uint32_t crc = crc32(body);
      const std::uint8_t be[4] = {
          static_cast<std::uint8_t>(crc >> 24), static_cast<std::uint8_t>(crc >> 16),
          static_cast<std::uint8_t>(crc >> 8), static_cast<std::uint8_t>(crc)};
      std::string framed;
      for (std::size_t at = 0; at < body.size(); at += 65536) {
        const std::string_view piece = std::string_view(body).substr(at, 65536);
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
        framed += size;
        framed += piece;
        framed += "\r\n";
      }
      framed += "0\r\nx-amz-checksum-crc32:" + base64_encode(be) + "\r\n\r\n";
      body = std::move(framed);
      break;
    }
  }
  headers["x-amz-content-sha256"] = payload_hash;
  std::vector<HttpField> fields;
  for (const auto& [name, value] : headers) {
    fields.push_back({name, value});
  }
  const std::string content_length = std::to_string(body.size());
  if (!body.empty() || request.method == "PUT" || request.method == "POST") {
    fields.push_back({"content-length", content_length});
  }
  Sigv4Request signed_request{request.method, target, fields};
  auto authorization =
      sign_authorization(signed_request, {credential_.access_key_id, credential_.secret_access_key},
                         amz_date, payload_hash, crypto);
  if (!authorization) {
    throw std::runtime_error("signing failed: " + authorization.error().message);
  }
  headers["Authorization"] = *authorization;
  if (!body.empty() || request.method == "PUT" || request.method == "POST") {
    headers["Content-Length"] = content_length;
  }
  return http_.request(request.method, target, headers, body);
}

testing::HttpResponse S3TestClient::put(const std::string& bucket, const std::string& key,
                                        std::string body, testing::Headers headers) {
  return send({.method = "PUT",
               .bucket = bucket,
               .key = key,
               .headers = std::move(headers),
               .body = std::move(body)});
}

testing::HttpResponse S3TestClient::get(const std::string& bucket, const std::string& key,
                                        testing::Headers headers) {
  return send({.method = "GET", .bucket = bucket, .key = key, .headers = std::move(headers)});
}

testing::HttpResponse S3TestClient::head(const std::string& bucket, const std::string& key) {
  return send({.method = "HEAD", .bucket = bucket, .key = key});
}

testing::HttpResponse S3TestClient::remove(const std::string& bucket, const std::string& key) {
  return send({.method = "DELETE", .bucket = bucket, .key = key});
}

testing::HttpResponse S3TestClient::create_bucket(const std::string& bucket) {
  return send({.method = "PUT", .bucket = bucket});
}

std::string S3TestClient::presigned_get(const std::string& bucket, const std::string& key,
                                        std::int64_t expires_seconds, std::int64_t signed_at) {
  static const OpensslSigv4Crypto crypto;
  const std::string target = s3_target(bucket, key, {});
  const std::string host = "127.0.0.1:" + std::to_string(port_);
  std::vector<HttpField> fields{{"host", host}};
  auto presigned = presign_target({"GET", target, fields},
                                  {credential_.access_key_id, credential_.secret_access_key},
                                  amz_now(signed_at), expires_seconds, crypto);
  if (!presigned) {
    throw std::runtime_error("presigning failed: " + presigned.error().message);
  }
  return *presigned;
}

std::string md5_hex(std::string_view data) { return to_hex(digest(EVP_md5(), data)); }

std::string md5_base64(std::string_view data) { return base64_encode(digest(EVP_md5(), data)); }

std::optional<std::string> xml_value(std::string_view xml, std::string_view element) {
  const std::string open = "<" + std::string(element) + ">";
  const std::string close = "</" + std::string(element) + ">";
  const std::size_t start = xml.find(open);
  if (start == std::string_view::npos) {
    return std::nullopt;
  }
  const std::size_t end = xml.find(close, start + open.size());
  if (end == std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(xml.substr(start + open.size(), end - start - open.size()));
}

std::size_t xml_count(std::string_view xml, std::string_view element) {
  const std::string open = "<" + std::string(element) + ">";
  std::size_t n = 0;
  for (std::size_t at = xml.find(open); at != std::string_view::npos;
       at = xml.find(open, at + open.size())) {
    ++n;
  }
  return n;
}

}  // namespace castor::e2e
