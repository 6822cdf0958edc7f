// libFuzzer target: SigV4 authentication of arbitrary requests. The input is a request written
// as lines: method, request-target, then "name:value" header lines. Whatever it holds, parsing
// and verifying must not crash; and once its auth headers are replaced by a signature of
// castor's own signer, it must verify (what the signer signs, the verifier accepts).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/sigv4.h"
#include "domain/sigv4_signer.h"
#include "fuzz_check.h"
#include "infrastructure/openssl_hmac.h"

namespace {

using namespace castor;

constexpr std::string_view kDate = "20130524T000000Z";
constexpr std::int64_t kNow = 1369353600;

bool is_token(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

Sigv4Request view(const std::string& method, const std::string& target,
                  const std::vector<std::pair<std::string, std::string>>& headers) {
  Sigv4Request request{method, target, {}};
  for (const auto& [name, value] : headers) {
    request.headers.push_back({name, value});
  }
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const OpensslSigv4Crypto crypto;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  while (!text.empty() && lines.size() < 64) {
    const std::size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  }
  if (lines.size() < 2) {
    return 0;
  }
  const std::string method(lines[0]);
  const std::string target(lines[1]);
  std::vector<std::pair<std::string, std::string>> headers;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    const std::size_t colon = lines[i].find(':');
    headers.emplace_back(
        std::string(lines[i].substr(0, colon)),
        colon == std::string_view::npos ? "" : std::string(lines[i].substr(colon + 1)));
  }

  // 1. As given: any outcome but a crash.
  const Sigv4Request given = view(method, target, headers);
  if (auto auth = parse_sigv4_auth(given); auth && auth->has_value()) {
    (void)verify_sigv4(given, **auth, "secret", (*auth)->request_time, crypto);
  }

  // 2. Signed by castor's signer: must verify, unless the target itself is not a valid S3 URI
  // or already carries query authentication.
  std::vector<std::pair<std::string, std::string>> signable;
  bool has_host = false;
  for (auto& [name, value] : headers) {
    const std::string l = lower(name);
    if (!is_token(name) || l == "authorization" || l == "x-amz-date" ||
        l == "x-amz-content-sha256") {
      continue;
    }
    has_host = has_host || l == "host";
    signable.emplace_back(name, value);
  }
  if (!has_host) {
    signable.emplace_back("Host", "bucket.s3.example");
  }
  signable.emplace_back("x-amz-date", std::string(kDate));
  signable.emplace_back("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
  const Sigv4SigningCredentials creds{"AKIDFUZZ", "secret", "fuzz-region-1"};
  auto authorization =
      sign_authorization(view(method, target, signable), creds, kDate, "UNSIGNED-PAYLOAD", crypto);
  if (!authorization) {
    return 0;  // a bad escape in the target: the verifier refuses it the same way
  }
  signable.emplace_back("Authorization", *authorization);
  const Sigv4Request request = view(method, target, signable);
  auto auth = parse_sigv4_auth(request);
  if (!auth && auth.error().reason == "InvalidArgument" &&
      target.find("X-Amz-") != std::string::npos) {
    return 0;  // the target also has presigned parameters: two mechanisms, refused
  }
  if (!auth && (auth.error().reason == "InvalidRequest" || auth.error().reason == "InvalidURI")) {
    return 0;  // SigV2 parameters, or a bad escape in the query
  }
  CASTOR_FUZZ_CHECK(auth && auth->has_value());
  auto verified = verify_sigv4(request, **auth, "secret", kNow, crypto);
  CASTOR_FUZZ_CHECK(verified);
  CASTOR_FUZZ_CHECK(verified->access_key_id == "AKIDFUZZ");
  return 0;
}
