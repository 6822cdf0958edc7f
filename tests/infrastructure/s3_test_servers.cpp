#include "infrastructure/s3_test_servers.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include <curl/curl.h>

#include "e2e/s3_credentials.h"
#include "support/random_data.h"
#include "support/server_process.h"
#include "support/test_database.h"

namespace castor::testing {

namespace {

struct CastorS3 {
  TestDatabase database;
  ServerProcess server;
  S3TestServer description;
};

std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

S3BackendSettings test_settings(std::string endpoint, std::string bucket, std::string key_id,
                                std::string secret) {
  S3BackendSettings settings;
  settings.endpoint = std::move(endpoint);
  settings.bucket = std::move(bucket);
  settings.access_key_id = std::move(key_id);
  settings.secret_access_key = std::move(secret);
  settings.timeout = std::chrono::seconds(5);
  settings.max_retries = 3;
  settings.max_connections = 4;
  return settings;
}

}  // namespace

void create_s3_bucket(const S3BackendSettings& settings, const std::string& bucket) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    throw std::runtime_error("curl_easy_init failed");
  }
  const std::string url = settings.endpoint + "/" + bucket;
  const std::string sigv4 = "aws:amz:" + settings.region + ":s3";
  curl_slist* headers = curl_slist_append(nullptr, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, settings.access_key_id.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, settings.secret_access_key.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK || status != 200) {
    throw std::runtime_error("CreateBucket " + url + " failed: " + curl_easy_strerror(code) +
                             ", HTTP " + std::to_string(status));
  }
}

const S3TestServer& castor_s3_server() {
  static CastorS3 castor = [] {
    TestDatabase database = TestDatabase::create("castor_s3backend");
    ServerOptions options;
    const char* other = std::getenv("CASTOR_E2E_BINARY");
    options.binary = other != nullptr && *other != '\0' ? other : CASTOR_BINARY;
    options.database_url = database.url();
    options.max_object_size = std::uint64_t{64} << 20;  // multipart parts of 5 MiB and more
    ServerProcess server = ServerProcess::start(std::move(options));
    HttpClient admin = server.client();
    const e2e::S3KeyPair pair = e2e::create_s3_credential(admin, "", unique_name("backend"));
    S3TestServer description{
        .name = "castor",
        .settings = test_settings("http://127.0.0.1:" + std::to_string(server.port()),
                                  unique_name("blobs"), pair.access_key_id, pair.secret_access_key),
        .port = server.port(),
        .verifies_signatures = true,
        .has_multipart_admin = true,
    };
    create_s3_bucket(description.settings, description.settings.bucket);
    return CastorS3{std::move(database), std::move(server), std::move(description)};
  }();
  return castor.description;
}

const S3TestServer& s3rver_server() {
  static S3TestServer s3rver = [] {
    const char* endpoint = std::getenv("S3RVER_ENDPOINT");
    if (endpoint == nullptr || *endpoint == '\0') {
      throw std::runtime_error(
          "S3RVER_ENDPOINT is not set: run these tests through tests/s3backend/run.sh");
    }
    S3TestServer description{
        .name = "s3rver",
        .settings = test_settings(endpoint, unique_name("blobs"), "S3RVER", "S3RVER"),
        .port = static_cast<std::uint16_t>(
            std::stoi(std::string(endpoint).substr(std::string(endpoint).rfind(':') + 1))),
        .verifies_signatures = false,
        .has_multipart_admin = false,
    };
    create_s3_bucket(description.settings, description.settings.bucket);
    return description;
  }();
  return s3rver;
}

std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace castor::testing
